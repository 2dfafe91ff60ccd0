//! Connection errors, the dev database, locks, and a schema-bound connection.

mod common;

use std::time::Duration;

use common::*;
use mercator_driver::{
    DevDatabase, Driver, DriverError, DriverExt, InspectOptions, Inspector, Locker,
};
use mercator_postgres::PostgresDriver;
use schema_diff::{DialectExt, DiffOptions, PlanOptions};

fn with_user(user_info: &str, database: &str) -> String {
    let mut url = url::Url::parse(&url_for(database)).expect("url");
    let (user, password) = user_info.split_once(':').unwrap_or((user_info, ""));
    url.set_username(user).expect("user");
    url.set_password(Some(password).filter(|p| !p.is_empty()))
        .expect("password");
    url.to_string()
}

fn assert_one_line(err: &DriverError, expected: &str) {
    let text = err.to_string();
    eprintln!("{text}");
    assert!(!text.contains('\n'), "not one line: {text}");
    assert!(text.contains(expected), "{text:?} lacks {expected:?}");
    assert!(!text.contains("s3cretpw"), "password leaked: {text}");
}

#[tokio::test]
async fn bad_input_gives_one_clear_line() {
    let Some(_admin) = admin().await else { return };
    let err = PostgresDriver::open(&with_user("nosuchrole:s3cretpw", "test"))
        .await
        .expect_err("unknown role");
    assert_one_line(&err, "role \"nosuchrole\" does not exist");
    assert!(matches!(err, DriverError::Connect { .. }));

    let err = PostgresDriver::open(&with_user("postgres:s3cretpw", "mercator_no_such_db"))
        .await
        .expect_err("missing database");
    assert_one_line(&err, "database \"mercator_no_such_db\" does not exist");

    let err = PostgresDriver::open("postgres://postgres:s3cretpw@127.0.0.1:1/test")
        .await
        .expect_err("closed port");
    assert_one_line(
        &err,
        "cannot connect to postgres://postgres:xxxxx@127.0.0.1:1/test",
    );

    let err = PostgresDriver::open("mysql://root@127.0.0.1/test")
        .await
        .expect_err("wrong scheme");
    assert!(matches!(err, DriverError::InvalidUrl { .. }));
}

