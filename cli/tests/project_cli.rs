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
