//! Helpers for Mercator's integration tests, shared by every crate's server tests (the
//! drivers', `mercator-migrate`'s and `mercator-cli`'s): temporary folders, the test
//! servers' URLs, and throw-away server databases that are dropped even when the test
//! fails. When a server is unreachable, tests skip with a printed reason, unless
//! `MERCATOR_REQUIRE_SERVERS=1` makes that a failure (CI sets it).
//!
//! The crate talks to the servers with the client libraries directly and depends on no
//! Mercator crate, so any crate, a driver included, can use it as a dev-dependency.
//!
//! ```
//! use mercator_testkit::{TempDir, url_for};
//!
//! let dir = TempDir::new();
//! let schema = dir.write("schema/main.sql", "CREATE TABLE t (id int);\n");
//! assert!(schema.starts_with(dir.path()));
//! assert!(dir.sqlite_url("dev.db").starts_with("sqlite://"));
//! assert_eq!(
//!     url_for("postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "other"),
//!     "postgres://postgres@127.0.0.1:5432/other?sslmode=disable"
//! );
//! ```

mod db;
mod dir;
mod servers;

pub use db::{Server, ServerDb, unique_name};
pub use dir::TempDir;
pub use servers::{mysql_url, postgres_url, require_servers, skip_or_fail, url_for};
