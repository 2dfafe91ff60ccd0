//! Errors every driver reports.

use std::sync::Arc;

/// The error a driver library raised (tokio-postgres, mysql_async, rusqlite, I/O), kept so
/// callers can walk the source chain. Shared so the error stays cheap to clone.
pub type SourceError = Arc<dyn std::error::Error + Send + Sync + 'static>;

/// Wraps a library error as a [`SourceError`].
pub fn source(error: impl std::error::Error + Send + Sync + 'static) -> SourceError {
    Arc::new(error)
}

/// A driver failure. Messages never contain passwords: URLs are passed through
/// [`crate::redact_url`] before they are stored here. Database errors keep the database's
/// own code (PostgreSQL SQLSTATE such as `42P01`, MySQL error number such as `1146`, SQLite
/// extended result code) in `code`, and the library error in `source`.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum DriverError {
    /// The URL could not be understood.
    #[error("invalid URL {url}: {message}")]
    InvalidUrl {
        /// The URL, redacted.
        url: String,
        /// What is wrong with it.
        message: String,
    },
    /// The database could not be reached or refused the login.
    #[error("cannot connect to {url}: {message}")]
    Connect {
        /// The URL, redacted.
        url: String,
        /// The database's or the network's answer.
        message: String,
        /// The database's error code, when it answered.
        code: Option<String>,
        /// The library error.
        #[source]
        source: Option<SourceError>,
    },
    /// The connection broke while in use. Whatever the interrupted statement did may or may
    /// not have taken effect.
    #[error(
        "the connection to the database was lost: {message}{}",
        applied_note(applied)
    )]
    ConnectionLost {
        /// What the library reported.
        message: String,
        /// Statements of the workflow's list that had taken effect before (filled in by
        /// [`DriverError::at_statement`]).
        applied: Vec<String>,
        /// The library error.
        #[source]
        source: Option<SourceError>,
    },
    /// Reading the catalog failed.
    #[error("inspecting the database failed: {message}")]
    Inspect {
        /// The database's answer.
        message: String,
        /// The database's error code.
        code: Option<String>,
        /// The library error.
        #[source]
        source: Option<SourceError>,
    },
    /// A statement failed. `index` counts from 0 in the list the workflow ran; `applied`
    /// lists the statements that had taken effect before it (empty when everything was
    /// rolled back).
    #[error("statement {} failed: {message}\n  statement: {sql}{}", index + 1, applied_note(applied))]
    Exec {
        /// Position of the failing statement.
        index: usize,
        /// Its SQL.
        sql: String,
        /// The database's answer.
        message: String,
        /// The database's error code.
        code: Option<String>,
        /// Statements already applied (not rolled back) when it failed.
        applied: Vec<String>,
        /// The library error.
        #[source]
        source: Option<SourceError>,
    },
    /// The dev database holds objects, so it cannot serve as scratch space.
    #[error("dev database {url} is not clean: found {found}")]
    NotClean {
        /// The dev database's URL, redacted.
        url: String,
        /// What was found, e.g. `table "users" in schema "public"`.
        found: String,
    },
    /// The advisory lock is held by someone else.
    #[error("could not acquire lock {name:?} within {timeout_secs}s: another migration is running")]
    Locked {
        /// Lock name.
        name: String,
        /// How long we waited.
        timeout_secs: u64,
    },
    /// Taking or releasing a lock failed for another reason than someone else holding it.
    #[error("lock {name:?}: {message}")]
    Lock {
        /// Lock name.
        name: String,
        /// What went wrong.
        message: String,
        /// The underlying error.
        #[source]
        source: Option<SourceError>,
    },
    /// Reading or writing the revisions table failed.
    #[error("revisions table {table}: {message}")]
    Revisions {
        /// The table, as `schema.table`.
        table: String,
        /// What went wrong.
        message: String,
        /// The database's error code.
        code: Option<String>,
        /// The library error.
        #[source]
        source: Option<SourceError>,
    },
    /// A file the driver manages (SQLite database or lock file) could not be used.
    #[error("{context}: {source}")]
    Io {
        /// What was being done, naming the path.
        context: String,
        /// The I/O error.
        #[source]
        source: SourceError,
    },
    /// Planning failed.
    #[error(transparent)]
    Plan(#[from] schema_diff::PlanError),
    /// The database cannot do what was asked (a feature, not a failure).
    #[error("{0}")]
    Unsupported(String),
}

impl DriverError {
    /// [`DriverError::InvalidUrl`] for `url` (redacted here, so callers pass the URL as given).
    pub fn invalid_url(url: &str, message: impl Into<String>) -> Self {
        DriverError::InvalidUrl {
            url: crate::redact_url(url),
            message: message.into(),
        }
    }

    /// The database's own error code (SQLSTATE, MySQL error number), where there is one.
    pub fn code(&self) -> Option<&str> {
        match self {
            DriverError::Connect { code, .. }
            | DriverError::Inspect { code, .. }
            | DriverError::Exec { code, .. }
            | DriverError::Revisions { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    /// Whether the server refused a statement only because it ran inside a transaction
    /// block: it cannot run in one (`CREATE INDEX CONCURRENTLY`, `VACUUM`: SQLSTATE 25001),
    /// a routine it called tried to end it (2D000), or it used an enum value the same
    /// transaction added (55P04). Run on its own, the statement may well succeed.
    pub fn is_refused_in_transaction(&self) -> bool {
        matches!(self.code(), Some("25001" | "2D000" | "55P04"))
    }

    /// Whether the connection was lost (the database may have done part of the work).
    pub fn is_connection_lost(&self) -> bool {
        matches!(self, DriverError::ConnectionLost { .. })
    }

    /// The same error, for a statement at another position of a longer list, with the
    /// statements that had taken effect before it.
    pub fn at_statement(self, at: usize, already: &[String]) -> DriverError {
        match self {
            DriverError::Exec {
                sql,
                message,
                code,
                source,
                ..
            } => DriverError::Exec {
                index: at,
                sql,
                message,
                code,
                applied: already.to_vec(),
                source,
            },
            DriverError::ConnectionLost {
                message, source, ..
            } => DriverError::ConnectionLost {
                message,
                applied: already.to_vec(),
                source,
            },
            other => other,
        }
    }
}

fn applied_note(applied: &[String]) -> String {
    if applied.is_empty() {
        return String::new();
    }
    let mut note = format!("\n  already applied ({}):", applied.len());
    for sql in applied {
        let first_line = sql.lines().next().unwrap_or_default();
        note.push_str("\n    ");
        note.push_str(first_line);
    }
    note
}
