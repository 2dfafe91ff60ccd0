//! `ALTER TABLE … ALTER COLUMN`: changing a column in place.

use schema_diff::ColumnChanges;
use schema_model::{Column, ColumnType, IdentityGeneration};

use super::Builder;
use super::table::{column_def, identity_clause};
use crate::quote::{ident, literal};
use crate::sequence;
use crate::types::render;

fn is_user_type(ty: &ColumnType) -> bool {
    match ty {
        ColumnType::Enum { .. } | ColumnType::UserDefined { .. } => true,
        ColumnType::Array { element, .. } => is_user_type(element),
        _ => false,
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn modify_column(
    b: &mut Builder<'_>,
    schema: &str,
    table: &str,
    table_name: &str,
    from: &Column,
    to: &Column,
    changes: &ColumnChanges,
) {
    let comment = format!("Modify {table_name:?} table");
    let col = ident(&to.name);
    let alter = |clause: String| format!("ALTER TABLE {table} {clause}");
    if changes.generated && to.generated.is_some() {
        // PostgreSQL cannot change or add a generation expression in place.
        b.push(alter(format!("DROP COLUMN {col}")), comment.clone(), None);
        b.push(
            alter(format!(
                "ADD COLUMN {}",
                column_def(b, schema, table_name, to)
            )),
            comment.clone(),
            None,
        );
        if to.comment.is_some() {
            b.comment_on(
                format!("COLUMN {table}.{col}"),
                to.comment.as_deref(),
                format!(
                    "Set comment to column: {:?} on table: {:?}",
                    to.name, table_name
                ),
            );
        }
        return;
    }
    if changes.generated {
        b.push(
            alter(format!("ALTER COLUMN {col} DROP EXPRESSION")),
            comment.clone(),
            None,
        );
    }
    if changes.identity && from.identity.is_some() && to.identity.is_none() {
        b.push(
            alter(format!("ALTER COLUMN {col} DROP IDENTITY")),
            comment.clone(),
            None,
        );
    }
    let retype = changes.ty || changes.collation;
    if retype && from.default.is_some() {
        b.push(
            alter(format!("ALTER COLUMN {col} DROP DEFAULT")),
            comment.clone(),
            None,
        );
    }
    if retype {
        let ty = render(&to.ty, schema, b.unqualified());
        let collate = to
            .collation
            .as_ref()
            .map(|c| format!(" COLLATE {}", ident(c)))
            .unwrap_or_default();
        let via_text = if is_user_type(&from.ty) || is_user_type(&to.ty) {
            "::text"
        } else {
            ""
        };
        b.push(
            alter(format!(
                "ALTER COLUMN {col} TYPE {ty}{collate} USING {col}{via_text}::{ty}"
            )),
            comment.clone(),
            None,
        );
    }
    if changes.nullable {
        let clause = if to.nullable {
            "DROP NOT NULL"
        } else {
            "SET NOT NULL"
        };
        b.push(
            alter(format!("ALTER COLUMN {col} {clause}")),
            comment.clone(),
            None,
        );
    }
    let standalone = b
        .standalone_sequences
        .contains(&format!("{table_name}_{}_seq", to.name));
    let was_serial = crate::serial::pseudo_type(table_name, from).is_some() && !standalone;
    let is_serial = crate::serial::pseudo_type(table_name, to).is_some() && !standalone;
    let sequence = b.name(schema, &format!("{table_name}_{}_seq", to.name));
    if is_serial && !was_serial {
        // What `serial` would have created: a sequence owned by the column.
        b.push(
            format!(
                "CREATE SEQUENCE {sequence} AS {} OWNED BY {table}.{col}",
                render(&to.ty, schema, b.unqualified())
            ),
            comment.clone(),
            Some(format!("DROP SEQUENCE {sequence}")),
        );
    }
    if changes.default || (retype && from.default.is_some()) {
        match &to.default {
            Some(d) => b.push(
                alter(format!("ALTER COLUMN {col} SET DEFAULT {}", d.sql())),
                comment.clone(),
                None,
            ),
            None if !retype || from.default.is_none() => b.push(
                alter(format!("ALTER COLUMN {col} DROP DEFAULT")),
                comment.clone(),
                None,
            ),
            None => {}
        }
    }
    if was_serial && !is_serial {
        b.push(format!("DROP SEQUENCE {sequence}"), comment.clone(), None);
    }
    if changes.identity
        && let Some(identity) = &to.identity
    {
        match &from.identity {
            None => b.push(
                alter(format!(
                    "ALTER COLUMN {col} ADD {}",
                    identity_clause(identity)
                )),
                comment.clone(),
                None,
            ),
            Some(old) => {
                let generation = match identity.generation {
                    IdentityGeneration::Always => "ALWAYS",
                    IdentityGeneration::ByDefault => "BY DEFAULT",
                };
                // A retype above already moved the sequence to the column's new type.
                let (clauses, narrowing) = sequence::transition(
                    &old.sequence,
                    Some(&to.ty),
                    &identity.sequence,
                    Some(&to.ty),
                );
                let set = |clauses: Vec<String>| {
                    clauses
                        .into_iter()
                        .map(|c| format!("SET {c}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                };
                b.push(
                    alter(format!(
                        "ALTER COLUMN {col} SET GENERATED {generation} {}",
                        set(clauses)
                    )),
                    comment.clone(),
                    None,
                );
                if let Some(narrowing) = narrowing {
                    let sequence = format!(
                        "pg_get_serial_sequence({}, {})::regclass",
                        literal(table),
                        literal(&to.name)
                    );
                    b.push(narrowing.clamp(&sequence), comment.clone(), None);
                    b.push(
                        alter(format!("ALTER COLUMN {col} {}", set(narrowing.clauses()))),
                        comment.clone(),
                        None,
                    );
                }
            }
        }
    }
    if changes.comment {
        b.comment_on(
            format!("COLUMN {table}.{col}"),
            to.comment.as_deref(),
            format!(
                "Set comment to column: {:?} on table: {:?}",
                to.name, table_name
            ),
        );
    }
}
