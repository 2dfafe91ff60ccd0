//! [`MysqlDriver`]: a connection implementing every driver trait.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Opts};
use schema_diff::Dialect;
use schema_model::Realm;
use tokio::sync::{Mutex, MutexGuard};
use tracing::Instrument;

use crate::error::{describe, driver_error, is_connection_lost};
use crate::flavor::ServerVersion;
use crate::inspect::{self, SYSTEM_SCHEMAS};
use crate::session::MysqlSession;
use crate::{MysqlDialect, quote};
use mercator_driver::{
    DevDatabase, Driver, DriverError, DriverFactory, InspectOptions, Inspector, Locker, OpenFuture,
    OpenOptions, SCRATCH_PREFIX, Scratch, Session, redact_url, scratch_name, scratch_tag, source,
};

/// How `mercator-migrate` finds this driver: `mysql://`, `maria://` and `mariadb://` URLs.
pub const FACTORY: DriverFactory = DriverFactory {
    kind: schema_model::DialectKind::Mysql,
    schemes: &["mysql", "maria", "mariadb"],
    standard_urls: true,
    open: open_boxed,
    scratch: None,
    dialect: || Box::new(MysqlDialect::mysql8()),
};

fn open_boxed(url: &str, _options: OpenOptions) -> OpenFuture<'_> {
    Box::pin(async move {
        let driver: Box<dyn Driver> = Box::new(MysqlDriver::open(url).await?);
        Ok(driver)
    })
}

/// A connection to MySQL or MariaDB.
///
/// One connection serves everything, so advisory locks taken by [`Locker::lock`] belong to
/// the connection that runs the migration. When it is lost, the next call opens a new one
/// (locks held by the old one are gone with it).
pub struct MysqlDriver {
    opts: Opts,
    url: String,
    bound: Option<String>,
    dialect: MysqlDialect,
    conn: Mutex<Option<Conn>>,
    /// Set while a session has a transaction open.
    open_transaction: Arc<AtomicBool>,
}

impl std::fmt::Debug for MysqlDriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MysqlDriver")
            .field("url", &self.url)
            .field("server", &self.dialect.server())
            .finish()
    }
}

impl MysqlDriver {
    /// Connects to the server named by `url` (`mysql://user:pass@host:3306/db`; `maria://`
    /// and `mariadb://` work the same). The database in the path, if any, is the bound
    /// schema: inspection and the dev-database operations are limited to it.
    pub async fn open(url: &str) -> Result<MysqlDriver, DriverError> {
        let redacted = redact_url(url);
        async {
            let (opts, bound) = crate::connect::parse_url(url)?;
            let mut conn = crate::connect::connect(&opts, &redacted).await?;
            let version: Option<String> =
                conn.query_first("SELECT VERSION()")
                    .await
                    .map_err(|e| DriverError::Connect {
                        url: redacted.clone(),
                        message: describe(&e),
                        code: crate::error::code(&e),
                        source: Some(source(e)),
                    })?;
            let server = ServerVersion::parse(version.as_deref().unwrap_or_default());
            Ok(MysqlDriver {
                opts,
                url: redacted.clone(),
                bound,
                dialect: MysqlDialect::for_server(server),
                conn: Mutex::new(Some(conn)),
                open_transaction: Arc::new(AtomicBool::new(false)),
            })
        }
        .instrument(tracing::info_span!("connect", driver = "mysql", url = %redacted))
        .await
    }

    /// The server's family and version.
    pub fn server(&self) -> ServerVersion {
        self.dialect.server()
    }

    /// The MySQL dialect of the connected server.
    pub fn mysql_dialect(&self) -> &MysqlDialect {
        &self.dialect
    }

    /// The server-side id of the current session (`CONNECTION_ID()`), e.g. to watch or
    /// kill it from another session.
    pub async fn connection_id(&self) -> Result<u32, DriverError> {
        let mut guard = self.connection().await?;
        Ok(guard.as_mut().map(|c| c.id()).unwrap_or_default())
    }

