//! How a driver announces itself: the URL schemes it serves and how to open them.

use std::future::Future;
use std::pin::Pin;

use schema_diff::Dialect;
use schema_model::DialectKind;

use crate::{Driver, DriverError};

/// How [`DriverFactory::open`] connects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct OpenOptions {
    /// Create the database when it does not exist (file databases). Commands that only
    /// read (`schema inspect`, `--dry-run`) turn this off, so they never leave a new file
    /// behind and a mistyped path is an error.
    pub create_missing: bool,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            create_missing: true,
        }
    }
}

impl OpenOptions {
    /// Options for commands that only read: nothing is created.
    pub fn read_only() -> OpenOptions {
        OpenOptions {
            create_missing: false,
        }
    }
}

/// Opens a private, throw-away database needing no server (see [`DriverFactory::scratch`]).
pub type ScratchOpener = fn() -> Result<Box<dyn Driver>, DriverError>;

/// The future [`DriverFactory::open`] returns.
pub type OpenFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Box<dyn Driver>, DriverError>> + Send + 'a>>;

/// Everything a workflow needs to know about a database driver before connecting. Each
/// driver crate exports one; `mercator-migrate` keeps the list (one line per driver, each
/// behind its cargo feature), and applications may register their own.
#[derive(Clone, Copy)]
pub struct DriverFactory {
    /// The database family.
    pub kind: DialectKind,
    /// URL schemes it serves, lower-case, the first being the canonical one.
    pub schemes: &'static [&'static str],
    /// Whether its URLs are ordinary URLs (`scheme://user@host/path?query`). SQLite's carry
    /// file paths that generic URL parsing would reject, so its driver reads them itself.
    pub standard_urls: bool,
    /// Connects.
    pub open: for<'a> fn(&'a str, OpenOptions) -> OpenFuture<'a>,
    /// A private, throw-away database of this kind needing no server (SQLite in memory),
    /// used as the dev database when none is given.
    pub scratch: Option<ScratchOpener>,
    /// The dialect for rendering without a connection (server-dependent dialects use
    /// their most common server).
    pub dialect: fn() -> Box<dyn Dialect>,
}

impl std::fmt::Debug for DriverFactory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DriverFactory")
            .field("kind", &self.kind)
            .field("schemes", &self.schemes)
            .finish_non_exhaustive()
    }
}

impl DriverFactory {
    /// Whether it serves `scheme` (case-insensitive).
    pub fn serves(&self, scheme: &str) -> bool {
        self.schemes.iter().any(|s| s.eq_ignore_ascii_case(scheme))
    }
}
