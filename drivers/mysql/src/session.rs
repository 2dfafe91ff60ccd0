//! [`MysqlSession`]: statements, queries and transactions on the driver's connection, and
//! the revisions table.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use chrono::NaiveDateTime;
use mercator_driver::{
    CLOUD_IDENTIFIER, DriverError, Revision, RevisionKind, RevisionStore, RevisionsTable, Rows,
    Session, TxOptions,
};
use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Row, Value};
use tokio::sync::MutexGuard;

use crate::driver::not_connected;
use crate::error::driver_error;
use crate::flavor::ServerVersion;
use crate::quote;

/// A session on a [`crate::MysqlDriver`]'s connection. MySQL commits every DDL statement on
/// its own, so transactions only group data changes (and the revisions bookkeeping).
pub(crate) struct MysqlSession<'a> {
    conn: MutexGuard<'a, Option<Conn>>,
    bound: Option<String>,
    /// Shared with the driver, so a session dropped inside a transaction is rolled back by
    /// the next one.
    open_transaction: Arc<AtomicBool>,
    /// The server, for the revisions table's DDL.
    server: ServerVersion,
}

impl<'a> MysqlSession<'a> {
    pub(crate) fn new(
        conn: MutexGuard<'a, Option<Conn>>,
        bound: Option<String>,
        open_transaction: Arc<AtomicBool>,
        server: ServerVersion,
    ) -> Self {
        MysqlSession {
            conn,
            bound,
            open_transaction,
            server,
        }
    }

    fn set_in_transaction(&self, open: bool) {
        self.open_transaction.store(open, Ordering::SeqCst);
    }

    fn conn(&mut self) -> Result<&mut Conn, DriverError> {
        self.conn.as_mut().ok_or_else(not_connected)
    }

    /// Runs a statement; a lost connection is dropped so the driver opens a new one.
    async fn run(&mut self, sql: &str) -> Result<(), DriverError> {
        let outcome = self.conn()?.query_drop(sql).await;
        outcome.map_err(|e| self.fail(sql, e))
    }

    fn fail(&mut self, sql: &str, error: mysql_async::Error) -> DriverError {
        let error = driver_error(error, |message, code, source| DriverError::Exec {
            index: 0,
            sql: sql.to_owned(),
            message,
            code,
            applied: Vec::new(),
            source,
        });
        if error.is_connection_lost() {
            *self.conn = None;
            self.set_in_transaction(false);
        }
        error
    }

    fn schema_of<'t>(&'t self, table: &'t RevisionsTable) -> &'t str {
        table
            .schema
            .as_deref()
            .or(self.bound.as_deref())
            .unwrap_or(mercator_driver::REVISIONS_TABLE)
    }

    fn qualified(&self, table: &RevisionsTable) -> String {
        format!(
            "{}.{}",
            quote::ident(self.schema_of(table)),
            quote::ident(&table.name)
        )
    }

    fn revisions_error(
        &mut self,
        table: &RevisionsTable,
        error: mysql_async::Error,
    ) -> DriverError {
        let name = self.qualified(table);
        let error = driver_error(error, |message, code, source| DriverError::Revisions {
            table: name,
            message,
            code,
            source,
        });
        if error.is_connection_lost() {
            *self.conn = None;
        }
        error
    }
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::NULL => None,
        Value::Bytes(bytes) => Some(String::from_utf8_lossy(bytes).into_owned()),
        Value::Int(v) => Some(v.to_string()),
        Value::UInt(v) => Some(v.to_string()),
        Value::Float(v) => Some(v.to_string()),
        Value::Double(v) => Some(v.to_string()),
        other => Some(other.as_sql(true).trim_matches('\'').to_owned()),
    }
}

#[async_trait]
impl Session for MysqlSession<'_> {
    fn transactional_ddl(&self) -> bool {
        false
    }

    fn in_transaction(&self) -> bool {
        self.open_transaction.load(Ordering::SeqCst)
    }

    async fn begin(&mut self, _options: TxOptions) -> Result<(), DriverError> {
        self.run("START TRANSACTION").await?;
        self.set_in_transaction(true);
        Ok(())
    }

    async fn execute(&mut self, sql: &str) -> Result<(), DriverError> {
        self.run(sql).await
    }

    async fn query(&mut self, sql: &str) -> Result<Rows, DriverError> {
        let outcome: Result<Vec<Row>, _> = self.conn()?.query(sql).await;
        let rows = outcome.map_err(|e| self.fail(sql, e))?;
        let mut out = Rows::default();
        if let Some(first) = rows.first() {
            out.columns = first
                .columns_ref()
                .iter()
                .map(|c| c.name_str().into_owned())
                .collect();
        }
        for row in rows {
            out.rows.push(
                (0..row.len())
                    .map(|i| row.as_ref(i).and_then(text))
                    .collect(),
            );
        }
        Ok(out)
    }

    async fn commit(&mut self) -> Result<(), DriverError> {
        let outcome = self.run("COMMIT").await;
        self.set_in_transaction(false);
        outcome
    }

    async fn rollback(&mut self) -> Result<(), DriverError> {
        let outcome = self.run("ROLLBACK").await;
        self.set_in_transaction(false);
        outcome
    }
}

