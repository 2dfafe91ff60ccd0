//! The connected driver: URL handling and the `mercator_driver` traits, with rusqlite
//! calls moved to tokio's blocking pool.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use rusqlite::{Connection, OpenFlags};
use schema_diff::Dialect;
use schema_model::Realm;
use tracing::Instrument;

use mercator_driver::{
    DevDatabase, Driver, DriverError, DriverFactory, InspectOptions, Inspector, Locker, OpenFuture,
    OpenOptions, REVISIONS_TABLE, Scratch, Session, redact_url, source,
};

use crate::inspect::SCHEMA;
use crate::session::SqliteSession;
use crate::{SqliteDialect, dev, inspect, lock};

/// How `mercator-migrate` finds this driver: `sqlite://` and `sqlite3://` URLs, with an
/// in-memory database as the default dev database.
pub const FACTORY: DriverFactory = DriverFactory {
    kind: schema_model::DialectKind::Sqlite,
    schemes: &["sqlite", "sqlite3"],
    standard_urls: false,
    open: open_boxed,
    scratch: Some(scratch),
    dialect: || Box::new(SqliteDialect),
};

fn open_boxed(url: &str, options: OpenOptions) -> OpenFuture<'_> {
    Box::pin(async move {
        let driver: Box<dyn Driver> = Box::new(SqliteDriver::open_with(url, options)?);
        Ok(driver)
    })
}

fn scratch() -> Result<Box<dyn Driver>, DriverError> {
    Ok(Box::new(SqliteDriver::in_memory()))
}

static MEMORY_IDS: AtomicU64 = AtomicU64::new(0);

/// A SQLite database, file or in-memory, behind one connection.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use mercator_driver::{DriverExt, InspectOptions, Inspector};
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
    /// Held by a session for its whole life, and by every other async operation while it
    /// runs, so a session's transaction is never interleaved with other work.
    gate: tokio::sync::Mutex<()>,
    /// Identifies the database for lock files: the canonical file path, or a
    /// process-unique name for in-memory databases.
    key: String,
    /// The URL as given, for messages.
    url: String,
    /// Lock files held, by lock name: the kernel releases them when the file is closed or
    /// the process dies, so a killed apply never leaves a stale lock behind.
    held: Mutex<HashMap<String, lock::HeldLock>>,
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
        SqliteDriver::open_with(url, OpenOptions::default())
    }

    /// [`SqliteDriver::open`] with options: without `create_missing`, a file that does not
    /// exist is an error and nothing is created (`mode=ro` and `mode=rw` in the URL do the
    /// same, `mode=ro` also opening read-only).
    pub fn open_with(url: &str, options: OpenOptions) -> Result<SqliteDriver, DriverError> {
        let redacted = redact_url(url);
        let invalid = |message: &str| DriverError::invalid_url(url, message);
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
            code: None,
            source: None,
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
            return SqliteDriver::with_key(conn, uri, &redacted)
                .map_err(|e| connect(e.to_string()));
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
        let mode = params
            .iter()
            .find(|(k, _)| *k == "mode")
            .map(|(_, v)| v.to_ascii_lowercase());
        let read_only = mode.as_deref() == Some("ro");
        let create = options.create_missing && !matches!(mode.as_deref(), Some("ro" | "rw"));
        if !create && !file.exists() {
            return Err(connect(format!(
                "database file {} does not exist",
                file.display()
            )));
        }
        let mut flags = OpenFlags::SQLITE_OPEN_NO_MUTEX;
        flags |= if read_only {
            OpenFlags::SQLITE_OPEN_READ_ONLY
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE
        };
        if create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
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
        SqliteDriver::with_key(conn, key, &redacted).map_err(|e| connect(e.to_string()))
    }

    /// A private in-memory database.
    pub fn in_memory() -> SqliteDriver {
        // Opening an in-memory database only fails when SQLite cannot allocate memory.
        let conn = Connection::open_in_memory()
            .unwrap_or_else(|e| panic!("SQLite cannot open an in-memory database: {e}"));
        let id = MEMORY_IDS.fetch_add(1, Ordering::Relaxed);
        let key = format!("memory-{}-{id}", std::process::id());
        SqliteDriver::with_key(conn, key, "sqlite://dev?mode=memory")
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
        let url = format!("sqlite://{key}");
        SqliteDriver::with_key(conn, key, &url).map_err(|e| DriverError::Connect {
            url: "sqlite connection".into(),
            message: e.to_string(),
            code: error_code(&e),
            source: Some(source(e)),
        })
    }

    fn with_key(conn: Connection, key: String, url: &str) -> rusqlite::Result<SqliteDriver> {
        if !conn.is_readonly(rusqlite::MAIN_DB)? {
            conn.execute_batch("PRAGMA foreign_keys = ON")?;
        }
        Ok(SqliteDriver {
            conn: Arc::new(Mutex::new(conn)),
            gate: tokio::sync::Mutex::new(()),
            key,
            url: url.to_owned(),
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

    /// Runs `f` on the blocking pool, after any session on this driver has ended.
    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, DriverError> + Send + 'static,
    ) -> Result<T, DriverError> {
        let _gate = self.gate.lock().await;
        self.blocking_ungated(f).await
    }

    /// Runs `f` on the blocking pool; for sessions, which hold the gate themselves.
    pub(crate) async fn blocking_ungated<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, DriverError> + Send + 'static,
    ) -> Result<T, DriverError> {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || f(&mut lock_conn(&conn)))
            .await
            .map_err(|e| DriverError::ConnectionLost {
                message: format!("the SQLite worker thread failed: {e}"),
                applied: Vec::new(),
                source: Some(source(e)),
            })?
    }
}

