//! Pre-flight data checks of `migrate apply` (versioned): existing rows that break a
//! pending change stop the run before its first statement, naming the table and sample
//! keys; fixed data lets it through; `skip_preflight` turns the checks off. On MariaDB
//! (DDL is not transactional, so a midway failure leaves earlier statements applied),
//! PostgreSQL and SQLite.

use mercator_migrate::dir::{MigrationDir, MigrationFile};
use mercator_migrate::{Migrator, PreflightRun, VersionedError};
use mercator_testkit::{Server, ServerDb, TempDir};

const BASE: &str = "CREATE TABLE users (id int PRIMARY KEY, email varchar(255), age int);\n";
/// A first statement that would be applied before the failing one on MariaDB.
const AUDIT: &str = "CREATE TABLE audit (id int PRIMARY KEY);\n";
const UNIQUE: &str = "CREATE UNIQUE INDEX users_email ON users (email);\n";
/// A table created by an earlier pending file holds no rows: no check for it.
const NEW_TABLE_COLUMN: &str = "ALTER TABLE audit ADD COLUMN note varchar(10) NOT NULL;\n";

fn dir_of(files: &[(&str, &str)]) -> MigrationDir {
    let mut dir = MigrationDir::default();
    for (name, sql) in files {
        dir.add_file(MigrationFile::new(*name, sql.as_bytes().to_vec()))
            .expect("valid file");
    }
    dir
}

fn migrator(files: &[(&str, &str)], dev: Option<&str>, skip: bool) -> Migrator {
    let mut builder = Migrator::builder(dir_of(files)).skip_preflight(skip);
    if let Some(dev) = dev {
        builder = builder.dev_url(dev);
    }
    builder.build().expect("settings")
}

/// Whether the table `audit` exists on the target.
async fn has_audit(url: &str) -> bool {
    let realm = mercator_migrate::inspect(url, &[]).await.expect("inspect");
    realm
        .schemas
        .iter()
        .any(|s| s.tables.iter().any(|t| t.name == "audit"))
}

/// `exec` runs SQL on the target outside Mercator.
async fn scenario<E>(url: &str, dev: Option<&str>, exec: E)
where
    E: AsyncFn(&str),
{
    let base = [("1_base.sql", BASE)];
    let report = migrator(&base, dev, false)
        .apply(url)
        .await
        .expect("base applies");
    assert_eq!(report.applied.len(), 1);
    exec(
        "INSERT INTO users (id, email, age) VALUES (1, 'a@x', 1), (2, 'a@x', 2), (3, 'b@x', NULL)",
    )
    .await;

    let all = [
        ("1_base.sql", BASE),
        ("2_unique.sql", &format!("{AUDIT}{UNIQUE}")),
        ("3_audit.sql", NEW_TABLE_COLUMN),
    ];
    let err = migrator(&all, dev, false)
        .apply(url)
        .await
        .expect_err("duplicates stop the run");
    let VersionedError::PreflightFailed { failures } = &err else {
        panic!("expected a pre-flight failure, got {err}");
    };
    assert_eq!(failures.len(), 1, "{err}");
    assert_eq!(failures[0].code, "MF101");
    assert_eq!(
        failures[0].table.as_ref().map(|t| t.name.as_str()),
        Some("users")
    );
    let text = err.to_string();
    assert!(text.contains("a@x"), "{text}");
    assert!(text.contains("--skip-preflight"), "{text}");
    // Nothing of the pending files ran: not even the statement before the failing one.
    assert!(!has_audit(url).await, "the first pending statement ran");
    let status = migrator(&all, dev, true).status(url).await.expect("status");
    assert_eq!(status.current.as_deref(), Some("1"), "{status:?}");

    // Fixed data passes; the table created by file 2 needs no check in file 3.
    exec("DELETE FROM users WHERE id = 2").await;
    let report = migrator(&all, dev, false)
        .apply(url)
        .await
        .expect("fixed data applies");
    assert_eq!(report.applied.len(), 2);
    assert_eq!(report.preflight, PreflightRun::Passed { checks: 1 });
    assert!(has_audit(url).await);
}

#[tokio::test]
async fn mariadb_preflight_stops_before_the_first_statement() {
    let Some((target, dev)) = ServerDb::pair(Server::Mysql).await else {
        return;
    };
    let exec = async |sql: &str| target.exec(sql).await;
    scenario(&target.url, Some(&dev.url), exec).await;
    dev.drop_db().await;
    target.drop_db().await;
}

#[tokio::test]
async fn mariadb_without_checks_fails_midway() {
    let Some(target) = ServerDb::create(Server::Mysql).await else {
        return;
    };
    let base = [("1_base.sql", BASE)];
    migrator(&base, None, true)
        .apply(&target.url)
        .await
        .expect("base applies");
    target
        .exec("INSERT INTO users (id, email) VALUES (1, 'a@x'), (2, 'a@x')")
        .await;
    let all = [
        ("1_base.sql", BASE),
        ("2_unique.sql", &format!("{AUDIT}{UNIQUE}")),
    ];
    let err = migrator(&all, None, true)
        .apply(&target.url)
        .await
        .expect_err("duplicates fail the index");
    // Skipping the checks shows why they matter: MariaDB applied the first statement,
    // then failed on the duplicates.
    assert!(
        matches!(err, VersionedError::Statement { index: 2, .. }),
        "{err}"
    );
    assert!(has_audit(&target.url).await);
    // Without a dev database the checks are skipped, and said so; the run resumes after
    // the statement that went through.
    target.exec("DELETE FROM users WHERE id = 2").await;
    let report = migrator(&all, None, false)
        .apply(&target.url)
        .await
        .expect("applies");
    assert!(
        matches!(report.preflight, PreflightRun::Skipped { .. }),
        "{:?}",
        report.preflight
    );
    target.drop_db().await;
}

#[tokio::test]
async fn postgres_preflight_stops_before_the_first_statement() {
    let Some((target, dev)) = ServerDb::pair(Server::Postgres).await else {
        return;
    };
    let exec = async |sql: &str| target.exec(sql).await;
    scenario(&target.url, Some(&dev.url), exec).await;
    dev.drop_db().await;
    target.drop_db().await;
}

#[tokio::test]
async fn sqlite_preflight_uses_an_in_memory_dev_database() {
    let tmp = TempDir::new();
    let url = tmp.sqlite_url("app.db");
    let path = tmp.path().join("app.db");
    let exec = async |sql: &str| {
        rusqlite::Connection::open(&path)
            .expect("open")
            .execute_batch(sql)
            .expect("exec");
    };
    scenario(&url, None, exec).await;
}
