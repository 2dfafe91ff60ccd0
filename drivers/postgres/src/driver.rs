//! The connected driver: opening a URL, running plans, locks and the dev database.

use std::path::Path;
use std::time::{Duration, Instant};

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use mercator_driver::{
    DevDatabase, Driver, DriverError, DriverFactory, InspectOptions, Inspector, Locker, OpenFuture,
    OpenOptions, Scratch, Session, redact_url, source,
};
use schema_diff::Dialect;
use schema_model::Realm;
use tokio::sync::Mutex;
use tokio_postgres::Client;
use tracing::Instrument;

use crate::PostgresDialect;
use crate::error::one_line;
use crate::session::PostgresSession;

/// A connection to a PostgreSQL database, implementing every driver trait.
///
/// ```no_run
/// # async fn demo() -> Result<(), mercator_driver::DriverError> {
/// use mercator_driver::{InspectOptions, Inspector};
/// let driver = mercator_postgres::PostgresDriver::open(
///     "postgres://postgres@127.0.0.1:5432/test?search_path=public&sslmode=disable",
/// )
/// .await?;
/// let realm = driver.inspect(&InspectOptions::default()).await?;
/// println!("{} tables", realm.table_count());
/// # Ok(()) }
/// ```
pub struct PostgresDriver {
    client: Mutex<Client>,
    schema: Option<String>,
    dialect: PostgresDialect,
    connection: tokio::task::JoinHandle<()>,
    url: String,
    /// The URL as given, password included, for opening scratch spaces; never printed.
    raw_url: String,
    /// Set while a session has a transaction open; a session dropped in that state leaves
    /// it to the next one to roll back.
    open_transaction: Arc<AtomicBool>,
    /// Set on a borrowed snapshot's connection, whose transaction was opened when it was
    /// lent and must only end when it is given back: sessions' transactions are
    /// savepoints inside it.
    pub(crate) pinned: bool,
}

impl std::fmt::Debug for PostgresDriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresDriver")
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

/// How `mercator-migrate` finds this driver: `postgres://` and `postgresql://` URLs.
pub const FACTORY: DriverFactory = DriverFactory {
    kind: schema_model::DialectKind::Postgres,
    schemes: &["postgres", "postgresql"],
    standard_urls: true,
    open: open_boxed,
    scratch: None,
    dialect: || Box::new(PostgresDialect),
};

fn open_boxed(url: &str, _options: OpenOptions) -> OpenFuture<'_> {
    Box::pin(async move {
        let driver: Box<dyn Driver> = Box::new(PostgresDriver::open(url).await?);
        Ok(driver)
    })
}

/// The error of a failed call, with the server's SQLSTATE; a broken connection is
/// [`DriverError::ConnectionLost`].
pub(crate) fn exec_error(sql: &str, e: tokio_postgres::Error) -> DriverError {
    if is_lost(&e) {
        return DriverError::ConnectionLost {
            message: one_line(&e),
            applied: Vec::new(),
            source: Some(source(e)),
        };
    }
    DriverError::Exec {
        index: 0,
        sql: sql.to_owned(),
        message: one_line(&e),
        code: sqlstate(&e),
        applied: Vec::new(),
        source: Some(source(e)),
    }
}

/// Whether the connection is gone: closed, or the server ended the session (a FATAL or
/// PANIC error, SQLSTATE class 57P: terminated by an administrator, crash, shutdown).
pub(crate) fn is_lost(e: &tokio_postgres::Error) -> bool {
    e.is_closed()
        || e.code().is_some_and(|c| c.code().starts_with("57P0"))
        || e.as_db_error()
            .is_some_and(|d| matches!(d.severity(), "FATAL" | "PANIC"))
}

/// The server's SQLSTATE, when the server answered.
pub(crate) fn sqlstate(e: &tokio_postgres::Error) -> Option<String> {
    e.code().map(|c| c.code().to_owned())
}

fn lock_error(name: &str, e: tokio_postgres::Error) -> DriverError {
    if is_lost(&e) {
        return DriverError::ConnectionLost {
            message: one_line(&e),
            applied: Vec::new(),
            source: Some(source(e)),
        };
    }
    DriverError::Lock {
        name: name.to_owned(),
        message: one_line(&e),
        source: Some(source(e)),
    }
}

