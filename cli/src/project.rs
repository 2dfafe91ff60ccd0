//! `--env NAME` (with `--var k=v` and `--config file://atlas.hcl`): an `atlas.hcl` env
//! fills in the flags a command was not given, as Atlas does.
//!
//! The env is resolved before the command line is parsed: its values become ordinary flags
//! (`url` → `--url`, `migration { dir }` → `--dir`, …), so every command reads one set of
//! arguments, flags given explicitly win, and an env with `for_each` runs the command once
//! per instance. Whatever the file sets that the command does not act on is a located
//! warning on stderr.

use std::ffi::OsString;

use clap::{Args, ValueEnum};
use mercator_migrate::MigrateError;
use mercator_migrate::project::{ConcurrentIndexes, DiffOptions, diff_options, skip_from_name};
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
    let Some(env_name) = flags.env else {
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

/// Adds the env's values the command takes and lacks; returns warnings for what it sets
/// that the command does not act on.
fn fill(
    line: &mut Vec<OsString>,
    group: &str,
    command: &str,
    env: &EnvConfig,
) -> Result<Vec<Warning>, Failure> {
    let mut warnings = Vec::new();
    let warn = |warnings: &mut Vec<Warning>, what: &str| {
        warnings.push(Warning {
            location: env.location.clone(),
            message: format!(
                "env \"{}\": {what} is not used by `mercator {group} {command}`",
                env.name
            ),
        })
    };
    // `getenv` of an unset variable gives "": that is no value, as in Atlas.
    let add = |line: &mut Vec<OsString>, flag: &str, short: Option<&str>, value: &str| {
        if !value.is_empty() && !has(line, flag, short) {
            line.push(flag.into());
            line.push(value.into());
        }
    };
    let src = || -> Result<Option<String>, Failure> {
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
    };
    let schemas = |line: &mut Vec<OsString>| {
        if !has(line, "--schema", Some("-s")) {
            for schema in &env.schemas {
                line.push("--schema".into());
                line.push(schema.into());
            }
        }
    };
    match (group, command) {
        ("schema", "inspect") => {
            if let Some(url) = &env.url {
                add(line, "--url", Some("-u"), url);
            }
            if let Some(dev) = &env.dev {
                add(line, "--dev-url", None, dev);
            }
            schemas(line);
        }
        ("schema", "diff") => {
            if let Some(url) = &env.url {
                add(line, "--from", None, url);
            }
            if let Some(src) = src()? {
                add(line, "--to", None, &src);
            }
            if let Some(dev) = &env.dev {
                add(line, "--dev-url", None, dev);
            }
            if !env.schemas.is_empty() {
                warn(&mut warnings, "schemas");
            }
        }
        ("schema", "apply" | "plan") => {
            if let Some(url) = &env.url {
                add(line, "--url", Some("-u"), url);
            }
            if let Some(src) = src()? {
                add(line, "--to", None, &src);
            }
            if let Some(dev) = &env.dev {
                add(line, "--dev-url", None, dev);
            }
            schemas(line);
            let (_, unsupported) = diff_options(&env.diff);
            for kind in &unsupported {
                warn(
                    &mut warnings,
                    &format!("diff.skip.{} (only drops can be skipped)", kind.name()),
                );
            }
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
        }
        ("migrate", "apply" | "status") => {
            if let Some(url) = &env.url {
                add(line, "--url", Some("-u"), url);
            }
            let m = &env.migration;
            if let Some(dir) = &m.dir {
                add(line, "--dir", None, dir);
            }
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
            match (&m.baseline, command) {
                (Some(baseline), "apply") => add(line, "--baseline", None, baseline),
                (Some(_), _) => warn(&mut warnings, "migration.baseline"),
                (None, _) => {}
            }
            if !m.exclude.is_empty() {
                warn(&mut warnings, "migration.exclude");
            }
            if !env.schemas.is_empty() {
                warn(&mut warnings, "schemas");
            }
        }
        _ => {
            return Err(Failure::Message(format!(
                "--env is not supported by `mercator {group} {command}` yet"
            )));
        }
    }
    if !env.exclude.is_empty() {
        warn(&mut warnings, "exclude");
    }
    if env.format != Default::default() {
        warn(&mut warnings, "format");
    }
    Ok(warnings)
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
}
