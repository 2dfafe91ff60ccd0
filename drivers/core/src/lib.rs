//! The traits every Mercator database driver implements, and the pieces they share.
//!
//! A driver reads a live database into a [`schema_model::Realm`] ([`Inspector`]), renders
//! changes as its SQL ([`schema_diff::Dialect`]), runs statements ([`Executor`]), takes an
//! advisory lock ([`Locker`]) and manages a scratch "dev" database ([`DevDatabase`]).
//! [`Driver`] bundles them so a program can pick a `Box<dyn Driver>` from a URL at run time
//! (see `mercator-migrate`'s `open`). This crate only defines contracts; the implementations
//! live in `mercator-sqlite`, `mercator-postgres` and `mercator-mysql`.
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
//! };
//! assert!(!err.to_string().contains("hunter2"));
//! ```

mod error;
mod traits;
mod url_util;

pub use error::DriverError;
pub use traits::*;
pub use url_util::redact_url;
