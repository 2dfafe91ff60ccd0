//! Dev-state snapshots on a PostgreSQL dev server, named `mercator_snap_<tag>_<key>`:
//! for a dev URL bound to no schema, a database next to the dev database, copied with
//! `CREATE DATABASE … TEMPLATE` into a new scratch database when a run restores it; for a
//! dev URL bound to a schema, a schema of the dev database, which cannot be copied in one
//! statement and is only ever borrowed.
//!
//! A snapshot database refuses connections, so nothing can block a copy of it. Restores
//! hold a shared advisory lock on the snapshot's name while they copy; reclaiming (all
//! but the [`SNAPSHOTS_KEPT`] newest, by creation order) takes the exclusive lock without
//! waiting and skips snapshots in use.
//!
//! A run whose statements can all be rolled back borrows the snapshot instead of copying
//! it ([`borrow`]): it holds the exclusive lock, connects (opening a snapshot database to
//! connections just long enough for that) and works inside one transaction that
//! [`give_back`] rolls back. A copy of 1,500 relations costs about a second; a borrow
//! costs a connection. Copies and borrows wait for each other (up to [`WAIT`]), since a
//! database cannot be copied while anybody is connected to it. A schema snapshot is made
//! by renaming the run's scratch schema, which the run then borrows ([`keep`]).

use std::time::{Duration, Instant};

use mercator_driver::{DriverError, SNAPSHOTS_KEPT, Scratch, scratch_tag};
use tokio_postgres::Client;
use tokio_postgres::error::SqlState;

use crate::PostgresDriver;
use crate::driver::exec_error;
use crate::inspect::inspect_error;
use crate::lock::{key, release, try_take};
use crate::quote::ident;
use crate::scratch::{Kind, create_from, current_database, drop_space, space_url};

/// How long a copy or a borrow waits for the snapshot to be free of the other.
const WAIT: Duration = Duration::from_secs(10);

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
    if exists(client, &Kind::Database, &name).await? {
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
    reclaim(client, &Kind::Database, &owner, SNAPSHOTS_KEPT, None).await?;
    Ok(true)
}

/// Makes the scratch schema itself the snapshot `key` of the schema `bound` (renamed) and
/// lends it on to the caller; `false` (scratch unchanged) when the key is not plain, the
/// snapshot exists already or the server refuses the rename.
pub(crate) async fn keep(
    client: &Client,
    raw_url: &str,
    bound: &str,
    scratch: &mut Scratch,
    key_text: &str,
) -> Result<bool, DriverError> {
    if !valid_key(key_text) {
        return Ok(false);
    }
    let name = format!("{}{key_text}", snapshot_prefix(bound));
    let (Some(url), Some(scratch_url)) = (
        space_url(raw_url, &Kind::Schema, &name),
        space_url(raw_url, &Kind::Schema, &scratch.name),
    ) else {
        return Ok(false);
    };
    if !wait_for_lock(client, "SELECT pg_try_advisory_lock($1)", &name).await? {
        return Ok(false);
    }
    if exists(client, &Kind::Schema, &name).await? {
        // Another run kept the same state first.
        release(client, &name).await;
        return Ok(false);
    }
    // The scratch's connection names the schema in its search path: not across a rename.
    scratch.driver.close().await?;
    let rename = format!(
        "ALTER SCHEMA {} RENAME TO {}",
        ident(&scratch.name),
        ident(&name)
    );
    if let Err(e) = client.batch_execute(&rename).await {
        release(client, &name).await;
        scratch.driver = Box::new(PostgresDriver::open(&scratch_url).await?);
        if e.code() == Some(&SqlState::DUPLICATE_SCHEMA)
            || e.code() == Some(&SqlState::INSUFFICIENT_PRIVILEGE)
        {
            return Ok(false);
        }
        return Err(exec_error(&rename, e));
    }
    // The scratch's own lock was taken on its old name.
    release(client, &scratch.name).await;
    match pinned(&url, &name).await {
        Ok(lent) => *scratch = lent,
        Err(e) => {
            // The snapshot is complete; only this run cannot use it.
            release(client, &name).await;
            return Err(e);
        }
    }
    reclaim(client, &Kind::Schema, bound, SNAPSHOTS_KEPT, Some(&name)).await?;
    Ok(true)
}

