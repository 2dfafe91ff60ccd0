//! Mercator's workflows: connect to a database by URL, read a desired schema from SQL files
//! or another database, plan the changes between them and apply them safely.
//!
//! - [`open`] picks a driver from a URL by its scheme (`sqlite://`, `postgres://`,
//!   `mysql://`, `maria://` with the default cargo features `sqlite`, `postgres`, `mysql`;
//!   [`register_driver`] adds others).
//! - [`Source`] is a database URL, `file://` SQL files, or SQL text. SQL is read by `sqlimport`
//!   (imports, statement order) with the target's dialect, executed on a dev database
//!   (an in-memory SQLite database for SQLite targets, `dev_url` otherwise) and inspected.
//!   A failing statement is reported as `file:line: message`.
//! - [`SchemaApply`] is the declarative workflow: [`SchemaApply::plan`] compares the
//!   database with the desired schema; [`SchemaApply::apply`] runs the plan under an
//!   advisory lock after checking, by fingerprint, that the database has not changed.
//! - [`schema_diff()`] compares two sources; [`inspect`], [`inspect_as`] and [`realm_sql`]
//!   read and write schemas.
//!
//! When the target URL is bound to a schema (SQLite `main`, a MySQL database, a PostgreSQL
//! `search_path`), only that schema is compared, the desired schema is renamed to it, and
//! the plan leaves names unqualified. Otherwise whole databases are compared.
//!
//! ```
//! use mercator_migrate::{SchemaApply, Source};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let dir = std::env::temp_dir().join(format!("mercator-doc-lib-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! std::fs::write(
//!     dir.join("schema.sql"),
//!     "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE);",
//! ).unwrap();
//!
//! let apply = SchemaApply::builder()
//!     .url(format!("sqlite://{}", dir.join("app.db").display()))
//!     .to(Source::file(dir.join("schema.sql")))
//!     .build()
//!     .await?;
//! let planned = apply.plan().await?;
//! println!("{}", planned.plan.to_sql());
//! apply.apply(&planned).await?;
//! assert!(apply.plan().await?.is_empty());
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok::<(), mercator_migrate::MigrateError>(())
//! # }).unwrap();
//! ```
//!
//! For the model itself see `schema-model`; for diffing realms without a database see
//! `schema-diff`; for reading SQL projects see `sqlimport`.

#![warn(missing_docs)]

mod apply;
mod binding;
mod describe;
mod dev;
mod diff;
mod drift;
mod error;
pub mod fleet;
mod inspect;
pub mod lint;
mod open;
mod plan;
pub mod project;
pub mod reconcile;
mod renames;
mod source;
pub mod testing;
mod versioned;

pub use apply::{
    ApplyReport, PlannedMigration, SCHEMA_APPLY_LOCK, SchemaApply, SchemaApplyBuilder,
    schema_apply_lock,
};
pub use describe::describe_changes;
pub use diff::schema_diff;
pub use drift::{drift, is_migration_dir};
pub use error::MigrateError;
pub use fleet::{Fleet, FleetError};
pub use inspect::{InspectFormat, inspect, inspect_as, inspect_source_as, realm_json, realm_sql};
pub use mercator_driver::exec::{apply_plan, execute_all};
pub use mercator_macros::embed_migrations;
/// Migration directories (files, `atlas.sum`, directives): the `mercator-migrate-dir` crate.
pub use mercator_migrate_dir as dir;
pub use open::{
    dialect_of, driver_for, drivers, offline_dialect, open, open_with, register_driver,
};
pub use plan::{
    EditCheck, ReviewedOptions, ReviewedPlan, ReviewedPlanError, ReviewedReport, apply_reviewed,
    migration_text,
};
pub use schema_diff::RenameHint;
pub use schema_model::DialectKind;
pub use source::Source;
pub use sqlimport::LoadOptions;
pub use versioned::{
    AppliedFile, DownOptions, DownReport, DownTarget, ExecOrder, MIGRATE_LOCK, MigrateReport,
    MigrateStatus, Migrator, MigratorBuilder, OPERATOR_VERSION, PlannedFile, PreflightRun,
    RevisionError, SetReport, VersionedError, migrate_diff, migrate_down, replay,
};
