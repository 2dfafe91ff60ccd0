//! The built-in analyzers.

use std::collections::HashSet;

use schema_diff::{Change, TableChange};

use crate::{Context, Diagnostic, Severity};

/// A lint rule family.
pub trait Analyzer: Send + Sync {
    /// The family name (`destructive`, `data_depend`, …).
    fn name(&self) -> &'static str;
    /// Findings for the changes in `context`.
    fn analyze(&self, context: &Context<'_>) -> Vec<Diagnostic>;
}

/// The analyzers Atlas runs by default, with its default severities.
pub fn default_analyzers() -> Vec<Box<dyn Analyzer>> {
    vec![
        Box::new(Destructive),
        Box::new(DataDependent),
        Box::new(ConstraintDeletion),
        Box::new(BackwardIncompatible),
    ]
}

fn finding(
    analyzer: &'static str,
    severity: Severity,
    code: &'static str,
    change: usize,
    message: String,
) -> Diagnostic {
    Diagnostic {
        code,
        analyzer,
        severity,
        message,
        change,
    }
}

/// Tables created by the change list itself: rules about existing data skip them.
fn created_tables(changes: &[Change]) -> HashSet<(String, String)> {
    changes
        .iter()
        .filter_map(|c| match c {
            Change::AddTable { schema, table } => Some((schema.clone(), table.name.clone())),
            _ => None,
        })
        .collect()
}

/// The table modifications among the changes, with their positions.
fn modified_tables(
    changes: &[Change],
) -> impl Iterator<Item = (usize, &schema_model::Table, &[TableChange])> {
    changes.iter().enumerate().filter_map(|(i, c)| match c {
        Change::ModifyTable { to, changes, .. } => Some((i, to, changes.as_slice())),
        _ => None,
    })
}

/// Names of the columns a table modification adds (or drops, with `dropped`).
fn touched_columns(changes: &[TableChange], dropped: bool) -> HashSet<&str> {
    changes
        .iter()
        .filter_map(|c| match c {
            TableChange::AddColumn { column } if !dropped => Some(column.name.as_str()),
            TableChange::DropColumn { column } if dropped => Some(column.name.as_str()),
            _ => None,
        })
        .collect()
}

/// Drops that lose data: DS101 schema, DS102 table, DS103 non-virtual column.
pub struct Destructive;

impl Analyzer for Destructive {
    fn name(&self) -> &'static str {
        "destructive"
    }

