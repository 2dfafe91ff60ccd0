//! `mercator schema reconcile`: take a database to a desired state or to a migration
//! directory's version, up or down, computed from the live database, never dropping data.

use std::time::Duration;

use clap::{Args, ValueEnum};
use mercator_migrate::MigrateError;
use mercator_migrate::dir::MigrationDir;
use mercator_migrate::reconcile::{ReconcileReport, ReconcileTarget, Reconciler};

use crate::Failure;
use crate::output::{print_block, println};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct ReconcileArgs {
    /// The database to reconcile.
    #[arg(short, long)]
    url: String,
    /// The desired state: file://path of SQL files, or a database URL.
    #[arg(long, conflicts_with = "dir", required_unless_present = "dir")]
    to: Option<String>,
    /// A migration directory (with --to-version): its files up to that version are the target.
    #[arg(long)]
    dir: Option<String>,
    /// The directory's version to reconcile to (default: its latest file).
    #[arg(long, requires = "dir")]
    to_version: Option<String>,
    /// Dev database used to load SQL files and replay the directory (optional for SQLite).
    #[arg(long)]
    dev_url: Option<String>,
    /// Schemas to manage (default: the URL's schema, or all).
    #[arg(short, long = "schema")]
    schemas: Vec<String>,
    /// Decide, plan and run the data checks, but change nothing.
    #[arg(long)]
    dry_run: bool,
    /// How long to wait for another run on the same database (e.g. 10s).
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    lock_timeout: Duration,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    #[command(flatten)]
    load: crate::load::LoadArgs,
}

/// Runs `schema reconcile`.
pub async fn run(args: ReconcileArgs) -> Result<(), Failure> {
    let target = match (&args.to, &args.dir) {
        (Some(to), _) => ReconcileTarget::State(args.load.source(to)?),
        (None, Some(dir)) => {
            let path = dir.strip_prefix("file://").unwrap_or(dir);
            let dir = MigrationDir::open(path).map_err(|e| {
                MigrateError::Versioned(Box::new(mercator_migrate::VersionedError::from(e)))
            })?;
            let version = match &args.to_version {
                Some(v) => Some(v.clone()),
                None => dir.files().last().map(|f| f.version().to_owned()),
            };
            ReconcileTarget::Version { dir, version }
        }
        (None, None) => return Err(MigrateError::Missing("--to or --dir").into()),
    };
    let mut builder = Reconciler::builder()
        .url(&args.url)
        .target(target)
        .schemas(args.schemas.clone())
        .lock_timeout(args.lock_timeout)
        .dry_run(args.dry_run);
    if let Some(dev) = &args.dev_url {
        builder = builder.dev_url(dev);
    }
    let report = builder.build().run().await?;
    match args.format {
        Format::Json => {
            print_block(&serde_json::to_string_pretty(&report).map_err(MigrateError::from)?)
        }
        Format::Text => print_text(&report),
    }
    Ok(())
}

fn print_text(report: &ReconcileReport) {
    println(&format!("Direction: {}", report.direction));
    for line in &report.summary {
        println(&format!("  -- {line}"));
    }
    for check in &report.checks {
        println(&format!("Check (no data): {}", check.sql));
    }
    if !report.statements.is_empty() {
        println("-- Planned Changes:");
        for statement in &report.statements {
            println(&format!("{statement};"));
        }
    }
    if report.applied {
        println(&format!("Reconciled: {} -> {}", report.from, report.to));
    }
}
