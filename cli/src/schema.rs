//! `mercator schema …`: inspect, diff, apply.

use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};
use mercator_migrate::{
    InspectFormat, PlannedMigration, SchemaApply, inspect_source_as, schema_diff,
};

use crate::Failure;
use crate::lint::Step;
use crate::load::LoadArgs;
use crate::output::{print, print_block, println};
use crate::renames::RenameArgs;

/// What every command says when there is nothing to do.
const IN_SYNC: &str = "Schemas are synced, no changes to be made.";

#[derive(Debug, Subcommand)]
pub enum SchemaCommand {
    /// Print the schema of a database (or of SQL files) as SQL, JSON or a diagram.
    Inspect(InspectArgs),
    /// Print the SQL that turns one schema into another.
    Diff(DiffArgs),
    /// Bring a database to the desired schema.
    Apply(ApplyArgs),
    /// Plan the changes to the desired schema, review (--edit) and save them as a plan file;
    /// `schema plan test` runs plan tests.
    #[command(subcommand_negates_reqs = true, args_conflicts_with_subcommands = true)]
    Plan(crate::plan::PlanArgs),
    /// Take a database to a desired state or a migration directory's version, up or down,
    /// planned from the live database and never dropping data.
    Reconcile(crate::reconcile::ReconcileArgs),
    /// Check a whole schema against policies (primary keys, indexed foreign keys, …).
    Lint(crate::lint::SchemaLintArgs),
    /// Run the `test "schema"` cases of `*.test.hcl` files against the desired schema.
    Test(crate::test::SchemaTestArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum InspectFormatArg {
    Sql,
    Json,
    Mermaid,
    Dot,
    Html,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DiffFormat {
    Sql,
    Json,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Database URL (sqlite://app.db, postgres://user@host/db, mysql://root@host/db) or
    /// file://path of SQL files.
    #[arg(short, long)]
    url: String,
    /// Dev database used to load SQL files (SQL files are read as SQLite without it).
    #[arg(long)]
    dev_url: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "sql")]
    format: InspectFormatArg,
    /// Schemas to inspect (default: the URL's schema, or all).
    #[arg(short, long = "schema")]
    schemas: Vec<String>,
    #[command(flatten)]
    load: LoadArgs,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Current state: a database URL or file://path.
    #[arg(long)]
    from: String,
    /// Desired state: a database URL or file://path.
    #[arg(long)]
    to: String,
    /// Dev database used to load SQL files (SQL files are read as SQLite without it).
    #[arg(long)]
    dev_url: Option<String>,
    /// Output format: the SQL of the changes, or a JSON report of them.
    #[arg(long, value_enum, default_value = "sql")]
    format: DiffFormat,
    /// Exit with status 2 when the schemas differ (0 when in sync, 1 on errors).
    #[arg(long)]
    exit_code: bool,
    #[command(flatten)]
    load: LoadArgs,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The database to migrate. With `{tenant}` in it, or given more than once (one
    /// database per tenant), a tenant set: see --tenant.
    #[arg(short, long, required = true)]
    url: Vec<String>,
    /// Desired state: file://path (a .sql file or directory) or a database URL.
    #[arg(long, required_unless_present = "plan")]
    to: Option<String>,
    /// Dev database used to load SQL files (optional for SQLite).
    #[arg(long)]
    dev_url: Option<String>,
    /// Apply this reviewed plan file (`schema plan --save`), only if the database is in the
    /// state it was made against.
    #[arg(long)]
    plan: Option<std::path::PathBuf>,
    #[command(flatten)]
    policy: crate::project::DiffPolicyArgs,
    /// Print the plan and stop.
    #[arg(long)]
    dry_run: bool,
    /// Apply without asking.
    #[arg(long)]
    auto_approve: bool,
    /// Schemas to manage (default: the URL's schema, or all).
    #[arg(short, long = "schema")]
    schemas: Vec<String>,
    /// How long to wait for another apply on the same database (e.g. 10s, 2m).
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    lock_timeout: Duration,
    #[command(flatten)]
    load: LoadArgs,
    /// lint: the review gate's flags.
    #[command(flatten)]
    review: crate::lint::ReviewArgs,
    #[command(flatten)]
    renames: RenameArgs,
    /// Output format of a fleet run (a tenant set): a summary, or the JSON report.
    #[arg(long, value_enum, default_value = "text")]
    format: crate::migrate::Format,
    #[command(flatten)]
    fleet: crate::fleet::FleetArgs,
}

pub async fn run(command: SchemaCommand) -> Result<(), Failure> {
    match command {
        SchemaCommand::Inspect(args) => inspect(args).await,
        SchemaCommand::Diff(args) => diff(args).await,
        SchemaCommand::Apply(args) => apply(args).await,
        SchemaCommand::Plan(args) => crate::plan::plan(args).await,
        SchemaCommand::Reconcile(args) => crate::reconcile::run(args).await,
        SchemaCommand::Lint(args) => crate::lint::schema_lint_cmd(args).await,
        SchemaCommand::Test(args) => crate::test::schema_test(args).await,
    }
}

async fn inspect(args: InspectArgs) -> Result<(), Failure> {
    let format = match args.format {
        InspectFormatArg::Sql => InspectFormat::Sql,
        InspectFormatArg::Json => InspectFormat::Json,
        InspectFormatArg::Mermaid => InspectFormat::Mermaid,
        InspectFormatArg::Dot => InspectFormat::Dot,
        InspectFormatArg::Html => InspectFormat::Html,
    };
    let source = args.load.source(&args.url)?;
    let text = inspect_source_as(&source, args.dev_url.as_deref(), &args.schemas, format).await?;
    print_block(&text);
    Ok(())
}

async fn diff(args: DiffArgs) -> Result<(), Failure> {
    let from = args.load.source(&args.from)?;
    let to = args.load.source(&args.to)?;
    let planned = schema_diff(&from, &to, args.dev_url.as_deref()).await?;
    match args.format {
        DiffFormat::Sql if planned.plan.is_empty() => println(IN_SYNC),
        DiffFormat::Sql => print(&planned.plan.to_sql()),
        DiffFormat::Json => print_block(&diff_json(&planned)?),
    }
    if args.exit_code && !planned.is_empty() {
        return Err(Failure::Status(2));
    }
    Ok(())
}

/// The JSON report of a diff: whether the sides are in sync, their fingerprints, the
/// changes (the model's serde form) and the SQL.
fn diff_json(planned: &PlannedMigration) -> Result<String, Failure> {
    let changes =
        serde_json::to_value(&planned.changes).map_err(mercator_migrate::MigrateError::from)?;
    let statements: Vec<serde_json::Value> = planned
        .plan
        .statements
        .iter()
        .map(|s| serde_json::json!({ "comment": s.comment, "sql": s.sql }))
        .collect();
    let report = serde_json::json!({
        "in_sync": planned.is_empty(),
        "from": planned.from_fingerprint,
        "to": planned.to_fingerprint,
        "changes": changes,
        "summary": mercator_migrate::describe_changes(&planned.changes, None),
        "statements": statements,
    });
    serde_json::to_string_pretty(&report)
        .map_err(|e| Failure::Migrate(mercator_migrate::MigrateError::from(e)))
}

async fn apply(args: ApplyArgs) -> Result<(), Failure> {
    // --- reviewed plans and diff policies (plan.rs, project.rs) ---
    if let Some(plan) = &args.plan {
        let to = args
            .to
            .as_deref()
            .map(|to| args.load.source(to))
            .transpose()?;
        return crate::plan::apply_plan_file(
            crate::fleet::single_url(&args.url)?,
            plan,
            to,
            args.dev_url.as_deref(),
            &args.schemas,
            args.lock_timeout,
            args.dry_run,
        )
        .await;
    }
    let to = args
        .to
        .as_deref()
        .ok_or(mercator_migrate::MigrateError::Missing(
            "the desired schema (--to)",
        ))?;
    let (diff_options, concurrent) = args.policy.resolve()?;
    // --- end ---
    let builder = SchemaApply::builder()
        .url(args.url.first().map_or("", String::as_str))
        .to(args.load.source(to)?)
        .schemas(args.schemas.clone())
        .diff_options(diff_options)
        .concurrent_indexes(concurrent)
        .lock_timeout(args.lock_timeout);
    let mut builder = crate::lint::configure(builder, &args.review)?;
    if let Some(dev_url) = &args.dev_url {
        builder = builder.dev_url(dev_url);
    }
    if args.fleet.is_set(&args.url) {
        let options = mercator_migrate::fleet::FleetSchemaOptions {
            dry_run: args.dry_run,
            override_review: args.review.override_review(),
        };
        let json = matches!(args.format, crate::migrate::Format::Json);
        return crate::fleet::schema_apply(
            builder,
            &args.url,
            &args.fleet,
            options,
            args.auto_approve,
            json,
        )
        .await;
    }
    crate::fleet::single_url(&args.url)?;
    let mut apply = builder.build().await?;
    // Each round either finishes or confirms renames, which disappear from the next plan's
    // candidates; the bound only guards against a planner that keeps offering one.
    let mut outcome = Ok(());
    for _ in 0..4 {
        match plan_and_apply(&apply, &args).await {
            Ok(Step::Replan(renames)) => apply = apply.with_renames(renames),
            Ok(Step::Done) => break,
            Err(failure) => {
                outcome = Err(failure);
                break;
            }
        }
    }
    // The outcome matters more than a failure to close the connections.
    let closed = apply.close().await;
    outcome?;
    closed?;
    Ok(())
}

async fn plan_and_apply(apply: &SchemaApply, args: &ApplyArgs) -> Result<Step, Failure> {
    // Planned, linted, checked and applied under the lock: replicas starting together take
    // turns, and the later ones find nothing to do.
    crate::lint::plan_and_apply(
        apply,
        args.dry_run,
        args.auto_approve,
        &args.review,
        &args.renames,
        show,
    )
    .await
}

fn show(planned: &PlannedMigration) {
    if planned.is_empty() {
        println(IN_SYNC);
        return;
    }
    println("-- Planned Changes:");
    print(&planned.plan.to_sql());
}
