//! [`MysqlDialect`]: normalization and rendering for MySQL 8 and MariaDB.

use std::borrow::Cow;

use schema_diff::{Change, Dialect, Plan, PlanError, PlanOptions};
use schema_model::{
    BinaryKind, ColumnType, DefaultValue, DialectKind, IntWidth, Realm, ReferentialAction, Schema,
    Table,
};

use crate::flavor::{Flavor, ServerVersion};
use crate::render;

/// The MySQL family's SQL dialect, for one server flavor and version.
///
/// Rendering differences (descending and invisible indexes, `NOT ENFORCED` checks, the
/// `UUID` type, `DROP CHECK` vs `DROP CONSTRAINT`) are decided by version checks, so a plan
/// can be rendered for a server without connecting to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MysqlDialect {
    server: ServerVersion,
}

impl MysqlDialect {
    /// MySQL 8.0 (latest patch level).
    pub fn mysql8() -> Self {
        MysqlDialect {
            server: ServerVersion {
                flavor: Flavor::Mysql,
                version: (8, 0, 40),
            },
        }
    }

    /// MariaDB of the given `(major, minor, patch)` version.
    pub fn mariadb(version: (u32, u32, u32)) -> Self {
        MysqlDialect {
            server: ServerVersion {
                flavor: Flavor::Mariadb,
                version,
            },
        }
    }

    /// The dialect of a server as it reported itself.
    pub fn for_server(server: ServerVersion) -> Self {
        MysqlDialect { server }
    }

    /// The server this dialect renders for.
    pub fn server(&self) -> ServerVersion {
        self.server
    }
}

fn is_null(default: &DefaultValue) -> bool {
    default.sql().eq_ignore_ascii_case("null")
}

/// Collations equal to the inherited one are implicit: the inspector records a table's
/// collation only where it differs from the schema's, and a column's only where it differs
/// from the table's.
fn drop_inherited_collations(table: &mut Table, schema_collation: Option<&str>) {
    if table.mysql.collation.is_some() && table.mysql.collation.as_deref() == schema_collation {
        table.mysql.collation = None;
        table.mysql.charset = None;
    }
    let inherited = table.mysql.collation.clone();
    let inherited = inherited.as_deref().or(schema_collation);
    for column in &mut table.columns {
        if column.collation.is_some() && column.collation.as_deref() == inherited {
            column.collation = None;
            column.mysql.charset = None;
        }
    }
}

fn normalize_table(table: &mut Table, server: &ServerVersion) {
    for column in &mut table.columns {
        if column.default.as_ref().is_some_and(is_null) {
            column.default = None;
        }
        column.ty = match std::mem::replace(&mut column.ty, ColumnType::Boolean) {
            ColumnType::Boolean => ColumnType::Integer {
                width: IntWidth::Tiny,
                unsigned: false,
                display_width: Some(1),
            },
            ColumnType::Json { .. } => ColumnType::Json { binary: false },
            ColumnType::Uuid if !server.supports_uuid() => ColumnType::Binary {
                binary: BinaryKind::Binary,
                length: Some(16),
            },
            other => other,
        };
        if matches!(column.ty, ColumnType::Json { .. }) && !server.native_json() {
            // MariaDB stores JSON as utf8mb4_bin text; the collation is implied.
            column.collation = None;
            column.mysql.charset = None;
        }
    }
    for key in &mut table.foreign_keys {
        for action in [&mut key.on_update, &mut key.on_delete] {
            if *action == ReferentialAction::Restrict {
                *action = ReferentialAction::NoAction;
            }
        }
    }
    for index in &mut table.indexes {
        index.method = index
            .method
            .take()
            .map(|m| m.to_ascii_uppercase())
            .filter(|m| m != "BTREE");
        if !server.supports_desc_index() {
            index.parts.iter_mut().for_each(|p| p.desc = false);
        }
    }
}

/// `AUTO_INCREMENT` on a live table is the next value, which grows with the data. Like
/// Atlas, only a desired value above the current one counts as a change.
fn settle_auto_increment(from: &mut Realm, to: &Realm) {
    for schema in &mut from.schemas {
        let Some(target) = to.schema(&schema.name) else {
            continue;
        };
        for table in &mut schema.tables {
            if let Some(wanted) = settled_auto_increment(table, target) {
                table.mysql.auto_increment = wanted;
            }
        }
    }
}

/// The counter `table` should be compared with, when it is not its own: the desired one,
/// unless the desired value is higher (a real change).
fn settled_auto_increment(table: &Table, target: &Schema) -> Option<Option<u64>> {
    let desired = target.table(&table.name)?;
    let wanted = desired.mysql.auto_increment;
    let current = table.mysql.auto_increment;
    let grows = matches!((wanted, current), (Some(w), Some(c)) if w > c)
        || (wanted.is_some_and(|w| w > 1) && current.is_none());
    (!grows && wanted != current).then_some(wanted)
}

/// Whether [`settle_auto_increment`] would change anything, so the current realm is only
/// copied when it must be.
fn needs_auto_increment_settling(from: &Realm, to: &Realm) -> bool {
    from.schemas.iter().any(|schema| {
        to.schema(&schema.name).is_some_and(|target| {
            schema
                .tables
                .iter()
                .any(|table| settled_auto_increment(table, target).is_some())
        })
    })
}

impl Dialect for MysqlDialect {
    fn kind(&self) -> DialectKind {
        DialectKind::Mysql
    }

    fn normalizes(&self) -> bool {
        true
    }

    fn normalize(&self, realm: &mut Realm) {
        for schema in &mut realm.schemas {
            let schema_collation = schema.mysql.collation.clone();
            for table in &mut schema.tables {
                drop_inherited_collations(table, schema_collation.as_deref());
                normalize_table(table, &self.server);
            }
        }
    }

    fn plan(&self, changes: &[Change], options: &PlanOptions) -> Result<Plan, PlanError> {
        render::plan(changes, options, &self.server)
    }

    fn adjust(&self, from: &mut Cow<'_, Realm>, to: &Realm) {
        if needs_auto_increment_settling(from, to) {
            settle_auto_increment(from.to_mut(), to);
        }
    }
}
