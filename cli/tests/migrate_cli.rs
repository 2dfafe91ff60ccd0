//! `mercator migrate …` as a user runs it: hash, validate, new, apply, status, set, and a
//! process killed in the middle of an apply.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mercator_testkit::{Server, ServerDb, TempDir};

mod support;
use support::mercator;

fn ok(args: &[&str]) -> String {
    let out = mercator(args);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{args:?}\nstdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn fails(args: &[&str]) -> String {
    let out = mercator(args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
    assert!(stderr.starts_with("Error: "), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrate-dir/tests/fixtures/atlas")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

#[test]
fn hash_reproduces_atlas_sum_files_byte_for_byte() {
    let tmp = TempDir::new();
    let mut checked = 0;
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let from = entry.unwrap().path();
        let original = match std::fs::read(from.join("atlas.sum")) {
            Ok(bytes) => bytes,
            Err(_) => continue,
        };
        let to = tmp.path().join(from.file_name().unwrap());
        copy_dir(&from, &to);
        std::fs::remove_file(to.join("atlas.sum")).unwrap();
        let dir = format!("file://{}", to.display());
        ok(&["migrate", "hash", "--dir", &dir]);
        let written = std::fs::read(to.join("atlas.sum")).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&written),
            String::from_utf8_lossy(&original),
            "{}",
            from.display()
        );
        ok(&["migrate", "validate", "--dir", &dir]);
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} fixture directories");
}

#[test]
fn new_apply_status_set_on_sqlite() {
    let tmp = TempDir::new();
    let dir_path = tmp.path().join("migrations");
    let dir = dir_path.display().to_string();
    let url = tmp.sqlite_url("app.db");
    let created = ok(&["migrate", "new", "users", "--dir", &dir]);
    let file = PathBuf::from(created.trim());
    assert!(
        file.file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .ends_with("_users.sql")
    );
    assert_eq!(std::fs::read(&file).unwrap(), b"");
    // Editing without hashing is caught.
    std::fs::write(&file, "CREATE TABLE users (id int);\n").unwrap();
    let err = fails(&["migrate", "validate", "--dir", &dir]);
    assert!(err.contains("was edited"), "{err}");
    let err = fails(&["migrate", "apply", "--dir", &dir, "--url", &url]);
    assert!(err.contains("checksum mismatch"), "{err}");
    ok(&["migrate", "hash", "--dir", &dir]);
    ok(&[
        "migrate",
        "validate",
        "--dir",
        &dir,
        "--dev-url",
        &tmp.sqlite_url("dev.db"),
    ]);

    let dry = ok(&[
        "migrate",
        "apply",
        "--dir",
        &dir,
        "--url",
        &url,
        "--dry-run",
    ]);
    assert!(dry.contains("CREATE TABLE users (id int);"), "{dry}");
    let status = ok(&[
        "migrate", "status", "--dir", &dir, "--url", &url, "--format", "json",
    ]);
    let status: serde_json::Value = serde_json::from_str(&status).unwrap();
    assert_eq!(status["status"], "PENDING");
    assert_eq!(status["pending"].as_array().unwrap().len(), 1);

    let applied = ok(&[
        "migrate", "apply", "--dir", &dir, "--url", &url, "--format", "json",
    ]);
    let applied: serde_json::Value = serde_json::from_str(&applied).unwrap();
    assert_eq!(applied["applied"].as_array().unwrap().len(), 1);
    let again = ok(&["migrate", "apply", "--dir", &dir, "--url", &url]);
    assert!(again.contains("No migration files to execute"), "{again}");
    let status = ok(&["migrate", "status", "--dir", &dir, "--url", &url]);
    assert!(status.contains("Migration Status: OK"), "{status}");

    ok(&["migrate", "set", "--dir", &dir, "--url", &url]);
    let status = ok(&["migrate", "status", "--dir", &dir, "--url", &url]);
    assert!(status.contains("Pending Files:   1"), "{status}");
}

#[test]
fn broken_atlas_directory_reports_the_failing_statement() {
    let tmp = TempDir::new();
    let url = tmp.sqlite_url("broken.db");
    let dir = fixtures().join("migrate-broken").display().to_string();
    let err = fails(&["migrate", "apply", "--dir", &dir, "--url", &url]);
    assert!(err.contains("3.sql:2: statement 2 of 2 failed"), "{err}");
    let status = ok(&["migrate", "status", "--dir", &dir, "--url", &url]);
    assert!(status.contains("Migration Status: FAILED"), "{status}");
    assert!(
        status.contains("THIS LINE ADDS A SYNTAX ERROR;"),
        "{status}"
    );
}

/// Starts an apply, kills it with SIGKILL while its sleep statement runs, then applies again.
fn kill_mid_apply(url: &str, dir: &str, running: impl Fn() -> bool) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mercator"))
        .args(["migrate", "apply", "--dir", dir, "--url", url])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !running() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("apply ended ({status}) before it could be killed");
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "apply never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert!(!status.success(), "killed before it finished");
}

fn crash_dir(tmp: &TempDir, sleep: &str) -> String {
    let dir = tmp.path().join("crash");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("1_slow.sql"),
        format!("CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n{sleep}\nCREATE TABLE c (id int);\n"),
    )
    .unwrap();
    let dir = dir.display().to_string();
    ok(&["migrate", "hash", "--dir", &dir]);
    dir
}

