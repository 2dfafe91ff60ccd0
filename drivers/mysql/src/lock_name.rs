//! Advisory lock names as the server accepts them. MySQL refuses `GET_LOCK` names longer
//! than 64 characters (MariaDB allows 192), and Mercator's per-schema names
//! (`atlas_migrate_execute.<schema>`, `mercator_schema_apply.<schema>`) can be longer, since
//! a database name alone may have 64. Longer names are shortened to a prefix and a hash of the
//! whole name: stable across processes and Mercator versions (SHA-256, not Rust's hasher), so
//! every run on one schema still takes the same lock. Names that fit, among them Atlas's
//! `atlas_migrate_execute`, are used as they are.

use sha2::{Digest, Sha256};

/// The longest lock name MySQL accepts.
const MAX: usize = 64;
/// Hex digits of the hash kept in a shortened name.
const HASH_DIGITS: usize = 16;

/// `name`, or its shortened form when it is longer than MySQL allows.
pub(crate) fn server_lock_name(name: &str) -> String {
    if name.chars().count() <= MAX {
        return name.to_owned();
    }
    let digest = Sha256::digest(name.as_bytes());
    let hash: String = digest
        .iter()
        .take(HASH_DIGITS / 2)
        .map(|b| format!("{b:02x}"))
        .collect();
    let prefix: String = name.chars().take(MAX - HASH_DIGITS - 1).collect();
    format!("{prefix}#{hash}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_fit_are_kept() {
        assert_eq!(
            server_lock_name("atlas_migrate_execute"),
            "atlas_migrate_execute"
        );
        let exact = "x".repeat(MAX);
        assert_eq!(server_lock_name(&exact), exact);
    }

    #[test]
    fn long_names_are_shortened_stably_and_stay_distinct() {
        let schema_a = format!("atlas_migrate_execute.{}", "a".repeat(64));
        let schema_b = format!("atlas_migrate_execute.{}b", "a".repeat(63));
        let a = server_lock_name(&schema_a);
        assert_eq!(a.chars().count(), MAX);
        assert!(a.starts_with("atlas_migrate_execute.aaa"), "{a}");
        assert_eq!(a, server_lock_name(&schema_a));
        assert_ne!(a, server_lock_name(&schema_b));
    }
}
