//! Turning changes into SQLite statements.

mod alter;
pub(crate) mod render;

use schema_diff::{Change, Plan, PlanError, PlanOptions, PlannedStatement};

use crate::inspect::SCHEMA;
use crate::names::quote;

pub(crate) use alter::needs_rebuild;

/// Collects statements for one change at a time.
pub(crate) struct Statements {
    pub list: Vec<PlannedStatement>,
    pub change: usize,
}

impl Statements {
    pub fn push(&mut self, sql: String, comment: String, reverse: Option<String>) {
        self.list.push(PlannedStatement {
            sql,
            comment,
            change: self.change,
            reverse,
            transactional: true,
        });
    }
}

fn unsupported(change: &Change, reason: &str) -> PlanError {
    PlanError::Unsupported {
        change: describe(change),
        reason: reason.to_owned(),
    }
}

fn describe(change: &Change) -> String {
    let kind = format!("{:?}", change.kind()).to_lowercase();
    let verb = if change.is_drop() {
        "drop"
    } else {
        match change {
            Change::AddSchema { .. }
            | Change::AddExtension { .. }
            | Change::AddTable { .. }
            | Change::AddView { .. }
            | Change::AddRoutine { .. }
            | Change::AddTrigger { .. }
            | Change::AddEnum { .. }
            | Change::AddDomain { .. }
            | Change::AddComposite { .. }
            | Change::AddSequence { .. }
            | Change::AddCollation { .. } => "add",
            _ => "modify",
        }
    };
    match change.schema() {
        Some(schema) => format!("{verb} {kind} in schema {schema:?}"),
        None => format!("{verb} {kind}"),
    }
}

/// Renders `changes` in order.
pub(crate) fn plan(changes: &[Change], options: &PlanOptions) -> Result<Plan, PlanError> {
    let mut out = Statements {
        list: Vec::new(),
        change: 0,
    };
    for (index, change) in changes.iter().enumerate() {
        out.change = index;
        if let Some(schema) = change.schema()
            && schema != SCHEMA
            && options.unqualified_schema.as_deref() != Some(schema)
        {
            return Err(unsupported(
                change,
                "SQLite connections manage only the schema \"main\"",
            ));
        }
        plan_change(change, &mut out)?;
    }
    Ok(Plan {
        statements: out.list,
        transactional: true,
    })
}

fn plan_change(change: &Change, out: &mut Statements) -> Result<(), PlanError> {
    use Change::*;
    match change {
        AddSchema { schema } | ModifySchema { to: schema, .. } => {
            if schema.name != SCHEMA {
                return Err(unsupported(change, "SQLite has only the schema \"main\""));
            }
        }
        DropSchema { .. } => {
            return Err(unsupported(change, "the schema \"main\" cannot be dropped"));
        }
        AddExtension { .. } | DropExtension { .. } | ModifyExtension { .. } => {
            return Err(unsupported(change, "SQLite has no extensions"));
        }
        AddRoutine { .. } | DropRoutine { .. } | ModifyRoutine { .. } => {
            return Err(unsupported(
                change,
                "SQLite has no stored functions or procedures",
            ));
        }
        AddEnum { .. } | DropEnum { .. } | ModifyEnum { .. } => {
            return Err(unsupported(change, "SQLite has no enum types"));
        }
        AddDomain { .. } | DropDomain { .. } | ModifyDomain { .. } => {
            return Err(unsupported(change, "SQLite has no domains"));
        }
        AddComposite { .. } | DropComposite { .. } | ModifyComposite { .. } => {
            return Err(unsupported(change, "SQLite has no composite types"));
        }
        AddSequence { .. } | DropSequence { .. } | ModifySequence { .. } => {
            return Err(unsupported(change, "SQLite has no sequences"));
        }
        AddRule { .. } | DropRule { .. } | ModifyRule { .. } => {
            return Err(unsupported(change, "SQLite has no rewrite rules"));
        }
        AddCollation { .. } | DropCollation { .. } | ModifyCollation { .. } => {
            return Err(unsupported(
                change,
                "SQLite collations are registered by the application, not in the schema",
            ));
        }
        AddTable { table, .. } => {
            let create = render::create_table(table, &table.name)?;
            out.push(
                create,
                format!("Create {} table", quote(&table.name)),
                Some(format!("DROP TABLE {}", quote(&table.name))),
            );
            for index in table.indexes.iter().filter(|i| !i.constraint) {
                out.push(
                    render::create_index(&table.name, index)?,
                    format!(
                        "Create index {} to table: {}",
                        quote(&index.name),
                        quote(&table.name)
                    ),
                    Some(format!("DROP INDEX {}", quote(&index.name))),
                );
            }
        }
        DropTable { table, .. } => {
            let reverse = render::create_table(table, &table.name).ok();
            out.push(
                format!("DROP TABLE {}", quote(&table.name)),
                format!("Drop {} table", quote(&table.name)),
                reverse,
            );
        }
        RenameTable { from, to, .. } => out.push(
            format!("ALTER TABLE {} RENAME TO {}", quote(from), quote(to)),
            format!("Rename a table from {} to {}", quote(from), quote(to)),
            Some(format!(
                "ALTER TABLE {} RENAME TO {}",
                quote(to),
                quote(from)
            )),
        ),
        ModifyTable {
            from, to, changes, ..
        } => alter::modify_table(from, to, changes, out)?,
        AddView { view, .. } => out.push(
            render::create_view(view)?,
            format!("Create view {}", quote(&view.name)),
            Some(format!("DROP VIEW {}", quote(&view.name))),
        ),
        DropView { view, .. } => out.push(
            format!("DROP VIEW {}", quote(&view.name)),
            format!("Drop view {}", quote(&view.name)),
            render::create_view(view).ok(),
        ),
        ModifyView { from, to, .. } => {
            // Only comments differ here (the differ recreates views otherwise), and SQLite
            // keeps no comments.
            if crate::dialect::strip_view_comment(from) != crate::dialect::strip_view_comment(to) {
                out.push(
                    format!("DROP VIEW {}", quote(&from.name)),
                    format!("Drop view {}", quote(&from.name)),
                    render::create_view(from).ok(),
                );
                out.push(
                    render::create_view(to)?,
                    format!("Create view {}", quote(&to.name)),
                    Some(format!("DROP VIEW {}", quote(&to.name))),
                );
            }
        }
        AddTrigger { trigger, .. } => out.push(
            trigger.definition.clone(),
            format!("Create trigger {}", quote(&trigger.name)),
            Some(format!("DROP TRIGGER {}", quote(&trigger.name))),
        ),
        DropTrigger { trigger, .. } => out.push(
            format!("DROP TRIGGER {}", quote(&trigger.name)),
            format!("Drop trigger {}", quote(&trigger.name)),
            Some(trigger.definition.clone()),
        ),
        ModifyTrigger { from, to, .. } => {
            out.push(
                format!("DROP TRIGGER {}", quote(&from.name)),
                format!("Drop trigger {}", quote(&from.name)),
                Some(from.definition.clone()),
            );
            out.push(
                to.definition.clone(),
                format!("Create trigger {}", quote(&to.name)),
                Some(format!("DROP TRIGGER {}", quote(&to.name))),
            );
        }
    }
    Ok(())
}
