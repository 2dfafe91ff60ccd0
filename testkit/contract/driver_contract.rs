//! Acceptance checks of the driver contract (`mercator_driver::{Session, RevisionStore}`)
//! that hold for every driver, written once and run by each driver crate's tests:
//!
//! ```ignore
//! #[path = "../../../testkit/contract/driver_contract.rs"]
//! mod contract;
//! ```
//!
//! This file is not part of `mercator-testkit`: the testkit must not depend on a driver
//! crate (it is a dev-dependency of the drivers), while these checks need
//! `mercator-driver`, `chrono` and `proptest`, which every driver's tests have.
//!
//! Each check returns `Err(description)` instead of panicking so a driver test can add
//! its own context and still clean up its database.
#![allow(dead_code)]

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use mercator_driver::{
    CLOUD_IDENTIFIER, Driver, DriverError, InspectOptions, REVISIONS_TABLE, Revision, RevisionKind,
    RevisionsTable, TxOptions,
};
use proptest::prelude::*;

/// A revision with every field set, the optional ones included, and text that needs
/// quoting.
pub fn full_revision(version: &str) -> Revision {
    Revision {
        version: version.to_owned(),
        description: "add 'users' — ünïcode".to_owned(),
        kind: RevisionKind::EXECUTE.with(RevisionKind::RESOLVED),
        applied: 2,
        total: 3,
        executed_at: Utc
            .with_ymd_and_hms(2024, 3, 1, 10, 20, 30)
            .single()
            .expect("valid time")
            + chrono::Duration::nanoseconds(123_456_789),
        execution_time: Duration::new(1, 500_000_007),
        error: Some("duplicate key \"x\"; 'quoted'\nsecond line".to_owned()),
        error_stmt: Some("INSERT INTO t VALUES ('a');".to_owned()),
        hash: "iHZMQ1EoarAXt/KU0KQbBljbbGs8gVqX2ZBXefePSGE=".to_owned(),
        partial_hashes: Some(vec![
            "h1:OlhDmJX2bNfG2mRUOzjLPtlUZE5UoUbFfd3RBbsqLVg=".to_owned(),
            "h1:2q2Pd1/gD8XH5TbW8v8Q5GJkwpZ2NeF7WIYqErbBqaQ=".to_owned(),
        ]),
        operator_version: "Mercator v0.1.0".to_owned(),
    }
}

/// A revision with the optional fields empty.
pub fn plain_revision(version: &str) -> Revision {
    Revision {
        version: version.to_owned(),
        description: "init".to_owned(),
        kind: RevisionKind::BASELINE,
        applied: 0,
        total: 0,
        executed_at: Utc
            .with_ymd_and_hms(2023, 12, 31, 23, 59, 59)
            .single()
            .expect("valid time"),
        execution_time: Duration::ZERO,
        error: None,
        error_stmt: None,
        hash: "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=".to_owned(),
        partial_hashes: None,
        operator_version: "Mercator v0.1.0".to_owned(),
    }
}

/// The revision as stored: every field exactly, `executed_at` to the second (databases
/// keep microseconds at best).
fn stored(revision: &Revision) -> Revision {
    let mut out = revision.clone();
    out.executed_at =
        DateTime::from_timestamp(revision.executed_at.timestamp(), 0).expect("in range");
    out
}

/// Compares what was read with what was written, field by field.
pub fn same_revisions(read: &[Revision], written: &[Revision]) -> Result<(), String> {
    let read: Vec<Revision> = read.iter().map(stored).collect();
    let written: Vec<Revision> = written.iter().map(stored).collect();
    if read != written {
        return Err(format!(
            "read back differs from what was written:\nread:    {read:#?}\nwritten: {written:#?}"
        ));
    }
    Ok(())
}

fn fail(what: &str) -> impl Fn(DriverError) -> String + '_ {
    move |e| format!("{what}: {e}")
}

