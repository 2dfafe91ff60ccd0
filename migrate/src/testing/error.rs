//! Why a test run could not start: problems with the run's settings or test files, as
//! opposed to tests that fail (those are in the report).

use std::path::PathBuf;

use mercator_driver::DriverError;
use schema_model::DialectKind;

/// A test run that could not start or set up its database.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TestError {
    /// A test file is not valid (located).
    #[error(transparent)]
    File(#[from] mercator_project::ProjectError),
    /// `--run` is not a regular expression.
    #[error("--run {pattern:?} is not a regular expression: {source}")]
    Pattern {
        /// The pattern.
        pattern: String,
        /// Why.
        #[source]
        source: regex::Error,
    },
    /// No test file was found under the given paths.
    #[error("no test files (*.test.hcl) found in {}", .0.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "))]
    NoFiles(Vec<PathBuf>),
    /// A setting the kind of test needs is missing.
    #[error("missing setting: {0}")]
    Missing(&'static str),
    /// The dev database cannot give each test a space of its own.
    #[error(
        "the dev database {url} cannot create scratch spaces for the tests ({why}); use a dev URL whose user may create databases (PostgreSQL, MySQL: a URL naming a database)"
    )]
    NoScratch {
        /// The dev URL, password masked.
        url: String,
        /// Why.
        why: String,
    },
    /// SQLite test spaces are files in a temporary directory, which could not be made.
    #[error("cannot create a temporary directory for SQLite test databases: {0}")]
    TempDir(#[source] std::io::Error),
    /// The dev database is of another kind than the schema or directory under test.
    #[error("the dev database is {dev:?} but the tests need {expected:?}")]
    DialectMismatch {
        /// The dev database's kind.
        dev: DialectKind,
        /// What the run needs.
        expected: DialectKind,
    },
    /// The migration directory cannot be read.
    #[error(transparent)]
    Dir(#[from] mercator_migrate_dir::DirError),
    /// A case's task ended without a report (it panicked or was cancelled).
    #[error("test case task failed: {0}")]
    Task(String),
    /// Opening or using the dev database failed.
    #[error(transparent)]
    Migrate(#[from] crate::MigrateError),
}

impl From<DriverError> for TestError {
    fn from(err: DriverError) -> Self {
        TestError::Migrate(err.into())
    }
}
