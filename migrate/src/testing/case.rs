//! Running one case: its space prepared (desired schema, nothing, or nothing yet), its
//! commands in order until one fails, its `cleanup` SQL in reverse order, its space
//! removed.

use std::path::{Path, PathBuf};
use std::time::Instant;

use mercator_driver::{Driver, DriverError, Rows};
use mercator_migrate_dir::MigrationDir;
use mercator_project::{Command, CommandKind, Expect, Location, OutputFormat, TestBlock, TestCase};
use schema_model::DialectKind;

mod plan;

use super::output;
use super::report::{CaseFailure, CaseReport, CaseStatus, FailureKind, LogLine};
use super::space::{Space, Spaces};
use crate::Migrator;

/// The environment variable holding the URL of the case's own database for `external`
/// programs.
pub const TEST_URL_ENV: &str = "MERCATOR_TEST_URL";
/// The environment variable holding the case's name for `external` programs.
pub const TEST_NAME_ENV: &str = "MERCATOR_TEST_NAME";

/// What every case of the run starts from.
pub(crate) enum Setup {
    /// Schema tests: the desired schema's statements, located in their files.
    Schema(Vec<sqlimport::Statement>),
    /// Schema tests whose desired schema is a migration directory, applied in full.
    SchemaDir(MigrationDir),
    /// Migrate tests: an empty database and the directory `migrate` commands apply.
    Migrate(MigrationDir),
    /// Plan tests: an empty database (`schema` commands set the plan's starting state).
    Plan,
}

/// Everything the cases of one run share.
pub(crate) struct Run {
    pub(crate) spaces: Spaces,
    pub(crate) kind: DialectKind,
    pub(crate) setup: Setup,
    /// What `testing.dev_url` evaluated to in the test files; in `external` arguments it
    /// stands for the case's own database.
    pub(crate) dev_url_token: String,
}

/// A failure on its way to the report.
struct Failed {
    kind: FailureKind,
    message: String,
    diff: Option<String>,
}

impl Failed {
    fn new(kind: FailureKind, message: impl Into<String>) -> Failed {
        Failed {
            kind,
            message: message.into(),
            diff: None,
        }
    }
}

/// Runs one case and reports it; never fails itself (everything is in the report).
pub(crate) async fn run_case(
    run: &Run,
    file: &Path,
    test: &TestBlock,
    case: &TestCase,
) -> CaseReport {
    let started = Instant::now();
    let mut report = CaseReport {
        name: case.name.clone(),
        kind: test.kind,
        file: file.to_path_buf(),
        line: test.location.line,
        status: CaseStatus::Skip,
        duration: Default::default(),
        logs: Vec::new(),
        failure: None,
    };
    if case.skip {
        return report;
    }
    let failure = match run.spaces.create().await {
        Err(e) => Some(CaseFailure {
            location: test.location.clone(),
            kind: FailureKind::Setup,
            message: format!("creating the test database: {e}"),
            diff: None,
        }),
        Ok(space) => {
            let mut state = CaseState {
                run,
                space: &space,
                dir: file
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
                name: &case.name,
                logs: Vec::new(),
                cleanups: Vec::new(),
            };
            let mut failure = state.setup().await.err().map(|f| CaseFailure {
                location: test.location.clone(),
                kind: f.kind,
                message: f.message,
                diff: f.diff,
            });
            if failure.is_none() {
                for command in &case.commands {
                    if let Err(f) = state.command(command).await {
                        failure = Some(CaseFailure {
                            location: command.location.clone(),
                            kind: f.kind,
                            message: f.message,
                            diff: f.diff,
                        });
                        break;
                    }
                }
            }
            // Clean-ups run whatever happened, last registered first; the first failure
            // of the case is the one reported.
            while let Some((location, sql)) = state.cleanups.pop() {
                if let Err(f) = state.sql(&sql).await
                    && failure.is_none()
                {
                    failure = Some(CaseFailure {
                        location,
                        kind: f.kind,
                        message: format!("cleanup: {}", f.message),
                        diff: None,
                    });
                }
            }
            report.logs = state.logs;
            if let Err(e) = run.spaces.remove(space).await
                && failure.is_none()
            {
                failure = Some(CaseFailure {
                    location: test.location.clone(),
                    kind: FailureKind::Setup,
                    message: format!("removing the test database: {e}"),
                    diff: None,
                });
            }
            failure
        }
    };
    report.status = if failure.is_some() {
        CaseStatus::Fail
    } else {
        CaseStatus::Pass
    };
    report.failure = failure;
    report.duration = started.elapsed();
    report
}

