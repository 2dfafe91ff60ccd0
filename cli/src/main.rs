//! The `mercator` command: Atlas-shaped subcommands over `mercator-migrate`.
//!
//! This binary only parses arguments, prints and prompts; everything a library user would
//! also need lives in `mercator-migrate`.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use mercator_migrate::{
    InspectFormat, MigrateError, PlannedMigration, SchemaApply, Source, inspect_source_as,
    schema_diff,
};

/// Manage database schemas as code.
#[derive(Debug, Parser)]
#[command(name = "mercator", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Work with schemas declaratively.
    #[command(subcommand)]
    Schema(SchemaCommand),
}

#[derive(Debug, Subcommand)]
enum SchemaCommand {
    /// Print the schema of a database.
    Inspect(InspectArgs),
    /// Print the SQL that turns one schema into another.
    Diff(DiffArgs),
    /// Bring a database to the desired schema.
    Apply(ApplyArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Sql,
    Json,
}

#[derive(Debug, Args)]
struct InspectArgs {
    /// Database URL (sqlite://app.db, postgres://user@host/db, mysql://root@host/db) or
    /// file://path of SQL files (needs --dev-url).
    #[arg(short, long)]
    url: String,
    /// Dev database used to load SQL files.
    #[arg(long)]
    dev_url: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "sql")]
    format: Format,
    /// Schemas to inspect (default: the URL's schema, or all).
    #[arg(short, long = "schema")]
    schemas: Vec<String>,
}

#[derive(Debug, Args)]
struct DiffArgs {
    /// Current state: a database URL or file://path.
    #[arg(long)]
    from: String,
    /// Desired state: a database URL or file://path.
    #[arg(long)]
    to: String,
    /// Dev database used to load SQL files.
    #[arg(long)]
    dev_url: Option<String>,
}

#[derive(Debug, Args)]
struct ApplyArgs {
    /// The database to migrate.
    #[arg(short, long)]
    url: String,
    /// Desired state: file://path (a .sql file or directory) or a database URL.
    #[arg(long)]
    to: String,
    /// Dev database used to load SQL files (optional for SQLite).
    #[arg(long)]
    dev_url: Option<String>,
    /// Print the plan and stop.
    #[arg(long)]
    dry_run: bool,
    /// Apply without asking.
    #[arg(long)]
    auto_approve: bool,
    /// Schemas to manage (default: the URL's schema, or all).
    #[arg(short, long = "schema")]
    schemas: Vec<String>,
}

/// Why the command stopped without success: a workflow error or the user's refusal.
enum Failure {
    Migrate(MigrateError),
    Refused(&'static str),
    Io(std::io::Error),
}

impl From<MigrateError> for Failure {
    fn from(err: MigrateError) -> Self {
        Failure::Migrate(err)
    }
}

impl From<std::io::Error> for Failure {
    fn from(err: std::io::Error) -> Self {
        Failure::Io(err)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("Error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            let message = match failure {
                Failure::Migrate(err) => err.to_string(),
                Failure::Refused(why) => why.to_owned(),
                Failure::Io(err) => format!("I/O error: {err}"),
            };
            eprintln!("Error: {}", message.lines().collect::<Vec<_>>().join(" "));
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Schema(SchemaCommand::Inspect(args)) => inspect(args).await,
        Command::Schema(SchemaCommand::Diff(args)) => diff(args).await,
        Command::Schema(SchemaCommand::Apply(args)) => apply(args).await,
    }
}

async fn inspect(args: InspectArgs) -> Result<(), Failure> {
    let format = match args.format {
        Format::Sql => InspectFormat::Sql,
        Format::Json => InspectFormat::Json,
    };
    let source = Source::parse(&args.url)?;
    let text = inspect_source_as(&source, args.dev_url.as_deref(), &args.schemas, format).await?;
    print!("{text}");
    if !text.ends_with('\n') {
        println!();
    }
    Ok(())
}

async fn diff(args: DiffArgs) -> Result<(), Failure> {
    let from = Source::parse(&args.from)?;
    let to = Source::parse(&args.to)?;
    let planned = schema_diff(&from, &to, args.dev_url.as_deref()).await?;
    if planned.plan.is_empty() {
        println!("Schemas are synced, no changes to be made.");
    } else {
        print!("{}", planned.plan.to_sql());
    }
    Ok(())
}

async fn apply(args: ApplyArgs) -> Result<(), Failure> {
    let mut builder = SchemaApply::builder()
        .url(&args.url)
        .to(Source::parse(&args.to)?)
        .schemas(args.schemas.clone());
    if let Some(dev_url) = &args.dev_url {
        builder = builder.dev_url(dev_url);
    }
    let apply = builder.build().await?;
    let outcome = plan_and_apply(&apply, &args).await;
    // The outcome matters more than a failure to close the connections.
    let closed = apply.close().await;
    outcome?;
    closed?;
    Ok(())
}

async fn plan_and_apply(apply: &SchemaApply, args: &ApplyArgs) -> Result<(), Failure> {
    let planned = apply.plan().await?;
    if planned.plan.is_empty() {
        println!("Schema is synced, no changes to be made");
        return Ok(());
    }
    println!("-- Planned Changes:");
    print!("{}", planned.plan.to_sql());
    if args.dry_run {
        return Ok(());
    }
    if !args.auto_approve && !confirm()? {
        return Err(Failure::Refused("changes were not applied"));
    }
    apply.apply(&planned).await?;
    print_applied(&planned);
    Ok(())
}

fn print_applied(planned: &PlannedMigration) {
    println!(
        "Applied {} change(s) in {} statement(s).",
        planned.changes.len(),
        planned.plan.statements.len()
    );
}

/// Asks on the terminal; without one, refuses rather than applying unreviewed changes.
fn confirm() -> Result<bool, Failure> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(Failure::Refused(
            "stdin is not a terminal, so the changes cannot be confirmed: review the plan and pass --auto-approve to apply it",
        ));
    }
    print!("Apply these changes? [y/N] ");
    std::io::stdout().flush()?;
    let mut answer = String::new();
    stdin.lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes" | "YES"))
}
