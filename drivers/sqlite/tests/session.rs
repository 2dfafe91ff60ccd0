//! The session and revisions contracts on SQLite: transactions that carry the bookkeeping
//! row, the revisions table, queries, error codes, the dev database's message, and file
//! locks that die with their process (two drivers excluding each other in one process:
//! `plans.rs`).

#[path = "../../../testkit/contract/driver_contract.rs"]
mod contract;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mercator_driver::{DevDatabase, Driver, DriverError, DriverExt, Locker, RevisionsTable};
use mercator_sqlite::SqliteDriver;
use mercator_testkit::TempDir;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn file_db(dir: &TempDir, name: &str) -> SqliteDriver {
    SqliteDriver::open(&dir.sqlite_url(name)).expect("open file database")
}

#[tokio::test]
async fn revisions_round_trip() {
    let dir = TempDir::new();
    let db = file_db(&dir, "rev.db");
    contract::revisions_round_trip(&db, &RevisionsTable::default(), "atlas_schema_revisions")
        .await
        .unwrap();
    // The rows survive the connection.
    drop(db);
    let again = file_db(&dir, "rev.db");
    let mut session = again.session().await.unwrap();
    let read = session
        .read_revisions(&RevisionsTable::default())
        .await
        .unwrap();
    assert_eq!(read.len(), 1, "{read:?}");
}

#[tokio::test]
async fn revisions_table_in_an_attached_schema() {
    let dir = TempDir::new();
    let db = file_db(&dir, "main.db");
    let other = dir.path().join("other.db");
    db.execute(&[format!("ATTACH DATABASE '{}' AS aux", other.display())])
        .await
        .unwrap();
    contract::revisions_round_trip(
        &db,
        &RevisionsTable::in_schema("aux"),
        "aux.atlas_schema_revisions",
    )
    .await
    .unwrap();
}

#[test]
fn any_revision_reads_back_as_written() {
    let rt = runtime();
    let db = SqliteDriver::in_memory();
    contract::revisions_round_trip_property(
        &rt,
        &db,
        &RevisionsTable::default(),
        64,
        4_102_444_800,
    )
    .unwrap();
}

#[tokio::test]
async fn revisions_table_is_hidden_from_inspection() {
    let db = SqliteDriver::in_memory();
    contract::revisions_table_hidden(&db, &RevisionsTable::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn statement_and_bookkeeping_commit_or_roll_back_together() {
    let db = SqliteDriver::in_memory();
    contract::bookkeeping_shares_the_transaction(
        &db,
        &RevisionsTable::default(),
        "CREATE TABLE contract_t (id integer)",
        "SELECT count(*) FROM sqlite_schema WHERE name = 'contract_t'",
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn query_returns_text_and_nulls() {
    contract::query_returns_text(&SqliteDriver::in_memory())
        .await
        .unwrap();
}

#[tokio::test]
async fn errors_keep_sqlite_extended_codes() {
    let db = SqliteDriver::in_memory();
    db.execute(&[
        "CREATE TABLE t (id integer PRIMARY KEY, name text UNIQUE)".to_owned(),
        "INSERT INTO t VALUES (1, 'a')".to_owned(),
    ])
    .await
    .unwrap();
    // SQLITE_CONSTRAINT_UNIQUE
    contract::error_code(&db, "INSERT INTO t VALUES (2, 'a')", "2067")
        .await
        .unwrap();
    // SQLITE_ERROR: no such table
    contract::error_code(&db, "SELECT * FROM missing", "1")
        .await
        .unwrap();
}

#[tokio::test]
async fn not_clean_names_the_url_and_the_object() {
    let dir = TempDir::new();
    let url = dir.sqlite_url("dev.db");
    let db = SqliteDriver::open(&url).unwrap();
    db.check_clean().await.unwrap();
    db.execute(&["CREATE TABLE t (id integer)".to_owned()])
        .await
        .unwrap();
    let err = db.check_clean().await.unwrap_err();
    assert!(matches!(err, DriverError::NotClean { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("dev database {url} is not clean: found table \"t\" in schema \"main\"")
    );
    db.reset().await.unwrap();
    db.check_clean().await.unwrap();
}

const CHILD_DB: &str = "MERCATOR_TEST_LOCK_CHILD_DB";
const CHILD_READY: &str = "MERCATOR_TEST_LOCK_CHILD_READY";

/// Run only by [`lock_of_a_killed_process_is_free`] in a child process: takes the lock,
/// reports it, and holds it until killed.
#[tokio::test]
#[ignore = "helper process for lock_of_a_killed_process_is_free"]
async fn lock_holder_child() {
    // Run by hand (`--ignored`) it has nothing to hold.
    let (Ok(url), Ok(ready)) = (std::env::var(CHILD_DB), std::env::var(CHILD_READY)) else {
        return;
    };
    let db = SqliteDriver::open(&url).unwrap();
    db.lock("apply", Duration::from_secs(5)).await.unwrap();
    std::fs::write(&ready, "locked").unwrap();
    tokio::time::sleep(Duration::from_secs(120)).await;
    panic!("the parent test should have killed this process");
}

fn wait_for(path: &Path, timeout: Duration) -> bool {
    let started = Instant::now();
    while started.elapsed() < timeout {
        if path.exists() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn lock_of_a_killed_process_is_free() {
    let dir = TempDir::new();
    let url = dir.sqlite_url("shared.db");
    let ready = dir.path().join("child-ready");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "lock_holder_child", "--ignored", "--nocapture"])
        .env(CHILD_DB, &url)
        .env(CHILD_READY, &ready)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let locked = wait_for(&ready, Duration::from_secs(30));
    let rt = runtime();
    let db = SqliteDriver::open(&url).unwrap();
    let held = rt.block_on(db.lock("apply", Duration::from_millis(100)));
    child.kill().unwrap(); // SIGKILL: no destructor, no unlock.
    let status = child.wait().unwrap();
    assert!(locked, "the child never took the lock (exit: {status})");
    assert!(
        matches!(held, Err(DriverError::Locked { .. })),
        "the child's lock must exclude us: {held:?}"
    );
    rt.block_on(db.lock("apply", Duration::from_secs(2)))
        .expect("the kernel released the killed process's lock");
    rt.block_on(db.unlock("apply")).unwrap();
}

/// A transaction left open by a dropped session is rolled back by the next session (the
/// `Session` contract), so its uncommitted work is never seen or committed later.
#[tokio::test]
async fn dropped_session_rolls_back_its_transaction() {
    let db = SqliteDriver::in_memory();
    {
        let mut session = db.session().await.unwrap();
        session
            .begin(mercator_driver::TxOptions::default())
            .await
            .unwrap();
        session
            .execute("CREATE TABLE t (id integer)")
            .await
            .unwrap();
        assert!(session.in_transaction());
    }
    let mut session = db.session().await.unwrap();
    assert!(!session.in_transaction());
    let rows = session
        .query("SELECT count(*) FROM sqlite_schema WHERE name = 't'")
        .await
        .unwrap();
    assert_eq!(rows.scalar(), Some("0"));
    assert!(session.transactional_ddl());
}
