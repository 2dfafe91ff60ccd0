//! `migrate apply|status` over a tenant set: `--url` holds `{tenant}`, and the tenants come
//! from `--tenant`, `--tenants-file` or `--tenants-query`. Progress goes to stderr (a bar
//! on a terminal, one line per tenant otherwise); the summary or the JSON report to stdout.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use mercator_migrate::fleet::{
    Fleet, FleetError, FleetReport, FleetSchemaOptions, FleetSchemaReport, FleetStatus, OnError,
    Progress, TenantReport, TenantState, Tenants,
};
use mercator_migrate::{MigratorBuilder, SchemaApplyBuilder};

use crate::Failure;
use crate::output::{print_block, println};

/// The tenant set and how to run over it.
#[derive(Debug, Args)]
pub struct FleetArgs {
    /// A tenant to run on (repeatable); `--url` must hold `{tenant}`.
    #[arg(long = "tenant", value_name = "NAME", conflicts_with_all = ["tenants_file", "tenants_query"])]
    tenants: Vec<String>,
    /// A file of tenant names, one per line (`#` starts a comment line).
    #[arg(long, value_name = "FILE", conflicts_with = "tenants_query")]
    tenants_file: Option<PathBuf>,
    /// A query returning tenant names (first column), run on `--url` without its
    /// `{tenant}` placeholder.
    #[arg(long, value_name = "SQL")]
    tenants_query: Option<String>,
    /// How many tenants run at once.
    #[arg(long, default_value_t = 4, value_name = "N")]
    parallel: usize,
    /// Run the first K tenants first; if any fails, stop.
    #[arg(long, default_value_t = 0, value_name = "K")]
    canary: usize,
    /// What a failing tenant after the canary stage does.
    #[arg(long, value_enum, default_value = "stop")]
    on_error: OnErrorArg,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OnErrorArg {
    Stop,
    Continue,
}

/// The one URL of a command run without a tenant set.
pub fn single_url(urls: &[String]) -> Result<&str, Failure> {
    match urls {
        [one] => Ok(one),
        many => Err(Failure::Message(format!(
            "--url is given {} times: a list of tenant databases is a tenant set, which this command does not take this way",
            many.len()
        ))),
    }
}

impl FleetArgs {
    /// Whether a tenant set was given: tenants named, `{tenant}` in the URL, or several
    /// URLs (one database per tenant).
    pub fn is_set(&self, urls: &[String]) -> bool {
        !self.tenants.is_empty()
            || self.tenants_file.is_some()
            || self.tenants_query.is_some()
            || urls.len() > 1
            || urls
                .iter()
                .any(|u| u.contains(mercator_migrate::fleet::PLACEHOLDER))
    }

    fn source(&self) -> Result<Tenants, FleetError> {
        if let Some(file) = &self.tenants_file {
            Ok(Tenants::File(file.clone()))
        } else if let Some(sql) = &self.tenants_query {
            Ok(Tenants::Query(sql.clone()))
        } else if !self.tenants.is_empty() {
            Ok(Tenants::List(self.tenants.clone()))
        } else {
            Err(FleetError::Settings(
                "--url holds {tenant}: give the tenants with --tenant, --tenants-file or --tenants-query".into(),
            ))
        }
    }

    async fn fleet(
        &self,
        urls: &[String],
        progress: Option<Progress>,
    ) -> Result<Fleet, FleetError> {
        let builder = match urls {
            [template] if template.contains(mercator_migrate::fleet::PLACEHOLDER) => {
                Fleet::builder(template).tenants(self.source()?)
            }
            [one] => Fleet::builder(one.as_str()).tenants(self.source()?),
            many => Fleet::from_urls(many.to_vec()),
        };
        let mut builder = builder
            .parallel(self.parallel)
            .canary(self.canary)
            .on_error(match self.on_error {
                OnErrorArg::Stop => OnError::Stop,
                OnErrorArg::Continue => OnError::Continue,
            });
        if let Some(progress) = progress {
            builder = builder.progress(progress);
        }
        builder.build().await
    }
}

/// Prints a fleet-wide error the way `main` prints others.
fn fail(err: FleetError) -> Failure {
    eprintln!(
        "Error: {}",
        err.to_string().lines().collect::<Vec<_>>().join(" ")
    );
    Failure::Status(1)
}

/// Progress on stderr: a bar on a terminal, a line per tenant otherwise.
struct Reporter {
    bar: Option<ProgressBar>,
}

impl Reporter {
    fn new() -> Reporter {
        Reporter {
            bar: std::io::stderr().is_terminal().then(|| {
                let bar = ProgressBar::new(0);
                let style = ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} tenants ({per_sec}, eta {eta}) {msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar());
                bar.set_style(style);
                bar
            }),
        }
    }

