//! [`MysqlDriver`]: a connection implementing every driver trait.

use std::time::Duration;

use async_trait::async_trait;
use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Opts};
use schema_diff::{Dialect, Plan};
use schema_model::Realm;
use tokio::sync::{Mutex, MutexGuard};

use crate::error::{describe, is_connection_lost};
use crate::flavor::ServerVersion;
use crate::inspect::{self, SYSTEM_SCHEMAS};
use crate::{MysqlDialect, quote};
use mercator_driver::{
    DevDatabase, Driver, DriverError, Executor, InspectOptions, Inspector, Locker, redact_url,
};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A connection to MySQL or MariaDB.
///
/// One session serves everything, so advisory locks taken by [`Locker::lock`] belong to
/// the session that runs the migration. When the session is lost, the next call opens a
/// new one (locks held by the old one are gone with it).
pub struct MysqlDriver {
    opts: Opts,
    url: String,
    bound: Option<String>,
    dialect: MysqlDialect,
    conn: Mutex<Option<Conn>>,
}

impl std::fmt::Debug for MysqlDriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MysqlDriver")
            .field("url", &self.url)
            .field("server", &self.dialect.server())
            .finish()
    }
}

fn invalid(url: &str, message: impl Into<String>) -> DriverError {
    DriverError::InvalidUrl {
        url: redact_url(url),
        message: message.into(),
    }
}

/// Splits a `mysql://`, `maria://` or `mariadb://` URL into client options and the
/// database it names.
pub fn parse_url(raw: &str) -> Result<(Opts, Option<String>), DriverError> {
    let parsed = url::Url::parse(raw).map_err(|e| invalid(raw, e.to_string()))?;
    match parsed.scheme() {
        "mysql" | "maria" | "mariadb" => {}
        other => {
            return Err(invalid(
                raw,
                format!("scheme {other:?} is not mysql://, maria:// or mariadb://"),
            ));
        }
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid(raw, "the URL names no host"));
    }
    let database = parsed.path().trim_start_matches('/');
    let database = if database.is_empty() {
        None
    } else {
        let decoded = percent_decode(database);
        if decoded.contains('/') {
            return Err(invalid(raw, "the path must be a single database name"));
        }
        Some(decoded)
    };
    // The client library only knows the `mysql` scheme; everything else is shared.
    let rest = &raw[parsed.scheme().len()..];
    let client_url = format!("mysql{rest}");
    let opts = Opts::from_url(&client_url).map_err(|e| invalid(raw, e.to_string()))?;
    Ok((opts, database))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl MysqlDriver {
    /// Connects to the server named by `url` (`mysql://user:pass@host:3306/db`; `maria://`
    /// and `mariadb://` work the same). The database in the path, if any, is the bound
    /// schema: inspection and the dev-database operations are limited to it.
    pub async fn open(url: &str) -> Result<MysqlDriver, DriverError> {
        let (opts, bound) = parse_url(url)?;
        let redacted = redact_url(url);
        let mut conn = connect(&opts, &redacted).await?;
        let version: Option<String> =
            conn.query_first("SELECT VERSION()")
                .await
                .map_err(|e| DriverError::Connect {
                    url: redacted.clone(),
                    message: describe(&e),
                })?;
        let server = ServerVersion::parse(version.as_deref().unwrap_or_default());
        Ok(MysqlDriver {
            opts,
            url: redacted,
            bound,
            dialect: MysqlDialect::for_server(server),
            conn: Mutex::new(Some(conn)),
        })
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
        let mut guard = self.session().await?;
        Ok(guard.as_mut().map(|c| c.id()).unwrap_or_default())
    }

    async fn session(&self) -> Result<MutexGuard<'_, Option<Conn>>, DriverError> {
        let mut guard = self.conn.lock().await;
        if guard.is_none() {
            *guard = Some(connect(&self.opts, &self.url).await?);
        }
        Ok(guard)
    }

    /// Runs statements one by one; `sqls` pairs each with its text for error reports.
    async fn run(&self, sqls: &[&str]) -> Result<(), DriverError> {
        let mut guard = self.session().await?;
        for (index, sql) in sqls.iter().enumerate() {
            let Some(conn) = guard.as_mut() else {
                return Err(DriverError::Unsupported("no connection".into()));
            };
            if let Err(e) = conn.query_drop(*sql).await {
                let lost = is_connection_lost(&e);
                let mut message = describe(&e);
                if lost {
                    *guard = None;
                    message = format!(
                        "connection to the server was lost ({message}); the failing statement \
                         may or may not have taken effect, the ones before it did"
                    );
                }
                return Err(DriverError::Exec {
                    index,
                    sql: (*sql).to_owned(),
                    message,
                    applied: sqls[..index].iter().map(|s| (*s).to_owned()).collect(),
                });
            }
        }
        Ok(())
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
        let mut guard = self.session().await?;
        let Some(conn) = guard.as_mut() else {
            return Err(DriverError::Unsupported("no connection".into()));
        };
        match conn.query_first(sql).await {
            Ok(row) => Ok(row),
            Err(e) => {
                if is_connection_lost(&e) {
                    *guard = None;
                }
                Err(DriverError::Inspect {
                    message: describe(&e),
                })
            }
        }
    }
}

