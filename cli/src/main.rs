//! The `mercator` command: Atlas-shaped subcommands over `mercator-migrate`.
//!
//! This binary only parses arguments, prints and prompts; everything a library user would
//! also need lives in `mercator-migrate`.

mod fleet;
mod lint;
mod load;
mod migrate;
mod output;
mod plan;
mod project;
mod reconcile;
mod renames;
mod schema;
mod test;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use mercator_migrate::MigrateError;

/// Manage database schemas as code: inspect a database, diff it against SQL files or
/// another database, plan the migration and apply it.
#[derive(Debug, Parser)]
#[command(name = "mercator", version)]
struct Cli {
    /// Log what happens (connections, inspections, each statement) to stderr; repeat for
    /// more detail. `RUST_LOG` takes precedence.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Work with schemas declaratively.
    #[command(subcommand)]
    Schema(schema::SchemaCommand),
    /// Work with versioned migration directories (Atlas's layout).
    #[command(subcommand)]
    Migrate(migrate::MigrateCommand),
}

/// Why the command stopped without success.
pub enum Failure {
    /// A workflow error.
    Migrate(MigrateError),
    /// The user (or a missing terminal) refused.
    Refused(&'static str),
    /// Reading the terminal failed.
    Io(std::io::Error),
    /// Not an error: the command ends with this status (e.g. `--exit-code` on drift).
    Status(u8),
    /// A usage or project problem, said in full.
    Message(String),
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

fn init_logging(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    let default = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

fn main() -> ExitCode {
    // `--env NAME` becomes the flags its atlas.hcl env sets: one command line per env
    // instance, run in turn, stopping at the first failure.
    let lines = match project::expand(std::env::args_os().collect()) {
        Ok(lines) => lines,
        Err(failure) => return report(failure),
    };
    for line in lines {
        if let Err(failure) = run_line(line) {
            return report(failure);
        }
    }
    ExitCode::SUCCESS
}

fn run_line(line: Vec<std::ffi::OsString>) -> Result<(), Failure> {
    let cli = Cli::parse_from(line);
    if cli.verbose > 0 || std::env::var_os("RUST_LOG").is_some() {
        init_logging(cli.verbose);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|err| Failure::Message(format!("cannot start the async runtime: {err}")))?;
    runtime.block_on(async {
        match cli.command {
            Command::Schema(command) => schema::run(command).await,
            Command::Migrate(command) => migrate::run(command).await,
        }
    })
}

fn report(failure: Failure) -> ExitCode {
    let message = match failure {
        Failure::Status(code) => return ExitCode::from(code),
        Failure::Migrate(err) => err.to_string(),
        Failure::Refused(why) => why.to_owned(),
        Failure::Io(err) => format!("I/O error: {err}"),
        Failure::Message(message) => message,
    };
    eprintln!("Error: {}", message.lines().collect::<Vec<_>>().join(" "));
    ExitCode::FAILURE
}