    fn callback(&self, total: Arc<std::sync::atomic::AtomicUsize>) -> Progress {
        let bar = self.bar.clone();
        let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        Arc::new(move |t: &TenantReport| {
            let n = done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            match &bar {
                Some(bar) => {
                    bar.inc(1);
                    if t.status == TenantState::Failed {
                        bar.println(format!(
                            "{} failed: {}",
                            t.tenant,
                            t.error.as_deref().unwrap_or("")
                        ));
                    }
                    bar.set_message(t.tenant.clone());
                }
                None => eprintln!(
                    "[{n}/{}] {} {}",
                    total.load(std::sync::atomic::Ordering::SeqCst),
                    t.tenant,
                    describe(t)
                ),
            }
        })
    }
}

fn describe(t: &TenantReport) -> String {
    match t.status {
        TenantState::Applied => format!(
            "applied {} file(s), now at {} ({} ms)",
            t.applied.len(),
            t.to_version.as_deref().unwrap_or("-"),
            t.duration.as_millis()
        ),
        TenantState::UpToDate => format!(
            "up to date at {} ({} ms)",
            t.to_version.as_deref().unwrap_or("-"),
            t.duration.as_millis()
        ),
        TenantState::Failed => format!("failed: {}", t.error.as_deref().unwrap_or("")),
        TenantState::Skipped => "skipped".into(),
        TenantState::Planned => format!("would run {} statement(s)", t.applied.len()),
    }
}

/// `migrate apply` over a tenant set. Exits 1 when a tenant failed or was skipped.
pub async fn apply(
    builder: MigratorBuilder,
    url: &[String],
    args: &FleetArgs,
    json: bool,
) -> Result<(), Failure> {
    let reporter = Reporter::new();
    let total = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let fleet = args
        .fleet(url, Some(reporter.callback(Arc::clone(&total))))
        .await
        .map_err(fail)?;
    total.store(fleet.tenants().len(), std::sync::atomic::Ordering::SeqCst);
    if let Some(bar) = &reporter.bar {
        bar.set_length(fleet.tenants().len() as u64);
    }
    let report = fleet.apply(&builder).await.map_err(fail)?;
    if let Some(bar) = &reporter.bar {
        bar.finish_and_clear();
    }
    if json {
        print_block(&to_json(&report)?);
    } else {
        print_apply(&report);
    }
    if report.is_success() {
        Ok(())
    } else {
        Err(Failure::Status(1))
    }
}

fn to_json(value: &impl serde::Serialize) -> Result<String, Failure> {
    serde_json::to_string_pretty(value)
        .map_err(|e| Failure::Migrate(mercator_migrate::MigrateError::from(e)))
}

