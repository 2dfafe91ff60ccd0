//! Rendering changes as MySQL/MariaDB statements.

mod column;
mod objects;
mod sequence;
mod table;

pub use column::{column_sql, type_sql};

use schema_diff::{Change, Plan, PlanError, PlanOptions, PlannedStatement, TableChange};
use schema_model::Table;

use crate::flavor::ServerVersion;
use crate::quote;
use table::{AlterClauses, Scope, alter_clauses, create_table};

struct Builder<'a> {
    statements: Vec<PlannedStatement>,
    unqualified: Option<&'a str>,
    server: &'a ServerVersion,
}

impl Builder<'_> {
    fn push(&mut self, change: usize, sql: String, comment: String, reverse: Option<String>) {
        self.statements.push(PlannedStatement {
            sql,
            comment,
            change,
            reverse,
            // MySQL commits DDL implicitly: no statement can be rolled back.
            transactional: false,
        });
    }

    fn scope<'s>(&'s self, schema: &'s str) -> Scope<'s> {
        Scope {
            schema,
            unqualified: self.unqualified,
            server: self.server,
        }
    }
}

/// Renders `changes` (already ordered by the differ) for `server`.
pub fn plan(
    changes: &[Change],
    options: &PlanOptions,
    server: &ServerVersion,
) -> Result<Plan, PlanError> {
    let mut b = Builder {
        statements: Vec::new(),
        unqualified: options.unqualified_schema.as_deref(),
        server,
    };
    for (i, change) in changes.iter().enumerate() {
        render_change(&mut b, i, change)?;
    }
    Ok(Plan {
        statements: b.statements,
        transactional: false,
    })
}

fn unsupported(change: &Change) -> PlanError {
    PlanError::Unsupported {
        change: format!("{:?} change", change.kind()),
        reason: "MySQL has no such object".to_owned(),
    }
}

