//! `--env NAME` (with `--var k=v` and `--config file://atlas.hcl`): an `atlas.hcl` env
//! fills in the flags a command was not given, as Atlas does.
//!
//! The env is resolved before the command line is parsed: its values become ordinary flags
//! (`url` → `--url`, `migration { dir }` → `--dir`, …), so every command reads one set of
//! arguments, flags given explicitly win, and an env with `for_each` runs the command once
//! per instance. Whatever the file sets that the command does not act on is a located
//! warning on stderr.
//!
//! Which command takes which attribute is the one table [`COMMANDS`]: adding a command to
//! `--env` is adding a row. The lint block's analyzer settings and `review` travel as the
//! hidden `--env-lint-config` JSON flag, under `--lint-config` and the command's own flags.

use std::ffi::OsString;

use clap::{Args, ValueEnum};
use mercator_migrate::MigrateError;
use mercator_migrate::project::{
    ConcurrentIndexes, DiffOptions, diff_options, lint_config, skip_from_name,
};
use mercator_project::{EnvConfig, ExecOrder, Inputs, LoadOptions, ProjectFile, Warning};

use crate::Failure;

/// Diff policy flags of `schema apply` and `schema plan` (also filled from an env's
/// `diff` block).
#[derive(Debug, Args, Default)]
pub struct DiffPolicyArgs {
    /// Leave changes of this kind out of the plan (Atlas's `diff { skip { KIND = true } }`
    /// names: drop_schema, drop_table, drop_column, drop_index, drop_foreign_key, drop_view,
    /// drop_func, drop_proc, drop_trigger).
    #[arg(long = "diff-skip", value_name = "KIND")]
    pub skip: Vec<String>,
    /// Create and/or drop PostgreSQL indexes on existing tables CONCURRENTLY, outside the
    /// transaction (`diff { concurrent_index { create, drop } }`).
    #[arg(long = "concurrent-index", value_enum, value_name = "WHAT")]
    pub concurrent: Vec<ConcurrentArg>,
}

/// The sides of `concurrent_index`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConcurrentArg {
    /// `CREATE INDEX CONCURRENTLY`.
    Create,
    /// `DROP INDEX CONCURRENTLY`.
    Drop,
}

impl DiffPolicyArgs {
    /// The diff options and index concurrency the flags ask for. A kind that is not a
    /// drop cannot be skipped: that is an error rather than a plan the user did not expect.
    pub fn resolve(&self) -> Result<(DiffOptions, ConcurrentIndexes), Failure> {
        let mut policy = mercator_project::DiffPolicy::default();
        let mut skip = std::collections::BTreeSet::new();
        for name in &self.skip {
            let kind = skip_from_name(name).ok_or_else(|| {
                Failure::Message(format!(
                    "--diff-skip {name:?}: not a diff skip kind (e.g. drop_table, drop_column)"
                ))
            })?;
            skip.insert(kind);
        }
        policy.skip = Some(skip);
        let (options, unsupported) = diff_options(&policy);
        if let Some(kind) = unsupported.first() {
            return Err(Failure::Message(format!(
                "--diff-skip {}: Mercator can only leave drops out of a plan",
                kind.name()
            )));
        }
        let concurrent = ConcurrentIndexes {
            create: self.concurrent.contains(&ConcurrentArg::Create),
            drop: self.concurrent.contains(&ConcurrentArg::Drop),
        };
        Ok((options, concurrent))
    }
}

/// The project flags found on a command line, removed from it.
#[derive(Debug, Default)]
struct ProjectFlags {
    env: Option<String>,
    vars: Vec<String>,
    config: Option<String>,
}

