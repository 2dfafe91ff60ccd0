//! The contract between the shared differ and one database: normalization hooks and
//! rendering. The diff template itself lives once, in [`DialectExt::diff`].

use std::borrow::Cow;

use schema_model::{DialectKind, Realm};

use crate::diff::Capabilities;
use crate::{Change, DependencyGraph, DiffOptions, Plan, PlanError, PlanOptions};

/// What a database driver tells the shared differ and planner.
///
/// The differ compares two realms structurally; it is the dialect's job to make equal
/// things look equal first (type aliases, default spellings, implicit attributes), and to
/// turn changes into the database's SQL. Drivers implement the hooks; the diff template
/// (normalize both sides, adjust, diff with the dialect's capabilities, reconcile) is
/// [`DialectExt::diff`], which no driver re-implements.
pub trait Dialect: Send + Sync {
    /// Which database family this is.
    fn kind(&self) -> DialectKind;

    /// Whether [`Dialect::normalize`] can change a realm at all. Dialects whose
    /// inspector already produces the one canonical spelling (and that accept hand-built
    /// realms as they are) return `false`, so the differ compares the caller's realms by
    /// reference instead of cloning them.
    fn normalizes(&self) -> bool {
        false
    }

    /// Rewrites a realm into the canonical spelling this database's inspector produces, so a
    /// realm built by hand or loaded from JSON compares equal to an inspected one. Only
    /// called when [`Dialect::normalizes`] is true; must be idempotent.
    fn normalize(&self, realm: &mut Realm) {
        let _ = realm;
    }

    /// Adjusts the current state in the light of the desired one before they are compared
    /// (e.g. MySQL's `AUTO_INCREMENT` counter, which only counts as a change when the
    /// desired value is higher). The default leaves it alone.
    fn adjust(&self, from: &mut Cow<'_, Realm>, to: &Realm) {
        let _ = (from, to);
    }

    /// Rewrites the differ's changes where the database models an object differently from
    /// the differ (e.g. PostgreSQL serial columns that own their sequence). The default
    /// keeps them.
    fn reconcile(&self, changes: Vec<Change>, from: &Realm, to: &Realm) -> Vec<Change> {
        let _ = (from, to);
        changes
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

    /// Adds the dependencies between objects of `realm` that only this database's catalog
    /// knows to the graph the differ built from the model (see [`DependencyGraph`]). The
    /// differ recreates what depends on an object a change disturbs, and orders creations
    /// and drops by the graph. The default adds nothing.
    fn dependencies<'a>(&self, realm: &'a Realm, graph: &mut DependencyGraph<'a>) {
        let _ = (realm, graph);
    }

    /// What a newly created, empty database of this kind holds (PostgreSQL's `public`
    /// schema), so the SQL that creates a realm from nothing does not create it again.
    fn empty_database(&self) -> Realm {
        Realm::default()
    }

    /// Renders changes (in the order given) as statements.
    fn plan(&self, changes: &[Change], options: &PlanOptions) -> Result<Plan, PlanError>;
}

/// The diff template every dialect shares; implemented for every [`Dialect`].
pub trait DialectExt {
    /// Normalizes copies of both realms (no copy where the dialect does not normalize),
    /// lets the dialect adjust them, diffs them with the dialect's capabilities applied and
    /// lets the dialect reconcile the result.
    fn diff(&self, from: &Realm, to: &Realm, options: &DiffOptions) -> Vec<Change>;

    /// [`DialectExt::diff`] for callers that own their realms: both are normalized in
    /// place, so nothing is copied. Compute fingerprints before, if they are wanted of the
    /// realms as they were.
    fn diff_in_place(&self, from: &mut Realm, to: &mut Realm, options: &DiffOptions)
    -> Vec<Change>;
}

impl<D: Dialect + ?Sized> DialectExt for D {
    fn diff(&self, from: &Realm, to: &Realm, options: &DiffOptions) -> Vec<Change> {
        let from = normalized(self, from);
        let to = normalized(self, to);
        template(self, from, &to, options)
    }

    fn diff_in_place(
        &self,
        from: &mut Realm,
        to: &mut Realm,
        options: &DiffOptions,
    ) -> Vec<Change> {
        if self.normalizes() {
            self.normalize(from);
            self.normalize(to);
        }
        template(self, Cow::Borrowed(from), to, options)
    }
}

fn template<D: Dialect + ?Sized>(
    dialect: &D,
    mut from: Cow<'_, Realm>,
    to: &Realm,
    options: &DiffOptions,
) -> Vec<Change> {
    dialect.adjust(&mut from, to);
    let mut options = Cow::Borrowed(options);
    if !dialect.can_add_foreign_key() && options.defer_cyclic_foreign_keys {
        options.to_mut().defer_cyclic_foreign_keys = false;
    }
    let extra = edge_hook(|realm, graph| dialect.dependencies(realm, graph));
    let capabilities = Capabilities {
        rebuilds: &|c| dialect.rebuilds_table(c),
        table_parts: dialect.can_add_foreign_key(),
        extra: &extra,
    };
    let changes = crate::diff::diff_with(&from, to, &options, &capabilities);
    dialect.reconcile(changes, &from, to)
}

/// Pins a closure to the higher-ranked signature of [`Capabilities::extra`].
fn edge_hook<F: for<'a> Fn(&'a Realm, &mut DependencyGraph<'a>)>(hook: F) -> F {
    hook
}

fn normalized<'a, D: Dialect + ?Sized>(dialect: &D, realm: &'a Realm) -> Cow<'a, Realm> {
    if !dialect.normalizes() {
        return Cow::Borrowed(realm);
    }
    let mut owned = realm.clone();
    dialect.normalize(&mut owned);
    Cow::Owned(owned)
}
