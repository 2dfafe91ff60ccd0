//! The migration property: load A, fill every table with a row, plan A → B, apply; the
//! database must then inspect equal to B, keep the values of the columns A and B share,
//! and a second plan must be empty. Runs over our own pairs (tests/pairs.yml) and the
//! sqldef SQLite cases, both directions.

mod support;

use std::collections::BTreeMap;
use std::path::PathBuf;

use mercator_sqlite::{SqliteDriver, quote};
use rusqlite::types::Value;
use schema_model::{Column, ColumnType, Realm, Table};
use support::*;

/// A literal of the column's type that satisfies the simple constraints (positive
/// numbers, non-empty strings of three characters, foreign keys to rows that get the
/// same values).
fn literal(column: &Column) -> &'static str {
    match &column.ty {
        ColumnType::Integer { .. } | ColumnType::Boolean | ColumnType::Decimal { .. } => "1",
        ColumnType::Float { .. } => "1.5",
        ColumnType::Binary { .. } => "X'01'",
        ColumnType::Time { .. } => "'2024-01-01 10:00:00'",
        ColumnType::Json { .. } => "'{}'",
        ColumnType::Raw { sql } => {
            let t = sql.to_lowercase();
            if t.contains("int") {
                "1"
            } else if t.contains("char") || t.contains("clob") || t.contains("text") {
                "'vvv'"
            } else if t.contains("real") || t.contains("floa") || t.contains("doub") {
                "1.5"
            } else if t.is_empty() || t.contains("blob") || t == "any" {
                "'vvv'"
            } else {
                "1"
            }
        }
        _ => "'vvv'",
    }
}

fn writable(table: &Table) -> Vec<&Column> {
    table
        .columns
        .iter()
        .filter(|c| c.generated.is_none())
        .collect()
}

