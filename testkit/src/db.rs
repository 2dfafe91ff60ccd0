//! Throw-away databases on the test servers.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use mysql_async::prelude::Queryable;

use crate::servers::{mysql_url, postgres_url, skip_or_fail, url_for};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A name unique to this call, `<prefix>_<pid>_<n>_<random>`: lower-case, so it needs no
/// quoting on any server. The random part matters: test processes in other containers
/// share the servers and may have the same process id.
pub fn unique_name(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    // RandomState is seeded from the OS's randomness.
    let random = RandomState::new().hash_one((n, std::process::id())) as u32;
    format!("{prefix}_{}_{n}_{random:08x}", std::process::id())
}

/// Which server a database lives on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Server {
    /// PostgreSQL, at [`postgres_url`].
    Postgres,
    /// MySQL or MariaDB, at [`mysql_url`].
    Mysql,
}

impl Server {
    /// The server's admin URL.
    pub fn url(self) -> String {
        match self {
            Server::Postgres => postgres_url(),
            Server::Mysql => mysql_url(),
        }
    }

    fn label(self) -> &'static str {
        match self {
            Server::Postgres => "PostgreSQL",
            Server::Mysql => "MySQL",
        }
    }
}

/// A database created for one test. It is dropped when the value is dropped — also when
/// the test panics — or earlier with [`ServerDb::drop_db`].
#[derive(Debug)]
pub struct ServerDb {
    /// The server it lives on.
    pub server: Server,
    /// The database's name.
    pub name: String,
    /// The URL of the new database: the server URL with the database replaced (bound to it
    /// for MySQL; for PostgreSQL a connection to it that is bound to no schema).
    pub url: String,
    admin_url: String,
    dropped: AtomicBool,
}

async fn pg_connect(url: &str) -> Result<tokio_postgres::Client, String> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

async fn mysql_connect(url: &str) -> Result<mysql_async::Conn, String> {
    let opts = mysql_async::Opts::from_url(url).map_err(|e| e.to_string())?;
    mysql_async::Conn::new(opts)
        .await
        .map_err(|e| e.to_string())
}

/// Why running SQL failed.
enum Failure {
    /// The server could not be reached (skip the test).
    Connect(String),
    /// The server refused the SQL (a broken test or server: fail).
    Sql(String),
}

impl Failure {
    fn message(self) -> String {
        match self {
            Failure::Connect(m) => format!("cannot connect: {m}"),
            Failure::Sql(m) => m,
        }
    }
}

/// Runs SQL (several statements allowed) on `url`.
async fn run(server: Server, url: &str, sql: &str) -> Result<(), Failure> {
    match server {
        Server::Postgres => {
            let client = pg_connect(url).await.map_err(Failure::Connect)?;
            client
                .batch_execute(sql)
                .await
                .map_err(|e| Failure::Sql(e.to_string()))
        }
        Server::Mysql => {
            let mut conn = mysql_connect(url).await.map_err(Failure::Connect)?;
            let outcome = conn
                .query_drop(sql)
                .await
                .map_err(|e| Failure::Sql(e.to_string()));
            let _ = conn.disconnect().await;
            outcome
        }
    }
}

fn drop_sql(server: Server, name: &str) -> String {
    match server {
        Server::Postgres => format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        Server::Mysql => format!("DROP DATABASE IF EXISTS `{name}`"),
    }
}

impl ServerDb {
    /// Creates a fresh database, or returns `None` (after [`skip_or_fail`]) when the server
    /// is unreachable.
    pub async fn create(server: Server) -> Option<ServerDb> {
        let admin_url = server.url();
        let name = unique_name("mercator_t");
        let create = match server {
            Server::Postgres => format!("CREATE DATABASE {name}"),
            Server::Mysql => format!("CREATE DATABASE `{name}`"),
        };
        match run(server, &admin_url, &create).await {
            Ok(()) => {}
            Err(Failure::Connect(why)) => {
                skip_or_fail(server.label(), &why);
                return None;
            }
            Err(Failure::Sql(why)) => panic!("{create}: {why}"),
        }
        Some(ServerDb {
            server,
            url: url_for(&admin_url, &name),
            name,
            admin_url,
            dropped: AtomicBool::new(false),
        })
    }

    /// Two fresh databases on the same server (e.g. the target and the dev database).
    pub async fn pair(server: Server) -> Option<(ServerDb, ServerDb)> {
        let first = ServerDb::create(server).await?;
        let second = ServerDb::create(server).await?;
        Some((first, second))
    }

    /// Runs SQL on the database directly, not through Mercator; panics on failure.
    pub async fn exec(&self, sql: &str) {
        if let Err(e) = run(self.server, &self.url, sql).await {
            panic!("{sql}: {}", e.message());
        }
    }

    /// Drops the database now (dropping the value does the same, blocking).
    pub async fn drop_db(&self) {
        if !self.dropped.swap(true, Ordering::SeqCst) {
            let _ = run(
                self.server,
                &self.admin_url,
                &drop_sql(self.server, &self.name),
            )
            .await;
        }
    }
}

impl Drop for ServerDb {
    fn drop(&mut self) {
        if self.dropped.swap(true, Ordering::SeqCst) {
            return;
        }
        // Drop cannot await, and may run inside a runtime (a failing async test): drop the
        // database from a thread with its own runtime.
        let (server, url, sql) = (
            self.server,
            self.admin_url.clone(),
            drop_sql(self.server, &self.name),
        );
        let cleanup = std::thread::spawn(move || {
            if let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                let _ = runtime.block_on(run(server, &url, &sql));
            }
        });
        let _ = cleanup.join();
    }
}
