//! `mercator schema plan` and `mercator schema apply --plan FILE`: reviewed plans stored in
//! Atlas's `*.plan.hcl` shape.

use std::path::{Path, PathBuf};
use std::process::Command;

use clap::Args;
use mercator_migrate::{
    MigrateError, PlannedMigration, RenameHint, ReviewedOptions, ReviewedPlan, SchemaApply, Source,
    apply_reviewed,
};
use mercator_project::PlanFile;

use crate::Failure;
use crate::output::{print, print_block, println};
use crate::project::DiffPolicyArgs;

/// What `schema plan` prints when there is nothing to plan.
const IN_SYNC: &str = "Schemas are synced, no changes to be made.";

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The database to plan for.
    #[arg(short, long, required = true)]
    url: Option<String>,
    /// Desired state: file://path (a .sql file or directory) or a database URL.
    #[arg(long, required = true)]
    to: Option<String>,
    /// Dev database used to load SQL files and to replay an edited plan.
    #[arg(long)]
    dev_url: Option<String>,
    /// Write the plan to this file (Atlas's `*.plan.hcl` shape).
    #[arg(long)]
    save: Option<PathBuf>,
    /// The plan's name (default: the saved file's name without `.plan.hcl`).
    #[arg(long)]
    name: Option<String>,
    /// Open the plan's SQL in $EDITOR before saving; the edited SQL is kept only if it
    /// reaches the desired state when replayed on the dev database.
    #[arg(long)]
    edit: bool,
    /// Schemas to manage (default: the URL's schema, or all).
    #[arg(short, long = "schema")]
    schemas: Vec<String>,
    #[command(flatten)]
    policy: DiffPolicyArgs,
    #[command(flatten)]
    load: crate::load::LoadArgs,
    #[command(flatten)]
    renames: crate::renames::RenameArgs,
    /// lint: the analysis printed with the plan.
    #[command(flatten)]
    lint: crate::lint::LintSettingsArgs,
    /// `schema plan test`.
    #[command(subcommand)]
    test: Option<crate::test::PlanSubcommand>,
}

/// Runs `schema plan`.
pub async fn plan(args: PlanArgs) -> Result<(), Failure> {
    if let Some(crate::test::PlanSubcommand::Test(test)) = args.test {
        return crate::test::plan_test(test).await;
    }
    let (Some(url), Some(to)) = (args.url.clone(), args.to.clone()) else {
        return Err(Failure::Message(
            "schema plan needs --url and --to".to_owned(),
        ));
    };
    let (diff_options, concurrent) = args.policy.resolve()?;
    let mut builder = SchemaApply::builder()
        .url(&url)
        .to(args.load.source(&to)?)
        .schemas(args.schemas.clone())
        .diff_options(diff_options)
        .concurrent_indexes(concurrent)
        .review(mercator_migrate::lint::ReviewSettings::default().config(args.lint.resolve()?));
    if let Some(dev_url) = &args.dev_url {
        builder = builder.dev_url(dev_url);
    }
    let mut apply = builder.build().await?;
    // Confirmed renames are planned again; they are no longer candidates then, so this
    // ends after one extra round.
    let mut outcome = Ok(());
    for _ in 0..4 {
        match plan_with(&apply, &args).await {
            Ok(Some(renames)) => apply = apply.with_renames(renames),
            Ok(None) => break,
            Err(failure) => {
                outcome = Err(failure);
                break;
            }
        }
    }
    let closed = apply.close().await;
    outcome?;
    closed?;
    Ok(())
}

/// Plans, and saves or prints the plan; or returns the renames to plan with instead.
async fn plan_with(
    apply: &SchemaApply,
    args: &PlanArgs,
) -> Result<Option<Vec<RenameHint>>, Failure> {
    let planned = apply.plan().await?;
    let renames = args.renames.choose(&planned, true)?;
    if !renames.is_empty() {
        return Ok(Some(renames));
    }
    if planned.is_empty() {
        println(IN_SYNC);
        return Ok(None);
    }
    let name = plan_name(args);
    let mut reviewed = apply.reviewed(&name, &planned);
    if args.edit {
        let edited = edit(&reviewed.migration)?;
        if edited != reviewed.migration {
            check(apply, &planned, &edited).await?;
            reviewed.migration = edited;
        }
    }
    println("-- Planned Changes:");
    print(&reviewed.migration);
    // The analysis of the plan as computed (an edited plan was checked against it above).
    let report = apply
        .lint(&planned)
        .await
        .map_err(crate::lint::lint_error)?;
    println("");
    print_block(&report.to_text());
    if let Some(path) = &args.save {
        let file = PlanFile {
            name: reviewed.name.clone(),
            from: reviewed.from.clone(),
            to: reviewed.to.clone(),
            migration: reviewed.migration.clone(),
        };
        file.write(path).map_err(MigrateError::from)?;
        println(&format!(
            "Plan {:?} saved to {}",
            reviewed.name,
            path.display()
        ));
    }
    Ok(None)
}

