//! A lint rule of the application's own, registered next to the built-in analyzers: every
//! new table must have a `created_at` column. Usage: `custom_lint` (prints the reports and
//! exits with 1 when the migration has errors, like `mercator migrate lint`).
//!
//! The rule is an ordinary [`Analyzer`] impl; the same value works for `migrate lint`
//! ([`MigrateLint::analyzer`]) and for the review gate of a declarative apply
//! ([`ReviewSettings::analyzer`]). Its settings come from the same configuration as the
//! built-in analyzers' (`analyzers.<name>`), here made an error.

use std::process::ExitCode;

use mercator_migrate::dir::{MigrationDir, MigrationFile};
use mercator_migrate::lint::{LintSelection, MigrateLint, ReviewSettings};
use mercator_migrate::{SchemaApply, Source};
use schema_diff::Change;
use schema_lint::{Analyzer, AnalyzerSettings, Context, Diagnostic, LintConfig};

/// Flags tables created without a `created_at` column.
struct CreatedAtRequired;

impl Analyzer for CreatedAtRequired {
    fn name(&self) -> &str {
        "created_at"
    }

    fn title(&self) -> String {
        "tables without created_at detected".into()
    }

    fn analyze(&self, cx: &Context<'_>) -> Vec<Diagnostic> {
        cx.changes
            .located()
            .filter_map(|(at, change)| match change {
                Change::AddTable { schema, table }
                    if !table.columns.iter().any(|c| c.name == "created_at") =>
                {
                    Some(
                        Diagnostic::new(
                            "APP101",
                            at,
                            format!("Table {:?} has no created_at column", table.name),
                        )
                        .table(schema, &table.name)
                        .fix(format!(
                            "Add `created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP` to {:?}",
                            table.name
                        )),
                    )
                }
                _ => None,
            })
            .collect()
    }
}

/// Findings of the custom analyzer are errors in this application.
fn config() -> LintConfig {
    let mut config = LintConfig::default();
    config.analyzers.insert(
        "created_at".into(),
        AnalyzerSettings {
            error: Some(true),
            enabled: None,
        },
    );
    config
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(err) => {
            eprintln!("Error: {err}");
            ExitCode::from(1)
        }
    }
}

async fn run() -> Result<bool, Box<dyn std::error::Error>> {
    // Versioned: lint the newest file of a directory (SQLite, in-memory dev database).
    let mut dir = MigrationDir::default();
    dir.add_file(MigrationFile::new(
        "1_users.sql",
        "CREATE TABLE users (id integer PRIMARY KEY, created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP);\n",
    ))?;
    dir.add_file(MigrationFile::new(
        "2_events.sql",
        "CREATE TABLE events (id integer PRIMARY KEY, kind text NOT NULL);\n",
    ))?;
    let outcome = MigrateLint::builder(dir)
        .selection(LintSelection::Latest(1))
        .config(config())
        .analyzer(CreatedAtRequired)
        .no_cache()
        .build()?
        .run()
        .await?;
    print!("{}", outcome.report.to_text());

    // Declarative: the same rule reviews a plan before it is applied.
    let db = std::env::temp_dir().join(format!("mercator-custom-lint-{}.db", std::process::id()));
    let apply = SchemaApply::builder()
        .url(format!("sqlite://{}", db.display()))
        .to(Source::sql(
            "schema.sql",
            "CREATE TABLE audit (id integer PRIMARY KEY);",
        ))
        .review(
            ReviewSettings::default()
                .config(config())
                .analyzer(CreatedAtRequired),
        )
        .build()
        .await?;
    let review = apply
        .run_reviewed(|review| {
            print!("{}", review.report.to_text());
            // An embedding application decides here; this one refuses what needs review.
            !review.needs_review
        })
        .await?;
    apply.close().await?;
    let _ = std::fs::remove_file(&db);
    println!("declarative plan applied: {}", review.applied);
    Ok(!outcome.report.has_errors() && review.applied)
}
