//! Scratch spaces on a PostgreSQL dev server: a database of its own per run (a schema
//! when the dev URL is bound to one), owned through a session advisory lock so a later run
//! can tell a dead run's leftovers from a live run's space.

use mercator_driver::{DriverError, SCRATCH_PREFIX, Scratch, scratch_name, scratch_tag};
use tokio_postgres::Client;
use tokio_postgres::error::SqlState;

use crate::PostgresDriver;
use crate::driver::exec_error;
use crate::inspect::inspect_error;
use crate::lock::{key, release, try_take};
use crate::quote::ident;

/// Where the scratch spaces of one dev URL live.
pub(crate) enum Kind {
    /// Databases next to the dev database (unbound dev URL).
    Database,
    /// Schemas inside the dev database (dev URL bound to a schema).
    Schema,
}

impl Kind {
    /// The kind of space a dev URL bound to `bound` (or to no schema) works in.
    pub(crate) fn of(bound: Option<&str>) -> Kind {
        match bound {
            Some(_) => Kind::Schema,
            None => Kind::Database,
        }
    }
}

/// Drops the spaces whose owner is gone: their advisory lock is free.
pub(crate) async fn reclaim(client: &Client, kind: &Kind, tag: &str) -> Result<(), DriverError> {
    let pattern = format!("{}{tag}\\_%", SCRATCH_PREFIX.replace('_', "\\_"));
    let sql = match kind {
        Kind::Database => "SELECT datname::text FROM pg_database WHERE datname LIKE $1",
        Kind::Schema => "SELECT nspname::text FROM pg_namespace WHERE nspname LIKE $1",
    };
    let rows = client
        .query(sql, &[&pattern])
        .await
        .map_err(inspect_error)?;
    for row in rows {
        let name: String = row.try_get(0).map_err(inspect_error)?;
        if !try_take(client, "SELECT pg_try_advisory_lock($1)", &name).await? {
            continue;
        }
        let dropped = drop_space(client, kind, &name).await;
        release(client, &name).await;
        dropped?;
    }
    Ok(())
}

pub(crate) async fn drop_space(
    client: &Client,
    kind: &Kind,
    name: &str,
) -> Result<(), DriverError> {
    match kind {
        Kind::Database => {
            let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", ident(name));
            client
                .batch_execute(&sql)
                .await
                .map_err(|e| exec_error(&sql, e))
        }
        Kind::Schema => {
            crate::dev::drop_tables_in_batches(client, &[name.to_owned()]).await?;
            let sql = format!("DROP SCHEMA IF EXISTS {} CASCADE", ident(name));
            client
                .batch_execute(&sql)
                .await
                .map_err(|e| exec_error(&sql, e))
        }
    }
}

/// The URL of a new space: the dev URL pointed at the database, or bound to the schema.
pub(crate) fn space_url(raw: &str, kind: &Kind, name: &str) -> Option<String> {
    let mut url = url::Url::parse(raw).ok()?;
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "search_path")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    {
        let mut query = url.query_pairs_mut();
        query.clear();
        for (k, v) in &pairs {
            query.append_pair(k, v);
        }
        if matches!(kind, Kind::Schema) {
            query.append_pair("search_path", name);
        }
    }
    if url.query() == Some("") {
        url.set_query(None);
    }
    if matches!(kind, Kind::Database) {
        url.set_path(&format!("/{name}"));
    }
    Some(url.to_string())
}

/// Creates a space for this run, after reclaiming dead runs' spaces. `None` when the
/// server refuses for lack of privilege.
pub(crate) async fn create(
    driver: &PostgresDriver,
    client: &Client,
    raw_url: &str,
    bound: Option<&str>,
) -> Result<Option<Scratch>, DriverError> {
    create_from(driver, client, raw_url, bound, None).await
}

/// The database the client is connected to.
pub(crate) async fn current_database(client: &Client) -> Result<String, DriverError> {
    Ok(client
        .query_one("SELECT current_database()::text", &[])
        .await
        .map_err(inspect_error)?
        .get(0))
}

/// [`create`], copying the database `template` when given (unbound dev URLs only).
/// `None` also when the template is gone (a concurrent run reclaimed it).
pub(crate) async fn create_from(
    driver: &PostgresDriver,
    client: &Client,
    raw_url: &str,
    bound: Option<&str>,
    template: Option<&str>,
) -> Result<Option<Scratch>, DriverError> {
    let (kind, owner) = match bound {
        Some(schema) => (Kind::Schema, schema.to_owned()),
        None => (Kind::Database, current_database(client).await?),
    };
    let tag = scratch_tag(&owner);
    reclaim(client, &kind, &tag).await?;
    let name = scratch_name(&owner);
    let Some(url) = space_url(raw_url, &kind, &name) else {
        return Ok(None);
    };
    client
        .query_one("SELECT pg_advisory_lock($1)", &[&key(&name)])
        .await
        .map_err(inspect_error)?;
    let sql = match (&kind, template) {
        (Kind::Database, Some(template)) => format!(
            "CREATE DATABASE {} TEMPLATE {}",
            ident(&name),
            ident(template)
        ),
        (Kind::Database, None) => format!("CREATE DATABASE {}", ident(&name)),
        (Kind::Schema, _) => format!("CREATE SCHEMA {}", ident(&name)),
    };
    if let Err(e) = client.batch_execute(&sql).await {
        release(client, &name).await;
        if e.code() == Some(&SqlState::INSUFFICIENT_PRIVILEGE)
            || (template.is_some()
                && (e.code() == Some(&SqlState::UNDEFINED_DATABASE)
                    || e.code() == Some(&SqlState::OBJECT_IN_USE)))
        {
            return Ok(None);
        }
        return Err(exec_error(&sql, e));
    }
    match PostgresDriver::open(&url).await {
        Ok(space) => {
            tracing::debug!(scratch = %name, dev = %driver_url(driver), "created scratch space");
            Ok(Some(Scratch {
                name,
                driver: Box::new(space),
            }))
        }
        Err(e) => {
            let _ = remove(client, bound, &name).await;
            Err(e)
        }
    }
}

fn driver_url(driver: &PostgresDriver) -> &str {
    mercator_driver::Driver::url(driver)
}

/// Drops a space and releases its lock.
pub(crate) async fn remove(
    client: &Client,
    bound: Option<&str>,
    name: &str,
) -> Result<(), DriverError> {
    let dropped = drop_space(client, &Kind::of(bound), name).await;
    release(client, name).await;
    dropped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn space_urls_keep_everything_but_the_target() {
        assert_eq!(
            space_url(
                "postgres://u:p@h:5432/dev?sslmode=disable",
                &Kind::Database,
                "mercator_dev_x"
            )
            .as_deref(),
            Some("postgres://u:p@h:5432/mercator_dev_x?sslmode=disable")
        );
        assert_eq!(
            space_url(
                "postgres://u@h/dev?search_path=app",
                &Kind::Schema,
                "mercator_dev_x"
            )
            .as_deref(),
            Some("postgres://u@h/dev?search_path=mercator_dev_x")
        );
    }
}