#[tokio::test]
async fn dev_database_checks_and_resets() {
    let Some(_admin) = admin().await else { return };
    let db = TestDb::create().await;
    let dev = db.open().await;
    dev.check_clean().await.expect("fresh database is clean");
    dev.execute(&["CREATE SCHEMA y; CREATE TABLE y.x (id int);".to_owned()])
        .await
        .expect("setup");
    let err = dev.check_clean().await.expect_err("not clean");
    assert!(matches!(&err, DriverError::NotClean { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "dev database {} is not clean: found table \"x\" in schema \"y\"",
            db.url
        )
    );
    dev.reset().await.expect("reset");
    dev.check_clean().await.expect("clean after reset");
    dev.execute(&[
        "CREATE EXTENSION citext; CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'select 1';"
            .to_owned(),
    ])
    .await
    .expect("setup");
    let err = dev.check_clean().await.expect_err("not clean");
    assert_eq!(
        err.to_string(),
        format!(
            "dev database {} is not clean: found function \"f\" in schema \"public\"",
            db.url
        )
    );
    dev.reset().await.expect("reset");
    dev.check_clean().await.expect("clean after reset");
    drop(dev);
    db.drop_db().await;
}

#[tokio::test]
async fn schema_bound_connection_plans_unqualified() {
    let Some(_admin) = admin().await else { return };
    let db = TestDb::create().await;
    let setup = db.open().await;
    setup
        .execute(&[
            "CREATE SCHEMA app; CREATE SCHEMA dev; CREATE TABLE public.outside (id int);"
                .to_owned(),
        ])
        .await
        .expect("setup");
    let bound = |schema: &str| format!("{}&sslmode=disable", bound_url(&db.url, schema));
    let target = PostgresDriver::open(&bound("app")).await.expect("open app");
    let scratch = PostgresDriver::open(&bound("dev")).await.expect("open dev");
    assert_eq!(target.bound_schema(), Some("app"));
    scratch.check_clean().await.expect("dev schema clean");
    scratch
        .execute(&["CREATE TYPE mood AS ENUM ('a', 'b'); CREATE TABLE users (id int PRIMARY KEY, m mood DEFAULT 'a', email text UNIQUE); CREATE VIEW v AS SELECT id FROM users; CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$; CREATE TRIGGER tr BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION touch();".to_owned()])
        .await
        .expect("load dev");
    let err = scratch.check_clean().await.expect_err("dev schema used");
    assert!(err.to_string().contains("in schema \"dev\""), "{err}");
    let mut desired = scratch
        .inspect(&InspectOptions::default())
        .await
        .expect("inspect dev");
    assert_eq!(desired.schemas.len(), 1);
    desired.schemas[0].name = "app".into();
    let current = target
        .inspect(&InspectOptions::default())
        .await
        .expect("inspect app");
    let dialect = target.dialect();
    let changes = dialect.diff(&current, &desired, &DiffOptions::default());
    let options = PlanOptions {
        unqualified_schema: Some("app".into()),
        concurrent_indexes: false,
    };
    let plan = dialect.plan(&changes, &options).expect("plan");
    assert!(
        plan.statements.iter().all(|s| !s.sql.contains("\"app\".")),
        "{}",
        plan.to_sql()
    );
    target.apply(&plan).await.expect("apply");
    let after = target
        .inspect(&InspectOptions::default())
        .await
        .expect("inspect");
    assert!(
        dialect
            .diff(&after, &desired, &DiffOptions::default())
            .is_empty()
    );
    // The whole database: public's table is there too, and the dev schema.
    let everything = target
        .inspect(&InspectOptions {
            schemas: vec!["public".into(), "app".into()],
            exclude_tables: vec!["outside".into()],
            only_tables: None,
        })
        .await
        .expect("inspect two");
    assert_eq!(everything.schemas.len(), 2);
    assert!(
        everything
            .schema("public")
            .is_some_and(|s| s.tables.is_empty())
    );
    scratch.reset().await.expect("reset dev schema");
    scratch.check_clean().await.expect("dev schema clean again");
    drop((setup, target, scratch));
    db.drop_db().await;
}

#[tokio::test]
async fn advisory_lock_excludes_other_sessions() {
    let Some(_admin) = admin().await else { return };
    let db = TestDb::create().await;
    let first = db.open().await;
    let second = db.open().await;
    first
        .lock("mercator_test_lock", Duration::from_secs(1))
        .await
        .expect("first lock");
    let err = second
        .lock("mercator_test_lock", Duration::from_millis(300))
        .await
        .expect_err("held elsewhere");
    assert!(matches!(err, DriverError::Locked { .. }), "{err}");
    first.unlock("mercator_test_lock").await.expect("unlock");
    second
        .lock("mercator_test_lock", Duration::from_secs(1))
        .await
        .expect("second lock");
    second.unlock("mercator_test_lock").await.expect("unlock");
    drop((first, second));
    db.drop_db().await;
}

#[tokio::test]
async fn failed_plan_rolls_back_and_reports() {
    let Some(_admin) = admin().await else { return };
    let db = TestDb::create().await;
    let driver = db.open().await;
    let plan = schema_diff::Plan {
        statements: ["CREATE TABLE a (id int)", "CREATE TABLE a (id int)"]
            .iter()
            .enumerate()
            .map(|(i, sql)| schema_diff::PlannedStatement {
                sql: sql.to_string(),
                comment: String::new(),
                change: i,
                reverse: None,
                transactional: true,
            })
            .collect(),
        transactional: true,
    };
    let err = driver.apply(&plan).await.expect_err("duplicate table");
    match &err {
        DriverError::Exec {
            index,
            applied,
            message,
            ..
        } => {
            assert_eq!(*index, 1);
            assert!(applied.is_empty());
            assert!(message.contains("already exists"), "{message}");
        }
        other => panic!("{other}"),
    }
    let realm = inspect(&driver).await;
    assert_eq!(realm.table_count(), 0, "rolled back");
    drop(driver);
    db.drop_db().await;
}
