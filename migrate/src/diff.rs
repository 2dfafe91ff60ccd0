//! Comparing two sources (Atlas's `schema diff`).

use mercator_driver::{Driver, InspectOptions};
use schema_diff::{DiffOptions, PlanOptions};
use schema_model::fingerprint;

use crate::apply::check_dev_binding;
use crate::binding::{adopt_attributes, bind};
use crate::desired::load_sql;
use crate::open::sqlite_in_memory;
use crate::{DatabaseKind, MigrateError, PlannedMigration, Source, open};

/// Computes the plan that turns the schema of `from` into the schema of `to`.
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
    let mut kinds = Vec::new();
    for source in [from, to] {
        if let Source::Database(url) = source {
            kinds.push(DatabaseKind::of_url(url)?);
        }
    }
    if let Some(dev_url) = dev_url {
        kinds.push(DatabaseKind::of_url(dev_url)?);
    }
    if let Some((first, rest)) = kinds.split_first() {
        for kind in rest {
            first.ensure_same(*kind)?;
        }
    }
    let needs_dev = from.is_sql() || to.is_sql();
    let dev = match (needs_dev, dev_url, kinds.first()) {
        (false, _, _) => None,
        (true, Some(url), _) => Some(open(url).await?),
        (true, None, Some(DatabaseKind::Sqlite)) => Some(sqlite_in_memory()),
        (true, None, Some(kind)) => {
            return Err(MigrateError::DevUrlRequired {
                dialect: kind.name().into(),
            });
        }
        (true, None, None) => {
            return Err(MigrateError::Missing(
                "a dev database URL (--dev-url): it tells which database two SQL sources are for",
            ));
        }
    };
    let outcome = diff_with(from, to, dev.as_deref()).await;
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
    dev: Option<&dyn Driver>,
) -> Result<PlannedMigration, MigrateError> {
    let mut opened: Vec<Box<dyn Driver>> = Vec::new();
    for source in [from, to] {
        if let Source::Database(url) = source {
            opened.push(open(url).await?);
        }
    }
    let outcome = diff_opened(from, to, &opened, dev).await;
    let mut closed = Ok(());
    for driver in opened {
        closed = closed.and(driver.close().await);
    }
    let planned = outcome?;
    closed?;
    Ok(planned)
}

async fn diff_opened(
    from: &Source,
    to: &Source,
    opened: &[Box<dyn Driver>],
    dev: Option<&dyn Driver>,
) -> Result<PlannedMigration, MigrateError> {
    // The planning side: the first database source, else the dev database.
    let planner: &dyn Driver = match (opened.first(), dev) {
        (Some(driver), _) => driver.as_ref(),
        (None, Some(dev)) => dev,
        (None, None) => return Err(MigrateError::Missing("a database URL or a dev URL")),
    };
    if let Some(dev) = dev {
        check_dev_binding(planner, dev)?;
    }
    let bound = planner.bound_schema().map(str::to_owned);
    let mut databases = opened.iter();
    let mut realms = Vec::with_capacity(2);
    for source in [from, to] {
        let realm = match source {
            Source::Database(_) => match databases.next() {
                Some(driver) => driver.inspect(&InspectOptions::default()).await?,
                None => return Err(MigrateError::Missing("a database connection")),
            },
            sql => match dev {
                Some(dev) => load_sql(sql, dev).await?,
                None => return Err(MigrateError::Missing("a dev database URL (--dev-url)")),
            },
        };
        realms.push(match &bound {
            Some(bound) => bind(realm, bound)?,
            None => realm,
        });
    }
    let mut desired = realms.pop().unwrap_or_default();
    let current = realms.pop().unwrap_or_default();
    if bound.is_some() {
        adopt_attributes(&mut desired, &current);
    }
    let dialect = planner.dialect();
    let changes = dialect.diff(&current, &desired, &DiffOptions::default());
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
        from_fingerprint: fingerprint(&current),
        to_fingerprint: fingerprint(&desired),
        current,
        desired,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn two_files_without_dev_url_is_an_error() {
        let err = schema_diff(&Source::file("a.sql"), &Source::file("b.sql"), None)
            .await
            .err();
        assert!(matches!(err, Some(MigrateError::Missing(_))));
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
