//! `mercator schema test`, `mercator migrate test` and `mercator schema plan test`: run
//! `*.test.hcl` files with `mercator_migrate::testing` and print the report.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use mercator_migrate::dir::MigrationDir;
use mercator_migrate::testing::{TestReport, TestRunner};
use mercator_migrate::{DialectKind, MigrateError, Source, dialect_of};
use mercator_project::{EnvConfig, Inputs};

use crate::Failure;
use crate::output::print_block;

/// How the report is printed.
#[derive(Debug, Clone, Copy, Default, ValueEnum)]
pub enum ReportFormat {
    /// `go test`-like lines: `--- PASS: name (0.01s)`, failures with `file:line`.
    #[default]
    Text,
    /// One JSON document.
    Json,
    /// JUnit XML, for CI systems.
    Junit,
}

/// The flags every test command takes.
#[derive(Debug, Args)]
pub struct CommonTestArgs {
    /// Test files or directories holding `*.test.hcl` files (default: the env's
    /// `test { … src }`, else the current directory).
    paths: Vec<PathBuf>,
    /// The dev database each case gets a scratch space on (optional for SQLite).
    #[arg(long)]
    dev_url: Option<String>,
    /// Run only the cases whose name matches this regular expression.
    #[arg(long, value_name = "REGEXP")]
    run: Option<String>,
    /// A value for a test file variable: NAME=VALUE (repeat for lists).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    vars: Vec<String>,
    /// Report format.
    #[arg(long, value_enum, default_value = "text")]
    format: ReportFormat,
    /// How many `parallel = true` cases may run at once (1: every case serially).
    #[arg(long, value_name = "N")]
    parallel: Option<usize>,
    /// Test files from the env's `test { … src }` (set by `--env`).
    #[arg(long = "env-test-src", hide = true)]
    env_src: Vec<PathBuf>,
    /// Variables from the env's `test { … vars }` (set by `--env`); `--var` wins.
    #[arg(long = "env-test-var", hide = true)]
    env_vars: Vec<String>,
}

/// `schema test`.
#[derive(Debug, Args)]
pub struct SchemaTestArgs {
    /// The schema under test: file://PATH (SQL files, or a migration directory), or a
    /// database URL.
    #[arg(short, long)]
    url: String,
    #[command(flatten)]
    common: CommonTestArgs,
}

/// `migrate test`.
#[derive(Debug, Args)]
pub struct MigrateTestArgs {
    /// The migration directory.
    #[arg(long, default_value = "file://migrations")]
    dir: String,
    #[command(flatten)]
    common: CommonTestArgs,
}

/// `schema plan test`.
#[derive(Debug, Args)]
pub struct PlanTestArgs {
    #[command(flatten)]
    common: CommonTestArgs,
}

/// The subcommand of `schema plan`.
#[derive(Debug, Subcommand)]
pub enum PlanSubcommand {
    /// Run the `test "plan"` cases of test files: a schema state, a plan file applied.
    Test(PlanTestArgs),
}

/// Runs `schema test`.
pub async fn schema_test(args: SchemaTestArgs) -> Result<(), Failure> {
    let source = Source::parse(&args.url)?;
    let dialect = match (&args.common.dev_url, &source) {
        (Some(dev), _) => dialect_of(dev)?,
        (None, Source::Database(url)) => dialect_of(url)?,
        (None, _) => DialectKind::Sqlite,
    };
    let runner = TestRunner::schema(dialect).desired(source);
    execute(runner, args.common).await
}

/// Runs `migrate test`.
pub async fn migrate_test(args: MigrateTestArgs) -> Result<(), Failure> {
    let path = args.dir.strip_prefix("file://").unwrap_or(&args.dir);
    let dir =
        MigrationDir::open(path).map_err(|e| Failure::Message(format!("--dir {path}: {e}")))?;
    let dialect = dialect(&args.common)?;
    execute(TestRunner::migrate(dialect, dir), args.common).await
}

/// Runs `schema plan test`.
pub async fn plan_test(args: PlanTestArgs) -> Result<(), Failure> {
    let dialect = dialect(&args.common)?;
    execute(TestRunner::plan(dialect), args.common).await
}

fn dialect(common: &CommonTestArgs) -> Result<DialectKind, MigrateError> {
    match &common.dev_url {
        Some(dev) => dialect_of(dev),
        None => Ok(DialectKind::Sqlite),
    }
}

async fn execute(mut runner: TestRunner, common: CommonTestArgs) -> Result<(), Failure> {
    if let Some(dev) = &common.dev_url {
        runner = runner.dev_url(dev);
    }
    if let Some(pattern) = &common.run {
        runner = runner.pattern(pattern);
    }
    if let Some(n) = common.parallel {
        runner = runner.parallelism(n);
    }
    runner = runner.inputs(inputs(&common)?);
    let paths = if !common.paths.is_empty() {
        common.paths
    } else if !common.env_src.is_empty() {
        common.env_src
    } else {
        vec![PathBuf::from(".")]
    };
    let (report, warnings) = runner
        .run_with_warnings(&paths)
        .await
        .map_err(|e| Failure::Message(e.to_string()))?;
    for warning in warnings {
        eprintln!("{warning}");
    }
    print_report(&report, common.format);
    if report.passed() {
        Ok(())
    } else {
        Err(Failure::Status(1))
    }
}

