//! Plans: the SQL statements that carry out a list of changes, in order.

use std::fmt::Write;

use serde::{Deserialize, Serialize};

/// One statement of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedStatement {
    /// The SQL text, without a trailing delimiter.
    pub sql: String,
    /// A human description, e.g. `Create "users" table` (Atlas style, first letter upper).
    pub comment: String,
    /// Index of the change (in the list given to [`crate::Dialect::plan`]) it came from.
    pub change: usize,
    /// A statement that undoes this one, when it can be computed from the change alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverse: Option<String>,
    /// Whether the statement may run inside a transaction (`false` for e.g. PostgreSQL
    /// `CREATE INDEX CONCURRENTLY`); the executor runs such statements on their own.
    pub transactional: bool,
}

/// The statements that carry out a list of changes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Plan {
    /// Statements in execution order.
    pub statements: Vec<PlannedStatement>,
    /// Whether the database can run the transactional statements as one transaction
    /// (PostgreSQL and SQLite can; MySQL commits DDL implicitly).
    pub transactional: bool,
}

impl Plan {
    /// Whether the plan does nothing.
    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }

    /// The plan as a migration file: for each statement, `-- <comment>` and `<sql>;`.
    ///
    /// Statements whose text contains `;` (trigger and routine bodies) are still written
    /// with a plain `;`: databases whose clients need a custom delimiter get one from their
    /// driver's file writer, not here.
    pub fn to_sql(&self) -> String {
        let mut out = String::new();
        for statement in &self.statements {
            let _ = writeln!(out, "-- {}", statement.comment);
            let _ = writeln!(out, "{};", statement.sql);
        }
        out
    }

    /// Statements that undo the plan, last first, when every statement has a reverse.
    pub fn reverse(&self) -> Option<Vec<String>> {
        self.statements
            .iter()
            .rev()
            .map(|s| s.reverse.clone())
            .collect()
    }
}

/// How to render a plan.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlanOptions {
    /// The schema the connection is bound to: objects in it are rendered without a schema
    /// qualifier (so a plan made against a scratch schema applies to the target one).
    /// `None` qualifies every name with its schema.
    pub unqualified_schema: Option<String>,
    /// Create and drop indexes on existing tables `CONCURRENTLY` (PostgreSQL), outside
    /// the transaction.
    pub concurrent_indexes: bool,
}

/// Why a change could not be planned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// The database cannot do what the change asks.
    #[error("cannot plan {change}: {reason}")]
    Unsupported {
        /// A description of the change.
        change: String,
        /// Why.
        reason: String,
    },
}
