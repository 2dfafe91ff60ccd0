//! Drift detection for versioned databases: `schema diff --from URL --to file://migrations`
//! replays the directory up to the version in the database's revisions table and reports
//! exactly what was changed by hand, with exit code 2 (0 in sync).

use std::path::Path;
use std::process::Output;

use mercator_testkit::{Server, ServerDb, TempDir};

mod support;
use support::{mercator, text};

fn status(out: &Output, code: i32) -> String {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

fn write_dir(dir: &TempDir) -> String {
    dir.write(
        "migrations/1_users.sql",
        "CREATE TABLE users (id int NOT NULL, name varchar(50), PRIMARY KEY (id));\n",
    );
    dir.write(
        "migrations/2_posts.sql",
        "CREATE TABLE posts (id int NOT NULL, user_id int, title varchar(100), PRIMARY KEY (id));\n",
    );
    let url = format!("file://{}", dir.path().join("migrations").display());
    status(&mercator(&["migrate", "hash", "--dir", &url]), 0);
    url
}

/// Applies version 1, checks that only it is expected, applies the rest, then changes the
/// database by hand with `hand` and checks exactly that is reported.
fn drift_scenario(url: &str, dev: Option<&str>, hand: impl FnOnce()) {
    let tmp = TempDir::new();
    let dir = write_dir(&tmp);
    let diff = |format: &str| {
        let mut args = vec![
            "schema",
            "diff",
            "--from",
            url,
            "--to",
            &dir,
            "--exit-code",
            "--format",
            format,
        ];
        if let Some(dev) = dev {
            args.push("--dev-url");
            args.push(dev);
        }
        mercator(&args)
    };
    status(
        &mercator(&["migrate", "apply", "--url", url, "--dir", &dir, "1"]),
        0,
    );
    // Only version 1 is recorded: the directory up to it is what the database should be.
    let out = status(&diff("sql"), 0);
    assert!(out.contains("synced"), "{out}");
    status(
        &mercator(&["migrate", "apply", "--url", url, "--dir", &dir]),
        0,
    );
    let out = status(&diff("sql"), 0);
    assert!(out.contains("synced"), "{out}");

    hand();
    let sql = status(&diff("sql"), 2);
    assert!(sql.contains("nickname"), "{sql}");
    let json = status(&diff("json"), 2);
    let report: serde_json::Value = serde_json::from_str(&json).expect("JSON report");
    assert_eq!(report["in_sync"], false);
    let summary: Vec<String> = report["summary"]
        .as_array()
        .expect("summary")
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        summary.len(),
        3,
        "exactly the three hand-made changes: {summary:?}"
    );
    for (op, name) in [
        ("drop column", "\"nickname\""),
        ("drop index", "\"posts_title\""),
        ("drop view", "\"user_names\""),
    ] {
        assert!(
            summary
                .iter()
                .any(|l| l.starts_with(op) && l.ends_with(name)),
            "{op} {name} in {summary:?}"
        );
    }
}

const HAND: &str = "ALTER TABLE users ADD COLUMN nickname varchar(20); \
                    CREATE INDEX posts_title ON posts (title); \
                    CREATE VIEW user_names AS SELECT name FROM users;";

#[test]
fn sqlite_drift_is_exactly_what_was_changed_by_hand() {
    let tmp = TempDir::new();
    let url = tmp.sqlite_url("app.db");
    let path = tmp.path().join("app.db");
    drift_scenario(&url, None, || {
        let conn = rusqlite::Connection::open(Path::new(&path)).unwrap();
        conn.execute_batch(HAND).unwrap();
    });
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_drift_is_exactly_what_was_changed_by_hand() {
    let Some((target, dev)) = ServerDb::pair(Server::Postgres).await else {
        return;
    };
    let handle = tokio::runtime::Handle::current();
    tokio::task::block_in_place(|| {
        drift_scenario(&target.url, Some(&dev.url), || {
            handle.block_on(target.exec(HAND));
        });
    });
}

#[tokio::test(flavor = "multi_thread")]
async fn mysql_drift_is_exactly_what_was_changed_by_hand() {
    let Some((target, dev)) = ServerDb::pair(Server::Mysql).await else {
        return;
    };
    let handle = tokio::runtime::Handle::current();
    tokio::task::block_in_place(|| {
        drift_scenario(&target.url, Some(&dev.url), || {
            handle.block_on(target.exec(HAND));
        });
    });
}
