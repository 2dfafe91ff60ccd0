//! [`PostgresSession`]: transactions, statements and queries on the driver's connection,
//! and the revisions table.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mercator_driver::{
    CLOUD_IDENTIFIER, DriverError, Revision, RevisionKind, RevisionStore, RevisionsTable, Rows,
    Session, TxOptions, source,
};
use tokio::sync::MutexGuard;
use tokio_postgres::types::Type;
use tokio_postgres::{Client, SimpleQueryMessage};

use crate::driver::{exec_error, sqlstate};
use crate::error::one_line;
use crate::quote::ident;

/// A session on a [`crate::PostgresDriver`]'s connection.
pub(crate) struct PostgresSession<'a> {
    client: MutexGuard<'a, Client>,
    bound: Option<String>,
    open_transaction: Arc<AtomicBool>,
    /// The connection is a borrowed snapshot's, inside a transaction that must not end:
    /// this session's transactions are savepoints.
    pinned: bool,
}

/// The savepoint a pinned connection's sessions use as their transaction.
const SAVEPOINT: &str = "mercator_session";

/// How a session's transaction is rolled back: a savepoint on a pinned connection.
pub(crate) fn rollback_sql(pinned: bool) -> &'static str {
    if pinned {
        "ROLLBACK TO SAVEPOINT mercator_session; RELEASE SAVEPOINT mercator_session"
    } else {
        "ROLLBACK"
    }
}

impl<'a> PostgresSession<'a> {
    pub(crate) fn new(
        client: MutexGuard<'a, Client>,
        bound: Option<String>,
        open_transaction: Arc<AtomicBool>,
        pinned: bool,
    ) -> Self {
        PostgresSession {
            client,
            bound,
            open_transaction,
            pinned,
        }
    }

    async fn batch(&self, sql: &str) -> Result<(), DriverError> {
        self.client
            .batch_execute(sql)
            .await
            .map_err(|e| exec_error(sql, e))
    }

    /// The schema holding the table: the one named, else the connection's, else a schema of
    /// the table's own name (Atlas's choice for connections spanning a whole database).
    fn schema_of<'t>(&'t self, table: &'t RevisionsTable) -> &'t str {
        table
            .schema
            .as_deref()
            .or(self.bound.as_deref())
            .unwrap_or(mercator_driver::REVISIONS_TABLE)
    }

    fn qualified(&self, table: &RevisionsTable) -> String {
        format!("{}.{}", ident(self.schema_of(table)), ident(&table.name))
    }

    fn revisions_error(&self, table: &RevisionsTable, e: tokio_postgres::Error) -> DriverError {
        if crate::driver::is_lost(&e) {
            return DriverError::ConnectionLost {
                message: one_line(&e),
                applied: Vec::new(),
                source: Some(source(e)),
            };
        }
        DriverError::Revisions {
            table: self.qualified(table),
            message: one_line(&e),
            code: sqlstate(&e),
            source: Some(source(e)),
        }
    }
}

