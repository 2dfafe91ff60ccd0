//! Primary keys, indexes, foreign keys and checks.

use mysql_async::Conn;
use schema_model::{
    Check, ColumnType, ForeignKey, Index, IndexPart, IndexTarget, PrimaryKey, QualifiedName,
    ReferentialAction,
};

use super::Tables;
use super::rows::{number, query_with, string, text};
use super::scope::Scope;
use crate::flavor::ServerVersion;
use mercator_driver::DriverError;

/// Adds primary keys and indexes from `STATISTICS`.
pub async fn indexes(
    conn: &mut Conn,
    scope: &Scope,
    tables: &mut Tables,
    server: &ServerVersion,
) -> Result<(), DriverError> {
    let visibility = if server.is_mariadb() {
        if server.supports_invisible_index() {
            "IGNORED = 'YES'"
        } else {
            "0"
        }
    } else if server.at_least(8, 0, 0) {
        "IS_VISIBLE = 'NO'"
    } else {
        "0"
    };
    let expression = if server.supports_expression_index() {
        "EXPRESSION"
    } else {
        "NULL"
    };
    let filter = scope.filter("TABLE_SCHEMA", "TABLE_NAME");
    let rows = query_with(
        conn,
        &format!(
            "SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART, \
             COLLATION, INDEX_TYPE, INDEX_COMMENT, {visibility}, {expression} \
             FROM information_schema.STATISTICS WHERE {} \
             ORDER BY TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX",
            filter.sql
        ),
        filter.params,
    )
    .await?;
    for row in &rows {
        let Some(table) = tables.get_mut(&string(row, 0), &string(row, 1)) else {
            continue;
        };
        let name = string(row, 2);
        let target = match text(row, 4) {
            Some(column) => IndexTarget::Column(column),
            None => IndexTarget::Expr(string(row, 10)),
        };
        let part = IndexPart {
            prefix: number(row, 5).map(|n| n as u32),
            desc: text(row, 6).as_deref() == Some("D"),
            ..IndexPart::column("")
        };
        let part = IndexPart { target, ..part };
        if name == "PRIMARY" {
            table
                .primary_key
                .get_or_insert_with(|| PrimaryKey::on_columns(&[]))
                .parts
                .push(part);
            continue;
        }
        if let Some(index) = table.indexes.iter_mut().find(|i| i.name == name) {
            let mut part = part;
            if index.method.as_deref() == Some("SPATIAL") {
                part.prefix = None;
            }
            index.parts.push(part);
            continue;
        }
        let mut index = Index::on_columns(&name, &[]);
        let method = string(row, 7).to_ascii_uppercase();
        let mut part = part;
        if method == "SPATIAL" {
            // The server reports an internal key length for spatial parts; it is not a
            // declared prefix.
            part.prefix = None;
        }
        index.parts.push(part);
        index.unique = string(row, 3) == "0";
        index.method = (method != "BTREE" && !method.is_empty()).then_some(method);
        index.comment = text(row, 8).filter(|c| !c.is_empty());
        index.invisible = number(row, 9) == Some(1);
        table.indexes.push(index);
    }
    Ok(())
}

fn action(rule: &str) -> ReferentialAction {
    match rule {
        "CASCADE" => ReferentialAction::Cascade,
        "SET NULL" => ReferentialAction::SetNull,
        "SET DEFAULT" => ReferentialAction::SetDefault,
        // InnoDB makes no difference between RESTRICT and NO ACTION, and the servers
        // report the unspecified action differently; both read as the default.
        _ => ReferentialAction::NoAction,
    }
}

