//! `mercator migrate …`: versioned migrations in Atlas's directory layout.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};
use mercator_migrate::dir::{MigrationDir, TxMode};
use mercator_migrate::{
    ExecOrder, MigrateReport, MigrateStatus, Migrator, MigratorBuilder, PreflightRun,
    VersionedError,
};

use crate::Failure;
use crate::output::{print_block, println};

#[derive(Debug, Subcommand)]
pub enum MigrateCommand {
    /// Apply pending migration files.
    Apply(ApplyArgs),
    /// Show the database's migration state.
    Status(StatusArgs),
    /// Recompute atlas.sum from the files.
    Hash(DirArgs),
    /// Check the files against atlas.sum (and, with --dev-url, replay them).
    Validate(ValidateArgs),
    /// Mark revisions applied (up to VERSION) or not, without running them.
    Set(SetArgs),
    /// Create an empty migration file and update atlas.sum.
    New(NewArgs),
    /// Write the next migration file: the changes from the directory's schema to --to.
    Diff(DiffArgs),
    /// Revert the last N applied files (default 1) or down to --to-version, computed from the
    /// database's current state.
    Down(DownArgs),
    /// Analyze migration files for risky changes (replayed on --dev-url).
    Lint(crate::lint::MigrateLintArgs),
    /// Run the `test "migrate"` cases of `*.test.hcl` files against the directory.
    Test(crate::test::MigrateTestArgs),
}

