//! The [`Analyzer`] trait and the built-in analyzers, one module per family.

mod concurrent_index;
mod condrop;
mod data_depend;
mod destructive;
mod incompatible;
mod mysql;
mod naming;
mod pg_locks;

pub use concurrent_index::ConcurrentIndex;
pub use condrop::ConstraintDeletion;
pub use data_depend::DataDependent;
pub use destructive::Destructive;
pub use incompatible::BackwardIncompatible;
pub use mysql::MysqlChanges;
pub use naming::{NameChecker, Naming, ObjectKindName};
pub use pg_locks::PostgresLocks;

use crate::{Context, Diagnostic, Severity};

/// A lint rule family. Implement it to add your own rules and register the value with
/// [`crate::Linter::with_analyzer`].
///
/// ```
/// use schema_diff::Change;
/// use schema_lint::{Analyzer, Context, Diagnostic};
///
/// /// Flags every new table whose name starts with `tmp_`.
/// struct NoTempTables;
///
/// impl Analyzer for NoTempTables {
///     fn name(&self) -> &str { "no_temp" }
///     fn analyze(&self, cx: &Context<'_>) -> Vec<Diagnostic> {
///         cx.changes
///             .located()
///             .filter_map(|(at, change)| match change {
///                 Change::AddTable { table, .. } if table.name.starts_with("tmp_") => {
///                     Some(Diagnostic::new("XX101", at, format!("Temporary table {:?}", table.name)))
///                 }
///                 _ => None,
///             })
///             .collect()
///     }
/// }
/// ```
pub trait Analyzer: Send + Sync {
    /// The name used in configuration and `nolint` directives (`destructive`, …).
    fn name(&self) -> &str;

    /// Severity of findings unless configuration overrides it.
    fn default_severity(&self) -> Severity {
        Severity::Warning
    }

    /// The heading of this analyzer's findings in text reports
    /// (`destructive changes detected`).
    fn title(&self) -> String {
        format!("{} issues detected", self.name())
    }

    /// Findings for the changes in `context`. The linter fills in the analyzer name,
    /// severity, file, line and table size.
    fn analyze(&self, context: &Context<'_>) -> Vec<Diagnostic>;
}

/// The analyzers Atlas runs by default (`destructive`, `data_depend`, `condrop`,
/// `incompatible`) plus the dialect-specific ones, which stay silent without a dialect.
/// Naming checks need patterns and are added by [`crate::Linter::from_config`].
pub fn default_analyzers() -> Vec<Box<dyn Analyzer>> {
    vec![
        Box::new(Destructive),
        Box::new(DataDependent),
        Box::new(ConstraintDeletion),
        Box::new(BackwardIncompatible),
        Box::new(ConcurrentIndex),
        Box::new(PostgresLocks),
        Box::new(MysqlChanges),
    ]
}
