//! Testing the database like code: Atlas's `*.test.hcl` files (`test "schema"`,
//! `test "migrate"`, `test "plan"`) run against a dev database, each case in a database of
//! its own.
//!
//! - Schema tests start from the desired schema ([`TestRunner::desired`]: SQL files, a
//!   database, or a migration directory applied in full).
//! - Migrate tests start from an empty database; their `migrate { to }` commands apply the
//!   directory ([`TestRunner::dir`]) up to a version.
//! - Plan tests start from an empty database; `schema { url }` gives the plan's starting
//!   state and `apply { url }` applies a `*.plan.hcl` file, refusing it unless the database
//!   is at the plan's `from` and checking it reaches `to`.
//!
//! Each case runs in a scratch space the dev server makes for it (a database, or a schema
//! when the dev URL is bound to one; for SQLite a database file in a temporary
//! directory), removed afterwards whatever the result. Cases of tests marked `parallel`
//! (schema tests) run concurrently, at most [`TestRunner::parallelism`] at a time; the
//! others run one after another. The [`TestReport`] keeps the cases in file order and
//! prints as `go test`-like text, JSON or JUnit XML.
//!
//! ```
//! use mercator_migrate::testing::TestRunner;
//! use mercator_migrate::{DialectKind, Source};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let dir = std::env::temp_dir().join(format!("mercator-doc-testing-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! std::fs::write(dir.join("schema.sql"), "CREATE TABLE t (v INTEGER CHECK (v > 0));").unwrap();
//! std::fs::write(dir.join("t.test.hcl"), r#"
//! test "schema" "positive" {
//!   exec {
//!     sql    = "INSERT INTO t VALUES (1); SELECT v FROM t"
//!     output = "1"
//!   }
//!   catch {
//!     sql   = "INSERT INTO t VALUES (0)"
//!     error = "CHECK constraint failed"
//!   }
//! }
//! "#).unwrap();
//! let report = TestRunner::schema(DialectKind::Sqlite)
//!     .desired(Source::file(dir.join("schema.sql")))
//!     .run(&[dir.clone()])
//!     .await?;
//! assert!(report.passed(), "{}", report.to_text());
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok::<(), mercator_migrate::testing::TestError>(())
//! # }).unwrap();
//! ```

mod case;
mod error;
mod junit;
mod output;
mod report;
mod space;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use mercator_migrate_dir::MigrationDir;
use mercator_project::{Inputs, TestFile, TestKind, TestOptions, Warning, find_test_files};
use schema_model::DialectKind;

pub use case::{TEST_NAME_ENV, TEST_URL_ENV};
pub use error::TestError;
pub use output::{diff as output_diff, render as render_rows, same_output};
pub use report::{CaseFailure, CaseReport, CaseStatus, FailureKind, LogLine, TestReport};

use case::{Run, Setup};
use space::Spaces;

/// What `testing.dev_url` evaluates to for SQLite runs without a dev URL.
const SQLITE_TOKEN: &str = "sqlite://mercator-test-database";

/// Runs the test files of one kind. Built with [`TestRunner::schema`],
/// [`TestRunner::migrate`] or [`TestRunner::plan`], then [`TestRunner::run`].
#[derive(Debug, Clone)]
pub struct TestRunner {
    kind: TestKind,
    dialect: DialectKind,
    dev_url: Option<String>,
    desired: Option<crate::Source>,
    dir: Option<MigrationDir>,
    pattern: Option<String>,
    inputs: Inputs,
    parallelism: usize,
}

impl TestRunner {
    fn new(kind: TestKind, dialect: DialectKind) -> TestRunner {
        TestRunner {
            kind,
            dialect,
            dev_url: None,
            desired: None,
            dir: None,
            pattern: None,
            inputs: Inputs::new(),
            parallelism: std::thread::available_parallelism()
                .map(|n| n.get().max(2))
                .unwrap_or(4),
        }
    }

    /// Schema tests (`schema test`) on a database of this kind.
    pub fn schema(dialect: DialectKind) -> TestRunner {
        TestRunner::new(TestKind::Schema, dialect)
    }

    /// Migrate tests (`migrate test`) of `dir`.
    pub fn migrate(dialect: DialectKind, dir: MigrationDir) -> TestRunner {
        let mut runner = TestRunner::new(TestKind::Migrate, dialect);
        runner.dir = Some(dir);
        runner
    }

    /// Plan tests (`schema plan test`).
    pub fn plan(dialect: DialectKind) -> TestRunner {
        TestRunner::new(TestKind::Plan, dialect)
    }

    /// The dev database the cases' spaces are made on (required for PostgreSQL and MySQL;
    /// SQLite cases use database files in a temporary directory).
    pub fn dev_url(mut self, url: impl Into<String>) -> Self {
        self.dev_url = Some(url.into());
        self
    }

    /// The desired schema schema tests start from: SQL files, SQL text, a database, or a
    /// migration directory (a `file://` directory holding `atlas.sum`, applied in full).
    pub fn desired(mut self, source: crate::Source) -> Self {
        self.desired = Some(source);
        self
    }

    /// Runs only the cases whose name (or whose test's name) matches this regular
    /// expression (`--run`).
    pub fn pattern(mut self, pattern: impl Into<String>) -> Self {
        self.pattern = Some(pattern.into());
        self
    }

    /// Values for the test files' `variable` blocks (`--var`).
    pub fn inputs(mut self, inputs: Inputs) -> Self {
        self.inputs = inputs;
        self
    }

    /// How many `parallel` cases may run at once (default: the number of CPUs, at least
    /// 2). 1 runs every case serially.
    pub fn parallelism(mut self, n: usize) -> Self {
        self.parallelism = n.max(1);
        self
    }