async fn connect(opts: &Opts, url: &str) -> Result<Conn, DriverError> {
    let failed = |message: String| DriverError::Connect {
        url: url.to_owned(),
        message,
    };
    match tokio::time::timeout(CONNECT_TIMEOUT, Conn::new(opts.clone())).await {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(e)) => Err(failed(describe(&e))),
        Err(_) => Err(failed(format!(
            "no answer within {}s",
            CONNECT_TIMEOUT.as_secs()
        ))),
    }
}

#[async_trait]
impl Inspector for MysqlDriver {
    async fn inspect(&self, options: &InspectOptions) -> Result<Realm, DriverError> {
        let mut guard = self.session().await?;
        let Some(conn) = guard.as_mut() else {
            return Err(DriverError::Unsupported("no connection".into()));
        };
        let server = self.server();
        let result = inspect::inspect(conn, &server, self.bound.as_deref(), options).await;
        if result.is_err() && conn.ping().await.is_err() {
            *guard = None;
        }
        result
    }
}

#[async_trait]
impl Executor for MysqlDriver {
    /// Runs the plan statement by statement: MySQL commits every DDL statement on its own,
    /// so a failure leaves the earlier statements applied, and the error lists them.
    async fn apply(&self, plan: &Plan) -> Result<(), DriverError> {
        let sqls: Vec<&str> = plan.statements.iter().map(|s| s.sql.as_str()).collect();
        self.run(&sqls).await
    }

    async fn execute(&self, statements: &[String]) -> Result<(), DriverError> {
        let sqls: Vec<&str> = statements.iter().map(String::as_str).collect();
        self.run(&sqls).await
    }
}

#[async_trait]
impl Locker for MysqlDriver {
    async fn lock(&self, name: &str, timeout: Duration) -> Result<(), DriverError> {
        let secs = timeout.as_secs();
        let got: Option<Option<i64>> = self
            .query_first(&format!("SELECT GET_LOCK({}, {secs})", quote::string(name)))
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
            .query_first(&format!("SELECT RELEASE_LOCK({})", quote::string(name)))
            .await?;
        match released.flatten() {
            Some(1) => Ok(()),
            _ => Err(DriverError::Unsupported(format!(
                "lock {name:?} was not held by this session"
            ))),
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
                Some(found) => Err(DriverError::NotClean { found }),
                None => Ok(()),
            },
            None => {
                let schemas = self.user_schemas().await?;
                match schemas.first() {
                    Some(schema) => Err(DriverError::NotClean {
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
                self.run(&[&drop, &create, &use_it]).await
            }
            // Without a bound database the scratch space would be the whole server;
            // dropping every user database there is never what a dev URL means.
            None => Err(DriverError::Unsupported(
                "a MySQL dev database URL must name a database (e.g. mysql://root@localhost:3306/dev) so it can be reset safely".into(),
            )),
        }
    }
}

impl MysqlDriver {
    async fn user_schemas(&self) -> Result<Vec<String>, DriverError> {
        let mut guard = self.session().await?;
        let Some(conn) = guard.as_mut() else {
            return Err(DriverError::Unsupported("no connection".into()));
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

    async fn close(&self) -> Result<(), DriverError> {
        let conn = self.conn.lock().await.take();
        if let Some(conn) = conn {
            conn.disconnect().await.map_err(|e| DriverError::Connect {
                url: self.url.clone(),
                message: describe(&e),
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::parse_url;

    #[test]
    fn parses_urls() {
        let (_, db) = parse_url("mysql://root@127.0.0.1:3306/test").unwrap();
        assert_eq!(db.as_deref(), Some("test"));
        let (opts, db) = parse_url("maria://u:p@localhost/").unwrap();
        assert_eq!(db, None);
        assert_eq!(opts.user(), Some("u"));
        assert!(
            parse_url("mariadb://root@h:3307/x%20y")
                .unwrap()
                .1
                .as_deref()
                == Some("x y")
        );
        let err = parse_url("postgres://u:secret@h/db")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("secret"), "{err}");
        assert!(parse_url("mysql:///db").is_err());
    }
}
