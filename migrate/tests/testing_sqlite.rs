//! `mercator_migrate::testing` on SQLite: the example suites in `examples/testing/sqlite`,
//! Atlas's documentation examples, and every failure kind with its location.

use std::path::{Path, PathBuf};

use mercator_migrate::dir::MigrationDir;
use mercator_migrate::testing::{CaseReport, CaseStatus, FailureKind, TestReport, TestRunner};
use mercator_migrate::{DialectKind, Source};
use mercator_project::Inputs;
use mercator_testkit::TempDir;

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/testing")
}

fn atlas_docs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../project/tests/fixtures/tests")
}

fn case<'a>(report: &'a TestReport, name: &str) -> &'a CaseReport {
    report
        .cases
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no case {name}:\n{}", report.to_text()))
}

fn names(report: &TestReport) -> Vec<&str> {
    report.cases.iter().map(|c| c.name.as_str()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_schema_suite_passes() {
    let dir = examples().join("sqlite");
    let report = TestRunner::schema(DialectKind::Sqlite)
        .desired(Source::file(dir.join("schema.sql")))
        .run(&[dir.join("schema.test.hcl")])
        .await
        .unwrap();
    assert!(report.passed(), "{}", report.to_text());
    assert_eq!(
        names(&report),
        [
            "price_audit_trigger",
            "cheap_products_view",
            "valid_prices/1",
            "valid_prices/2",
            "valid_prices/3",
            "invalid_prices/zero",
            "invalid_prices/negative",
            "external_python_check",
        ]
    );
    let logged = &case(&report, "invalid_prices/negative").logs;
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0].message, "rejecting negative price -1");
    assert!(logged[0].location.to_string().contains("schema.test.hcl:"));
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_data_migration_test_passes() {
    let dir = examples().join("sqlite");
    let migrations = MigrationDir::open(dir.join("migrations")).unwrap();
    let report = TestRunner::migrate(DialectKind::Sqlite, migrations)
        .run(&[dir.join("migrate.test.hcl")])
        .await
        .unwrap();
    assert!(report.passed(), "{}", report.to_text());
    assert_eq!(names(&report), ["split_name_backfill", "starts_empty"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_plan_test_passes_and_refuses_the_wrong_starting_state() {
    let dir = examples().join("sqlite");
    let report = TestRunner::plan(DialectKind::Sqlite)
        .run(&[dir.join("plan.test.hcl")])
        .await
        .unwrap();
    assert!(report.passed(), "{}", report.to_text());

    // The same plan from another state fails at the apply block.
    let tmp = TempDir::new();
    let file = tmp.write(
        "wrong.test.hcl",
        &format!(
            "test \"plan\" \"from_v2\" {{\n  schema {{\n    url = \"file://{}\"\n  }}\n  apply {{\n    url = \"file://{}\"\n  }}\n}}\n",
            dir.join("snapshots/v2.sql").display(),
            dir.join("plans/add_status.plan.hcl").display()
        ),
    );
    let report = TestRunner::plan(DialectKind::Sqlite)
        .run(&[file])
        .await
        .unwrap();
    let failure = case(&report, "from_v2").failure.as_ref().unwrap();
    assert_eq!(failure.kind, FailureKind::Plan);
    assert_eq!(failure.location.line, 5);
    assert!(
        failure.message.contains("not at the plan's starting state"),
        "{}",
        failure.message
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_failure_kind_is_located() {
    let dir = examples().join("failing");
    let report = TestRunner::schema(DialectKind::Sqlite)
        .desired(Source::file(dir.join("schema.sql")))
        .run(&[dir.join("failures.test.hcl")])
        .await
        .unwrap();
    assert!(!report.passed());
    let text = report.to_text();
    let expect = |name: &str, kind: FailureKind, line: usize| {
        let c = case(&report, name);
        assert_eq!(c.status, CaseStatus::Fail, "{text}");
        let failure = c.failure.clone().unwrap();
        assert_eq!(
            (failure.kind, failure.location.line),
            (kind, line),
            "{name}: {text}"
        );
        assert!(
            text.contains(&format!(
                "failures.test.hcl:{line}: {}",
                failure.message.lines().next().unwrap()
            )),
            "{text}"
        );
        failure
    };
    // A wrong expected output shows the diff.
    let wrong = expect("wrong_output", FailureKind::Output, 7);
    assert_eq!(
        wrong.diff.as_deref(),
        Some("--- expected\n+++ actual\n@@ -1,2 +1,2 @@\n 1,apple\n-2,peach\n+2,pear\n")
    );
    assert!(
        text.contains("        -2,peach\n        +2,pear\n"),
        "{text}"
    );
    // A false assertion shows its error_message.
    let assertion = expect("false_assertion", FailureKind::Assertion, 14);
    assert!(
        assertion.message.contains("expected exactly one item"),
        "{}",
        assertion.message
    );
    // An expected error that did not happen.
    expect("error_did_not_happen", FailureKind::NoError, 24);
    // An error, but not the expected one.
    let wrong_error = expect("wrong_error", FailureKind::WrongError, 31);
    assert!(
        wrong_error.message.contains("NOT NULL constraint failed"),
        "{}",
        wrong_error.message
    );
    // An external program exiting non-zero, its stderr shown.
    let external = expect("external_exits_non_zero", FailureKind::External, 38);
    assert!(
        external.message.contains("exit status 3"),
        "{}",
        external.message
    );
    assert!(
        external.message.contains("no rows in items"),
        "{}",
        external.message
    );
    assert_eq!(case(&report, "passes").status, CaseStatus::Pass);
    assert!(text.ends_with("FAIL\n"), "{text}");
}

/// Atlas's documentation examples (project/tests/fixtures/tests), unchanged, on SQLite.
#[tokio::test(flavor = "multi_thread")]
async fn atlas_documentation_examples_run_unchanged() {
    let empty = TempDir::new();
    let schema = empty.write("schema.sql", "");
    let runner = TestRunner::schema(DialectKind::Sqlite).desired(Source::file(&schema));
    let report = runner
        .run(&[
            atlas_docs().join("schema-exec.test.hcl"),
            atlas_docs().join("schema-table-driven.test.hcl"),
        ])
        .await
        .unwrap();
    assert!(report.passed(), "{}", report.to_text());
    assert_eq!(names(&report), ["postal", "seed/1", "seed/2"]);
    assert_eq!(
        case(&report, "seed/2").logs[0].message,
        "Testing world -> WORLD"
    );

    // The documentation's assert example shows a failing assertion with its message; its
    // catch example passes on SQLite, whose message is the documented "incomplete input".
    let report = runner
        .run(&[atlas_docs().join("schema-commands.test.hcl")])
        .await
        .unwrap();
    assert_eq!(
        case(&report, "catch").status,
        CaseStatus::Pass,
        "{}",
        report.to_text()
    );
    let failure = case(&report, "assert").failure.clone().unwrap();
    assert_eq!(
        (failure.kind, failure.location.line),
        (FailureKind::Assertion, 14)
    );
    assert!(failure.message.contains("expects a valid JSON"));
    // `seed()` exists in no database here.
    let failure = case(&report, "log").failure.clone().unwrap();
    assert_eq!(
        (failure.kind, failure.location.line),
        (FailureKind::Sql, 21)
    );
    assert!(
        failure.message.contains("no such function: seed"),
        "{}",
        failure.message
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn run_pattern_skip_and_cleanup_order() {
    let tmp = TempDir::new();
    let schema = tmp.write("schema.sql", "CREATE TABLE t (v INTEGER);");
    let file = tmp.write(
        "x.test.hcl",
        r#"
variable "skip_b" {
  type    = bool
  default = false
}
test "schema" "a" {
  cleanup {
    sql = "DROP TABLE t"
  }
  cleanup {
    sql = "INSERT INTO t VALUES (1)"
  }
  exec {
    sql = "INSERT INTO t VALUES (2)"
  }
}
test "schema" "b" {
  skip = var.skip_b
  assert {
    sql = "SELECT count(*) = 0 FROM t"
  }
}
test "schema" "c" {
  cleanup {
    sql = "SELECT * FROM missing"
  }
}
"#,
    );
    let runner = TestRunner::schema(DialectKind::Sqlite).desired(Source::file(&schema));
    let report = runner.run(std::slice::from_ref(&file)).await.unwrap();
    // Clean-ups run last first: the insert before the drop.
    assert_eq!(
        case(&report, "a").status,
        CaseStatus::Pass,
        "{}",
        report.to_text()
    );
    // Case b starts clean although a inserted rows.
    assert_eq!(case(&report, "b").status, CaseStatus::Pass);
    // A failing clean-up fails its case, at its block.
    let failure = case(&report, "c").failure.clone().unwrap();
    assert_eq!(
        (failure.kind, failure.location.line),
        (FailureKind::Sql, 24)
    );
    assert!(failure.message.starts_with("cleanup: "));

    let report = runner
        .clone()
        .pattern("^(a|b)$")
        .inputs(Inputs::from_flags(["skip_b=true"]).unwrap())
        .run(std::slice::from_ref(&file))
        .await
        .unwrap();
    let got: Vec<_> = report
        .cases
        .iter()
        .map(|c| (c.name.as_str(), c.status))
        .collect();
    assert_eq!(got, [("a", CaseStatus::Pass), ("b", CaseStatus::Skip)]);
    assert!(runner.clone().pattern("(").run(&[file]).await.is_err());
}

/// Two parallel cases that can only pass together: each waits for the other's marker file.
/// With room for one case at a time they time out, which shows the bound is kept too.
#[tokio::test(flavor = "multi_thread")]
async fn parallel_cases_run_together() {
    let tmp = TempDir::new();
    let schema = tmp.write("schema.sql", "");
    let file = tmp.write(
        "p.test.hcl",
        r#"
variable "dir" {
  type = string
}
test "schema" "meet" {
  parallel = true
  for_each = { left = "right", right = "left" }
  external {
    program = "sh"
    args = ["-c", "touch ${var.dir}/${each.key}; i=0; while [ ! -e ${var.dir}/${each.value} ]; do i=$((i+1)); [ $i -gt 100 ] && exit 1; sleep 0.1; done"]
  }
}
"#,
    );
    let markers = TempDir::new();
    let inputs = Inputs::new().with("dir", markers.path().display().to_string());
    let runner = TestRunner::schema(DialectKind::Sqlite)
        .desired(Source::file(&schema))
        .inputs(inputs);
    let report = runner
        .clone()
        .parallelism(2)
        .run(std::slice::from_ref(&file))
        .await
        .unwrap();
    assert!(report.passed(), "{}", report.to_text());

    let markers = TempDir::new();
    let inputs = Inputs::new().with("dir", markers.path().display().to_string());
    let report = runner
        .inputs(inputs)
        .parallelism(1)
        .run(&[file])
        .await
        .unwrap();
    assert_eq!(report.count(CaseStatus::Fail), 1, "{}", report.to_text());
}
