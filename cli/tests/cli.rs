//! Runs the `mercator` binary as a user would.

use mercator_testkit as common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::{Server, ServerDb, TempDir};

mod support;
use support::{file_url, mercator};

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts the command failed with exactly one `Error: …` line and no panic.
fn assert_one_line_error(out: &Output) -> String {
    let err = stderr(out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout: {}\nstderr: {err}",
        stdout(out)
    );
    assert!(err.starts_with("Error: "), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

fn quickstart_schema() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/quickstart/schema.sql")
}

#[test]
fn quickstart_twice_on_sqlite() {
    let dir = TempDir::new();
    let url = dir.sqlite_url("quick.db");
    let to = file_url(&quickstart_schema());
    let args = [
        "schema",
        "apply",
        "--url",
        &url,
        "--to",
        &to,
        "--auto-approve",
    ];

    let first = mercator(&args);
    assert!(first.status.success(), "{}", stderr(&first));
    let out = stdout(&first);
    assert!(
        out.contains("-- Create \"users\" table\nCREATE TABLE"),
        "{out}"
    );
    let commented = |kind: &str, name: &str| {
        out.lines()
            .any(|l| l.starts_with("-- Create") && l.contains(kind) && l.contains(name))
    };
    assert!(commented("view", "\"published_posts\""), "{out}");
    assert!(commented("trigger", "\"comments_count_insert\""), "{out}");

    let second = mercator(&args);
    assert!(second.status.success(), "{}", stderr(&second));
    assert_eq!(
        stdout(&second).trim(),
        "Schemas are synced, no changes to be made."
    );

    let inspected = mercator(&["schema", "inspect", "--url", &url]);
    assert!(inspected.status.success(), "{}", stderr(&inspected));
    assert!(stdout(&inspected).contains("CREATE TABLE"));
    let json = mercator(&["schema", "inspect", "--url", &url, "--format", "json"]);
    assert!(
        stdout(&json).trim_start().starts_with('{'),
        "{}",
        stdout(&json)
    );

    let from_files = mercator(&[
        "schema",
        "inspect",
        "--url",
        &to,
        "--dev-url",
        "sqlite://dev?mode=memory",
    ]);
    assert_eq!(
        stdout(&from_files),
        stdout(&inspected),
        "{}",
        stderr(&from_files)
    );

    let diff = mercator(&["schema", "diff", "--from", &url, "--to", &to]);
    assert!(diff.status.success(), "{}", stderr(&diff));
    assert_eq!(
        stdout(&diff).trim(),
        "Schemas are synced, no changes to be made."
    );
}

#[test]
fn dry_run_and_non_terminal_refusal_apply_nothing() {
    let dir = TempDir::new();
    let url = dir.sqlite_url("app.db");
    let to = file_url(&quickstart_schema());

    let dry = mercator(&["schema", "apply", "--url", &url, "--to", &to, "--dry-run"]);
    assert!(dry.status.success(), "{}", stderr(&dry));
    assert!(stdout(&dry).contains("CREATE TABLE"));

    let refused = mercator(&["schema", "apply", "--url", &url, "--to", &to]);
    let err = assert_one_line_error(&refused);
    assert!(err.contains("--auto-approve"), "{err}");
    assert!(
        stdout(&refused).contains("CREATE TABLE"),
        "the plan is shown first"
    );

    // Nothing was applied: the plan is still the full one.
    let again = mercator(&["schema", "apply", "--url", &url, "--to", &to, "--dry-run"]);
    assert_eq!(stdout(&again), stdout(&dry));
}

#[test]
fn diff_of_two_files() {
    let dir = TempDir::new();
    let a = dir.write("a.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY);\n");
    let b = dir.write(
        "b.sql",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);\n",
    );
    let out = mercator(&[
        "schema",
        "diff",
        "--from",
        &file_url(&a),
        "--to",
        &file_url(&b),
        "--dev-url",
        "sqlite://dev?mode=memory",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("-- "), "{text}");
    assert!(text.contains("name"), "{text}");
}

#[test]
fn malformed_schema_file_names_file_and_line() {
    let dir = TempDir::new();
    let url = dir.sqlite_url("app.db");
    let good = dir.write("good.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY);\n");
    let first = mercator(&[
        "schema",
        "apply",
        "--url",
        &url,
        "--to",
        &file_url(&good),
        "--auto-approve",
    ]);
    assert!(first.status.success(), "{}", stderr(&first));
    let before = std::fs::read(dir.path().join("app.db")).unwrap();

    let bad = dir.write(
        "bad.sql",
        "CREATE TABLE t (id INTEGER PRIMARY KEY);\n\nCREATE TABLE u (id INTEGER);\nCREATE INDEX u_idx ON nowhere (id);\n",
    );
    let out = mercator(&[
        "schema",
        "apply",
        "--url",
        &url,
        "--to",
        &file_url(&bad),
        "--auto-approve",
    ]);
    let err = assert_one_line_error(&out);
    assert!(
        err.starts_with(&format!("Error: {}:4: ", bad.display())),
        "{err}"
    );
    assert_eq!(std::fs::read(dir.path().join("app.db")).unwrap(), before);
}

#[test]
fn url_errors() {
    let dir = TempDir::new();
    let schema = file_url(&dir.write("s.sql", "CREATE TABLE t (id INTEGER);\n"));
    for (url, expect) in [
        ("not-a-url", "invalid URL"),
        ("postgres://u:secret@127.0.0.1:99999/db", "invalid URL"),
        ("oracle://u:secret@db/x", "unknown URL scheme"),
        ("postgres://u:secret@127.0.0.1:1/db", "connect"),
    ] {
        for args in [
            vec!["schema", "inspect", "--url", url],
            vec![
                "schema",
                "apply",
                "--url",
                url,
                "--to",
                &schema,
                "--dev-url",
                url,
                "--auto-approve",
            ],
        ] {
            let out = mercator(&args);
            let err = assert_one_line_error(&out);
            assert!(err.contains(expect), "{url}: {err}");
            assert!(
                !err.contains("secret") && !stdout(&out).contains("secret"),
                "{err}"
            );
        }
    }
}

#[test]
fn files_on_a_server_need_a_dev_url() {
    let dir = TempDir::new();
    let schema = file_url(&dir.write("s.sql", "CREATE TABLE t (id int);\n"));
    let out = mercator(&[
        "schema",
        "apply",
        "--url",
        "postgres://u:secret@127.0.0.1:1/db",
        "--to",
        &schema,
    ]);
    let err = assert_one_line_error(&out);
    assert!(err.contains("--dev-url"), "{err}");
}

#[tokio::test]
async fn import_seed_on_postgres() {
    let main =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/import-seed/main.sql");
    if !main.exists() {
        eprintln!("skipping: {} not found", main.display());
        return;
    }
    let Some(target) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    let Some(dev) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    let to = file_url(&main);
    let args = [
        "schema",
        "apply",
        "--url",
        &target.url,
        "--to",
        &to,
        "--dev-url",
        &dev.url,
        "--auto-approve",
    ];
    let first = mercator(&args);
    let second = mercator(&args);
    target.drop_db().await;
    dev.drop_db().await;
    assert!(first.status.success(), "{}", stderr(&first));
    let out = stdout(&first);
    assert_eq!(out.matches("CREATE SCHEMA").count(), 3, "{out}");
    assert_eq!(out.matches("CREATE DOMAIN").count(), 1, "{out}");
    assert_eq!(out.matches("CREATE TABLE").count(), 2, "{out}");
    assert!(out.contains("Applied 6 change(s)"), "{out}");
    assert!(second.status.success(), "{}", stderr(&second));
    assert_eq!(
        stdout(&second).trim(),
        "Schemas are synced, no changes to be made."
    );
}

#[tokio::test]
async fn inspect_and_apply_on_mariadb() {
    let Some(target) = ServerDb::create(Server::Mysql).await else {
        return;
    };
    let Some(dev) = ServerDb::create(Server::Mysql).await else {
        return;
    };
    let dir = TempDir::new();
    let schema = file_url(&dir.write(
        "schema.sql",
        "CREATE TABLE users (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, email varchar(255) NOT NULL UNIQUE);\n\
         CREATE TABLE posts (id int NOT NULL PRIMARY KEY, user_id int NOT NULL, CONSTRAINT posts_user_fk FOREIGN KEY (user_id) REFERENCES users (id));\n",
    ));
    let args = [
        "schema",
        "apply",
        "--url",
        &target.url,
        "--to",
        &schema,
        "--dev-url",
        &dev.url,
        "--auto-approve",
    ];
    let first = mercator(&args);
    let second = mercator(&args);
    let inspected = mercator(&["schema", "inspect", "--url", &target.url]);
    target.drop_db().await;
    dev.drop_db().await;
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stdout(&first).contains("CREATE TABLE `users`"),
        "{}",
        stdout(&first)
    );
    assert_eq!(
        stdout(&second).trim(),
        "Schemas are synced, no changes to be made.",
        "{}",
        stderr(&second)
    );
    assert!(inspected.status.success(), "{}", stderr(&inspected));
    let text = stdout(&inspected);
    assert!(text.contains("CREATE TABLE `posts`"), "{text}");
    assert!(
        !text.contains(&target.name),
        "bound output is unqualified: {text}"
    );
}

