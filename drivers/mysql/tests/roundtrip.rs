//! Round trip on a real server over every schema in `tests/schemas/*.sql` and every state
//! of the sqldef MySQL conformance cases: load → inspect twice (deterministic, diff empty)
//! → plan from an empty database → apply to a fresh database → inspect equal.

mod common;

use std::path::Path;

use common::{TestDb, admin, compare, migrate_and_check};
use mercator_driver::Driver;
use schema_diff::DiffOptions;

/// Runs the round trip for one SQL text; `Ok(false)` when the text does not load on this
/// server (the caller decides whether that is expected).
async fn round_trip(source: &TestDb, target: &TestDb, sql: &str) -> Result<bool, String> {
    source.reset().await;
    target.reset().await;
    if let Err(e) = source.load(sql).await {
        return Err(format!("load failed: {e}"));
    }
    let desired = source.inspect().await;
    let again = source.inspect().await;
    compare(source.driver.dialect(), &again, &desired).map_err(|e| format!("re-inspect: {e}"))?;
    migrate_and_check(target, &source.name, &desired, &DiffOptions::default()).await?;
    Ok(true)
}

#[tokio::test]
async fn own_schemas_round_trip() {
    let Some(_admin) = admin().await else { return };
    let source = TestDb::create().await;
    let target = TestDb::create().await;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("schemas dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    for file in &files {
        let sql = std::fs::read_to_string(file).expect("read schema");
        if let Err(e) = round_trip(&source, &target, &sql).await {
            failures.push(format!("{}: {e}", file.display()));
        }
    }
    source.drop().await;
    target.drop().await;
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(files.len() >= 10, "expected at least 10 own schemas");
    eprintln!("round trip passed for {} own schemas", files.len());
}
