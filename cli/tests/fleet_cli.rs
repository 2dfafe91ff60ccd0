//! `mercator migrate apply|status` over a tenant set, as a user runs them: SQLite files
//! (fast) and PostgreSQL schemas chosen by a query.

use mercator_testkit::{Server, ServerDb, TempDir};

mod support;
use support::{mercator, text};

fn migrations(tmp: &TempDir, files: &[(&str, &str)]) -> String {
    for (name, sql) in files {
        tmp.write(&format!("migrations/{name}"), sql);
    }
    let dir = tmp.path().join("migrations").display().to_string();
    let out = mercator(&["migrate", "hash", "--dir", &dir]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    dir
}

#[test]
fn sqlite_fleet_apply_json_failure_and_status() {
    let tmp = TempDir::new();
    let dir = migrations(
        &tmp,
        &[
            (
                "1_users.sql",
                "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\n",
            ),
            (
                "2_posts.sql",
                "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id));\nCREATE INDEX posts_user ON posts (user_id);\n",
            ),
        ],
    );
    let url = format!("sqlite://{}/{{tenant}}.db", tmp.path().display());
    // One tenant holds a hand-made `posts` table (at version 1): its file 2 conflicts.
    let dirty = migrations_in(
        &tmp,
        "dirty",
        "1_x.sql",
        "CREATE TABLE posts (id INTEGER);\n",
    );
    let out = mercator(&[
        "migrate",
        "apply",
        "--dir",
        &dirty,
        "--url",
        &url.replace("{tenant}", "beta"),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    let out = mercator(&[
        "migrate",
        "apply",
        "--dir",
        &dir,
        "--url",
        &url,
        "--tenant",
        "alpha",
        "--tenant",
        "beta",
        "--tenant",
        "gamma",
        "--on-error",
        "continue",
        "--parallel",
        "2",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let tenants = report["tenants"].as_array().unwrap();
    let states: Vec<_> = tenants
        .iter()
        .map(|t| t["status"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["applied", "failed", "applied"]);
    assert_eq!(tenants[0]["applied"], serde_json::json!(["1", "2"]));
    assert!(
        tenants[1]["error"]
            .as_str()
            .unwrap()
            .contains("already exists"),
        "{}",
        tenants[1]
    );
    assert!(tenants[0]["duration_ms"].is_u64());
    // Not a terminal: one plain progress line per tenant on stderr.
    let stderr = text(&out.stderr);
    assert_eq!(
        stderr.lines().filter(|l| l.starts_with('[')).count(),
        3,
        "{stderr}"
    );
    assert!(stderr.contains("beta failed:"), "{stderr}");

    // Text summary; a rerun of the healthy tenants does nothing.
    let file = tmp.write("tenants.txt", "alpha\ngamma\n");
    let out = mercator(&[
        "migrate",
        "apply",
        "--dir",
        &dir,
        "--url",
        &url,
        "--tenants-file",
        file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("STATUS") && stdout.contains("up_to_date  2"),
        "{stdout}"
    );

    let out = mercator(&[
        "migrate",
        "status",
        "--dir",
        &dir,
        "--url",
        &url,
        "--tenants-file",
        file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("OK at 2") && stdout.contains("2 identical, 0 differ"),
        "{stdout}"
    );

    // Errors are one clear line.
    let out = mercator(&["migrate", "apply", "--dir", &dir, "--url", &url]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).starts_with("Error: --url holds {tenant}"),
        "{}",
        text(&out.stderr)
    );
    let out = mercator(&[
        "migrate",
        "status",
        "--dir",
        &dir,
        "--url",
        "sqlite://x.db",
        "--tenant",
        "a",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("exactly once"),
        "{}",
        text(&out.stderr)
    );
}

fn migrations_in(tmp: &TempDir, sub: &str, name: &str, sql: &str) -> String {
    tmp.write(&format!("{sub}/{name}"), sql);
    let dir = tmp.path().join(sub).display().to_string();
    let out = mercator(&["migrate", "hash", "--dir", &dir]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    dir
}

#[test]
fn postgres_fleet_from_a_query() {
    let Some(db) = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(ServerDb::create(Server::Postgres))
    else {
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(db.exec(
        "CREATE SCHEMA shop_1; CREATE SCHEMA shop_2; CREATE SCHEMA shop_3; CREATE SCHEMA other;",
    ));
    let tmp = TempDir::new();
    let dir = migrations(
        &tmp,
        &[(
            "1_t.sql",
            "CREATE TABLE t (id int PRIMARY KEY, name text);\nCREATE INDEX t_name ON t (name);\n",
        )],
    );
    let sep = if db.url.contains('?') { '&' } else { '?' };
    let url = format!("{}{sep}search_path={{tenant}}", db.url);
    let query = "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'shop%' ORDER BY 1";
    let out = mercator(&[
        "migrate",
        "apply",
        "--dir",
        &dir,
        "--url",
        &url,
        "--tenants-query",
        query,
        "--canary",
        "1",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("applied     3"),
        "{}",
        text(&out.stdout)
    );
    rt.block_on(db.exec("DROP INDEX shop_2.t_name"));
    let out = mercator(&[
        "migrate",
        "status",
        "--dir",
        &dir,
        "--url",
        &url,
        "--tenants-query",
        query,
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON status");
    assert_eq!(
        status["summary"],
        "2 identical, 1 differ: shop_2 lacks index t_name on t"
    );
    assert_eq!(status["tenants"][1]["current"], "1");
    // The schema outside the set was never touched.
    let out = mercator(&[
        "schema",
        "inspect",
        "--url",
        &url.replace("{tenant}", "other"),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        !text(&out.stdout).contains("CREATE TABLE"),
        "{}",
        text(&out.stdout)
    );
    rt.block_on(db.drop_db());
}
