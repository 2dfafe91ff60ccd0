//! The errors of the migrate workflows.

use mercator_driver::DriverError;

/// Why a workflow failed. Every variant displays as one line, and none ever contains a
/// password: URLs are redacted before they are stored. Driver errors keep the database's
/// code and the library error as their source.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MigrateError {
    /// The text is not a URL we can read.
    #[error("invalid URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL, redacted.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The URL names a database Mercator has no driver for.
    #[error(
        "unknown URL scheme {scheme:?} in {url:?}: expected one of {known} (file:// for SQL sources)"
    )]
    UnknownScheme {
        /// The scheme as written.
        scheme: String,
        /// The URL, redacted.
        url: String,
        /// The schemes of the drivers compiled in.
        known: String,
    },
    /// A source of the wrong kind for the operation.
    #[error("{source_text} cannot be used here: expected {expected}")]
    UnexpectedSource {
        /// The source, redacted.
        source_text: String,
        /// What was expected.
        expected: &'static str,
    },
    /// A dev database is needed (to turn SQL files into a schema) but none was given.
    #[error(
        "loading SQL files for {dialect} needs a dev database: pass a dev URL (--dev-url), e.g. an empty database on the same server"
    )]
    DevUrlRequired {
        /// The target's dialect.
        dialect: schema_model::DialectKind,
    },
    /// Two sources of different databases were compared.
    #[error("cannot compare a {from} schema with a {to} schema")]
    DialectMismatch {
        /// Dialect of one side.
        from: schema_model::DialectKind,
        /// Dialect of the other side.
        to: schema_model::DialectKind,
    },
    /// Reading the SQL files failed (missing file, import cycle, unterminated statement…).
    #[error("{0}")]
    Import(#[from] sqlimport::ImportError),
    /// A `-- mercator:renamed-from` directive in the desired SQL cannot be followed.
    #[error("{location}: {message}")]
    RenameDirective {
        /// The directive's file and line.
        location: String,
        /// Why.
        message: String,
    },
    /// A statement of a SQL file failed on the dev database.
    #[error("{file}:{line}: {message}")]
    Statement {
        /// The file that holds the statement.
        file: String,
        /// Its first line (1-based).
        line: usize,
        /// The database's answer.
        message: String,
    },
    /// The target is bound to one schema but the desired state spans several.
    #[error("the URL is bound to schema {bound:?} but the desired state has {} schemas ({}); use a URL that is not bound to a schema", found.len(), found.join(", "))]
    SchemaBinding {
        /// The target's schema.
        bound: String,
        /// The schemas of the desired state.
        found: Vec<String>,
    },
    /// The target spans whole databases but the dev URL is bound to one schema, so the
    /// desired state could never describe the other schemas (they would be dropped).
    #[error(
        "the URL is not bound to a schema but the dev URL is (schema {dev_schema:?}): use a dev URL that is not bound to a schema either"
    )]
    DevBinding {
        /// The dev database's schema.
        dev_schema: String,
    },
    /// The desired state created schemas (MySQL databases) outside the dev database's
    /// scratch space; they were removed again.
    #[error(
        "the desired state creates schema(s) outside the dev database ({}), which the dev database cannot hold; they were removed. Keep every object in the URL's schema, or use URLs not bound to one",
        schemas.join(", ")
    )]
    OutsideDev {
        /// What was created.
        schemas: Vec<String>,
    },
    /// A schema named on the command line does not exist.
    #[error("schema {schema:?} does not exist (found: {})", if found.is_empty() { "none".to_owned() } else { found.join(", ") })]
    SchemaNotFound {
        /// The schema asked for.
        schema: String,
        /// The schemas there are.
        found: Vec<String>,
    },
    /// The database changed between planning and applying.
    #[error(
        "the database changed since the plan was made (planned against {expected}, found {found}): plan again"
    )]
    Drift {
        /// Fingerprint the plan was made against.
        expected: String,
        /// Fingerprint found when applying.
        found: String,
    },
    /// The changes cannot be written as SQL for this database.
    #[error(transparent)]
    Plan(#[from] schema_diff::PlanError),
    /// The database driver failed.
    #[error("{}", driver_line(.0))]
    Driver(#[from] DriverError),
    /// The schema could not be fingerprinted.
    #[error(transparent)]
    Fingerprint(#[from] schema_model::FingerprintError),
    /// Writing a schema as JSON failed.
    #[error("writing JSON failed: {0}")]
    Json(#[from] serde_json::Error),
    /// A reviewed plan was refused or did not reach its target.
    #[error(transparent)]
    Reviewed(#[from] crate::plan::ReviewedPlanError),
    /// A versioned workflow (a migration directory replayed for drift detection) failed.
    #[error(transparent)]
    Versioned(Box<crate::VersionedError>),
    /// A reconcile stopped before changing anything.
    #[error(transparent)]
    Reconcile(#[from] crate::reconcile::ReconcileError),
    /// A project, plan or test file could not be read.
    #[error(transparent)]
    Project(#[from] mercator_project::ProjectError),
    /// The builder was used without a required setting.
    #[error("missing setting: {0}")]
    Missing(&'static str),
}

/// Driver errors may span lines (a failing statement and what was applied before it);
/// workflows report them on one line.
fn driver_line(err: &DriverError) -> String {
    match err {
        DriverError::Exec {
            sql,
            message,
            applied,
            ..
        } => {
            // A statement can be a whole file on one line: quote a bounded excerpt.
            let statement = sqlimport::excerpt(first_line(sql), 80);
            let message = first_line(message);
            if applied.is_empty() {
                format!("executing {statement:?} failed: {message}")
            } else {
                format!(
                    "executing {statement:?} failed: {message} ({} earlier statement(s) had taken effect)",
                    applied.len()
                )
            }
        }
        other => other
            .to_string()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
    }
}

fn first_line(text: &str) -> &str {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default()
}