/// Adds foreign keys from `KEY_COLUMN_USAGE` joined with `REFERENTIAL_CONSTRAINTS`.
pub async fn foreign_keys(
    conn: &mut Conn,
    scope: &Scope,
    tables: &mut Tables,
) -> Result<(), DriverError> {
    let mut filter = scope.filter("k.TABLE_SCHEMA", "k.TABLE_NAME");
    if scope.is_scoped() {
        // The join condition does not reach `REFERENTIAL_CONSTRAINTS`, which would
        // otherwise be read for every table of the schemas.
        filter = filter.and(scope.filter("r.CONSTRAINT_SCHEMA", "r.TABLE_NAME"));
    }
    let rows = query_with(
        conn,
        &format!(
            "SELECT k.TABLE_SCHEMA, k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, \
             k.REFERENCED_TABLE_SCHEMA, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, \
             r.UPDATE_RULE, r.DELETE_RULE \
             FROM information_schema.KEY_COLUMN_USAGE k \
             JOIN information_schema.REFERENTIAL_CONSTRAINTS r \
               ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA \
              AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME \
             WHERE {} AND k.REFERENCED_TABLE_NAME IS NOT NULL \
             ORDER BY k.TABLE_SCHEMA, k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION",
            filter.sql
        ),
        filter.params,
    )
    .await?;
    for row in &rows {
        let schema = string(row, 0);
        let Some(table) = tables.get_mut(&schema, &string(row, 1)) else {
            continue;
        };
        let name = string(row, 2);
        if let Some(key) = table.foreign_keys.iter_mut().find(|k| k.name == name) {
            key.columns.push(string(row, 3));
            key.ref_columns.push(string(row, 6));
            continue;
        }
        let ref_schema = string(row, 4);
        let ref_table = if ref_schema == schema {
            QualifiedName::bare(string(row, 5))
        } else {
            QualifiedName::qualified(ref_schema, string(row, 5))
        };
        table.foreign_keys.push(ForeignKey {
            name,
            columns: vec![string(row, 3)],
            ref_table,
            ref_columns: vec![string(row, 6)],
            on_update: action(&string(row, 7)),
            on_delete: action(&string(row, 8)),
            deferrable: Default::default(),
            match_full: false,
        });
    }
    Ok(())
}

/// Adds check constraints. On MariaDB a `longtext` column carrying the column-level check
/// `json_valid(col)` is a `JSON` column: it becomes [`ColumnType::Json`] and the check is
/// hidden.
pub async fn checks(
    conn: &mut Conn,
    scope: &Scope,
    tables: &mut Tables,
    server: &ServerVersion,
) -> Result<(), DriverError> {
    let (sql, params) = if server.is_mariadb() {
        let filter = scope.filter("CONSTRAINT_SCHEMA", "TABLE_NAME");
        let sql = format!(
            "SELECT CONSTRAINT_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE, LEVEL, 'YES' \
             FROM information_schema.CHECK_CONSTRAINTS WHERE {} \
             ORDER BY CONSTRAINT_SCHEMA, TABLE_NAME, CONSTRAINT_NAME",
            filter.sql
        );
        (sql, filter.params)
    } else if server.at_least(8, 0, 16) {
        let filter = scope.filter("t.TABLE_SCHEMA", "t.TABLE_NAME");
        let sql = format!(
            "SELECT t.TABLE_SCHEMA, t.TABLE_NAME, t.CONSTRAINT_NAME, c.CHECK_CLAUSE, 'Table', \
             t.ENFORCED FROM information_schema.TABLE_CONSTRAINTS t \
             JOIN information_schema.CHECK_CONSTRAINTS c \
               ON c.CONSTRAINT_SCHEMA = t.CONSTRAINT_SCHEMA \
              AND c.CONSTRAINT_NAME = t.CONSTRAINT_NAME \
             WHERE t.CONSTRAINT_TYPE = 'CHECK' AND {} \
             ORDER BY t.TABLE_SCHEMA, t.TABLE_NAME, t.CONSTRAINT_NAME",
            filter.sql
        );
        (sql, filter.params)
    } else {
        return Ok(());
    };
    let rows = query_with(conn, &sql, params).await?;
    for row in &rows {
        let Some(table) = tables.get_mut(&string(row, 0), &string(row, 1)) else {
            continue;
        };
        let name = string(row, 2);
        let expr = string(row, 3);
        if string(row, 4) == "Column"
            && expr == format!("json_valid({})", crate::quote::ident(&name))
            && let Some(column) = table.columns.iter_mut().find(|c| c.name == name)
            && matches!(column.ty, ColumnType::String { .. })
            && column.generated.is_none()
        {
            column.ty = ColumnType::Json { binary: false };
            column.collation = None;
            column.mysql.charset = None;
            continue;
        }
        table.checks.push(Check {
            name: Some(name),
            expr,
            no_inherit: false,
            not_enforced: string(row, 5) == "NO",
        });
    }
    Ok(())
}
