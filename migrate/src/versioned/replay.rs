//! Replaying a directory on a dev database (`migrate validate --dev-url`): every file must
//! run on a clean database.

use mercator_migrate_dir::MigrationDir;

use super::{Migrator, VersionedError};
use crate::open;

/// Runs every file of `dir` (from its last checkpoint) on the clean dev database at
/// `dev_url`, then empties it again. Returns how many files ran.
pub async fn replay(dir: MigrationDir, dev_url: &str) -> Result<usize, VersionedError> {
    let dev = open(dev_url).await?;
    dev.check_clean().await?;
    let outcome = Migrator::builder(dir).build()?.apply_on(dev.as_ref()).await;
    // The replay's own error is what the user needs; a failed reset comes second.
    let reset = dev.reset().await;
    let closed = dev.close().await;
    let report = outcome?;
    reset?;
    closed?;
    Ok(report.applied.len())
}
