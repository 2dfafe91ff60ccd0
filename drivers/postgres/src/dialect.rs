//! The PostgreSQL [`Dialect`]: normalization and rendering, no connection needed.

use schema_diff::{Change, DependencyGraph, Dialect, Plan, PlanError, PlanOptions};
use schema_model::{
    ColumnType, DialectKind, Identity, IdentityGeneration, IntWidth, Realm, SequenceOptions,
};

use crate::sequence::{RawOptions, bounds, normalize};
use crate::types::{parse_builtin, render};

/// A type as the inspector reads it back: the built-in spelling round-tripped through
/// `format_type`'s grammar; user-defined and raw types stay as they are.
fn normalize_type(ty: &mut ColumnType) {
    match ty {
        ColumnType::Array { element, .. } => normalize_type(element),
        ColumnType::Enum { name: Some(_), .. }
        | ColumnType::UserDefined { .. }
        | ColumnType::Raw { .. } => {}
        other => *other = parse_builtin(&render(other, "", None)),
    }
}

/// Sequence options with PostgreSQL's implicit values left out.
fn normalize_options(options: &SequenceOptions, ty: Option<&ColumnType>) -> SequenceOptions {
    let (lo, hi) = bounds(ty);
    let increment = options.increment.unwrap_or(1);
    let min = options
        .min_value
        .unwrap_or(if increment > 0 { 1 } else { lo });
    let max = options
        .max_value
        .unwrap_or(if increment > 0 { hi } else { -1 });
    let raw = RawOptions {
        start: options
            .start
            .unwrap_or(if increment > 0 { min } else { max }),
        increment,
        min,
        max,
        cache: options.cache.unwrap_or(1),
        cycle: options.cycle,
    };
    normalize(&raw, ty)
}

/// PostgreSQL's SQL dialect.
///
/// ```
/// use schema_diff::{Dialect, DialectExt, DiffOptions, PlanOptions};
/// use schema_model::*;
/// use mercator_postgres::PostgresDialect;
///
/// let dialect = PostgresDialect;
/// let users = Table::new("users")
///     .with_column(Column::new("id", ColumnType::int(IntWidth::Big)).not_null());
/// let from = Realm::new(vec![Schema::new("public")]);
/// let to = Realm::new(vec![Schema::new("public").with_table(users)]);
/// let changes = dialect.diff(&from, &to, &DiffOptions::default());
/// let plan = dialect.plan(&changes, &PlanOptions::default()).unwrap();
/// assert_eq!(plan.statements[0].sql, "CREATE TABLE \"public\".\"users\" (\n  \"id\" bigint NOT NULL\n)");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct PostgresDialect;

impl Dialect for PostgresDialect {
    fn kind(&self) -> DialectKind {
        DialectKind::Postgres
    }

    fn normalizes(&self) -> bool {
        true
    }

    /// Rewrites hand-built realms into what the inspector would read back: types in their
    /// PostgreSQL spelling, implicit names and defaults made explicit or dropped,
    /// auto-increment columns as identity columns.
    fn normalize(&self, realm: &mut Realm) {
        for schema in &mut realm.schemas {
            let name = schema.name.clone();
            for domain in &mut schema.domains {
                normalize_type(&mut domain.ty);
            }
            for composite in &mut schema.composites {
                for field in &mut composite.fields {
                    normalize_type(&mut field.ty);
                }
            }
            for sequence in &mut schema.sequences {
                if let Some(ty) = &mut sequence.ty {
                    normalize_type(ty);
                }
                if sequence.ty == Some(ColumnType::int(IntWidth::Big)) {
                    sequence.ty = None;
                }
                sequence.options = normalize_options(&sequence.options, sequence.ty.as_ref());
            }
            for table in &mut schema.tables {
                if let Some(key) = &mut table.primary_key
                    && key.name.is_none()
                {
                    key.name = Some(format!("{}_pkey", table.name));
                }
                for index in &mut table.indexes {
                    if index.method.as_deref() == Some("btree") {
                        index.method = None;
                    }
                }
                for key in &mut table.foreign_keys {
                    if key.ref_table.schema.as_deref() == Some(name.as_str()) {
                        key.ref_table.schema = None;
                    }
                }
                for column in &mut table.columns {
                    normalize_type(&mut column.ty);
                    if let Some(identity) = &mut column.identity {
                        identity.sequence = normalize_options(&identity.sequence, Some(&column.ty));
                    }
                    if column.auto_increment {
                        column.auto_increment = false;
                        if column.identity.is_none() {
                            column.identity = Some(Identity {
                                generation: IdentityGeneration::ByDefault,
                                sequence: Default::default(),
                            });
                        }
                    }
                }
            }
        }
    }

    /// The shared differ, then serial sequences (hidden in their columns) reconciled with
    /// standalone ones of the same name: see [`crate::serial::reconcile`].
    /// A new database has the `public` schema with its standard comment.
    fn empty_database(&self) -> Realm {
        let mut public = schema_model::Schema::new("public");
        public.comment = Some("standard public schema".into());
        Realm::new(vec![public])
    }

    /// What `pg_depend` says reads each routine (read by the inspector into
    /// [`Realm::routine_uses`]): see [`crate::depends`].
    fn dependencies<'a>(&self, realm: &'a Realm, graph: &mut DependencyGraph<'a>) {
        crate::depends::routine_edges(realm, graph);
    }

    fn reconcile(&self, changes: Vec<Change>, from: &Realm, to: &Realm) -> Vec<Change> {
        crate::serial::reconcile(changes, from, to)
    }

    fn plan(&self, changes: &[Change], options: &PlanOptions) -> Result<Plan, PlanError> {
        crate::plan::plan(changes, options)
    }
}