/// The write → read → upsert → delete cycle on `table`, whose qualified, quoted name in
/// the driver's SQL is `qualified` (to count rows behind the driver's back).
pub async fn revisions_round_trip(
    driver: &dyn Driver,
    table: &RevisionsTable,
    qualified: &str,
) -> Result<(), String> {
    let mut session = driver.session().await.map_err(fail("session"))?;
    let before = session
        .read_revisions(table)
        .await
        .map_err(fail("read without the table"))?;
    if !before.is_empty() {
        return Err(format!("no table yet, but read {before:?}"));
    }
    session
        .ensure_revisions_table(table)
        .await
        .map_err(fail("ensure"))?;
    session
        .ensure_revisions_table(table)
        .await
        .map_err(fail("ensure a second time"))?;
    let empty = session
        .read_revisions(table)
        .await
        .map_err(fail("read empty"))?;
    if !empty.is_empty() {
        return Err(format!("new table, but read {empty:?}"));
    }

    // Written out of order: reading sorts by version. The Atlas Cloud row is not a revision.
    let full = full_revision("20240301102030");
    let plain = plain_revision("20231231235959");
    let mut cloud = plain_revision(CLOUD_IDENTIFIER);
    cloud.description = "4f1e1e4a-1cbf-4e1a-9a8e-0c9a3f1f1d2b".to_owned();
    for revision in [&full, &cloud, &plain] {
        session
            .write_revision(table, revision)
            .await
            .map_err(fail("write"))?;
    }
    let read = session.read_revisions(table).await.map_err(fail("read"))?;
    same_revisions(&read, &[plain.clone(), full.clone()])?;

    // Upsert: the row of the same version is replaced, optional fields cleared.
    let mut finished = full.clone();
    finished.description = "add users".to_owned();
    finished.applied = 3;
    finished.error = None;
    finished.error_stmt = None;
    finished.partial_hashes = None;
    finished.execution_time = Duration::from_nanos(42);
    finished.executed_at += chrono::Duration::seconds(90);
    session
        .write_revision(table, &finished)
        .await
        .map_err(fail("upsert"))?;
    let read = session
        .read_revisions(table)
        .await
        .map_err(fail("read after upsert"))?;
    same_revisions(&read, &[plain.clone(), finished.clone()])?;
    if !read[1].is_complete() {
        return Err(format!(
            "the finished revision reads as incomplete: {:?}",
            read[1]
        ));
    }

    session
        .delete_revision(table, &plain.version)
        .await
        .map_err(fail("delete"))?;
    session
        .delete_revision(table, "19990101000000")
        .await
        .map_err(fail("delete of a missing version"))?;
    let read = session
        .read_revisions(table)
        .await
        .map_err(fail("read after delete"))?;
    same_revisions(&read, std::slice::from_ref(&finished))?;

    // Behind the driver's back: the finished revision and the cloud row are stored.
    let rows = session
        .query(&format!("SELECT count(*) FROM {qualified}"))
        .await
        .map_err(fail("count rows"))?;
    if rows.scalar() != Some("2") {
        return Err(format!(
            "expected 2 stored rows (revision + cloud id), got {rows:?}"
        ));
    }
    Ok(())
}

/// The revisions table never shows in an inspection, nor (where the driver created one
/// for it) its schema.
pub async fn revisions_table_hidden(
    driver: &dyn Driver,
    table: &RevisionsTable,
) -> Result<(), String> {
    {
        let mut session = driver.session().await.map_err(fail("session"))?;
        session
            .ensure_revisions_table(table)
            .await
            .map_err(fail("ensure"))?;
        session
            .write_revision(table, &plain_revision("1"))
            .await
            .map_err(fail("write"))?;
    }
    let realm = driver
        .inspect(&InspectOptions::default())
        .await
        .map_err(fail("inspect"))?;
    let mut shown = Vec::new();
    for schema in &realm.schemas {
        if schema.name == REVISIONS_TABLE {
            shown.push(format!("schema {:?}", schema.name));
        }
        for t in &schema.tables {
            if t.name == table.name {
                shown.push(format!("table {:?} in schema {:?}", t.name, schema.name));
            }
        }
    }
    if shown.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "inspection shows the revisions table: {}",
            shown.join(", ")
        ))
    }
}