/// Takes `--env`, `--var` and `--config`/`-c` (in `--flag value` or `--flag=value` form)
/// out of `args`.
fn take_project_flags(args: Vec<OsString>) -> Result<(Vec<OsString>, ProjectFlags), Failure> {
    let mut flags = ProjectFlags::default();
    let mut rest = Vec::with_capacity(args.len());
    let mut iter = args.into_iter();
    while let Some(arg) = iter.next() {
        let text = arg.to_string_lossy().into_owned();
        let (name, inline) = match text.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_owned(), Some(v.to_owned())),
            _ => (text.clone(), None),
        };
        let slot = match name.as_str() {
            "--env" => 0,
            "--var" => 1,
            "--config" | "-c" => 2,
            _ => {
                rest.push(arg);
                continue;
            }
        };
        let value = match inline {
            Some(v) => v,
            None => iter
                .next()
                .map(|v| v.to_string_lossy().into_owned())
                .ok_or_else(|| Failure::Message(format!("{name} needs a value")))?,
        };
        match slot {
            0 => flags.env = Some(value),
            1 => flags.vars.push(value),
            _ => flags.config = Some(value),
        }
    }
    Ok((rest, flags))
}

/// The command's two words (`schema apply`), skipping global flags before them.
fn command_of(args: &[OsString]) -> (String, String) {
    let words: Vec<String> = args
        .iter()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .filter(|a| !a.starts_with('-'))
        .take(2)
        .collect();
    (
        words.first().cloned().unwrap_or_default(),
        words.get(1).cloned().unwrap_or_default(),
    )
}

/// Whether the command line already has the flag (`--url x`, `--url=x`, or `-u x`).
fn has(args: &[OsString], long: &str, short: Option<&str>) -> bool {
    args.iter().any(|a| {
        let a = a.to_string_lossy();
        a == long || a.starts_with(&format!("{long}=")) || short.is_some_and(|s| a == s)
    })
}

/// Expands `--env`: one command line per selected env instance (the command line as given
/// when there is no `--env`).
pub fn expand(args: Vec<OsString>) -> Result<Vec<Vec<OsString>>, Failure> {
    let (rest, flags) = take_project_flags(args.clone())?;
    let test = crate::test::test_command(&rest);
    let Some(env_name) = flags.env else {
        // Test commands take `--var` for their test files' variables.
        if test.is_some() && flags.config.is_none() {
            return Ok(vec![args]);
        }
        if !flags.vars.is_empty() || flags.config.is_some() {
            return Err(Failure::Message(
                "--var and --config only apply with --env NAME".to_owned(),
            ));
        }
        return Ok(vec![args]);
    };
    let config = flags
        .config
        .unwrap_or_else(|| "file://atlas.hcl".to_owned());
    let path = config.strip_prefix("file://").unwrap_or(&config).to_owned();
    let project = ProjectFile::load(&path).map_err(MigrateError::from)?;
    let inputs = Inputs::from_flags(&flags.vars).map_err(MigrateError::from)?;
    let options = LoadOptions::new()
        .inputs(inputs)
        .sql(crate::fleet::data_source);
    let selection = project
        .select(&env_name, &options)
        .map_err(MigrateError::from)?;
    for warning in &selection.warnings {
        eprintln!("{warning}");
    }
    let (group, command) = command_of(&rest);
    // fleet: a `for_each` env of a command that takes a tenant set runs once, as a fleet
    // over every instance's URL (Atlas's multi-tenant pattern); see `crate::fleet`.
    let fleet_urls = crate::fleet::for_each_urls(&group, &command, &selection.envs)
        .filter(|_| !has(&rest, "--url", Some("-u")));
    let mut lines = Vec::new();
    for env in &selection.envs {
        let mut line = rest.clone();
        if let Some(kind) = test {
            crate::test::fill_from_env(&mut line, kind, env, &flags.vars)?;
            lines.push(line);
            continue;
        }
        for url in fleet_urls.iter().flatten() {
            line.push("--url".into());
            line.push(url.into());
        }
        for warning in fill(&mut line, &group, &command, env)? {
            eprintln!("{warning}");
        }
        lines.push(line);
        if fleet_urls.is_some() {
            break;
        }
    }
    Ok(lines)
}

