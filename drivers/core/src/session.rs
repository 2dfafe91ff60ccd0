//! A session: one connection a workflow drives statement by statement.

use async_trait::async_trait;

use crate::{DriverError, RevisionStore};

/// How a transaction is opened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TxOptions {
    /// Check foreign keys once, just before the commit, instead of per statement. Plans
    /// need this where a table is recreated while other tables reference it (SQLite's
    /// rebuild procedure: enforcement is switched off for the transaction and every key is
    /// verified before it commits, or everything is rolled back). Drivers that never
    /// recreate referenced tables ignore it.
    pub foreign_keys_at_commit: bool,
}

impl TxOptions {
    /// Options for running a migration plan.
    pub fn for_plan() -> TxOptions {
        TxOptions {
            foreign_keys_at_commit: true,
        }
    }
}

/// The rows a query returned, every value as the database's text form (`None` for NULL).
/// Enough for assertions, pre-migration checks and test output; not a data access layer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rows {
    /// Column names, in order.
    pub columns: Vec<String>,
    /// The rows, each with one value per column.
    pub rows: Vec<Vec<Option<String>>>,
}

impl Rows {
    /// The first column of the first row, if any.
    pub fn scalar(&self) -> Option<&str> {
        self.rows.first()?.first()?.as_deref()
    }
}

/// One connection, driven by a workflow: transactions, single statements, queries and the
/// revisions table. Obtained from [`crate::Driver::session`]; while it lives, other calls
/// on the same driver wait for it.
///
/// Dropping a session inside an open transaction does not commit it: the next session on
/// the same connection rolls it back first.
#[async_trait]
pub trait Session: RevisionStore + Send {
    /// Whether DDL statements take part in transactions (PostgreSQL and SQLite: yes;
    /// MySQL and MariaDB commit every DDL statement on its own).
    fn transactional_ddl(&self) -> bool;

    /// Whether a transaction is open.
    fn in_transaction(&self) -> bool;

    /// Opens a transaction.
    async fn begin(&mut self, options: TxOptions) -> Result<(), DriverError>;

    /// Runs one statement. A failure is [`DriverError::Exec`] with index 0 and nothing
    /// applied; workflows place it in their list with [`DriverError::at_statement`].
    async fn execute(&mut self, sql: &str) -> Result<(), DriverError>;

    /// Runs statements inside the open transaction, stopping at the first failure: its
    /// index and error. Drivers that can send them together do (PostgreSQL pipelines them,
    /// one round trip instead of one per statement); after a failure the transaction is
    /// aborted, so the statements sent behind the failing one take no effect. Call it only
    /// inside a transaction on a database with transactional DDL.
    async fn execute_in_transaction(
        &mut self,
        statements: &[&str],
    ) -> Result<(), (usize, DriverError)> {
        for (i, sql) in statements.iter().enumerate() {
            self.execute(sql).await.map_err(|e| (i, e))?;
        }
        Ok(())
    }

    /// Runs a query and returns its rows as text.
    async fn query(&mut self, sql: &str) -> Result<Rows, DriverError>;

    /// Commits the open transaction.
    async fn commit(&mut self) -> Result<(), DriverError>;

    /// Rolls the open transaction back.
    async fn rollback(&mut self) -> Result<(), DriverError>;
}