impl PostgresDriver {
    /// Connects to a `postgres://` or `postgresql://` URL (libpq's form, host lists
    /// included). `search_path` in the query binds the driver to that schema; `sslmode`
    /// (`disable`, `allow`, `prefer` — the default —, `require`, `verify-ca`,
    /// `verify-full`) and `sslrootcert` (a CA file) choose TLS; every other libpq parameter
    /// tokio-postgres knows (`application_name`, `options`, `connect_timeout`, …) is passed
    /// on; any other parameter is an error naming it. Errors carry the redacted URL and the
    /// server's or the TLS layer's answer on one line.
    pub async fn open(url: &str) -> Result<PostgresDriver, DriverError> {
        let (client, connection, schema) = crate::connect::connect(url)
            .instrument(tracing::info_span!("connect", driver = "postgres", url = %redact_url(url)))
            .await?;
        Ok(PostgresDriver {
            client: Mutex::new(client),
            schema,
            dialect: PostgresDialect,
            connection,
            url: redact_url(url),
            raw_url: url.to_owned(),
            open_transaction: Arc::new(AtomicBool::new(false)),
            pinned: false,
        })
    }

    /// Opens the transaction a borrowed snapshot's work runs in (see
    /// [`crate::snapshot::borrow`]).
    pub(crate) async fn pin(&mut self) -> Result<(), DriverError> {
        self.client
            .get_mut()
            .batch_execute("BEGIN")
            .await
            .map_err(|e| exec_error("BEGIN", e))?;
        self.pinned = true;
        Ok(())
    }

    /// Schemas an inspection covers when the options name none.
    fn selected(&self, options: &InspectOptions) -> Vec<String> {
        if !options.schemas.is_empty() {
            options.schemas.clone()
        } else {
            self.schema.iter().cloned().collect()
        }
    }
}

impl Drop for PostgresDriver {
    fn drop(&mut self) {
        self.connection.abort();
    }
}

#[async_trait]
impl Inspector for PostgresDriver {
    async fn inspect(&self, options: &InspectOptions) -> Result<Realm, DriverError> {
        let client = self.client.lock().await;
        crate::inspect::inspect(
            &client,
            &self.selected(options),
            &options.exclude_tables,
            options.only_tables.as_deref(),
        )
        .instrument(tracing::info_span!("inspect", driver = "postgres"))
        .await
    }
}

