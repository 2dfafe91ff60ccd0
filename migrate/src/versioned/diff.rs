//! `migrate diff`: the next migration file, computed by replaying the directory on the dev
//! database and diffing the result against the desired state.

use mercator_driver::{Driver, InspectOptions, REVISIONS_TABLE};
use mercator_migrate_dir::{Change, MigrationDir, RenderOptions, render_file};
use schema_diff::{DialectExt, DiffOptions, PlanOptions};
use schema_model::{DialectKind, Realm};

use super::VersionedError;
use crate::binding::{adopt_attributes, bind};
use crate::dev::{Dev, realm_of};
use crate::open::{dialect_of, offline_dialect};
use crate::{MigrateError, Source};

/// Writes `<version>_<name>.sql` with the changes that bring the directory's schema to
/// `to`, in Atlas's layout (`-- Create "users" table` above each statement), and updates
/// `atlas.sum`. Returns the new file's name, or `None` when the directory is already in sync
/// (nothing is written then).
///
/// The dev database (`dev_url`, or a private in-memory SQLite database for SQLite when
/// `dev_url` is `None` and `to` is SQLite) must be clean; it is emptied afterwards.
pub async fn migrate_diff(
    dir: &mut MigrationDir,
    name: &str,
    to: &Source,
    dev_url: Option<&str>,
) -> Result<Option<String>, VersionedError> {
    dir.validate()?;
    let kind = match (dev_url, to) {
        (Some(url), _) => dialect_of(url)?,
        (None, Source::Database(url)) => dialect_of(url)?,
        (None, _) => DialectKind::Sqlite,
    };
    let dev = Dev::choose(dev_url, kind).await?;
    let outcome = diff_on(dir, name, to, &dev, kind).await;
    let closed = dev.close().await;
    let outcome = outcome?;
    closed?;
    Ok(outcome)
}

async fn diff_on(
    dir: &mut MigrationDir,
    name: &str,
    to: &Source,
    dev: &Dev,
    kind: DialectKind,
) -> Result<Option<String>, VersionedError> {
    // The desired state first: loading it checks that the dev database is clean and empties
    // it again, ready for the replay.
    let desired = realm_of(to, Some(dev), &InspectOptions::default()).await?;
    let mut current = match dev {
        Dev::Url(driver) => {
            driver.check_clean().await?;
            let replayed = replay_and_inspect(dir, driver.as_ref(), kind).await;
            let reset = driver.reset().await;
            let realm = replayed?;
            reset?;
            realm
        }
        Dev::Scratch { open, .. } => {
            let driver = open()?;
            replay_and_inspect(dir, driver.as_ref(), kind).await?
        }
    };
    let bound = dev.bound_schema().map(str::to_owned);
    let mut desired = match &bound {
        Some(schema) => bind(desired, schema)?,
        None => desired,
    };
    if bound.is_some() {
        adopt_attributes(&mut desired, &current);
    }
    let dialect = offline_dialect(kind).ok_or(MigrateError::DevUrlRequired { dialect: kind })?;
    // `-- mercator:renamed-from` in the desired SQL: renames against the directory's state.
    let directives = crate::renames::read(to, kind)?;
    let options = DiffOptions {
        renames: crate::renames::resolve(&directives, &current, &desired)?,
        ..DiffOptions::default()
    };
    let changes = dialect.diff_in_place(&mut current, &mut desired, &options);
    let plan = dialect
        .plan(
            &changes,
            &PlanOptions {
                unqualified_schema: bound,
                ..PlanOptions::default()
            },
        )
        .map_err(|e| VersionedError::Driver(Box::new(e.into())))?;
    if plan.is_empty() {
        return Ok(None);
    }
    let mut options = RenderOptions::default();
    if plan.statements.iter().any(|s| !s.transactional) {
        // e.g. `CREATE INDEX CONCURRENTLY`, which cannot run inside the file's transaction.
        options.directives.push(("txmode".into(), "none".into()));
    }
    let rendered: Vec<Change> = plan
        .statements
        .iter()
        .map(|s| Change::new(s.comment.clone(), s.sql.clone()))
        .collect();
    let file = dir.create_file(name, render_file(&options, &rendered))?;
    Ok(Some(file))
}

/// Runs the directory's statements (from its last checkpoint) on `driver` and inspects it.
pub(crate) async fn replay_and_inspect(
    dir: &MigrationDir,
    driver: &dyn Driver,
    kind: DialectKind,
) -> Result<Realm, VersionedError> {
    {
        let mut session = driver.session().await?;
        for file in dir.files_from_last_checkpoint()? {
            let parsed = file.parse(kind)?;
            for (i, statement) in parsed.statements.iter().enumerate() {
                session.execute(&statement.text).await.map_err(|error| {
                    VersionedError::Statement {
                        file: file.name().to_owned(),
                        line: statement.line,
                        index: i + 1,
                        total: parsed.statements.len(),
                        message: crate::dev::one_line(&error.to_string()),
                        source: Box::new(error),
                    }
                })?;
            }
        }
    }
    let mut realm = driver.inspect(&InspectOptions::default()).await?;
    for schema in &mut realm.schemas {
        schema.tables.retain(|t| t.name != REVISIONS_TABLE);
    }
    Ok(realm)
}