/// The first value `sql` returns on an open driver (a macro: the CLI does not depend on the
/// driver crate that names the trait).
macro_rules! query {
    ($driver:expr, $sql:expr $(,)?) => {
        async {
            let mut session = $driver.session().await.ok()?;
            session.query($sql).await.ok()?.scalar().map(str::to_owned)
        }
    };
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_killed_apply_rolls_back_the_file() {
    let Some(db) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    let tmp = TempDir::new();
    let dir = crash_dir(&tmp, "SELECT pg_sleep(5);");
    let url = db.url.clone();
    let probe = mercator_migrate::open(&db.url).await.unwrap();
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        kill_mid_apply(&url, &dir, || {
            handle
                .block_on(query!(
                    probe,
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'SELECT pg_sleep(5)%'",
                ))
                .is_some_and(|n| n != "0")
        });
        // Whatever the killed process did is rolled back: the next apply runs it all.
        let out = ok(&[
            "migrate", "apply", "--dir", &dir, "--url", &url, "--format", "json",
        ]);
        let report: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(report["applied"][0]["resumed_after"], 0, "{out}");
        assert_eq!(report["applied"][0]["statements"], 4, "{out}");
    })
    .await
    .unwrap();
    let check = mercator_migrate::open(&db.url).await.unwrap();
    assert_eq!(
        query!(
            check,
            "SELECT count(*) FROM information_schema.tables WHERE table_name IN ('a','b','c')"
        )
        .await
        .as_deref(),
        Some("3")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn mariadb_killed_apply_resumes_after_the_last_statement() {
    let Some(db) = ServerDb::create(Server::Mysql).await else {
        return;
    };
    let tmp = TempDir::new();
    let dir = crash_dir(&tmp, "SELECT SLEEP(5);");
    let url = db.url.clone();
    let probe = mercator_migrate::open(&db.url).await.unwrap();
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        kill_mid_apply(&url, &dir, || {
            handle
                .block_on(query!(
                    probe,
                    "SELECT count(*) FROM information_schema.processlist WHERE db = DATABASE() AND info LIKE 'SELECT SLEEP(5)%'",
                ))
                .is_some_and(|n| n != "0")
        });
        let out = ok(&["migrate", "apply", "--dir", &dir, "--url", &url, "--format", "json"]);
        let report: serde_json::Value = serde_json::from_str(&out).unwrap();
        // `a` and `b` had run and were recorded: the file resumes at the sleep.
        assert_eq!(report["applied"][0]["resumed_after"], 2, "{out}");
        assert_eq!(report["applied"][0]["statements"], 2, "{out}");
        let status = ok(&["migrate", "status", "--dir", &dir, "--url", &url]);
        assert!(status.contains("Migration Status: OK"), "{status}");
    })
    .await
    .unwrap();
}

#[test]
fn diff_writes_a_file_that_apply_runs() {
    let tmp = TempDir::new();
    let dir = tmp.path().join("migrations").display().to_string();
    std::fs::create_dir_all(&dir).unwrap();
    let schema = tmp.write(
        "schema.sql",
        "CREATE TABLE users (id INTEGER PRIMARY KEY);\n",
    );
    let to = format!("file://{}", schema.display());
    let written = ok(&["migrate", "diff", "init", "--dir", &dir, "--to", &to]);
    let text = std::fs::read_to_string(written.trim()).unwrap();
    assert!(text.contains("-- Create \"users\" table"), "{text}");
    let again = ok(&["migrate", "diff", "more", "--dir", &dir, "--to", &to]);
    assert!(again.contains("synced"), "{again}");
    let url = tmp.sqlite_url("d.db");
    ok(&["migrate", "apply", "--dir", &dir, "--url", &url]);
}

#[test]
fn down_refuses_rows_then_reverts_and_apply_goes_forward() {
    let tmp = TempDir::new();
    let dir_path = tmp.path().join("migrations");
    std::fs::create_dir_all(&dir_path).unwrap();
    for (name, text) in [
        ("1_users.sql", "CREATE TABLE users (id int);\n"),
        ("2_posts.sql", "CREATE TABLE posts (id int);\n"),
        (
            "3_tags.sql",
            "CREATE TABLE tags (id int);\nINSERT INTO tags VALUES (1);\n",
        ),
    ] {
        std::fs::write(dir_path.join(name), text).unwrap();
    }
    let dir = dir_path.display().to_string();
    ok(&["migrate", "hash", "--dir", &dir]);
    let url = tmp.sqlite_url("down.db");
    ok(&["migrate", "apply", "--dir", &dir, "--url", &url]);
    let err = fails(&[
        "migrate",
        "down",
        "--to-version",
        "1",
        "--dir",
        &dir,
        "--url",
        &url,
    ]);
    assert!(err.contains("table \"tags\" holds data"), "{err}");
    let status = ok(&["migrate", "status", "--dir", &dir, "--url", &url]);
    assert!(status.contains("Current Version: 3"), "{status}");
    // Without the row the revert goes through, then apply goes forward again.
    std::fs::write(dir_path.join("3_tags.sql"), "CREATE TABLE tags (id int);\n").unwrap();
    ok(&["migrate", "hash", "--dir", &dir]);
    let fresh = tmp.sqlite_url("down2.db");
    ok(&["migrate", "apply", "--dir", &dir, "--url", &fresh]);
    let out = ok(&[
        "migrate",
        "down",
        "--to-version",
        "1",
        "--dir",
        &dir,
        "--url",
        &fresh,
    ]);
    assert!(out.contains("DROP TABLE"), "{out}");
    let status = ok(&["migrate", "status", "--dir", &dir, "--url", &fresh]);
    assert!(status.contains("Current Version: 1"), "{status}");
    assert!(status.contains("Pending Files:   2"), "{status}");
    ok(&["migrate", "apply", "--dir", &dir, "--url", &fresh]);
}
