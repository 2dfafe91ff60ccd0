//! The sqldef MySQL conformance cases (`/work/shared/conformance/sqldef/mysql/*.yml`, or
//! `MERCATOR_CONFORMANCE_DIR`), run on the real server. For each case: the desired state
//! round-trips from an empty database; current → desired is planned, applied with a row
//! in every table, inspects equal to the desired state loaded fresh, keeps the rows of
//! tables both states share and re-plans empty; then desired → current the same way.
//! Cases listed in `tests/conformance-skip.txt` (`<name> — <reason>`) are not run.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use common::data::{emptied, insert_rows};
use common::{TestDb, admin, migrate_and_check, url_for};
use mercator_mysql::{Flavor, MysqlDriver};
use schema_diff::{DiffOptions, ObjectKind};

#[derive(Debug, Default, serde::Deserialize)]
struct Case {
    #[serde(default)]
    current: Option<String>,
    #[serde(default)]
    desired: Option<String>,
    #[serde(default)]
    flavor: Option<String>,
    #[serde(default)]
    min_version: Option<String>,
    #[serde(default)]
    max_version: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    enable_drop: Option<bool>,
}

fn conformance_dir() -> PathBuf {
    std::env::var("MERCATOR_CONFORMANCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance")
        })
        .join("sqldef/mysql")
}

fn skip_list() -> BTreeMap<String, String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/conformance-skip.txt");
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let (name, reason) = l.split_once(" — ")?;
            Some((name.trim().to_owned(), reason.trim().to_owned()))
        })
        .collect()
}

fn version_tuple(text: &str) -> (u32, u32, u32) {
    let mut parts = text.split('.').map(|p| p.trim().parse().unwrap_or(0));
    (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    )
}

/// Whether the case targets this server. `flavor` names sqldef's targets (`mysql`,
/// `mariadb`, `tidb`, with `!` for "not"); `min_version`/`max_version` are MySQL versions
/// and do not apply to MariaDB, whose numbering is unrelated.
fn applies(case: &Case, server: &MysqlDriver) -> bool {
    let version = server.server();
    let ours = match version.flavor {
        Flavor::Mysql => "mysql",
        Flavor::Mariadb => "mariadb",
    };
    if let Some(flavor) = case.flavor.as_deref() {
        let flavor = flavor.trim();
        let applies = match flavor.strip_prefix('!') {
            Some(not) => not != ours,
            None => flavor == ours,
        };
        if !applies {
            return false;
        }
    }
    if version.flavor == Flavor::Mysql {
        if let Some(min) = &case.min_version
            && version.version < version_tuple(min)
        {
            return false;
        }
        if let Some(max) = &case.max_version
            && version.version > version_tuple(max)
        {
            return false;
        }
    }
    true
}

fn diff_options(case: &Case) -> DiffOptions {
    let mut options = DiffOptions::default();
    if case.enable_drop == Some(false) {
        for kind in [
            ObjectKind::Schema,
            ObjectKind::Table,
            ObjectKind::Column,
            ObjectKind::Index,
            ObjectKind::ForeignKey,
            ObjectKind::Check,
            ObjectKind::View,
            ObjectKind::Routine,
            ObjectKind::Trigger,
        ] {
            options.skip_drops.insert(kind);
        }
    }
    options
}

/// sqldef's harness runs every case in a database named `mysqldef_test`, and some cases
/// qualify names with it; here each state is loaded into its own database instead.
fn in_database(sql: &str, database: &str) -> String {
    sql.replace("`mysqldef_test`.", &format!("`{database}`."))
        .replace("mysqldef_test.", &format!("`{database}`."))
}

async fn run_case(a: &TestDb, b: &TestDb, case: &Case) -> Result<(), String> {
    let current = case.current.clone().unwrap_or_default();
    let desired = case.desired.clone().unwrap_or_default();
    let options = diff_options(case);

    // The desired state from an empty database.
    a.reset().await;
    b.reset().await;
    b.load(&in_database(&desired, &b.name))
        .await
        .map_err(|e| format!("load desired: {e}"))?;
    let desired_realm = b.inspect().await;
    migrate_and_check(a, &b.name, &desired_realm, &DiffOptions::default())
        .await
        .map_err(|e| format!("from empty: {e}"))?;

    // current → desired, with a row per table.
    a.reset().await;
    a.load(&in_database(&current, &a.name))
        .await
        .map_err(|e| format!("load current: {e}"))?;
    let current_realm = a.inspect().await;
    let filled = insert_rows(&url_for(&a.name), &current_realm).await;
    let shared: Vec<String> = filled
        .into_iter()
        .filter(|t| desired_realm.schemas.iter().any(|s| s.table(t).is_some()))
        .collect();
    migrate_and_check(a, &b.name, &desired_realm, &options)
        .await
        .map_err(|e| format!("current → desired: {e}"))?;
    let lost = emptied(&url_for(&a.name), &shared).await;
    if !lost.is_empty() {
        return Err(format!("rows lost in {lost:?}"));
    }

    // desired → current.
    b.reset().await;
    b.load(&in_database(&current, &b.name))
        .await
        .map_err(|e| format!("load current: {e}"))?;
    let current_realm = b.inspect().await;
    migrate_and_check(a, &b.name, &current_realm, &options)
        .await
        .map_err(|e| format!("desired → current: {e}"))?;
    Ok(())
}

async fn run_file(file: &str) {
    let Some(admin) = admin().await else { return };
    let path = conformance_dir().join(file);
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipping: {} not found", path.display());
        return;
    };
    let cases: BTreeMap<String, serde_yaml::Value> =
        serde_yaml::from_str(&text).expect("parse conformance yaml");
    let skips = skip_list();
    let a = TestDb::create().await;
    let b = TestDb::create().await;
    let (mut passed, mut skipped, mut not_applicable) = (0, 0, 0);
    let mut failures = Vec::new();
    for (name, value) in &cases {
        let Ok(case) = serde_yaml::from_value::<Case>(value.clone()) else {
            continue;
        };
        if skips.contains_key(name) {
            skipped += 1;
            continue;
        }
        if !applies(&case, &admin) {
            not_applicable += 1;
            continue;
        }
        match run_case(&a, &b, &case).await {
            Ok(()) => passed += 1,
            // sqldef expects these to fail; failing to load or migrate is the expected
            // outcome.
            Err(_) if case.error.is_some() => passed += 1,
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    a.drop().await;
    b.drop().await;
    eprintln!(
        "{file}: {passed} passed, {skipped} skipped, {not_applicable} not for this server, {} failed",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[tokio::test]
async fn sqldef_tables() {
    run_file("tests_tables.yml").await;
}

#[tokio::test]
async fn sqldef_indices() {
    run_file("tests_indices.yml").await;
}

#[tokio::test]
async fn sqldef_views_triggers() {
    run_file("tests_views_triggers.yml").await;
}
