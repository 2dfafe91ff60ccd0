//! `mercator migrate lint`, `mercator schema lint` and the review gate of
//! `mercator schema apply`.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use mercator_migrate::dir::MigrationDir;
use mercator_migrate::lint::{
    CacheUse, LintError, LintSelection, MigrateLint, Review, ReviewSettings, schema_lint,
};
use mercator_migrate::{MigrateError, PlannedMigration, SchemaApply, SchemaApplyBuilder, Source};
use schema_lint::{LintConfig, Report, ReviewPolicy};

use crate::Failure;
use crate::output::{print, print_block, println};

/// Report formats of `migrate lint`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LintFormat {
    /// Atlas's text layout.
    Text,
    /// The report as JSON.
    Json,
    /// GitHub Actions workflow annotations.
    Github,
    /// SARIF 2.1.0 for code-scanning UIs.
    Sarif,
}

#[derive(Debug, Args)]
pub struct MigrateLintArgs {
    /// The migration directory (a path or file://path).
    #[arg(long, default_value = "file://migrations")]
    dir: String,
    /// A dev database to run the files on (optional for SQLite).
    #[arg(long)]
    dev_url: Option<String>,
    /// Lint the last N files.
    #[arg(long, conflicts_with = "git_base")]
    latest: Option<usize>,
    /// Lint the files added or changed since this git branch (or revision).
    #[arg(long)]
    git_base: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: LintFormat,
    #[command(flatten)]
    settings: LintSettingsArgs,
    /// Where to cache the dev-database state of the unchanged files before the linted ones
    /// (default: $MERCATOR_CACHE_DIR/lint, else the OS cache directory + mercator/lint).
    #[arg(long)]
    cache_dir: Option<PathBuf>,
    /// Replay every earlier file instead of using the cache.
    #[arg(long, conflicts_with = "cache_dir")]
    no_cache: bool,
}

#[derive(Debug, Args)]
pub struct SchemaLintArgs {
    /// The schema to check: a database URL or file://path of SQL files.
    #[arg(short, long)]
    url: String,
    /// Dev database used to load SQL files (SQL files are read as SQLite without it).
    #[arg(long)]
    dev_url: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: SchemaLintFormat,
    /// Lint settings (their `naming` block adds naming rules).
    #[command(flatten)]
    settings: LintSettingsArgs,
    /// Exit with status 2 when there are findings (0 when none, 1 on errors).
    #[arg(long)]
    exit_code: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SchemaLintFormat {
    Text,
    Json,
}

/// The review gate's flags of `schema apply`.
#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// When the plan needs a human's approval even with --auto-approve: ERROR (lint errors),
    /// WARNING (any finding) or ALWAYS. Default: the lint config's, else ERROR.
    #[arg(long, value_enum)]
    review: Option<ReviewArg>,
    /// With --auto-approve, apply even when the review policy requires approval (lint
    /// errors included).
    #[arg(long)]
    override_review: bool,
    /// Do not run the read-only pre-flight data checks before the first statement.
    #[arg(long)]
    skip_preflight: bool,
    #[command(flatten)]
    settings: LintSettingsArgs,
}

/// Lint settings: `--lint-config FILE` over the `lint` block of the `--env` project.
#[derive(Debug, Args, Default)]
pub struct LintSettingsArgs {
    /// Lint settings as JSON, shaped like Atlas's `lint { … }` block
    /// (e.g. {"destructive": {"error": false}, "review": "WARNING"}); each setting it has
    /// overrides the `--env` project's.
    #[arg(long)]
    lint_config: Option<PathBuf>,
    /// The `lint` block of the `--env` project as JSON (written by `--env`, not by hand).
    #[arg(long = "env-lint-config", hide = true)]
    env_lint_config: Option<String>,
}

impl LintSettingsArgs {
    /// The env's settings with the file's over them.
    pub fn resolve(&self) -> Result<LintConfig, Failure> {
        let env = match &self.env_lint_config {
            Some(json) => serde_json::from_str(json).map_err(|e| {
                Failure::Message(format!(
                    "--env-lint-config is not a lint configuration: {e}"
                ))
            })?,
            None => LintConfig::default(),
        };
        Ok(overlay(env, read_config(self.lint_config.as_ref())?))
    }
}

/// `top`'s settings over `base`'s, setting by setting.
fn overlay(base: LintConfig, top: LintConfig) -> LintConfig {
    let mut analyzers = base.analyzers;
    analyzers.extend(top.analyzers);
    // A code switched off at either level stays off: there is no setting that turns one on.
    let mut skip_codes = base.skip_codes;
    skip_codes.extend(top.skip_codes);
    LintConfig {
        destructive: top.destructive.or(base.destructive),
        data_depend: top.data_depend.or(base.data_depend),
        incompatible: top.incompatible.or(base.incompatible),
        condrop: top.condrop.or(base.condrop),
        concurrent_index: top.concurrent_index.or(base.concurrent_index),
        pg_locks: top.pg_locks.or(base.pg_locks),
        mysql: top.mysql.or(base.mysql),
        naming: top.naming.or(base.naming),
        analyzers,
        review: top.review.or(base.review),
        lock_thresholds: top.lock_thresholds.or(base.lock_thresholds),
        sample_limit: top.sample_limit.or(base.sample_limit),
        skip_codes,
    }
}

