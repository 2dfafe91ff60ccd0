//! Tables and their columns.

use std::collections::HashMap;

use mysql_async::{Conn, Value};
use schema_model::{Column, ColumnType, Generated, MysqlTable, Table};

use super::Tables;
use super::rows::{number, query, query_with, string, text};
use super::scope::Scope;
use super::types::{parse_default, parse_type};
use crate::flavor::ServerVersion;
use mercator_driver::DriverError;

/// Collation → character set: of every collation, or in a scoped read of just those
/// `needed` (a scoped read of one table should not cost a scan of the server's collations).
pub async fn charsets(
    conn: &mut Conn,
    needed: Option<&[String]>,
) -> Result<HashMap<String, String>, DriverError> {
    let rows = match needed {
        None => {
            query(
                conn,
                "SELECT COLLATION_NAME, CHARACTER_SET_NAME FROM information_schema.COLLATIONS",
            )
            .await?
        }
        Some([]) => Vec::new(),
        Some(names) => {
            let list = vec!["?"; names.len()].join(", ");
            query_with(
                conn,
                &format!(
                    "SELECT COLLATION_NAME, CHARACTER_SET_NAME \
                     FROM information_schema.COLLATIONS WHERE COLLATION_NAME IN ({list})"
                ),
                names.iter().map(|n| Value::from(n.as_str())).collect(),
            )
            .await?
        }
    };
    Ok(rows.iter().map(|r| (string(r, 0), string(r, 1))).collect())
}

/// Reads every base table of the scope, with table options and columns.
pub async fn tables(
    conn: &mut Conn,
    scope: &Scope,
    defaults: &HashMap<String, Option<String>>,
    server: &ServerVersion,
) -> Result<Tables, DriverError> {
    let filter = scope.filter("TABLE_SCHEMA", "TABLE_NAME");
    let rows = query_with(
        conn,
        &format!(
            "SELECT TABLE_SCHEMA, TABLE_NAME, ENGINE, TABLE_COLLATION, AUTO_INCREMENT, \
             CREATE_OPTIONS, TABLE_COMMENT FROM information_schema.TABLES \
             WHERE TABLE_TYPE = 'BASE TABLE' AND {} \
             ORDER BY TABLE_SCHEMA, TABLE_NAME",
            filter.sql
        ),
        filter.params,
    )
    .await?;
    let charset_of = if scope.is_scoped() {
        let mut needed: Vec<String> = rows.iter().filter_map(|r| text(r, 3)).collect();
        needed.sort();
        needed.dedup();
        charsets(conn, Some(&needed)).await?
    } else {
        charsets(conn, None).await?
    };
    let mut tables = Tables::default();
    for row in &rows {
        let schema = string(row, 0);
        let name = string(row, 1);
        let collation = text(row, 3);
        // Tables inherit the schema's collation; only a different one is recorded, so a
        // schema created with other defaults (a scratch database) still reads the same.
        let schema_default = defaults.get(&schema).cloned().flatten();
        let collation = collation.filter(|c| Some(c) != schema_default.as_ref());
        let row_format = string(row, 5)
            .split_whitespace()
            .find_map(|opt| opt.strip_prefix("row_format=").map(str::to_ascii_uppercase));
        let mut table = Table::new(&name);
        table.mysql = MysqlTable {
            engine: text(row, 2),
            charset: collation.as_ref().and_then(|c| charset_of.get(c).cloned()),
            collation,
            auto_increment: number(row, 4).filter(|n| *n > 1),
            row_format,
            partition: None,
        };
        table.comment = text(row, 6).filter(|c| !c.is_empty());
        tables.insert(schema, table);
    }

    let filter = scope.filter("TABLE_SCHEMA", "TABLE_NAME");
    let rows = query_with(
        conn,
        &format!(
            "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, COLUMN_DEFAULT, \
             IS_NULLABLE, EXTRA, GENERATION_EXPRESSION, CHARACTER_SET_NAME, COLLATION_NAME, \
             COLUMN_COMMENT FROM information_schema.COLUMNS WHERE {} \
             ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION",
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
        let table_collation = table
            .mysql
            .collation
            .clone()
            .or_else(|| defaults.get(&schema).cloned().flatten());
        table
            .columns
            .push(column(row, table_collation.as_deref(), server));
    }
    partitions(conn, scope, &mut tables).await?;
    Ok(tables)
}

/// Reads the partitioning of the partitioned tables among `tables`. `PARTITIONS` names the
/// partitioned tables cheaply; their clause is taken from `SHOW CREATE TABLE`, which prints
/// it exactly as the server would accept it back (rebuilding it from `PARTITIONS` would
/// have to re-derive quoting, `COLUMNS` lists and subpartition layout per server).
async fn partitions(
    conn: &mut Conn,
    scope: &Scope,
    tables: &mut Tables,
) -> Result<(), DriverError> {
    let filter = scope.filter("TABLE_SCHEMA", "TABLE_NAME");
    let rows = query_with(
        conn,
        &format!(
            "SELECT DISTINCT TABLE_SCHEMA, TABLE_NAME FROM information_schema.PARTITIONS \
             WHERE PARTITION_NAME IS NOT NULL AND {} \
             ORDER BY TABLE_SCHEMA, TABLE_NAME",
            filter.sql
        ),
        filter.params,
    )
    .await?;
    for row in &rows {
        let (schema, name) = (string(row, 0), string(row, 1));
        let Some(table) = tables.get_mut(&schema, &name) else {
            continue;
        };
        let shown = query(
            conn,
            &format!(
                "SHOW CREATE TABLE {}",
                crate::quote::qualified(&schema, &name, None)
            ),
        )
        .await?;
        let create = shown.first().map(|r| string(r, 1)).unwrap_or_default();
        table.mysql.partition = partition_clause(&create);
    }
    Ok(())
}

/// The `PARTITION BY …` clause of a `SHOW CREATE TABLE` text. It starts on a line of its
/// own after the table options (column and key lines never start with `PARTITION BY`, and
/// line breaks inside string literals are printed escaped); MySQL wraps it in a
/// `/*!50100 … */` version comment, MariaDB does not.
pub(crate) fn partition_clause(create: &str) -> Option<String> {
    let mut offset = 0;
    for line in create.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let unwrapped = trimmed.strip_prefix("/*!").map(|rest| {
            rest.trim_start_matches(|c: char| c.is_ascii_digit())
                .trim_start()
        });
        let start = unwrapped.unwrap_or(trimmed);
        if start.starts_with("PARTITION BY ") {
            let begin = offset + (line.len() - start.len());
            let mut clause = create[begin..].trim_end();
            if unwrapped.is_some() {
                clause = clause.strip_suffix("*/").unwrap_or(clause).trim_end();
            }
            return Some(clause.to_owned());
        }
        offset += line.len();
    }
    None
}

