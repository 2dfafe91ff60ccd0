//! `--env NAME` with atlas.hcl files in the shapes Atlas's documentation shows: an env with
//! input variables, a `migration` block, and top-level `lint` and `diff` blocks.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use mercator_testkit::{Server, ServerDb, TempDir};

mod support;
use support::text;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/atlas-hcl")
        .join(name)
}

/// Runs mercator in `dir` (where atlas.hcl and relative file:// paths are read).
fn run_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mercator"));
    command
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .env_remove("MERCATOR_TEST_DEV_URL")
        .env_remove("MERCATOR_TEST_DB_URL");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("run mercator")
}

fn ok(out: Output) -> (String, String) {
    assert!(
        out.status.success(),
        "stdout: {}\nstderr: {}",
        text(&out.stdout),
        text(&out.stderr)
    );
    (text(&out.stdout), text(&out.stderr))
}

fn project(dir: &TempDir, fixture_name: &str) {
    std::fs::copy(fixture(fixture_name), dir.path().join("atlas.hcl")).unwrap();
}

#[test]
fn env_with_variables_drives_schema_apply() {
    let dir = TempDir::new();
    project(&dir, "variables.hcl");
    dir.write(
        "schema.sql",
        "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n",
    );
    let url = dir.sqlite_url("app.db");
    let var = format!("url={url}");
    let (stdout, stderr) = ok(run_in(
        dir.path(),
        &[
            "schema",
            "apply",
            "--env",
            "local",
            "--var",
            &var,
            "--auto-approve",
        ],
        &[],
    ));
    assert!(stdout.contains("CREATE TABLE \"users\""), "{stdout}");
    // The unsupported attribute is a located warning: file, line and column.
    assert!(
        stderr.contains("atlas.hcl:21:3: warning") && stderr.contains("docs_url"),
        "{stderr}"
    );
    let (stdout, _) = ok(run_in(
        dir.path(),
        &[
            "schema",
            "apply",
            "--env",
            "local",
            "--var",
            &var,
            "--auto-approve",
        ],
        &[],
    ));
    assert!(stdout.contains("synced"), "{stdout}");
    // A variable chooses another file; inspect and diff take the env too.
    dir.write(
        "next.sql",
        "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, email TEXT);\n",
    );
    let (stdout, _) = ok(run_in(
        dir.path(),
        &[
            "schema",
            "diff",
            "--env",
            "local",
            "--var",
            &var,
            "--var",
            "schema_file=next.sql",
        ],
        &[],
    ));
    assert!(stdout.contains("email"), "{stdout}");
    let (stdout, _) = ok(run_in(
        dir.path(),
        &["schema", "inspect", "--env", "local", "--var", &var],
        &[],
    ));
    assert!(stdout.contains("\"users\""), "{stdout}");
    // Flags given explicitly win over the env's.
    let other = dir.sqlite_url("other.db");
    let (stdout, _) = ok(run_in(
        dir.path(),
        &[
            "schema",
            "apply",
            "--env",
            "local",
            "--var",
            &var,
            "--url",
            &other,
            "--dry-run",
        ],
        &[],
    ));
    assert!(stdout.contains("CREATE TABLE"), "{stdout}");

    // A missing variable names the variable block's location and the flag to set it.
    let out = run_in(dir.path(), &["schema", "apply", "--env", "local"], &[]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("atlas.hcl:2:1") && stderr.contains("--var url="),
        "{stderr}"
    );
    // An unknown env lists the defined ones.
    let out = run_in(
        dir.path(),
        &["schema", "apply", "--env", "nope", "--var", &var],
        &[],
    );
    assert!(
        text(&out.stderr).contains("defined: local"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn migration_block_drives_migrate_apply_and_status() {
    let dir = TempDir::new();
    project(&dir, "migration.hcl");
    dir.write(
        "migrations/1_users.sql",
        "CREATE TABLE users (id INTEGER PRIMARY KEY);\n",
    );
    dir.write(
        "migrations/2_posts.sql",
        "CREATE TABLE posts (id INTEGER PRIMARY KEY);\n",
    );
    ok(run_in(
        dir.path(),
        &["migrate", "hash", "--dir", "file://migrations"],
        &[],
    ));
    let url = dir.sqlite_url("app.db");
    let env = [("MERCATOR_TEST_DB_URL", url.as_str())];
    let (stdout, _) = ok(run_in(
        dir.path(),
        &["migrate", "status", "--env", "dev"],
        &env,
    ));
    assert!(stdout.contains("PENDING"), "{stdout}");
    let (stdout, _) = ok(run_in(
        dir.path(),
        &["migrate", "apply", "--env", "dev"],
        &env,
    ));
    assert!(stdout.contains("migrating version 2"), "{stdout}");
    let (stdout, _) = ok(run_in(
        dir.path(),
        &["migrate", "status", "--env", "dev"],
        &env,
    ));
    assert!(
        stdout.contains("OK") && stdout.contains("Current Version: 2"),
        "{stdout}"
    );

    // The prod env's baseline: an existing database starts its history at version 1.
    let prod = dir.sqlite_url("prod.db");
    let env = [("MERCATOR_TEST_DB_URL", prod.as_str())];
    dir.write("seed.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY);\n");
    let seed = format!("file://{}", dir.path().join("seed.sql").display());
    ok(run_in(
        dir.path(),
        &[
            "schema",
            "apply",
            "--url",
            &prod,
            "--to",
            &seed,
            "--auto-approve",
        ],
        &[],
    ));
    let (stdout, _) = ok(run_in(
        dir.path(),
        &["migrate", "apply", "--env", "prod"],
        &env,
    ));
    assert!(
        stdout.contains("migrating version 2") && !stdout.contains("migrating version 1"),
        "{stdout}"
    );
}

#[test]
fn diff_policies_keep_what_skip_protects() {
    let dir = TempDir::new();
    project(&dir, "policies.hcl");
    let url = dir.sqlite_url("app.db");
    let var = format!("url={url}");
    dir.write(
        "schema.sql",
        "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\nCREATE TABLE legacy (id INTEGER PRIMARY KEY);\n",
    );
    ok(run_in(
        dir.path(),
        &[
            "schema",
            "apply",
            "--env",
            "app",
            "--var",
            &var,
            "--auto-approve",
        ],
        &[],
    ));
    // The desired state drops a table and a column: both are skipped by the diff policy.
    dir.write(
        "schema.sql",
        "CREATE TABLE users (id INTEGER PRIMARY KEY);\n",
    );
    let (stdout, _) = ok(run_in(
        dir.path(),
        &[
            "schema",
            "apply",
            "--env",
            "app",
            "--var",
            &var,
            "--auto-approve",
        ],
        &[],
    ));
    assert!(stdout.contains("synced"), "{stdout}");
    // Without the project, the same change drops them.
    let to = format!("file://{}", dir.path().join("schema.sql").display());
    let (stdout, _) = ok(run_in(
        dir.path(),
        &["schema", "apply", "--url", &url, "--to", &to, "--dry-run"],
        &[],
    ));
    assert!(
        stdout.contains("DROP TABLE") && stdout.contains("legacy"),
        "{stdout}"
    );
    // The flag form of the same policy.
    let (stdout, _) = ok(run_in(
        dir.path(),
        &[
            "schema",
            "apply",
            "--url",
            &url,
            "--to",
            &to,
            "--dry-run",
            "--diff-skip",
            "drop_table",
        ],
        &[],
    ));
    assert!(!stdout.contains("DROP TABLE"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_concurrent_indexes_run_outside_the_transaction() {
    let Some(target) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    let Some(dev) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    target
        .exec("CREATE TABLE users (id int PRIMARY KEY, email text, name text); CREATE INDEX users_name ON users (name);")
        .await;
    let dir = TempDir::new();
    project(&dir, "policies.hcl");
    dir.write(
        "schema.sql",
        "CREATE TABLE users (id int PRIMARY KEY, email text, name text);\nCREATE INDEX users_email ON users (email);\n",
    );
    let var = format!("url={}", target.url);
    let env = [("MERCATOR_TEST_DEV_URL", dev.url.as_str())];
    let args = [
        "schema",
        "apply",
        "--env",
        "app",
        "--var",
        &var,
        "--auto-approve",
    ];
    let path = dir.path().to_owned();
    let (stdout, _) = tokio::task::block_in_place(|| ok(run_in(&path, &args, &env)));
    assert!(stdout.contains("CREATE INDEX CONCURRENTLY"), "{stdout}");
    assert!(stdout.contains("DROP INDEX CONCURRENTLY"), "{stdout}");
    let (stdout, _) = tokio::task::block_in_place(|| ok(run_in(&path, &args, &env)));
    assert!(stdout.contains("synced"), "{stdout}");
    // Only creation concurrent, by flag: the drop stays in the transaction.
    dir.write("schema.sql", "CREATE TABLE users (id int PRIMARY KEY, email text, name text);\nCREATE INDEX users_name ON users (name);\n");
    let to = format!("file://{}", dir.path().join("schema.sql").display());
    let args = [
        "schema",
        "apply",
        "--url",
        &target.url,
        "--to",
        &to,
        "--dev-url",
        &dev.url,
        "--concurrent-index",
        "create",
        "--dry-run",
    ];
    let (stdout, _) = tokio::task::block_in_place(|| ok(run_in(&path, &args, &[])));
    assert!(stdout.contains("CREATE INDEX CONCURRENTLY"), "{stdout}");
    assert!(
        stdout.contains("DROP INDEX \"") || stdout.contains("DROP INDEX \"public\""),
        "{stdout}"
    );
    assert!(!stdout.contains("DROP INDEX CONCURRENTLY"), "{stdout}");
}

/// Migration files whose second one drops a table (DS102); returns nothing, writes
/// `migrations/` with its `atlas.sum` in `dir`.
fn lint_project(dir: &TempDir) {
    project(dir, "lint.hcl");
    dir.write(
        "migrations/1_base.sql",
        "CREATE TABLE users (id int PRIMARY KEY, email text);\nCREATE TABLE t1 (id int PRIMARY KEY);\n",
    );
    dir.write("migrations/2_drop.sql", "DROP TABLE t1;\n");
    ok(run_in(
        dir.path(),
        &["migrate", "hash", "--dir", "file://migrations"],
        &[],
    ));
}

#[test]
fn lint_block_drives_migrate_lint() {
    let dir = TempDir::new();
    lint_project(&dir);
    // The top-level block: the last file only, destructive findings as warnings (exit 0).
    let (stdout, _) = ok(run_in(
        dir.path(),
        &["migrate", "lint", "--env", "local"],
        &[],
    ));
    assert!(
        stdout.contains("(1 migration in total)") && stdout.contains("DS102"),
        "{stdout}"
    );
    // Flags win: two files, and a JSON config turning destructive back into errors.
    dir.write("strict.json", r#"{"destructive": {"error": true}}"#);
    let out = run_in(
        dir.path(),
        &[
            "migrate",
            "lint",
            "--env",
            "local",
            "--latest",
            "2",
            "--lint-config",
            "strict.json",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("(2 migrations in total)"),
        "{}",
        text(&out.stdout)
    );

    // The env's own block: errors fail the run, `{{ json . }}` asks for JSON, and what
    // Mercator cannot honour is a located warning.
    let out = run_in(dir.path(), &["migrate", "lint", "--env", "strict"], &[]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("a JSON report");
    assert!(
        json["diagnostics"]
            .as_array()
            .is_some_and(|d| d.iter().any(|d| d["code"] == "DS102")),
        "{stdout}"
    );
    // `check_txmode = false` is honoured (PG103 switched off), so it is not warned about.
    assert!(!stderr.contains("check_txmode"), "{stderr}");
    assert!(
        stderr.contains("atlas.hcl:45:7: warning") && stderr.contains("lint.git.dir"),
        "{stderr}"
    );
    // `--format` on the command line wins over the env's template.
    let out = run_in(
        dir.path(),
        &["migrate", "lint", "--env", "strict", "--format", "text"],
        &[],
    );
    let stdout = text(&out.stdout);
    assert!(stdout.contains("(2 migrations in total)"), "{stdout}");
}

#[test]
fn env_drives_migrate_diff_and_review_policy() {
    let dir = TempDir::new();
    lint_project(&dir);
    let url = dir.sqlite_url("app.db");
    let env = [("MERCATOR_TEST_DB_URL", url.as_str())];
    // `migrate diff` takes the env's dir, src and dev.
    dir.write(
        "schema.sql",
        "CREATE TABLE users (id int PRIMARY KEY, email text, name text);\n",
    );
    let (stdout, _) = ok(run_in(
        dir.path(),
        &["migrate", "diff", "--env", "local", "add_name"],
        &env,
    ));
    assert!(stdout.contains("add_name"), "{stdout}");
    let written: Vec<String> = std::fs::read_dir(dir.path().join("migrations"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with("_add_name.sql"))
        .collect();
    assert_eq!(written.len(), 1, "{written:?}");

    // `review = ALWAYS`: --auto-approve is not enough, and nothing is applied.
    let out = run_in(
        dir.path(),
        &["schema", "apply", "--env", "review", "--auto-approve"],
        &env,
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("review policy ALWAYS requires approval"),
        "{stderr}"
    );
    assert!(
        !dir.path().join("app.db").exists() || {
            let conn = rusqlite::Connection::open(dir.path().join("app.db")).unwrap();
            let n: i64 = conn
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE name = 'users'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            n == 0
        }
    );
    // The command line's --review wins over the env's.
    let (stdout, _) = ok(run_in(
        dir.path(),
        &[
            "schema",
            "apply",
            "--env",
            "review",
            "--auto-approve",
            "--review",
            "error",
        ],
        &env,
    ));
    assert!(stdout.contains("Applied "), "{stdout}");
    // `migrate status` and `schema lint` take the env too.
    let (stdout, _) = ok(run_in(
        dir.path(),
        &["migrate", "status", "--env", "local"],
        &env,
    ));
    assert!(stdout.contains("PENDING"), "{stdout}");
    let out = run_in(dir.path(), &["schema", "lint", "--env", "local"], &env);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{}{stderr}", text(&out.stdout));
}
