//! What a test run found, and its `go test`-like text and JSON forms.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use mercator_project::{Location, TestKind};
use serde::Serialize;

/// The outcome of one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Every command did what it had to.
    Pass,
    /// A command failed (see [`CaseReport::failure`]).
    Fail,
    /// `skip` was true: nothing ran.
    Skip,
}

/// What kind of failure stopped a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// Preparing the case's database failed (scratch space, desired schema).
    Setup,
    /// A statement of `exec`, `assert`, `cleanup` or `schema` failed.
    Sql,
    /// `exec`'s or `external`'s output is not the expected one (`output`) or does not match
    /// (`match`).
    Output,
    /// `assert` returned something other than one true value.
    Assertion,
    /// `catch` expected an error and none happened.
    NoError,
    /// `catch` got an error, but not the expected one.
    WrongError,
    /// `external` could not run or exited with a non-zero status.
    External,
    /// `migrate` could not bring the database to the version.
    Migrate,
    /// `apply`: the plan file could not be read, the database was not at its `from`, or it
    /// did not reach its `to`.
    Plan,
}

impl FailureKind {
    /// The kind's name in reports (`no_error`, `wrong_error`, …).
    pub fn name(self) -> &'static str {
        match self {
            FailureKind::Setup => "setup",
            FailureKind::Sql => "sql",
            FailureKind::Output => "output",
            FailureKind::Assertion => "assertion",
            FailureKind::NoError => "no_error",
            FailureKind::WrongError => "wrong_error",
            FailureKind::External => "external",
            FailureKind::Migrate => "migrate",
            FailureKind::Plan => "plan",
        }
    }
}

/// Why a case failed, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseFailure {
    /// The failing command's block (or the test block for setup failures).
    pub location: Location,
    /// What kind of failure.
    pub kind: FailureKind,
    /// What happened, in one or a few lines.
    pub message: String,
    /// For output mismatches: a unified diff of the expected output against the actual.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
}

/// A `log` message, or a note the runner adds (e.g. an external program's stderr).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogLine {
    /// The command that logged.
    pub location: Location,
    /// The message.
    pub message: String,
}

/// One case's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseReport {
    /// The case name (`NAME`, or `NAME/N`, `NAME/KEY` with `for_each`).
    pub name: String,
    /// The test's kind.
    pub kind: TestKind,
    /// The test file.
    pub file: PathBuf,
    /// The `test` block's line.
    pub line: usize,
    /// The outcome.
    pub status: CaseStatus,
    /// How long the case took, setup and clean-up included.
    #[serde(rename = "duration_ms", serialize_with = "millis")]
    pub duration: Duration,
    /// `log` messages, in order.
    pub logs: Vec<LogLine>,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<CaseFailure>,
}

/// The results of a run, cases in file order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TestReport {
    /// Every case, run or skipped, in file order.
    pub cases: Vec<CaseReport>,
    /// The whole run's wall time.
    #[serde(rename = "duration_ms", serialize_with = "millis")]
    pub duration: Duration,
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((d.as_secs_f64() * 1e6).round() / 1e3)
}

impl TestReport {
    /// Whether no case failed.
    pub fn passed(&self) -> bool {
        self.cases.iter().all(|c| c.status != CaseStatus::Fail)
    }

    /// How many cases have `status`.
    pub fn count(&self, status: CaseStatus) -> usize {
        self.cases.iter().filter(|c| c.status == status).count()
    }

