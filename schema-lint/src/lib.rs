//! Analyzers that flag risky schema changes before they run, with Atlas-compatible codes.
//!
//! An [`Analyzer`] reads a list of [`schema_diff::Change`]s (with the state they apply to)
//! and reports [`Diagnostic`]s. The built-in families follow Atlas's names and codes:
//! `destructive` (DS1xx), `data_depend` (MF1xx), `condrop` (CD1xx) and `incompatible`
//! (BC1xx).
//!
//! ```
//! use schema_diff::{diff, DiffOptions};
//! use schema_lint::{lint, Severity};
//! use schema_model::*;
//!
//! let users = Table::new("users")
//!     .with_column(Column::new("id", ColumnType::int(IntWidth::Int)).not_null());
//! let current = Realm::new(vec![Schema::new("main").with_table(users)]);
//! let desired = Realm::new(vec![Schema::new("main")]);
//!
//! let changes = diff(&current, &desired, &DiffOptions::default());
//! let report = lint(&changes, &current);
//! assert_eq!(report.diagnostics[0].code, "DS102");
//! assert_eq!(report.diagnostics[0].severity, Severity::Error);
//! assert!(report.has_errors());
//! ```
//!
//! To compute the changes use `schema-diff`; to run lint as part of a migration workflow
//! use `mercator-migrate`.

mod analyzers;
mod report;

pub use analyzers::{
    Analyzer, BackwardIncompatible, ConstraintDeletion, DataDependent, Destructive,
    default_analyzers,
};
pub use report::{Diagnostic, Report, Severity};

use schema_diff::Change;
use schema_model::Realm;

/// What analyzers look at: the changes, in order, and the state before them.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The planned changes.
    pub changes: &'a [Change],
    /// The state the changes apply to.
    pub current: &'a Realm,
}

/// Runs the default analyzers over `changes`.
pub fn lint(changes: &[Change], current: &Realm) -> Report {
    lint_with(&default_analyzers(), changes, current)
}

/// Runs the given analyzers over `changes`.
pub fn lint_with(analyzers: &[Box<dyn Analyzer>], changes: &[Change], current: &Realm) -> Report {
    let context = Context { changes, current };
    let mut diagnostics: Vec<Diagnostic> =
        analyzers.iter().flat_map(|a| a.analyze(&context)).collect();
    diagnostics.sort_by_key(|d| d.change);
    Report { diagnostics }
}
