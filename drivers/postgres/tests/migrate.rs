//! Migration property with data: load A, insert a row into every table that takes a
//! generic one, plan A → B, apply; the database must then inspect equal to B loaded fresh,
//! a re-plan must be empty, and the rows must still be there.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use mercator_driver::DriverExt;
use mercator_postgres::{PostgresDialect, PostgresDriver};
use schema_diff::{Dialect, DialectExt, DiffOptions, PlanOptions, RenameHint};
use schema_model::{ColumnType, Realm, TimeKind};

struct Pair {
    name: String,
    a: String,
    b: String,
    concurrent: bool,
    renames: Vec<RenameHint>,
}

fn renames(dir: &Path) -> Vec<RenameHint> {
    let text = std::fs::read_to_string(dir.join("renames")).unwrap_or_default();
    text.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            match f.as_slice() {
                ["table", schema, from, to] => Some(RenameHint::Table {
                    schema: schema.to_string(),
                    from: from.to_string(),
                    to: to.to_string(),
                }),
                ["column", schema, table, from, to] => Some(RenameHint::Column {
                    schema: schema.to_string(),
                    table: table.to_string(),
                    from: from.to_string(),
                    to: to.to_string(),
                }),
                _ => None,
            }
        })
        .collect()
}

fn pairs_in(root: &Path, prefix: &str, skipped: &[String]) -> Vec<Pair> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    dirs.sort();
    dirs.into_iter()
        .filter(|d| d.is_dir())
        .filter_map(|dir| {
            let name = format!(
                "{prefix}{}",
                dir.file_name().unwrap_or_default().to_string_lossy()
            );
            if skipped.contains(&name) {
                return None;
            }
            Some(Pair {
                a: std::fs::read_to_string(dir.join("a.sql")).ok()?,
                b: std::fs::read_to_string(dir.join("b.sql")).ok()?,
                concurrent: dir.join("concurrent").exists(),
                renames: renames(&dir),
                name,
            })
        })
        .collect()
}

