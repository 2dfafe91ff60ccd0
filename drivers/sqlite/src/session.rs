//! [`SqliteSession`]: transactions, statements and queries on the driver's connection, and
//! the revisions table.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use rusqlite::Connection;
use rusqlite::types::ValueRef;

use mercator_driver::{
    CLOUD_IDENTIFIER, DriverError, Revision, RevisionKind, RevisionStore, RevisionsTable, Rows,
    Session, TxOptions, source,
};

use crate::driver::{SqliteDriver, error_code};
use crate::names::quote;

/// A session on a [`SqliteDriver`]'s connection; holds the driver's gate while it lives.
pub(crate) struct SqliteSession<'a> {
    driver: &'a SqliteDriver,
    _gate: tokio::sync::MutexGuard<'a, ()>,
    /// Foreign-key enforcement was switched off by `begin` and is restored at the end.
    restore_foreign_keys: bool,
}

impl<'a> SqliteSession<'a> {
    pub(crate) fn new(driver: &'a SqliteDriver, gate: tokio::sync::MutexGuard<'a, ()>) -> Self {
        SqliteSession {
            driver,
            _gate: gate,
            restore_foreign_keys: false,
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, DriverError> + Send + 'static,
    ) -> Result<T, DriverError> {
        self.driver.blocking_ungated(f).await
    }
}

fn exec_error(sql: &str, e: rusqlite::Error) -> DriverError {
    DriverError::Exec {
        index: 0,
        sql: sql.to_owned(),
        message: e.to_string(),
        code: error_code(&e),
        applied: Vec::new(),
        source: Some(source(e)),
    }
}

fn exec_message(sql: &str, message: String) -> DriverError {
    DriverError::Exec {
        index: 0,
        sql: sql.to_owned(),
        message,
        code: None,
        applied: Vec::new(),
        source: None,
    }
}

fn batch(conn: &Connection, sql: &str) -> Result<(), DriverError> {
    conn.execute_batch(sql).map_err(|e| exec_error(sql, e))
}

#[async_trait]
impl Session for SqliteSession<'_> {
    fn transactional_ddl(&self) -> bool {
        true
    }

    fn in_transaction(&self) -> bool {
        !self.driver.with_connection(|c| c.is_autocommit())
    }

    async fn begin(&mut self, options: TxOptions) -> Result<(), DriverError> {
        let defer = options.foreign_keys_at_commit;
        let switched = self
            .run(move |conn| {
                // SQLite ignores this pragma inside a transaction, so it is set first.
                let enforced = defer
                    && conn
                        .query_row("PRAGMA foreign_keys", [], |r| r.get::<_, i64>(0))
                        .map_err(|e| exec_error("PRAGMA foreign_keys", e))?
                        != 0;
                if enforced {
                    batch(conn, "PRAGMA foreign_keys = OFF")?;
                }
                if let Err(e) = batch(conn, "BEGIN IMMEDIATE") {
                    if enforced {
                        let _ = conn.execute_batch("PRAGMA foreign_keys = ON");
                    }
                    return Err(e);
                }
                Ok(enforced)
            })
            .await?;
        self.restore_foreign_keys = switched;
        Ok(())
    }

    async fn execute(&mut self, sql: &str) -> Result<(), DriverError> {
        let sql = sql.to_owned();
        self.run(move |conn| batch(conn, &sql)).await
    }

    async fn query(&mut self, sql: &str) -> Result<Rows, DriverError> {
        let sql = sql.to_owned();
        self.run(move |conn| query_rows(conn, &sql).map_err(|e| exec_error(&sql, e)))
            .await
    }

    /// Before committing a transaction begun with foreign keys deferred, every key is
    /// verified; a violation rolls the whole transaction back.
    async fn commit(&mut self) -> Result<(), DriverError> {
        let check = std::mem::take(&mut self.restore_foreign_keys);
        self.run(move |conn| {
            let outcome = commit_checked(conn, check);
            if outcome.is_err() {
                let _ = conn.execute_batch("ROLLBACK");
            }
            if check {
                // Restoring enforcement cannot fail outside a transaction; if it did, later
                // statements would still run, only unchecked, which the next apply reports.
                let _ = conn.execute_batch("PRAGMA foreign_keys = ON");
            }
            outcome
        })
        .await
    }