/// Atlas's revisions table in MySQL's types: binary collation so versions compare
/// byte-wise, as Atlas orders them.
/// Atlas's DDL for the table, as its ORM (ent) emits it for the server: on MariaDB and on
/// MySQL before 8.0.2 a `timestamp` column without default is declared `NULL`, since it
/// would otherwise get `DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP`.
fn create_table(server: ServerVersion, schema: &str, qualified: &str) -> [String; 2] {
    let executed_at = if server.is_mariadb() || !server.at_least(8, 0, 2) {
        "timestamp NULL"
    } else {
        "timestamp NOT NULL"
    };
    [
        format!("CREATE DATABASE IF NOT EXISTS {}", quote::ident(schema)),
        format!(
            "CREATE TABLE IF NOT EXISTS {qualified} (\
             `version` varchar(255) NOT NULL, `description` varchar(255) NOT NULL, \
             `type` bigint unsigned NOT NULL DEFAULT 2, `applied` bigint NOT NULL DEFAULT 0, \
             `total` bigint NOT NULL DEFAULT 0, `executed_at` {executed_at}, \
             `execution_time` bigint NOT NULL, `error` longtext NULL, \
             `error_stmt` longtext NULL, `hash` varchar(255) NOT NULL, \
             `partial_hashes` json NULL, `operator_version` varchar(255) NOT NULL, \
             PRIMARY KEY (`version`)) CHARSET utf8mb4 COLLATE utf8mb4_bin"
        ),
    ]
}

#[async_trait]
impl RevisionStore for MysqlSession<'_> {
    async fn ensure_revisions_table(&mut self, table: &RevisionsTable) -> Result<(), DriverError> {
        let statements = create_table(self.server, self.schema_of(table), &self.qualified(table));
        for sql in statements {
            let outcome = self.conn()?.query_drop(&sql).await;
            outcome.map_err(|e| self.revisions_error(table, e))?;
        }
        Ok(())
    }

    async fn read_revisions(
        &mut self,
        table: &RevisionsTable,
    ) -> Result<Vec<Revision>, DriverError> {
        let exists_sql = format!(
            "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = {} \
             AND TABLE_NAME = {}",
            quote::string(self.schema_of(table)),
            quote::string(&table.name)
        );
        let found: Result<Option<i64>, _> = self.conn()?.query_first(&exists_sql).await;
        let found = found.map_err(|e| self.revisions_error(table, e))?;
        if found.unwrap_or(0) == 0 {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT `version`, `description`, `type`, `applied`, `total`, \
             DATE_FORMAT(`executed_at`, '%Y-%m-%d %H:%i:%s.%f'), `execution_time`, `error`, \
             `error_stmt`, `hash`, CAST(`partial_hashes` AS CHAR), `operator_version` \
             FROM {} ORDER BY `version`",
            self.qualified(table)
        );
        #[allow(clippy::type_complexity)]
        let rows: Result<Vec<Row>, _> = self.conn()?.query(&sql).await;
        let rows = rows.map_err(|e| self.revisions_error(table, e))?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let value = |i: usize| row.as_ref(i).and_then(text);
            let number = |i: usize| value(i).and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
            let version = value(0).unwrap_or_default();
            if version == CLOUD_IDENTIFIER {
                continue;
            }
            let executed_at = value(5)
                .and_then(|t| NaiveDateTime::parse_from_str(&t, "%Y-%m-%d %H:%M:%S%.f").ok())
                .map(|t| t.and_utc())
                .unwrap_or_default();
            out.push(Revision {
                version,
                description: value(1).unwrap_or_default(),
                kind: RevisionKind(u64::try_from(number(2)).unwrap_or_default()),
                applied: number(3),
                total: number(4),
                executed_at,
                execution_time: Duration::from_nanos(u64::try_from(number(6)).unwrap_or(0)),
                error: value(7),
                error_stmt: value(8),
                hash: value(9).unwrap_or_default(),
                partial_hashes: value(10).and_then(|p| serde_json::from_str(&p).ok()),
                operator_version: value(11).unwrap_or_default(),
            });
        }
        Ok(out)
    }

    async fn write_revision(
        &mut self,
        table: &RevisionsTable,
        revision: &Revision,
    ) -> Result<(), DriverError> {
        let partial = revision
            .partial_hashes
            .as_ref()
            .and_then(|hashes| serde_json::to_string(hashes).ok());
        let sql = format!(
            "REPLACE INTO {} (`version`, `description`, `type`, `applied`, `total`, \
             `executed_at`, `execution_time`, `error`, `error_stmt`, `hash`, `partial_hashes`, \
             `operator_version`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            self.qualified(table)
        );
        let nanos = i64::try_from(revision.execution_time.as_nanos()).unwrap_or(i64::MAX);
        let params: Vec<Value> = vec![
            revision.version.clone().into(),
            revision.description.clone().into(),
            revision.kind.0.into(),
            revision.applied.into(),
            revision.total.into(),
            revision
                .executed_at
                .format("%Y-%m-%d %H:%M:%S%.6f")
                .to_string()
                .into(),
            nanos.into(),
            revision.error.clone().into(),
            revision.error_stmt.clone().into(),
            revision.hash.clone().into(),
            partial.into(),
            revision.operator_version.clone().into(),
        ];
        let outcome = self.conn()?.exec_drop(&sql, params).await;
        outcome.map_err(|e| self.revisions_error(table, e))
    }

    async fn delete_revision(
        &mut self,
        table: &RevisionsTable,
        version: &str,
    ) -> Result<(), DriverError> {
        let sql = format!("DELETE FROM {} WHERE `version` = ?", self.qualified(table));
        let outcome = self.conn()?.exec_drop(&sql, (version,)).await;
        outcome.map_err(|e| self.revisions_error(table, e))
    }
}