#[async_trait]
impl Session for PostgresSession<'_> {
    fn transactional_ddl(&self) -> bool {
        true
    }

    fn in_transaction(&self) -> bool {
        self.open_transaction.load(Ordering::SeqCst)
    }

    async fn begin(&mut self, _options: TxOptions) -> Result<(), DriverError> {
        if self.pinned {
            self.batch(&format!("SAVEPOINT {SAVEPOINT}")).await?;
        } else {
            self.batch("BEGIN").await?;
        }
        self.open_transaction.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn execute(&mut self, sql: &str) -> Result<(), DriverError> {
        self.batch(sql).await
    }

    /// Pipelined: every statement is sent before the first answer is awaited, so a file's
    /// statements cost one round trip. In the open transaction, a failing statement aborts
    /// it and the server refuses the ones behind it, which are then reported by nobody: the
    /// first failure is the answer.
    async fn execute_in_transaction(
        &mut self,
        statements: &[&str],
    ) -> Result<(), (usize, DriverError)> {
        let client = &*self.client;
        let outcomes =
            futures_util::future::join_all(statements.iter().map(|sql| client.batch_execute(sql)))
                .await;
        for (i, outcome) in outcomes.into_iter().enumerate() {
            if let Err(e) = outcome {
                return Err((i, exec_error(statements[i], e)));
            }
        }
        Ok(())
    }

    async fn query(&mut self, sql: &str) -> Result<Rows, DriverError> {
        let messages = self
            .client
            .simple_query(sql)
            .await
            .map_err(|e| exec_error(sql, e))?;
        let mut rows = Rows::default();
        for message in messages {
            match message {
                SimpleQueryMessage::RowDescription(columns) if rows.columns.is_empty() => {
                    rows.columns = columns.iter().map(|c| c.name().to_owned()).collect();
                }
                SimpleQueryMessage::Row(row) => {
                    if rows.columns.is_empty() {
                        rows.columns = row.columns().iter().map(|c| c.name().to_owned()).collect();
                    }
                    rows.rows.push(
                        (0..row.len())
                            .map(|i| row.get(i).map(str::to_owned))
                            .collect(),
                    );
                }
                _ => {}
            }
        }
        Ok(rows)
    }

    async fn commit(&mut self) -> Result<(), DriverError> {
        let outcome = if self.pinned {
            self.batch(&format!("RELEASE SAVEPOINT {SAVEPOINT}")).await
        } else {
            self.batch("COMMIT").await
        };
        self.open_transaction.store(false, Ordering::SeqCst);
        outcome
    }

    async fn rollback(&mut self) -> Result<(), DriverError> {
        let outcome = self.batch(rollback_sql(self.pinned)).await;
        self.open_transaction.store(false, Ordering::SeqCst);
        outcome
    }
}