/// A statement and its bookkeeping row commit together, and roll back together (also
/// when a later statement of the transaction fails). `statement` runs inside the
/// transaction; `probe` is a query whose scalar counts its effect (`"0"` before).
pub async fn bookkeeping_shares_the_transaction(
    driver: &dyn Driver,
    table: &RevisionsTable,
    statement: &str,
    probe: &str,
) -> Result<(), String> {
    let revision = full_revision("20240301102030");
    let mut session = driver.session().await.map_err(fail("session"))?;
    session
        .ensure_revisions_table(table)
        .await
        .map_err(fail("ensure"))?;

    // Rolled back on purpose.
    session
        .begin(TxOptions::default())
        .await
        .map_err(fail("begin"))?;
    if !session.in_transaction() {
        return Err("in_transaction() is false after begin".into());
    }
    session
        .execute(statement)
        .await
        .map_err(fail("statement"))?;
    session
        .write_revision(table, &revision)
        .await
        .map_err(fail("write in transaction"))?;
    session.rollback().await.map_err(fail("rollback"))?;
    if session.in_transaction() {
        return Err("in_transaction() is true after rollback".into());
    }
    expect_effect(session.as_mut(), table, probe, "0", 0, "after rollback").await?;

    // Rolled back because a later statement failed.
    session
        .begin(TxOptions::default())
        .await
        .map_err(fail("begin"))?;
    session
        .execute(statement)
        .await
        .map_err(fail("statement"))?;
    session
        .write_revision(table, &revision)
        .await
        .map_err(fail("write in transaction"))?;
    if session
        .execute("INSERT INTO mercator_no_such_table VALUES (1)")
        .await
        .is_ok()
    {
        return Err("inserting into a missing table succeeded".into());
    }
    session
        .rollback()
        .await
        .map_err(fail("rollback after failure"))?;
    expect_effect(
        session.as_mut(),
        table,
        probe,
        "0",
        0,
        "after a failed statement",
    )
    .await?;

    // Committed.
    session
        .begin(TxOptions::default())
        .await
        .map_err(fail("begin"))?;
    session
        .execute(statement)
        .await
        .map_err(fail("statement"))?;
    session
        .write_revision(table, &revision)
        .await
        .map_err(fail("write in transaction"))?;
    session.commit().await.map_err(fail("commit"))?;
    expect_effect(session.as_mut(), table, probe, "1", 1, "after commit").await
}

async fn expect_effect(
    session: &mut dyn mercator_driver::Session,
    table: &RevisionsTable,
    probe: &str,
    effect: &str,
    revisions: usize,
    when: &str,
) -> Result<(), String> {
    let rows = session.query(probe).await.map_err(fail("probe"))?;
    let read = session
        .read_revisions(table)
        .await
        .map_err(fail("read revisions"))?;
    if rows.scalar() != Some(effect) || read.len() != revisions {
        return Err(format!(
            "{when}: the statement's effect is {:?} (expected {effect}) and there are {} revisions (expected {revisions})",
            rows.scalar(),
            read.len()
        ));
    }
    Ok(())
}

/// `Session::query` returns column names and every value as text, NULL as `None`.
pub async fn query_returns_text(driver: &dyn Driver) -> Result<(), String> {
    let mut session = driver.session().await.map_err(fail("session"))?;
    let rows = session
        .query("SELECT 1 AS a, NULL AS b, 'x y' AS c, 2.5 AS d")
        .await
        .map_err(fail("query"))?;
    let expected = vec![vec![
        Some("1".to_owned()),
        None,
        Some("x y".to_owned()),
        Some("2.5".to_owned()),
    ]];
    if rows.columns != ["a", "b", "c", "d"] || rows.rows != expected {
        return Err(format!("unexpected rows {rows:?}"));
    }
    let none = session
        .query("SELECT 1 AS a FROM (SELECT 1 AS z) AS t WHERE t.z = 0")
        .await
        .map_err(fail("empty query"))?;
    if !none.rows.is_empty() || none.scalar().is_some() {
        return Err(format!("expected no rows, got {none:?}"));
    }
    Ok(())
}