/// Whether the snapshot space `name` exists.
async fn exists(client: &Client, kind: &Kind, name: &str) -> Result<bool, DriverError> {
    let sql = match kind {
        Kind::Database => "SELECT 1 FROM pg_database WHERE datname = $1",
        Kind::Schema => "SELECT 1 FROM pg_namespace WHERE nspname = $1",
    };
    Ok(client
        .query_opt(sql, &[&name])
        .await
        .map_err(inspect_error)?
        .is_some())
}

/// Where the snapshots of a dev URL live, and the name their tag is made of: the dev
/// database's, or the schema the URL is bound to.
async fn place(client: &Client, bound: Option<&str>) -> Result<(Kind, String), DriverError> {
    let owner = match bound {
        Some(schema) => schema.to_owned(),
        None => current_database(client).await?,
    };
    Ok((Kind::of(bound), owner))
}

/// The snapshots of `owner` of this kind, newest first.
async fn names(client: &Client, kind: &Kind, owner: &str) -> Result<Vec<String>, DriverError> {
    let pattern = format!("{}%", snapshot_prefix(owner).replace('_', "\\_"));
    let sql = match kind {
        Kind::Database => {
            "SELECT datname::text FROM pg_database WHERE datname LIKE $1 ORDER BY oid DESC"
        }
        Kind::Schema => {
            "SELECT nspname::text FROM pg_namespace WHERE nspname LIKE $1 ORDER BY oid DESC"
        }
    };
    let rows = client
        .query(sql, &[&pattern])
        .await
        .map_err(inspect_error)?;
    rows.iter()
        .map(|r| r.try_get(0).map_err(inspect_error))
        .collect()
}

