//! Helpers shared by the integration tests: loading SQL, planning, applying, and the
//! conformance-case reader.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use mercator_driver::{DriverExt, InspectOptions};
use mercator_sqlite::{SqliteDialect, SqliteDriver};
use schema_diff::{Dialect, DialectExt, DiffOptions, Plan, PlanOptions};
use schema_model::{Realm, Schema, canonicalize};

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// A fresh in-memory database with `sql` executed on it.
pub fn load(sql: &str) -> Result<SqliteDriver, String> {
    let db = SqliteDriver::in_memory();
    db.with_connection(|c| c.execute_batch(sql))
        .map_err(|e| format!("loading SQL failed: {e}"))?;
    Ok(db)
}

pub fn inspect(db: &SqliteDriver) -> Result<Realm, String> {
    db.inspect_sync(&InspectOptions::default())
        .map_err(|e| e.to_string())
}

pub fn empty_realm() -> Realm {
    Realm::new(vec![Schema::new("main")])
}

pub fn plan(from: &Realm, to: &Realm) -> Result<Plan, String> {
    let changes = SqliteDialect.diff(from, to, &DiffOptions::default());
    SqliteDialect
        .plan(&changes, &PlanOptions::default())
        .map_err(|e| e.to_string())
}

pub fn apply(rt: &tokio::runtime::Runtime, db: &SqliteDriver, plan: &Plan) -> Result<(), String> {
    rt.block_on(db.apply(plan)).map_err(|e| e.to_string())
}

/// Empty when `actual` equals `expected` both to the differ and canonically; otherwise a
/// description of the difference.
pub fn compare(actual: &Realm, expected: &Realm) -> Option<String> {
    let changes = SqliteDialect.diff(actual, expected, &DiffOptions::default());
    if !changes.is_empty() {
        return Some(format!("diff not empty: {changes:#?}"));
    }
    let (a, e) = (canonicalize(actual), canonicalize(expected));
    if a != e {
        return Some(format!(
            "canonical realms differ:\nactual:   {}\nexpected: {}",
            serde_json::to_string(&a).unwrap_or_default(),
            serde_json::to_string(&e).unwrap_or_default()
        ));
    }
    None
}

/// A case: a pair of schemas (either may be empty).
#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    pub current: String,
    pub desired: String,
    /// The source expects an error.
    pub expects_error: bool,
}

/// Reads sqldef-style YAML files (`name: {current, desired, error…}`).
pub fn read_cases(path: &Path, prefix: &str) -> Vec<Case> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc: BTreeMap<String, serde_yaml::Value> =
        serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let field = |v: &serde_yaml::Value, k: &str| {
        v.get(k)
            .and_then(|x| x.as_str())
            .unwrap_or_default()
            .to_owned()
    };
    doc.into_iter()
        .map(|(name, value)| Case {
            name: format!("{prefix}{name}"),
            current: field(&value, "current"),
            desired: field(&value, "desired"),
            expects_error: value.get("error").is_some(),
        })
        .collect()
}

pub fn conformance_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/sqldef/sqlite")
}

/// All sqldef SQLite cases, named `<file stem>/<case>`.
pub fn conformance_cases() -> Vec<Case> {
    let dir = conformance_dir();
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "yml"))
            .collect(),
        Err(e) => panic!("conformance folder {}: {e}", dir.display()),
    };
    files.sort();
    files
        .iter()
        .flat_map(|f| {
            let stem = f.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
            read_cases(f, &format!("{stem}/"))
        })
        .collect()
}

/// `case name → reason` from `tests/conformance-skip.txt` (`<name> — <reason>` lines).
pub fn skips() -> BTreeMap<String, String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/conformance-skip.txt");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            l.split_once(" — ")
                .map(|(n, r)| (n.trim().to_owned(), r.trim().to_owned()))
        })
        .collect()
}
