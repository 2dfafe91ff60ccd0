//! Comparing two sources (Atlas's `schema diff`).

use mercator_driver::{Driver, InspectOptions, OpenOptions};
use schema_diff::{Dialect, DialectExt, DiffOptions, PlanOptions};
use schema_model::{DialectKind, Realm, fingerprint};

use crate::apply::check_dev_binding;
use crate::binding::{adopt_attributes, bind};
use crate::dev::Dev;
use crate::open::{dialect_of, ensure_same, offline_dialect, open_with};
use crate::{MigrateError, PlannedMigration, Source};

/// Computes the plan that turns the schema of `from` into the schema of `to`.
///
/// A `file://` directory holding `atlas.sum` compared with a database is a migration
/// directory: it is replayed on the dev database up to the version the database's revisions
/// table records (see [`crate::drift()`]), so changes made by hand show up.
///
/// Database sources are inspected; `file://` sources are loaded on the dev database
/// (`dev_url`, or an in-memory SQLite database when the other side is SQLite). The plan is
/// written for the database of the database side (or the dev database when both sides are
/// files), unqualified when that side's URL is bound to a schema.
///
/// ```
/// use mercator_migrate::{schema_diff, Source};
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let dir = std::env::temp_dir().join(format!("mercator-doc-diff-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// std::fs::write(dir.join("a.sql"), "CREATE TABLE t (id INTEGER PRIMARY KEY);").unwrap();
/// std::fs::write(dir.join("b.sql"), "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);").unwrap();
///
/// let planned = schema_diff(
///     &Source::file(dir.join("a.sql")),
///     &Source::file(dir.join("b.sql")),
///     Some("sqlite://dev?mode=memory"),
/// ).await?;
/// assert!(planned.plan.to_sql().contains("name"));
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), mercator_migrate::MigrateError>(())
/// # }).unwrap();
/// ```
pub async fn schema_diff(
    from: &Source,
    to: &Source,
    dev_url: Option<&str>,
) -> Result<PlannedMigration, MigrateError> {
    // A migration directory (it holds atlas.sum) against a database: drift (drift.rs).
    if let Some(planned) = crate::drift::migration_dir_diff(from, to, dev_url).await? {
        return Ok(planned);
    }
    let mut kinds = Vec::new();
    for source in [from, to] {
        if let Source::Database(url) = source {
            kinds.push(dialect_of(url)?);
        }
    }
    if let Some(dev_url) = dev_url {
        kinds.push(dialect_of(dev_url)?);
    }
    if let Some((first, rest)) = kinds.split_first() {
        for kind in rest {
            ensure_same(*first, *kind)?;
        }
    }
    // Without any database URL, SQL is read as SQLite, the embedded default that needs
    // no server.
    let kind = kinds.first().copied().unwrap_or(DialectKind::Sqlite);
    let dev = if from.is_sql() || to.is_sql() {
        Some(Dev::choose(dev_url, kind).await?)
    } else {
        None
    };
    let outcome = diff_with(from, to, kind, dev.as_ref()).await;
    // The comparison's own error matters more than a failure to close.
    let closed = match dev {
        Some(dev) => dev.close().await,
        None => Ok(()),
    };
    let planned = outcome?;
    closed?;
    Ok(planned)
}

async fn diff_with(
    from: &Source,
    to: &Source,
    kind: DialectKind,
    dev: Option<&Dev>,
) -> Result<PlannedMigration, MigrateError> {
    let mut opened: Vec<Box<dyn Driver>> = Vec::new();
    for source in [from, to] {
        if let Source::Database(url) = source {
            opened.push(open_with(url, OpenOptions::read_only()).await?);
        }
    }
    let outcome = diff_opened(from, to, kind, &opened, dev).await;
    let mut closed = Ok(());
    for driver in opened {
        closed = closed.and(driver.close().await);
    }
    let planned = outcome?;
    closed?;
    Ok(planned)
}

/// Reads one side: an opened database, or SQL on the dev database.
async fn side(
    source: &Source,
    database: Option<&dyn Driver>,
    dev: Option<&Dev>,
) -> Result<Realm, MigrateError> {
    match (source, database) {
        (Source::Database(_), Some(driver)) => {
            Ok(driver.inspect(&InspectOptions::default()).await?)
        }
        (Source::Database(_), None) => Err(MigrateError::Missing("a database connection")),
        (sql, _) => match dev {
            Some(dev) => dev.load(sql).await,
            None => Err(MigrateError::Missing("a dev database URL (--dev-url)")),
        },
    }
}

async fn diff_opened(
    from: &Source,
    to: &Source,
    kind: DialectKind,
    opened: &[Box<dyn Driver>],
    dev: Option<&Dev>,
) -> Result<PlannedMigration, MigrateError> {
    // The planning side: the first database source, else the dev database's family.
    let offline;
    let (dialect, bound): (&dyn Dialect, Option<String>) = match (opened.first(), dev) {
        (Some(driver), _) => (driver.dialect(), driver.bound_schema().map(str::to_owned)),
        (None, Some(dev)) => {
            offline = offline_dialect(kind)
                .ok_or(MigrateError::Missing("a driver for the dev database"))?;
            (offline.as_ref(), dev.bound_schema().map(str::to_owned))
        }
        (None, None) => return Err(MigrateError::Missing("a database URL or a dev URL")),
    };
    if let Some(dev) = dev {
        check_dev_binding(bound.as_deref(), dev.bound_schema())?;
    }
    let mut databases = opened.iter().map(|d| d.as_ref());
    let from_db = if matches!(from, Source::Database(_)) {
        databases.next()
    } else {
        None
    };
    let to_db = if matches!(to, Source::Database(_)) {
        databases.next()
    } else {
        None
    };
    // Two SQL sources on one named dev database must take turns; otherwise each side waits
    // on its own server, so both are read at once.
    let shared_dev = from.is_sql() && to.is_sql() && matches!(dev, Some(Dev::Url(_)));
    let (current, desired) = if shared_dev {
        (side(from, from_db, dev).await?, side(to, to_db, dev).await?)
    } else {
        tokio::try_join!(side(from, from_db, dev), side(to, to_db, dev))?
    };
    plan_realms(dialect, current, desired, bound)
}

/// The plan from `current` to `desired` for `dialect`: with `bound`, both realms are named
/// as that one schema and the plan is written unqualified.
pub(crate) fn plan_realms(
    dialect: &dyn Dialect,
    current: Realm,
    desired: Realm,
    bound: Option<String>,
) -> Result<PlannedMigration, MigrateError> {
    let (current, mut desired) = match &bound {
        Some(bound) => (bind(current, bound)?, bind(desired, bound)?),
        None => (current, desired),
    };
    if bound.is_some() {
        adopt_attributes(&mut desired, &current);
    }
    plan_named(dialect, current, desired, bound)
}

/// [`plan_realms`] for realms already named as the plan's database names them.
pub(crate) fn plan_named(
    dialect: &dyn Dialect,
    mut current: Realm,
    mut desired: Realm,
    bound: Option<String>,
) -> Result<PlannedMigration, MigrateError> {
    let from_fingerprint = fingerprint(&current)?;
    let to_fingerprint = fingerprint(&desired)?;
    let changes = dialect.diff_in_place(&mut current, &mut desired, &DiffOptions::default());
    let plan = dialect.plan(
        &changes,
        &PlanOptions {
            unqualified_schema: bound,
            ..PlanOptions::default()
        },
    )?;
    Ok(PlannedMigration {
        changes,
        plan,
        from_fingerprint,
        to_fingerprint,
        current,
        desired,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn two_missing_files_name_the_file() {
        let err = schema_diff(&Source::file("a.sql"), &Source::file("b.sql"), None)
            .await
            .err();
        assert!(matches!(err, Some(MigrateError::Import(_))), "{err:?}");
    }

    #[tokio::test]
    async fn postgres_files_need_a_dev_url() {
        let err = schema_diff(
            &Source::database("postgres://u:secret@127.0.0.1:1/db"),
            &Source::file("b.sql"),
            None,
        )
        .await
        .err();
        assert!(matches!(err, Some(MigrateError::DevUrlRequired { .. })));
    }
}
