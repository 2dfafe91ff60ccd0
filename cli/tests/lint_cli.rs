//! `mercator migrate lint`, `mercator schema lint` and the review gate of
//! `mercator schema apply`, as a user runs them: output layouts, exit codes, the three
//! review policies, `--dry-run`, `--override-review` and pre-flight data checks.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use mercator_testkit::{Server, ServerDb, TempDir};

fn mercator(tmp: &TempDir, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mercator"))
        .args(args)
        // Keep the lint cache inside the test's directory.
        .env("MERCATOR_CACHE_DIR", tmp.path().join("cache"))
        .stdin(Stdio::null())
        .output()
        .expect("run mercator")
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(tmp: &TempDir, args: &[&str]) -> Run {
    let out = mercator(tmp, args);
    let run = Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run
}

fn sqlite(path: &Path, sql: &str) {
    let conn = rusqlite::Connection::open(path).expect("open");
    conn.execute_batch(sql).expect("sql");
}

fn tables(path: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).expect("open");
    let mut st = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .expect("prepare");
    st.query_map([], |r| r.get(0))
        .expect("query")
        .map(|r| r.expect("row"))
        .collect()
}

/// A migration directory: the base, then `new`; hashed.
fn migrations(tmp: &TempDir, new: &str) -> String {
    let dir = tmp.path().join("migrations");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("1_base.sql"),
        "CREATE TABLE users (id int PRIMARY KEY, email text);\nCREATE TABLE t1 (id int PRIMARY KEY);\n",
    )
    .unwrap();
    std::fs::write(dir.join("2_new.sql"), new).unwrap();
    let dir = format!("file://{}", dir.display());
    let r = run(tmp, &["migrate", "hash", "--dir", &dir]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    dir
}

#[test]
fn migrate_lint_layouts_and_exit_codes() {
    let tmp = TempDir::new();
    let dir = migrations(
        &tmp,
        "CREATE UNIQUE INDEX users_email ON users (email);\n\nDROP TABLE t1;\n",
    );
    let r = run(&tmp, &["migrate", "lint", "--dir", &dir, "--latest", "1"]);
    assert_eq!(
        r.code,
        Some(1),
        "errors fail the run: {}{}",
        r.stdout,
        r.stderr
    );
    for expected in [
        "Analyzing changes from version 1 to 2 (1 migration in total):",
        "  -- analyzing version 2",
        "    -- destructive changes detected:",
        "      -- L3: Dropping table \"t1\" https://atlasgo.io/lint/analyzers#DS102",
        "    -- suggested fix:",
        "      -- L1: Adding a unique index \"users_email\"",
        "  -- 1 version with errors",
        "  -- 2 diagnostics",
    ] {
        assert!(r.stdout.contains(expected), "{expected:?} in\n{}", r.stdout);
    }

    let r = run(
        &tmp,
        &[
            "migrate", "lint", "--dir", &dir, "--latest", "1", "--format", "json",
        ],
    );
    assert_eq!(r.code, Some(1));
    let json: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(json["diagnostics"][1]["code"], "DS102");
    assert_eq!(json["diagnostics"][1]["line"], 3);

    let r = run(
        &tmp,
        &[
            "migrate", "lint", "--dir", &dir, "--latest", "1", "--format", "github",
        ],
    );
    assert!(r.stdout.contains("::error file="), "{}", r.stdout);
    assert!(r.stdout.contains("line=3,title=DS102::"), "{}", r.stdout);

    let r = run(
        &tmp,
        &[
            "migrate", "lint", "--dir", &dir, "--latest", "1", "--format", "sarif",
        ],
    );
    let sarif: serde_json::Value = serde_json::from_str(&r.stdout).expect("SARIF JSON");
    assert_eq!(sarif["version"], "2.1.0");

    // Destructive downgraded to a warning by the configuration: exit 0.
    let config = tmp.write("lint.json", r#"{"destructive": {"error": false}}"#);
    let r = run(
        &tmp,
        &[
            "migrate",
            "lint",
            "--dir",
            &dir,
            "--latest",
            "1",
            "--lint-config",
            config.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("DS102"), "{}", r.stdout);

    // nolint silences it: exit 0.
    let tmp2 = TempDir::new();
    let dir2 = migrations(&tmp2, "-- atlas:nolint DS102\nDROP TABLE t1;\n");
    let r = run(&tmp2, &["migrate", "lint", "--dir", &dir2, "--latest", "1"]);
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("-- no diagnostics found"), "{}", r.stdout);

    // Nothing chosen to lint, or a bad directory: located errors, exit 1.
    let r = run(&tmp, &["migrate", "lint", "--dir", &dir]);
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.contains("--latest N"), "{}", r.stderr);
    std::fs::write(
        tmp.path().join("migrations/2_new.sql"),
        "DROP TABLE t1;\n-- edited\n",
    )
    .unwrap();
    let r = run(&tmp, &["migrate", "lint", "--dir", &dir, "--latest", "1"]);
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.starts_with("Error: "), "{}", r.stderr);
}

