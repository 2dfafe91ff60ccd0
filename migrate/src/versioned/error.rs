//! Errors of the versioned-migration workflows.

use mercator_driver::DriverError;
use mercator_migrate_dir::{DirError, FileError, SumError};

use crate::MigrateError;

/// Why a versioned-migration command failed. Every variant displays as one line and never
/// contains a password.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VersionedError {
    /// Opening the database or a dev database failed, or another workflow error.
    #[error(transparent)]
    Migrate(Box<MigrateError>),
    /// The database failed (connection, lock, revisions table).
    #[error(transparent)]
    Driver(Box<DriverError>),
    /// The directory cannot be read or written.
    #[error(transparent)]
    Dir(#[from] DirError),
    /// `atlas.sum` does not match the files.
    #[error(transparent)]
    Sum(#[from] SumError),
    /// A file cannot be parsed (bad directive, unterminated statement, not UTF-8).
    #[error(transparent)]
    File(#[from] FileError),
    /// The database has no revisions but holds objects, and neither a baseline nor
    /// `--allow-dirty` was given.
    #[error(
        "connected database is not clean: found {found}; baseline the database with --baseline VERSION or allow a dirty database with --allow-dirty"
    )]
    NotClean {
        /// The first object found.
        found: String,
    },
    /// The database has a revision the directory lacks.
    #[error(
        "revision {version} is applied to the database but the migration directory has no file with that version"
    )]
    MissingFile {
        /// The revision's version.
        version: String,
    },
    /// Unapplied files sort before the last applied revision.
    #[error(
        "migration file {file} was added out of order: the database is at version {last}; use --exec-order linear-skip to skip or non-linear to apply it"
    )]
    OutOfOrder {
        /// The first such file.
        file: String,
        /// The last applied version.
        last: String,
    },
    /// The part of a partly applied file that already ran was edited since.
    #[error(
        "migration file {file} was partly applied ({applied} statement(s)) and the applied part was edited since: statement {statement} differs; restore the file or resolve the revision with `mercator migrate set`"
    )]
    HistoryChanged {
        /// The file.
        file: String,
        /// Statements applied before.
        applied: i64,
        /// The first differing statement (1-based).
        statement: usize,
    },
    /// A pre-migration check of an `atlas:txtar` file did not hold.
    #[error("{file}:{line}: pre-migration check failed: {message}")]
    CheckFailed {
        /// The file.
        file: String,
        /// The check's line.
        line: usize,
        /// The check's comment.
        message: String,
    },
    /// A statement of a migration file failed.
    #[error("{file}:{line}: statement {index} of {total} failed: {message}")]
    Statement {
        /// The file.
        file: String,
        /// The statement's 1-based line.
        line: usize,
        /// Its 1-based position in the file.
        index: usize,
        /// Statements in the file.
        total: usize,
        /// The database's answer, on one line.
        message: String,
        /// The driver error.
        #[source]
        source: Box<DriverError>,
    },
    /// A version given on the command line or builder is not in the directory.
    #[error("version {version} ({what}) is not in the migration directory")]
    UnknownVersion {
        /// The version.
        version: String,
        /// Which option named it.
        what: &'static str,
    },
    /// `migrate down` would drop an object that holds data.
    #[error("migrate down refused: {object} holds data; nothing was changed")]
    HoldsData {
        /// The table or column.
        object: String,
    },
    /// An invalid option value.
    #[error("{0}")]
    Invalid(String),
    /// Existing rows break a pending change: nothing was applied.
    #[error(
        "pre-flight checks failed, nothing was applied: {}{}",
        failures.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "),
        " (fix the data, or skip the checks with --skip-preflight)"
    )]
    PreflightFailed {
        /// The checks that found offending rows, with samples.
        failures: Vec<crate::lint::PreflightFailure>,
    },
}

// Boxed: both are large, and every result of the workflows carries this type.
impl From<MigrateError> for VersionedError {
    fn from(error: MigrateError) -> Self {
        VersionedError::Migrate(Box::new(error))
    }
}

impl From<DriverError> for VersionedError {
    fn from(error: DriverError) -> Self {
        VersionedError::Driver(Box::new(error))
    }
}
