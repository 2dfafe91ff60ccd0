//! Why a lint run (or a reviewed apply) could not produce a report.

use mercator_driver::DriverError;

use crate::{MigrateError, VersionedError};

/// Why `migrate lint`, `schema lint` or a reviewed apply failed. Findings are never errors:
/// they are in the report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LintError {
    /// The directory, its `atlas.sum` or a file could not be read.
    #[error(transparent)]
    Versioned(#[from] VersionedError),
    /// Connecting, inspecting or planning failed.
    #[error(transparent)]
    Migrate(#[from] MigrateError),
    /// A statement of a linted file failed on the dev database.
    #[error("{file}:{line}: executing statement failed: {message}")]
    Statement {
        /// The file.
        file: String,
        /// The statement's 1-based line.
        line: usize,
        /// The database's answer, on one line.
        message: String,
        /// The driver error.
        #[source]
        source: Box<DriverError>,
    },
    /// `verify_scoped_reads`: reading only the tables a statement touched gave another
    /// schema than reading the whole schema (a driver's scoped read, or the statement's
    /// reach, is wrong).
    #[error(
        "{file}:{line}: reading only {} after this statement gave another schema than reading the whole schema",
        tables.join(", ")
    )]
    ScopedRead {
        /// The file.
        file: String,
        /// The statement's 1-based line.
        line: usize,
        /// The tables read.
        tables: Vec<String>,
    },
    /// The lint configuration is invalid (a bad naming pattern, an unknown analyzer).
    #[error(transparent)]
    Config(#[from] schema_lint::ConfigError),
    /// `--git-base`: git could not tell which files changed.
    #[error("--git-base {base}: {message}")]
    Git {
        /// The base branch.
        base: String,
        /// What git said (or why it could not run).
        message: String,
    },
    /// Nothing selects the files to lint.
    #[error(
        "choose the files to lint: --latest N (the last N files) or --git-base BRANCH (files changed since BRANCH)"
    )]
    NoSelection,
}

impl From<DriverError> for LintError {
    fn from(error: DriverError) -> Self {
        LintError::Migrate(MigrateError::Driver(error))
    }
}