    /// The connection, opened again when it was lost.
    pub(crate) async fn connection(&self) -> Result<MutexGuard<'_, Option<Conn>>, DriverError> {
        let mut guard = self.conn.lock().await;
        if guard.is_none() {
            *guard = Some(crate::connect::connect(&self.opts, &self.url).await?);
        }
        Ok(guard)
    }

    async fn first_object(&self, schema: &str) -> Result<Option<String>, DriverError> {
        let s = quote::string(schema);
        let sql = format!(
            "SELECT kind, name FROM ( \
               SELECT IF(TABLE_TYPE = 'VIEW', 2, 1) AS rank_, \
                      IF(TABLE_TYPE = 'VIEW', 'view', 'table') AS kind, TABLE_NAME AS name \
                 FROM information_schema.TABLES WHERE TABLE_SCHEMA = {s} \
               UNION ALL SELECT 3, LOWER(ROUTINE_TYPE), ROUTINE_NAME \
                 FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = {s} \
               UNION ALL SELECT 4, 'trigger', TRIGGER_NAME \
                 FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = {s} \
               UNION ALL SELECT 5, 'event', EVENT_NAME \
                 FROM information_schema.EVENTS WHERE EVENT_SCHEMA = {s} \
             ) found ORDER BY rank_, name LIMIT 1"
        );
        let row: Option<(String, String)> = self.query_first(&sql).await?;
        Ok(row.map(|(kind, name)| format!("{kind} {name:?} in schema {schema:?}")))
    }

    async fn query_first<T: mysql_async::prelude::FromRow + Send + 'static>(
        &self,
        sql: &str,
    ) -> Result<Option<T>, DriverError> {
        let mut guard = self.connection().await?;
        let Some(conn) = guard.as_mut() else {
            return Err(not_connected());
        };
        match conn.query_first(sql).await {
            Ok(row) => Ok(row),
            Err(e) => {
                if is_connection_lost(&e) {
                    *guard = None;
                }
                Err(driver_error(e, |message, code, source| {
                    DriverError::Inspect {
                        message,
                        code,
                        source,
                    }
                }))
            }
        }
    }
}

#[async_trait]
impl Inspector for MysqlDriver {
    async fn inspect(&self, options: &InspectOptions) -> Result<Realm, DriverError> {
        let mut guard = self.connection().await?;
        let Some(conn) = guard.as_mut() else {
            return Err(not_connected());
        };
        let server = self.server();
        let result = inspect::inspect(conn, &server, self.bound.as_deref(), options)
            .instrument(tracing::info_span!("inspect", driver = "mysql"))
            .await;
        if result.is_err() && conn.ping().await.is_err() {
            *guard = None;
        }
        result
    }
}

#[async_trait]
impl Locker for MysqlDriver {
    async fn lock(&self, name: &str, timeout: Duration) -> Result<(), DriverError> {
        let secs = timeout.as_secs();
        let got: Option<Option<i64>> = self
            .query_first(&format!(
                "SELECT GET_LOCK({}, {secs})",
                quote::string(&crate::lock_name::server_lock_name(name))
            ))
            .await?;
        match got.flatten() {
            Some(1) => Ok(()),
            _ => Err(DriverError::Locked {
                name: name.to_owned(),
                timeout_secs: secs,
            }),
        }
    }

    async fn unlock(&self, name: &str) -> Result<(), DriverError> {
        let released: Option<Option<i64>> = self
            .query_first(&format!(
                "SELECT RELEASE_LOCK({})",
                quote::string(&crate::lock_name::server_lock_name(name))
            ))
            .await?;
        match released.flatten() {
            Some(1) => Ok(()),
            _ => Err(DriverError::Lock {
                name: name.to_owned(),
                message: "the lock was not held by this connection".into(),
                source: None,
            }),
        }
    }
}

#[async_trait]
impl DevDatabase for MysqlDriver {
    /// With a bound database: fails on its first table, view, routine, trigger or event.
    /// Without one: fails when any user database exists.
    async fn check_clean(&self) -> Result<(), DriverError> {
        match &self.bound {
            Some(schema) => match self.first_object(schema).await? {
                Some(found) => Err(DriverError::NotClean {
                    url: self.url.clone(),
                    found,
                }),
                None => Ok(()),
            },
            None => {
                let schemas = self.user_schemas().await?;
                match schemas.first() {
                    Some(schema) => Err(DriverError::NotClean {
                        url: self.url.clone(),
                        found: format!("schema {schema:?}"),
                    }),
                    None => Ok(()),
                }
            }
        }
    }