    /// The `go test`-like text: a `--- PASS|FAIL|SKIP: name (0.01s)` line per case, its
    /// log lines and failure indented below (`file:line: message`, then the diff), and
    /// `PASS` or `FAIL` at the end.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for case in &self.cases {
            let word = match case.status {
                CaseStatus::Pass => "PASS",
                CaseStatus::Fail => "FAIL",
                CaseStatus::Skip => "SKIP",
            };
            let _ = writeln!(
                out,
                "--- {word}: {} ({:.2}s)",
                case.name,
                case.duration.as_secs_f64()
            );
            for log in &case.logs {
                let _ = writeln!(out, "    {}: {}", short(&log.location), log.message);
            }
            if let Some(failure) = &case.failure {
                let mut lines = failure.message.lines();
                let first = lines.next().unwrap_or_default();
                let _ = writeln!(out, "    {}: {first}", short(&failure.location));
                for line in lines {
                    let _ = writeln!(out, "        {line}");
                }
                if let Some(diff) = &failure.diff {
                    for line in diff.lines() {
                        let _ = writeln!(out, "        {line}");
                    }
                }
            }
        }
        out.push_str(if self.passed() { "PASS\n" } else { "FAIL\n" });
        out
    }

    /// The report as pretty-printed JSON: `{"passed", "cases": [{name, kind, file, line,
    /// status, duration_ms, logs, failure?}], "duration_ms"}`.
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Json<'a> {
            passed: bool,
            #[serde(flatten)]
            report: &'a TestReport,
        }
        serde_json::to_string_pretty(&Json {
            passed: self.passed(),
            report: self,
        })
        .unwrap_or_else(|e| format!("{{\"error\": {:?}}}", e.to_string()))
    }
}

/// `file:line`, as `go test` prints locations.
pub(crate) fn short(location: &Location) -> String {
    format!("{}:{}", location.file.display(), location.line)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn at(line: usize) -> Location {
        Location {
            file: PathBuf::from("s.test.hcl"),
            line,
            column: 3,
        }
    }

    pub(crate) fn sample() -> TestReport {
        TestReport {
            cases: vec![
                CaseReport {
                    name: "upper/1".into(),
                    kind: TestKind::Schema,
                    file: "s.test.hcl".into(),
                    line: 1,
                    status: CaseStatus::Pass,
                    duration: Duration::from_millis(12),
                    logs: vec![LogLine {
                        location: at(6),
                        message: "Testing hello".into(),
                    }],
                    failure: None,
                },
                CaseReport {
                    name: "upper/2".into(),
                    kind: TestKind::Schema,
                    file: "s.test.hcl".into(),
                    line: 1,
                    status: CaseStatus::Fail,
                    duration: Duration::from_millis(3),
                    logs: vec![],
                    failure: Some(CaseFailure {
                        location: at(9),
                        kind: FailureKind::Output,
                        message: "exec: output is not the expected one".into(),
                        diff: Some(
                            "--- expected\n+++ actual\n@@ -1 +1 @@\n-WORLDX\n+WORLD\n".into(),
                        ),
                    }),
                },
                CaseReport {
                    name: "later".into(),
                    kind: TestKind::Schema,
                    file: "s.test.hcl".into(),
                    line: 20,
                    status: CaseStatus::Skip,
                    duration: Duration::ZERO,
                    logs: vec![],
                    failure: None,
                },
            ],
            duration: Duration::from_millis(20),
        }
    }

    #[test]
    fn text_is_go_test_like() {
        let text = sample().to_text();
        assert_eq!(
            text,
            "--- PASS: upper/1 (0.01s)\n    s.test.hcl:6: Testing hello\n\
             --- FAIL: upper/2 (0.00s)\n    s.test.hcl:9: exec: output is not the expected one\n\
             \x20       --- expected\n        +++ actual\n        @@ -1 +1 @@\n        -WORLDX\n        +WORLD\n\
             --- SKIP: later (0.00s)\nFAIL\n"
        );
    }

    #[test]
    fn json_carries_status_location_and_diff() {
        let json: serde_json::Value = serde_json::from_str(&sample().to_json()).unwrap();
        assert_eq!(json["passed"], false);
        assert_eq!(json["cases"][1]["status"], "fail");
        assert_eq!(json["cases"][1]["failure"]["kind"], "output");
        assert_eq!(json["cases"][1]["failure"]["location"]["line"], 9);
        assert!(json["cases"][0].get("failure").is_none());
        assert_eq!(json["cases"][0]["duration_ms"], 12.0);
        assert_eq!(json["cases"][2]["status"], "skip");
    }
}
