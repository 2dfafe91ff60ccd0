//! Whole-schema rules (`schema lint`): policies checked against a complete [`Realm`]
//! rather than against changes.
//!
//! Built-in rules: SL101 every table has a primary key, SL102 every foreign key's columns
//! lead an index (or the primary key), SL103 every column is NOT NULL or has a default,
//! and the naming patterns (NM101–NM106). Add your own with [`SchemaLinter::rule`] (a
//! [`SchemaRule`] impl) or [`SchemaLinter::rule_fn`] (a closure).

use std::collections::BTreeSet;

use schema_model::{Realm, Table};
use serde::{Deserialize, Serialize};

use crate::Severity;
use crate::analyzers::{NameChecker, ObjectKindName};
use crate::config::{ConfigError, NamingConfig};

/// One schema-lint finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaFinding {
    /// Code, e.g. `SL101`.
    pub code: String,
    /// Severity.
    pub severity: Severity,
    /// The object, as `schema.table[.column]`.
    pub object: String,
    /// Human message.
    pub message: String,
}

impl SchemaFinding {
    /// A warning about `object`.
    pub fn new(
        code: impl Into<String>,
        object: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        SchemaFinding {
            code: code.into(),
            severity: Severity::Warning,
            object: object.into(),
            message: message.into(),
        }
    }
}

/// A whole-schema policy.
pub trait SchemaRule: Send + Sync {
    /// Findings for `realm`.
    fn check(&self, realm: &Realm) -> Vec<SchemaFinding>;
}

impl<F> SchemaRule for F
where
    F: Fn(&Realm) -> Vec<SchemaFinding> + Send + Sync,
{
    fn check(&self, realm: &Realm) -> Vec<SchemaFinding> {
        self(realm)
    }
}

/// Runs whole-schema rules.
///
/// ```
/// use schema_lint::{SchemaFinding, SchemaLinter};
/// use schema_model::*;
///
/// let t = Table::new("t").with_column(Column::new("a", ColumnType::int(IntWidth::Int)));
/// let realm = Realm::new(vec![Schema::new("main").with_table(t)]);
/// let findings = SchemaLinter::default()
///     .rule_fn(|realm: &Realm| {
///         (realm.table_count() > 100)
///             .then(|| SchemaFinding::new("XX1", "", "too many tables"))
///             .into_iter()
///             .collect()
///     })
///     .run(&realm);
/// let codes: Vec<_> = findings.iter().map(|f| f.code.as_str()).collect();
/// assert_eq!(codes, ["SL101", "SL103"]);
/// ```
pub struct SchemaLinter {
    rules: Vec<Box<dyn SchemaRule>>,
}

impl Default for SchemaLinter {
    /// SL101–SL103.
    fn default() -> Self {
        SchemaLinter {
            rules: vec![
                Box::new(PrimaryKeyRequired),
                Box::new(ForeignKeysIndexed),
                Box::new(ColumnsHaveValues),
            ],
        }
    }
}

impl SchemaLinter {
    /// No rules.
    pub fn empty() -> Self {
        SchemaLinter { rules: Vec::new() }
    }

    /// Builder-style: add a rule.
    pub fn rule(mut self, rule: impl SchemaRule + 'static) -> Self {
        self.rules.push(Box::new(rule));
        self
    }

    /// Builder-style: add a closure rule.
    pub fn rule_fn(
        self,
        rule: impl Fn(&Realm) -> Vec<SchemaFinding> + Send + Sync + 'static,
    ) -> Self {
        self.rule(rule)
    }

    /// Builder-style: add naming rules from a configuration.
    pub fn naming(self, config: &NamingConfig) -> Result<Self, ConfigError> {
        Ok(self.rule(NamingRule(NameChecker::new(config)?)))
    }

    /// Every finding of every rule, in rule order.
    pub fn run(&self, realm: &Realm) -> Vec<SchemaFinding> {
        self.rules.iter().flat_map(|r| r.check(realm)).collect()
    }
}

fn tables(realm: &Realm) -> impl Iterator<Item = (&str, &Table)> {
    realm
        .schemas
        .iter()
        .flat_map(|s| s.tables.iter().map(move |t| (s.name.as_str(), t)))
}

/// SL101: every table has a primary key.
pub struct PrimaryKeyRequired;

impl SchemaRule for PrimaryKeyRequired {
    fn check(&self, realm: &Realm) -> Vec<SchemaFinding> {
        tables(realm)
            .filter(|(_, t)| t.primary_key.is_none())
            .map(|(s, t)| {
                SchemaFinding::new(
                    "SL101",
                    format!("{s}.{}", t.name),
                    format!("Table {:?} has no primary key", t.name),
                )
            })
            .collect()
    }
}

/// SL102: the columns of every foreign key are the leading columns of an index or of the
/// primary key, so deletes and updates of the referenced rows do not scan the table.
pub struct ForeignKeysIndexed;

impl SchemaRule for ForeignKeysIndexed {
    fn check(&self, realm: &Realm) -> Vec<SchemaFinding> {
        let mut out = Vec::new();
        for (s, t) in tables(realm) {
            let mut leads: Vec<Vec<&str>> = t
                .indexes
                .iter()
                .map(|i| i.column_names().collect())
                .collect();
            if let Some(pk) = &t.primary_key {
                leads.push(pk.column_names().collect());
            }
            for key in &t.foreign_keys {
                let wanted: BTreeSet<&str> = key.columns.iter().map(String::as_str).collect();
                let covered = leads.iter().any(|cols| {
                    cols.len() >= wanted.len()
                        && cols[..wanted.len()]
                            .iter()
                            .copied()
                            .collect::<BTreeSet<_>>()
                            == wanted
                });
                if !covered {
                    out.push(SchemaFinding::new(
                        "SL102",
                        format!("{s}.{}", t.name),
                        format!(
                            "Foreign key {:?} of table {:?} has no index leading with its columns ({})",
                            key.name,
                            t.name,
                            key.columns.join(", ")
                        ),
                    ));
                }
            }
        }
        out
    }
}

/// SL103: every column is NOT NULL or has a default (generated columns excepted).
pub struct ColumnsHaveValues;

impl SchemaRule for ColumnsHaveValues {
    fn check(&self, realm: &Realm) -> Vec<SchemaFinding> {
        tables(realm)
            .flat_map(|(s, t)| {
                t.columns
                    .iter()
                    .filter(|c| c.nullable && c.default.is_none() && c.generated.is_none())
                    .map(move |c| {
                        SchemaFinding::new(
                            "SL103",
                            format!("{s}.{}.{}", t.name, c.name),
                            format!(
                                "Column {:?} of table {:?} is nullable and has no default",
                                c.name, t.name
                            ),
                        )
                    })
            })
            .collect()
    }
}

/// NM101–NM106 over every object of the realm.
pub struct NamingRule(pub NameChecker);

impl SchemaRule for NamingRule {
    fn check(&self, realm: &Realm) -> Vec<SchemaFinding> {
        let mut out = Vec::new();
        for schema in &realm.schemas {
            if let Some(m) = self.0.check(ObjectKindName::Schema, &schema.name) {
                out.push(SchemaFinding::new("NM101", &schema.name, m));
            }
            for t in &schema.tables {
                for (kind, m) in self.0.check_table(t) {
                    out.push(SchemaFinding::new(
                        kind.code(),
                        format!("{}.{}", schema.name, t.name),
                        m,
                    ));
                }
            }
        }
        out
    }
}