/// An env attribute a command can take, and the flag it becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Takes {
    /// `url` as this flag.
    Url(&'static str),
    /// `src` (one entry) as this flag.
    Src(&'static str),
    /// `dev` as `--dev-url`.
    Dev,
    /// `schemas` as `--schema`.
    Schemas,
    /// `migration { dir }` as `--dir`.
    Dir,
    /// `migration { revisions_schema, lock_timeout, exec_order }` as the same flags.
    Revisions,
    /// `migration { baseline }` as `--baseline`.
    Baseline,
    /// `diff { skip, concurrent_index }` as `--diff-skip` and `--concurrent-index`.
    Diff,
    /// The analyzer blocks and `review` of `lint`, as the hidden `--env-lint-config`.
    LintSettings,
    /// `lint { latest, git { base }, format }` as `--latest`, `--git-base` and `--format`.
    LintSelection,
}

/// Which env attributes one command takes.
struct CommandEnv {
    group: &'static str,
    command: &'static str,
    takes: &'static [Takes],
}

const fn command(
    group: &'static str,
    command: &'static str,
    takes: &'static [Takes],
) -> CommandEnv {
    CommandEnv {
        group,
        command,
        takes,
    }
}

use Takes::*;

/// Every command `--env` works with. Where two attributes fill one flag, the first one the
/// env sets wins (`schema lint` checks the desired schema, else the database).
const COMMANDS: &[CommandEnv] = &[
    command("schema", "inspect", &[Url("--url"), Dev, Schemas]),
    command("schema", "diff", &[Url("--from"), Src("--to"), Dev]),
    command(
        "schema",
        "apply",
        &[Url("--url"), Src("--to"), Dev, Schemas, Diff, LintSettings],
    ),
    command(
        "schema",
        "plan",
        &[Url("--url"), Src("--to"), Dev, Schemas, Diff, LintSettings],
    ),
    command(
        "schema",
        "lint",
        &[Src("--url"), Url("--url"), Dev, LintSettings],
    ),
    command(
        "schema",
        "reconcile",
        &[Url("--url"), Src("--to"), Dev, Schemas],
    ),
    command(
        "migrate",
        "apply",
        &[Url("--url"), Dir, Revisions, Baseline],
    ),
    command("migrate", "status", &[Url("--url"), Dir, Revisions]),
    command("migrate", "down", &[Url("--url"), Dir, Revisions, Dev]),
    command("migrate", "set", &[Url("--url"), Dir, Revisions]),
    command("migrate", "lint", &[Dir, Dev, LintSettings, LintSelection]),
    command("migrate", "diff", &[Dir, Src("--to"), Dev]),
    command("migrate", "validate", &[Dir, Dev]),
    command("migrate", "hash", &[Dir]),
    command("migrate", "new", &[Dir]),
];

/// Adds the env's values the command takes and lacks; returns warnings for what it sets
/// that the command does not act on.
fn fill(
    line: &mut Vec<OsString>,
    group: &str,
    command: &str,
    env: &EnvConfig,
) -> Result<Vec<Warning>, Failure> {
    let Some(spec) = COMMANDS
        .iter()
        .find(|c| c.group == group && c.command == command)
    else {
        return Err(Failure::Message(format!(
            "--env is not supported by `mercator {group} {command}` yet"
        )));
    };
    let takes = |t: Takes| spec.takes.contains(&t);
    let takes_url = spec.takes.iter().any(|t| matches!(t, Url(_)));
    let takes_src = spec.takes.iter().any(|t| matches!(t, Src(_)));
    let mut warnings = Vec::new();
    let mut warn = |what: &str, location: Option<&mercator_project::Location>| {
        warnings.push(Warning {
            location: location.unwrap_or(&env.location).clone(),
            message: format!(
                "env \"{}\": {what} is not used by `mercator {group} {command}`",
                env.name
            ),
        })
    };
    for take in spec.takes {
        match *take {
            Url(flag) => {
                if let Some(url) = &env.url {
                    add(line, flag, short_of(flag), url);
                }
            }
            Src(flag) => {
                if let Some(src) = single_src(env)? {
                    add(line, flag, short_of(flag), &src);
                }
            }
            Dev => {
                if let Some(dev) = &env.dev {
                    add(line, "--dev-url", None, dev);
                }
            }
            Schemas => {
                if !has(line, "--schema", Some("-s")) {
                    for schema in &env.schemas {
                        line.push("--schema".into());
                        line.push(schema.into());
                    }
                }
            }
            Dir => {
                if let Some(dir) = &env.migration.dir {
                    add(line, "--dir", None, dir);
                }
            }
            Revisions => fill_revisions(line, &env.migration),
            Baseline => {
                if let Some(baseline) = &env.migration.baseline {
                    add(line, "--baseline", None, baseline);
                }
            }
            Diff => {
                for kind in fill_diff(line, env) {
                    warn(
                        &format!("diff.skip.{} (only drops can be skipped)", kind.name()),
                        None,
                    );
                }
            }
            LintSettings => {
                let (config, unsupported) = lint_config(&env.lint);
                if config != schema_lint::LintConfig::default()
                    && !has(line, "--env-lint-config", None)
                {
                    let json = serde_json::to_string(&config).map_err(MigrateError::from)?;
                    line.push("--env-lint-config".into());
                    line.push(json.into());
                }
                for item in unsupported {
                    warn(
                        &format!("lint.{} ({})", item.path, item.reason),
                        env.lint.locations.get(&item.path),
                    );
                }
            }
            LintSelection => {
                let lint = &env.lint;
                let chosen = has(line, "--latest", None) || has(line, "--git-base", None);
                if !chosen {
                    match (lint.latest, &lint.git.base) {
                        (Some(n), _) => add(line, "--latest", None, &n.to_string()),
                        (None, Some(base)) => add(line, "--git-base", None, base),
                        (None, None) => {}
                    }
                }
                if lint.git.dir.is_some() {
                    warn(
                        "lint.git.dir (git runs in the current directory)",
                        lint.locations.get("git.dir"),
                    );
                }
                match lint.format.as_deref().map(lint_format) {
                    Some(Some(format)) => add(line, "--format", None, format),
                    Some(None) => warn(
                        "lint.format (only the template {{ json . }} is understood; the text report is printed)",
                        lint.locations.get("format"),
                    ),
                    None => {}
                }
            }
        }
    }
    // What the env sets for this kind of command but this command cannot act on.
    if !env.schemas.is_empty() && takes_url && !takes(Schemas) {
        warn("schemas", None);
    }
    if env.migration.baseline.is_some() && takes(Revisions) && !takes(Baseline) {
        warn("migration.baseline", None);
    }
    if env.diff != Default::default() && takes_src && !takes(Diff) {
        warn("diff", None);
    }
    if !env.migration.exclude.is_empty() && takes(Dir) {
        warn("migration.exclude", None);
    }
    if !env.exclude.is_empty() {
        warn("exclude", None);
    }
    if env.format != Default::default() {
        warn("format", None);
    }
    Ok(warnings)
}

/// The one-letter form of a flag, where it has one.
fn short_of(flag: &str) -> Option<&'static str> {
    match flag {
        "--url" => Some("-u"),
        _ => None,
    }
}