fn render_change(b: &mut Builder<'_>, i: usize, change: &Change) -> Result<(), PlanError> {
    let unq = b.unqualified;
    match change {
        Change::AddSchema { schema } => b.push(
            i,
            objects::create_schema(schema),
            format!("Add new schema named {:?}", schema.name),
            Some(format!("DROP DATABASE {}", quote::ident(&schema.name))),
        ),
        Change::DropSchema { schema } => b.push(
            i,
            format!("DROP DATABASE {}", quote::ident(&schema.name)),
            format!("Drop schema named {:?}", schema.name),
            None,
        ),
        Change::ModifySchema { from, to } => b.push(
            i,
            objects::alter_schema(to),
            format!("Modify {:?} schema", to.name),
            Some(objects::alter_schema(from)),
        ),
        Change::AddTable { schema, table } => {
            let scope = b.scope(schema);
            let sql = create_table(table, &scope)?;
            let reverse = format!("DROP TABLE {}", scope.name(&table.name));
            b.push(
                i,
                sql,
                format!("Create {:?} table", table.name),
                Some(reverse),
            );
        }
        Change::DropTable { schema, table } => {
            let scope = b.scope(schema);
            let sql = format!("DROP TABLE {}", scope.name(&table.name));
            let reverse = create_table(table, &scope).ok();
            b.push(i, sql, format!("Drop {:?} table", table.name), reverse);
        }
        Change::RenameTable { schema, from, to } => {
            let scope = b.scope(schema);
            let sql = format!("RENAME TABLE {} TO {}", scope.name(from), scope.name(to));
            let reverse = format!("RENAME TABLE {} TO {}", scope.name(to), scope.name(from));
            b.push(
                i,
                sql,
                format!("Rename a table from {from:?} to {to:?}"),
                Some(reverse),
            );
        }
        Change::ModifyTable {
            schema,
            from,
            to,
            changes,
        } => modify_table(b, i, schema, from, to, changes)?,
        Change::AddView { schema, view } => {
            let name = quote::qualified(schema, &view.name, unq);
            let reverse = format!("DROP VIEW {name}");
            b.push(
                i,
                objects::create_view(view, &name),
                format!("Create view {:?}", view.name),
                Some(reverse),
            );
        }
        Change::DropView { schema, view } => {
            let name = quote::qualified(schema, &view.name, unq);
            let reverse = objects::create_view(view, &name);
            b.push(
                i,
                format!("DROP VIEW {name}"),
                format!("Drop view {:?}", view.name),
                Some(reverse),
            );
        }
        Change::ModifyView { schema, from, to } => {
            let name = quote::qualified(schema, &to.name, unq);
            b.push(
                i,
                format!("CREATE OR REPLACE{}", &objects::create_view(to, &name)[6..]),
                format!("Modify view {:?}", to.name),
                Some(format!(
                    "CREATE OR REPLACE{}",
                    &objects::create_view(from, &name)[6..]
                )),
            );
        }
        Change::AddRoutine { schema, routine } => {
            let keyword = objects::routine_keyword(routine);
            let name = quote::qualified(schema, &routine.name, unq);
            b.push(
                i,
                objects::create_routine(routine, schema, unq),
                format!(
                    "Create {} {:?}",
                    objects::routine_noun(routine),
                    routine.name
                ),
                Some(format!("DROP {keyword} {name}")),
            );
        }
        Change::DropRoutine { schema, routine } => {
            let keyword = objects::routine_keyword(routine);
            let name = quote::qualified(schema, &routine.name, unq);
            b.push(
                i,
                format!("DROP {keyword} {name}"),
                format!("Drop {} {:?}", objects::routine_noun(routine), routine.name),
                Some(objects::create_routine(routine, schema, unq)),
            );
        }
        Change::ModifyRoutine { schema, from, to } => {
            let name = quote::qualified(schema, &from.name, unq);
            b.push(
                i,
                format!("DROP {} {name}", objects::routine_keyword(from)),
                format!("Drop {} {:?}", objects::routine_noun(from), from.name),
                Some(objects::create_routine(from, schema, unq)),
            );
            b.push(
                i,
                objects::create_routine(to, schema, unq),
                format!("Create {} {:?}", objects::routine_noun(to), to.name),
                Some(format!("DROP {} {name}", objects::routine_keyword(to))),
            );
        }
        Change::AddTrigger { schema, trigger } => {
            let name = quote::qualified(schema, &trigger.name, unq);
            b.push(
                i,
                objects::create_trigger(trigger, schema, unq),
                format!("Create trigger {:?}", trigger.name),
                Some(format!("DROP TRIGGER {name}")),
            );
        }
        Change::DropTrigger { schema, trigger } => {
            let name = quote::qualified(schema, &trigger.name, unq);
            b.push(
                i,
                format!("DROP TRIGGER {name}"),
                format!("Drop trigger {:?}", trigger.name),
                Some(objects::create_trigger(trigger, schema, unq)),
            );
        }
        Change::ModifyTrigger { schema, from, to } => {
            let name = quote::qualified(schema, &from.name, unq);
            b.push(
                i,
                format!("DROP TRIGGER {name}"),
                format!("Drop trigger {:?}", from.name),
                Some(objects::create_trigger(from, schema, unq)),
            );
            b.push(
                i,
                objects::create_trigger(to, schema, unq),
                format!("Create trigger {:?}", to.name),
                Some(format!("DROP TRIGGER {name}")),
            );
        }
        Change::AddSequence { schema, sequence } if b.server.is_mariadb() => {
            let name = quote::qualified(schema, &sequence.name, unq);
            b.push(
                i,
                sequence::create_sequence(sequence, &name),
                format!("Create sequence {:?}", sequence.name),
                Some(format!("DROP SEQUENCE {name}")),
            );
        }
        Change::DropSequence { schema, sequence } if b.server.is_mariadb() => {
            let name = quote::qualified(schema, &sequence.name, unq);
            b.push(
                i,
                format!("DROP SEQUENCE {name}"),
                format!("Drop sequence {:?}", sequence.name),
                Some(sequence::create_sequence(sequence, &name)),
            );
        }
        Change::ModifySequence { schema, from, to } if b.server.is_mariadb() => {
            let name = quote::qualified(schema, &to.name, unq);
            if from.ty != to.ty {
                return Err(PlanError::Unsupported {
                    change: format!("modify sequence {name}"),
                    reason: "MariaDB 10 sequences are always BIGINT".into(),
                });
            }
            if from.options != to.options {
                b.push(
                    i,
                    sequence::alter_sequence(&from.options, &to.options, &name),
                    format!("Modify sequence {:?}", to.name),
                    None,
                );
            }
            if from.comment != to.comment {
                // `ALTER SEQUENCE` takes no table options; `ALTER TABLE` does.
                let comment = to.comment.as_deref().unwrap_or_default();
                b.push(
                    i,
                    format!("ALTER TABLE {name} COMMENT = {}", quote::string(comment)),
                    format!("Modify sequence {:?}", to.name),
                    None,
                );
            }
        }
        other => return Err(unsupported(other)),
    }
    Ok(())
}

