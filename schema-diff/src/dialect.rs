//! The contract between the shared differ and one database: normalization and rendering.

use schema_model::Realm;

use crate::{Change, DiffOptions, Plan, PlanError, PlanOptions};

/// What a database driver tells the shared differ and planner.
///
/// The differ compares two realms structurally; it is the dialect's job to make equal
/// things look equal first (type aliases, default spellings, implicit attributes), and to
/// turn changes into the database's SQL.
pub trait Dialect: Send + Sync {
    /// A short name: `sqlite`, `postgres`, `mysql`.
    fn name(&self) -> &'static str;

    /// Rewrites a realm into the canonical spelling this database's inspector produces, so a
    /// realm built by hand or loaded from JSON compares equal to an inspected one. Inspected
    /// realms are already normal; the default does nothing.
    fn normalize(&self, realm: &mut Realm) {
        let _ = realm;
    }

    /// Whether the database can add a foreign key to an existing table in place. Where it
    /// cannot (SQLite), foreign-key cycles between new tables are created inline, which
    /// such databases accept because they check references lazily.
    fn can_add_foreign_key(&self) -> bool {
        true
    }

    /// Whether this dialect carries out the given `ModifyTable` by recreating the table
    /// (SQLite's rebuild procedure). The differ then recreates the triggers of such tables
    /// and the views that read them.
    fn rebuilds_table(&self, change: &Change) -> bool {
        let _ = change;
        false
    }

    /// Renders changes (in the order given) as statements.
    fn plan(&self, changes: &[Change], options: &PlanOptions) -> Result<Plan, PlanError>;

    /// Normalizes both realms and diffs them with this database's capabilities applied.
    fn diff(&self, from: &Realm, to: &Realm, options: &DiffOptions) -> Vec<Change> {
        let mut from = from.clone();
        let mut to = to.clone();
        self.normalize(&mut from);
        self.normalize(&mut to);
        let mut options = options.clone();
        if !self.can_add_foreign_key() {
            options.defer_cyclic_foreign_keys = false;
        }
        crate::diff::diff_with_rebuilds(&from, &to, &options, &|c| self.rebuilds_table(c))
    }
}
