//! Embedding Mercator: at start-up, bring the application's SQLite database to the schema
//! compiled into the binary. Usage: `embed [DB_PATH]` (default `target/embed.db`).

use mercator_migrate::{MigrateError, SchemaApply, Source};

/// The schema this application ships with (in a real program: `include_str!("schema.sql")`).
const SCHEMA: &str = "
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE events (id INTEGER PRIMARY KEY, at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, kind TEXT NOT NULL);
CREATE INDEX events_kind_idx ON events (kind);
";

#[tokio::main]
async fn main() -> Result<(), MigrateError> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/embed.db".to_owned());
    let apply = SchemaApply::builder()
        .url(format!("sqlite://{path}"))
        .to(Source::sql("schema.sql", SCHEMA))
        .build()
        .await?;
    let planned = apply.plan().await?;
    apply.apply(&planned).await?;
    println!(
        "{path}: {} change(s) applied, schema fingerprint {}",
        planned.changes.len(),
        planned.to_fingerprint
    );
    apply.close().await
}
