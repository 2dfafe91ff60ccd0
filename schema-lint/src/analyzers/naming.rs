//! `naming`: names of new objects must match configured patterns. NM101 schema, NM102
//! table, NM103 column, NM104 index, NM105 foreign key, NM106 check.

use regex::Regex;
use schema_diff::{Change, TableChange};
use schema_model::Table;

use crate::changeset::Position;
use crate::config::{ConfigError, NamePattern, NamingConfig};
use crate::{Analyzer, Context, Diagnostic};

/// The kinds of named objects naming rules cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectKindName {
    /// Schemas (NM101).
    Schema,
    /// Tables (NM102).
    Table,
    /// Columns (NM103).
    Column,
    /// Indexes (NM104).
    Index,
    /// Foreign keys (NM105).
    ForeignKey,
    /// Checks (NM106).
    Check,
}

impl ObjectKindName {
    /// The code for names of this kind.
    pub fn code(self) -> &'static str {
        match self {
            ObjectKindName::Schema => "NM101",
            ObjectKindName::Table => "NM102",
            ObjectKindName::Column => "NM103",
            ObjectKindName::Index => "NM104",
            ObjectKindName::ForeignKey => "NM105",
            ObjectKindName::Check => "NM106",
        }
    }

    fn label(self) -> &'static str {
        match self {
            ObjectKindName::Schema => "Schema",
            ObjectKindName::Table => "Table",
            ObjectKindName::Column => "Column",
            ObjectKindName::Index => "Index",
            ObjectKindName::ForeignKey => "Foreign-key constraint",
            ObjectKindName::Check => "Check constraint",
        }
    }

    const ALL: [ObjectKindName; 6] = [
        ObjectKindName::Schema,
        ObjectKindName::Table,
        ObjectKindName::Column,
        ObjectKindName::Index,
        ObjectKindName::ForeignKey,
        ObjectKindName::Check,
    ];
}

/// Compiled naming patterns.
#[derive(Debug, Clone)]
pub struct NameChecker {
    rules: Vec<(ObjectKindName, Regex, Option<String>)>,
}

impl NameChecker {
    /// Compiles the patterns of a naming configuration; a per-kind pattern replaces the
    /// shared one for that kind.
    pub fn new(config: &NamingConfig) -> Result<Self, ConfigError> {
        let compile = |kind: &'static str, pattern: &str| {
            Regex::new(pattern).map_err(|source| ConfigError::Pattern {
                kind,
                pattern: pattern.to_owned(),
                source,
            })
        };
        let shared = config
            .pattern
            .as_deref()
            .map(|p| compile("match", p))
            .transpose()?;
        let mut rules = Vec::new();
        for kind in ObjectKindName::ALL {
            let (name, own): (&'static str, &Option<NamePattern>) = match kind {
                ObjectKindName::Schema => ("schema", &config.schema),
                ObjectKindName::Table => ("table", &config.table),
                ObjectKindName::Column => ("column", &config.column),
                ObjectKindName::Index => ("index", &config.index),
                ObjectKindName::ForeignKey => ("foreign_key", &config.foreign_key),
                ObjectKindName::Check => ("check", &config.check),
            };
            let own_pattern = own.as_ref().and_then(|p| p.pattern.as_deref());
            let regex = match (own_pattern, &shared) {
                (Some(p), _) => compile(name, p)?,
                (None, Some(shared)) => shared.clone(),
                (None, None) => continue,
            };
            let message = own
                .as_ref()
                .and_then(|p| p.message.clone())
                .or_else(|| config.message.clone());
            rules.push((kind, regex, message));
        }
        Ok(NameChecker { rules })
    }

    /// The message for `name` of `kind` when it fails its pattern.
    pub fn check(&self, kind: ObjectKindName, name: &str) -> Option<String> {
        let (_, regex, message) = self.rules.iter().find(|(k, _, _)| *k == kind)?;
        if regex.is_match(name) {
            return None;
        }
        Some(match message {
            Some(m) => format!("{} name {name:?}: {m}", kind.label()),
            None => format!(
                "{} name {name:?} does not match pattern {:?}",
                kind.label(),
                regex.as_str()
            ),
        })
    }

    /// Every violation among the named parts of a table (the table itself, columns,
    /// indexes, foreign keys, named checks).
    pub fn check_table(&self, table: &Table) -> Vec<(ObjectKindName, String)> {
        let mut out = Vec::new();
        let mut push = |kind, name: &str| {
            if let Some(m) = self.check(kind, name) {
                out.push((kind, m));
            }
        };
        push(ObjectKindName::Table, &table.name);
        for c in &table.columns {
            push(ObjectKindName::Column, &c.name);
        }
        for i in &table.indexes {
            push(ObjectKindName::Index, &i.name);
        }
        for k in &table.foreign_keys {
            push(ObjectKindName::ForeignKey, &k.name);
        }
        for c in &table.checks {
            if let Some(name) = &c.name {
                push(ObjectKindName::Check, name);
            }
        }
        out
    }
}

/// NM101–NM106 over the objects a migration adds or renames.
pub struct Naming {
    checker: NameChecker,
}

impl Naming {
    /// Naming checks with the given patterns.
    pub fn new(config: &NamingConfig) -> Result<Self, ConfigError> {
        Ok(Naming {
            checker: NameChecker::new(config)?,
        })
    }
}

impl Analyzer for Naming {
    fn name(&self) -> &str {
        "naming"
    }

    fn title(&self) -> String {
        "naming violations detected".into()
    }

    fn analyze(&self, cx: &Context<'_>) -> Vec<Diagnostic> {
        let mut found: Vec<(Position, ObjectKindName, String)> = Vec::new();
        for (at, change) in cx.changes.located() {
            let mut name = |kind: ObjectKindName, name: &str| {
                if let Some(message) = self.checker.check(kind, name) {
                    found.push((at, kind, message));
                }
            };
            match change {
                Change::AddSchema { schema } => name(ObjectKindName::Schema, &schema.name),
                Change::AddTable { table, .. } => {
                    for (kind, message) in self.checker.check_table(table) {
                        found.push((at, kind, message));
                    }
                }
                Change::RenameTable { to, .. } => name(ObjectKindName::Table, to),
                Change::ModifyTable { changes, .. } => {
                    for c in changes {
                        match c {
                            TableChange::AddColumn { column } => {
                                name(ObjectKindName::Column, &column.name)
                            }
                            TableChange::RenameColumn { to, .. } => {
                                name(ObjectKindName::Column, to)
                            }
                            TableChange::AddIndex { index } => {
                                name(ObjectKindName::Index, &index.name)
                            }
                            TableChange::AddForeignKey { key } => {
                                name(ObjectKindName::ForeignKey, &key.name)
                            }
                            TableChange::AddCheck { check } => {
                                if let Some(n) = &check.name {
                                    name(ObjectKindName::Check, n);
                                }
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        found
            .into_iter()
            .map(|(at, kind, message)| {
                Diagnostic::new(kind.code(), at, message)
                    .fix("Rename the object to match the naming policy")
            })
            .collect()
    }
}
