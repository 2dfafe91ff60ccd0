//! The contract every Mercator database driver implements, and the pieces they share.
//!
//! A driver reads a live database into a [`schema_model::Realm`] ([`Inspector`]), renders
//! changes as its SQL ([`schema_diff::Dialect`]), hands out [`Session`]s that a workflow
//! drives statement by statement (transactions, queries and the Atlas revisions table
//! through [`RevisionStore`]), takes advisory locks ([`Locker`]) and manages a scratch "dev"
//! database ([`DevDatabase`]). [`Driver`] bundles them so a program can hold a
//! `Box<dyn Driver>` chosen from a URL at run time; each driver crate exports a
//! [`DriverFactory`] saying which URL schemes it serves. [`exec`] holds the one function
//! that runs plans, shared by every driver. The implementations live in `mercator-sqlite`,
//! `mercator-postgres` and `mercator-mysql`; `mercator-migrate` builds the workflows.
//!
//! ```
//! use mercator_driver::{redact_url, DriverError};
//!
//! assert_eq!(
//!     redact_url("postgres://app:s3cret@db.internal:5432/app"),
//!     "postgres://app:xxxxx@db.internal:5432/app"
//! );
//! let err = DriverError::Connect {
//!     url: redact_url("mysql://root:hunter2@127.0.0.1/x"),
//!     message: "connection refused".into(),
//!     code: None,
//!     source: None,
//! };
//! assert!(!err.to_string().contains("hunter2"));
//! ```

mod error;
pub mod exec;
mod registry;
mod revisions;
mod session;
mod ssl;
mod traits;
mod url_util;

pub use error::{DriverError, SourceError, source};
pub use registry::{DriverFactory, OpenFuture, OpenOptions, ScratchOpener};
pub use revisions::{
    CLOUD_IDENTIFIER, REVISIONS_TABLE, Revision, RevisionKind, RevisionStore, RevisionsTable,
};
pub use session::{Rows, Session, TxOptions};
pub use ssl::SslMode;
pub use traits::*;
pub use url_util::{accepted_params, redact_url};