    async fn rollback(&mut self) -> Result<(), DriverError> {
        let restore = std::mem::take(&mut self.restore_foreign_keys);
        self.run(move |conn| {
            let outcome = if conn.is_autocommit() {
                Ok(())
            } else {
                batch(conn, "ROLLBACK")
            };
            if restore {
                let _ = conn.execute_batch("PRAGMA foreign_keys = ON");
            }
            outcome
        })
        .await
    }
}

fn commit_checked(conn: &Connection, check_foreign_keys: bool) -> Result<(), DriverError> {
    if check_foreign_keys {
        let violations =
            foreign_key_violations(conn).map_err(|e| exec_error("PRAGMA foreign_key_check", e))?;
        if !violations.is_empty() {
            return Err(exec_message(
                "PRAGMA foreign_key_check",
                format!("foreign key violations: {}", violations.join("; ")),
            ));
        }
    }
    batch(conn, "COMMIT")
}

/// Up to ten violations, described as `table "child" row 3 references "parent"`.
fn foreign_key_violations(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        if out.len() == 10 {
            out.push("…".to_owned());
            break;
        }
        let table: String = row.get(0)?;
        let rowid: Option<i64> = row.get(1)?;
        let parent: String = row.get(2)?;
        out.push(match rowid {
            Some(id) => format!("table {table:?} row {id} references missing {parent:?} row"),
            None => format!("table {table:?} references missing {parent:?} row"),
        });
    }
    Ok(out)
}

fn query_rows(conn: &Connection, sql: &str) -> rusqlite::Result<Rows> {
    let mut stmt = conn.prepare(sql)?;
    let columns: Vec<String> = stmt
        .column_names()
        .iter()
        .map(|c| (*c).to_owned())
        .collect();
    let width = columns.len();
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut values = Vec::with_capacity(width);
        for i in 0..width {
            values.push(match row.get_ref(i)? {
                ValueRef::Null => None,
                ValueRef::Integer(v) => Some(v.to_string()),
                ValueRef::Real(v) => Some(v.to_string()),
                ValueRef::Text(t) | ValueRef::Blob(t) => {
                    Some(String::from_utf8_lossy(t).into_owned())
                }
            });
        }
        out.push(values);
    }
    Ok(Rows { columns, rows: out })
}

/// `"schema"."table"`, or just the table in `main`.
fn table_name(table: &RevisionsTable) -> String {
    match table.schema.as_deref() {
        None | Some("main") => quote(&table.name),
        Some(schema) => format!("{}.{}", quote(schema), quote(&table.name)),
    }
}

fn revisions_error(table: &RevisionsTable, e: rusqlite::Error) -> DriverError {
    DriverError::Revisions {
        table: table_name(table),
        message: e.to_string(),
        code: error_code(&e),
        source: Some(source(e)),
    }
}

/// The timestamp layout Atlas's SQLite driver writes (Go's default `time.Time` text).
const TIME_LAYOUT: &str = "%Y-%m-%d %H:%M:%S%.f%:z";

fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    DateTime::parse_from_str(text, TIME_LAYOUT)
        .or_else(|_| DateTime::parse_from_rfc3339(text))
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            // Go appends the zone name (`+0000 UTC`); SQLite's own layout has no zone.
            let bare = text.split(" +").next().unwrap_or(text);
            NaiveDateTime::parse_from_str(bare, "%Y-%m-%d %H:%M:%S%.f")
                .ok()
                .map(|t| t.and_utc())
        })
}

