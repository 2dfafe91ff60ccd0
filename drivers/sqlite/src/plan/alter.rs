//! Table modifications: `ALTER TABLE` where SQLite allows it, the documented table
//! rebuild (create new, copy, drop, rename) otherwise.

use std::collections::{HashMap, HashSet};

use schema_diff::{PlanError, TableChange};
use schema_model::{Column, DefaultValue, Table};

use super::Statements;
use super::render::{column_definition, create_index, create_table};
use crate::names::quote;
use crate::parse::lexer::mentioned_names;

/// Whether SQLite must rebuild the table to go from `from` to `to`.
pub(crate) fn needs_rebuild(from: &Table, to: &Table, changes: &[TableChange]) -> bool {
    changes.iter().any(|change| match change {
        TableChange::AddColumn { column } => !can_add_in_place(to, column),
        TableChange::DropColumn { column } => !can_drop_in_place(from, changes, column),
        TableChange::ModifyColumn { changes, .. } => {
            let mut significant = *changes;
            significant.comment = false;
            significant.any()
        }
        TableChange::RenameColumn { .. } | TableChange::ModifyComment { .. } => false,
        TableChange::AddIndex { index } | TableChange::DropIndex { index } => index.constraint,
        TableChange::ModifyIndex { from, to } => from.constraint || to.constraint,
        TableChange::ModifyOptions => from.sqlite != to.sqlite,
        _ => true,
    })
}

/// `ALTER TABLE … ADD COLUMN` accepts a column that is not part of a key, whose default
/// is a constant, that is not a stored generated column, and that is NOT NULL only with
/// a non-NULL default.
fn can_add_in_place(to: &Table, column: &Column) -> bool {
    let name = column.name.as_str();
    let in_key = to
        .primary_key
        .as_ref()
        .is_some_and(|k| k.column_names().any(|c| c == name));
    let in_unique = to
        .indexes
        .iter()
        .any(|i| i.constraint && i.column_names().any(|c| c == name));
    let in_fk = to
        .foreign_keys
        .iter()
        .any(|f| f.columns.iter().any(|c| c == name));
    let lower = name.to_lowercase();
    let in_check = to
        .checks
        .iter()
        .any(|c| mentioned_names(&c.expr).contains(&lower));
    let constant_default = match &column.default {
        None => true,
        Some(DefaultValue::Literal(_)) => true,
        Some(DefaultValue::Expr(_)) => false,
    };
    let null_default = match &column.default {
        None => true,
        Some(d) => d.sql().trim().eq_ignore_ascii_case("NULL"),
    };
    let stored = column.generated.as_ref().is_some_and(|g| g.stored);
    let not_null_ok = column.nullable || (!null_default && column.generated.is_none());
    !in_key
        && !in_unique
        && !in_fk
        && !in_check
        && !column.auto_increment
        && constant_default
        && !stored
        && not_null_ok
}

/// `ALTER TABLE … DROP COLUMN` refuses key, unique, indexed, foreign-key and
/// check-constrained columns, and columns other generated columns read.
fn can_drop_in_place(from: &Table, changes: &[TableChange], column: &Column) -> bool {
    let name = column.name.as_str();
    let lower = name.to_lowercase();
    let dropped_indexes: HashSet<&str> = changes
        .iter()
        .filter_map(|c| match c {
            TableChange::DropIndex { index } => Some(index.name.as_str()),
            _ => None,
        })
        .collect();
    let mentions = |sql: &str| mentioned_names(sql).contains(&lower);
    let in_key = from
        .primary_key
        .as_ref()
        .is_some_and(|k| k.column_names().any(|c| c == name));
    let indexed = from.indexes.iter().any(|i| {
        (i.constraint || !dropped_indexes.contains(i.name.as_str()))
            && (i.column_names().any(|c| c == name)
                || i.parts.iter().any(|p| match &p.target {
                    schema_model::IndexTarget::Expr(e) => mentions(e),
                    schema_model::IndexTarget::Column(_) => false,
                })
                || i.predicate.as_deref().is_some_and(mentions))
    });
    let in_fk = from
        .foreign_keys
        .iter()
        .any(|f| f.columns.iter().any(|c| c == name));
    let in_check = from.checks.iter().any(|c| mentions(&c.expr));
    let in_generated = from
        .columns
        .iter()
        .any(|c| c.name != name && c.generated.as_ref().is_some_and(|g| mentions(&g.expr)));
    let stored = column.generated.as_ref().is_some_and(|g| g.stored);
    !in_key && !indexed && !in_fk && !in_check && !in_generated && !stored
}