    /// Reads the test files found in `paths` (files, or directories searched for
    /// `*.test.hcl`) and runs the cases of this runner's kind.
    ///
    /// Errors are problems that stop the run before any case (a bad file, a bad pattern, an
    /// unreachable dev database); failing cases are in the report.
    pub async fn run(&self, paths: &[PathBuf]) -> Result<TestReport, TestError> {
        Ok(self.run_with_warnings(paths).await?.0)
    }

    /// [`TestRunner::run`], also returning what the test files set that was not used
    /// (unknown attributes, unused `--var` values), located.
    pub async fn run_with_warnings(
        &self,
        paths: &[PathBuf],
    ) -> Result<(TestReport, Vec<Warning>), TestError> {
        let started = Instant::now();
        let pattern = match &self.pattern {
            Some(p) => Some(regex::Regex::new(p).map_err(|source| TestError::Pattern {
                pattern: p.clone(),
                source,
            })?),
            None => None,
        };
        let files = find_test_files(paths)?;
        if files.is_empty() {
            return Err(TestError::NoFiles(paths.to_vec()));
        }
        let token = self
            .dev_url
            .clone()
            .unwrap_or_else(|| SQLITE_TOKEN.to_owned());
        let options = TestOptions::new()
            .inputs(self.inputs.clone())
            .dev_url(token.clone());
        let mut warnings = Vec::new();
        let mut parsed = Vec::new();
        for file in &files {
            let loaded = TestFile::load(file, &options)?;
            warnings.extend(loaded.warnings.iter().cloned());
            parsed.push(loaded);
        }
        // Every case of this kind, in file order, with whether it may run alongside others.
        let mut selected = Vec::new();
        for (f, file) in parsed.iter().enumerate() {
            for (t, test) in file.tests.iter().enumerate() {
                if test.kind != self.kind {
                    continue;
                }
                for (c, case) in test.cases.iter().enumerate() {
                    let chosen = pattern
                        .as_ref()
                        .is_none_or(|re| re.is_match(&case.name) || re.is_match(&test.name));
                    if chosen {
                        selected.push((f, t, c, test.parallel && self.kind == TestKind::Schema));
                    }
                }
            }
        }
        let run = Arc::new(Run {
            spaces: Spaces::open(self.dialect, self.dev_url.as_deref()).await?,
            kind: self.dialect,
            setup: self.setup().await?,
            dev_url_token: token,
        });
        let parsed = Arc::new(parsed);
        let mut results: Vec<Option<CaseReport>> = vec![None; selected.len()];
        // Parallel cases first, bounded; then the others, one at a time.
        let gate = Arc::new(tokio::sync::Semaphore::new(self.parallelism));
        let mut set = tokio::task::JoinSet::new();
        for (i, &(f, t, c, parallel)) in selected.iter().enumerate() {
            if !parallel {
                continue;
            }
            let (run, parsed, gate) = (run.clone(), parsed.clone(), gate.clone());
            set.spawn(async move {
                let _permit = gate.acquire_owned().await;
                let file = &parsed[f];
                let test = &file.tests[t];
                (
                    i,
                    case::run_case(&run, &file.path, test, &test.cases[c]).await,
                )
            });
        }
        while let Some(joined) = set.join_next().await {
            let (i, report) = joined.map_err(|e| TestError::Task(e.to_string()))?;
            results[i] = Some(report);
        }
        for (i, &(f, t, c, parallel)) in selected.iter().enumerate() {
            if parallel {
                continue;
            }
            let file = &parsed[f];
            let test = &file.tests[t];
            results[i] = Some(case::run_case(&run, &file.path, test, &test.cases[c]).await);
        }
        let cases = results.into_iter().flatten().collect();
        Ok((
            TestReport {
                cases,
                duration: started.elapsed(),
            },
            warnings,
        ))
    }

    /// What every case starts from, read once for the run.
    async fn setup(&self) -> Result<Setup, TestError> {
        match self.kind {
            TestKind::Plan => Ok(Setup::Plan),
            TestKind::Migrate => {
                Ok(Setup::Migrate(self.dir.clone().ok_or(
                    TestError::Missing("a migration directory (--dir)"),
                )?))
            }
            TestKind::Schema => {
                let source = self.desired.as_ref().ok_or(TestError::Missing(
                    "the schema to test (--url: file://PATH or a database URL)",
                ))?;
                match source {
                    crate::Source::Files { path, .. } if path.join("atlas.sum").is_file() => {
                        Ok(Setup::SchemaDir(MigrationDir::open(path)?))
                    }
                    crate::Source::Database(url) => {
                        let driver = crate::open(url).await?;
                        if driver.kind() != self.dialect {
                            let found = driver.kind();
                            let _ = driver.close().await;
                            return Err(TestError::DialectMismatch {
                                dev: self.dialect,
                                expected: found,
                            });
                        }
                        let realm = driver.inspect(&Default::default()).await;
                        let sql = match realm {
                            Ok(realm) => {
                                crate::realm_sql(&realm, driver.dialect(), driver.bound_schema())
                            }
                            Err(e) => Err(e.into()),
                        };
                        driver.close().await?;
                        let statements = sqlimport::split(
                            &sql?,
                            std::path::Path::new("schema.sql"),
                            self.dialect,
                        )
                        .map_err(crate::MigrateError::from)?;
                        Ok(Setup::Schema(statements))
                    }
                    sql => Ok(Setup::Schema(
                        crate::dev::import(sql, self.dialect)?.statements,
                    )),
                }
            }
        }
    }
}