#[async_trait]
impl RevisionStore for SqliteSession<'_> {
    async fn ensure_revisions_table(&mut self, table: &RevisionsTable) -> Result<(), DriverError> {
        let table = table.clone();
        self.run(move |conn| {
            let sql = format!(
                "CREATE TABLE IF NOT EXISTS {} (\
                 `version` text NOT NULL, `description` text NOT NULL, \
                 `type` integer NOT NULL DEFAULT 2, `applied` integer NOT NULL DEFAULT 0, \
                 `total` integer NOT NULL DEFAULT 0, `executed_at` datetime NOT NULL, \
                 `execution_time` integer NOT NULL, `error` text NULL, `error_stmt` text NULL, \
                 `hash` text NOT NULL, `partial_hashes` json NULL, \
                 `operator_version` text NOT NULL, PRIMARY KEY (`version`))",
                table_name(&table)
            );
            conn.execute_batch(&sql)
                .map_err(|e| revisions_error(&table, e))
        })
        .await
    }

    async fn read_revisions(
        &mut self,
        table: &RevisionsTable,
    ) -> Result<Vec<Revision>, DriverError> {
        let table = table.clone();
        self.run(move |conn| read(conn, &table).map_err(|e| revisions_error(&table, e)))
            .await
    }

    async fn write_revision(
        &mut self,
        table: &RevisionsTable,
        revision: &Revision,
    ) -> Result<(), DriverError> {
        let table = table.clone();
        let revision = revision.clone();
        self.run(move |conn| {
            let partial = match &revision.partial_hashes {
                Some(hashes) => {
                    Some(
                        serde_json::to_string(hashes).map_err(|e| DriverError::Revisions {
                            table: table_name(&table),
                            message: format!("cannot encode partial hashes: {e}"),
                            code: None,
                            source: Some(source(e)),
                        })?,
                    )
                }
                None => None,
            };
            let sql = format!(
                "INSERT OR REPLACE INTO {} (version, description, type, applied, total, \
                 executed_at, execution_time, error, error_stmt, hash, partial_hashes, \
                 operator_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                table_name(&table)
            );
            let nanos = i64::try_from(revision.execution_time.as_nanos()).unwrap_or(i64::MAX);
            conn.execute(
                &sql,
                rusqlite::params![
                    revision.version,
                    revision.description,
                    i64::try_from(revision.kind.0).unwrap_or(i64::MAX),
                    revision.applied,
                    revision.total,
                    revision.executed_at.format(TIME_LAYOUT).to_string(),
                    nanos,
                    revision.error,
                    revision.error_stmt,
                    revision.hash,
                    partial,
                    revision.operator_version,
                ],
            )
            .map(|_| ())
            .map_err(|e| revisions_error(&table, e))
        })
        .await
    }

    async fn delete_revision(
        &mut self,
        table: &RevisionsTable,
        version: &str,
    ) -> Result<(), DriverError> {
        let table = table.clone();
        let version = version.to_owned();
        self.run(move |conn| {
            let sql = format!("DELETE FROM {} WHERE version = ?", table_name(&table));
            conn.execute(&sql, [&version])
                .map(|_| ())
                .map_err(|e| revisions_error(&table, e))
        })
        .await
    }
}

fn read(conn: &Connection, table: &RevisionsTable) -> rusqlite::Result<Vec<Revision>> {
    let schema = table.schema.as_deref().unwrap_or("main");
    let exists: i64 = conn.query_row(
        &format!(
            "SELECT count(*) FROM {}.sqlite_schema WHERE type = 'table' AND name = ?",
            quote(schema)
        ),
        [&table.name],
        |r| r.get(0),
    )?;
    if exists == 0 {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT version, description, type, applied, total, executed_at, execution_time, \
         error, error_stmt, hash, partial_hashes, operator_version FROM {} ORDER BY version",
        table_name(table)
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([], |r| {
        let executed_at: String = r.get(5)?;
        let partial: Option<String> = r.get(10)?;
        let nanos: i64 = r.get(6)?;
        Ok(Revision {
            version: r.get(0)?,
            description: r.get(1)?,
            kind: RevisionKind(u64::try_from(r.get::<_, i64>(2)?).unwrap_or_default()),
            applied: r.get(3)?,
            total: r.get(4)?,
            executed_at: parse_time(&executed_at).unwrap_or_default(),
            execution_time: std::time::Duration::from_nanos(u64::try_from(nanos).unwrap_or(0)),
            error: r.get(7)?,
            error_stmt: r.get(8)?,
            hash: r.get(9)?,
            partial_hashes: partial.and_then(|p| serde_json::from_str(&p).ok()),
            operator_version: r.get(11)?,
        })
    })?;
    let mut out = Vec::new();
    for row in rows {
        let revision = row?;
        if revision.version != CLOUD_IDENTIFIER {
            out.push(revision);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::parse_time;

    #[test]
    fn reads_the_timestamps_atlas_writes() {
        for text in [
            "2024-03-01 10:20:30.123456789+00:00",
            "2024-03-01T10:20:30Z",
            "2024-03-01 10:20:30.5 +0000 UTC",
            "2024-03-01 10:20:30",
        ] {
            assert!(parse_time(text).is_some(), "{text}");
        }
        assert!(parse_time("yesterday").is_none());
    }
}