/// A SQLite target with `users` (two rows) and `t1`; returns (url, path).
fn target(tmp: &TempDir) -> (String, std::path::PathBuf) {
    let path = tmp.path().join("app.db");
    sqlite(
        &path,
        "CREATE TABLE users (id integer PRIMARY KEY, email text);\n\
         CREATE TABLE t1 (id integer PRIMARY KEY);\n\
         INSERT INTO users (email) VALUES ('a@x'), ('b@x');",
    );
    (format!("sqlite://{}", path.display()), path)
}

const KEEP: &str = "CREATE TABLE users (id integer PRIMARY KEY, email text);\nCREATE TABLE t1 (id integer PRIMARY KEY);\n";

#[test]
fn apply_toward_an_empty_schema_stops_on_ds102() {
    let tmp = TempDir::new();
    let (url, path) = target(&tmp);
    let empty = tmp.write("empty.sql", "");
    let to = format!("file://{}", empty.display());

    let r = run(
        &tmp,
        &["schema", "apply", "--url", &url, "--to", &to, "--dry-run"],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.contains("-- Planned Changes:"), "{}", r.stdout);
    assert!(r.stdout.contains("Dropping table \"t1\""), "{}", r.stdout);
    assert!(r.stdout.contains("#DS102"), "{}", r.stdout);
    assert_eq!(tables(&path), ["t1", "users"], "dry run changes nothing");

    let r = run(
        &tmp,
        &[
            "schema",
            "apply",
            "--url",
            &url,
            "--to",
            &to,
            "--auto-approve",
        ],
    );
    assert_eq!(r.code, Some(1), "{}", r.stdout);
    assert!(
        r.stdout.contains("#DS102"),
        "analysis shown before refusing: {}",
        r.stdout
    );
    assert!(
        r.stderr.contains("review policy ERROR requires approval"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--override-review"), "{}", r.stderr);
    assert_eq!(tables(&path), ["t1", "users"]);

    // Without --auto-approve and without a terminal: refused too.
    let r = run(&tmp, &["schema", "apply", "--url", &url, "--to", &to]);
    assert_eq!(r.code, Some(1));
    assert_eq!(tables(&path), ["t1", "users"]);

    let r = run(
        &tmp,
        &[
            "schema",
            "apply",
            "--url",
            &url,
            "--to",
            &to,
            "--auto-approve",
            "--override-review",
        ],
    );
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert!(tables(&path).is_empty());
}

/// The decision of `--auto-approve` under each policy for a clean plan, a plan with a
/// warning (MF101) and a plan with an error (DS102).
#[test]
fn review_policies_decide_auto_approval() {
    let cases: [(&str, &str, [bool; 3]); 3] = [
        // desired schema, what it adds, applied under [ERROR, WARNING, ALWAYS]
        (
            "CREATE TABLE users (id integer PRIMARY KEY, email text, nick text);\nCREATE TABLE t1 (id integer PRIMARY KEY);\n",
            "clean",
            [true, true, false],
        ),
        (
            "CREATE TABLE users (id integer PRIMARY KEY, email text);\nCREATE UNIQUE INDEX users_email ON users (email);\nCREATE TABLE t1 (id integer PRIMARY KEY);\n",
            "warning",
            [true, false, false],
        ),
        (
            "CREATE TABLE users (id integer PRIMARY KEY, email text);\n",
            "error",
            [false, false, false],
        ),
    ];
    for (desired, what, expected) in cases {
        for (policy, applies) in ["error", "warning", "always"].into_iter().zip(expected) {
            let tmp = TempDir::new();
            let (url, path) = target(&tmp);
            let before = tables(&path);
            let to = format!("file://{}", tmp.write("schema.sql", desired).display());
            let r = run(
                &tmp,
                &[
                    "schema",
                    "apply",
                    "--url",
                    &url,
                    "--to",
                    &to,
                    "--auto-approve",
                    "--review",
                    policy,
                ],
            );
            let applied = r.code == Some(0);
            assert_eq!(
                applied, applies,
                "{what} under {policy}: {}{}",
                r.stdout, r.stderr
            );
            if !applied {
                assert_eq!(tables(&path), before);
                assert!(
                    r.stderr.contains(&format!(
                        "review policy {} requires approval",
                        policy.to_uppercase()
                    )),
                    "{}",
                    r.stderr
                );
            } else {
                assert!(r.stdout.contains("Applied "), "{}", r.stdout);
            }
        }
    }
    // In sync: nothing to review under any policy.
    let tmp = TempDir::new();
    let (url, _) = target(&tmp);
    let to = format!("file://{}", tmp.write("schema.sql", KEEP).display());
    let r = run(
        &tmp,
        &[
            "schema",
            "apply",
            "--url",
            &url,
            "--to",
            &to,
            "--auto-approve",
            "--review",
            "always",
        ],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.contains("Schemas are synced"), "{}", r.stdout);
}

#[test]
fn schema_lint_whole_schema_rules() {
    let tmp = TempDir::new();
    let schema = tmp.write(
        "schema.sql",
        "CREATE TABLE a (id integer PRIMARY KEY, note text);\nCREATE TABLE b (x integer NOT NULL);\n",
    );
    let url = format!("file://{}", schema.display());
    let r = run(&tmp, &["schema", "lint", "--url", &url]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.contains("SL101 main.b: "), "{}", r.stdout);
    assert!(r.stdout.contains("SL103 main.a.note: "), "{}", r.stdout);
    assert!(!r.stdout.contains("SL101 main.a"), "{}", r.stdout);
    let r = run(&tmp, &["schema", "lint", "--url", &url, "--exit-code"]);
    assert_eq!(r.code, Some(2));
    let r = run(&tmp, &["schema", "lint", "--url", &url, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(json["tables"], 2);

    // The same rules on a database.
    let (db, _) = target(&tmp);
    let r = run(&tmp, &["schema", "lint", "--url", &db]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.contains("SL103 main.users.email"), "{}", r.stdout);
}

/// MySQL DDL is not transactional: a plan whose UNIQUE index existing rows break stops
/// before its first statement, naming the table and the duplicated keys.
#[test]
fn mysql_preflight_stops_before_the_first_statement() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some((db, dev)) = rt.block_on(ServerDb::pair(Server::Mysql)) else {
        return;
    };
    rt.block_on(db.exec(
        "CREATE TABLE users (id int PRIMARY KEY, email varchar(100));\n\
         INSERT INTO users VALUES (1, 'a@x'), (2, 'a@x'), (3, 'b@x');",
    ));
    let tmp = TempDir::new();
    let to = tmp.write(
        "schema.sql",
        "CREATE TABLE audit (id int PRIMARY KEY);\n\
         CREATE TABLE users (id int PRIMARY KEY, email varchar(100), UNIQUE KEY users_email (email));\n",
    );
    let to = format!("file://{}", to.display());
    let r = run(
        &tmp,
        &[
            "schema",
            "apply",
            "--url",
            &db.url,
            "--to",
            &to,
            "--dev-url",
            &dev.url,
            "--auto-approve",
        ],
    );
    assert_eq!(r.code, Some(1), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("pre-flight check failed: MF101"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("table \"users\""), "{}", r.stdout);
    assert!(r.stdout.contains("email=a@x"), "{}", r.stdout);
    assert!(r.stderr.contains("nothing was applied"), "{}", r.stderr);
    // Not even the first statement ran.
    let dry = run(
        &tmp,
        &[
            "schema",
            "apply",
            "--url",
            &db.url,
            "--to",
            &to,
            "--dev-url",
            &dev.url,
            "--dry-run",
        ],
    );
    assert!(
        dry.stdout.contains("CREATE TABLE `audit`"),
        "{}",
        dry.stdout
    );

    // Opting out runs the plan, which then fails on the server midway.
    let r = run(
        &tmp,
        &[
            "schema",
            "apply",
            "--url",
            &db.url,
            "--to",
            &to,
            "--dev-url",
            &dev.url,
            "--auto-approve",
            "--skip-preflight",
        ],
    );
    assert_eq!(r.code, Some(1), "{}{}", r.stdout, r.stderr);
    assert!(
        !r.stdout.contains("pre-flight check failed"),
        "{}",
        r.stdout
    );
    rt.block_on(async {
        db.drop_db().await;
        dev.drop_db().await;
    });
}

/// Lock findings quote the table's size from PostgreSQL's catalog.
#[test]
fn postgres_lock_findings_quote_table_sizes() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some((db, dev)) = rt.block_on(ServerDb::pair(Server::Postgres)) else {
        return;
    };
    rt.block_on(db.exec(
        "CREATE TABLE users (id int PRIMARY KEY, email text);\n\
         INSERT INTO users SELECT g, 'u' || g FROM generate_series(1, 2000) g;\n\
         ANALYZE users;",
    ));
    let tmp = TempDir::new();
    let to = tmp.write(
        "schema.sql",
        "CREATE TABLE users (id int PRIMARY KEY, email text);\nCREATE INDEX users_email ON users (email);\n",
    );
    let to = format!("file://{}", to.display());
    let url = format!("{}?search_path=public", db.url);
    let devu = format!("{}?search_path=public", dev.url);
    let r = run(
        &tmp,
        &[
            "schema",
            "apply",
            "--url",
            &url,
            "--to",
            &to,
            "--dev-url",
            &devu,
            "--dry-run",
        ],
    );
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("#PG101"), "{}", r.stdout);
    assert!(r.stdout.contains("~2000 rows"), "{}", r.stdout);
    assert!(r.stdout.contains("low lock risk"), "{}", r.stdout);
    rt.block_on(async {
        db.drop_db().await;
        dev.drop_db().await;
    });
}

/// `migrate apply` runs pre-flight data checks on the pending files (SQLite: in an
/// in-memory dev database) and stops before their first statement; `--skip-preflight`
/// turns them off.
#[test]
fn migrate_apply_preflight() {
    let tmp = TempDir::new();
    let dir = migrations(
        &tmp,
        "CREATE TABLE audit (id int PRIMARY KEY);\nCREATE UNIQUE INDEX users_email ON users (email);\n",
    );
    let db = tmp.path().join("app.db");
    let url = format!("sqlite://{}", db.display());
    // Apply the base only, then store duplicates.
    let r = run(
        &tmp,
        &["migrate", "apply", "--dir", &dir, "--url", &url, "1"],
    );
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    sqlite(&db, "INSERT INTO users VALUES (1, 'a@x'), (2, 'a@x');");

    let r = run(&tmp, &["migrate", "apply", "--dir", &dir, "--url", &url]);
    assert_eq!(r.code, Some(1), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("pre-flight checks failed"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("MF101"), "{}", r.stderr);
    assert!(r.stderr.contains("a@x"), "{}", r.stderr);
    assert!(!tables(&db).contains(&"audit".to_owned()));

    // Opting out runs the file, which SQLite rolls back when the index fails.
    let r = run(
        &tmp,
        &[
            "migrate",
            "apply",
            "--dir",
            &dir,
            "--url",
            &url,
            "--skip-preflight",
        ],
    );
    assert_eq!(r.code, Some(1), "{}{}", r.stdout, r.stderr);
    assert!(!r.stderr.contains("pre-flight"), "{}", r.stderr);
    assert!(r.stderr.contains("UNIQUE"), "{}", r.stderr);
}
