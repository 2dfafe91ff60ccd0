//! `CREATE TABLE` and `ALTER TABLE`.

use schema_diff::{PlanError, TableChange};
use schema_model::{Column, IdentityGeneration, Table};

use super::Builder;
use super::index;
use crate::quote::ident;
use crate::sequence;
use crate::types::render;

/// `"col" type [COLLATE] [GENERATED …] [NOT NULL] [DEFAULT …]`; serial columns (see
/// [`crate::serial`]) are rendered as `serial`/`bigserial`/`smallserial`, which creates the
/// owned sequence their default reads.
pub(super) fn column_def(b: &Builder<'_>, schema: &str, table: &str, column: &Column) -> String {
    let serial = crate::serial::pseudo_type(table, column).filter(|_| {
        !b.standalone_sequences
            .contains(&format!("{table}_{}_seq", column.name))
    });
    let ty = match serial {
        Some(pseudo) => pseudo.to_owned(),
        None => render(&column.ty, schema, b.unqualified()),
    };
    let mut sql = format!("{} {ty}", ident(&column.name));
    if let Some(collation) = &column.collation {
        sql.push_str(&format!(" COLLATE {}", ident(collation)));
    }
    if let Some(generated) = &column.generated {
        sql.push_str(&format!(" GENERATED ALWAYS AS ({}) STORED", generated.expr));
    }
    if let Some(identity) = &column.identity {
        sql.push_str(&format!(" {}", identity_clause(identity)));
    }
    if !column.nullable {
        sql.push_str(" NOT NULL");
    }
    if let Some(default) = &column.default
        && column.generated.is_none()
        && serial.is_none()
    {
        sql.push_str(&format!(" DEFAULT {}", default.sql()));
    }
    sql
}

pub(super) fn identity_clause(identity: &schema_model::Identity) -> String {
    let generation = match identity.generation {
        IdentityGeneration::Always => "ALWAYS",
        IdentityGeneration::ByDefault => "BY DEFAULT",
    };
    let options = sequence::clauses(&identity.sequence);
    if options.is_empty() {
        format!("GENERATED {generation} AS IDENTITY")
    } else {
        format!("GENERATED {generation} AS IDENTITY ({})", options.join(" "))
    }
}