#[test]
fn two_sqlite_files_diff_without_a_dev_url_and_exit_codes_tell_drift() {
    let dir = TempDir::new();
    let a = dir.write("a.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY);\n");
    let b = dir.write(
        "b.sql",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);\n",
    );
    let (a, b) = (file_url(&a), file_url(&b));
    let drift = mercator(&["schema", "diff", "--from", &a, "--to", &b, "--exit-code"]);
    assert_eq!(drift.status.code(), Some(2), "{}", stderr(&drift));
    assert!(stdout(&drift).contains("\"name\""), "{}", stdout(&drift));
    let same = mercator(&["schema", "diff", "--from", &a, "--to", &a, "--exit-code"]);
    assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));
    assert_eq!(
        stdout(&same).trim(),
        "Schemas are synced, no changes to be made."
    );
    let json = mercator(&[
        "schema", "diff", "--from", &a, "--to", &b, "--format", "json",
    ]);
    assert!(json.status.success(), "{}", stderr(&json));
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON report");
    assert_eq!(report["in_sync"], false);
    assert!(
        report["statements"][0]["sql"]
            .as_str()
            .is_some_and(|s| s.contains("name"))
    );
}

#[test]
fn inspect_never_creates_a_sqlite_file_and_checks_schemas() {
    let dir = TempDir::new();
    let missing = dir.path().join("missing.db");
    let url = format!("sqlite://{}", missing.display());
    let out = mercator(&["schema", "inspect", "--url", &url]);
    let err = assert_one_line_error(&out);
    assert!(err.contains("does not exist"), "{err}");
    assert!(!missing.exists(), "inspect created {}", missing.display());

    let db = dir.sqlite_url("app.db");
    let schema = dir.write("s.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY);\n");
    let applied = mercator(&[
        "schema",
        "apply",
        "--url",
        &db,
        "--to",
        &file_url(&schema),
        "--auto-approve",
    ]);
    assert!(applied.status.success(), "{}", stderr(&applied));
    let out = mercator(&["schema", "inspect", "--url", &db, "--schema", "nope"]);
    let err = assert_one_line_error(&out);
    assert!(err.contains("\"nope\" does not exist"), "{err}");
    for format in ["mermaid", "dot", "html"] {
        let out = mercator(&["schema", "inspect", "--url", &db, "--format", format]);
        assert!(out.status.success(), "{format}: {}", stderr(&out));
        assert!(stdout(&out).contains('t'), "{format}");
    }
}

