//! Eight appliers started at once on one database (PostgreSQL, MariaDB, SQLite): every file
//! runs exactly once and none of them reports an error — as concurrent tasks, each with its
//! own connection, and as eight OS threads with their own runtimes (how replicas of a
//! service embedding the `Migrator` start).

use std::sync::Arc;

use mercator_driver::RevisionsTable;
use mercator_migrate::dir::{MigrationDir, MigrationFile};
use mercator_migrate::{Migrator, open};
use mercator_testkit::{Server, ServerDb, TempDir};

const APPLIERS: usize = 8;

/// Three files; each records that it ran in `runs`, and sleeps to widen the race.
fn directory(sleep: &str) -> MigrationDir {
    let mut dir = MigrationDir::default();
    let files = [
        format!("CREATE TABLE runs (file int NOT NULL);\nINSERT INTO runs VALUES (1);\n{sleep}"),
        format!("CREATE TABLE t2 (id int);\nINSERT INTO runs VALUES (2);\n{sleep}"),
        "CREATE TABLE t3 (id int);\nINSERT INTO runs VALUES (3);\n".to_owned(),
    ];
    for (i, text) in files.into_iter().enumerate() {
        dir.add_file(MigrationFile::new(format!("{}_step.sql", i + 1), text))
            .unwrap();
    }
    dir
}

async fn check_once(url: &str) {
    let driver = open(url).await.unwrap();
    let mut session = driver.session().await.unwrap();
    let rows = session
        .query("SELECT file FROM runs ORDER BY file")
        .await
        .unwrap();
    let runs: Vec<_> = rows.rows.iter().map(|r| r[0].clone().unwrap()).collect();
    assert_eq!(runs, ["1", "2", "3"], "each file exactly once");
    let revisions = session
        .read_revisions(&RevisionsTable::default())
        .await
        .unwrap();
    assert_eq!(revisions.len(), 3);
    assert!(revisions.iter().all(|r| r.is_complete()), "{revisions:?}");
}

async fn tasks(url: &str, dir: MigrationDir) {
    let migrator = Arc::new(Migrator::builder(dir).build().unwrap());
    let handles: Vec<_> = (0..APPLIERS)
        .map(|_| {
            let (m, url) = (migrator.clone(), url.to_owned());
            tokio::spawn(async move { m.apply(&url).await })
        })
        .collect();
    let mut applied = 0;
    for handle in handles {
        let report = handle.await.unwrap().unwrap_or_else(|e| panic!("{e}"));
        applied += report.applied.len();
    }
    assert_eq!(applied, 3, "the files ran once in total");
    check_once(url).await;
}

fn threads(url: &str, dir: MigrationDir) {
    let migrator = Arc::new(Migrator::builder(dir).build().unwrap());
    let barrier = Arc::new(std::sync::Barrier::new(APPLIERS));
    let handles: Vec<_> = (0..APPLIERS)
        .map(|_| {
            let (m, url, barrier) = (migrator.clone(), url.to_owned(), barrier.clone());
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                barrier.wait();
                rt.block_on(m.apply(&url))
            })
        })
        .collect();
    let mut applied = 0;
    for handle in handles {
        let report = handle.join().unwrap().unwrap_or_else(|e| panic!("{e}"));
        applied += report.applied.len();
    }
    assert_eq!(applied, 3, "the files ran once in total");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_appliers_serialize() {
    let tmp = TempDir::new();
    let url = tmp.sqlite_url("race.db");
    tasks(&url, directory("")).await;
    let url = tmp.sqlite_url("race-threads.db");
    let dir = directory("");
    let u = url.clone();
    tokio::task::spawn_blocking(move || threads(&u, dir))
        .await
        .unwrap();
    check_once(&url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_appliers_serialize() {
    let Some(db) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    tasks(&db.url, directory("SELECT pg_sleep(0.2);\n")).await;
    let Some(db2) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    let (u, dir) = (db2.url.clone(), directory("SELECT pg_sleep(0.2);\n"));
    tokio::task::spawn_blocking(move || threads(&u, dir))
        .await
        .unwrap();
    check_once(&db2.url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn mariadb_appliers_serialize() {
    let Some(db) = ServerDb::create(Server::Mysql).await else {
        return;
    };
    tasks(&db.url, directory("SELECT SLEEP(0.2);\n")).await;
    let Some(db2) = ServerDb::create(Server::Mysql).await else {
        return;
    };
    let (u, dir) = (db2.url.clone(), directory("SELECT SLEEP(0.2);\n"));
    tokio::task::spawn_blocking(move || threads(&u, dir))
        .await
        .unwrap();
    check_once(&db2.url).await;
}