fn inspect_options(conn: &Connection, options: &InspectOptions) -> Result<Realm, DriverError> {
    if !options.schemas.is_empty() && !options.schemas.iter().any(|s| s == SCHEMA) {
        return Ok(Realm::default());
    }
    let mut exclude = options.exclude_tables.clone();
    exclude.push(REVISIONS_TABLE.to_owned());
    inspect::inspect_realm(conn, &exclude, options.only_tables.as_deref()).map_err(|e| {
        DriverError::Inspect {
            message: e.to_string(),
            code: error_code(&e),
            source: Some(source(e)),
        }
    })
}

/// SQLite's extended result code of an error, as text.
pub(crate) fn error_code(e: &rusqlite::Error) -> Option<String> {
    e.sqlite_error().map(|f| f.extended_code.to_string())
}

#[async_trait]
impl Inspector for SqliteDriver {
    async fn inspect(&self, options: &InspectOptions) -> Result<Realm, DriverError> {
        let options = options.clone();
        self.blocking(move |conn| inspect_options(conn, &options))
            .instrument(tracing::info_span!("inspect", driver = "sqlite"))
            .await
    }
}

#[async_trait]
impl Locker for SqliteDriver {
    async fn lock(&self, name: &str, timeout: Duration) -> Result<(), DriverError> {
        let path = lock::path(&self.key, name);
        let file = lock::acquire(&path, name, timeout).await?;
        lock_held(&self.held).insert(name.to_owned(), file);
        Ok(())
    }

    async fn unlock(&self, name: &str) -> Result<(), DriverError> {
        // Dropping the held lock removes its file and releases it.
        lock_held(&self.held).remove(name);
        Ok(())
    }
}

fn lock_held(
    held: &Mutex<HashMap<String, lock::HeldLock>>,
) -> MutexGuard<'_, HashMap<String, lock::HeldLock>> {
    held.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[async_trait]
impl DevDatabase for SqliteDriver {
    async fn check_clean(&self) -> Result<(), DriverError> {
        let url = self.url.clone();
        self.blocking(move |conn| dev::check_clean(conn, &url))
            .await
    }

    async fn reset(&self) -> Result<(), DriverError> {
        self.blocking(dev::reset).await
    }

    /// Snapshots are database files in `store` (`VACUUM INTO`), restored into a new
    /// in-memory database.
    async fn save_snapshot(
        &self,
        scratch: &mut Scratch,
        key: &str,
        store: &Path,
    ) -> Result<bool, DriverError> {
        crate::snapshot::save(scratch, key, store).await
    }

    async fn restore_snapshot(
        &self,
        key: &str,
        store: &Path,
    ) -> Result<Option<Scratch>, DriverError> {
        crate::snapshot::restore(key, store).await
    }

    async fn snapshot_keys(&self, store: &Path) -> Result<Vec<String>, DriverError> {
        Ok(crate::snapshot::keys(store))
    }

    async fn drop_snapshots(&self, store: &Path) -> Result<usize, DriverError> {
        Ok(crate::snapshot::reclaim(store, 0))
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

    fn url(&self) -> &str {
        &self.url
    }

    async fn session(&self) -> Result<Box<dyn Session + '_>, DriverError> {
        let gate = self.gate.lock().await;
        // A session dropped inside its transaction left it open: roll it back (and restore
        // the enforcement a plan transaction switches off) before anyone else uses it.
        self.blocking_ungated(|conn| {
            if !conn.is_autocommit() {
                conn.execute_batch("ROLLBACK")
                    .map_err(|e| DriverError::Exec {
                        index: 0,
                        sql: "ROLLBACK".into(),
                        message: e.to_string(),
                        code: error_code(&e),
                        applied: Vec::new(),
                        source: Some(source(e)),
                    })?;
                if !conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(true) {
                    let _ = conn.execute_batch("PRAGMA foreign_keys = ON");
                }
            }
            Ok(())
        })
        .await?;
        Ok(Box::new(SqliteSession::new(self, gate)))
    }

    async fn close(&self) -> Result<(), DriverError> {
        lock_held(&self.held).clear();
        Ok(())
    }
}
