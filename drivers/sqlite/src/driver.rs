//! The connected driver: URL handling and the `mercator_driver` traits, with rusqlite
//! calls moved to tokio's blocking pool.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use rusqlite::{Connection, OpenFlags};
use schema_diff::{Dialect, Plan};
use schema_model::Realm;

use mercator_driver::{
    DevDatabase, Driver, DriverError, Executor, InspectOptions, Inspector, Locker, redact_url,
};

use crate::inspect::SCHEMA;
use crate::{SqliteDialect, dev, exec, inspect, lock};

static MEMORY_IDS: AtomicU64 = AtomicU64::new(0);

/// A SQLite database, file or in-memory, behind one connection.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use mercator_driver::{Executor, InspectOptions, Inspector};
/// use mercator_sqlite::SqliteDriver;
///
/// let db = SqliteDriver::open("sqlite://dev?mode=memory").unwrap();
/// db.execute(&["CREATE TABLE t (id integer PRIMARY KEY)".to_string()]).await.unwrap();
/// let realm = db.inspect(&InspectOptions::default()).await.unwrap();
/// assert_eq!(realm.schemas[0].tables[0].name, "t");
/// # });
/// ```
pub struct SqliteDriver {
    conn: Arc<Mutex<Connection>>,
    /// Identifies the database for lock files: the canonical file path, or a
    /// process-unique name for in-memory databases.
    key: String,
    held: Mutex<HashMap<String, PathBuf>>,
}

impl std::fmt::Debug for SqliteDriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteDriver")
            .field("key", &self.key)
            .finish()
    }
}

fn lock_conn(conn: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic while holding the connection leaves SQLite itself consistent (statements
    // are atomic), so the connection stays usable.
    conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl SqliteDriver {
    /// Opens `sqlite://path/to/file.db` (also `sqlite3://`; `sqlite:///abs/path.db` for
    /// absolute paths) or `sqlite://name?mode=memory` for a private in-memory database.
    /// The file is created when missing; its directory must exist. `sqlite://file:…` hands
    /// the rest to SQLite as a URI (e.g. `file:dev?mode=memory&cache=shared` for an
    /// in-memory database shared by every connection of the process that names it).
    pub fn open(url: &str) -> Result<SqliteDriver, DriverError> {
        let redacted = redact_url(url);
        let invalid = |message: &str| DriverError::InvalidUrl {
            url: redacted.clone(),
            message: message.to_owned(),
        };
        let rest = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite3://"))
            .ok_or_else(|| invalid("expected a sqlite:// or sqlite3:// URL"))?;
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let params: Vec<(&str, &str)> = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| p.split_once('=').unwrap_or((p, "")))
            .collect();
        let connect = |message: String| DriverError::Connect {
            url: redacted.clone(),
            message,
        };
        // `file:` URIs go to SQLite as they are (shared caches, `immutable`, …).
        if path.starts_with("file:") {
            let uri = if query.is_empty() {
                path.to_owned()
            } else {
                format!("{path}?{query}")
            };
            let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_URI
                | OpenFlags::SQLITE_OPEN_NO_MUTEX;
            let conn = Connection::open_with_flags(&uri, flags)
                .map_err(|e| connect(format!("cannot open {uri}: {e}")))?;
            conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
                r.get::<_, i64>(0)
            })
            .map_err(|e| connect(format!("cannot read {uri}: {e}")))?;
            return SqliteDriver::with_key(conn, uri).map_err(|e| connect(e.to_string()));
        }
        let memory = params
            .iter()
            .any(|(k, v)| *k == "mode" && v.eq_ignore_ascii_case("memory"));
        if memory {
            return Ok(SqliteDriver::in_memory());
        }
        if path.is_empty() {
            return Err(invalid("no database file given"));
        }
        let file = Path::new(path);
        if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty())
            && !parent.is_dir()
        {
            return Err(connect(format!(
                "directory {} does not exist",
                parent.display()
            )));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(file, flags)
            .map_err(|e| connect(format!("cannot open {}: {e}", file.display())))?;
        // Opening is lazy: read the schema once so a file that is not a database (or not
        // readable) fails here rather than at first use.
        conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(|e| connect(format!("cannot read {}: {e}", file.display())))?;
        let key = std::fs::canonicalize(file)
            .unwrap_or_else(|_| file.to_path_buf())
            .display()
            .to_string();
        SqliteDriver::with_key(conn, key).map_err(|e| connect(e.to_string()))
    }

    /// A private in-memory database.
    pub fn in_memory() -> SqliteDriver {
        // Opening an in-memory database only fails when SQLite cannot allocate memory.
        let conn = Connection::open_in_memory()
            .unwrap_or_else(|e| panic!("SQLite cannot open an in-memory database: {e}"));
        let id = MEMORY_IDS.fetch_add(1, Ordering::Relaxed);
        let key = format!("memory-{}-{id}", std::process::id());
        SqliteDriver::with_key(conn, key)
            .unwrap_or_else(|e| panic!("SQLite cannot configure an in-memory database: {e}"))
    }

    /// Wraps an open connection (for tests and benchmarks that prepare a database with
    /// rusqlite directly).
    pub fn from_connection(conn: Connection) -> Result<SqliteDriver, DriverError> {
        let id = MEMORY_IDS.fetch_add(1, Ordering::Relaxed);
        let key = conn
            .path()
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .unwrap_or_else(|| format!("memory-{}-{id}", std::process::id()));
        SqliteDriver::with_key(conn, key).map_err(|e| DriverError::Connect {
            url: "sqlite connection".into(),
            message: e.to_string(),
        })
    }

    fn with_key(conn: Connection, key: String) -> rusqlite::Result<SqliteDriver> {
        conn.execute_batch("PRAGMA foreign_keys = ON")?;
        Ok(SqliteDriver {
            conn: Arc::new(Mutex::new(conn)),
            key,
            held: Mutex::new(HashMap::new()),
        })
    }

    /// Runs `f` on the connection synchronously (for tests and benchmarks).
    pub fn with_connection<T>(&self, f: impl FnOnce(&mut Connection) -> T) -> T {
        f(&mut lock_conn(&self.conn))
    }

    /// Inspects the `main` schema synchronously.
    pub fn inspect_sync(&self, options: &InspectOptions) -> Result<Realm, DriverError> {
        self.with_connection(|conn| inspect_options(conn, options))
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, DriverError> + Send + 'static,
    ) -> Result<T, DriverError> {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || f(&mut lock_conn(&conn)))
            .await
            .map_err(|e| DriverError::Unsupported(format!("SQLite worker failed: {e}")))?
    }
}

