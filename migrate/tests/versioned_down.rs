//! `migrate down` after three files: reverting to version 1 succeeds when the dropped objects
//! are empty, refuses touching nothing when they hold rows, and apply goes forward again.

use std::time::Duration;

use mercator_driver::RevisionsTable;
use mercator_migrate::dir::{MigrationDir, MigrationFile};
use mercator_migrate::{DownOptions, DownTarget, Migrator, migrate_down, open};
use mercator_testkit::{Server, ServerDb, TempDir};

fn directory() -> MigrationDir {
    let mut dir = MigrationDir::default();
    for (name, text) in [
        (
            "1_users.sql",
            "CREATE TABLE users (id int NOT NULL, PRIMARY KEY (id));\n",
        ),
        (
            "2_posts.sql",
            "CREATE TABLE posts (id int NOT NULL, PRIMARY KEY (id));\n",
        ),
        (
            "3_email.sql",
            "ALTER TABLE users ADD COLUMN email varchar(100) NULL;\n",
        ),
    ] {
        dir.add_file(MigrationFile::new(name, text)).unwrap();
    }
    dir
}

async fn scalar(url: &str, sql: &str) -> Option<String> {
    let driver = open(url).await.unwrap();
    let mut session = driver.session().await.unwrap();
    session
        .query(sql)
        .await
        .unwrap()
        .scalar()
        .map(str::to_owned)
}

async fn exec(url: &str, sql: &str) {
    let driver = open(url).await.unwrap();
    let mut session = driver.session().await.unwrap();
    session.execute(sql).await.unwrap();
}

async fn versions(url: &str) -> Vec<String> {
    let driver = open(url).await.unwrap();
    let mut session = driver.session().await.unwrap();
    let revs = session
        .read_revisions(&RevisionsTable::default())
        .await
        .unwrap();
    revs.into_iter().map(|r| r.version).collect()
}

async fn down_then_forward(url: &str, dev_url: Option<String>) {
    let dir = directory();
    let migrator = Migrator::builder(dir.clone()).build().unwrap();
    migrator.apply(url).await.unwrap();
    exec(
        url,
        "INSERT INTO users (id, email) VALUES (1, 'a@example.com')",
    )
    .await;
    let options = DownOptions {
        target: DownTarget::Version("1".into()),
        dev_url,
        dry_run: false,
        lock_timeout: Duration::from_secs(10),
        revisions: RevisionsTable::default(),
    };
    let err = migrate_down(&dir, url, &options).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("column \"email\" of table \"users\" holds data"),
        "{err}"
    );
    assert_eq!(versions(url).await, ["1", "2", "3"], "nothing touched");
    assert_eq!(
        scalar(url, "SELECT email FROM users").await.as_deref(),
        Some("a@example.com")
    );

    exec(url, "UPDATE users SET email = NULL").await;
    let report = migrate_down(&dir, url, &options).await.unwrap();
    assert!(report.applied);
    assert_eq!(report.reverted, ["3", "2"]);
    assert_eq!(report.checks.len(), 2, "{report:?}");
    assert_eq!(versions(url).await, ["1"]);
    assert_eq!(
        scalar(url, "SELECT count(*) FROM users").await.as_deref(),
        Some("1")
    );

    let forward = migrator.apply(url).await.unwrap();
    assert_eq!(forward.applied.len(), 2);
    assert_eq!(versions(url).await, ["1", "2", "3"]);
}

#[tokio::test]
async fn sqlite_down_checks_data_then_reverts() {
    let tmp = TempDir::new();
    down_then_forward(&tmp.sqlite_url("down.db"), None).await;
}

#[tokio::test]
async fn postgres_down_checks_data_then_reverts() {
    let Some((db, dev)) = ServerDb::pair(Server::Postgres).await else {
        return;
    };
    down_then_forward(&db.url, Some(dev.url.clone())).await;
}

#[tokio::test]
async fn mariadb_down_checks_data_then_reverts() {
    let Some((db, dev)) = ServerDb::pair(Server::Mysql).await else {
        return;
    };
    down_then_forward(&db.url, Some(dev.url.clone())).await;
}