pub(crate) fn modify_table(
    from: &Table,
    to: &Table,
    changes: &[TableChange],
    out: &mut Statements,
) -> Result<(), PlanError> {
    for change in changes {
        match change {
            TableChange::AddExclusion { .. } | TableChange::DropExclusion { .. } => {
                return Err(unsupported(to, "SQLite has no exclusion constraints"));
            }
            TableChange::AddPolicy { .. }
            | TableChange::DropPolicy { .. }
            | TableChange::ModifyPolicy { .. } => {
                return Err(unsupported(to, "SQLite has no row-level security policies"));
            }
            _ => {}
        }
    }
    if needs_rebuild(from, to, changes) {
        return rebuild(from, to, changes, out);
    }
    let table = quote(&to.name);
    for change in changes {
        match change {
            TableChange::RenameColumn { from: old, to: new } => out.push(
                format!(
                    "ALTER TABLE {table} RENAME COLUMN {} TO {}",
                    quote(old),
                    quote(new)
                ),
                format!("Rename a column from {} to {}", quote(old), quote(new)),
                Some(format!(
                    "ALTER TABLE {table} RENAME COLUMN {} TO {}",
                    quote(new),
                    quote(old)
                )),
            ),
            TableChange::AddColumn { column } => out.push(
                format!(
                    "ALTER TABLE {table} ADD COLUMN {}",
                    column_definition(column)?
                ),
                format!("Add column {} to table: {table}", quote(&column.name)),
                Some(format!(
                    "ALTER TABLE {table} DROP COLUMN {}",
                    quote(&column.name)
                )),
            ),
            TableChange::DropColumn { column } => out.push(
                format!("ALTER TABLE {table} DROP COLUMN {}", quote(&column.name)),
                format!("Drop column {} from table: {table}", quote(&column.name)),
                column_definition(column)
                    .ok()
                    .map(|def| format!("ALTER TABLE {table} ADD COLUMN {def}")),
            ),
            TableChange::AddIndex { index } => out.push(
                create_index(&to.name, index)?,
                format!("Add index {} to table: {table}", quote(&index.name)),
                Some(format!("DROP INDEX {}", quote(&index.name))),
            ),
            TableChange::DropIndex { index } => out.push(
                format!("DROP INDEX {}", quote(&index.name)),
                format!("Drop index {} from table: {table}", quote(&index.name)),
                create_index(&from.name, index).ok(),
            ),
            TableChange::ModifyIndex { from: old, to: new } => {
                out.push(
                    format!("DROP INDEX {}", quote(&old.name)),
                    format!("Drop index {} from table: {table}", quote(&old.name)),
                    create_index(&from.name, old).ok(),
                );
                out.push(
                    create_index(&to.name, new)?,
                    format!("Add index {} to table: {table}", quote(&new.name)),
                    Some(format!("DROP INDEX {}", quote(&new.name))),
                );
            }
            // SQLite keeps no comments, and option and column changes that reach this
            // point are comment-only.
            _ => {}
        }
    }
    Ok(())
}

fn unsupported(table: &Table, reason: &str) -> PlanError {
    PlanError::Unsupported {
        change: format!("modify table {:?}", table.name),
        reason: reason.to_owned(),
    }
}

/// SQLite's documented procedure for changes `ALTER TABLE` cannot make: create the target
/// definition under a temporary name, copy the shared columns, drop the old table, rename
/// the new one and recreate its indexes. Triggers and views on the table are recreated by
/// the differ (see `Dialect::rebuilds_table`); foreign keys are checked by the executor
/// once the transaction's work is done.
fn rebuild(
    from: &Table,
    to: &Table,
    changes: &[TableChange],
    out: &mut Statements,
) -> Result<(), PlanError> {
    let temp = format!("new_{}", to.name);
    out.push(
        create_table(to, &temp)?,
        format!("Create {} table", quote(&temp)),
        None,
    );
    // Columns renamed in this change are copied from their old name.
    let renamed: HashMap<&str, &str> = changes
        .iter()
        .filter_map(|c| match c {
            TableChange::RenameColumn { from, to } => Some((to.as_str(), from.as_str())),
            _ => None,
        })
        .collect();
    let mut targets = Vec::new();
    let mut sources = Vec::new();
    for column in &to.columns {
        if column.generated.is_some() {
            continue;
        }
        let source = renamed
            .get(column.name.as_str())
            .copied()
            .unwrap_or(&column.name);
        if from.column(source).is_some() {
            targets.push(quote(&column.name));
            sources.push(quote(source));
        }
    }
    if !targets.is_empty() {
        out.push(
            format!(
                "INSERT INTO {} ({}) SELECT {} FROM {}",
                quote(&temp),
                targets.join(", "),
                sources.join(", "),
                quote(&from.name)
            ),
            format!(
                "Copy rows from old table {} to new temporary table {}",
                quote(&from.name),
                quote(&temp)
            ),
            None,
        );
    }
    out.push(
        format!("DROP TABLE {}", quote(&from.name)),
        format!("Drop {} table", quote(&from.name)),
        None,
    );
    // Since SQLite 3.26 a rename re-parses every trigger and view, and fails on those
    // that read the table just dropped (triggers on other tables, for instance). The
    // legacy rename skips that check; nothing references the temporary name yet, so
    // there is nothing for the modern rename to rewrite.
    out.push(
        "PRAGMA legacy_alter_table = ON".to_owned(),
        "Rename without re-checking the triggers and views that read the table".to_owned(),
        None,
    );
    out.push(
        format!("ALTER TABLE {} RENAME TO {}", quote(&temp), quote(&to.name)),
        format!(
            "Rename temporary table {} to {}",
            quote(&temp),
            quote(&to.name)
        ),
        None,
    );
    out.push(
        "PRAGMA legacy_alter_table = OFF".to_owned(),
        "Restore the default rename behaviour".to_owned(),
        None,
    );
    for index in to.indexes.iter().filter(|i| !i.constraint) {
        out.push(
            create_index(&to.name, index)?,
            format!(
                "Create index {} to table: {}",
                quote(&index.name),
                quote(&to.name)
            ),
            Some(format!("DROP INDEX {}", quote(&index.name))),
        );
    }
    Ok(())
}