#[async_trait]
impl RevisionStore for PostgresSession<'_> {
    async fn ensure_revisions_table(&mut self, table: &RevisionsTable) -> Result<(), DriverError> {
        let sql = format!(
            "CREATE SCHEMA IF NOT EXISTS {schema}; \
             CREATE TABLE IF NOT EXISTS {qualified} (\
             version character varying NOT NULL, description character varying NOT NULL, \
             type bigint NOT NULL DEFAULT 2, applied bigint NOT NULL DEFAULT 0, \
             total bigint NOT NULL DEFAULT 0, executed_at timestamptz NOT NULL, \
             execution_time bigint NOT NULL, error text NULL, error_stmt text NULL, \
             hash character varying NOT NULL, partial_hashes jsonb NULL, \
             operator_version character varying NOT NULL, PRIMARY KEY (version))",
            schema = ident(self.schema_of(table)),
            qualified = self.qualified(table),
        );
        self.client
            .batch_execute(&sql)
            .await
            .map_err(|e| self.revisions_error(table, e))
    }

    async fn read_revisions(
        &mut self,
        table: &RevisionsTable,
    ) -> Result<Vec<Revision>, DriverError> {
        // Typed queries skip the prepare round trip: a fleet reads thousands of these.
        let exists = self
            .client
            .query_typed(
                "SELECT to_regclass($1) IS NOT NULL",
                &[(&self.qualified(table), Type::TEXT)],
            )
            .await
            .map_err(|e| self.revisions_error(table, e))?;
        if !exists.first().is_some_and(|row| row.get::<_, bool>(0)) {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT version, description, type, applied, total, \
             (extract(epoch FROM executed_at) * 1000000)::bigint, execution_time, error, \
             error_stmt, hash, partial_hashes::text, operator_version \
             FROM {} ORDER BY version",
            self.qualified(table)
        );
        let rows = self
            .client
            .query_typed(&sql, &[])
            .await
            .map_err(|e| self.revisions_error(table, e))?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let read = |e: tokio_postgres::Error| self.revisions_error(table, e);
            let version: String = row.try_get(0).map_err(read)?;
            if version == CLOUD_IDENTIFIER {
                continue;
            }
            let micros: i64 = row.try_get(5).map_err(read)?;
            let nanos: i64 = row.try_get(6).map_err(read)?;
            let kind: i64 = row.try_get(2).map_err(read)?;
            let partial: Option<String> = row.try_get(10).map_err(read)?;
            out.push(Revision {
                version,
                description: row.try_get(1).map_err(read)?,
                kind: RevisionKind(u64::try_from(kind).unwrap_or_default()),
                applied: row.try_get(3).map_err(read)?,
                total: row.try_get(4).map_err(read)?,
                executed_at: DateTime::<Utc>::from_timestamp_micros(micros).unwrap_or_default(),
                execution_time: Duration::from_nanos(u64::try_from(nanos).unwrap_or(0)),
                error: row.try_get(7).map_err(read)?,
                error_stmt: row.try_get(8).map_err(read)?,
                hash: row.try_get(9).map_err(read)?,
                partial_hashes: partial.and_then(|p| serde_json::from_str(&p).ok()),
                operator_version: row.try_get(11).map_err(read)?,
            });
        }
        Ok(out)
    }

    async fn write_revision(
        &mut self,
        table: &RevisionsTable,
        revision: &Revision,
    ) -> Result<(), DriverError> {
        let partial = match &revision.partial_hashes {
            Some(hashes) => {
                Some(
                    serde_json::to_string(hashes).map_err(|e| DriverError::Revisions {
                        table: self.qualified(table),
                        message: format!("cannot encode partial hashes: {e}"),
                        code: None,
                        source: Some(source(e)),
                    })?,
                )
            }
            None => None,
        };
        let sql = format!(
            "INSERT INTO {} (version, description, type, applied, total, executed_at, \
             execution_time, error, error_stmt, hash, partial_hashes, operator_version) \
             VALUES ($1, $2, $3, $4, $5, $6::text::timestamptz, $7, $8, $9, $10, \
             $11::text::jsonb, $12) \
             ON CONFLICT (version) DO UPDATE SET description = EXCLUDED.description, \
             type = EXCLUDED.type, applied = EXCLUDED.applied, total = EXCLUDED.total, \
             executed_at = EXCLUDED.executed_at, execution_time = EXCLUDED.execution_time, \
             error = EXCLUDED.error, error_stmt = EXCLUDED.error_stmt, hash = EXCLUDED.hash, \
             partial_hashes = EXCLUDED.partial_hashes, \
             operator_version = EXCLUDED.operator_version",
            self.qualified(table)
        );
        let kind = i64::try_from(revision.kind.0).unwrap_or(i64::MAX);
        let nanos = i64::try_from(revision.execution_time.as_nanos()).unwrap_or(i64::MAX);
        let executed_at = revision.executed_at.to_rfc3339();
        // Typed: one round trip (no separate prepare), with the types the columns take.
        self.client
            .execute_typed(
                &sql,
                &[
                    (&revision.version, Type::VARCHAR),
                    (&revision.description, Type::VARCHAR),
                    (&kind, Type::INT8),
                    (&revision.applied, Type::INT8),
                    (&revision.total, Type::INT8),
                    (&executed_at, Type::TEXT),
                    (&nanos, Type::INT8),
                    (&revision.error, Type::TEXT),
                    (&revision.error_stmt, Type::TEXT),
                    (&revision.hash, Type::VARCHAR),
                    (&partial, Type::TEXT),
                    (&revision.operator_version, Type::VARCHAR),
                ],
            )
            .await
            .map(|_| ())
            .map_err(|e| self.revisions_error(table, e))
    }

    async fn delete_revision(
        &mut self,
        table: &RevisionsTable,
        version: &str,
    ) -> Result<(), DriverError> {
        let sql = format!("DELETE FROM {} WHERE version = $1", self.qualified(table));
        self.client
            .execute(&sql, &[&version])
            .await
            .map(|_| ())
            .map_err(|e| self.revisions_error(table, e))
    }
}
