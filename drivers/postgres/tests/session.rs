//! The session and revisions contracts on PostgreSQL: transactions that carry the
//! bookkeeping row, where the revisions table lives, queries, SQLSTATE codes and a
//! connection killed by the server.

mod common;
#[path = "../../../testkit/contract/driver_contract.rs"]
mod contract;

use common::{TestDb, admin, bound_url};
use mercator_driver::{Driver, DriverError, DriverExt, RevisionsTable, TxOptions};
use mercator_postgres::PostgresDriver;

/// Whether `schema.table` exists, asked over a separate connection.
async fn exists(db: &TestDb, qualified: &str) -> bool {
    let driver = db.open().await;
    let mut session = driver.session().await.expect("session");
    let rows = session
        .query(&format!("SELECT to_regclass('{qualified}') IS NOT NULL"))
        .await
        .expect("to_regclass");
    rows.scalar() == Some("t")
}

#[tokio::test]
async fn unbound_connection_keeps_revisions_in_their_own_schema() {
    let Some(_admin) = admin().await else { return };
    let db = TestDb::create().await;
    let driver = db.open().await;
    assert_eq!(driver.bound_schema(), None);
    contract::revisions_round_trip(
        &driver,
        &RevisionsTable::default(),
        "atlas_schema_revisions.atlas_schema_revisions",
    )
    .await
    .unwrap();
    assert!(exists(&db, "atlas_schema_revisions.atlas_schema_revisions").await);
    assert!(!exists(&db, "public.atlas_schema_revisions").await);
}

#[tokio::test]
async fn bound_connection_keeps_revisions_in_its_schema() {
    let Some(_admin) = admin().await else { return };
    let db = TestDb::create().await;
    db.open()
        .await
        .execute(&["CREATE SCHEMA app".to_owned()])
        .await
        .unwrap();
    let driver = PostgresDriver::open(&bound_url(&db.url, "app"))
        .await
        .unwrap();
    assert_eq!(driver.bound_schema(), Some("app"));
    contract::revisions_round_trip(
        &driver,
        &RevisionsTable::default(),
        "app.atlas_schema_revisions",
    )
    .await
    .unwrap();
    assert!(exists(&db, "app.atlas_schema_revisions").await);
    assert!(!exists(&db, "atlas_schema_revisions.atlas_schema_revisions").await);
}

#[tokio::test]
async fn explicit_schema_is_created_and_used() {
    let Some(_admin) = admin().await else { return };
    let db = TestDb::create().await;
    let driver = PostgresDriver::open(&bound_url(&db.url, "public"))
        .await
        .unwrap();
    let table = RevisionsTable::in_schema("Audit Trail");
    contract::revisions_round_trip(&driver, &table, "\"Audit Trail\".atlas_schema_revisions")
        .await
        .unwrap();
    assert!(exists(&db, "\"Audit Trail\".atlas_schema_revisions").await);
    assert!(!exists(&db, "public.atlas_schema_revisions").await);
}

#[test]
fn any_revision_reads_back_as_written() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let Some(_admin) = rt.block_on(admin()) else {
        return;
    };
    let db = rt.block_on(TestDb::create());
    let driver = rt.block_on(db.open());
    contract::revisions_round_trip_property(
        &rt,
        &driver,
        &RevisionsTable::default(),
        32,
        4_102_444_800,
    )
    .unwrap();
}

