//! Shared helpers: a server URL, throwaway databases, loading SQL, comparing realms.

#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};

use mercator_driver::{DevDatabase, Executor, InspectOptions, Inspector};
use mercator_postgres::{PostgresDialect, PostgresDriver};
use schema_diff::{Dialect, DiffOptions, PlanOptions};
use schema_model::Realm;

static COUNTER: AtomicUsize = AtomicUsize::new(0);

pub fn admin_url() -> String {
    std::env::var("MERCATOR_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// The URL of another database on the same server.
pub fn url_for(database: &str) -> String {
    let mut url = url::Url::parse(&admin_url()).expect("MERCATOR_POSTGRES_URL is a URL");
    url.set_path(&format!("/{database}"));
    url.set_query(None);
    url.to_string()
}

/// The admin connection, or `None` (with a message) when the server is unreachable and
/// servers are not required.
pub async fn admin() -> Option<PostgresDriver> {
    match PostgresDriver::open(&admin_url()).await {
        Ok(driver) => Some(driver),
        Err(e) => {
            if std::env::var("MERCATOR_REQUIRE_SERVERS").as_deref() == Ok("1") {
                panic!("PostgreSQL required but unreachable: {e}");
            }
            eprintln!("skipping: PostgreSQL unreachable: {e}");
            None
        }
    }
}

/// A database created for one test and dropped by [`TestDb::drop_db`].
pub struct TestDb {
    pub name: String,
    pub url: String,
}

impl TestDb {
    pub async fn create(admin: &PostgresDriver) -> TestDb {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let name = format!("mercator_t_{}_{n}", std::process::id());
        admin
            .execute(&[
                format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                format!("CREATE DATABASE {name}"),
            ])
            .await
            .expect("create test database");
        let url = url_for(&name);
        TestDb { name, url }
    }

    pub async fn open(&self) -> PostgresDriver {
        PostgresDriver::open(&self.url)
            .await
            .expect("open test database")
    }

    pub async fn drop_db(self, admin: &PostgresDriver) {
        admin
            .execute(&[format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            )])
            .await
            .expect("drop test database");
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
