//! Errors every driver reports.

/// A driver failure. Messages never contain passwords: URLs are passed through
/// [`crate::redact_url`] before they are stored here.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
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
    },
    /// Reading the catalog failed.
    #[error("inspecting the database failed: {message}")]
    Inspect {
        /// The database's answer.
        message: String,
    },
    /// A statement failed. `index` counts from 0 in the list handed to the executor;
    /// `applied` lists the statements that had taken effect before it (empty when the
    /// whole batch was rolled back).
    #[error("statement {} failed: {message}\n  statement: {sql}{}", index + 1, applied_note(applied))]
    Exec {
        /// Position of the failing statement.
        index: usize,
        /// Its SQL.
        sql: String,
        /// The database's answer.
        message: String,
        /// Statements already applied (not rolled back) when it failed.
        applied: Vec<String>,
    },
    /// The dev database holds objects, so it cannot serve as scratch space.
    #[error("connected database is not clean: found {found}")]
    NotClean {
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
    /// Planning failed.
    #[error(transparent)]
    Plan(#[from] schema_diff::PlanError),
    /// Anything else the driver cannot do.
    #[error("{0}")]
    Unsupported(String),
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
