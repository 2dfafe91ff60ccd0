//! Inspection of a 1,000-table PostgreSQL schema (10 columns, 2 indexes besides the
//! primary key, 1 foreign key per table). Target: < 1 s. Also times
//! `pg_dump --schema-only` on the same database for comparison.
//!
//! The database `mercator_bench_inspect` is created for the run and dropped after it. The server is
//! read from `MERCATOR_POSTGRES_URL`; when it is unreachable the benchmark is skipped.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use mercator_driver::{DriverExt, InspectOptions, Inspector};
use mercator_postgres::PostgresDriver;

const DATABASE: &str = "mercator_bench_inspect";
const TABLES: usize = 1_000;

fn admin_url() -> String {
    std::env::var("MERCATOR_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// The admin URL pointed at another database.
fn url_for(database: &str) -> String {
    let url = admin_url();
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b.to_owned(), format!("?{q}")),
        None => (url.clone(), String::new()),
    };
    let prefix = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => &base[..i],
        _ => base.as_str(),
    };
    format!("{prefix}/{database}{query}")
}

fn table_sql(i: usize) -> String {
    let parent = if i == 0 { 0 } else { i - 1 };
    format!(
        "CREATE TABLE t{i} (
            id bigint PRIMARY KEY,
            parent_id bigint REFERENCES t{parent} (id) ON DELETE CASCADE,
            name text NOT NULL,
            code varchar(40),
            qty integer NOT NULL DEFAULT 0,
            price numeric(10,2),
            active boolean DEFAULT true,
            created timestamptz NOT NULL DEFAULT now(),
            payload jsonb,
            note text
        );
        CREATE INDEX t{i}_name_idx ON t{i} (name, qty);
        CREATE UNIQUE INDEX t{i}_code_idx ON t{i} (code) WHERE code IS NOT NULL;"
    )
}

/// The admin connection and one to a fresh bench database (a leftover of a killed run is
/// dropped first); the database is dropped again when the bench ends.
async fn prepare() -> Option<(PostgresDriver, PostgresDriver)> {
    let admin = match PostgresDriver::open(&admin_url()).await {
        Ok(admin) => admin,
        Err(e) => {
            eprintln!("skipping postgres_inspect: {e}");
            return None;
        }
    };
    admin
        .execute(&[
            format!("DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"),
            format!("CREATE DATABASE {DATABASE}"),
        ])
        .await
        .ok()?;
    let driver = PostgresDriver::open(&url_for(DATABASE)).await.ok()?;
    for chunk in (0..TABLES).collect::<Vec<_>>().chunks(100) {
        let sql: Vec<String> = chunk.iter().map(|i| table_sql(*i)).collect();
        driver.execute(&[sql.join("\n")]).await.ok()?;
    }
    Some((admin, driver))
}

/// Median wall time of `pg_dump --schema-only` over a few runs, if pg_dump is installed.
fn pg_dump_median() -> Option<Duration> {
    let mut runs = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let status = Command::new("pg_dump")
            .args([
                "--schema-only",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                DATABASE,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .ok()?;
        if !status.success() {
            return None;
        }
        runs.push(started.elapsed());
    }
    runs.sort();
    Some(runs[runs.len() / 2])
}

fn bench(c: &mut Criterion) {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("skipping postgres_inspect: no runtime: {e}");
            return;
        }
    };
    let Some((admin, driver)) = runtime.block_on(prepare()) else {
        return;
    };
    match pg_dump_median() {
        Some(median) => eprintln!("pg_dump --schema-only median of 5 runs: {median:?}"),
        None => eprintln!("pg_dump not available; no comparison"),
    }
    let options = InspectOptions::default();
    c.bench_function("postgres_inspect_1000_tables", |b| {
        b.iter(|| {
            let realm = runtime.block_on(driver.inspect(&options)).expect("inspect");
            assert_eq!(realm.table_count(), TABLES);
        })
    });
    drop(driver);
    let dropped = runtime
        .block_on(admin.execute(&[format!("DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")]));
    if let Err(e) = dropped {
        eprintln!("could not drop the bench database {DATABASE}: {e}");
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