/// A known failure keeps the database's own code, in a session and through a statement
/// list alike.
pub async fn error_code(driver: &dyn Driver, failing: &str, expected: &str) -> Result<(), String> {
    let err = {
        let mut session = driver.session().await.map_err(fail("session"))?;
        match session.execute(failing).await {
            Ok(()) => return Err(format!("{failing} succeeded")),
            Err(e) => e,
        }
    };
    if err.code() != Some(expected) || !matches!(err, DriverError::Exec { .. }) {
        return Err(format!(
            "expected an Exec error with code {expected}, got {err:?}"
        ));
    }
    if std::error::Error::source(&err).is_none() {
        return Err(format!("the library error is not kept: {err:?}"));
    }
    use mercator_driver::DriverExt;
    let err = match driver.execute(&[failing.to_owned()]).await {
        Ok(()) => return Err(format!("{failing} succeeded")),
        Err(e) => e,
    };
    if err.code() != Some(expected) {
        return Err(format!(
            "through execute: expected code {expected}, got {err:?}"
        ));
    }
    Ok(())
}

/// Arbitrary revisions: printable text with quotes, backslashes and non-ASCII letters,
/// any kind bits, counts, whole-second times from 1970 up to `latest` (Unix seconds;
/// MySQL's `timestamp` ends in 2038), nanosecond durations, optional errors and partial
/// hashes.
pub fn any_revision(latest: i64) -> impl Strategy<Value = Revision> {
    let text = "[a-zA-Z0-9 '\"\\\\;,.:_ü€\\-]{0,40}";
    (
        "[0-9]{1,14}(_[a-z]{1,8})?",
        text,
        0u64..8,
        (0i64..10_000, 0i64..10_000),
        1i64..latest,
        0u64..86_400_000_000_000,
        (proptest::option::of(text), proptest::option::of(text)),
        "[A-Za-z0-9+/]{43}=",
        proptest::option::of(proptest::collection::vec("h1:[A-Za-z0-9+/]{43}=", 0..4)),
        "[A-Za-z]{1,10} v[0-9]\\.[0-9]\\.[0-9]",
    )
        .prop_map(
            |(
                version,
                description,
                kind,
                (applied, total),
                secs,
                nanos,
                (error, error_stmt),
                hash,
                partial_hashes,
                operator_version,
            )| Revision {
                version,
                description,
                kind: RevisionKind(kind),
                applied,
                total,
                executed_at: DateTime::from_timestamp(secs, 0).expect("in range"),
                execution_time: Duration::from_nanos(nanos),
                error,
                error_stmt,
                hash,
                partial_hashes,
                operator_version,
            },
        )
}

/// The round-trip property: any revision written reads back equal (time to the second).
/// Runs `cases` generated revisions through one session on a table that exists.
pub fn revisions_round_trip_property(
    runtime: &tokio::runtime::Runtime,
    driver: &dyn Driver,
    table: &RevisionsTable,
    cases: u32,
    latest: i64,
) -> Result<(), String> {
    runtime.block_on(async {
        let mut session = driver.session().await.map_err(fail("session"))?;
        session
            .ensure_revisions_table(table)
            .await
            .map_err(fail("ensure"))
    })?;
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    runner
        .run(&any_revision(latest), |revision| {
            let outcome = runtime.block_on(async {
                let mut session = driver.session().await.map_err(fail("session"))?;
                session
                    .write_revision(table, &revision)
                    .await
                    .map_err(fail("write"))?;
                let read = session.read_revisions(table).await.map_err(fail("read"))?;
                session
                    .delete_revision(table, &revision.version)
                    .await
                    .map_err(fail("delete"))?;
                same_revisions(&read, std::slice::from_ref(&revision))
            });
            outcome.map_err(TestCaseError::fail)
        })
        .map_err(|e| e.to_string())
}
