//! The one error type of this crate. Every variant that comes from a file says where.

use std::path::PathBuf;

use crate::Location;

/// The error of a data source query run by the caller (see [`crate::SqlDataSource`]).
pub type QueryError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a project, test or plan file could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProjectError {
    /// The file could not be read.
    #[error("reading {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid HCL.
    #[error("{location}: syntax error: {message}")]
    Syntax {
        /// Where the parser stopped.
        location: Location,
        /// The parser's message.
        message: String,
    },
    /// An expression could not be evaluated (undefined variable, unknown function, bad
    /// argument).
    #[error("{location}: {message}")]
    Eval {
        /// The expression.
        location: Location,
        /// What went wrong.
        message: String,
    },
    /// A value has the wrong shape for where it is used (a number where a string belongs,
    /// an unknown enum keyword, a missing required attribute).
    #[error("{location}: {message}")]
    Invalid {
        /// The attribute or block.
        location: Location,
        /// What was expected.
        message: String,
    },
    /// A variable without a default was given no value with `--var`.
    #[error("{location}: missing value for variable \"{name}\" (set it with --var {name}=VALUE)")]
    MissingVariable {
        /// The `variable` block.
        location: Location,
        /// The variable's name.
        name: String,
    },
    /// A `--var` value does not fit the variable's declared type.
    #[error("{location}: variable \"{name}\" has type {expected}, but --var gave {value:?}")]
    VariableType {
        /// The `variable` block.
        location: Location,
        /// The variable's name.
        name: String,
        /// The declared type, as written.
        expected: String,
        /// The value given.
        value: String,
    },
    /// A `--var` argument is not `NAME=VALUE`.
    #[error("invalid --var {0:?}: expected NAME=VALUE")]
    VarFlag(String),
    /// No `env` block has the requested name.
    #[error("{file}: env \"{name}\" not defined (defined: {})", available.join(", "))]
    EnvNotFound {
        /// The project file.
        file: PathBuf,
        /// The requested name.
        name: String,
        /// The names that are defined.
        available: Vec<String>,
    },
    /// A `data "sql"` query failed.
    #[error("{location}: data source \"{name}\": {source}")]
    DataSource {
        /// The `data` block.
        location: Location,
        /// `sql.NAME`.
        name: String,
        /// The caller's error.
        #[source]
        source: QueryError,
    },
    /// A construct the file needs that Mercator does not implement (for example a data source
    /// type other than `sql` that the selected env references).
    #[error("{location}: {message}")]
    Unsupported {
        /// The construct.
        location: Location,
        /// What is not supported.
        message: String,
    },
}

impl ProjectError {
    /// Where in a file the error is, when it has a place.
    pub fn location(&self) -> Option<&Location> {
        match self {
            ProjectError::Syntax { location, .. }
            | ProjectError::Eval { location, .. }
            | ProjectError::Invalid { location, .. }
            | ProjectError::MissingVariable { location, .. }
            | ProjectError::VariableType { location, .. }
            | ProjectError::DataSource { location, .. }
            | ProjectError::Unsupported { location, .. } => Some(location),
            ProjectError::Io { .. }
            | ProjectError::VarFlag(_)
            | ProjectError::EnvNotFound { .. } => None,
        }
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = ProjectError> = std::result::Result<T, E>;
