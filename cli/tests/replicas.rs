//! Replicas starting together (issue 9): eight `mercator schema apply` processes on one
//! database at once, with one dev database each and with one shared dev database, twenty
//! rounds in a row. All must exit 0, exactly one must print that it applied, the others
//! that the schemas are synced, and the database must end up with the desired schema.
//!
//! The same for versioned migrations (issue 11): eight `mercator migrate apply` processes
//! on one database (SQLite file, PostgreSQL, MariaDB) apply every file exactly once and
//! none reports an error. One round each: the library-level races (tasks and threads) are
//! in `migrate/tests/versioned_concurrency.rs`; these add separate processes.
//! Server tests skip when the server is down, unless `MERCATOR_REQUIRE_SERVERS=1`.

use mercator_testkit as common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Instant;

use common::{Server, ServerDb, TempDir};

mod support;
use support::text;

const PROCESSES: usize = 8;
/// Rounds per test (issue 9 asks for 20: a race that goes wrong once in a while must show
/// up); `MERCATOR_STRESS_ROUNDS` lowers or raises it, e.g. for a quick local run.
fn rounds() -> usize {
    std::env::var("MERCATOR_STRESS_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
}
const IN_SYNC: &str = "Schemas are synced, no changes to be made.";

const SQLITE_SCHEMA: &str = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE);\n\
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id), title TEXT);\n\
CREATE INDEX posts_user ON posts (user_id);\n";

const POSTGRES_SCHEMA: &str = "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL UNIQUE);\n\
CREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id), title text);\n\
CREATE INDEX posts_user ON posts (user_id);\n";

const MYSQL_SCHEMA: &str = "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(255) NOT NULL UNIQUE);\n\
CREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint NOT NULL, title text, \
CONSTRAINT posts_user FOREIGN KEY (user_id) REFERENCES users (id));\n";

fn apply_args(url: &str, schema: &Path, dev: Option<&str>) -> Vec<String> {
    let mut args: Vec<String> = [
        "schema",
        "apply",
        "--url",
        url,
        "--to",
        &format!("file://{}", schema.display()),
        "--auto-approve",
        "--lock-timeout",
        "2m",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if let Some(dev) = dev {
        args.extend(["--dev-url".to_owned(), dev.to_owned()]);
    }
    args
}

/// Starts one process per dev URL at once and waits for them all.
fn race(url: &str, schema: &Path, devs: &[Option<String>]) -> Vec<Output> {
    let runs: Vec<Vec<String>> = devs
        .iter()
        .map(|dev| apply_args(url, schema, dev.as_deref()))
        .collect();
    spawn_all(&runs)
}

/// Starts one `mercator` process per argument list at once and waits for them all.
fn spawn_all(runs: &[Vec<String>]) -> Vec<Output> {
    let children: Vec<_> = runs
        .iter()
        .map(|args| {
            Command::new(env!("CARGO_BIN_EXE_mercator"))
                .args(args)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start mercator")
        })
        .collect();
    children
        .into_iter()
        .map(|c| c.wait_with_output().expect("wait for mercator"))
        .collect()
}

/// All exited 0; exactly one applied, the others found the schemas synced.
fn assert_applied_once(round: usize, outputs: &[Output]) {
    let describe = |o: &Output| {
        format!(
            "status {:?}\nstdout: {}\nstderr: {}",
            o.status.code(),
            text(&o.stdout),
            text(&o.stderr)
        )
    };
    for out in outputs {
        assert!(out.status.success(), "round {round}: {}", describe(out));
    }
    let applied = outputs
        .iter()
        .filter(|o| text(&o.stdout).lines().any(|l| l.starts_with("Applied ")))
        .count();
    let synced = outputs
        .iter()
        .filter(|o| text(&o.stdout).trim_end() == IN_SYNC)
        .count();
    let all: Vec<String> = outputs.iter().map(describe).collect();
    assert_eq!(applied, 1, "round {round}: {all:#?}");
    assert_eq!(synced, PROCESSES - 1, "round {round}: {all:#?}");
}

/// A further run finds nothing to do: the database has the desired schema.
fn assert_synced(url: &str, schema: &Path, dev: Option<&str>) {
    let out = Command::new(env!("CARGO_BIN_EXE_mercator"))
        .args(apply_args(url, schema, dev))
        .stdin(Stdio::null())
        .output()
        .expect("run mercator");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).trim_end(),
        IN_SYNC,
        "{}",
        text(&out.stderr)
    );
}

async fn server_rounds(server: Server, schema: &str, shared_dev: bool) {
    let dir = TempDir::new();
    let schema = dir.write("schema.sql", schema);
    let started = Instant::now();
    let shared = if shared_dev {
        let Some(dev) = ServerDb::create(server).await else {
            return;
        };
        Some(dev)
    } else {
        None
    };
    for round in 0..rounds() {
        let Some(target) = ServerDb::create(server).await else {
            return;
        };
        let mut own_devs = Vec::new();
        if shared.is_none() {
            for _ in 0..PROCESSES {
                let Some(dev) = ServerDb::create(server).await else {
                    return;
                };
                own_devs.push(dev);
            }
        }
        let devs: Vec<&ServerDb> = match &shared {
            Some(dev) => vec![dev; PROCESSES],
            None => own_devs.iter().collect(),
        };
        let urls: Vec<Option<String>> = devs.iter().map(|d| Some(d.url.clone())).collect();
        // The processes block this thread; the runtime's other workers keep going.
        let outputs = {
            let (url, schema) = (target.url.clone(), schema.clone());
            tokio::task::spawn_blocking(move || race(&url, &schema, &urls))
                .await
                .expect("race")
        };
        assert_applied_once(round, &outputs);
        assert_synced(&target.url, &schema, Some(&devs[0].url));
        target.drop_db().await;
        for dev in &own_devs {
            dev.drop_db().await;
        }
    }
    eprintln!(
        "{server:?}, {} dev URL: {} rounds of {PROCESSES} processes in {:.1?}",
        if shared_dev { "shared" } else { "separate" },
        rounds(),
        started.elapsed()
    );
}