/// Inserts one row per table, retrying in passes so parents get theirs first. Returns
/// the names of the tables that got a row.
fn fill(db: &SqliteDriver, realm: &Realm) -> Vec<String> {
    let tables: Vec<&Table> = realm.schemas.iter().flat_map(|s| &s.tables).collect();
    let mut filled: Vec<String> = Vec::new();
    loop {
        let before = filled.len();
        for table in &tables {
            if filled.contains(&table.name) {
                continue;
            }
            let columns = writable(table);
            let sql = if columns.is_empty() {
                format!("INSERT INTO {} DEFAULT VALUES", quote(&table.name))
            } else {
                format!(
                    "INSERT INTO {} ({}) VALUES ({})",
                    quote(&table.name),
                    columns
                        .iter()
                        .map(|c| quote(&c.name))
                        .collect::<Vec<_>>()
                        .join(", "),
                    columns
                        .iter()
                        .map(|c| literal(c))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            if db.with_connection(|c| c.execute_batch(&sql)).is_ok() {
                filled.push(table.name.clone());
            }
        }
        if filled.len() == before {
            return filled;
        }
    }
}

fn show(value: Value) -> String {
    match value {
        Value::Null => "NULL".into(),
        Value::Integer(i) => i.to_string(),
        Value::Real(f) if f.fract() == 0.0 && f.abs() < 1e15 => (f as i64).to_string(),
        Value::Real(f) => f.to_string(),
        Value::Text(s) => s,
        Value::Blob(b) => format!("{b:?}"),
    }
}

/// The first row of each filled table, by column.
fn snapshot(
    db: &SqliteDriver,
    realm: &Realm,
    tables: &[String],
) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for table in realm.schemas.iter().flat_map(|s| &s.tables) {
        if !tables.contains(&table.name) {
            continue;
        }
        let columns = writable(table);
        if columns.is_empty() {
            continue;
        }
        let sql = format!(
            "SELECT {} FROM {} LIMIT 1",
            columns
                .iter()
                .map(|c| quote(&c.name))
                .collect::<Vec<_>>()
                .join(", "),
            quote(&table.name)
        );
        let row = db.with_connection(|c| {
            c.query_row(&sql, [], |r| {
                (0..columns.len())
                    .map(|i| r.get::<_, Value>(i))
                    .collect::<Result<Vec<_>, _>>()
            })
        });
        if let Ok(values) = row {
            out.insert(
                table.name.clone(),
                columns
                    .iter()
                    .map(|c| c.name.clone())
                    .zip(values.into_iter().map(show))
                    .collect(),
            );
        }
    }
    out
}

enum Outcome {
    Passed {
        tables: usize,
        filled: usize,
    },
    /// The target cannot hold the rows (a new NOT NULL column without default, a new
    /// constraint the generated row violates): the plan was right to fail.
    DataRejected(String),
}

fn migrate(rt: &tokio::runtime::Runtime, a: &str, b: &str) -> Result<Outcome, String> {
    let desired = inspect(&load(b)?)?;

    // Schema only.
    let db = load(a)?;
    let current = inspect(&db)?;
    let plan = plan(&current, &desired)?;
    apply(rt, &db, &plan).map_err(|e| format!("apply failed: {e}\nplan:\n{}", plan.to_sql()))?;
    if let Some(d) = compare(&inspect(&db)?, &desired) {
        return Err(format!("after apply: {d}\nplan:\n{}", plan.to_sql()));
    }
    let again = support::plan(&inspect(&db)?, &desired)?;
    if !again.is_empty() {
        return Err(format!(
            "re-plan not empty:\n{}\nfirst plan:\n{}",
            again.to_sql(),
            plan.to_sql()
        ));
    }

    // With data.
    let db = load(a)?;
    let filled = fill(&db, &current);
    let before = snapshot(&db, &current, &filled);
    if let Err(e) = apply(rt, &db, &plan) {
        if e.contains("constraint failed") || e.contains("foreign key violations") {
            return Ok(Outcome::DataRejected(e));
        }
        return Err(format!(
            "apply with data failed: {e}\nplan:\n{}",
            plan.to_sql()
        ));
    }
    if let Some(d) = compare(&inspect(&db)?, &desired) {
        return Err(format!("after apply with data: {d}"));
    }
    let after = snapshot(&db, &desired, &filled);
    for (table, row) in &before {
        let Some(target) = desired
            .schemas
            .iter()
            .flat_map(|s| &s.tables)
            .find(|t| &t.name == table)
        else {
            continue;
        };
        let Some(kept) = after.get(table) else {
            return Err(format!("rows of {table:?} lost\nplan:\n{}", plan.to_sql()));
        };
        for (column, value) in row {
            if target.column(column).is_some_and(|c| c.generated.is_none())
                && kept.get(column) != Some(value)
            {
                return Err(format!(
                    "{table}.{column}: {value:?} became {:?}\nplan:\n{}",
                    kept.get(column),
                    plan.to_sql()
                ));
            }
        }
    }
    Ok(Outcome::Passed {
        tables: current.table_count(),
        filled: filled.len(),
    })
}

fn run(
    cases: Vec<Case>,
    skips: &BTreeMap<String, String>,
) -> (usize, usize, usize, Vec<String>, usize, usize) {
    let rt = runtime();
    let (mut pairs, mut rejected, mut skipped) = (0, 0, 0);
    let (mut tables, mut filled) = (0, 0);
    let mut failures = Vec::new();
    for case in cases {
        if case.expects_error {
            continue;
        }
        if skips.contains_key(&case.name) {
            skipped += 1;
            continue;
        }
        for (direction, a, b) in [
            ("up", &case.current, &case.desired),
            ("down", &case.desired, &case.current),
        ] {
            match migrate(&rt, a, b) {
                Ok(Outcome::Passed {
                    tables: t,
                    filled: f,
                }) => {
                    pairs += 1;
                    tables += t;
                    filled += f;
                }
                Ok(Outcome::DataRejected(reason)) => {
                    pairs += 1;
                    rejected += 1;
                    println!(
                        "{} ({direction}): data rejected by the target: {}",
                        case.name,
                        reason.lines().next().unwrap_or_default()
                    );
                }
                Err(e) => failures.push(format!("{} ({direction}): {e}", case.name)),
            }
        }
    }
    (pairs, rejected, skipped, failures, tables, filled)
}

#[test]
fn own_pairs_migrate_and_keep_data() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/pairs.yml");
    let cases = read_cases(&path, "");
    assert!(
        cases.len() >= 20,
        "expected at least 20 pairs, found {}",
        cases.len()
    );
    let (pairs, rejected, _, failures, tables, filled) = run(cases, &BTreeMap::new());
    println!(
        "own pairs: {pairs} migrations ({rejected} with data the target rejects); {filled}/{tables} tables filled"
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(
        filled * 10 >= tables * 8,
        "only {filled} of {tables} tables got a row"
    );
}

#[test]
fn conformance_pairs_migrate_and_keep_data() {
    let (pairs, rejected, skipped, failures, tables, filled) = run(conformance_cases(), &skips());
    println!(
        "sqldef pairs: {pairs} migrations ({rejected} with data the target rejects), {skipped} cases skipped; {filled}/{tables} tables filled"
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(
        filled * 10 >= tables * 8,
        "only {filled} of {tables} tables got a row"
    );
}