#[derive(Debug, Args)]
pub struct DownArgs {
    #[command(flatten)]
    conn: ConnArgs,
    /// How many applied files to revert.
    n: Option<usize>,
    /// Revert every file above this version.
    #[arg(long, conflicts_with = "n")]
    to_version: Option<String>,
    /// A clean dev database to replay the directory on (optional for SQLite).
    #[arg(long)]
    dev_url: Option<String>,
    /// Show the plan and run the checks, change nothing.
    #[arg(long)]
    dry_run: bool,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    #[command(flatten)]
    dir: DirArgs,
    /// The file's name, after the version (`<version>_<name>.sql`).
    name: Option<String>,
    /// The desired state: file://path of SQL files, or a database URL.
    #[arg(long)]
    to: String,
    /// A clean dev database to replay the directory on (optional for SQLite).
    #[arg(long)]
    dev_url: Option<String>,
    #[command(flatten)]
    load: crate::load::LoadArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExecOrderArg {
    Linear,
    LinearSkip,
    NonLinear,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TxModeArg {
    None,
    File,
    All,
}

#[derive(Debug, Args)]
pub struct DirArgs {
    /// The migration directory (a path or file://path).
    #[arg(long, default_value = "file://migrations")]
    dir: String,
}

#[derive(Debug, Args)]
pub struct ConnArgs {
    #[command(flatten)]
    dir: DirArgs,
    /// The database URL. For `apply` and `status`: with `{tenant}` in it, or given more
    /// than once (one database per tenant), a tenant set (see --tenant).
    #[arg(short, long, required = true)]
    url: Vec<String>,
    /// The schema (MySQL database) holding atlas_schema_revisions.
    #[arg(long)]
    revisions_schema: Option<String>,
    /// What to do with unapplied files older than the last revision.
    #[arg(long, value_enum, default_value = "linear")]
    exec_order: ExecOrderArg,
    /// How long to wait for another migration on the same database (e.g. 10s).
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    lock_timeout: Duration,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

impl ConnArgs {
    /// The one URL of a command that takes no tenant set.
    fn single_url(&self) -> Result<&str, VersionedError> {
        match self.url.as_slice() {
            [one] => Ok(one),
            many => Err(VersionedError::Invalid(format!(
                "--url is given {} times: only `migrate apply` and `migrate status` take a list of tenant databases",
                many.len()
            ))),
        }
    }
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    conn: ConnArgs,
    /// Apply at most N files.
    n: Option<usize>,
    /// On a database without revisions, mark this version as already applied.
    #[arg(long)]
    baseline: Option<String>,
    /// Apply files up to and including this version.
    #[arg(long)]
    to_version: Option<String>,
    /// Allow a first run on a database that already holds objects.
    #[arg(long)]
    allow_dirty: bool,
    /// Print the statements that would run, change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Transaction mode of the run (a file's `atlas:txmode` wins).
    #[arg(long, value_enum, default_value = "file")]
    tx_mode: TxModeArg,
    /// A dev database to analyze the pending files on for the pre-flight data checks
    /// (SQLite uses an in-memory one; PostgreSQL and MySQL skip the checks without it).
    #[arg(long)]
    dev_url: Option<String>,
    /// Do not run the pre-flight data checks before the first pending statement.
    #[arg(long)]
    skip_preflight: bool,
    #[command(flatten)]
    fleet: crate::fleet::FleetArgs,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    conn: ConnArgs,
    #[command(flatten)]
    fleet: crate::fleet::FleetArgs,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    dir: DirArgs,
    /// A clean dev database to replay the directory on.
    #[arg(long)]
    dev_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct SetArgs {
    #[command(flatten)]
    conn: ConnArgs,
    /// The version to set as current; none removes every revision.
    version: Option<String>,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    #[command(flatten)]
    dir: DirArgs,
    /// The file's name, after the version (`<version>_<name>.sql`).
    name: Option<String>,
}

pub async fn run(command: MigrateCommand) -> Result<(), Failure> {
    // lint reports its own failures (its exit status comes from the findings).
    let command = match command {
        MigrateCommand::Lint(args) => return crate::lint::migrate_lint(args).await,
        MigrateCommand::Test(args) => return crate::test::migrate_test(args).await,
        other => other,
    };
    let outcome = match command {
        // A tenant set: the fleet reports and fails in its own way.
        MigrateCommand::Apply(args) if args.fleet.is_set(&args.conn.url) => {
            return fleet_apply(args).await;
        }
        MigrateCommand::Status(args) if args.fleet.is_set(&args.conn.url) => {
            let builder = builder(&args.conn).map_err(versioned_failure)?;
            let json = matches!(args.conn.format, Format::Json);
            return crate::fleet::status(builder, &args.conn.url, &args.fleet, json).await;
        }
        MigrateCommand::Apply(args) => apply(args).await,
        MigrateCommand::Status(args) => status(args).await,
        MigrateCommand::Hash(args) => hash(args),
        MigrateCommand::Validate(args) => validate(args).await,
        MigrateCommand::Set(args) => set(args).await,
        MigrateCommand::New(args) => new(args),
        MigrateCommand::Diff(args) => diff(args).await,
        MigrateCommand::Down(args) => down(args).await,
        MigrateCommand::Lint(_) | MigrateCommand::Test(_) => Ok(()),
    };
    outcome.map_err(versioned_failure)
}

fn versioned_failure(err: VersionedError) -> Failure {
    match err {
        VersionedError::Migrate(err) => Failure::Migrate(*err),
        other => {
            // `main` prints `MigrateError`s; these have their own type.
            let text = other.to_string();
            eprintln!("Error: {}", text.lines().collect::<Vec<_>>().join(" "));
            Failure::Status(1)
        }
    }
}

fn dir_path(dir: &DirArgs) -> PathBuf {
    PathBuf::from(dir.dir.strip_prefix("file://").unwrap_or(&dir.dir))
}

fn open_dir(dir: &DirArgs) -> Result<MigrationDir, VersionedError> {
    Ok(MigrationDir::open(dir_path(dir))?)
}

fn builder(conn: &ConnArgs) -> Result<MigratorBuilder, VersionedError> {
    let mut builder = Migrator::builder(open_dir(&conn.dir)?)
        .lock_timeout(conn.lock_timeout)
        .exec_order(match conn.exec_order {
            ExecOrderArg::Linear => ExecOrder::Linear,
            ExecOrderArg::LinearSkip => ExecOrder::LinearSkip,
            ExecOrderArg::NonLinear => ExecOrder::NonLinear,
        });
    if let Some(schema) = &conn.revisions_schema {
        builder = builder.revisions_schema(schema);
    }
    Ok(builder)
}

fn json(value: &impl serde::Serialize) -> Result<String, VersionedError> {
    serde_json::to_string_pretty(value)
        .map_err(|e| VersionedError::from(mercator_migrate::MigrateError::from(e)))
}

async fn fleet_apply(args: ApplyArgs) -> Result<(), Failure> {
    if args.dry_run {
        eprintln!("Error: --dry-run is not available with a tenant set");
        return Err(Failure::Status(1));
    }
    let builder = apply_builder(&args).map_err(versioned_failure)?;
    let json = matches!(args.conn.format, Format::Json);
    crate::fleet::apply(builder, &args.conn.url, &args.fleet, json).await
}

async fn apply(args: ApplyArgs) -> Result<(), VersionedError> {
    let report = apply_builder(&args)?
        .build()?
        .apply(args.conn.single_url()?)
        .await?;
    match args.conn.format {
        Format::Json => print_block(&json(&report)?),
        Format::Text => print_apply(&report),
    }
    Ok(())
}

fn apply_builder(args: &ApplyArgs) -> Result<MigratorBuilder, VersionedError> {
    let mut builder = builder(&args.conn)?
        .allow_dirty(args.allow_dirty)
        .dry_run(args.dry_run)
        .tx_mode(match args.tx_mode {
            TxModeArg::None => TxMode::None,
            TxModeArg::File => TxMode::File,
            TxModeArg::All => TxMode::All,
        })
        .skip_preflight(args.skip_preflight);
    if let Some(url) = &args.dev_url {
        builder = builder.dev_url(url);
    }
    if let Some(v) = &args.baseline {
        builder = builder.baseline(v);
    }
    if let Some(v) = &args.to_version {
        builder = builder.to_version(v);
    }
    if let Some(n) = args.n {
        builder = builder.limit(n);
    }
    Ok(builder)
}

fn print_apply(report: &MigrateReport) {
    if report.dry_run {
        if report.planned.is_empty() {
            println("No migration files to execute");
        }
        for file in &report.planned {
            println(&format!("-- {}", file.name));
            for statement in &file.statements {
                println(statement);
            }
        }
        return;
    }
    if let PreflightRun::Skipped { reason } = &report.preflight {
        eprintln!("Warning: pre-flight data checks skipped: {reason}");
    }
    if let Some(baseline) = &report.baseline {
        println(&format!("Baseline version {baseline} recorded"));
    }
    if report.applied.is_empty() {
        println("No migration files to execute");
        return;
    }
    println(&format!(
        "Migrating to version {} from {} ({} migrations in total):",
        report.to_version.as_deref().unwrap_or("-"),
        report.from_version.as_deref().unwrap_or("nothing"),
        report.applied.len()
    ));
    for file in &report.applied {
        println(&format!(
            "  -- migrating version {}: {} statement(s){} -- ok ({:?})",
            file.version,
            file.statements,
            if file.resumed_after > 0 {
                format!(" (resumed after {})", file.resumed_after)
            } else {
                String::new()
            },
            file.execution_time
        ));
    }
}

async fn status(args: StatusArgs) -> Result<(), VersionedError> {
    let status = builder(&args.conn)?
        .build()?
        .status(args.conn.single_url()?)
        .await?;
    match args.conn.format {
        Format::Json => print_block(&json(&status)?),
        Format::Text => print_status(&status),
    }
    Ok(())
}

fn print_status(status: &MigrateStatus) {
    println(&format!("Migration Status: {}", status.status));
    println(&format!(
        "  -- Current Version: {}",
        status
            .current
            .as_deref()
            .unwrap_or("No migration applied yet")
    ));
    println(&format!(
        "  -- Next Version:    {}",
        status
            .next
            .as_deref()
            .unwrap_or("Already at latest version")
    ));
    println(&format!("  -- Executed Files:  {}", status.revisions));
    println(&format!("  -- Pending Files:   {}", status.pending.len()));
    if let Some(error) = &status.error {
        println("Last migration attempt had errors:");
        println(&format!("  -- Version: {}", error.version));
        if let Some(statement) = &error.statement {
            println(&format!("  -- SQL:     {statement}"));
        }
        println(&format!("  -- ERROR:   {}", error.message));
    }
}

fn hash(args: DirArgs) -> Result<(), VersionedError> {
    open_dir(&args)?.write_sum()?;
    Ok(())
}

async fn validate(args: ValidateArgs) -> Result<(), VersionedError> {
    let dir = open_dir(&args.dir)?;
    dir.validate()?;
    if let Some(dev_url) = &args.dev_url {
        let replayed = mercator_migrate::replay(dir, dev_url).await?;
        println(&format!("Replayed {replayed} file(s) on the dev database."));
    }
    println("Migration directory is valid.");
    Ok(())
}

async fn set(args: SetArgs) -> Result<(), VersionedError> {
    let migrator = builder(&args.conn)?.build()?;
    let report = migrator
        .set(args.conn.single_url()?, args.version.as_deref())
        .await?;
    match args.conn.format {
        Format::Json => print_block(&json(&report)?),
        Format::Text => {
            for v in &report.marked {
                println(&format!("marked {v} as applied"));
            }
            for v in &report.removed {
                println(&format!("removed revision {v}"));
            }
        }
    }
    Ok(())
}

fn new(args: NewArgs) -> Result<(), VersionedError> {
    let path = dir_path(&args.dir);
    std::fs::create_dir_all(&path).map_err(|source| mercator_migrate::dir::DirError::Io {
        path: path.clone(),
        source,
    })?;
    let mut dir = MigrationDir::open(&path)?;
    let name = dir.create_file(args.name.as_deref().unwrap_or(""), Vec::new())?;
    println(&path.join(name).display().to_string());
    Ok(())
}

async fn diff(args: DiffArgs) -> Result<(), VersionedError> {
    let mut dir = open_dir(&args.dir)?;
    let to = args.load.source(&args.to)?;
    let name = args.name.as_deref().unwrap_or("");
    match mercator_migrate::migrate_diff(&mut dir, name, &to, args.dev_url.as_deref()).await? {
        Some(file) => println(&dir_path(&args.dir).join(file).display().to_string()),
        None => println(
            "The migration directory is synced with the desired state, no changes to be made",
        ),
    }
    Ok(())
}

async fn down(args: DownArgs) -> Result<(), VersionedError> {
    let dir = open_dir(&args.conn.dir)?;
    let migrator = builder(&args.conn)?.build()?;
    let options = mercator_migrate::DownOptions {
        target: match args.to_version {
            Some(v) => mercator_migrate::DownTarget::Version(v),
            None => mercator_migrate::DownTarget::Steps(args.n.unwrap_or(1)),
        },
        dev_url: args.dev_url,
        dry_run: args.dry_run,
        lock_timeout: args.conn.lock_timeout,
        revisions: migrator.revisions_table(),
    };
    let report = mercator_migrate::migrate_down(&dir, args.conn.single_url()?, &options).await?;
    match args.conn.format {
        Format::Json => print_block(&json(&report)?),
        Format::Text if report.reverted.is_empty() => println("No migration files to revert"),
        Format::Text => {
            println("-- Planned Changes:");
            for statement in &report.statements {
                println(&format!("{statement};"));
            }
            println(&format!(
                "{} version(s) {}: {}; now at {}",
                report.reverted.len(),
                if report.applied {
                    "reverted"
                } else {
                    "would be reverted"
                },
                report.reverted.join(", "),
                report.target.as_deref().unwrap_or("no version")
            ));
        }
    }
    Ok(())
}
