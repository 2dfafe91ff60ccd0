//! Advisory-lock keys compatible with Atlas.

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

#[cfg(test)]
mod tests {
    #[test]
    fn atlas_key() {
        assert_eq!(super::key("atlas_migrate_execute"), 2_686_470_616);
    }
}