impl ReviewArgs {
    /// `--override-review` (a fleet's declarative apply decides per plan group).
    pub fn override_review(&self) -> bool {
        self.override_review
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReviewArg {
    Error,
    Warning,
    Always,
}

pub(crate) fn lint_error(err: LintError) -> Failure {
    match err {
        LintError::Migrate(err) => Failure::Migrate(err),
        other => {
            eprintln!(
                "Error: {}",
                other.to_string().lines().collect::<Vec<_>>().join(" ")
            );
            Failure::Status(1)
        }
    }
}

fn read_config(path: Option<&PathBuf>) -> Result<LintConfig, Failure> {
    let Some(path) = path else {
        return Ok(LintConfig::default());
    };
    let text = std::fs::read_to_string(path).map_err(|e| {
        eprintln!("Error: reading {}: {e}", path.display());
        Failure::Status(1)
    })?;
    serde_json::from_str(&text).map_err(|e| {
        eprintln!("Error: {}: {e}", path.display());
        Failure::Status(1)
    })
}

/// `mercator migrate lint`.
pub async fn migrate_lint(args: MigrateLintArgs) -> Result<(), Failure> {
    let selection = match (args.latest, &args.git_base) {
        (Some(n), _) => LintSelection::Latest(n),
        (None, Some(base)) => LintSelection::GitBase(base.clone()),
        (None, None) => return Err(lint_error(LintError::NoSelection)),
    };
    let path = args.dir.strip_prefix("file://").unwrap_or(&args.dir);
    let dir = MigrationDir::open(path).map_err(|e| lint_error(LintError::Versioned(e.into())))?;
    let mut builder = MigrateLint::builder(dir)
        .selection(selection)
        .config(args.settings.resolve()?)
        .dir_label(path.trim_end_matches('/'));
    if let Some(url) = &args.dev_url {
        builder = builder.dev_url(url);
    }
    if let Some(cache) = &args.cache_dir {
        builder = builder.cache_dir(cache);
    }
    if args.no_cache {
        builder = builder.no_cache();
    }
    let outcome = builder
        .build()
        .map_err(lint_error)?
        .run()
        .await
        .map_err(lint_error)?;
    let report = &outcome.report;
    print_report(report, args.format);
    if std::env::var_os("MERCATOR_LINT_TIMING").is_some() {
        let cache = match outcome.cache {
            CacheUse::Disabled => "disabled".to_owned(),
            CacheUse::Miss => "miss".to_owned(),
            CacheUse::Hit { files } => format!("hit ({files} files)"),
        };
        eprintln!(
            "lint timing: prefix {} files, replayed {}, cache {cache}, replay {:?}, analysis {:?}",
            outcome.prefix_files,
            outcome.replayed_files,
            outcome.replay_time,
            outcome.analysis_time
        );
    }
    if report.has_errors() {
        return Err(Failure::Status(1));
    }
    Ok(())
}

fn print_report(report: &Report, format: LintFormat) {
    match format {
        LintFormat::Text => print_block(&report.to_text()),
        LintFormat::Json => print_block(&report.to_json()),
        LintFormat::Github => print(&report.to_github()),
        LintFormat::Sarif => {
            print_block(&serde_json::to_string_pretty(&report.to_sarif()).unwrap_or_default())
        }
    }
}

/// `mercator schema lint`.
pub async fn schema_lint_cmd(args: SchemaLintArgs) -> Result<(), Failure> {
    let config = args.settings.resolve()?;
    let source = Source::parse(&args.url)?;
    let report = schema_lint(
        &source,
        args.dev_url.as_deref(),
        None,
        config.naming.as_ref(),
    )
    .await
    .map_err(lint_error)?;
    match args.format {
        SchemaLintFormat::Text => print(&report.to_text()),
        SchemaLintFormat::Json => {
            print_block(&serde_json::to_string_pretty(&report).map_err(MigrateError::from)?)
        }
    }
    if report.has_errors() {
        return Err(Failure::Status(1));
    }
    if args.exit_code && !report.findings.is_empty() {
        return Err(Failure::Status(2));
    }
    Ok(())
}

/// Applies the review flags to a `schema apply` builder.
pub fn configure(
    builder: SchemaApplyBuilder,
    args: &ReviewArgs,
) -> Result<SchemaApplyBuilder, Failure> {
    let mut settings = ReviewSettings::default()
        .config(args.settings.resolve()?)
        .preflight(!args.skip_preflight);
    if let Some(policy) = args.review {
        settings = settings.policy(match policy {
            ReviewArg::Error => ReviewPolicy::Error,
            ReviewArg::Warning => ReviewPolicy::Warning,
            ReviewArg::Always => ReviewPolicy::Always,
        });
    }
    Ok(builder.review(settings))
}

fn show_review(review: &Review, show_plan: impl Fn(&PlannedMigration)) {
    show_plan(&review.planned);
    if review.is_empty() {
        return;
    }
    println("");
    print_block(&review.report.to_text());
    for failure in &review.preflight {
        println(&format!("-- pre-flight check failed: {failure}"));
    }
}

fn policy_name(policy: ReviewPolicy) -> &'static str {
    match policy {
        ReviewPolicy::Error => "ERROR",
        ReviewPolicy::Warning => "WARNING",
        ReviewPolicy::Always => "ALWAYS",
    }
}

/// `schema apply` with the review gate: the plan and its analysis are printed before any
/// approval; `--dry-run` stops there.
pub async fn plan_and_apply(
    apply: &SchemaApply,
    dry_run: bool,
    auto_approve: bool,
    args: &ReviewArgs,
    renames: &crate::renames::RenameArgs,
    show_plan: impl Fn(&PlannedMigration) + Send + Sync,
) -> Result<Step, Failure> {
    if dry_run {
        let planned = apply.plan().await?;
        if planned.is_empty() {
            show_plan(&planned);
            return Ok(Step::Done);
        }
        let chosen = renames.choose(&planned, false)?;
        if !chosen.is_empty() {
            return Ok(Step::Replan(chosen));
        }
        let review = apply.review_plan(planned).await.map_err(lint_error)?;
        show_review(&review, &show_plan);
        return Ok(Step::Done);
    }
    let mut refusal = None;
    let mut shown = false;
    let mut replan = Vec::new();
    let review = apply
        .run_reviewed(|review| {
            // Renames first: a confirmed one changes the plan, which is then made again.
            match renames.choose(&review.planned, !auto_approve) {
                Ok(chosen) if !chosen.is_empty() => {
                    replan = chosen;
                    shown = true;
                    return false;
                }
                Ok(_) => {}
                Err(failure) => {
                    refusal = Some(failure);
                    shown = true;
                    return false;
                }
            }
            show_review(review, &show_plan);
            shown = true;
            match decide(review, auto_approve, args.override_review) {
                Ok(yes) => yes,
                Err(failure) => {
                    refusal = Some(failure);
                    false
                }
            }
        })
        .await
        .map_err(lint_error)?;
    if !replan.is_empty() {
        return Ok(Step::Replan(replan));
    }
    // Failed pre-flight checks stop before approval is asked; a rename may be why (an
    // added NOT NULL column that is really the old one renamed), so ask about renames here.
    if !shown && !review.preflight.is_empty() {
        let chosen = renames.choose(&review.planned, !auto_approve)?;
        if !chosen.is_empty() {
            return Ok(Step::Replan(chosen));
        }
    }
    if !shown && !review.is_empty() {
        show_review(&review, &show_plan);
    }
    if !review.preflight.is_empty() {
        eprintln!(
            "Error: {} pre-flight data check(s) failed: existing rows do not fit the changes; nothing was applied",
            review.preflight.len()
        );
        return Err(Failure::Status(1));
    }
    if let Some(failure) = refusal {
        return Err(failure);
    }
    if review.is_empty() {
        show_plan(&review.planned);
    }
    if review.applied {
        println(&format!(
            "Applied {} change(s) in {} statement(s).",
            review.planned.changes.len(),
            review.planned.plan.statements.len()
        ));
    }
    Ok(Step::Done)
}

/// What [`plan_and_apply`] did.
pub enum Step {
    /// Finished (applied, refused, or nothing to do).
    Done,
    /// Drop-and-add pairs were confirmed as renames: plan again with these.
    Replan(Vec<mercator_migrate::RenameHint>),
}

/// Whether to apply: `--auto-approve` applies what the review policy lets through;
/// anything else is asked on the terminal (or refused without one), unless
/// `--override-review` says to apply regardless.
fn decide(review: &Review, auto_approve: bool, override_review: bool) -> Result<bool, Failure> {
    if auto_approve && (!review.needs_review || override_review) {
        return Ok(true);
    }
    if auto_approve {
        let errors = review
            .report
            .diagnostics
            .iter()
            .filter(|d| d.severity == schema_lint::Severity::Error)
            .count();
        let why = format!(
            "review policy {} requires approval ({} finding(s), {errors} error(s))",
            policy_name(review.policy),
            review.report.diagnostics.len()
        );
        if !std::io::stdin().is_terminal() {
            eprintln!(
                "Error: {why}: --auto-approve does not override it; review the analysis and pass --override-review to apply anyway"
            );
            return Err(Failure::Status(1));
        }
        eprintln!("{why}.");
    }
    match confirm()? {
        true => Ok(true),
        false => Err(Failure::Refused("changes were not applied")),
    }
}

/// Asks on the terminal; without one, refuses rather than applying unreviewed changes.
fn confirm() -> Result<bool, Failure> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(Failure::Refused(
            "stdin is not a terminal, so the changes cannot be confirmed: review the plan and pass --auto-approve to apply it",
        ));
    }
    print("Apply these changes? [y/N] ");
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    stdin.lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes" | "YES"))
}