pub(super) fn columns(names: &[String]) -> String {
    names
        .iter()
        .map(|c| ident(c))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn create(b: &mut Builder<'_>, schema: &str, table: &Table) -> Result<(), PlanError> {
    let name = b.name(schema, &table.name);
    let pg = &table.postgres;
    let mut sql = String::from("CREATE ");
    if pg.unlogged {
        sql.push_str("UNLOGGED ");
    }
    sql.push_str("TABLE ");
    sql.push_str(&name);
    // Inherited columns come with the parent; the differ sets what the child overrides on
    // them after the table exists.
    let mut body: Vec<String> = table
        .columns
        .iter()
        .filter(|c| !c.inherited)
        .map(|c| column_def(b, schema, &table.name, c))
        .collect();
    if let Some(key) = &table.primary_key {
        body.push(index::primary_key(key));
    }
    for idx in table.indexes.iter().filter(|i| i.constraint) {
        body.push(index::unique_constraint(idx));
    }
    for check in &table.checks {
        body.push(index::check(check));
    }
    for exclusion in &table.exclusions {
        body.push(index::exclusion(exclusion));
    }
    let mut deferred = Vec::new();
    for key in &table.foreign_keys {
        let target = (
            key.ref_table
                .schema
                .clone()
                .unwrap_or_else(|| schema.to_owned()),
            key.ref_table.name.clone(),
        );
        if b.keyed_later.contains(&target) {
            deferred.push(key);
        } else {
            body.push(index::foreign_key(b, schema, key));
        }
    }
    if let Some((parent, bound)) = &pg.partition_of {
        let parent = b.name(parent.schema.as_deref().unwrap_or(schema), &parent.name);
        sql.push_str(&format!(" PARTITION OF {parent}"));
        if !body.is_empty() {
            sql.push_str(&format!(" (\n  {}\n)", body.join(",\n  ")));
        }
        sql.push_str(&format!(" {bound}"));
    } else {
        sql.push_str(&format!(" (\n  {}\n)", body.join(",\n  ")));
        if !pg.inherits.is_empty() {
            let parents: Vec<String> = pg
                .inherits
                .iter()
                .map(|p| b.name(p.schema.as_deref().unwrap_or(schema), &p.name))
                .collect();
            sql.push_str(&format!(" INHERITS ({})", parents.join(", ")));
        }
    }
    if let Some(key) = &pg.partition_key {
        let parts: Vec<String> = key.parts.iter().map(index::part).collect();
        sql.push_str(&format!(
            " PARTITION BY {} ({})",
            key.strategy.to_uppercase(),
            parts.join(", ")
        ));
    }
    if !pg.storage_params.is_empty() {
        sql.push_str(&format!(" WITH ({})", index::params(&pg.storage_params)));
    }
    b.push(
        sql,
        format!("Create {:?} table", table.name),
        Some(format!("DROP TABLE {name}")),
    );
    for key in deferred {
        let sql = format!(
            "ALTER TABLE {name} ADD {}",
            index::foreign_key(b, schema, key)
        );
        b.push_last(sql, format!("Modify {:?} table", table.name));
    }
    for idx in &table.indexes {
        if !idx.constraint {
            index::create_index(b, schema, &table.name, idx, false);
        } else if idx.comment.is_some() {
            b.comment_on(
                format!("INDEX {}", b.name(schema, &idx.name)),
                idx.comment.as_deref(),
                format!(
                    "Set comment to index: {:?} on table: {:?}",
                    idx.name, table.name
                ),
            );
        }
    }
    if pg.rls_enabled {
        b.push(
            format!("ALTER TABLE {name} ENABLE ROW LEVEL SECURITY"),
            format!("Enable row-level security for {:?} table", table.name),
            None,
        );
    }
    if pg.rls_forced {
        b.push(
            format!("ALTER TABLE {name} FORCE ROW LEVEL SECURITY"),
            format!("Force row-level security for {:?} table", table.name),
            None,
        );
    }
    for policy in &table.policies {
        index::create_policy(b, schema, &table.name, policy);
    }
    if table.comment.is_some() {
        b.comment_on(
            format!("TABLE {name}"),
            table.comment.as_deref(),
            format!("Set comment to table: {:?}", table.name),
        );
    }
    for column in table.columns.iter().filter(|c| c.comment.is_some()) {
        b.comment_on(
            format!("COLUMN {name}.{}", ident(&column.name)),
            column.comment.as_deref(),
            format!(
                "Set comment to column: {:?} on table: {:?}",
                column.name, table.name
            ),
        );
    }
    Ok(())
}

pub(super) fn modify(
    b: &mut Builder<'_>,
    schema: &str,
    from: &Table,
    to: &Table,
    changes: &[TableChange],
) -> Result<(), PlanError> {
    let name = b.name(schema, &to.name);
    let comment = format!("Modify {:?} table", to.name);
    let alter = |clause: String| format!("ALTER TABLE {name} {clause}");
    for change in changes {
        match change {
            TableChange::AddColumn { column } => {
                b.push(
                    alter(format!(
                        "ADD COLUMN {}",
                        column_def(b, schema, &to.name, column)
                    )),
                    comment.clone(),
                    Some(alter(format!("DROP COLUMN {}", ident(&column.name)))),
                );
                if column.comment.is_some() {
                    b.comment_on(
                        format!("COLUMN {name}.{}", ident(&column.name)),
                        column.comment.as_deref(),
                        format!(
                            "Set comment to column: {:?} on table: {:?}",
                            column.name, to.name
                        ),
                    );
                }
            }
            TableChange::DropColumn { column } => b.push(
                alter(format!("DROP COLUMN {}", ident(&column.name))),
                comment.clone(),
                None,
            ),
            TableChange::ModifyColumn {
                from: before,
                to: after,
                changes,
            } => super::column::modify_column(b, schema, &name, &to.name, before, after, changes),
            TableChange::RenameColumn { from: old, to: new } => b.push(
                alter(format!("RENAME COLUMN {} TO {}", ident(old), ident(new))),
                format!("Rename a column from {old:?} to {new:?}"),
                Some(alter(format!(
                    "RENAME COLUMN {} TO {}",
                    ident(new),
                    ident(old)
                ))),
            ),
            TableChange::AddPrimaryKey { key } => b.push(
                alter(format!("ADD {}", index::primary_key(key))),
                comment.clone(),
                None,
            ),
            TableChange::DropPrimaryKey { key } => b.push(
                alter(format!(
                    "DROP CONSTRAINT {}",
                    ident(&pk_name(key, &from.name))
                )),
                comment.clone(),
                None,
            ),
            TableChange::ModifyPrimaryKey { from: old, to: new } if change.renames_key_only() => {
                let (old_name, new_name) = (pk_name(old, &from.name), pk_name(new, &to.name));
                b.push(
                    alter(format!(
                        "RENAME CONSTRAINT {} TO {}",
                        ident(&old_name),
                        ident(&new_name)
                    )),
                    format!("Rename the primary key of {:?} to {new_name:?}", to.name),
                    Some(alter(format!(
                        "RENAME CONSTRAINT {} TO {}",
                        ident(&new_name),
                        ident(&old_name)
                    ))),
                );
            }
            TableChange::ModifyPrimaryKey { from: old, to: new } => {
                b.push(
                    alter(format!(
                        "DROP CONSTRAINT {}",
                        ident(&pk_name(old, &from.name))
                    )),
                    comment.clone(),
                    None,
                );
                b.push(
                    alter(format!("ADD {}", index::primary_key(new))),
                    comment.clone(),
                    None,
                );
            }
            TableChange::AddIndex { index: idx } => add_index(b, schema, &to.name, idx),
            TableChange::DropIndex { index: idx } => drop_index(b, schema, &to.name, idx),
            TableChange::ModifyIndex { from: old, to: new } => {
                let same = schema_model::Index {
                    comment: new.comment.clone(),
                    ..old.clone()
                };
                if same == *new {
                    b.comment_on(
                        format!("INDEX {}", b.name(schema, &new.name)),
                        new.comment.as_deref(),
                        format!(
                            "Set comment to index: {:?} on table: {:?}",
                            new.name, to.name
                        ),
                    );
                } else {
                    drop_index(b, schema, &to.name, old);
                    add_index(b, schema, &to.name, new);
                }
            }
            TableChange::AddForeignKey { key } => b.push(
                alter(format!("ADD {}", index::foreign_key(b, schema, key))),
                comment.clone(),
                Some(alter(format!("DROP CONSTRAINT {}", ident(&key.name)))),
            ),
            TableChange::DropForeignKey { key } => b.push(
                alter(format!("DROP CONSTRAINT {}", ident(&key.name))),
                comment.clone(),
                Some(alter(format!("ADD {}", index::foreign_key(b, schema, key)))),
            ),
            TableChange::ModifyForeignKey { from: old, to: new } => {
                b.push(
                    alter(format!("DROP CONSTRAINT {}", ident(&old.name))),
                    comment.clone(),
                    None,
                );
                b.push(
                    alter(format!("ADD {}", index::foreign_key(b, schema, new))),
                    comment.clone(),
                    None,
                );
            }
            TableChange::AddCheck { check } => b.push(
                alter(format!("ADD {}", index::check(check))),
                comment.clone(),
                None,
            ),
            TableChange::DropCheck { check } => drop_check(b, &name, &comment, check)?,
            TableChange::ModifyCheck { from: old, to: new } => {
                drop_check(b, &name, &comment, old)?;
                b.push(
                    alter(format!("ADD {}", index::check(new))),
                    comment.clone(),
                    None,
                );
            }
            TableChange::AddExclusion { exclusion } => b.push(
                alter(format!("ADD {}", index::exclusion(exclusion))),
                comment.clone(),
                None,
            ),
            TableChange::DropExclusion { exclusion } => b.push(
                alter(format!("DROP CONSTRAINT {}", ident(&exclusion.name))),
                comment.clone(),
                None,
            ),
            TableChange::AddPolicy { policy } => index::create_policy(b, schema, &to.name, policy),
            TableChange::DropPolicy { policy } => index::drop_policy(b, schema, &to.name, policy),
            TableChange::ModifyPolicy { from: old, to: new } => {
                index::drop_policy(b, schema, &to.name, old);
                index::create_policy(b, schema, &to.name, new);
            }
            TableChange::ModifyComment { to: text, .. } => b.comment_on(
                format!("TABLE {name}"),
                text.as_deref(),
                format!("Set comment to table: {:?}", to.name),
            ),
            TableChange::ModifyOptions => super::options::options(b, schema, &name, from, to)?,
        }
    }
    Ok(())
}

fn pk_name(key: &schema_model::PrimaryKey, table: &str) -> String {
    key.name.clone().unwrap_or_else(|| format!("{table}_pkey"))
}

fn drop_check(
    b: &mut Builder<'_>,
    table: &str,
    comment: &str,
    check: &schema_model::Check,
) -> Result<(), PlanError> {
    let Some(name) = &check.name else {
        return Err(PlanError::Unsupported {
            change: format!("drop check {} on {table}", check.expr),
            reason: "PostgreSQL drops checks by name and this one has none".into(),
        });
    };
    b.push(
        format!("ALTER TABLE {table} DROP CONSTRAINT {}", ident(name)),
        comment.to_owned(),
        None,
    );
    Ok(())
}

fn add_index(b: &mut Builder<'_>, schema: &str, table: &str, idx: &schema_model::Index) {
    if idx.constraint {
        b.push(
            format!(
                "ALTER TABLE {} ADD {}",
                b.name(schema, table),
                index::unique_constraint(idx)
            ),
            format!("Modify {table:?} table"),
            None,
        );
        if idx.comment.is_some() {
            b.comment_on(
                format!("INDEX {}", b.name(schema, &idx.name)),
                idx.comment.as_deref(),
                format!("Set comment to index: {:?} on table: {:?}", idx.name, table),
            );
        }
    } else {
        let concurrently = b.options.concurrent_indexes;
        index::create_index(b, schema, table, idx, concurrently);
    }
}

fn drop_index(b: &mut Builder<'_>, schema: &str, table: &str, idx: &schema_model::Index) {
    if idx.constraint {
        b.push(
            format!(
                "ALTER TABLE {} DROP CONSTRAINT {}",
                b.name(schema, table),
                ident(&idx.name)
            ),
            format!("Modify {table:?} table"),
            None,
        );
    } else {
        let sql = |c: &str| format!("DROP INDEX {c}{}", b.name(schema, &idx.name));
        let comment = format!("Drop index {:?} from table: {:?}", idx.name, table);
        if b.options.concurrent_indexes {
            let sql = sql("CONCURRENTLY ");
            b.push_outside(sql, comment, None, true);
        } else {
            let sql = sql("");
            b.push(sql, comment, None);
        }
    }
}
