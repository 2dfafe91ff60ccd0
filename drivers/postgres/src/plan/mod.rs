//! Rendering changes as PostgreSQL statements.

mod collation;
mod column;
mod index;
mod objects;
mod options;
mod rule;
mod table;
mod types;

use std::collections::HashSet;

use schema_diff::{Change, Plan, PlanError, PlanOptions, PlannedStatement, TableChange};

use crate::quote::{ident, literal, qualified};

/// Collects statements for one plan.
pub(crate) struct Builder<'a> {
    pub options: &'a PlanOptions,
    /// Non-transactional statements that run before everything else.
    leading: Vec<PlannedStatement>,
    statements: Vec<PlannedStatement>,
    /// Non-transactional statements that run after everything else.
    closing: Vec<PlannedStatement>,
    /// Statements that must wait until every object exists (`ALTER SEQUENCE … OWNED BY`).
    trailing: Vec<PlannedStatement>,
    change: usize,
    /// Existing tables that gain a primary key or unique index in this plan: foreign keys
    /// of new tables that point at them wait until the end.
    pub keyed_later: HashSet<(String, String)>,
    /// Sequences this plan creates or keeps as standalone objects: a column default that
    /// reads one of them is a plain default, not a `serial` column, even when the name
    /// follows `serial`'s pattern.
    pub standalone_sequences: HashSet<String>,
}

impl<'a> Builder<'a> {
    fn new(options: &'a PlanOptions) -> Self {
        Builder {
            options,
            leading: Vec::new(),
            statements: Vec::new(),
            closing: Vec::new(),
            trailing: Vec::new(),
            change: 0,
            keyed_later: HashSet::new(),
            standalone_sequences: HashSet::new(),
        }
    }

    fn statement(&self, sql: String, comment: String, reverse: Option<String>) -> PlannedStatement {
        PlannedStatement {
            sql,
            comment,
            change: self.change,
            reverse,
            transactional: true,
        }
    }

    /// Adds a statement that may run inside the plan's transaction.
    pub fn push(&mut self, sql: String, comment: impl Into<String>, reverse: Option<String>) {
        let statement = self.statement(sql, comment.into(), reverse);
        self.statements.push(statement);
    }

    /// Adds a statement that PostgreSQL refuses to run inside a transaction block. `first`
    /// statements (enum labels, concurrent index drops) are safe to run before the rest of
    /// the plan; the others (concurrent index builds) run after it, so the executor needs
    /// one transaction in between.
    pub fn push_outside(
        &mut self,
        sql: String,
        comment: impl Into<String>,
        reverse: Option<String>,
        first: bool,
    ) {
        let mut statement = self.statement(sql, comment.into(), reverse);
        statement.transactional = false;
        if first {
            self.leading.push(statement);
        } else {
            self.closing.push(statement);
        }
    }

    /// Adds a statement that runs after every other statement of the plan.
    pub fn push_last(&mut self, sql: String, comment: impl Into<String>) {
        let statement = self.statement(sql, comment.into(), None);
        self.trailing.push(statement);
    }

    /// `"schema"."name"`, or `"name"` in the plan's unqualified schema.
    pub fn name(&self, schema: &str, name: &str) -> String {
        qualified(schema, name, self.options.unqualified_schema.as_deref())
    }

    pub fn unqualified(&self) -> Option<&str> {
        self.options.unqualified_schema.as_deref()
    }

    /// `COMMENT ON <what> IS '…'` (or `IS NULL`).
    pub fn comment_on(&mut self, what: String, comment: Option<&str>, description: String) {
        let value = comment.map(literal).unwrap_or_else(|| "NULL".to_owned());
        self.push(format!("COMMENT ON {what} IS {value}"), description, None);
    }
}

/// Renders `changes` in order.
pub(crate) fn plan(changes: &[Change], options: &PlanOptions) -> Result<Plan, PlanError> {
    let mut builder = Builder::new(options);
    builder.keyed_later = gaining_keys(changes);
    builder.standalone_sequences = changes
        .iter()
        .filter_map(|c| match c {
            Change::AddSequence { sequence, .. } | Change::ModifySequence { to: sequence, .. } => {
                Some(sequence.name.clone())
            }
            _ => None,
        })
        .collect();
    // The differ orders changes by their dependencies (parents before children, keys
    // before the foreign keys that reference them): render them as they come.
    for (i, change) in changes.iter().enumerate() {
        builder.change = i;
        render(&mut builder, change)?;
    }
    let Builder {
        mut leading,
        statements,
        trailing,
        closing,
        ..
    } = builder;
    leading.extend(statements);
    leading.extend(trailing);
    leading.extend(closing);
    let statements = leading;
    Ok(Plan {
        statements,
        transactional: true,
    })
}