fn column(row: &mysql_async::Row, table_collation: Option<&str>, server: &ServerVersion) -> Column {
    let name = string(row, 2);
    let ty = parse_type(&string(row, 3));
    let extra = string(row, 6);
    let lower_extra = extra.to_ascii_lowercase();
    let mut column = Column::new(&name, ty.clone());
    column.nullable = string(row, 5) == "YES";
    let generation = text(row, 7).filter(|g| !g.is_empty());
    if let Some(expr) = generation {
        column.generated = Some(Generated {
            expr,
            stored: lower_extra.contains("stored"),
        });
    } else {
        column.default = parse_default(text(row, 4).as_deref(), &extra, &ty, server);
    }
    column.auto_increment = lower_extra.contains("auto_increment");
    column.mysql.invisible = lower_extra.split_whitespace().any(|w| w == "invisible");
    if let Some(pos) = lower_extra.find("on update ") {
        let rest = &extra[pos + "on update ".len()..];
        column.mysql.on_update = rest.split_whitespace().next().map(str::to_owned);
    }
    let collation = text(row, 9);
    if collation.is_some() && collation.as_deref() != table_collation {
        column.collation = collation;
        column.mysql.charset = text(row, 8);
    }
    column.comment = text(row, 10).filter(|c| !c.is_empty());
    if matches!(column.ty, ColumnType::Json { .. }) {
        column.collation = None;
        column.mysql.charset = None;
    }
    column
}

#[cfg(test)]
mod tests {
    use super::partition_clause;

    #[test]
    fn mariadb_clause_is_taken_as_printed() {
        let create = "CREATE TABLE `t` (\n  `id` int(11) NOT NULL,\n  PRIMARY KEY (`id`)\n) \
                      ENGINE=InnoDB COMMENT='PARTITION BY x'\n PARTITION BY RANGE (`id`)\n\
                      (PARTITION `p0` VALUES LESS THAN (10) ENGINE = InnoDB,\n \
                      PARTITION `p1` VALUES LESS THAN MAXVALUE ENGINE = InnoDB)";
        assert_eq!(
            partition_clause(create).as_deref(),
            Some(
                "PARTITION BY RANGE (`id`)\n(PARTITION `p0` VALUES LESS THAN (10) ENGINE = \
                 InnoDB,\n PARTITION `p1` VALUES LESS THAN MAXVALUE ENGINE = InnoDB)"
            )
        );
    }

    #[test]
    fn mysql_version_comment_is_removed() {
        let create = "CREATE TABLE `t` (\n  `id` int NOT NULL\n) ENGINE=InnoDB\n\
                      /*!50100 PARTITION BY HASH (`id`)\nPARTITIONS 4 */";
        assert_eq!(
            partition_clause(create).as_deref(),
            Some("PARTITION BY HASH (`id`)\nPARTITIONS 4")
        );
    }

    #[test]
    fn unpartitioned_table_has_none() {
        assert_eq!(
            partition_clause("CREATE TABLE `t` (\n  `id` int\n) ENGINE=InnoDB"),
            None
        );
    }
}
