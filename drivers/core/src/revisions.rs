//! The revisions table Atlas keeps (`atlas_schema_revisions`), so a database migrated by
//! Atlas continues with Mercator and the other way round.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::DriverError;

/// The revisions table's default name.
pub const REVISIONS_TABLE: &str = "atlas_schema_revisions";

/// A row with this version is Atlas Cloud's bookkeeping, not a revision.
pub const CLOUD_IDENTIFIER: &str = ".atlas_cloud_identifier";

/// Where the revisions table lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionsTable {
    /// The schema (MySQL database) holding it. `None`: the connection's schema (MySQL
    /// database, PostgreSQL `search_path`, SQLite `main`), or where the connection is not
    /// bound to one, a schema named `atlas_schema_revisions`, created when missing.
    pub schema: Option<String>,
    /// The table's name, [`REVISIONS_TABLE`] unless changed.
    pub name: String,
}

impl Default for RevisionsTable {
    fn default() -> Self {
        RevisionsTable {
            schema: None,
            name: REVISIONS_TABLE.to_owned(),
        }
    }
}

impl RevisionsTable {
    /// The table in the given schema.
    pub fn in_schema(schema: impl Into<String>) -> RevisionsTable {
        RevisionsTable {
            schema: Some(schema.into()),
            ..RevisionsTable::default()
        }
    }
}

/// The `type` column's bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RevisionKind(pub u64);

impl RevisionKind {
    /// Marked as the baseline: the database already had this version's schema.
    pub const BASELINE: RevisionKind = RevisionKind(1);
    /// Executed by a migration run.
    pub const EXECUTE: RevisionKind = RevisionKind(2);
    /// Resolved by hand (`migrate set`).
    pub const RESOLVED: RevisionKind = RevisionKind(4);

    /// Whether every bit of `other` is set.
    pub fn has(self, other: RevisionKind) -> bool {
        self.0 & other.0 == other.0
    }

    /// Both kinds' bits.
    pub fn with(self, other: RevisionKind) -> RevisionKind {
        RevisionKind(self.0 | other.0)
    }
}

/// One row of the revisions table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    /// The file's version (its name up to the first `_`).
    pub version: String,
    /// The rest of the file's name.
    pub description: String,
    /// How the revision came to be.
    pub kind: RevisionKind,
    /// Statements of the file that have run.
    pub applied: i64,
    /// Statements in the file.
    pub total: i64,
    /// When it was (last) executed.
    pub executed_at: DateTime<Utc>,
    /// How long it took.
    pub execution_time: Duration,
    /// The error of the statement that failed, if one did.
    pub error: Option<String>,
    /// That statement.
    pub error_stmt: Option<String>,
    /// The file's `atlas.sum` entry (base64, without `h1:`).
    pub hash: String,
    /// Running hashes of the statements applied so far (`h1:`-prefixed), kept while a
    /// file is partly applied.
    pub partial_hashes: Option<Vec<String>>,
    /// The tool that wrote the row, e.g. `Mercator v0.1.0`.
    pub operator_version: String,
}

impl Revision {
    /// Whether every statement of the file has run.
    pub fn is_complete(&self) -> bool {
        self.applied >= self.total && self.error.is_none()
    }
}

/// Reads and writes revision rows through a session, so a migration file and its
/// bookkeeping row can commit in one transaction.
#[async_trait]
pub trait RevisionStore: Send {
    /// Creates the table (and its schema where needed) unless it exists.
    async fn ensure_revisions_table(&mut self, table: &RevisionsTable) -> Result<(), DriverError>;

    /// Every revision, ordered by version; an empty list when the table does not exist.
    /// The Atlas Cloud identifier row is left out.
    async fn read_revisions(
        &mut self,
        table: &RevisionsTable,
    ) -> Result<Vec<Revision>, DriverError>;

    /// Inserts the revision, or replaces the row of the same version.
    async fn write_revision(
        &mut self,
        table: &RevisionsTable,
        revision: &Revision,
    ) -> Result<(), DriverError>;

    /// Deletes the row of that version, if any.
    async fn delete_revision(
        &mut self,
        table: &RevisionsTable,
        version: &str,
    ) -> Result<(), DriverError>;
}