#[test]
fn a_path_without_a_scheme_gets_a_hint() {
    let out = mercator(&["schema", "inspect", "--url", "app.db"]);
    let err = assert_one_line_error(&out);
    assert!(err.contains("sqlite://app.db"), "{err}");
}

#[test]
fn apply_into_a_closed_pipe_finishes_without_a_panic() {
    let dir = TempDir::new();
    let db = dir.sqlite_url("piped.db");
    let to = file_url(&quickstart_schema());
    // `| head -0`: the reader is gone before the first line is written.
    let mut child = Command::new(env!("CARGO_BIN_EXE_mercator"))
        .args([
            "schema",
            "apply",
            "--url",
            &db,
            "--to",
            &to,
            "--auto-approve",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run mercator");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(0), "{err}");
    // The apply itself went through.
    let again = mercator(&[
        "schema",
        "apply",
        "--url",
        &db,
        "--to",
        &to,
        "--auto-approve",
    ]);
    assert_eq!(
        stdout(&again).trim(),
        "Schemas are synced, no changes to be made."
    );
}

#[test]
fn imports_outside_the_project_root_need_a_flag() {
    let dir = TempDir::new();
    dir.write(
        "common.sql",
        "CREATE TABLE shared (id INTEGER PRIMARY KEY);\n",
    );
    let main = dir.write(
        "schema/main.sql",
        "-- atlas:import ../common.sql\nCREATE TABLE t (id INTEGER PRIMARY KEY);\n",
    );
    let url = file_url(main.parent().unwrap());

    let refused = mercator(&["schema", "inspect", "--url", &url]);
    let err = assert_one_line_error(&refused);
    assert!(err.contains("main.sql:1"), "{err}");
    assert!(err.contains("common.sql"), "{err}");

    let allowed = mercator(&["schema", "inspect", "--url", &url, "--allow-outside-root"]);
    assert!(allowed.status.success(), "{}", stderr(&allowed));
    assert!(stdout(&allowed).contains("shared"), "{}", stdout(&allowed));

    // The size limit is a flag too: a file above it is a one-line error naming it.
    let limited = mercator(&[
        "schema",
        "inspect",
        "--url",
        &url,
        "--allow-outside-root",
        "--max-file-size",
        "10",
    ]);
    let err = assert_one_line_error(&limited);
    assert!(err.contains("larger than the limit of 10 bytes"), "{err}");
}
