//! Advisory-lock keys compatible with Atlas, and the session locks that scratch spaces
//! and snapshots are owned through.

use mercator_driver::DriverError;
use tokio_postgres::Client;

use crate::inspect::inspect_error;

/// FNV-1 (multiply, then xor — not FNV-1a), 32 bits: the hash Atlas turns lock names into
/// `pg_advisory_lock` keys with, so both tools exclude each other.
pub(crate) fn fnv1_32(name: &str) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in name.bytes() {
        hash = hash.wrapping_mul(0x0100_0193);
        hash ^= u32::from(byte);
    }
    hash
}

/// The `int8` key of a named lock.
pub(crate) fn key(name: &str) -> i64 {
    i64::from(fnv1_32(name))
}

/// Takes the session's advisory lock on `name` with `try_sql` (a
/// `pg_try_advisory_lock…($1)`) if it is free; `false` when it is taken.
pub(crate) async fn try_take(
    client: &Client,
    try_sql: &str,
    name: &str,
) -> Result<bool, DriverError> {
    Ok(client
        .query_one(try_sql, &[&key(name)])
        .await
        .map_err(inspect_error)?
        .get(0))
}

/// Releases the session's exclusive advisory lock on `name`. A failure is not reported: it
/// means the connection is going, which releases the lock as well.
pub(crate) async fn release(client: &Client, name: &str) {
    let _ = client
        .query_one("SELECT pg_advisory_unlock($1)", &[&key(name)])
        .await;
}

#[cfg(test)]
mod tests {
    #[test]
    fn atlas_key() {
        assert_eq!(super::key("atlas_migrate_execute"), 2_686_470_616);
    }
}
