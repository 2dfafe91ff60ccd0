//! Analyzers that flag risky schema changes before they run, with Atlas-compatible codes.
//!
//! Lint reads a [`ChangeSet`]: migration files, their statements (with lines) and the
//! [`schema_diff::Change`]s each statement produced; a declarative plan is a change set
//! of one unnamed file ([`ChangeSet::from_changes`], [`ChangeSet::from_plan`]). A
//! [`Linter`] runs [`Analyzer`]s over it and returns a [`Report`] of [`Diagnostic`]s, each
//! with a suggested fix where one exists, the table's size and lock risk where it was
//! given ([`TableSizes`]), and a read-only pre-flight query ([`Preflight`]) that proves
//! existing rows fit a data-dependent change.
//!
//! Built-in analyzers (Atlas's names and codes where Atlas has them):
//!
//! | analyzer | codes | default |
//! |---|---|---|
//! | `destructive` | DS101 schema, DS102 table, DS103 non-virtual column dropped | error |
//! | `data_depend` | MF101–MF104, MY101 (MySQL), LT101 (SQLite); Mercator's MC101 CHECK, MC102 narrowed type, MC103 foreign key on existing rows | warning |
//! | `condrop` | CD101 foreign key dropped | warning |
//! | `incompatible` | BC101 table renamed, BC102 column renamed | warning |
//! | `concurrent_index` | PG101–PG103 (PostgreSQL) | warning |
//! | `pg_locks` | PG104, PG105, PG301–PG306 (PostgreSQL) | warning |
//! | `mysql` | MY102, MY110–MY113, MY120–MY123 (MySQL) | warning |
//! | `naming` | NM101–NM106 (when patterns are configured) | warning |
//!
//! Per-statement diffs see `RENAME` as a drop and an add; [`rename_hints`] reads the
//! renames out of the statement text so the caller can diff with them and get real
//! rename changes (BC101/BC102 instead of DS102/DS103).
//!
//! `nolint` directives arrive parsed as [`Suppression`]s on statements and files.
//! [`LintConfig`] deserializes from the `lint { … }` block of `atlas.hcl`; its review
//! policy decides whether a report may apply without approval. [`SchemaLinter`] checks a
//! whole [`schema_model::Realm`] against policies (`schema lint`).
//!
//! ```
//! use schema_diff::{diff, DiffOptions};
//! use schema_lint::{ChangeSet, Linter, MigrationFile, Severity, Statement, Suppression};
//! use schema_model::*;
//!
//! let users = Table::new("users")
//!     .with_column(Column::new("id", ColumnType::int(IntWidth::Int)).not_null());
//! let current = Realm::new(vec![Schema::new("main").with_table(users)]);
//! let desired = Realm::new(vec![Schema::new("main")]);
//! let changes = diff(&current, &desired, &DiffOptions::default());
//!
//! // A migration file whose line 3 drops the table.
//! let file = MigrationFile::new("2_drop.sql")
//!     .with_statement(Statement::new(3, "DROP TABLE users;", changes.clone()));
//! let set = ChangeSet::new(vec![file]).with_base_version("1");
//! let linter = Linter::default().dialect(DialectKind::Sqlite);
//! let report = linter.run(&set, Some(&current));
//! assert_eq!(report.diagnostics[0].code, "DS102");
//! assert_eq!(report.diagnostics[0].line, Some(3));
//! assert!(report.has_errors());
//! assert!(report.to_text().contains("-- L3: Dropping table \"users\""));
//!
//! // `-- atlas:nolint DS102` above the statement silences it.
//! let file = MigrationFile::new("2_drop.sql").with_statement(
//!     Statement::new(3, "DROP TABLE users;", changes).suppress(Suppression::only(["DS102"])),
//! );
//! assert!(linter.run(&ChangeSet::new(vec![file]), None).diagnostics.is_empty());
//! ```
//!
//! To compute the changes use `schema-diff`; to run lint as part of a migration workflow
//! use `mercator-migrate`.

mod analyzers;
mod changeset;
mod config;
mod context;
mod diagnostic;
mod linter;
mod preflight;
mod renames;
mod report;
mod schema_rules;
mod sizes;
mod sqltext;

pub use analyzers::{
    Analyzer, BackwardIncompatible, ConcurrentIndex, ConstraintDeletion, DataDependent,
    Destructive, MysqlChanges, NameChecker, Naming, ObjectKindName, PostgresLocks,
    default_analyzers,
};
pub use changeset::{ChangeSet, MigrationFile, Position, Statement, StatementFlags, Suppression};
pub use config::{
    AnalyzerSettings, ConfigError, LintConfig, NamePattern, NamingConfig, ReviewPolicy,
    may_apply_without_review,
};
pub use context::{Context, FileScope};
pub use diagnostic::{Diagnostic, Severity, TableRef};
pub use linter::Linter;
pub use preflight::{Preflight, QueryWriter};
pub use renames::rename_hints;
pub use report::{FileSummary, Report, format_duration};
pub use schema_rules::{
    ColumnsHaveValues, ForeignKeysIndexed, NamingRule, PrimaryKeyRequired, SchemaFinding,
    SchemaLinter, SchemaRule,
};
pub use sizes::{LockRisk, LockThresholds, TableSize, TableSizes};

use schema_diff::Change;
use schema_model::Realm;

/// Runs the default analyzers over a planned change list (no dialect, no positions).
pub fn lint(changes: &[Change], current: &Realm) -> Report {
    Linter::default().run(&ChangeSet::from_changes(changes), Some(current))
}

/// Runs the given analyzers over a planned change list.
pub fn lint_with(analyzers: Vec<Box<dyn Analyzer>>, changes: &[Change], current: &Realm) -> Report {
    let mut linter = Linter::empty();
    for a in analyzers {
        linter = linter.with_boxed(a);
    }
    linter.run(&ChangeSet::from_changes(changes), Some(current))
}