/// Adds `--flag value` unless the command line has the flag. `getenv` of an unset variable
/// gives "": that is no value, as in Atlas.
fn add(line: &mut Vec<OsString>, flag: &str, short: Option<&str>, value: &str) {
    if !value.is_empty() && !has(line, flag, short) {
        line.push(flag.into());
        line.push(value.into());
    }
}

/// The env's one desired-state source.
fn single_src(env: &EnvConfig) -> Result<Option<String>, Failure> {
    match env.src.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one.clone())),
        many => Err(Failure::Message(format!(
            "{}: env \"{}\" has {} src entries; Mercator reads one desired-state source (a file or a directory)",
            env.location,
            env.name,
            many.len()
        ))),
    }
}

/// `migration { revisions_schema, lock_timeout, exec_order }`.
fn fill_revisions(line: &mut Vec<OsString>, m: &mercator_project::MigrationConfig) {
    if let Some(schema) = &m.revisions_schema {
        add(line, "--revisions-schema", None, schema);
    }
    if let Some(timeout) = m.lock_timeout {
        add(
            line,
            "--lock-timeout",
            None,
            &format!("{}ms", timeout.as_millis()),
        );
    }
    let order = match m.exec_order {
        ExecOrder::Linear => None,
        ExecOrder::LinearSkip => Some("linear-skip"),
        ExecOrder::NonLinear => Some("non-linear"),
    };
    if let Some(order) = order {
        add(line, "--exec-order", None, order);
    }
}