/// Replays the edited SQL on the dev database; refuses it, showing how the schema it
/// reaches differs from the desired one, unless it reaches the desired state.
async fn check(
    apply: &SchemaApply,
    planned: &PlannedMigration,
    edited: &str,
) -> Result<(), Failure> {
    let check = apply.check_edited(planned, edited).await?;
    if check.reaches_desired {
        return Ok(());
    }
    eprint!("{}", check.diff);
    Err(Failure::Refused(
        "the edited plan does not reach the desired schema (diff above: - desired, + edited plan); nothing was saved",
    ))
}

fn plan_name(args: &PlanArgs) -> String {
    if let Some(name) = &args.name {
        return name.clone();
    }
    args.save
        .as_deref()
        .and_then(Path::file_name)
        .and_then(|n| n.to_str())
        .map(|n| {
            n.trim_end_matches(".hcl")
                .trim_end_matches(".plan")
                .to_owned()
        })
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "plan".to_owned())
}

/// Opens `$EDITOR` (through the shell, so `EDITOR="code --wait"` works) on the SQL and
/// returns what it holds afterwards.
fn edit(sql: &str) -> Result<String, Failure> {
    let editor = std::env::var("EDITOR")
        .ok()
        .filter(|e| !e.trim().is_empty())
        .ok_or(Failure::Refused(
            "--edit needs the EDITOR environment variable",
        ))?;
    let dir = std::env::temp_dir().join(format!(
        "mercator-plan-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    ));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("plan.sql");
    let outcome = (|| {
        std::fs::write(&path, sql)?;
        let status = Command::new("sh")
            .arg("-c")
            .arg(format!("{editor} \"$1\""))
            .arg("mercator-editor")
            .arg(&path)
            .status()?;
        if !status.success() {
            return Err(Failure::Refused(
                "the editor exited with an error; nothing was saved",
            ));
        }
        Ok(std::fs::read_to_string(&path)?)
    })();
    // The temporary copy is only the editor's; losing it changes nothing.
    let _ = std::fs::remove_dir_all(&dir);
    outcome
}

/// `schema apply --plan FILE`: the reviewed plan, on the state it was made against only.
pub async fn apply_plan_file(
    url: &str,
    file: &Path,
    to: Option<Source>,
    dev_url: Option<&str>,
    schemas: &[String],
    lock_timeout: std::time::Duration,
    dry_run: bool,
) -> Result<(), Failure> {
    let loaded = PlanFile::load(file).map_err(MigrateError::from)?;
    for warning in &loaded.warnings {
        eprintln!("Warning: {warning}");
    }
    let plan = ReviewedPlan {
        name: loaded.plan.name,
        from: loaded.plan.from,
        to: loaded.plan.to,
        migration: loaded.plan.migration,
    };
    let mut options = ReviewedOptions {
        schemas: schemas.to_vec(),
        lock_timeout,
        dry_run,
        ..ReviewedOptions::default()
    };
    // With the desired state at hand, a refusal can say how the database moved.
    let desired = match to {
        Some(to) => {
            let mut builder = SchemaApply::builder()
                .url(url)
                .to(to)
                .schemas(schemas.to_vec());
            if let Some(dev_url) = dev_url {
                builder = builder.dev_url(dev_url);
            }
            Some(builder.build().await?)
        }
        None => None,
    };
    options.desired = desired.as_ref();
    let outcome = apply_reviewed(url, &plan, &options).await;
    let closed = match desired {
        Some(apply) => apply.close().await,
        None => Ok(()),
    };
    let report = outcome?;
    closed?;
    if dry_run {
        println("-- Planned Changes:");
        print(&plan.migration);
        println(&format!(
            "The database is at the plan's starting state {}; nothing was applied (--dry-run).",
            report.from
        ));
        return Ok(());
    }
    println(&format!(
        "Applied plan {:?}: {} statement(s), schema {} -> {}",
        plan.name, report.statements, report.from, report.to
    ));
    Ok(())
}
