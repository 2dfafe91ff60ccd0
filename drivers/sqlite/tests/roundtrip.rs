//! Round trip: SQL loaded into a dev database and inspected, planned from empty, applied
//! to a fresh database and inspected again must give the same realm.

mod support;

use std::path::PathBuf;

use mercator_sqlite::SqliteDriver;
use support::*;

fn round_trip(rt: &tokio::runtime::Runtime, sql: &str, target: SqliteDriver) -> Result<(), String> {
    let dev = load(sql)?;
    let desired = inspect(&dev)?;
    // Inspection is deterministic.
    if let Some(d) = compare(&inspect(&dev)?, &desired) {
        return Err(format!("second inspection differs: {d}"));
    }
    let plan = plan(&empty_realm(), &desired)?;
    apply(rt, &target, &plan).map_err(|e| format!("{e}\nplan:\n{}", plan.to_sql()))?;
    let applied = inspect(&target)?;
    if let Some(d) = compare(&applied, &desired) {
        return Err(format!("{d}\nplan:\n{}", plan.to_sql()));
    }
    let again = support::plan(&applied, &desired)?;
    if !again.is_empty() {
        return Err(format!("re-plan not empty:\n{}", again.to_sql()));
    }
    Ok(())
}

fn schema_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/schemas");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("tests/schemas")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    files
}

#[test]
fn schema_files_round_trip() {
    let rt = runtime();
    let files = schema_files();
    assert!(
        files.len() >= 30,
        "expected at least 30 schemas, found {}",
        files.len()
    );
    let dir = mercator_testkit::TempDir::new();
    let mut failures = Vec::new();
    for file in &files {
        let sql = std::fs::read_to_string(file).expect("schema file");
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        // (a) into an in-memory database, (b) into a file database.
        if let Err(e) = round_trip(&rt, &sql, SqliteDriver::in_memory()) {
            failures.push(format!("{name} (memory): {e}"));
        }
        let db =
            SqliteDriver::open(&dir.sqlite_url(&format!("{name}.db"))).expect("open file database");
        if let Err(e) = round_trip(&rt, &sql, db) {
            failures.push(format!("{name} (file): {e}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn conformance_schemas_round_trip() {
    let rt = runtime();
    let skips = skips();
    let mut failures = Vec::new();
    let (mut passed, mut skipped) = (0, 0);
    for case in conformance_cases() {
        if skips.contains_key(&case.name) {
            skipped += 1;
            continue;
        }
        for (side, sql) in [("current", &case.current), ("desired", &case.desired)] {
            if sql.trim().is_empty() {
                continue;
            }
            match round_trip(&rt, sql, SqliteDriver::in_memory()) {
                Ok(()) => passed += 1,
                Err(e) => failures.push(format!("{} ({side}): {e}", case.name)),
            }
        }
    }
    println!("conformance round trips: {passed} passed, {skipped} cases skipped");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
