//! `mercator schema reconcile`: desired v1 → v2 → back to v1 on a database with data. Going
//! back drops v2's table and column only once checks prove they hold no data; otherwise it
//! stops, explains, and changes nothing.

use std::process::Output;

use mercator_testkit::{Server, ServerDb, TempDir};

mod support;
use support::{mercator, text};

fn status(out: Output, code: i32) -> (String, String) {
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    (stdout, stderr)
}

const V1: &str = "CREATE TABLE users (id int NOT NULL, name varchar(50), PRIMARY KEY (id));\n";
const V2: &str = "CREATE TABLE users (id int NOT NULL, name varchar(50), email varchar(100), PRIMARY KEY (id));\n\
                  CREATE TABLE posts (id int NOT NULL, title varchar(100), PRIMARY KEY (id));\n";

/// `sql` runs SQL on the target outside Mercator.
fn round_trip(url: &str, dev: Option<&str>, sql: &dyn Fn(&str)) {
    let dir = TempDir::new();
    let to = |name: &str, body: &str| format!("file://{}", dir.write(name, body).display());
    let (v0, v1, v2) = (to("v0.sql", ""), to("v1.sql", V1), to("v2.sql", V2));
    let reconcile = |target: &str, extra: &[&str]| {
        let mut args = vec!["schema", "reconcile", "--url", url, "--to", target];
        if let Some(dev) = dev {
            args.extend(["--dev-url", dev]);
        }
        args.extend(extra);
        mercator(&args)
    };

    let (out, _) = status(reconcile(&v1, &[]), 0);
    assert!(
        out.contains("Direction: up") && out.contains("Reconciled"),
        "{out}"
    );
    sql("INSERT INTO users (id, name) VALUES (1, 'ann')");
    let (out, _) = status(reconcile(&v2, &[]), 0);
    assert!(out.contains("Direction: up"), "{out}");
    sql("INSERT INTO posts (id, title) VALUES (1, 'hello')");
    sql("UPDATE users SET email = 'ann@example.com' WHERE id = 1");

    // Back to v1 while posts and users.email hold data: refused, explained, nothing touched.
    let (_, err) = status(reconcile(&v1, &[]), 1);
    assert!(
        err.contains("reconcile (down) stopped, nothing was changed"),
        "{err}"
    );
    assert!(
        err.contains("table \"posts\"") && err.contains("column \"email\""),
        "{err}"
    );
    let (out, _) = status(reconcile(&v2, &["--dry-run"]), 0);
    assert!(out.contains("Direction: in sync"), "still at v2: {out}");

    // Only the column still holds data: still refused, naming just it.
    sql("DELETE FROM posts");
    let (_, err) = status(reconcile(&v1, &[]), 1);
    assert!(
        err.contains("column \"email\"") && !err.contains("posts"),
        "{err}"
    );

    sql("UPDATE users SET email = NULL");
    let (out, _) = status(reconcile(&v1, &[]), 0);
    assert!(out.contains("Direction: down"), "{out}");
    assert!(
        out.contains("drop table") && out.contains("drop column"),
        "{out}"
    );
    assert!(out.contains("Check (no data)"), "{out}");
    let (out, _) = status(reconcile(&v1, &["--dry-run"]), 0);
    assert!(out.contains("Direction: in sync"), "{out}");
    // users kept its row: going further down to an empty schema is refused because of it.
    let (_, err) = status(reconcile(&v0, &["--dry-run"]), 1);
    assert!(err.contains("table \"users\""), "{err}");
}

#[test]
fn sqlite_v1_v2_v1_keeps_data_safe() {
    let dir = TempDir::new();
    let url = dir.sqlite_url("app.db");
    let path = dir.path().join("app.db");
    round_trip(&url, None, &|sql| {
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute_batch(sql)
            .unwrap();
    });
    // Each applied run is recorded; the refused ones are not.
    let conn = rusqlite::Connection::open(&path).unwrap();
    let runs: Vec<String> = conn
        .prepare("SELECT direction FROM mercator_reconcile_history ORDER BY rowid")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(runs, ["up", "up", "down"]);
}

async fn on_server(server: Server) {
    let Some((target, dev)) = ServerDb::pair(server).await else {
        return;
    };
    let handle = tokio::runtime::Handle::current();
    tokio::task::block_in_place(|| {
        round_trip(&target.url, Some(&dev.url), &|sql| {
            handle.block_on(target.exec(sql));
        });
    });
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_v1_v2_v1_keeps_data_safe() {
    on_server(Server::Postgres).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn mysql_v1_v2_v1_keeps_data_safe() {
    on_server(Server::Mysql).await;
}
