//! The diff engine and planning contracts of Mercator.
//!
//! [`diff`] compares two [`schema_model::Realm`]s and returns the [`Change`]s that turn the
//! first into the second, ordered so they can be applied one after another. The order
//! comes from one [`DependencyGraph`] of which objects read which (foreign keys the keys
//! they reference, views and policies the columns they read, domains and expressions the
//! functions they call, child tables their parents): creations follow what they read,
//! drops precede it, and what reads an object a change disturbs (a key dropped, a column
//! retyped, an enum recreated) is dropped before the change and created again after it.
//! A driver's [`Dialect`] normalizes realms, adds the dependencies only its catalog knows,
//! and renders changes as a [`Plan`] of SQL statements.
//!
//! ```
//! use schema_diff::{diff, Change, DiffOptions, ObjectKind};
//! use schema_model::*;
//!
//! let empty = Realm::new(vec![Schema::new("main")]);
//! let users = Table::new("users")
//!     .with_column(Column::new("id", ColumnType::int(IntWidth::Int)).not_null());
//! let desired = Realm::new(vec![Schema::new("main").with_table(users)]);
//!
//! let changes = diff(&empty, &desired, &DiffOptions::default());
//! assert!(matches!(&changes[..], [Change::AddTable { table, .. }] if table.name == "users"));
//!
//! // Policies: keep tables that exist only in the database.
//! let keep = DiffOptions::default().skip_drops_of(ObjectKind::Table);
//! assert!(diff(&desired, &empty, &keep).is_empty());
//! ```
//!
//! To read a realm from a database use a driver crate; to lint changes use `schema-lint`.

mod change;
mod dialect;
mod diff;
mod graph;
mod options;
mod plan;
mod renames;

pub use change::*;
pub use dialect::{Dialect, DialectExt};
pub use diff::diff;
pub use graph::{DependencyGraph, EdgeKind, Node};
pub use options::{DiffOptions, RenameHint};
pub use plan::{Plan, PlanError, PlanOptions, PlannedStatement};
pub use renames::rename_candidates;