/// Left-aligned columns.
fn table(rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..rows.first().map_or(0, Vec::len))
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    rows.iter()
        .map(|r| {
            r.iter()
                .zip(&widths)
                .map(|(cell, w)| format!("{cell:<w$}"))
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn print_apply(report: &FleetReport) {
    let mut rows = vec![vec!["STATUS".to_owned(), "TENANTS".to_owned()]];
    for state in [
        TenantState::Applied,
        TenantState::UpToDate,
        TenantState::Failed,
        TenantState::Skipped,
    ] {
        rows.push(vec![
            state.as_str().to_owned(),
            report.count(state).to_string(),
        ]);
    }
    println(&table(&rows));
    print_failed(report.failed());
    if let Some(why) = &report.stopped {
        println(&format!("\nStopped: {why}"));
    }
    println(&format!(
        "\n{} tenants in {:.1}s",
        report.tenants.len(),
        report.duration.as_secs_f64()
    ));
}

/// `migrate status` over a tenant set: revisions and schema drift.
pub async fn status(
    builder: MigratorBuilder,
    url: &[String],
    args: &FleetArgs,
    json: bool,
) -> Result<(), Failure> {
    let fleet = args.fleet(url, None).await.map_err(fail)?;
    let status = fleet.status(&builder).await.map_err(fail)?;
    if json {
        print_block(&to_json(&status)?);
    } else {
        print_status(&status);
    }
    Ok(())
}

fn print_status(status: &FleetStatus) {
    let mut by_state: Vec<(String, usize)> = Vec::new();
    for t in &status.tenants {
        let key = format!(
            "{} at {}",
            t.status,
            t.current.as_deref().unwrap_or("no version")
        );
        match by_state.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) => *n += 1,
            None => by_state.push((key, 1)),
        }
    }
    let mut rows = vec![vec!["MIGRATION STATUS".to_owned(), "TENANTS".to_owned()]];
    rows.extend(by_state.into_iter().map(|(k, n)| vec![k, n.to_string()]));
    println(&table(&rows));
    let unread: Vec<_> = status
        .tenants
        .iter()
        .filter(|t| t.status == "ERROR" || t.status == "FAILED")
        .collect();
    if !unread.is_empty() {
        println("");
        let mut rows = vec![vec![
            "TENANT".to_owned(),
            "STATUS".to_owned(),
            "ERROR".to_owned(),
        ]];
        for t in unread {
            rows.push(vec![
                t.tenant.clone(),
                t.status.clone(),
                t.error.clone().unwrap_or_default(),
            ]);
        }
        println(&table(&rows));
    }
    println("");
    let mut rows = vec![vec![
        "SCHEMA GROUP".to_owned(),
        "TENANTS".to_owned(),
        "DIFFERENCES FROM THE LARGEST GROUP".to_owned(),
    ]];
    for (i, g) in status.groups.iter().enumerate() {
        let sample = tenant_sample(&g.tenants);
        rows.push(vec![
            format!(
                "#{}{}",
                i + 1,
                if g.reference { " (reference)" } else { "" }
            ),
            sample,
            g.differences.join(", "),
        ]);
    }
    println(&table(&rows));
    println(&format!(
        "\n{} tenants in {:.1}s (revisions {:.1}s; schemas {:.1}s in {} catalog pass(es))",
        status.tenants.len(),
        status.duration.as_secs_f64(),
        status.revisions_duration.as_secs_f64(),
        status.inspect_duration.as_secs_f64(),
        status.inspect_passes
    ));
    println(&status.summary);
}

/// `schema apply` over a tenant set: the desired state is planned once per distinct current
/// state, each plan reviewed under the review policy, then applied tenant by tenant. A fleet
/// is never asked about interactively: review the plans with `--dry-run`, then pass
/// `--auto-approve`. Exits 1 when a tenant failed or was skipped.
pub async fn schema_apply(
    builder: SchemaApplyBuilder,
    urls: &[String],
    args: &FleetArgs,
    options: FleetSchemaOptions,
    auto_approve: bool,
    json: bool,
) -> Result<(), Failure> {
    if !options.dry_run && !auto_approve {
        return Err(Failure::Message(
            "a tenant set is not applied interactively: review the plans with --dry-run, then pass --auto-approve".into(),
        ));
    }
    let reporter = Reporter::new();
    let total = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let fleet = args
        .fleet(urls, Some(reporter.callback(Arc::clone(&total))))
        .await
        .map_err(fail)?;
    total.store(fleet.tenants().len(), std::sync::atomic::Ordering::SeqCst);
    if let Some(bar) = &reporter.bar {
        bar.set_length(fleet.tenants().len() as u64);
    }
    let report = fleet.schema_apply(&builder, options).await.map_err(fail)?;
    if let Some(bar) = &reporter.bar {
        bar.finish_and_clear();
    }
    if json {
        print_block(&to_json(&report)?);
    } else {
        print_schema_apply(&report);
    }
    if report.is_success() {
        Ok(())
    } else {
        Err(Failure::Status(1))
    }
}