/// `diff { skip, concurrent_index }`; returns the skip kinds that cannot be skipped.
fn fill_diff(line: &mut Vec<OsString>, env: &EnvConfig) -> Vec<mercator_project::SkipChange> {
    let (_, unsupported) = diff_options(&env.diff);
    if !has(line, "--diff-skip", None) {
        for kind in env.diff.skip.iter().flatten() {
            if !unsupported.contains(kind) {
                line.push("--diff-skip".into());
                line.push(kind.name().into());
            }
        }
    }
    if !has(line, "--concurrent-index", None) {
        let concurrent = mercator_migrate::project::concurrent_indexes(&env.diff);
        for (on, what) in [(concurrent.create, "create"), (concurrent.drop, "drop")] {
            if on {
                line.push("--concurrent-index".into());
                line.push(what.into());
            }
        }
    }
    unsupported
}

/// The `migrate lint --format` an Atlas `lint { format }` template asks for, when Mercator
/// understands it.
fn lint_format(template: &str) -> Option<&'static str> {
    let words: Vec<&str> = template
        .trim()
        .trim_start_matches("{{")
        .trim_end_matches("}}")
        .trim_matches('-')
        .split_whitespace()
        .collect();
    (template.trim().starts_with("{{") && words == ["json", "."]).then_some("json")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn project_flags_are_taken_out_in_both_forms() {
        let Ok((rest, flags)) = take_project_flags(args(&[
            "mercator",
            "schema",
            "apply",
            "--env=local",
            "--var",
            "a=1",
            "-c",
            "x.hcl",
            "--auto-approve",
        ])) else {
            panic!("the project flags are well formed");
        };
        assert_eq!(
            rest,
            args(&["mercator", "schema", "apply", "--auto-approve"])
        );
        assert_eq!(flags.env.as_deref(), Some("local"));
        assert_eq!(flags.vars, vec!["a=1".to_owned()]);
        assert_eq!(flags.config.as_deref(), Some("x.hcl"));
        assert!(take_project_flags(args(&["mercator", "--env"])).is_err());
        assert_eq!(
            command_of(&args(&[
                "mercator", "-v", "migrate", "status", "--url", "x"
            ])),
            ("migrate".to_owned(), "status".to_owned())
        );
    }

    #[test]
    fn lint_templates_and_the_command_table() {
        assert_eq!(lint_format("{{ json . }}"), Some("json"));
        assert_eq!(lint_format("{{- json . -}}"), Some("json"));
        assert_eq!(lint_format("{{ range .Files }}{{ .Name }}{{ end }}"), None);
        for (i, a) in COMMANDS.iter().enumerate() {
            assert!(
                !COMMANDS[i + 1..]
                    .iter()
                    .any(|b| a.group == b.group && a.command == b.command),
                "{} {} is listed twice",
                a.group,
                a.command
            );
        }
    }
}