    /// With a bound database: drops and recreates it with the same defaults. Without one:
    /// drops every user database — the whole server is the scratch space then.
    async fn reset(&self) -> Result<(), DriverError> {
        match &self.bound {
            Some(schema) => {
                let s = quote::string(schema);
                let defaults: Option<(String, String)> = self
                    .query_first(&format!(
                        "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME \
                         FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = {s}"
                    ))
                    .await?;
                let ident = quote::ident(schema);
                let create = match defaults {
                    Some((charset, collation)) => format!(
                        "CREATE DATABASE {ident} CHARACTER SET {charset} COLLATE {collation}"
                    ),
                    None => format!("CREATE DATABASE {ident}"),
                };
                let drop = format!("DROP DATABASE IF EXISTS {ident}");
                let use_it = format!("USE {ident}");
                let mut session = self.session().await?;
                for sql in [drop, create, use_it] {
                    session.execute(&sql).await?;
                }
                Ok(())
            }
            // Without a bound database the scratch space would be the whole server;
            // dropping every user database there is never what a dev URL means.
            None => Err(DriverError::Unsupported(
                "a MySQL dev database URL must name a database (e.g. mysql://root@localhost:3306/dev) so it can be reset safely".into(),
            )),
        }
    }

    /// A database of its own next to the dev database, owned through a `GET_LOCK` held by
    /// this connection; databases whose lock is free belong to runs that died and are
    /// dropped first.
    async fn create_scratch(&self) -> Result<Option<Scratch>, DriverError> {
        let Some(dev) = &self.bound else {
            return Ok(None);
        };
        let tag = scratch_tag(dev);
        let prefix = format!("{SCRATCH_PREFIX}{tag}_");
        for schema in self.user_schemas().await? {
            if !schema.starts_with(&prefix) {
                continue;
            }
            let free: Option<Option<i64>> = self
                .query_first(&format!("SELECT GET_LOCK({}, 0)", quote::string(&schema)))
                .await?;
            if free.flatten() == Some(1) {
                let dropped = self
                    .run_one(&format!(
                        "DROP DATABASE IF EXISTS {}",
                        quote::ident(&schema)
                    ))
                    .await;
                let _: Option<Option<i64>> = self
                    .query_first(&format!("SELECT RELEASE_LOCK({})", quote::string(&schema)))
                    .await?;
                dropped?;
            }
        }
        let name = scratch_name(dev);
        let _: Option<Option<i64>> = self
            .query_first(&format!("SELECT GET_LOCK({}, 10)", quote::string(&name)))
            .await?;
        let defaults: Option<(String, String)> = self
            .query_first(&format!(
                "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME \
                 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = {}",
                quote::string(dev)
            ))
            .await?;
        let create = match defaults {
            Some((charset, collation)) => format!(
                "CREATE DATABASE {} CHARACTER SET {charset} COLLATE {collation}",
                quote::ident(&name)
            ),
            None => format!("CREATE DATABASE {}", quote::ident(&name)),
        };
        if let Err(e) = self.run_one(&create).await {
            let _: Result<Option<Option<i64>>, _> = self
                .query_first(&format!("SELECT RELEASE_LOCK({})", quote::string(&name)))
                .await;
            // 1044: access denied to create a database; fall back to the dev database.
            if e.code() == Some("1044") {
                return Ok(None);
            }
            return Err(e);
        }
        match self.open_database(&name).await {
            Ok(space) => Ok(Some(Scratch {
                name,
                driver: Box::new(space),
            })),
            Err(e) => {
                let _ = self
                    .run_one(&format!("DROP DATABASE IF EXISTS {}", quote::ident(&name)))
                    .await;
                Err(e)
            }
        }
    }

