//! The SQLite driver of Mercator: inspection, planning and execution for SQLite
//! databases, through rusqlite (with SQLite bundled) on tokio's blocking pool.
//!
//! - [`SqliteDialect`] normalizes realms and renders changes as SQLite SQL; it needs no
//!   connection. Changes `ALTER TABLE` cannot make use SQLite's table-rebuild procedure
//!   (create `new_<t>`, copy the shared columns, drop, rename, recreate indexes).
//! - [`SqliteDriver`] implements every `mercator_driver` trait: it inspects the `main`
//!   schema (tables incl. `STRICT`/`WITHOUT ROWID`, generated columns, partial and
//!   expression indexes, foreign keys, checks, views, triggers), applies plans in one
//!   transaction with foreign keys checked before the commit, takes lock files and
//!   serves as a dev database.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! use mercator_driver::{Driver, DriverExt, InspectOptions, Inspector};
//! use mercator_sqlite::SqliteDriver;
//! use schema_diff::{DialectExt, DiffOptions, PlanOptions};
//!
//! // The desired state: SQL run on a scratch database, then inspected.
//! let dev = SqliteDriver::in_memory();
//! dev.execute(&["CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL)".into()])
//!     .await
//!     .unwrap();
//! let desired = dev.inspect(&InspectOptions::default()).await.unwrap();
//!
//! // Plan and apply it on another database.
//! let db = SqliteDriver::open("sqlite://app?mode=memory").unwrap();
//! let current = db.inspect(&InspectOptions::default()).await.unwrap();
//! let changes = db.dialect().diff(&current, &desired, &DiffOptions::default());
//! let plan = db.dialect().plan(&changes, &PlanOptions::default()).unwrap();
//! assert_eq!(plan.statements[0].comment, r#"Create "users" table"#);
//! db.apply(&plan).await.unwrap();
//!
//! let after = db.inspect(&InspectOptions::default()).await.unwrap();
//! assert!(db.dialect().diff(&after, &desired, &DiffOptions::default()).is_empty());
//! # });
//! ```
//!
//! For PostgreSQL and MySQL use `mercator-postgres` and `mercator-mysql`; to pick a driver
//! from a URL use `mercator-migrate`.

mod dev;
mod dialect;
mod driver;
mod inspect;
mod lock;
mod names;
mod parse;
mod plan;
mod session;
mod snapshot;
mod types;

pub use dialect::SqliteDialect;
pub use driver::{FACTORY, SqliteDriver};
pub use inspect::SCHEMA;
pub use names::{foreign_key_name, quote, unique_name};
pub use types::{parse_default, parse_type, render_default, render_type};
