//! The driver traits.

use std::time::Duration;

use async_trait::async_trait;
use schema_diff::{Dialect, Plan};
use schema_model::Realm;

use crate::DriverError;

/// What to inspect.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InspectOptions {
    /// Schemas to read; empty means the connection's schema when the URL is bound to one,
    /// otherwise every user schema.
    pub schemas: Vec<String>,
    /// Tables (by name, any schema) to leave out, e.g. `atlas_schema_revisions`.
    pub exclude_tables: Vec<String>,
}

/// Reads a database's schema from its catalog. Never reads user rows.
#[async_trait]
pub trait Inspector: Send + Sync {
    /// Inspects the schemas selected by `options`.
    async fn inspect(&self, options: &InspectOptions) -> Result<Realm, DriverError>;
}

/// Runs SQL.
#[async_trait]
pub trait Executor: Send + Sync {
    /// Runs a plan: its transactional statements in one transaction where the database
    /// allows (all or nothing), the others on their own, in order. On failure the error
    /// says which statement failed and which ones had already taken effect.
    async fn apply(&self, plan: &Plan) -> Result<(), DriverError>;

    /// Runs raw statements in order (e.g. a schema file on a dev database), stopping at the
    /// first failure, which is reported with its index.
    async fn execute(&self, statements: &[String]) -> Result<(), DriverError>;
}

/// A named advisory lock, held until [`Locker::unlock`] (or the connection ends).
#[async_trait]
pub trait Locker: Send + Sync {
    /// Takes the lock, waiting at most `timeout`.
    async fn lock(&self, name: &str, timeout: Duration) -> Result<(), DriverError>;
    /// Releases the lock.
    async fn unlock(&self, name: &str) -> Result<(), DriverError>;
}

/// A scratch database used to turn SQL into a realm: execute, then inspect.
#[async_trait]
pub trait DevDatabase: Send + Sync {
    /// Fails with [`DriverError::NotClean`] when the scratch space holds any object.
    async fn check_clean(&self) -> Result<(), DriverError>;
    /// Removes everything from the scratch space.
    async fn reset(&self) -> Result<(), DriverError>;
}

/// A connected database: everything the workflows need.
#[async_trait]
pub trait Driver: Inspector + Executor + Locker + DevDatabase {
    /// The SQL dialect (normalization and rendering).
    fn dialect(&self) -> &dyn Dialect;
    /// The schema the connection is bound to (PostgreSQL `search_path` from the URL, MySQL
    /// database from the URL, SQLite `main`), if any.
    fn bound_schema(&self) -> Option<&str>;
    /// Releases the connection. Drivers also clean up on drop; this reports errors.
    async fn close(&self) -> Result<(), DriverError> {
        Ok(())
    }
}
