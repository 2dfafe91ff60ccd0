//! The session and revisions contracts on MySQL/MariaDB: DDL commits statement by
//! statement, so a failure names what took effect; the revisions table and where it lives;
//! queries, error numbers, and reconnecting after the server killed the session.

mod common;
#[path = "../../../testkit/contract/driver_contract.rs"]
mod contract;

use std::time::Duration;

use common::{TestDb, admin};
use mercator_driver::{
    DevDatabase, Driver, DriverError, DriverExt, RevisionsTable, TxOptions, exec,
};
use mercator_mysql::MysqlDriver;
use schema_diff::{Plan, PlannedStatement};

/// Whether `database.table` exists, asked over a separate connection.
async fn exists(admin: &MysqlDriver, database: &str, table: &str) -> bool {
    let mut session = admin.session().await.expect("session");
    let rows = session
        .query(&format!(
            "SELECT COUNT(*) FROM information_schema.TABLES \
             WHERE TABLE_SCHEMA = '{database}' AND TABLE_NAME = '{table}'"
        ))
        .await
        .expect("information_schema");
    rows.scalar() == Some("1")
}

#[tokio::test]
async fn bound_connection_keeps_revisions_in_its_database() {
    let Some(admin) = admin().await else { return };
    let db = TestDb::create().await;
    contract::revisions_round_trip(
        &db.driver,
        &RevisionsTable::default(),
        &format!("`{}`.atlas_schema_revisions", db.name),
    )
    .await
    .unwrap();
    assert!(exists(&admin, &db.name, "atlas_schema_revisions").await);
}

#[tokio::test]
async fn explicit_schema_is_created_and_used() {
    let Some(admin) = admin().await else { return };
    let db = TestDb::create().await;
    // A name of the test's own, so it is cleaned up even when the test fails; dropped
    // first so the driver has to create it.
    let other = mercator_testkit::ServerDb::create(mercator_testkit::Server::Mysql)
        .await
        .expect("server answered");
    admin
        .execute(&[format!("DROP DATABASE `{}`", other.name)])
        .await
        .unwrap();
    let table = RevisionsTable::in_schema(other.name.clone());
    contract::revisions_round_trip(
        &db.driver,
        &table,
        &format!("`{}`.atlas_schema_revisions", other.name),
    )
    .await
    .unwrap();
    assert!(exists(&admin, &other.name, "atlas_schema_revisions").await);
    assert!(!exists(&admin, &db.name, "atlas_schema_revisions").await);
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
    // `timestamp` columns end in January 2038.
    contract::revisions_round_trip_property(
        &rt,
        &db.driver,
        &RevisionsTable::default(),
        32,
        2_147_483_647,
    )
    .unwrap();
}

