//! `mercator schema test`, `mercator migrate test`, `mercator schema plan test`: the example
//! suites through the binary, the report formats, exit statuses and `--env`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use mercator_testkit::{Server, ServerDb, TempDir};

mod support;
use support::text;

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/testing")
}

/// Runs `mercator` in `dir`.
fn mercator_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mercator"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("run mercator")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "stdout: {}\nstderr: {}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

#[test]
fn sqlite_suites_pass_through_the_cli() {
    let dir = examples().join("sqlite");
    let out = ok(&mercator_in(
        &dir,
        &[
            "schema",
            "test",
            "--url",
            "file://schema.sql",
            "schema.test.hcl",
        ],
    ));
    assert!(out.contains("--- PASS: price_audit_trigger ("), "{out}");
    assert!(out.contains("--- PASS: invalid_prices/zero ("), "{out}");
    assert!(out.contains("    schema.test.hcl:"), "{out}");
    assert!(out.ends_with("PASS\n"), "{out}");

    let out = ok(&mercator_in(
        &dir,
        &[
            "migrate",
            "test",
            "--dir",
            "file://migrations",
            "migrate.test.hcl",
        ],
    ));
    assert!(out.contains("--- PASS: split_name_backfill ("), "{out}");

    let out = ok(&mercator_in(
        &dir,
        &["schema", "plan", "test", "plan.test.hcl"],
    ));
    assert!(out.contains("--- PASS: add_status ("), "{out}");

    // --run selects cases by name.
    let out = ok(&mercator_in(
        &dir,
        &[
            "schema",
            "test",
            "--url",
            "file://schema.sql",
            "--run",
            "^valid_prices/2$",
            ".",
        ],
    ));
    assert_eq!(out.matches("--- PASS").count(), 1, "{out}");
}

#[test]
fn failures_exit_non_zero_in_every_format() {
    let dir = examples().join("failing");
    let args = [
        "schema",
        "test",
        "--url",
        "file://schema.sql",
        "failures.test.hcl",
    ];
    let out = mercator_in(&dir, &args);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("--- FAIL: wrong_output ("), "{stdout}");
    assert!(
        stdout.contains("    failures.test.hcl:7: exec: the output is not the expected one\n        --- expected\n        +++ actual\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("failures.test.hcl:14: assert: expected exactly one item"),
        "{stdout}"
    );
    assert!(
        stdout.contains("failures.test.hcl:38: external `sh -c"),
        "{stdout}"
    );
    assert!(stdout.ends_with("FAIL\n"), "{stdout}");

    let out = mercator_in(&dir, &[&args[..], &["--format", "json"]].concat());
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["passed"], false);
    assert_eq!(json["cases"][0]["failure"]["location"]["line"], 7);

    let out = mercator_in(&dir, &[&args[..], &["--format", "junit"]].concat());
    assert_eq!(out.status.code(), Some(1));
    let xml = text(&out.stdout);
    assert!(
        xml.contains("<testsuites name=\"mercator\" tests=\"6\" failures=\"5\" skipped=\"0\""),
        "{xml}"
    );
    assert!(
        xml.contains("<failure message=\"assert: expected exactly one item\" type=\"assertion\">"),
        "{xml}"
    );
}

#[test]
fn env_supplies_urls_test_files_and_variables() {
    let tmp = TempDir::new();
    tmp.write("schema.sql", "CREATE TABLE t (v TEXT);");
    tmp.write(
        "tests/v.test.hcl",
        r#"
variable "word" {
  type = string
}
variable "times" {
  type = number
}
test "schema" "vars" {
  exec {
    sql    = "INSERT INTO t VALUES ('${var.word}'); SELECT v || ${var.times} FROM t"
    output = "${var.word}${var.times}"
  }
}
"#,
    );
    tmp.write(
        "atlas.hcl",
        r#"
env "local" {
  src = "file://schema.sql"
  test {
    schema {
      src  = ["tests"]
      vars = { word = "hi", times = 3 }
    }
  }
}
"#,
    );
    let out = ok(&mercator_in(
        tmp.path(),
        &["schema", "test", "--env", "local"],
    ));
    assert!(out.contains("--- PASS: vars ("), "{out}");
    // --var wins over the env's value, and works without --env too.
    let out = mercator_in(
        tmp.path(),
        &["schema", "test", "--env", "local", "--var", "word=yo"],
    );
    assert!(
        text(&out.stdout).contains("--- PASS: vars ("),
        "{}",
        text(&out.stderr)
    );
    let out = mercator_in(
        tmp.path(),
        &[
            "schema",
            "test",
            "--url",
            "file://schema.sql",
            "--var",
            "word=a",
            "--var",
            "times=1",
            "tests",
        ],
    );
    assert!(
        text(&out.stdout).contains("--- PASS: vars ("),
        "{}",
        text(&out.stderr)
    );
    // A missing variable is a located error before any case runs.
    let out = mercator_in(
        tmp.path(),
        &["schema", "test", "--url", "file://schema.sql", "tests"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("v.test.hcl:2:1"),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test]
async fn postgres_suite_through_the_cli() {
    let Some(dev) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    let dir = examples().join("postgres/atlas-docs/domains");
    let out = ok(&mercator_in(
        &dir,
        &[
            "schema",
            "test",
            "--url",
            "file://schema.sql",
            "--dev-url",
            &dev.url,
            "--format",
            "junit",
            ".",
        ],
    ));
    assert!(out.contains("tests=\"5\" failures=\"0\""), "{out}");
    dev.drop_db().await;
}