/// Drops all but the newest `keep` snapshots of `owner` (a dev database, or the schema a
/// dev URL is bound to), skipping any a run is using and `except`; returns how many went.
pub(crate) async fn reclaim(
    client: &Client,
    kind: &Kind,
    owner: &str,
    keep: usize,
    except: Option<&str>,
) -> Result<usize, DriverError> {
    let mut dropped_count = 0;
    for name in names(client, kind, owner).await?.into_iter().skip(keep) {
        // Advisory locks stack within a session: a snapshot this session holds would
        // look free.
        if except == Some(name.as_str()) {
            continue;
        }
        if !try_take(client, "SELECT pg_try_advisory_lock($1)", &name).await? {
            continue;
        }
        let dropped = match kind {
            // Not forced: a database somebody is connected to is in use.
            Kind::Database => {
                let sql = format!("DROP DATABASE IF EXISTS {}", ident(&name));
                client
                    .batch_execute(&sql)
                    .await
                    .map_err(|e| exec_error(&sql, e))
            }
            Kind::Schema => drop_space(client, kind, &name).await,
        };
        release(client, &name).await;
        match dropped {
            Ok(()) => dropped_count += 1,
            // A run started copying it after all: keep it.
            Err(e) if e.code() == Some(SqlState::OBJECT_IN_USE.code()) => {}
            Err(e) => return Err(e),
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
    if !wait_for_lock(client, "SELECT pg_try_advisory_lock_shared($1)", &name).await? {
        // Being reclaimed right now, or borrowed for longer than a copy waits.
        return Ok(None);
    }
    let created = create_from(driver, client, raw_url, None, Some(&name)).await;
    let _ = client
        .query_one("SELECT pg_advisory_unlock_shared($1)", &[&key(&name)])
        .await;
    created
}

/// Takes the advisory lock on `name` with `try_sql` (a `pg_try_advisory_lock…($1)`),
/// retrying for up to [`WAIT`]; `false` when it stayed taken.
async fn wait_for_lock(client: &Client, try_sql: &str, name: &str) -> Result<bool, DriverError> {
    let started = Instant::now();
    loop {
        if try_take(client, try_sql, name).await? {
            return Ok(true);
        }
        if started.elapsed() >= WAIT {
            return Ok(false);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Lends snapshot `key` itself (see [`mercator_driver::DevDatabase::borrow_snapshot`]):
/// a connection to it inside an open transaction, or `None` when there is no such
/// snapshot, it stays busy, or the server refuses to open it.
pub(crate) async fn borrow(
    client: &Client,
    raw_url: &str,
    bound: Option<&str>,
    key_text: &str,
) -> Result<Option<Scratch>, DriverError> {
    if !valid_key(key_text) {
        return Ok(None);
    }
    let (kind, owner) = place(client, bound).await?;
    let name = format!("{}{key_text}", snapshot_prefix(&owner));
    let Some(url) = space_url(raw_url, &kind, &name) else {
        return Ok(None);
    };
    // Exclusive: nobody copies it (a copy needs it free of connections) and nobody else
    // borrows it while this run's statements are in it.
    if !wait_for_lock(client, "SELECT pg_try_advisory_lock($1)", &name).await? {
        return Ok(None);
    }
    // Checked under the lock: reclaiming drops snapshots under it too.
    let lent = match exists(client, &kind, &name).await {
        Ok(true) => lend(client, &kind, &url, &name).await,
        Ok(false) => Ok(None),
        Err(e) => Err(e),
    };
    if !matches!(lent, Ok(Some(_))) {
        release(client, &name).await;
    }
    lent
}

/// Connects to the snapshot `name` at `url` and opens the transaction the borrow works in.
async fn lend(
    client: &Client,
    kind: &Kind,
    url: &str,
    name: &str,
) -> Result<Option<Scratch>, DriverError> {
    if let Kind::Schema = kind {
        return pinned(url, name).await.map(Some);
    }
    let open = format!("ALTER DATABASE {} WITH ALLOW_CONNECTIONS true", ident(name));
    match client.batch_execute(&open).await {
        Ok(()) => {}
        // Reclaimed before the lock was taken, or not ours to open.
        Err(e)
            if e.code() == Some(&SqlState::UNDEFINED_DATABASE)
                || e.code() == Some(&SqlState::INSUFFICIENT_PRIVILEGE) =>
        {
            return Ok(None);
        }
        Err(e) => return Err(exec_error(&open, e)),
    }
    let lent = pinned(url, name).await;
    // Sealed again at once: the connection made stays, nobody else can join it.
    let seal = format!(
        "ALTER DATABASE {} WITH ALLOW_CONNECTIONS false",
        ident(name)
    );
    let sealed = client
        .batch_execute(&seal)
        .await
        .map_err(|e| exec_error(&seal, e));
    let lent = lent?;
    sealed?;
    Ok(Some(lent))
}

/// A connection to the snapshot `name` at `url`, inside the transaction its borrow works in.
async fn pinned(url: &str, name: &str) -> Result<Scratch, DriverError> {
    let mut driver = PostgresDriver::open(url).await?;
    driver.pin().await?;
    Ok(Scratch {
        name: name.to_owned(),
        driver: Box::new(driver),
    })
}

/// Rolls back everything a borrow did and frees the snapshot. If the borrow's transaction
/// ended early (a statement committed it), the snapshot may hold the borrow's changes: it
/// is dropped, and a later run rebuilds it.
pub(crate) async fn give_back(
    client: &Client,
    bound: Option<&str>,
    scratch: Scratch,
) -> Result<(), DriverError> {
    let intact = {
        let mut session = scratch.driver.session().await?;
        // Inside the transaction opened when it was lent, `now()` (the transaction's
        // start) is earlier than the statement's own start; outside, they are equal.
        let inside = match session.query("SELECT now() < statement_timestamp()").await {
            Ok(rows) => rows.scalar() == Some("t"),
            // A statement failed and left the transaction aborted: still the same one.
            Err(e) => e.code() == Some("25P02"),
        };
        let rolled_back = session.execute("ROLLBACK").await.is_ok();
        inside && rolled_back
    };
    let closed = scratch.driver.close().await;
    drop(scratch.driver);
    let spoiled = if intact {
        Ok(())
    } else {
        tracing::warn!(snapshot = %scratch.name, "a borrowed dev-state snapshot's transaction ended early; dropping the snapshot");
        drop_space(client, &Kind::of(bound), &scratch.name).await
    };
    release(client, &scratch.name).await;
    spoiled?;
    closed
}

/// The keys of the snapshots of the dev database the client is connected to (or of the
/// schema `bound`).
pub(crate) async fn keys(client: &Client, bound: Option<&str>) -> Result<Vec<String>, DriverError> {
    let (kind, owner) = place(client, bound).await?;
    let prefix = snapshot_prefix(&owner);
    Ok(names(client, &kind, &owner)
        .await?
        .into_iter()
        .filter_map(|n| n.strip_prefix(&prefix).map(str::to_owned))
        .collect())
}

/// Drops every snapshot of the dev database the client is connected to (or of the schema
/// `bound`) that no run is using.
pub(crate) async fn drop_all(client: &Client, bound: Option<&str>) -> Result<usize, DriverError> {
    let (kind, owner) = place(client, bound).await?;
    reclaim(client, &kind, &owner, 0, None).await
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
