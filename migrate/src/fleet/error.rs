//! Why a fleet could not be set up or run as a whole. A single tenant's failure is not
//! one of these: it is recorded in that tenant's report and the run goes on or stops by
//! the error policy.

use std::path::PathBuf;

use mercator_driver::DriverError;

use crate::{MigrateError, VersionedError};

/// A fleet-wide failure: bad template, unreadable tenant list, unreachable control
/// database. Every variant displays as one line without passwords.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FleetError {
    /// The URL template has no `{tenant}` placeholder, or several.
    #[error("URL template {url:?}: {reason}")]
    Template {
        /// The template, redacted.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A tenant name that cannot be put into a URL or an identifier safely.
    #[error("tenant {name:?}{}: {reason}", at.as_ref().map(|a| format!(" ({a})")).unwrap_or_default())]
    TenantName {
        /// The name as given.
        name: String,
        /// Where it came from (`tenants.txt:3`, `query row 4`), if not given inline.
        at: Option<String>,
        /// Why it is refused.
        reason: &'static str,
    },
    /// The same tenant twice: two runs of one tenant would take its lock against each other.
    #[error("tenant {name:?} is listed twice{}", at.as_ref().map(|a| format!(" ({a})")).unwrap_or_default())]
    DuplicateTenant {
        /// The name.
        name: String,
        /// Where the second one came from.
        at: Option<String>,
    },
    /// No tenants at all.
    #[error("the tenant set is empty ({from})")]
    NoTenants {
        /// Which source was empty.
        from: String,
    },
    /// The tenants file could not be read.
    #[error("cannot read tenants file {}: {source}", path.display())]
    TenantsFile {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The tenants query failed or returned no usable column.
    #[error("tenants query on {url}: {reason}")]
    TenantsQuery {
        /// The control URL, redacted.
        url: String,
        /// What went wrong.
        reason: String,
        /// The driver error, if any.
        #[source]
        source: Option<Box<DriverError>>,
    },
    /// Every tenant shares one revisions table with `revisions_schema`: each tenant must
    /// keep its own.
    #[error(
        "a fleet cannot use one revisions schema ({schema:?}) for every tenant: each tenant keeps its own revisions table"
    )]
    SharedRevisions {
        /// The schema configured.
        schema: String,
    },
    /// A setting is out of range.
    #[error("{0}")]
    Settings(String),
    /// Connecting or inspecting for the whole fleet failed.
    #[error(transparent)]
    Migrate(Box<MigrateError>),
    /// The migrator could not be built (directory, `atlas.sum`).
    #[error(transparent)]
    Versioned(#[from] VersionedError),
    /// A driver call for the whole fleet (one inspection pass) failed.
    #[error(transparent)]
    Driver(Box<DriverError>),
}

impl From<MigrateError> for FleetError {
    fn from(error: MigrateError) -> Self {
        FleetError::Migrate(Box::new(error))
    }
}

impl From<DriverError> for FleetError {
    fn from(error: DriverError) -> Self {
        FleetError::Driver(Box::new(error))
    }
}