#[tokio::test]
async fn revisions_table_is_hidden_from_inspection() {
    let Some(_admin) = admin().await else { return };
    let db = TestDb::create().await;
    contract::revisions_table_hidden(&db.driver, &RevisionsTable::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn rows_and_bookkeeping_commit_or_roll_back_together() {
    let Some(_admin) = admin().await else { return };
    let db = TestDb::create().await;
    db.load("CREATE TABLE contract_t (id int) ENGINE=InnoDB")
        .await
        .unwrap();
    // DDL commits on its own in MySQL; rows share the transaction with the bookkeeping.
    contract::bookkeeping_shares_the_transaction(
        &db.driver,
        &RevisionsTable::default(),
        "INSERT INTO contract_t VALUES (1)",
        "SELECT COUNT(*) FROM contract_t",
    )
    .await
    .unwrap();
}

fn statement(sql: &str) -> PlannedStatement {
    PlannedStatement {
        sql: sql.to_owned(),
        comment: String::new(),
        change: 0,
        reverse: None,
        transactional: true,
    }
}

#[tokio::test]
async fn failed_statement_names_what_took_effect() {
    let Some(_admin) = admin().await else { return };
    let db = TestDb::create().await;
    let plan = Plan {
        statements: vec![
            statement("CREATE TABLE a (id int)"),
            statement("CREATE TABLE b (id int)"),
            statement("CREATE TABLE a (id int)"),
            statement("CREATE TABLE c (id int)"),
        ],
        transactional: true,
    };
    let mut session = db.driver.session().await.unwrap();
    assert!(!session.transactional_ddl());
    let err = exec::apply_plan(session.as_mut(), &plan).await.unwrap_err();
    drop(session);
    match &err {
        DriverError::Exec {
            index,
            applied,
            code,
            ..
        } => {
            assert_eq!(*index, 2, "{err}");
            assert_eq!(
                applied,
                &[
                    "CREATE TABLE a (id int)".to_owned(),
                    "CREATE TABLE b (id int)".to_owned()
                ]
            );
            assert_eq!(code.as_deref(), Some("1050"), "table exists");
        }
        other => panic!("unexpected {other:?}"),
    }
    let text = err.to_string();
    assert!(text.starts_with("statement 3 failed: "), "{text}");
    assert!(
        text.contains(
            "already applied (2):\n    CREATE TABLE a (id int)\n    CREATE TABLE b (id int)"
        ),
        "{text}"
    );
    // Exactly what the error says took effect.
    let realm = db.inspect().await;
    let mut tables: Vec<&str> = realm.schemas[0]
        .tables
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    tables.sort();
    assert_eq!(tables, ["a", "b"]);
}

#[tokio::test]
async fn query_returns_text_and_nulls() {
    let Some(admin) = admin().await else { return };
    contract::query_returns_text(&admin).await.unwrap();
}

#[tokio::test]
async fn errors_keep_the_error_number() {
    let Some(_admin) = admin().await else { return };
    let db = TestDb::create().await;
    // ER_NO_SUCH_TABLE
    contract::error_code(&db.driver, "SELECT * FROM missing_table", "1146")
        .await
        .unwrap();
    // ER_DUP_ENTRY
    db.load("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1);")
        .await
        .unwrap();
    contract::error_code(&db.driver, "INSERT INTO t VALUES (1)", "1062")
        .await
        .unwrap();
}

#[tokio::test]
async fn killed_session_is_a_lost_connection_and_the_next_session_reconnects() {
    let Some(admin) = admin().await else { return };
    let db = TestDb::create().await;
    let first_id = db.driver.connection_id().await.unwrap();
    let mut session = db.driver.session().await.unwrap();
    session.begin(TxOptions::default()).await.unwrap();
    admin
        .execute(&[format!("KILL CONNECTION {first_id}")])
        .await
        .unwrap();
    // The server closes the socket asynchronously.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let err = session.execute("SELECT 1").await.unwrap_err();
    assert!(matches!(err, DriverError::ConnectionLost { .. }), "{err:?}");
    assert!(
        !session.in_transaction(),
        "a lost connection ends the transaction"
    );
    drop(session);
    let mut session = db.driver.session().await.expect("a new connection");
    let rows = session.query("SELECT CONNECTION_ID()").await.unwrap();
    let second_id = rows.scalar().expect("an id").to_owned();
    assert_ne!(second_id, first_id.to_string());
    session
        .execute("CREATE TABLE after_reconnect (id int)")
        .await
        .unwrap();
    drop(session);
    assert_eq!(db.inspect().await.table_count(), 1);
    db.driver.check_clean().await.unwrap_err();
}

/// A transaction left open by a dropped session is rolled back by the next session (the
/// `Session` contract). In MySQL the risk is worse than a stale view: the next DDL or
/// `START TRANSACTION` would silently commit it.
#[tokio::test]
async fn dropped_session_rolls_back_its_transaction() {
    let Some(_admin) = admin().await else { return };
    let db = TestDb::create().await;
    db.load("CREATE TABLE t (id int) ENGINE=InnoDB")
        .await
        .unwrap();
    {
        let mut session = db.driver.session().await.unwrap();
        session.begin(TxOptions::default()).await.unwrap();
        session.execute("INSERT INTO t VALUES (1)").await.unwrap();
        assert!(session.in_transaction());
    }
    let mut session = db.driver.session().await.unwrap();
    assert!(!session.in_transaction());
    session.execute("CREATE TABLE u (id int)").await.unwrap();
    let rows = session.query("SELECT COUNT(*) FROM t").await.unwrap();
    assert_eq!(
        rows.scalar(),
        Some("0"),
        "the dropped session's row was committed"
    );
}
