//! Helpers shared by the workflow-level integration tests (`mercator-migrate`,
//! `mercator-cli`): temporary folders and throw-away databases on the test servers, which
//! skip with a printed reason when a server is unreachable unless
//! `MERCATOR_REQUIRE_SERVERS=1`.
//!
//! ```
//! let dir = mercator_testkit::TempDir::new();
//! assert!(dir.path().exists());
//! ```

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

/// A folder under the system temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl Default for TempDir {
    fn default() -> Self {
        Self::new()
    }
}

impl TempDir {
    pub fn new() -> Self {
        let path = std::env::temp_dir().join(unique("mercator-test"));
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes a file (creating folders) and returns its path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create folder");
        }
        std::fs::write(&path, text).expect("write file");
        path
    }

    pub fn sqlite_url(&self, name: &str) -> String {
        format!("sqlite://{}", self.0.join(name).display())
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn require_servers() -> bool {
    std::env::var("MERCATOR_REQUIRE_SERVERS").is_ok_and(|v| v == "1")
}

fn skip(what: &str, why: &str) -> Option<ServerDb> {
    if require_servers() {
        panic!("{what} is required (MERCATOR_REQUIRE_SERVERS=1) but unreachable: {why}");
    }
    eprintln!("skipping: {what} unreachable: {why}");
    None
}

/// Which server a database lives on.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Server {
    Postgres,
    Mysql,
}

/// A database created for one test; [`ServerDb::drop_db`] removes it.
pub struct ServerDb {
    pub server: Server,
    admin_url: String,
    pub name: String,
    /// URL of the new database (bound to it for MySQL; unbound for PostgreSQL).
    pub url: String,
}

fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_end = base[scheme_end..]
        .find('/')
        .map(|i| i + scheme_end)
        .unwrap_or(base.len());
    let mut out = format!("{}/{}", &base[..host_end], name);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

pub fn postgres_url() -> String {
    std::env::var("MERCATOR_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

pub fn mysql_url() -> String {
    std::env::var("MERCATOR_MYSQL_URL")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".into())
}

async fn pg_admin(url: &str) -> Result<tokio_postgres::Client, String> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

impl ServerDb {
    /// Creates a fresh database on the server, or returns `None` (skip) when the server is
    /// unreachable.
    pub async fn create(server: Server) -> Option<ServerDb> {
        let name = unique("mercator_t");
        match server {
            Server::Postgres => {
                let admin_url = postgres_url();
                let client = match pg_admin(&admin_url).await {
                    Ok(c) => c,
                    Err(e) => return skip("PostgreSQL", &e),
                };
                client
                    .batch_execute(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create database");
                let url = with_database(&admin_url, &name);
                Some(ServerDb {
                    server,
                    admin_url,
                    name,
                    url,
                })
            }
            Server::Mysql => {
                use mysql_async::prelude::Queryable;
                let admin_url = mysql_url();
                let opts = match mysql_async::Opts::from_url(&admin_url) {
                    Ok(o) => o,
                    Err(e) => return skip("MySQL", &e.to_string()),
                };
                let mut conn = match mysql_async::Conn::new(opts).await {
                    Ok(c) => c,
                    Err(e) => return skip("MySQL", &e.to_string()),
                };
                conn.query_drop(format!("CREATE DATABASE `{name}`"))
                    .await
                    .expect("create database");
                let _ = conn.disconnect().await;
                let url = with_database(&admin_url, &name);
                Some(ServerDb {
                    server,
                    admin_url,
                    name,
                    url,
                })
            }
        }
    }

    /// Runs SQL on the new database directly (not through Mercator).
    pub async fn exec(&self, sql: &str) {
        match self.server {
            Server::Postgres => {
                let client = pg_admin(&self.url).await.expect("connect");
                client.batch_execute(sql).await.expect("exec");
            }
            Server::Mysql => {
                use mysql_async::prelude::Queryable;
                let opts = mysql_async::Opts::from_url(&self.url).expect("url");
                let mut conn = mysql_async::Conn::new(opts).await.expect("connect");
                conn.query_drop(sql).await.expect("exec");
                let _ = conn.disconnect().await;
            }
        }
    }

    pub async fn drop_db(&self) {
        match self.server {
            Server::Postgres => {
                if let Ok(client) = pg_admin(&self.admin_url).await {
                    let _ = client
                        .batch_execute(&format!(
                            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                            self.name
                        ))
                        .await;
                }
            }
            Server::Mysql => {
                use mysql_async::prelude::Queryable;
                if let Ok(opts) = mysql_async::Opts::from_url(&self.admin_url)
                    && let Ok(mut conn) = mysql_async::Conn::new(opts).await
                {
                    let _ = conn
                        .query_drop(format!("DROP DATABASE IF EXISTS `{}`", self.name))
                        .await;
                    let _ = conn.disconnect().await;
                }
            }
        }
    }
}