/// `--var` values, and the env's test variables not given with `--var`.
fn inputs(common: &CommonTestArgs) -> Result<Inputs, MigrateError> {
    let given: Vec<&str> = common
        .vars
        .iter()
        .filter_map(|v| v.split_once('=').map(|(n, _)| n.trim()))
        .collect();
    let from_env = common.env_vars.iter().filter(|v| {
        v.split_once('=')
            .is_some_and(|(n, _)| !given.contains(&n.trim()))
    });
    Ok(Inputs::from_flags(common.vars.iter().chain(from_env))?)
}

fn print_report(report: &TestReport, format: ReportFormat) {
    let text = match format {
        ReportFormat::Text => report.to_text(),
        ReportFormat::Json => report.to_json(),
        ReportFormat::Junit => report.to_junit(),
    };
    print_block(&text);
}

/// Which test command the line runs: `schema test`, `migrate test` or `schema plan test`.
pub fn test_command(args: &[OsString]) -> Option<&'static str> {
    // The command's words follow the global flags and each other directly; a word after a
    // flag (`schema plan --save test`) is that flag's value.
    let words: Vec<String> = args
        .iter()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .skip_while(|a| a.starts_with('-'))
        .take_while(|a| !a.starts_with('-'))
        .take(3)
        .collect();
    match words
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["schema", "test", ..] => Some("schema"),
        ["migrate", "test", ..] => Some("migrate"),
        ["schema", "plan", "test"] => Some("plan"),
        _ => None,
    }
}

/// The env's settings for a test command: the schema or directory under test, the dev
/// URL, and its `test { schema|migrate { src, vars } }` files and variables (plan tests
/// are listed under `test.schema`, as in Atlas). The user's `--var` values go to the test
/// files too.
pub fn fill_from_env(
    line: &mut Vec<OsString>,
    kind: &str,
    env: &EnvConfig,
    vars: &[String],
) -> Result<(), Failure> {
    let mut add = |flag: &str, value: &str| {
        let given = line.iter().any(|a| {
            let a = a.to_string_lossy();
            a == flag || a.starts_with(&format!("{flag}="))
        });
        if !value.is_empty() && !given {
            line.push(flag.into());
            line.push(value.into());
        }
    };
    if let Some(dev) = &env.dev {
        add("--dev-url", dev);
    }
    match kind {
        "schema" => {
            if let [src] = env.src.as_slice() {
                add("--url", src);
            }
        }
        "migrate" => {
            if let Some(dir) = &env.migration.dir {
                add("--dir", dir);
            }
        }
        _ => {}
    }
    let suite = match kind {
        "migrate" => env.test.migrate.as_ref(),
        _ => env.test.schema.as_ref(),
    };
    for var in vars {
        line.push("--var".into());
        line.push(var.into());
    }
    let Some(suite) = suite else {
        return Ok(());
    };
    for src in &suite.src {
        line.push("--env-test-src".into());
        line.push(src.into());
    }
    for (name, value) in &suite.vars {
        let value = serde_json::to_value(value).unwrap_or_default();
        let items = match value {
            serde_json::Value::Array(items) => items,
            other => vec![other],
        };
        for item in items {
            let text = match item {
                serde_json::Value::String(s) => s,
                serde_json::Value::Number(_) | serde_json::Value::Bool(_) => item.to_string(),
                other => {
                    return Err(Failure::Message(format!(
                        "{}: env \"{}\": test variable {name:?} is {other}; Mercator passes strings, numbers, booleans and lists of them",
                        env.location, env.name
                    )));
                }
            };
            line.push("--env-test-var".into());
            line.push(format!("{name}={text}").into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn test_commands_are_recognized_after_global_flags() {
        assert_eq!(
            test_command(&args(&["mercator", "-v", "schema", "test", "x.test.hcl"])),
            Some("schema")
        );
        assert_eq!(
            test_command(&args(&["mercator", "migrate", "test"])),
            Some("migrate")
        );
        assert_eq!(
            test_command(&args(&[
                "mercator",
                "schema",
                "plan",
                "test",
                "--dev-url",
                "x"
            ])),
            Some("plan")
        );
        assert_eq!(
            test_command(&args(&["mercator", "schema", "plan", "--save", "test"])),
            None
        );
        assert_eq!(test_command(&args(&["mercator", "schema", "apply"])), None);
        assert_eq!(test_command(&args(&["mercator", "migrate", "lint"])), None);
    }
}