struct CaseState<'a> {
    run: &'a Run,
    space: &'a Space,
    /// The test file's directory: relative paths in the file are resolved from it.
    dir: PathBuf,
    name: &'a str,
    logs: Vec<LogLine>,
    cleanups: Vec<(Location, String)>,
}

impl CaseState<'_> {
    fn driver(&self) -> &dyn Driver {
        self.space.driver()
    }

    async fn setup(&mut self) -> Result<(), Failed> {
        let statements = match &self.run.setup {
            Setup::Schema(statements) => statements,
            Setup::SchemaDir(dir) => {
                return self.migrate_dir(dir, None).await.map_err(|e| {
                    Failed::new(
                        FailureKind::Setup,
                        format!("creating the desired schema: {e}"),
                    )
                });
            }
            Setup::Migrate(_) | Setup::Plan => return Ok(()),
        };
        let mut session = self.driver().session().await.map_err(setup_error)?;
        for statement in statements {
            if let Err(e) = session.execute(&statement.sql).await {
                return Err(Failed::new(
                    FailureKind::Setup,
                    format!(
                        "creating the desired schema: {}: {}",
                        statement.location,
                        db_message(&e)
                    ),
                ));
            }
        }
        Ok(())
    }

    async fn command(&mut self, command: &Command) -> Result<(), Failed> {
        match &command.kind {
            CommandKind::Exec {
                sql,
                format,
                expect,
            } => {
                let rows = self.sql(sql).await?;
                match expect {
                    None => Ok(()),
                    Some(expect) => {
                        check_output("exec", expect, &output::render(&rows, *format), *format)
                    }
                }
            }
            CommandKind::Assert { sql, error_message } => {
                let rows = self.sql(sql).await?;
                let value = single_value(&rows);
                if value.as_deref().is_some_and(truthy) {
                    return Ok(());
                }
                let got = match value {
                    Some(v) => format!("returned {v:?}"),
                    None => format!(
                        "returned {} row(s) of {} column(s), not one value",
                        rows.rows.len(),
                        rows.columns.len()
                    ),
                };
                Err(Failed::new(
                    FailureKind::Assertion,
                    match error_message {
                        Some(m) => format!("assert: {m}\n(the query {got})"),
                        None => format!("assert: the query {got}, not true"),
                    },
                ))
            }
            CommandKind::Catch { sql, error } => match self.sql(sql).await {
                Ok(_) => Err(Failed::new(
                    FailureKind::NoError,
                    match error {
                        Some(e) => format!(
                            "catch: expected an error matching {e:?}, but the SQL succeeded"
                        ),
                        None => "catch: expected an error, but the SQL succeeded".to_owned(),
                    },
                )),
                Err(failed) => match error {
                    Some(expected) if !error_matches(expected, &failed.message) => {
                        Err(Failed::new(
                            FailureKind::WrongError,
                            format!(
                                "catch: expected an error matching {expected:?}, got: {}",
                                failed.message
                            ),
                        ))
                    }
                    _ => Ok(()),
                },
            },
            CommandKind::Log { message } => {
                self.logs.push(LogLine {
                    location: command.location.clone(),
                    message: message.clone(),
                });
                Ok(())
            }
            CommandKind::Cleanup { sql } => {
                self.cleanups.push((command.location.clone(), sql.clone()));
                Ok(())
            }
            CommandKind::External {
                program,
                args,
                working_dir,
                expect,
            } => {
                self.external(program, args, working_dir.as_deref(), expect.as_ref())
                    .await
            }
            CommandKind::Migrate { to } => self.migrate(to).await,
            CommandKind::Schema { url } => self.schema(url).await,
            CommandKind::Apply { url } => self.apply(url).await,
        }
    }

    /// Runs SQL statement by statement and returns the rows of the last statement that
    /// returned columns (the last statement's, if none did).
    async fn sql(&self, sql: &str) -> Result<Rows, Failed> {
        let statements = sqlimport::split(sql, Path::new("sql"), self.run.kind)
            .map_err(|e| Failed::new(FailureKind::Sql, format!("cannot split the SQL: {e}")))?;
        let mut session = self
            .driver()
            .session()
            .await
            .map_err(|e| Failed::new(FailureKind::Sql, db_message(&e)))?;
        let mut last: Option<Rows> = None;
        for statement in &statements {
            match session.query(&statement.sql).await {
                Ok(rows) => {
                    if !rows.columns.is_empty()
                        || last.as_ref().is_none_or(|l| l.columns.is_empty())
                    {
                        last = Some(rows);
                    }
                }
                Err(e) => {
                    let message = db_message(&e);
                    return Err(Failed::new(
                        FailureKind::Sql,
                        if statements.len() > 1 {
                            format!(
                                "statement {:?} failed: {message}",
                                first_line(&statement.sql)
                            )
                        } else {
                            message
                        },
                    ));
                }
            }
        }
        Ok(last.unwrap_or_default())
    }

    async fn external(
        &self,
        program: &str,
        args: &[String],
        working_dir: Option<&str>,
        expect: Option<&Expect>,
    ) -> Result<(), Failed> {
        let token = &self.run.dev_url_token;
        let url = &self.space.url;
        let args: Vec<String> = args
            .iter()
            .map(|a| a.replace(token.as_str(), url))
            .collect();
        let cwd = match working_dir {
            Some(d) => self.dir.join(d),
            None => self.dir.clone(),
        };
        let shown = std::iter::once(program.to_owned())
            .chain(
                args.iter()
                    .map(|a| a.replace(url.as_str(), "$MERCATOR_TEST_URL")),
            )
            .collect::<Vec<_>>()
            .join(" ");
        let mut cmd = std::process::Command::new(program);
        cmd.args(&args)
            .current_dir(&cwd)
            .env(TEST_URL_ENV, url)
            .env(TEST_NAME_ENV, self.name)
            .stdin(std::process::Stdio::null());
        let output = tokio::task::spawn_blocking(move || cmd.output())
            .await
            .map_err(|e| Failed::new(FailureKind::External, format!("external `{shown}`: {e}")))?
            .map_err(|e| {
                Failed::new(
                    FailureKind::External,
                    format!(
                        "external `{shown}` could not start in {}: {e}",
                        cwd.display()
                    ),
                )
            })?;
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let tail: Vec<&str> = stderr.lines().rev().take(20).collect();
            let mut message = format!(
                "external `{shown}` failed: {}",
                match output.status.code() {
                    Some(code) => format!("exit status {code}"),
                    None => "killed by a signal".to_owned(),
                }
            );
            for line in tail.into_iter().rev() {
                message.push('\n');
                message.push_str(line);
            }
            return Err(Failed::new(FailureKind::External, message));
        }
        match expect {
            None => Ok(()),
            Some(Expect::Output(expected))
                if expected.trim_matches('\n') == stdout.trim_matches('\n') =>
            {
                Ok(())
            }
            Some(expect) => check_output("external", expect, &stdout, OutputFormat::Csv),
        }
    }

    async fn migrate(&self, to: &str) -> Result<(), Failed> {
        let Setup::Migrate(dir) = &self.run.setup else {
            return Err(Failed::new(
                FailureKind::Migrate,
                "migrate: no migration directory",
            ));
        };
        if dir.file_by_version(to).is_none() {
            return Err(Failed::new(
                FailureKind::Migrate,
                format!("migrate: the directory has no migration with version {to:?}"),
            ));
        }
        self.migrate_dir(dir, Some(to))
            .await
            .map_err(|e| Failed::new(FailureKind::Migrate, format!("migrate to {to}: {e}")))
    }

    /// Applies `dir` (up to `to`) to the case's database.
    async fn migrate_dir(&self, dir: &MigrationDir, to: Option<&str>) -> Result<(), String> {
        let mut builder = Migrator::builder(dir.clone()).allow_dirty(true);
        if let Some(to) = to {
            builder = builder.to_version(to);
        }
        if let Some(schema) = &self.space.schema_space {
            // Keeps the revisions table inside the case's own schema.
            builder = builder.revisions_schema(schema.clone());
        }
        let migrator = builder.build().map_err(|e| e.to_string())?;
        migrator
            .apply_on(self.driver())
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

fn check_output(
    what: &str,
    expect: &Expect,
    actual: &str,
    format: OutputFormat,
) -> Result<(), Failed> {
    match expect {
        Expect::Output(expected) => {
            if output::same_output(expected, actual, format) {
                Ok(())
            } else {
                Err(Failed {
                    kind: FailureKind::Output,
                    message: format!("{what}: the output is not the expected one"),
                    diff: Some(output::diff(expected, actual)),
                })
            }
        }
        Expect::Match(pattern) => {
            let re = regex::Regex::new(pattern).map_err(|e| {
                Failed::new(
                    FailureKind::Output,
                    format!("{what}: match {pattern:?} is not a regular expression: {e}"),
                )
            })?;
            if re.is_match(actual) {
                Ok(())
            } else {
                Err(Failed::new(
                    FailureKind::Output,
                    format!("{what}: the output does not match {pattern:?}; it is:\n{actual}"),
                ))
            }
        }
    }
}

/// The one value of a one-row, one-column result.
fn single_value(rows: &Rows) -> Option<String> {
    match rows.rows.as_slice() {
        [row] if row.len() == 1 => Some(row[0].clone().unwrap_or_else(|| "NULL".to_owned())),
        _ => None,
    }
}

/// Truth as the three databases print it: PostgreSQL `t`, MySQL and SQLite `1`.
fn truthy(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "t" | "true" | "1" | "yes" | "on"
    )
}