#[tokio::test]
async fn revisions_table_and_schema_are_hidden_from_inspection() {
    let Some(_admin) = admin().await else { return };
    let db = TestDb::create().await;
    let unbound = db.open().await;
    contract::revisions_table_hidden(&unbound, &RevisionsTable::default())
        .await
        .unwrap();
    let bound = PostgresDriver::open(&bound_url(&db.url, "public"))
        .await
        .unwrap();
    contract::revisions_table_hidden(&bound, &RevisionsTable::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn statement_and_bookkeeping_commit_or_roll_back_together() {
    let Some(_admin) = admin().await else { return };
    let db = TestDb::create().await;
    let driver = db.open().await;
    contract::bookkeeping_shares_the_transaction(
        &driver,
        &RevisionsTable::default(),
        "CREATE TABLE public.contract_t (id integer)",
        "SELECT count(*) FROM pg_tables WHERE tablename = 'contract_t'",
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn query_returns_text_and_nulls() {
    let Some(admin) = admin().await else { return };
    contract::query_returns_text(&admin).await.unwrap();
}

#[tokio::test]
async fn errors_keep_the_sqlstate() {
    let Some(_admin) = admin().await else { return };
    let db = TestDb::create().await;
    let driver = db.open().await;
    // undefined_table
    contract::error_code(&driver, "SELECT * FROM missing_table", "42P01")
        .await
        .unwrap();
    // unique_violation
    driver
        .execute(&["CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1);".to_owned()])
        .await
        .unwrap();
    contract::error_code(&driver, "INSERT INTO t VALUES (1)", "23505")
        .await
        .unwrap();
}

/// Terminates the backend serving `session` from the admin connection.
async fn terminate(admin: &PostgresDriver, session: &mut (dyn mercator_driver::Session + '_)) {
    let pid = session.query("SELECT pg_backend_pid()").await.unwrap();
    let pid = pid.scalar().expect("a pid").to_owned();
    let killed = admin
        .session()
        .await
        .unwrap()
        .query(&format!("SELECT pg_terminate_backend({pid})"))
        .await
        .unwrap();
    assert_eq!(killed.scalar(), Some("t"));
}

#[tokio::test]
async fn backend_killed_between_statements_is_a_lost_connection() {
    let Some(admin) = admin().await else { return };
    let db = TestDb::create().await;
    let driver = db.open().await;
    let mut session = driver.session().await.unwrap();
    session.begin(TxOptions::default()).await.unwrap();
    session
        .execute("CREATE TABLE doomed (id int)")
        .await
        .unwrap();
    terminate(&admin, session.as_mut()).await;
    // Let the server's goodbye arrive while the connection is idle.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let err = session.execute("SELECT 1").await.unwrap_err();
    assert!(matches!(err, DriverError::ConnectionLost { .. }), "{err:?}");
    assert!(err.is_connection_lost());
    drop(session);
    // Nothing of the interrupted transaction remains.
    let other = db.open().await;
    let rows = other
        .session()
        .await
        .unwrap()
        .query("SELECT count(*) FROM pg_tables WHERE tablename = 'doomed'")
        .await
        .unwrap();
    assert_eq!(rows.scalar(), Some("0"));
}

#[tokio::test]
async fn backend_killed_mid_statement_is_a_lost_connection() {
    let Some(admin) = admin().await else { return };
    let db = TestDb::create().await;
    let driver = db.open().await;
    let mut session = driver.session().await.unwrap();
    let pid = session.query("SELECT pg_backend_pid()").await.unwrap();
    let pid = pid.scalar().expect("a pid").to_owned();
    let killer = async {
        // Once the statement runs, terminate its backend.
        for _ in 0..200 {
            let rows = admin
                .session()
                .await
                .unwrap()
                .query(&format!(
                    "SELECT count(*) FROM pg_stat_activity WHERE pid = {pid} \
                     AND query LIKE 'SELECT pg_sleep%' AND state = 'active'"
                ))
                .await
                .unwrap();
            if rows.scalar() == Some("1") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        admin
            .session()
            .await
            .unwrap()
            .query(&format!("SELECT pg_terminate_backend({pid})"))
            .await
            .unwrap()
    };
    let (outcome, killed) = tokio::join!(session.execute("SELECT pg_sleep(20)"), killer);
    assert_eq!(killed.scalar(), Some("t"));
    let err = outcome.unwrap_err();
    assert!(matches!(err, DriverError::ConnectionLost { .. }), "{err:?}");
}

#[tokio::test]
async fn dropped_session_rolls_back_its_transaction() {
    let Some(_admin) = admin().await else { return };
    let db = TestDb::create().await;
    let driver = db.open().await;
    {
        let mut session = driver.session().await.unwrap();
        session.begin(TxOptions::default()).await.unwrap();
        session.execute("CREATE TABLE t (id int)").await.unwrap();
        assert!(session.in_transaction());
    }
    let mut session = driver.session().await.unwrap();
    assert!(!session.in_transaction());
    assert!(session.transactional_ddl());
    let rows = session
        .query("SELECT count(*) FROM pg_tables WHERE tablename = 't'")
        .await
        .unwrap();
    assert_eq!(rows.scalar(), Some("0"));
}
