//! The connected driver: opening a URL, running plans, locks and the dev database.

use std::time::{Duration, Instant};

use async_trait::async_trait;
use mercator_driver::{
    DevDatabase, Driver, DriverError, Executor, InspectOptions, Inspector, Locker, redact_url,
};
use schema_diff::{Dialect, Plan};
use schema_model::Realm;
use tokio::sync::Mutex;
use tokio_postgres::{Client, NoTls};

use crate::PostgresDialect;
use crate::error::one_line;
use crate::quote::ident;

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
}

impl std::fmt::Debug for PostgresDriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresDriver")
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

fn invalid(url: &str, message: impl Into<String>) -> DriverError {
    DriverError::InvalidUrl {
        url: redact_url(url),
        message: message.into(),
    }
}

/// Percent-decoding for URL user names and passwords.
fn decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| text.to_owned())
}

/// Connection settings read from a URL.
fn config(raw: &str) -> Result<(tokio_postgres::Config, Option<String>), DriverError> {
    let url = url::Url::parse(raw).map_err(|e| invalid(raw, e.to_string()))?;
    if !matches!(url.scheme(), "postgres" | "postgresql") {
        return Err(invalid(raw, "expected a postgres:// or postgresql:// URL"));
    }
    let mut config = tokio_postgres::Config::new();
    config.host(
        url.host_str()
            .filter(|h| !h.is_empty())
            .unwrap_or("localhost"),
    );
    config.port(url.port().unwrap_or(5432));
    let user = if url.username().is_empty() {
        "postgres".to_owned()
    } else {
        decode(url.username())
    };
    config.user(&user);
    if let Some(password) = url.password() {
        config.password(decode(password));
    }
    let database = url.path().trim_start_matches('/');
    config.dbname(if database.is_empty() { &user } else { database });
    config.application_name("mercator");
    config.connect_timeout(Duration::from_secs(10));
    let mut schema = None;
    for (key, value) in url.query_pairs() {
        match key.as_ref() {
            "search_path" if !value.is_empty() => schema = Some(value.into_owned()),
            "sslmode" if value != "disable" && value != "prefer" && value != "allow" => {
                return Err(invalid(
                    raw,
                    format!("sslmode={value} is not supported (TLS is not built in)"),
                ));
            }
            "connect_timeout" => {
                if let Ok(secs) = value.parse() {
                    config.connect_timeout(Duration::from_secs(secs));
                }
            }
            _ => {}
        }
    }
    Ok((config, schema))
}

fn exec_error(
    index: usize,
    sql: &str,
    e: &tokio_postgres::Error,
    applied: Vec<String>,
) -> DriverError {
    DriverError::Exec {
        index,
        sql: sql.to_owned(),
        message: one_line(e),
        applied,
    }
}

impl PostgresDriver {
    /// Connects to a `postgres://` or `postgresql://` URL. `search_path` in the query binds
    /// the driver to that schema; `sslmode=disable` is accepted; other parameters are
    /// ignored. Errors carry the redacted URL and the server's answer on one line.
    pub async fn open(url: &str) -> Result<PostgresDriver, DriverError> {
        let (config, schema) = config(url)?;
        let connect_error = |e: tokio_postgres::Error| DriverError::Connect {
            url: redact_url(url),
            message: one_line(&e),
        };
        let (client, connection) = config.connect(NoTls).await.map_err(connect_error)?;
        let connection = tokio::spawn(async move {
            // The connection ends when the client is dropped; errors surface on the client.
            let _ = connection.await;
        });
        // Function bodies are checked when called, not when created, so routines may be
        // created before the tables they read (pg_dump does the same).
        let mut setup = String::from("SET check_function_bodies = off;");
        if let Some(schema) = &schema {
            setup.push_str(&format!("SET search_path TO {};", ident(schema)));
        }
        client.batch_execute(&setup).await.map_err(connect_error)?;
        Ok(PostgresDriver {
            client: Mutex::new(client),
            schema,
            dialect: PostgresDialect,
            connection,
        })
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
        crate::inspect::inspect(&client, &self.selected(options), &options.exclude_tables).await
    }
}