/// `catch`'s `error` is a regular expression searched in the message; text that is not a
/// valid expression is searched for literally.
fn error_matches(expected: &str, message: &str) -> bool {
    match regex::Regex::new(expected) {
        Ok(re) => re.is_match(message),
        Err(_) => message.contains(expected),
    }
}

/// The database's own words, on one line.
fn db_message(error: &DriverError) -> String {
    let text = match error {
        DriverError::Exec { message, .. } => message.clone(),
        other => other.to_string(),
    };
    crate::dev::one_line(&text)
}

fn setup_error(error: DriverError) -> Failed {
    Failed::new(FailureKind::Setup, db_message(&error))
}

fn first_line(sql: &str) -> String {
    let line = sql.lines().next().unwrap_or_default().trim();
    if line.chars().count() > 60 {
        format!("{}…", line.chars().take(60).collect::<String>())
    } else {
        line.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truth_and_error_matching() {
        assert!(truthy("t") && truthy("1") && truthy("TRUE"));
        assert!(!truthy("f") && !truthy("0") && !truthy("NULL"));
        assert!(error_matches(
            "incomplete input",
            "near \"+\": incomplete input"
        ));
        assert!(error_matches(
            "violates check constraint \"\\w+\"",
            "new row violates check constraint \"price_positive\""
        ));
        // Not a valid expression: searched literally.
        assert!(error_matches("f(x", "error in f(x)"));
        assert!(!error_matches("duplicate", "syntax error"));
    }
}
