//! The driver against a real server: bad input, a connection lost mid-apply, locks and
//! the dev database.

mod common;

use std::time::Duration;

use common::{TestDb, admin, server_url, url_for};
use mercator_driver::{DevDatabase, DriverError, DriverExt, InspectOptions, Inspector, Locker};
use mercator_mysql::MysqlDriver;
use schema_diff::{Plan, PlannedStatement};

fn one_line(err: &DriverError) -> String {
    let text = err.to_string();
    assert!(!text.contains('\n'), "not one line: {text}");
    text
}

#[tokio::test]
async fn access_denied_is_one_clear_line() {
    let Some(admin) = admin().await else { return };
    let user = mercator_testkit::unique_name("mercator_u");
    admin
        .execute(&[
            format!("DROP USER IF EXISTS '{user}'@'%'"),
            format!("CREATE USER '{user}'@'%' IDENTIFIED BY 'right-pass'"),
        ])
        .await
        .unwrap();
    let mut url = url::Url::parse(&server_url()).unwrap();
    url.set_username(&user).unwrap();
    url.set_password(Some("wrong-pass")).unwrap();
    let err = MysqlDriver::open(url.as_str()).await.unwrap_err();
    let text = one_line(&err);
    assert!(matches!(err, DriverError::Connect { .. }), "{text}");
    assert!(text.contains("Access denied"), "{text}");
    assert!(!text.contains("wrong-pass"), "{text}");
    url.set_password(Some("right-pass")).unwrap();
    // The user has no grant on any database; connecting without one proves the password.
    url.set_path("/");
    let ok = MysqlDriver::open(url.as_str()).await;
    admin
        .execute(&[format!("DROP USER IF EXISTS '{user}'@'%'")])
        .await
        .unwrap();
    assert!(ok.is_ok(), "the right password connects: {:?}", ok.err());
}

#[tokio::test]
async fn unknown_database_is_one_clear_line() {
    let Some(_admin) = admin().await else { return };
    let name = mercator_testkit::unique_name("mercator_missing");
    let err = MysqlDriver::open(&url_for(&name)).await.unwrap_err();
    let text = one_line(&err);
    assert!(
        text.contains(&format!("Unknown database '{name}'")),
        "{text}"
    );
}

#[tokio::test]
async fn bad_urls_are_rejected() {
    let err = MysqlDriver::open("postgres://u:pw@h/db").await.unwrap_err();
    let text = one_line(&err);
    assert!(
        matches!(err, DriverError::InvalidUrl { .. }) && !text.contains("pw@"),
        "{text}"
    );
}

fn statement(sql: &str) -> PlannedStatement {
    PlannedStatement {
        sql: sql.to_owned(),
        comment: String::new(),
        change: 0,
        reverse: None,
        transactional: false,
    }
}

#[tokio::test]
async fn server_gone_mid_apply_is_a_lost_connection() {
    let Some(_admin) = admin().await else { return };
    let db = TestDb::create().await;
    let id = db.driver.connection_id().await.unwrap();
    let plan = Plan {
        statements: vec![
            statement("CREATE TABLE first_one (id INT)"),
            statement("SELECT SLEEP(20)"),
            statement("CREATE TABLE never (id INT)"),
        ],
        transactional: false,
    };
    let killer = async {
        use mysql_async::prelude::Queryable;
        let opts = mysql_async::Opts::from_url(&server_url()).unwrap();
        let mut watcher = mysql_async::Conn::new(opts).await.unwrap();
        // Kill the session once it is inside the second statement.
        for _ in 0..400 {
            let busy: Option<u64> = watcher
                .query_first(format!(
                    "SELECT COUNT(*) FROM information_schema.PROCESSLIST \
                     WHERE ID = {id} AND INFO LIKE 'SELECT SLEEP%'"
                ))
                .await
                .unwrap();
            if busy == Some(1) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let killed = watcher.query_drop(format!("KILL CONNECTION {id}")).await;
        let _ = watcher.disconnect().await;
        killed
    };
    let (applied, killed) = tokio::join!(db.driver.apply(&plan), killer);
    killed.unwrap();
    let err = applied.unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, DriverError::ConnectionLost { .. }),
        "a killed session is a lost connection: {text}"
    );
    // The error says what had taken effect before the connection went.
    assert!(
        text.contains("already applied (1)") && text.contains("CREATE TABLE first_one"),
        "{text}"
    );
    // The first statement had committed on its own; the third never ran.
    let realm = db.driver.inspect(&InspectOptions::default()).await.unwrap();
    let tables: Vec<&str> = realm.schemas[0]
        .tables
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(tables, ["first_one"], "the next call reconnects");
    db.drop().await;
}

#[tokio::test]
async fn failing_statement_reports_index_and_applied() {
    let Some(_admin) = admin().await else { return };
    let db = TestDb::create().await;
    let err = db
        .driver
        .execute(&[
            "CREATE TABLE a (id INT)".to_owned(),
            "CREATE TABLE a (id INT)".to_owned(),
        ])
        .await
        .unwrap_err();
    match &err {
        DriverError::Exec { index, applied, .. } => {
            assert_eq!(*index, 1);
            assert_eq!(applied.len(), 1);
        }
        other => panic!("unexpected {other}"),
    }
    assert!(err.to_string().contains("already exists"));
    db.drop().await;
}

#[tokio::test]
async fn locks_exclude_other_sessions() {
    let Some(admin) = admin().await else { return };
    let other = MysqlDriver::open(&server_url()).await.unwrap();
    let name = mercator_testkit::unique_name("mercator_lock");
    admin.lock(&name, Duration::from_secs(1)).await.unwrap();
    let err = other.lock(&name, Duration::from_secs(1)).await.unwrap_err();
    assert!(matches!(err, DriverError::Locked { .. }), "{err}");
    admin.unlock(&name).await.unwrap();
    other.lock(&name, Duration::from_secs(1)).await.unwrap();
    other.unlock(&name).await.unwrap();
}

/// Per-schema lock names can be longer than the server allows (64 characters on MySQL, 192
/// on MariaDB): they still lock, and still exclude each other.
#[tokio::test]
async fn long_lock_names_still_exclude() {
    let Some(admin) = admin().await else { return };
    let other = MysqlDriver::open(&server_url()).await.unwrap();
    let name = format!(
        "{}.{}",
        mercator_testkit::unique_name("mercator_lock"),
        "s".repeat(300)
    );
    admin.lock(&name, Duration::from_secs(1)).await.unwrap();
    let err = other.lock(&name, Duration::from_secs(1)).await.unwrap_err();
    assert!(matches!(err, DriverError::Locked { .. }), "{err}");
    admin.unlock(&name).await.unwrap();
    other.lock(&name, Duration::from_secs(1)).await.unwrap();
    other.unlock(&name).await.unwrap();
}

#[tokio::test]
async fn dev_database_check_and_reset() {
    let Some(_admin) = admin().await else { return };
    let db = TestDb::create().await;
    db.driver.check_clean().await.unwrap();
    db.load("CREATE TABLE t (id INT); CREATE VIEW v AS SELECT id FROM t;")
        .await
        .unwrap();
    let err = db.driver.check_clean().await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "dev database {} is not clean: found table \"t\" in schema \"{}\"",
            db.url(),
            db.name
        )
    );
    db.driver.reset().await.unwrap();
    db.driver.check_clean().await.unwrap();
    assert_eq!(db.inspect().await.table_count(), 0);
    db.drop().await;
}
