//! The SQLite [`Dialect`]: normalization and rendering, usable without a connection.

use schema_diff::{Change, Dialect, Plan, PlanError, PlanOptions};
use schema_model::{DialectKind, Realm, View};

use crate::types::{canonical_type, parse_default, strip_outer_parens};

/// SQLite's SQL dialect.
///
/// ```
/// use schema_diff::{Dialect, DialectExt, DiffOptions, PlanOptions};
/// use schema_model::*;
/// use mercator_sqlite::SqliteDialect;
///
/// let empty = Realm::new(vec![Schema::new("main")]);
/// let users = Table::new("users")
///     .with_column(Column::new("id", ColumnType::int(IntWidth::Int)).not_null());
/// let desired = Realm::new(vec![Schema::new("main").with_table(users)]);
///
/// let changes = SqliteDialect.diff(&empty, &desired, &DiffOptions::default());
/// let plan = SqliteDialect.plan(&changes, &PlanOptions::default()).unwrap();
/// assert_eq!(plan.statements[0].sql, r#"CREATE TABLE "users" ("id" integer NOT NULL)"#);
/// assert_eq!(plan.statements[0].comment, r#"Create "users" table"#);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SqliteDialect;

impl Dialect for SqliteDialect {
    fn kind(&self) -> DialectKind {
        DialectKind::Sqlite
    }

    fn normalizes(&self) -> bool {
        true
    }

    /// Brings hand-built realms to the inspector's spelling: canonical type names,
    /// literal/expression defaults as SQLite reports them, no comments (SQLite keeps
    /// none), same-schema references unqualified, no other dialects' options.
    fn normalize(&self, realm: &mut Realm) {
        realm.extensions.clear();
        for schema in &mut realm.schemas {
            let schema_name = schema.name.clone();
            schema.comment = None;
            schema.mysql = Default::default();
            for table in &mut schema.tables {
                table.comment = None;
                table.mysql = Default::default();
                table.postgres = Default::default();
                for column in &mut table.columns {
                    column.ty = canonical_type(&column.ty);
                    column.default = column
                        .default
                        .as_ref()
                        .map(|d| parse_default(strip_outer_parens(d.sql())));
                    column.comment = None;
                    column.mysql = Default::default();
                }
                for index in &mut table.indexes {
                    index.comment = None;
                    index.storage_params.clear();
                    index.invisible = false;
                }
                if let Some(key) = &mut table.primary_key {
                    key.name = None;
                }
                // SQLite accepts AUTOINCREMENT only on a single-column `integer` primary
                // key; elsewhere the flag cannot be honoured and is dropped.
                let sole_key: Option<String> = table.primary_key.as_ref().and_then(|k| {
                    let mut names = k.column_names();
                    match (names.next(), names.next()) {
                        (Some(name), None) => Some(name.to_owned()),
                        _ => None,
                    }
                });
                for column in &mut table.columns {
                    if column.auto_increment {
                        if sole_key.as_deref() == Some(column.name.as_str())
                            && column.ty.is_integer()
                        {
                            column.ty = schema_model::ColumnType::int(schema_model::IntWidth::Int);
                        } else {
                            column.auto_increment = false;
                        }
                    }
                }
                for fk in &mut table.foreign_keys {
                    if fk
                        .ref_table
                        .schema
                        .as_deref()
                        .is_some_and(|s| s == schema_name || s == crate::inspect::SCHEMA)
                    {
                        fk.ref_table.schema = None;
                    }
                }
            }
            for view in &mut schema.views {
                *view = strip_view_comment(view);
            }
            for trigger in &mut schema.triggers {
                trigger.comment = None;
            }
        }
    }

    fn can_add_foreign_key(&self) -> bool {
        false
    }

    fn rebuilds_table(&self, change: &Change) -> bool {
        match change {
            Change::ModifyTable {
                from, to, changes, ..
            } => crate::plan::needs_rebuild(from, to, changes),
            _ => false,
        }
    }

    fn plan(&self, changes: &[Change], options: &PlanOptions) -> Result<Plan, PlanError> {
        crate::plan::plan(changes, options)
    }
}

/// A view without what SQLite does not keep (comments, inspected columns).
pub(crate) fn strip_view_comment(view: &View) -> View {
    View {
        comment: None,
        columns: Vec::new(),
        ..view.clone()
    }
}
