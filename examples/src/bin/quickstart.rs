//! Applies `examples/quickstart/schema.sql` to a SQLite database file (default
//! `target/quickstart.db`, or the first argument), then plans again to show the database
//! is in sync.

use std::process::ExitCode;

use mercator_migrate::{MigrateError, SchemaApply, Source};

#[tokio::main]
async fn main() -> ExitCode {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/quickstart.db".to_owned());
    match run(&path).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("Error: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run(path: &str) -> Result<(), MigrateError> {
    if let Some(dir) = std::path::Path::new(path).parent() {
        // A missing folder would surface as a less helpful "cannot open database" error.
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir).ok();
        }
    }
    let url = format!("sqlite://{path}");
    let schema = mercator_examples::quickstart_schema();
    println!("Database: {url}");
    println!("Desired schema: {}\n", schema.display());

    for round in 1..=2 {
        let apply = SchemaApply::builder()
            .url(&url)
            .to(Source::file(&schema))
            .build()
            .await?;
        let planned = apply.plan().await?;
        if planned.is_empty() {
            println!("Run {round}: schema is synced, no changes to be made.");
        } else {
            println!("Run {round}: planned {} change(s):", planned.changes.len());
            print!("{}", planned.plan.to_sql());
            apply.apply(&planned).await?;
            println!("Run {round}: applied.\n");
        }
        apply.close().await?;
    }
    Ok(())
}
