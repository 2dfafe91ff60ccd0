//! The shuffle property (issue acceptance): scattering a schema's statements over files
//! in random order, tied together by a random graph of `-- atlas:import` directives, and
//! loading the entry file with `sqlimport` must give a statement order that builds the
//! same schema as the original file executed in order, on the real database.

use mercator_testkit as common;

use std::path::{Path, PathBuf};

use common::{Server, ServerDb, TempDir};
use mercator_driver::{Driver, DriverExt, InspectOptions};
use schema_diff::{DialectExt, DiffOptions};
use schema_model::{Realm, canonicalize};

/// Seeds per corpus file: SQLite runs in memory and is cheap; servers take longer.
const SQLITE_SEEDS: u64 = 40;
const SERVER_SEEDS: u64 = 10;

fn corpus_files(dialect: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in [
        root.join("../sqlimport/tests/corpus").join(dialect),
        root.join("tests/shuffle-corpus").join(dialect),
    ] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "sql") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

async fn build(driver: &dyn Driver, statements: &[String]) -> Result<Realm, String> {
    driver.check_clean().await.map_err(|e| e.to_string())?;
    let executed = driver.execute(statements).await.map_err(|e| e.to_string());
    let realm = match executed {
        Ok(()) => driver
            .inspect(&InspectOptions::default())
            .await
            .map_err(|e| e.to_string()),
        Err(e) => Err(e),
    };
    driver.reset().await.map_err(|e| e.to_string())?;
    realm
}

fn loaded(path: &Path, dialect: sqlimport::DialectKind) -> Result<Vec<String>, String> {
    let project = sqlimport::load(path, dialect).map_err(|e| e.to_string())?;
    Ok(project.statements.into_iter().map(|s| s.sql).collect())
}

async fn check_corpus(
    driver: &dyn Driver,
    dialect: sqlimport::DialectKind,
    file: &Path,
    seeds: u64,
) -> Vec<String> {
    let original = match std::fs::read_to_string(file)
        .map_err(|e| e.to_string())
        .and_then(|text| sqlimport::split(&text, file, dialect).map_err(|e| e.to_string()))
    {
        Ok(statements) => statements,
        Err(e) => return vec![format!("{}: cannot read: {e}", file.display())],
    };
    let in_file_order: Vec<String> = original.iter().map(|s| s.sql.clone()).collect();
    let expected = match build(driver, &in_file_order).await {
        Ok(mut realm) => {
            forget_row_counters(&mut realm);
            realm
        }
        Err(e) => return vec![format!("{}: original does not build: {e}", file.display())],
    };
    let mut failures = Vec::new();
    for seed in 0..seeds {
        let dir = TempDir::new();
        // From everything in one file to one file per few statements.
        let files = 1 + (seed as usize % 6);
        let outcome = match sqlimport::scatter::scatter(&original, seed, files, dir.path()) {
            Ok(entry) => match loaded(&entry, dialect) {
                Ok(order) if order.len() != original.len() => Err(format!(
                    "loaded {} statements, expected {}",
                    order.len(),
                    original.len()
                )),
                Ok(order) => build(driver, &order).await,
                Err(e) => Err(e),
            },
            Err(e) => Err(format!("scatter failed: {e}")),
        };
        match outcome {
            Ok(mut realm) => {
                forget_row_counters(&mut realm);
                let changes = driver
                    .dialect()
                    .diff(&expected, &realm, &DiffOptions::default());
                if !changes.is_empty() || canonicalize(&expected) != canonicalize(&realm) {
                    failures.push(format!(
                        "{} seed {seed} ({files} files): schema differs ({} changes; {})",
                        file.display(),
                        changes.len(),
                        first_difference(&expected, &realm)
                    ));
                }
            }
            Err(e) => failures.push(format!(
                "{} seed {seed} ({files} files): {e}",
                file.display()
            )),
        }
    }
    failures
}

/// MySQL reports a table's next AUTO_INCREMENT value, which the corpora's `INSERT`s move
/// depending on where they land relative to table rebuilds: row state, not schema (the
/// differ ignores it too), so it is left out of the comparison.
fn forget_row_counters(realm: &mut Realm) {
    for schema in &mut realm.schemas {
        for table in &mut schema.tables {
            table.mysql.auto_increment = None;
        }
    }
}

/// The first line where the canonical JSON forms differ, to say what differs.
fn first_difference(expected: &Realm, found: &Realm) -> String {
    let json =
        |realm: &Realm| serde_json::to_string_pretty(&canonicalize(realm)).unwrap_or_default();
    let (a, b) = (json(expected), json(found));
    a.lines()
        .zip(b.lines())
        .enumerate()
        .find(|(_, (x, y))| x != y)
        .map(|(i, _)| {
            let around = |text: &str| {
                text.lines()
                    .skip(i.saturating_sub(3))
                    .take(6)
                    .map(str::trim)
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            format!(
                "line {i}: expected `{}`, found `{}`",
                around(&a),
                around(&b)
            )
        })
        .unwrap_or_else(|| "lengths differ".into())
}

async fn check_dialect(
    driver: &dyn Driver,
    name: &str,
    dialect: sqlimport::DialectKind,
    seeds: u64,
) -> Vec<String> {
    let files = corpus_files(name);
    if files.is_empty() {
        return vec![format!("no {name} corpus")];
    }
    let mut failures = Vec::new();
    for file in &files {
        failures.extend(check_corpus(driver, dialect, file, seeds).await);
    }
    failures
}

#[tokio::test]
async fn shuffled_sqlite_projects_build_the_same_schema() {
    let driver = mercator_migrate::open("sqlite://shuffle?mode=memory")
        .await
        .unwrap();
    let failures = check_dialect(
        driver.as_ref(),
        "sqlite",
        sqlimport::DialectKind::Sqlite,
        SQLITE_SEEDS,
    )
    .await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

async fn check_server(server: Server, name: &str, dialect: sqlimport::DialectKind) {
    let Some(dev) = ServerDb::create(server).await else {
        return;
    };
    let failures = match mercator_migrate::open(&dev.url).await {
        Ok(driver) => {
            let failures = check_dialect(driver.as_ref(), name, dialect, SERVER_SEEDS).await;
            let _ = driver.close().await;
            failures
        }
        Err(e) => vec![e.to_string()],
    };
    dev.drop_db().await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn shuffled_postgres_projects_build_the_same_schema() {
    check_server(
        Server::Postgres,
        "postgres",
        sqlimport::DialectKind::Postgres,
    )
    .await;
}

#[tokio::test]
async fn shuffled_mysql_projects_build_the_same_schema() {
    check_server(Server::Mysql, "mysql", sqlimport::DialectKind::Mysql).await;
}
