//! Table sizes from the catalog: estimated rows and bytes, never by reading rows.

use mercator_driver::Driver;
use schema_lint::{TableSize, TableSizes};
use schema_model::DialectKind;

use super::error::LintError;

/// Estimated sizes of the user tables the driver can see: PostgreSQL's `pg_class.reltuples`
/// and `pg_total_relation_size`, MySQL's `information_schema.TABLES`, SQLite's `dbstat`
/// (when compiled in) and `sqlite_stat1` (after `ANALYZE`). Tables the catalog knows
/// nothing about are left out.
pub async fn table_sizes(driver: &dyn Driver) -> Result<TableSizes, LintError> {
    let mut sizes = TableSizes::new();
    let mut session = driver.session().await?;
    match driver.kind() {
        DialectKind::Postgres => {
            let rows = session
                .query(
                    "SELECT n.nspname, c.relname, GREATEST(c.reltuples, 0)::bigint, \
                     pg_total_relation_size(c.oid) FROM pg_class c \
                     JOIN pg_namespace n ON n.oid = c.relnamespace \
                     WHERE c.relkind IN ('r', 'p') AND n.nspname NOT LIKE 'pg\\_%' \
                     AND n.nspname <> 'information_schema'",
                )
                .await?;
            for row in rows.rows {
                insert(&mut sizes, &row);
            }
        }
        DialectKind::Mysql => {
            let rows = session
                .query(
                    "SELECT TABLE_SCHEMA, TABLE_NAME, COALESCE(TABLE_ROWS, 0), \
                     COALESCE(DATA_LENGTH, 0) + COALESCE(INDEX_LENGTH, 0) \
                     FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' \
                     AND TABLE_SCHEMA NOT IN ('mysql', 'information_schema', \
                     'performance_schema', 'sys')",
                )
                .await?;
            for row in rows.rows {
                insert(&mut sizes, &row);
            }
        }
        DialectKind::Sqlite => {
            // Neither table is always there: `dbstat` is a compile-time option and
            // `sqlite_stat1` appears with ANALYZE. Missing ones leave sizes unknown.
            let bytes = session
                .query("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name")
                .await
                .map(|r| r.rows)
                .unwrap_or_default();
            let rows = session
                .query("SELECT tbl, stat FROM sqlite_stat1 WHERE idx IS NULL OR idx = tbl")
                .await
                .map(|r| r.rows)
                .unwrap_or_default();
            let mut found = std::collections::BTreeMap::<String, TableSize>::new();
            for row in bytes {
                if let (Some(Some(name)), Some(Some(b))) = (row.first(), row.get(1)) {
                    found.entry(name.clone()).or_default().bytes = b.parse().unwrap_or(0);
                }
            }
            for row in rows {
                if let (Some(Some(name)), Some(Some(stat))) = (row.first(), row.get(1)) {
                    let n = stat.split_whitespace().next().and_then(|n| n.parse().ok());
                    found.entry(name.clone()).or_default().rows = n.unwrap_or(0);
                }
            }
            for (name, size) in found {
                sizes.insert("main", name, size);
            }
        }
    }
    Ok(sizes)
}

fn insert(sizes: &mut TableSizes, row: &[Option<String>]) {
    let text = |i: usize| row.get(i).and_then(|v| v.as_deref());
    let number = |i: usize| text(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0) as u64;
    if let (Some(schema), Some(table)) = (text(0), text(1)) {
        sizes.insert(
            schema,
            table,
            TableSize {
                rows: number(2),
                bytes: number(3),
            },
        );
    }
}
