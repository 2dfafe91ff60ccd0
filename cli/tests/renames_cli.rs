//! Renames, not data loss: `schema apply` asks whether a dropped and an added column (or
//! table) of the same shape are a rename, or takes the answer from `--rename`.

use std::io::Write;
use std::process::{Command, Stdio};

use mercator_testkit::TempDir;

mod support;
use support::{file_url, mercator, text};

const V1: &str = "CREATE TABLE users (id INTEGER PRIMARY KEY, mail TEXT NOT NULL);\n";
const V2: &str = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\n";

/// A database at V1 with one row, and the V2 schema file.
fn setup(dir: &TempDir) -> (String, String) {
    let url = dir.sqlite_url("app.db");
    let v1 = dir.write("v1.sql", V1);
    let out = mercator(&[
        "schema",
        "apply",
        "--url",
        &url,
        "--to",
        &file_url(&v1),
        "--auto-approve",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let conn = rusqlite::Connection::open(dir.path().join("app.db")).unwrap();
    conn.execute("INSERT INTO users (id, mail) VALUES (1, 'a@x')", [])
        .unwrap();
    (url, file_url(&dir.write("v2.sql", V2)))
}

fn email_of_user_1(dir: &TempDir) -> rusqlite::Result<String> {
    let conn = rusqlite::Connection::open(dir.path().join("app.db")).unwrap();
    conn.query_row("SELECT email FROM users WHERE id = 1", [], |r| r.get(0))
}

#[test]
fn without_an_answer_the_drop_is_warned_about_and_refused_by_the_review() {
    let dir = TempDir::new();
    let (url, v2) = setup(&dir);
    let out = mercator(&[
        "schema",
        "apply",
        "--url",
        &url,
        "--to",
        &v2,
        "--auto-approve",
    ]);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(r#"Did you rename column "main"."users"."mail" to "email"?"#),
        "{stderr}"
    );
    assert!(stderr.contains("--rename users.mail=email"), "{stderr}");
    // Planned as a drop and an add, it stops: the pre-flight check finds the row that the
    // added NOT NULL column cannot hold, and nothing is applied.
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("pre-flight"), "{stderr}");
    assert!(email_of_user_1(&dir).is_err());
}

#[test]
fn rename_flag_keeps_the_data() {
    let dir = TempDir::new();
    let (url, v2) = setup(&dir);
    let out = mercator(&[
        "schema",
        "apply",
        "--url",
        &url,
        "--to",
        &v2,
        "--rename",
        "users.mail=email",
        "--auto-approve",
    ]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert!(stdout.contains("RENAME COLUMN"), "{stdout}");
    assert!(!stdout.contains("DROP"), "{stdout}");
    assert_eq!(email_of_user_1(&dir).unwrap(), "a@x");

    let dry = mercator(&["schema", "apply", "--url", &url, "--to", &v2, "--dry-run"]);
    assert!(
        text(&dry.stdout).contains("no changes"),
        "{}",
        text(&dry.stdout)
    );
}

#[test]
fn the_terminal_is_asked() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: `script` (util-linux) is needed to give mercator a terminal");
        return;
    }
    let dir = TempDir::new();
    let (url, v2) = setup(&dir);
    let command = format!(
        "{} schema apply --url {url} --to {v2}",
        env!("CARGO_BIN_EXE_mercator")
    );
    // `script` runs the command on a pseudo-terminal fed from our stdin: yes to the
    // rename, then yes to applying.
    let mut child = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"y\ny\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert!(stdout.contains("Did you rename column"), "{stdout}");
    assert!(stdout.contains("RENAME COLUMN"), "{stdout}");
    assert_eq!(email_of_user_1(&dir).unwrap(), "a@x");
}

#[test]
fn plan_takes_the_rename_flag_too() {
    let dir = TempDir::new();
    let (url, v2) = setup(&dir);
    let out = mercator(&[
        "schema",
        "plan",
        "--url",
        &url,
        "--to",
        &v2,
        "--rename",
        "users.mail=email",
    ]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert!(stdout.contains("RENAME COLUMN"), "{stdout}");
    assert!(!stdout.contains("DROP"), "{stdout}");
}

#[test]
fn a_directive_in_the_desired_sql_renames_without_asking() {
    let dir = TempDir::new();
    let (url, _) = setup(&dir);
    let hinted = file_url(&dir.write(
        "hinted.sql",
        "CREATE TABLE users (\n  id INTEGER PRIMARY KEY,\n  -- mercator:renamed-from mail\n  email TEXT NOT NULL\n);\n",
    ));
    // `schema plan` shows the rename.
    let out = mercator(&["schema", "plan", "--url", &url, "--to", &hinted]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("RENAME COLUMN"), "{stdout}");
    // `schema apply` with no terminal and no --rename: no question, the row is kept.
    let out = mercator(&[
        "schema",
        "apply",
        "--url",
        &url,
        "--to",
        &hinted,
        "--auto-approve",
    ]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("Did you rename"), "{stderr}");
    assert_eq!(email_of_user_1(&dir).unwrap(), "a@x");
    // Applied, the directive stays in the file as a no-op.
    let out = mercator(&[
        "schema",
        "apply",
        "--url",
        &url,
        "--to",
        &hinted,
        "--auto-approve",
    ]);
    assert!(
        text(&out.stdout).contains("synced"),
        "{}",
        text(&out.stdout)
    );
    // An old name the database does not have: a located error, nothing applied.
    let wrong = dir.write(
        "wrong.sql",
        "CREATE TABLE users (\n  id INTEGER PRIMARY KEY,\n  email TEXT NOT NULL,\n  phone TEXT -- mercator:renamed-from tel\n);\n",
    );
    let out = mercator(&[
        "schema",
        "apply",
        "--url",
        &url,
        "--to",
        &file_url(&wrong),
        "--auto-approve",
    ]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("{}:4: ", wrong.display())) && stderr.contains("\"tel\""),
        "{stderr}"
    );
}

#[test]
fn migrate_diff_writes_the_rename_a_directive_asks_for() {
    let dir = TempDir::new();
    dir.write("migrations/1_base.sql", V1);
    let migrations = file_url(&dir.path().join("migrations"));
    let out = mercator(&["migrate", "hash", "--dir", &migrations]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let hinted = file_url(&dir.write(
        "schema.sql",
        "CREATE TABLE users (\n  id INTEGER PRIMARY KEY,\n  email TEXT NOT NULL -- mercator:renamed-from mail\n);\n",
    ));
    let out = mercator(&[
        "migrate",
        "diff",
        "--dir",
        &migrations,
        "--to",
        &hinted,
        "rename",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let written: Vec<String> = std::fs::read_dir(dir.path().join("migrations"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with("_rename.sql"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert_eq!(written.len(), 1);
    assert!(
        written[0].contains("RENAME COLUMN \"mail\" TO \"email\"") && !written[0].contains("DROP"),
        "{}",
        written[0]
    );
    // The directory now has the rename: the directive is a no-op and nothing is written.
    let out = mercator(&[
        "migrate",
        "diff",
        "--dir",
        &migrations,
        "--to",
        &hinted,
        "again",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("synced"),
        "{}",
        text(&out.stdout)
    );
}