fn gaining_keys(changes: &[Change]) -> HashSet<(String, String)> {
    changes
        .iter()
        .filter_map(|c| match c {
            Change::ModifyTable {
                schema,
                to,
                changes,
                ..
            } if changes.iter().any(|t| {
                matches!(
                    t,
                    TableChange::AddPrimaryKey { .. }
                        | TableChange::ModifyPrimaryKey { .. }
                        | TableChange::ModifyIndex { .. }
                ) || matches!(t, TableChange::AddIndex { index } if index.unique)
            }) =>
            {
                Some((schema.clone(), to.name.clone()))
            }
            _ => None,
        })
        .collect()
}

fn render(b: &mut Builder<'_>, change: &Change) -> Result<(), PlanError> {
    match change {
        Change::AddSchema { schema } => {
            b.push(
                format!("CREATE SCHEMA {}", ident(&schema.name)),
                format!("Add new schema named {:?}", schema.name),
                Some(format!("DROP SCHEMA {} CASCADE", ident(&schema.name))),
            );
            if schema.comment.is_some() {
                b.comment_on(
                    format!("SCHEMA {}", ident(&schema.name)),
                    schema.comment.as_deref(),
                    format!("Set comment to schema: {:?}", schema.name),
                );
            }
        }
        Change::DropSchema { schema } => b.push(
            format!("DROP SCHEMA {} CASCADE", ident(&schema.name)),
            format!("Drop schema named {:?}", schema.name),
            None,
        ),
        Change::ModifySchema { from, to } => {
            if from.comment != to.comment {
                b.comment_on(
                    format!("SCHEMA {}", ident(&to.name)),
                    to.comment.as_deref(),
                    format!("Set comment to schema: {:?}", to.name),
                );
            }
        }
        Change::AddExtension { .. }
        | Change::DropExtension { .. }
        | Change::ModifyExtension { .. } => objects::extension(b, change),
        Change::AddTable { schema, table } => table::create(b, schema, table)?,
        Change::DropTable { schema, table } => b.push(
            format!("DROP TABLE {}", b.name(schema, &table.name)),
            format!("Drop {:?} table", table.name),
            None,
        ),
        Change::RenameTable { schema, from, to } => b.push(
            format!(
                "ALTER TABLE {} RENAME TO {}",
                b.name(schema, from),
                ident(to)
            ),
            format!("Rename a table from {from:?} to {to:?}"),
            Some(format!(
                "ALTER TABLE {} RENAME TO {}",
                b.name(schema, to),
                ident(from)
            )),
        ),
        Change::ModifyTable {
            schema,
            from,
            to,
            changes,
        } => table::modify(b, schema, from, to, changes)?,
        Change::AddView { .. } | Change::DropView { .. } | Change::ModifyView { .. } => {
            objects::view(b, change)
        }
        Change::AddRoutine { .. } | Change::DropRoutine { .. } | Change::ModifyRoutine { .. } => {
            objects::routine(b, change)
        }
        Change::AddTrigger { .. } | Change::DropTrigger { .. } | Change::ModifyTrigger { .. } => {
            objects::trigger(b, change)
        }
        Change::AddRule { .. } | Change::DropRule { .. } | Change::ModifyRule { .. } => {
            rule::rule(b, change)
        }
        Change::AddEnum { .. } | Change::DropEnum { .. } | Change::ModifyEnum { .. } => {
            types::enumeration(b, change)
        }
        Change::AddDomain { .. } | Change::DropDomain { .. } | Change::ModifyDomain { .. } => {
            types::domain(b, change)?
        }
        Change::AddComposite { .. }
        | Change::DropComposite { .. }
        | Change::ModifyComposite { .. } => types::composite(b, change),
        Change::AddSequence { .. }
        | Change::DropSequence { .. }
        | Change::ModifySequence { .. } => types::sequence(b, change),
        Change::AddCollation { .. }
        | Change::DropCollation { .. }
        | Change::ModifyCollation { .. } => collation::collation(b, change)?,
    }
    Ok(())
}