fn print_schema_apply(report: &FleetSchemaReport) {
    let mut rows = vec![vec![
        "PLAN".to_owned(),
        "TENANTS".to_owned(),
        "CHANGES".to_owned(),
        "REVIEW".to_owned(),
    ]];
    for (i, g) in report.groups.iter().enumerate() {
        let sample = tenant_sample(&g.tenants);
        let changes = if g.changes.is_empty() {
            "none (at the desired state)".to_owned()
        } else {
            g.changes.join("; ")
        };
        let review = match (g.statements.is_empty(), g.needs_review) {
            (true, _) => String::new(),
            (false, true) => format!("needs approval: {}", g.findings.join("; ")),
            (false, false) if g.findings.is_empty() => "ok".to_owned(),
            (false, false) => g.findings.join("; "),
        };
        rows.push(vec![format!("#{}", i + 1), sample, changes, review]);
    }
    println(&table(&rows));
    if report.dry_run {
        for (i, g) in report.groups.iter().enumerate() {
            if g.statements.is_empty() {
                continue;
            }
            println(&format!(
                "\n-- Plan #{} ({} tenants):",
                i + 1,
                g.tenants.len()
            ));
            for statement in &g.statements {
                println(&format!("{statement};"));
            }
        }
    }
    println("");
    let mut rows = vec![vec!["STATUS".to_owned(), "TENANTS".to_owned()]];
    for state in [
        TenantState::Applied,
        TenantState::Planned,
        TenantState::UpToDate,
        TenantState::Failed,
        TenantState::Skipped,
    ] {
        let n = report.count(state);
        if n > 0 || matches!(state, TenantState::Applied | TenantState::Failed) {
            rows.push(vec![state.as_str().to_owned(), n.to_string()]);
        }
    }
    println(&table(&rows));
    print_failed(
        report
            .tenants
            .iter()
            .filter(|t| t.status == TenantState::Failed),
    );
    if let Some(why) = &report.stopped {
        println(&format!("\nStopped: {why}"));
    }
    println(&format!(
        "\n{} tenants in {:.1}s ({} plan(s); schemas read in {} catalog pass(es))",
        report.tenants.len(),
        report.duration.as_secs_f64(),
        report.groups.len(),
        report.inspect_passes
    ));
}

fn print_failed<'a>(failed: impl Iterator<Item = &'a TenantReport>) {
    let failed: Vec<&TenantReport> = failed.collect();
    if failed.is_empty() {
        return;
    }
    println("");
    let mut rows = vec![vec![
        "TENANT".to_owned(),
        "STAGE".to_owned(),
        "ERROR".to_owned(),
    ]];
    for t in failed {
        rows.push(vec![
            t.tenant.clone(),
            format!("{:?}", t.stage).to_lowercase(),
            t.error.clone().unwrap_or_default(),
        ]);
    }
    println(&table(&rows));
}

/// The URLs of an env's `for_each` instances when the command runs over a tenant set
/// (`migrate apply`, `migrate status`, `schema apply`): Atlas's multi-tenant project
/// pattern (`for_each = toset(data.sql.tenants.values)`, `url = urlsetpath(var.url,
/// each.value)`) becomes one fleet run instead of one run per tenant. `None` for other
/// commands and for envs without `for_each`.
pub fn for_each_urls(
    group: &str,
    command: &str,
    envs: &[mercator_project::EnvConfig],
) -> Option<Vec<String>> {
    let takes_tenants = matches!(
        (group, command),
        ("migrate", "apply" | "status") | ("schema", "apply")
    );
    if !takes_tenants || envs.len() < 2 || envs.iter().any(|e| e.instance.is_none()) {
        return None;
    }
    envs.iter().map(|e| e.url.clone()).collect()
}

/// Runs the query of an `atlas.hcl` `data "sql"` block (read-only) and returns the first
/// column of every row: how a multi-tenant env lists its tenants.
pub fn data_source(
    url: &str,
    query: &str,
    args: &[String],
) -> Result<Vec<String>, mercator_project::QueryError> {
    if !args.is_empty() {
        return Err("data \"sql\" args are not supported: write the values into the query".into());
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let driver =
            mercator_migrate::open_with(url, mercator_driver::OpenOptions::read_only()).await?;
        let rows = {
            let mut session = driver.session().await?;
            session.query(query).await
        };
        let closed = driver.close().await;
        let rows = rows?;
        closed?;
        rows.rows
            .into_iter()
            .enumerate()
            .map(|(i, row)| {
                row.into_iter().next().flatten().ok_or_else(|| {
                    mercator_project::QueryError::from(format!(
                        "row {} has NULL in its first column",
                        i + 1
                    ))
                })
            })
            .collect()
    })
}

/// A group's tenants for a summary table: the first three and the count when there are more.
fn tenant_sample(tenants: &[String]) -> String {
    if tenants.len() > 3 {
        format!("{}, … ({} tenants)", tenants[..3].join(", "), tenants.len())
    } else {
        tenants.join(", ")
    }
}