fn inspect_options(conn: &Connection, options: &InspectOptions) -> Result<Realm, DriverError> {
    if !options.schemas.is_empty() && !options.schemas.iter().any(|s| s == SCHEMA) {
        return Ok(Realm::default());
    }
    inspect::inspect_realm(conn, &options.exclude_tables).map_err(|e| DriverError::Inspect {
        message: e.to_string(),
    })
}

#[async_trait]
impl Inspector for SqliteDriver {
    async fn inspect(&self, options: &InspectOptions) -> Result<Realm, DriverError> {
        let options = options.clone();
        self.blocking(move |conn| inspect_options(conn, &options))
            .await
    }
}

#[async_trait]
impl Executor for SqliteDriver {
    async fn apply(&self, plan: &Plan) -> Result<(), DriverError> {
        let plan = plan.clone();
        self.blocking(move |conn| exec::apply(conn, &plan)).await
    }

    async fn execute(&self, statements: &[String]) -> Result<(), DriverError> {
        let statements = statements.to_vec();
        self.blocking(move |conn| exec::execute(conn, &statements))
            .await
    }
}

#[async_trait]
impl Locker for SqliteDriver {
    async fn lock(&self, name: &str, timeout: Duration) -> Result<(), DriverError> {
        let path = lock::path(&self.key, name);
        lock::acquire(&path, name, timeout).await?;
        lock_held(&self.held).insert(name.to_owned(), path);
        Ok(())
    }

    async fn unlock(&self, name: &str) -> Result<(), DriverError> {
        let path = lock_held(&self.held).remove(name);
        match path {
            Some(path) => lock::release(&path),
            None => Ok(()),
        }
    }
}

fn lock_held(held: &Mutex<HashMap<String, PathBuf>>) -> MutexGuard<'_, HashMap<String, PathBuf>> {
    held.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Drop for SqliteDriver {
    fn drop(&mut self) {
        for (_, path) in lock_held(&self.held).drain() {
            let _ = lock::release(&path);
        }
    }
}

#[async_trait]
impl DevDatabase for SqliteDriver {
    async fn check_clean(&self) -> Result<(), DriverError> {
        self.blocking(|conn| dev::check_clean(conn)).await
    }

    async fn reset(&self) -> Result<(), DriverError> {
        self.blocking(dev::reset).await
    }
}

#[async_trait]
impl Driver for SqliteDriver {
    fn dialect(&self) -> &dyn Dialect {
        &SqliteDialect
    }

    fn bound_schema(&self) -> Option<&str> {
        Some(SCHEMA)
    }

    async fn close(&self) -> Result<(), DriverError> {
        let held: Vec<PathBuf> = lock_held(&self.held).drain().map(|(_, p)| p).collect();
        for path in held {
            lock::release(&path)?;
        }
        Ok(())
    }
}
