//! A service that migrates its database at start-up from migration files compiled into the
//! binary. `embed_migrations!` fails the build when `migrations/atlas.sum` does not match the
//! files, and every replica can run this at once: they take turns on a lock and the later
//! ones find nothing pending. Usage: `service [DATABASE_URL]` (default
//! `sqlite://target/service.db`).

use mercator_migrate::dir::EmbeddedDir;
use mercator_migrate::{Migrator, embed_migrations};

static MIGRATIONS: EmbeddedDir = embed_migrations!("migrations");

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sqlite://target/service.db".to_owned());
    let report = Migrator::builder(MIGRATIONS).build()?.apply(&url).await?;
    for file in &report.applied {
        println!("applied {} ({} statements)", file.name, file.statements);
    }
    println!(
        "database at version {}",
        report.to_version.as_deref().unwrap_or("none")
    );
    // … start serving requests here.
    Ok(())
}
