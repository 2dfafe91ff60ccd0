//! Dev-state snapshots on a PostgreSQL dev server: a database per snapshot,
//! `mercator_snap_<tag>_<key>`, next to the dev database, copied with
//! `CREATE DATABASE … TEMPLATE` into a new scratch database when a run restores it.
//!
//! Snapshots are only taken of scratch databases (unbound dev URLs): a schema cannot be
//! copied in one statement. A snapshot refuses connections, so nothing can block a copy
//! of it. Restores hold a shared advisory lock on the snapshot's name while they copy;
//! reclaiming (all but the [`SNAPSHOTS_KEPT`] newest, by creation order) takes the
//! exclusive lock without waiting and skips snapshots in use.

use mercator_driver::{DriverError, SNAPSHOTS_KEPT, Scratch, scratch_tag};
use tokio_postgres::Client;
use tokio_postgres::error::SqlState;

use crate::PostgresDriver;
use crate::driver::exec_error;
use crate::inspect::inspect_error;
use crate::lock::key;
use crate::quote::ident;
use crate::scratch::{Kind, create_from, current_database, space_url};

/// The prefix of snapshot database names.
const SNAPSHOT_PREFIX: &str = "mercator_snap_";

fn snapshot_prefix(owner: &str) -> String {
    format!("{SNAPSHOT_PREFIX}{}_", scratch_tag(owner))
}

/// Whether a caller's key can be part of a database name unquoted and within 63 bytes.
fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 32
        && key
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
}

/// Copies the scratch database into the snapshot `key`. The scratch's connection is
/// closed for the copy (PostgreSQL copies only databases nobody is connected to) and
/// reopened after.
pub(crate) async fn save(
    client: &Client,
    raw_url: &str,
    scratch: &mut Scratch,
    key_text: &str,
) -> Result<bool, DriverError> {
    if !valid_key(key_text) {
        return Ok(false);
    }
    let owner = current_database(client).await?;
    let name = format!("{}{key_text}", snapshot_prefix(&owner));
    let exists = client
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .await
        .map_err(inspect_error)?
        .is_some();
    if exists {
        return Ok(true);
    }
    let Some(url) = space_url(raw_url, &Kind::Database, &scratch.name) else {
        return Ok(false);
    };
    scratch.driver.close().await?;
    // The copy waits (up to 5 s, server side) for the closed connection's backend to go.
    let copy = format!(
        "CREATE DATABASE {} TEMPLATE {}",
        ident(&name),
        ident(&scratch.name)
    );
    let copied = client.batch_execute(&copy).await;
    // Reconnect before judging the copy: the scratch must stay usable either way.
    scratch.driver = Box::new(PostgresDriver::open(&url).await?);
    match copied {
        Ok(()) => {}
        // Another run saved the same state first.
        Err(e) if e.code() == Some(&SqlState::DUPLICATE_DATABASE) => return Ok(true),
        Err(e) if e.code() == Some(&SqlState::INSUFFICIENT_PRIVILEGE) => return Ok(false),
        Err(e) => return Err(exec_error(&copy, e)),
    }
    let seal = format!(
        "ALTER DATABASE {} WITH ALLOW_CONNECTIONS false",
        ident(&name)
    );
    client
        .batch_execute(&seal)
        .await
        .map_err(|e| exec_error(&seal, e))?;
    reclaim(client, &owner, SNAPSHOTS_KEPT).await?;
    Ok(true)
}

/// Drops all but the newest `keep` snapshots of the dev database `owner`, skipping any a
/// run is copying; returns how many went.
pub(crate) async fn reclaim(
    client: &Client,
    owner: &str,
    keep: usize,
) -> Result<usize, DriverError> {
    let pattern = format!("{}%", snapshot_prefix(owner).replace('_', "\\_"));
    let rows = client
        .query(
            "SELECT datname::text FROM pg_database WHERE datname LIKE $1 ORDER BY oid DESC",
            &[&pattern],
        )
        .await
        .map_err(inspect_error)?;
    let mut dropped_count = 0;
    for row in rows.iter().skip(keep) {
        let name: String = row.try_get(0).map_err(inspect_error)?;
        let free: bool = client
            .query_one("SELECT pg_try_advisory_lock($1)", &[&key(&name)])
            .await
            .map_err(inspect_error)?
            .get(0);
        if !free {
            continue;
        }
        let sql = format!("DROP DATABASE IF EXISTS {}", ident(&name));
        let dropped = client.batch_execute(&sql).await;
        let _ = client
            .query_one("SELECT pg_advisory_unlock($1)", &[&key(&name)])
            .await;
        match dropped {
            Ok(()) => dropped_count += 1,
            // A run started copying it after all: keep it.
            Err(e) if e.code() == Some(&SqlState::OBJECT_IN_USE) => {}
            Err(e) => return Err(exec_error(&sql, e)),
        }
    }
    Ok(dropped_count)
}

/// A new scratch database copied from snapshot `key`, or `None` when there is none.
pub(crate) async fn restore(
    driver: &PostgresDriver,
    client: &Client,
    raw_url: &str,
    key_text: &str,
) -> Result<Option<Scratch>, DriverError> {
    if !valid_key(key_text) {
        return Ok(None);
    }
    let owner = current_database(client).await?;
    let name = format!("{}{key_text}", snapshot_prefix(&owner));
    let shared: bool = client
        .query_one("SELECT pg_try_advisory_lock_shared($1)", &[&key(&name)])
        .await
        .map_err(inspect_error)?
        .get(0);
    if !shared {
        // Being reclaimed right now.
        return Ok(None);
    }
    let created = create_from(driver, client, raw_url, None, Some(&name)).await;
    let _ = client
        .query_one("SELECT pg_advisory_unlock_shared($1)", &[&key(&name)])
        .await;
    created
}

/// The keys of the snapshots of dev database the client is connected to.
pub(crate) async fn keys(client: &Client) -> Result<Vec<String>, DriverError> {
    let owner = current_database(client).await?;
    let prefix = snapshot_prefix(&owner);
    let pattern = format!("{}%", prefix.replace('_', "\\_"));
    let rows = client
        .query(
            "SELECT datname::text FROM pg_database WHERE datname LIKE $1",
            &[&pattern],
        )
        .await
        .map_err(inspect_error)?;
    Ok(rows
        .iter()
        .filter_map(|r| r.try_get::<_, String>(0).ok())
        .filter_map(|n| n.strip_prefix(&prefix).map(str::to_owned))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_must_be_plain() {
        assert!(valid_key("00ff12ab"));
        assert!(!valid_key("A+/="));
        assert!(!valid_key(""));
        assert!(!valid_key(&"a".repeat(33)));
    }
}
