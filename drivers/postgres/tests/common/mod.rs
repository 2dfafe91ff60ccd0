//! Shared helpers: a server URL, throwaway databases, loading SQL, comparing realms.

#![allow(dead_code)]

pub mod migration;

use mercator_driver::{DevDatabase, DriverExt, InspectOptions, Inspector};
use mercator_postgres::{PostgresDialect, PostgresDriver};
use schema_diff::{Dialect, DialectExt, DiffOptions, PlanOptions};
use schema_model::Realm;

pub use mercator_testkit::{Server, ServerDb};

pub fn admin_url() -> String {
    mercator_testkit::postgres_url()
}

/// The URL of another database on the same server.
pub fn url_for(database: &str) -> String {
    mercator_testkit::url_for(&admin_url(), database)
}

/// `url` bound to `schema` (`search_path`), keeping any parameters it has.
pub fn bound_url(url: &str, schema: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}search_path={schema}")
}

/// The admin connection, or `None` (skip) when the server is unreachable and servers are
/// not required.
pub async fn admin() -> Option<PostgresDriver> {
    match PostgresDriver::open(&admin_url()).await {
        Ok(driver) => Some(driver),
        Err(e) => {
            mercator_testkit::skip_or_fail("PostgreSQL", &e.to_string());
            None
        }
    }
}

/// A database created for one test, dropped with the value (even when the test fails).
pub struct TestDb {
    db: ServerDb,
    pub name: String,
    pub url: String,
}

impl TestDb {
    /// Creates the database; call after [`admin`] found the server.
    pub async fn create() -> TestDb {
        let db = ServerDb::create(Server::Postgres)
            .await
            .expect("PostgreSQL answered a moment ago");
        TestDb {
            name: db.name.clone(),
            url: db.url.clone(),
            db,
        }
    }

    pub async fn open(&self) -> PostgresDriver {
        PostgresDriver::open(&self.url)
            .await
            .expect("open test database")
    }

    /// Drops the database now.
    pub async fn drop_db(self) {
        self.db.drop_db().await;
    }
}

pub async fn inspect(driver: &PostgresDriver) -> Realm {
    driver
        .inspect(&InspectOptions::default())
        .await
        .expect("inspect")
}

/// Runs a SQL file's text as one batch (the simple query protocol accepts many statements).
pub async fn load(driver: &PostgresDriver, sql: &str) -> Result<(), String> {
    if sql.trim().is_empty() {
        return Ok(());
    }
    driver
        .execute(&[sql.to_owned()])
        .await
        .map_err(|e| e.to_string())
}

/// The names of the tables of every schema of `realm`, sorted.
pub fn table_names(realm: &Realm) -> Vec<String> {
    let mut names: Vec<String> = realm
        .schemas
        .iter()
        .flat_map(|s| s.tables.iter().map(|t| t.name.clone()))
        .collect();
    names.sort();
    names
}

/// Empty when the realms are equal for the differ and canonically.
pub fn differences(a: &Realm, b: &Realm) -> Vec<String> {
    let dialect = PostgresDialect;
    let mut out = Vec::new();
    let changes = dialect.diff(a, b, &DiffOptions::default());
    if !changes.is_empty() {
        match dialect.plan(&changes, &PlanOptions::default()) {
            Ok(plan) => out.push(format!("diff not empty:\n{}", plan.to_sql())),
            Err(e) => out.push(format!(
                "diff not empty ({} changes, plan error {e})",
                changes.len()
            )),
        }
    }
    let back = dialect.diff(b, a, &DiffOptions::default());
    if !back.is_empty() && changes.is_empty() {
        out.push(format!("reverse diff not empty: {} changes", back.len()));
    }
    if out.is_empty() && schema_model::canonicalize(a) != schema_model::canonicalize(b) {
        let a = serde_json::to_string_pretty(&schema_model::canonicalize(a)).unwrap_or_default();
        let b = serde_json::to_string_pretty(&schema_model::canonicalize(b)).unwrap_or_default();
        let first = a
            .lines()
            .zip(b.lines())
            .find(|(x, y)| x != y)
            .map(|(x, y)| format!("{x} != {y}"))
            .unwrap_or_default();
        out.push(format!("canonical forms differ: {first}"));
    }
    out
}

/// Resets a database to fresh.
pub async fn reset(driver: &PostgresDriver) {
    driver.reset().await.expect("reset");
}

/// Names listed in the skip file (`<case> — <reason>`).
pub fn skipped() -> Vec<String> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/conformance-skip.txt"
    ))
    .unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split(" — ").next())
        .map(|s| s.trim().to_owned())
        .collect()
}

pub fn shared_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance")
}