#[async_trait]
impl Executor for PostgresDriver {
    async fn apply(&self, plan: &Plan) -> Result<(), DriverError> {
        let client = self.client.lock().await;
        let mut applied: Vec<String> = Vec::new();
        let statements = &plan.statements;
        let mut i = 0;
        while i < statements.len() {
            if !statements[i].transactional || !plan.transactional {
                let sql = &statements[i].sql;
                client
                    .batch_execute(sql)
                    .await
                    .map_err(|e| exec_error(i, sql, &e, applied.clone()))?;
                applied.push(sql.clone());
                i += 1;
                continue;
            }
            // A run of transactional statements: all or nothing.
            let start = i;
            while i < statements.len() && statements[i].transactional {
                i += 1;
            }
            client
                .batch_execute("BEGIN")
                .await
                .map_err(|e| exec_error(start, "BEGIN", &e, applied.clone()))?;
            for (offset, statement) in statements[start..i].iter().enumerate() {
                if let Err(e) = client.batch_execute(&statement.sql).await {
                    let _ = client.batch_execute("ROLLBACK").await;
                    return Err(exec_error(start + offset, &statement.sql, &e, applied));
                }
            }
            client
                .batch_execute("COMMIT")
                .await
                .map_err(|e| exec_error(i - 1, "COMMIT", &e, applied.clone()))?;
            applied.extend(statements[start..i].iter().map(|s| s.sql.clone()));
        }
        Ok(())
    }

    async fn execute(&self, statements: &[String]) -> Result<(), DriverError> {
        let client = self.client.lock().await;
        for (index, sql) in statements.iter().enumerate() {
            client
                .batch_execute(sql)
                .await
                .map_err(|e| exec_error(index, sql, &e, statements[..index].to_vec()))?;
        }
        Ok(())
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
                let row = client
                    .query_one("SELECT pg_try_advisory_lock($1)", &[&key])
                    .await
                    .map_err(|e| {
                        DriverError::Unsupported(format!("taking lock {name:?}: {}", one_line(&e)))
                    })?;
                row.try_get(0).unwrap_or(false)
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
            .query_one("SELECT pg_advisory_unlock($1)", &[&key])
            .await
            .map_err(|e| {
                DriverError::Unsupported(format!("releasing lock {name:?}: {}", one_line(&e)))
            })?;
        Ok(())
    }
}

#[async_trait]
impl DevDatabase for PostgresDriver {
    async fn check_clean(&self) -> Result<(), DriverError> {
        let client = self.client.lock().await;
        let schemas: Vec<String> = self.schema.iter().cloned().collect();
        match crate::dev::first_object(&client, &schemas).await? {
            Some(found) => Err(DriverError::NotClean { found }),
            None => Ok(()),
        }
    }

    async fn reset(&self) -> Result<(), DriverError> {
        let client = self.client.lock().await;
        let sql = match &self.schema {
            Some(schema) => crate::dev::reset_schema(&client, schema).await?,
            None => crate::dev::reset_all(&client).await?,
        };
        client
            .batch_execute(&sql)
            .await
            .map_err(|e| DriverError::Exec {
                index: 0,
                sql: sql.clone(),
                message: one_line(&e),
                applied: Vec::new(),
            })?;
        Ok(())
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

    async fn close(&self) -> Result<(), DriverError> {
        self.connection.abort();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::config;

    #[test]
    fn url_parsing() {
        let (c, schema) =
            config("postgresql://u:p%40ss@h:6543/db?search_path=app&sslmode=disable").unwrap();
        assert_eq!(schema.as_deref(), Some("app"));
        assert_eq!(c.get_user(), Some("u"));
        assert_eq!(c.get_password(), Some(&b"p@ss"[..]));
        assert_eq!(c.get_dbname(), Some("db"));
        assert_eq!(c.get_ports(), &[6543]);
        let err = config("mysql://u@h/db").unwrap_err().to_string();
        assert!(err.contains("postgres://"), "{err}");
        let err = config("postgres://u:secret@h/db?sslmode=require")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("secret"), "{err}");
    }
}