    async fn drop_scratch(&self, scratch: Scratch) -> Result<(), DriverError> {
        let closed = scratch.driver.close().await;
        let dropped = self
            .run_one(&format!(
                "DROP DATABASE IF EXISTS {}",
                quote::ident(&scratch.name)
            ))
            .await;
        let _: Option<Option<i64>> = self
            .query_first(&format!(
                "SELECT RELEASE_LOCK({})",
                quote::string(&scratch.name)
            ))
            .await?;
        dropped?;
        closed
    }

    /// Every user database but the dev database and scratch spaces: `CREATE SCHEMA` in a
    /// desired state creates server-wide databases, which the caller must notice.
    async fn schemas_outside(&self) -> Result<Vec<String>, DriverError> {
        Ok(self
            .user_schemas()
            .await?
            .into_iter()
            .filter(|s| Some(s) != self.bound.as_ref() && !s.starts_with(SCRATCH_PREFIX))
            .collect())
    }

    async fn drop_schemas_outside(&self, schemas: &[String]) -> Result<(), DriverError> {
        for schema in schemas {
            self.run_one(&format!("DROP DATABASE IF EXISTS {}", quote::ident(schema)))
                .await?;
        }
        Ok(())
    }
}

impl MysqlDriver {
    /// A connection to another database of the same server, with the same settings.
    async fn open_database(&self, database: &str) -> Result<MysqlDriver, DriverError> {
        let opts: Opts = mysql_async::OptsBuilder::from_opts(self.opts.clone())
            .db_name(Some(database))
            .into();
        let conn = crate::connect::connect(&opts, &self.url).await?;
        Ok(MysqlDriver {
            opts,
            url: self.url.clone(),
            bound: Some(database.to_owned()),
            dialect: self.dialect,
            conn: Mutex::new(Some(conn)),
            open_transaction: Arc::new(AtomicBool::new(false)),
        })
    }

    /// Runs one statement on the driver's connection.
    async fn run_one(&self, sql: &str) -> Result<(), DriverError> {
        let mut session = self.session().await?;
        session.execute(sql).await
    }

    async fn user_schemas(&self) -> Result<Vec<String>, DriverError> {
        let mut guard = self.connection().await?;
        let Some(conn) = guard.as_mut() else {
            return Err(not_connected());
        };
        let schemas = inspect::user_schemas(conn).await?;
        Ok(schemas
            .into_iter()
            .filter(|s| !SYSTEM_SCHEMAS.contains(&s.as_str()))
            .collect())
    }
}

#[async_trait]
impl Driver for MysqlDriver {
    fn dialect(&self) -> &dyn Dialect {
        &self.dialect
    }

    fn bound_schema(&self) -> Option<&str> {
        self.bound.as_deref()
    }

    fn url(&self) -> &str {
        &self.url
    }

    async fn session(&self) -> Result<Box<dyn Session + '_>, DriverError> {
        let mut guard = self.connection().await?;
        // A session dropped inside its transaction left it open: without a rollback, the
        // next DDL statement would silently commit its work.
        if self.open_transaction.swap(false, Ordering::SeqCst)
            && let Some(conn) = guard.as_mut()
            && let Err(e) = conn.query_drop("ROLLBACK").await
        {
            *guard = None;
            return Err(crate::error::driver_error(e, |message, code, source| {
                DriverError::Exec {
                    index: 0,
                    sql: "ROLLBACK".into(),
                    message,
                    code,
                    applied: Vec::new(),
                    source,
                }
            }));
        }
        Ok(Box::new(MysqlSession::new(
            guard,
            self.bound.clone(),
            Arc::clone(&self.open_transaction),
            self.server(),
        )))
    }

    async fn close(&self) -> Result<(), DriverError> {
        let conn = self.conn.lock().await.take();
        if let Some(conn) = conn {
            conn.disconnect()
                .await
                .map_err(|e| DriverError::ConnectionLost {
                    message: describe(&e),
                    applied: Vec::new(),
                    source: Some(source(e)),
                })?;
        }
        Ok(())
    }
}

/// A connection that should have been opened but was not (it was lost and reopening was
/// not attempted).
pub(crate) fn not_connected() -> DriverError {
    DriverError::ConnectionLost {
        message: "no connection to the server".into(),
        applied: Vec::new(),
        source: None,
    }
}