/// A literal for a NOT NULL column without default, where one is easy to make.
fn value_for(ty: &ColumnType, realm: &Realm, schema: &str) -> Option<String> {
    Some(match ty {
        ColumnType::Integer { .. } | ColumnType::Decimal { .. } | ColumnType::Float { .. } => {
            "42".into()
        }
        // Digits, so a later change of the column to a number still converts.
        ColumnType::String { .. } => "'42'".into(),
        ColumnType::Boolean => "true".into(),
        ColumnType::Time { time, .. } => match time {
            TimeKind::Date => "'2020-06-01'".into(),
            TimeKind::Interval => "'1 day'".into(),
            TimeKind::Time | TimeKind::TimeTz => "'10:00'".into(),
            _ => "'2020-06-01 10:00'".into(),
        },
        ColumnType::Uuid => "gen_random_uuid()".into(),
        ColumnType::Json { .. } => "'{}'".into(),
        ColumnType::UserDefined { name: n } => {
            let s = realm.schema(n.schema.as_deref().unwrap_or(schema))?;
            let d = s.domains.iter().find(|d| d.name == n.name)?;
            return value_for(&d.ty, realm, schema);
        }
        ColumnType::Enum { name: Some(n), .. } => {
            let s = realm.schema(n.schema.as_deref().unwrap_or(schema))?;
            let e = s.enums.iter().find(|e| e.name == n.name)?;
            format!("'{}'", e.values.first()?.replace('\'', "''"))
        }
        _ => return None,
    })
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Inserts one row per table where a generic row works; returns the tables that got one.
async fn seed(driver: &PostgresDriver, realm: &Realm) -> Vec<(String, String)> {
    let mut seeded = Vec::new();
    for schema in &realm.schemas {
        for table in &schema.tables {
            if table.postgres.partition_of.is_some() {
                continue;
            }
            let target = format!("{}.{}", quote(&schema.name), quote(&table.name));
            // Values for every column we can fill (so later NOT NULL constraints hold), the
            // defaults for the rest.
            let mut cols = Vec::new();
            let mut values = Vec::new();
            let mut complete = true;
            for column in &table.columns {
                if column.default.is_some()
                    || column.identity.is_some()
                    || column.generated.is_some()
                {
                    continue;
                }
                match value_for(&column.ty, realm, &schema.name) {
                    Some(v) => {
                        cols.push(quote(&column.name));
                        values.push(v);
                    }
                    None if !column.nullable => complete = false,
                    None => {}
                }
            }
            if !complete {
                continue;
            }
            let sql = if cols.is_empty() {
                format!("INSERT INTO {target} DEFAULT VALUES")
            } else {
                format!(
                    "INSERT INTO {target} ({}) VALUES ({})",
                    cols.join(", "),
                    values.join(", ")
                )
            };
            if driver.execute(&[sql]).await.is_ok() {
                seeded.push((schema.name.clone(), table.name.clone()));
            }
        }
    }
    seeded
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_keep_data() {
    let Some(_admin) = admin().await else { return };
    let skipped = skipped();
    let mut pairs = pairs_in(&shared_dir().join("migra"), "migra/", &skipped);
    pairs.extend(pairs_in(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/pairs"),
        "",
        &skipped,
    ));
    let current_db = TestDb::create().await;
    let desired_db = TestDb::create().await;
    let current = current_db.open().await;
    let desired = desired_db.open().await;
    let dialect = PostgresDialect;
    let mut failures = Vec::new();
    let mut passed = 0;
    for pair in &pairs {
        reset(&current).await;
        reset(&desired).await;
        if let Err(e) = load(&current, &pair.a).await {
            failures.push(format!("{}: loading a failed: {e}", pair.name));
            continue;
        }
        if let Err(e) = load(&desired, &pair.b).await {
            failures.push(format!("{}: loading b failed: {e}", pair.name));
            continue;
        }
        let before = inspect(&current).await;
        let target = inspect(&desired).await;
        let seeded = seed(&current, &before).await;
        let options = DiffOptions {
            renames: pair.renames.clone(),
            ..Default::default()
        };
        let changes = dialect.diff(&before, &target, &options);
        let plan_options = PlanOptions {
            unqualified_schema: None,
            concurrent_indexes: pair.concurrent,
        };
        let plan = match dialect.plan(&changes, &plan_options) {
            Ok(plan) => plan,
            Err(e) => {
                failures.push(format!("{}: plan failed: {e}", pair.name));
                continue;
            }
        };
        if let Err(e) = current.apply(&plan).await {
            failures.push(format!(
                "{}: apply failed: {e}\nplan:\n{}",
                pair.name,
                plan.to_sql()
            ));
            continue;
        }
        let after = inspect(&current).await;
        let diffs = differences(&after, &target);
        if !diffs.is_empty() {
            failures.push(format!(
                "{}: {}\nplan:\n{}",
                pair.name,
                diffs.join("; "),
                plan.to_sql()
            ));
            continue;
        }
        let mut lost = Vec::new();
        for (schema, table) in &seeded {
            let renamed = pair.renames.iter().find_map(|h| match h {
                RenameHint::Table {
                    schema: s,
                    from,
                    to,
                } if s == schema && from == table => Some(to.clone()),
                _ => None,
            });
            let table = renamed.unwrap_or_else(|| table.clone());
            if target
                .schema(schema)
                .and_then(|s| s.table(&table))
                .is_none()
            {
                continue;
            }
            let check = format!(
                "DO $$ BEGIN IF (SELECT count(*) FROM {}.{}) = 0 THEN RAISE EXCEPTION 'no rows'; END IF; END $$",
                quote(schema),
                quote(&table)
            );
            if current.execute(&[check]).await.is_err() {
                lost.push(format!("{schema}.{table}"));
            }
        }
        if !lost.is_empty() {
            failures.push(format!("{}: rows lost in {}", pair.name, lost.join(", ")));
            continue;
        }
        if pair.concurrent
            && !plan
                .statements
                .iter()
                .any(|s| !s.transactional && s.sql.contains("CONCURRENTLY"))
        {
            failures.push(format!("{}: no concurrent index statement", pair.name));
            continue;
        }
        passed += 1;
    }
    drop(current);
    drop(desired);
    current_db.drop_db().await;
    desired_db.drop_db().await;
    eprintln!("migrations: {passed}/{} pairs passed", pairs.len());
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(pairs.len() >= 30, "only {} pairs", pairs.len());
}
