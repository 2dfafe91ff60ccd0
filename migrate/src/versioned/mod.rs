//! Versioned migrations (Atlas's `migrate` commands): a directory of SQL files applied in
//! order, each recorded in the revisions table `atlas_schema_revisions` with Atlas's
//! columns and semantics, so a database migrated by Atlas continues with Mercator and the
//! other way round.
//!
//! - [`Migrator`] applies pending files under the lock [`MIGRATE_LOCK`] (per-file
//!   transactions, `atlas:txmode`, checkpoints, pre-migration checks, resuming a partly
//!   applied file), reports [`MigrateStatus`] and marks revisions by hand ([`Migrator::set`]).
//! - The directory itself (files, `atlas.sum`, directives) is `mercator-migrate-dir`,
//!   re-exported as [`crate::dir`]; [`crate::embed_migrations`] compiles one into a binary.

mod diff;
mod down;
mod error;
mod execute;
mod migrator;
mod pending;
mod preflight;
mod replay;
mod revisions;

pub use diff::migrate_diff;
pub use down::{DownOptions, DownReport, DownTarget, migrate_down};
// Reconcile (reconcile.rs) protects data with the same checks.
pub(crate) use down::data_checks;
pub use error::VersionedError;
pub use execute::{AppliedFile, OPERATOR_VERSION};
pub use migrator::{
    MIGRATE_LOCK, MigrateReport, MigrateStatus, Migrator, MigratorBuilder, PlannedFile,
    RevisionError, SetReport,
};
pub use pending::ExecOrder;
pub use preflight::PreflightRun;
pub use replay::replay;