#[async_trait]
impl Locker for PostgresDriver {
    async fn lock(&self, name: &str, timeout: Duration) -> Result<(), DriverError> {
        let key = crate::lock::key(name);
        let started = Instant::now();
        loop {
            let acquired: bool = {
                let client = self.client.lock().await;
                // Typed: one round trip; every fleet worker takes a lock per tenant.
                let rows = client
                    .query_typed(
                        "SELECT pg_try_advisory_lock($1)",
                        &[(&key, tokio_postgres::types::Type::INT8)],
                    )
                    .await
                    .map_err(|e| lock_error(name, e))?;
                rows.first()
                    .is_some_and(|row| row.try_get(0).unwrap_or(false))
            };
            if acquired {
                return Ok(());
            }
            if started.elapsed() >= timeout {
                return Err(DriverError::Locked {
                    name: name.to_owned(),
                    timeout_secs: timeout.as_secs(),
                });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn unlock(&self, name: &str) -> Result<(), DriverError> {
        let key = crate::lock::key(name);
        let client = self.client.lock().await;
        client
            .query_typed(
                "SELECT pg_advisory_unlock($1)",
                &[(&key, tokio_postgres::types::Type::INT8)],
            )
            .await
            .map_err(|e| lock_error(name, e))?;
        Ok(())
    }
}

#[async_trait]
impl DevDatabase for PostgresDriver {
    async fn check_clean(&self) -> Result<(), DriverError> {
        let client = self.client.lock().await;
        let schemas: Vec<String> = self.schema.iter().cloned().collect();
        match crate::dev::first_object(&client, &schemas).await? {
            Some(found) => Err(DriverError::NotClean {
                url: self.url.clone(),
                found,
            }),
            None => Ok(()),
        }
    }

    async fn reset(&self) -> Result<(), DriverError> {
        let client = self.client.lock().await;
        let schemas: Vec<String> = self.schema.iter().cloned().collect();
        crate::dev::drop_tables_in_batches(&client, &schemas).await?;
        let sql = match &self.schema {
            Some(schema) => crate::dev::reset_schema(&client, schema).await?,
            None => crate::dev::reset_all(&client).await?,
        };
        client
            .batch_execute(&sql)
            .await
            .map_err(|e| exec_error(&sql, e))?;
        Ok(())
    }

    async fn create_scratch(&self) -> Result<Option<Scratch>, DriverError> {
        let client = self.client.lock().await;
        crate::scratch::create(self, &client, &self.raw_url, self.schema.as_deref()).await
    }

    /// With a dev URL bound to a schema, scratch spaces are schemas of the dev database,
    /// so a `CREATE SCHEMA` in the desired state lands outside them.
    async fn schemas_outside(&self) -> Result<Vec<String>, DriverError> {
        let Some(bound) = &self.schema else {
            return Ok(Vec::new());
        };
        let client = self.client.lock().await;
        let rows = client
            .query(
                "SELECT nspname::text FROM pg_namespace WHERE nspname !~ '^pg_' \
                 AND nspname <> 'information_schema' AND nspname <> $1 \
                 AND nspname NOT LIKE 'mercator\\_dev\\_%' \
                 AND nspname NOT LIKE 'mercator\\_snap\\_%' ORDER BY 1",
                &[bound],
            )
            .await
            .map_err(crate::inspect::inspect_error)?;
        Ok(rows.iter().filter_map(|r| r.try_get(0).ok()).collect())
    }

    async fn drop_schemas_outside(&self, schemas: &[String]) -> Result<(), DriverError> {
        let client = self.client.lock().await;
        crate::dev::drop_tables_in_batches(&client, schemas).await?;
        for schema in schemas {
            let sql = format!(
                "DROP SCHEMA IF EXISTS {} CASCADE",
                crate::quote::ident(schema)
            );
            client
                .batch_execute(&sql)
                .await
                .map_err(|e| exec_error(&sql, e))?;
        }
        Ok(())
    }

    /// Snapshots are databases copied with `CREATE DATABASE … TEMPLATE`; only scratch
    /// databases (a dev URL bound to no schema) can be snapshotted.
    async fn save_snapshot(
        &self,
        scratch: &mut Scratch,
        key: &str,
        _store: &Path,
    ) -> Result<bool, DriverError> {
        if self.schema.is_some() {
            return Ok(false);
        }
        let client = self.client.lock().await;
        crate::snapshot::save(&client, &self.raw_url, scratch, key).await
    }

    async fn restore_snapshot(
        &self,
        key: &str,
        _store: &Path,
    ) -> Result<Option<Scratch>, DriverError> {
        if self.schema.is_some() {
            return Ok(None);
        }
        let client = self.client.lock().await;
        crate::snapshot::restore(self, &client, &self.raw_url, key).await
    }

    /// The snapshot database (or schema) itself, with a transaction open: no copy is made.
    async fn borrow_snapshot(
        &self,
        key: &str,
        _store: &Path,
    ) -> Result<Option<Scratch>, DriverError> {
        let client = self.client.lock().await;
        crate::snapshot::borrow(&client, &self.raw_url, self.schema.as_deref(), key).await
    }

    async fn return_snapshot(&self, scratch: Scratch) -> Result<(), DriverError> {
        let client = self.client.lock().await;
        crate::snapshot::give_back(&client, self.schema.as_deref(), scratch).await
    }

    /// Scratch schemas (dev URLs bound to a schema) become snapshots by a rename; scratch
    /// databases are copied by [`DevDatabase::save_snapshot`] instead.
    async fn keep_as_snapshot(
        &self,
        scratch: &mut Scratch,
        key: &str,
        _store: &Path,
    ) -> Result<bool, DriverError> {
        let Some(bound) = &self.schema else {
            return Ok(false);
        };
        let client = self.client.lock().await;
        crate::snapshot::keep(&client, &self.raw_url, bound, scratch, key).await
    }

    async fn snapshot_keys(&self, _store: &Path) -> Result<Vec<String>, DriverError> {
        let client = self.client.lock().await;
        crate::snapshot::keys(&client, self.schema.as_deref()).await
    }

    async fn drop_snapshots(&self, _store: &Path) -> Result<usize, DriverError> {
        let client = self.client.lock().await;
        crate::snapshot::drop_all(&client, self.schema.as_deref()).await
    }

    async fn drop_scratch(&self, scratch: Scratch) -> Result<(), DriverError> {
        let closed = scratch.driver.close().await;
        // The space's connection must be gone before its database can be dropped.
        drop(scratch.driver);
        let client = self.client.lock().await;
        crate::scratch::remove(&client, self.schema.as_deref(), &scratch.name).await?;
        closed
    }
}

#[async_trait]
impl Driver for PostgresDriver {
    fn dialect(&self) -> &dyn Dialect {
        &self.dialect
    }

    fn bound_schema(&self) -> Option<&str> {
        self.schema.as_deref()
    }

    fn url(&self) -> &str {
        &self.url
    }

    async fn session(&self) -> Result<Box<dyn Session + '_>, DriverError> {
        let client = self.client.lock().await;
        if self.open_transaction.swap(false, Ordering::SeqCst) {
            let rollback = crate::session::rollback_sql(self.pinned);
            client
                .batch_execute(rollback)
                .await
                .map_err(|e| exec_error(rollback, e))?;
        }
        Ok(Box::new(PostgresSession::new(
            client,
            self.schema.clone(),
            Arc::clone(&self.open_transaction),
            self.pinned,
        )))
    }

    async fn close(&self) -> Result<(), DriverError> {
        self.connection.abort();
        Ok(())
    }
}