fn modify_table(
    b: &mut Builder<'_>,
    i: usize,
    schema: &str,
    from: &Table,
    to: &Table,
    changes: &[TableChange],
) -> Result<(), PlanError> {
    let scope = b.scope(schema);
    let name = scope.name(&to.name);
    let clauses = alter_clauses(from, to, changes, &scope)?;
    let notes = clauses.notes.clone();
    let groups = clauses.groups();
    // A reverse is offered when both directions fit in one statement.
    let reverse = inverse(changes)
        .and_then(|inv| alter_clauses(to, from, &inv, &scope).ok())
        .map(AlterClauses::groups)
        .filter(|g| g.len() == 1)
        .and_then(|g| g.into_iter().next())
        .map(|all| format!("ALTER TABLE {name} {}", all.join(", ")))
        .filter(|_| groups.len() == 1);
    let mut comment = format!("Modify {:?} table", to.name);
    if !notes.is_empty() {
        comment.push_str(&format!(" ({})", notes.join("; ")));
    }
    // Dropping a foreign key or check and re-adding one of the same name (or the index it
    // relies on) in one statement is refused by the servers, hence the separate groups.
    for group in groups {
        b.push(
            i,
            format!("ALTER TABLE {name} {}", group.join(", ")),
            comment.clone(),
            reverse.clone(),
        );
    }
    Ok(())
}

/// The table changes that undo `changes`, when every one of them can be undone.
fn inverse(changes: &[TableChange]) -> Option<Vec<TableChange>> {
    use TableChange::*;
    changes
        .iter()
        .rev()
        .map(|c| {
            Some(match c.clone() {
                AddColumn { column } => DropColumn { column },
                DropColumn { column } => AddColumn { column },
                ModifyColumn { from, to, changes } => ModifyColumn {
                    from: to,
                    to: from,
                    changes,
                },
                RenameColumn { from, to } => RenameColumn { from: to, to: from },
                AddPrimaryKey { key } => DropPrimaryKey { key },
                DropPrimaryKey { key } => AddPrimaryKey { key },
                ModifyPrimaryKey { from, to } => ModifyPrimaryKey { from: to, to: from },
                AddIndex { index } => DropIndex { index },
                DropIndex { index } => AddIndex { index },
                ModifyIndex { from, to } => ModifyIndex { from: to, to: from },
                AddForeignKey { key } => DropForeignKey { key },
                DropForeignKey { key } => AddForeignKey { key },
                ModifyForeignKey { from, to } => ModifyForeignKey { from: to, to: from },
                AddCheck { check } => DropCheck { check },
                DropCheck { check } => AddCheck { check },
                ModifyCheck { from, to } => ModifyCheck { from: to, to: from },
                ModifyComment { from, to } => ModifyComment { from: to, to: from },
                ModifyOptions => ModifyOptions,
                _ => return None,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
