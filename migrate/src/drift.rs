//! Drift of a versioned database: a migration directory as the desired state, replayed on
//! the dev database up to the version the database's revisions table records, compared with
//! the database itself. Whatever was changed by hand shows up as the difference.

use std::path::Path;

use mercator_driver::{Driver, InspectOptions, OpenOptions};
use mercator_migrate_dir::{MigrationDir, SUM_FILE_NAME};
use schema_model::Realm;

use crate::dev::Dev;
use crate::diff::{plan_named, plan_realms};
use crate::open::{dialect_of, open_with};
use crate::{MigrateError, Migrator, PlannedMigration, Source, VersionedError};

/// Whether a `file://` source is a migration directory (it holds `atlas.sum`) rather than a
/// directory of schema files.
pub fn is_migration_dir(source: &Source) -> bool {
    match source {
        Source::Files { path, .. } => path.is_dir() && path.join(SUM_FILE_NAME).is_file(),
        _ => false,
    }
}

fn versioned(error: VersionedError) -> MigrateError {
    match error {
        VersionedError::Migrate(inner) => *inner,
        other => MigrateError::Versioned(Box::new(other)),
    }
}

/// [`crate::schema_diff`] when one side is a database and the other a migration directory:
/// `None` for any other pair of sources.
pub(crate) async fn migration_dir_diff(
    from: &Source,
    to: &Source,
    dev_url: Option<&str>,
) -> Result<Option<PlannedMigration>, MigrateError> {
    match (from, to) {
        (Source::Database(url), Source::Files { path: dir, .. }) if is_migration_dir(to) => {
            drift(url, dir, dev_url, None).await.map(Some)
        }
        (Source::Files { path: dir, .. }, Source::Database(url)) if is_migration_dir(from) => {
            // The directory is the current side: the plan goes from it to the database.
            let planned = drift(url, dir, dev_url, None).await?;
            reverse(url, planned).await.map(Some)
        }
        _ => Ok(None),
    }
}

/// Compares the database at `url` with what the migration directory `dir` produces up to
/// the version recorded in the database's revisions table (in `revisions_schema`, or where
/// the driver keeps it by default). The plan goes from the database to the directory's
/// state: it names each object changed by hand (an added column is dropped again, and so
/// on); it is empty when the database is in sync.
pub async fn drift(
    url: &str,
    dir: &Path,
    dev_url: Option<&str>,
    revisions_schema: Option<&str>,
) -> Result<PlannedMigration, MigrateError> {
    let kind = dialect_of(url)?;
    let dir = MigrationDir::open(dir).map_err(|e| versioned(e.into()))?;
    let target = open_with(url, OpenOptions::read_only()).await?;
    let dev = match Dev::choose(dev_url, kind).await {
        Ok(dev) => dev,
        Err(e) => {
            let _ = target.close().await;
            return Err(e);
        }
    };
    let outcome = drift_on(target.as_ref(), &dev, dir, revisions_schema).await;
    let closed = target.close().await;
    let dev_closed = dev.close().await;
    let planned = outcome?;
    closed?;
    dev_closed?;
    Ok(planned)
}

async fn drift_on(
    target: &dyn Driver,
    dev: &Dev,
    dir: MigrationDir,
    revisions_schema: Option<&str>,
) -> Result<PlannedMigration, MigrateError> {
    let mut builder = Migrator::builder(dir.clone());
    if let Some(schema) = revisions_schema {
        builder = builder.revisions_schema(schema);
    }
    let status = builder
        .clone()
        .build()
        .map_err(versioned)?
        .status_on(target)
        .await
        .map_err(versioned)?;
    let current = target.inspect(&InspectOptions::default()).await?;
    let bound = target.bound_schema().map(str::to_owned);
    let replayed = match &status.current {
        Some(version) => {
            let migrator = builder.to_version(version).build().map_err(versioned)?;
            replay_to(dev, &migrator).await?
        }
        // Nothing applied yet: the directory's state is an empty database (named as the
        // bound schema when there is one).
        None if bound.is_some() => Realm::new(Vec::new()),
        None => target.dialect().empty_database(),
    };
    plan_realms(target.dialect(), current, replayed, bound)
}

/// Applies the directory up to the migrator's version in a private space of the dev
/// database and inspects the result (without the revisions table, which drivers leave out).
async fn replay_to(dev: &Dev, migrator: &Migrator) -> Result<Realm, MigrateError> {
    dev.in_private_space(async |driver| apply_and_inspect(driver, migrator).await)
        .await
}

async fn apply_and_inspect(
    driver: &dyn Driver,
    migrator: &Migrator,
) -> Result<Realm, MigrateError> {
    migrator.apply_on(driver).await.map_err(versioned)?;
    let mut realm = driver.inspect(&InspectOptions::default()).await?;
    // Where the driver keeps the revisions table in the inspected schema (SQLite), it is
    // bookkeeping, not part of the directory's schema.
    for schema in &mut realm.schemas {
        schema
            .tables
            .retain(|t| t.name != mercator_driver::REVISIONS_TABLE);
    }
    Ok(realm)
}

/// The same comparison the other way round: from the directory's state to the database.
async fn reverse(url: &str, planned: PlannedMigration) -> Result<PlannedMigration, MigrateError> {
    let target = open_with(url, OpenOptions::read_only()).await?;
    let bound = target.bound_schema().map(str::to_owned);
    let reversed = plan_named(target.dialect(), planned.desired, planned.current, bound);
    let closed = target.close().await;
    let reversed = reversed?;
    closed?;
    Ok(reversed)
}