    fn analyze(&self, context: &Context<'_>) -> Vec<Diagnostic> {
        let created = created_tables(context.changes);
        let dropped_schemas: HashSet<&str> = context
            .changes
            .iter()
            .filter_map(|c| match c {
                Change::DropSchema { schema } => Some(schema.name.as_str()),
                _ => None,
            })
            .collect();
        let mut out = Vec::new();
        for (i, change) in context.changes.iter().enumerate() {
            match change {
                Change::DropSchema { schema } => out.push(finding(
                    self.name(),
                    Severity::Error,
                    "DS101",
                    i,
                    format!(
                        "Dropping schema {:?} which contains {} tables",
                        schema.name,
                        schema.tables.len()
                    ),
                )),
                Change::DropTable { schema, table }
                    if !dropped_schemas.contains(schema.as_str())
                        && !created.contains(&(schema.clone(), table.name.clone())) =>
                {
                    out.push(finding(
                        self.name(),
                        Severity::Error,
                        "DS102",
                        i,
                        format!("Dropping table {:?}", table.name),
                    ))
                }
                Change::ModifyTable {
                    to, changes: inner, ..
                } => {
                    for c in inner {
                        if let TableChange::DropColumn { column } = c
                            && column.generated.as_ref().is_none_or(|g| g.stored)
                        {
                            out.push(finding(
                                self.name(),
                                Severity::Error,
                                "DS103",
                                i,
                                format!(
                                    "Dropping non-virtual column {:?} of table {:?}",
                                    column.name, to.name
                                ),
                            ));
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }
}

/// Changes that may fail depending on the data: MF101–MF104.
pub struct DataDependent;

impl Analyzer for DataDependent {
    fn name(&self) -> &'static str {
        "data_depend"
    }

    fn analyze(&self, context: &Context<'_>) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for (i, to, inner) in modified_tables(context.changes) {
            let added = touched_columns(inner, false);
            for c in inner {
                match c {
                    TableChange::AddIndex { index }
                        if index.unique && index.column_names().any(|n| !added.contains(n)) =>
                    {
                        out.push(finding(
                            self.name(),
                            Severity::Warning,
                            "MF101",
                            i,
                            format!(
                                "Adding a unique index {:?} on table {:?} might fail in case columns contain duplicate entries",
                                index.name, to.name
                            ),
                        ))
                    }
                    TableChange::ModifyIndex { from, to: index } if index.unique && !from.unique => {
                        out.push(finding(
                            self.name(),
                            Severity::Warning,
                            "MF102",
                            i,
                            format!(
                                "Modifying non-unique index {:?} to unique might fail in case of duplicate entries",
                                index.name
                            ),
                        ))
                    }
                    TableChange::AddColumn { column }
                        if !column.nullable
                            && column.default.is_none()
                            && column.generated.is_none()
                            && column.identity.is_none()
                            && !column.auto_increment =>
                    {
                        out.push(finding(
                            self.name(),
                            Severity::Warning,
                            "MF103",
                            i,
                            format!(
                                "Adding a non-nullable column {:?} on table {:?} without a default value implicitly sets existing rows with a zero value or fails",
                                column.name,
                                to.name
                            ),
                        ))
                    }
                    TableChange::ModifyColumn { from, to: column, changes }
                        if changes.nullable && from.nullable && !column.nullable =>
                    {
                        out.push(finding(
                            self.name(),
                            Severity::Warning,
                            "MF104",
                            i,
                            format!(
                                "Modifying nullable column {:?} to non-nullable might fail in case it contains NULL values",
                                column.name
                            ),
                        ))
                    }
                    _ => {}
                }
            }
        }
        out
    }
}

/// Dropped constraints: CD101 foreign key dropped (unless its columns go too).
pub struct ConstraintDeletion;

impl Analyzer for ConstraintDeletion {
    fn name(&self) -> &'static str {
        "condrop"
    }

    fn analyze(&self, context: &Context<'_>) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for (i, to, inner) in modified_tables(context.changes) {
            let dropped = touched_columns(inner, true);
            for c in inner {
                if let TableChange::DropForeignKey { key } = c
                    && !key.columns.iter().all(|col| dropped.contains(col.as_str()))
                {
                    out.push(finding(
                        self.name(),
                        Severity::Warning,
                        "CD101",
                        i,
                        format!(
                            "Dropping foreign-key constraint {:?} of table {:?}",
                            key.name, to.name
                        ),
                    ));
                }
            }
        }
        out
    }
}

/// Renames that break clients still using the old names: BC101 table, BC102 column.
pub struct BackwardIncompatible;

impl Analyzer for BackwardIncompatible {
    fn name(&self) -> &'static str {
        "incompatible"
    }

    fn analyze(&self, context: &Context<'_>) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for (i, change) in context.changes.iter().enumerate() {
            match change {
                Change::RenameTable { from, to, .. } => out.push(finding(
                    self.name(),
                    Severity::Warning,
                    "BC101",
                    i,
                    format!("Renaming table {from:?} to {to:?}"),
                )),
                Change::ModifyTable {
                    to: table,
                    changes: inner,
                    ..
                } => {
                    for c in inner {
                        // Adding the old name back (e.g. as a generated alias) keeps old
                        // clients working.
                        if let TableChange::RenameColumn { from, to } = c
                            && table.column(from).is_none()
                        {
                            out.push(finding(
                                self.name(),
                                Severity::Warning,
                                "BC102",
                                i,
                                format!("Renaming column {from:?} to {to:?}"),
                            ));
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }
}
