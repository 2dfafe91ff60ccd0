//! Round trip on a real server: load a schema, inspect it, plan it from empty onto a fresh
//! database, apply, inspect again: the realms must be equal and a re-plan empty.

mod common;

use std::path::PathBuf;

use common::*;
use mercator_driver::DriverExt;
use mercator_postgres::PostgresDialect;
use schema_diff::{Dialect, DialectExt, DiffOptions, PlanOptions};

/// Every case: our own schema files, migra's states, and the import-seed project.
fn cases() -> Vec<(String, String)> {
    let mut cases = Vec::new();
    let own = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/schemas");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&own)
        .expect("tests/schemas")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    for file in files {
        let name = file
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        cases.push((name, std::fs::read_to_string(&file).expect("read schema")));
    }
    let skipped = skipped();
    let migra = shared_dir().join("migra");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&migra)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    dirs.sort();
    for dir in dirs.into_iter().filter(|d| d.is_dir()) {
        let case = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if skipped.contains(&format!("migra/{case}")) {
            continue;
        }
        for side in ["a", "b"] {
            if let Ok(sql) = std::fs::read_to_string(dir.join(format!("{side}.sql"))) {
                cases.push((format!("migra/{case}/{side}"), sql));
            }
        }
    }
    // The import directives are SQL comments; files concatenated in dependency order.
    let seed = shared_dir().join("import-seed");
    let seed_sql: Vec<String> = ["common.sql", "backoffice/tables.sql", "crm/tables.sql"]
        .iter()
        .filter_map(|f| std::fs::read_to_string(seed.join(f)).ok())
        .collect();
    if seed_sql.len() == 3 {
        cases.push(("import-seed".to_owned(), seed_sql.join("\n")));
    }
    cases
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_trip_every_schema() {
    let Some(_admin) = admin().await else { return };
    let source_db = TestDb::create().await;
    let target_db = TestDb::create().await;
    let source = source_db.open().await;
    let target = target_db.open().await;
    let dialect = PostgresDialect;
    let cases = cases();
    let mut failures = Vec::new();
    let mut passed = 0;
    for (name, sql) in &cases {
        reset(&source).await;
        reset(&target).await;
        if let Err(e) = load(&source, sql).await {
            failures.push(format!("{name}: loading failed: {e}"));
            continue;
        }
        let desired = inspect(&source).await;
        let empty = inspect(&target).await;
        let changes = dialect.diff(&empty, &desired, &DiffOptions::default());
        let plan = match dialect.plan(&changes, &PlanOptions::default()) {
            Ok(plan) => plan,
            Err(e) => {
                failures.push(format!("{name}: plan failed: {e}"));
                continue;
            }
        };
        if let Err(e) = target.apply(&plan).await {
            failures.push(format!("{name}: apply failed: {e}"));
            continue;
        }
        let applied = inspect(&target).await;
        let diffs = differences(&desired, &applied);
        if !diffs.is_empty() {
            failures.push(format!("{name}: {}", diffs.join("; ")));
            continue;
        }
        // Inspecting again gives the same realm (inspection is deterministic).
        let again = inspect(&source).await;
        if again != desired {
            failures.push(format!("{name}: second inspection differs"));
            continue;
        }
        passed += 1;
    }
    drop(source);
    drop(target);
    source_db.drop_db().await;
    target_db.drop_db().await;
    eprintln!("round trip: {passed}/{} cases passed", cases.len());
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(cases.len() >= 40, "only {} cases", cases.len());
}