#[test]
fn sqlite_replicas_apply_once() {
    let dir = TempDir::new();
    let schema = dir.write("schema.sql", SQLITE_SCHEMA);
    let started = Instant::now();
    for round in 0..rounds() {
        let url = dir.sqlite_url(&format!("round{round}.db"));
        let outputs = race(&url, &schema, &vec![None; PROCESSES]);
        assert_applied_once(round, &outputs);
        assert_synced(&url, &schema, None);
    }
    eprintln!(
        "SQLite: {} rounds of {PROCESSES} processes in {:.1?}",
        rounds(),
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_replicas_with_separate_dev_urls_apply_once() {
    server_rounds(Server::Postgres, POSTGRES_SCHEMA, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_replicas_with_a_shared_dev_url_apply_once() {
    server_rounds(Server::Postgres, POSTGRES_SCHEMA, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_replicas_with_separate_dev_urls_apply_once() {
    server_rounds(Server::Mysql, MYSQL_SCHEMA, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_replicas_with_a_shared_dev_url_apply_once() {
    server_rounds(Server::Mysql, MYSQL_SCHEMA, true).await;
}

/// Three files; each records in `runs` that it ran, the first two then sleep to widen the
/// race (`sleep` is the dialect's sleep statement, or empty).
fn migration_dir(tmp: &TempDir, sleep: &str) -> String {
    let files = [
        format!("CREATE TABLE runs (file int NOT NULL);\nINSERT INTO runs VALUES (1);\n{sleep}"),
        format!("CREATE TABLE t2 (id int);\nINSERT INTO runs VALUES (2);\n{sleep}"),
        "CREATE TABLE t3 (id int);\nINSERT INTO runs VALUES (3);\n".to_owned(),
    ];
    for (i, text) in files.iter().enumerate() {
        tmp.write(&format!("migrations/{}_step.sql", i + 1), text);
    }
    let dir = tmp.path().join("migrations").display().to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_mercator"))
        .args(["migrate", "hash", "--dir", &dir])
        .output()
        .expect("run mercator");
    assert!(out.status.success(), "{}", text(&out.stderr));
    dir
}

/// Eight `migrate apply` processes at once on `url`: all exit 0 without an error, the files
/// ran once in total, and the database's `runs` table says each ran exactly once.
async fn migrate_race(label: &str, url: &str, sleep: &str) {
    let tmp = TempDir::new();
    let dir = migration_dir(&tmp, sleep);
    let args: Vec<String> = [
        "migrate",
        "apply",
        "--dir",
        &dir,
        "--url",
        url,
        "--lock-timeout",
        "2m",
        "--format",
        "json",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let runs = vec![args; PROCESSES];
    let started = Instant::now();
    let outputs = tokio::task::spawn_blocking(move || spawn_all(&runs))
        .await
        .expect("race");
    let elapsed = started.elapsed();
    let mut applied = Vec::new();
    for out in &outputs {
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert!(
            out.status.success() && !stderr.contains("Error"),
            "status {:?}\nstdout: {stdout}\nstderr: {stderr}",
            out.status.code()
        );
        let report: serde_json::Value =
            serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
        for file in report["applied"].as_array().expect("applied") {
            applied.push(file["version"].as_str().expect("version").to_owned());
        }
    }
    applied.sort();
    assert_eq!(applied, ["1", "2", "3"], "each file applied by one process");
    let driver = mercator_migrate::open(url).await.expect("open");
    let ran = {
        let mut session = driver.session().await.expect("session");
        session
            .query("SELECT file FROM runs ORDER BY file")
            .await
            .expect("runs")
            .rows
    };
    driver.close().await.expect("close");
    let ran: Vec<Option<String>> = ran.into_iter().map(|mut r| r.remove(0)).collect();
    assert_eq!(
        ran,
        [Some("1".into()), Some("2".into()), Some("3".into())],
        "each file's statements ran exactly once"
    );
    eprintln!("{label}: {PROCESSES} `migrate apply` processes in {elapsed:.1?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_migrate_apply_processes_apply_once() {
    let tmp = TempDir::new();
    migrate_race("SQLite", &tmp.sqlite_url("versioned.db"), "").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_migrate_apply_processes_apply_once() {
    let Some(db) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    migrate_race("PostgreSQL", &db.url, "SELECT pg_sleep(0.2);\n").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mariadb_migrate_apply_processes_apply_once() {
    let Some(db) = ServerDb::create(Server::Mysql).await else {
        return;
    };
    migrate_race("MariaDB", &db.url, "SELECT SLEEP(0.2);\n").await;
}
