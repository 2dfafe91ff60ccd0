//! A canonical, order-independent form of a realm, and its fingerprint.
//!
//! Objects are identified by name, so the order in which a file declared them or a catalog
//! returned them carries no meaning; sorting every collection by identity makes equal
//! schemas compare equal. Orders that do carry meaning are kept: index parts, enum labels,
//! composite fields, foreign-key column lists. Column order inside a table is sorted too,
//! because the differ does not plan column reordering (neither does Atlas).

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::{Realm, Schema, Table};

/// Returns `realm` with every order-insensitive collection sorted by identity.
pub fn canonicalize(realm: &Realm) -> Realm {
    let mut realm = realm.clone();
    // Derived from the catalog, not part of what the schema is.
    realm.routine_uses.clear();
    realm.schemas.iter_mut().for_each(canonicalize_schema);
    realm.schemas.sort_by(|a, b| a.name.cmp(&b.name));
    realm
        .extensions
        .sort_by(|a, b| (&a.name, &a.schema).cmp(&(&b.name, &b.schema)));
    realm
}

fn canonicalize_schema(schema: &mut Schema) {
    schema.tables.iter_mut().for_each(canonicalize_table);
    schema.tables.sort_by(|a, b| a.name.cmp(&b.name));
    for view in &mut schema.views {
        view.indexes.sort_by(|a, b| a.name.cmp(&b.name));
        view.columns.sort_by(|a, b| a.name.cmp(&b.name));
    }
    schema.views.sort_by(|a, b| a.name.cmp(&b.name));
    schema
        .routines
        .sort_by(|a, b| (&a.name, &a.args).cmp(&(&b.name, &b.args)));
    schema
        .triggers
        .sort_by(|a, b| (&a.on, &a.name).cmp(&(&b.on, &b.name)));
    schema
        .rules
        .sort_by(|a, b| (&a.on, &a.name).cmp(&(&b.on, &b.name)));
    schema.enums.sort_by(|a, b| a.name.cmp(&b.name));
    for domain in &mut schema.domains {
        domain
            .checks
            .sort_by(|a, b| (&a.name, &a.expr).cmp(&(&b.name, &b.expr)));
    }
    schema.domains.sort_by(|a, b| a.name.cmp(&b.name));
    schema.composites.sort_by(|a, b| a.name.cmp(&b.name));
    schema.sequences.sort_by(|a, b| a.name.cmp(&b.name));
    schema.collations.sort_by(|a, b| a.name.cmp(&b.name));
}

fn canonicalize_table(table: &mut Table) {
    table.columns.sort_by(|a, b| a.name.cmp(&b.name));
    for index in &mut table.indexes {
        index.storage_params.sort();
    }
    table.indexes.sort_by(|a, b| a.name.cmp(&b.name));
    table.foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
    table
        .checks
        .sort_by(|a, b| (&a.name, &a.expr).cmp(&(&b.name, &b.expr)));
    table.exclusions.sort_by(|a, b| a.name.cmp(&b.name));
    table.policies.sort_by(|a, b| a.name.cmp(&b.name));
    table.postgres.storage_params.sort();
}

/// The version of the fingerprint this Mercator computes: the `m1:` prefix of every
/// fingerprint. It changes whenever the canonical form changes (a model field added,
/// renamed or serialized differently), so a fingerprint stored by another Mercator version
/// is recognized as such instead of silently failing to match. See `docs/FINGERPRINT.md`.
pub const FINGERPRINT_VERSION: u32 = 1;

/// A SHA-256 fingerprint of the realm's canonical form (standard base64 behind the version
/// prefix `m1:`): equal for equal schemas, whatever order their objects were declared or
/// inspected in.
///
/// Plan files record the fingerprints of the state they were planned from and to, so a plan
/// only runs against the state it was reviewed for; compare a stored fingerprint with
/// [`same_fingerprint`], which also reads fingerprints written before versioning.
pub fn fingerprint(realm: &Realm) -> Result<String, FingerprintError> {
    let canonical = canonicalize(realm);
    let mut hasher = HashWriter(Sha256::new());
    serde_json::to_writer(&mut hasher, &canonical).map_err(FingerprintError)?;
    Ok(format!(
        "m{FINGERPRINT_VERSION}:{}",
        base64::engine::general_purpose::STANDARD.encode(hasher.0.finalize())
    ))
}

/// The version of a stored fingerprint: `mN:` gives N; a bare base64 SHA-256 (what
/// Mercator wrote before fingerprints were versioned) is version 0, whose hash is computed
/// exactly as version 1's.
///
/// ```
/// use schema_model::fingerprint_version;
///
/// assert_eq!(fingerprint_version("m1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=").unwrap(), 1);
/// assert_eq!(fingerprint_version("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=").unwrap(), 0);
/// assert!(fingerprint_version("h1:abc").is_err());
/// ```
pub fn fingerprint_version(stored: &str) -> Result<u32, UnknownFingerprint> {
    let unknown = || UnknownFingerprint(stored.to_owned());
    if let Some((prefix, hash)) = stored.split_once(':') {
        let version = prefix
            .strip_prefix('m')
            .and_then(|n| n.parse::<u32>().ok())
            .filter(|n| *n >= 1)
            .ok_or_else(unknown)?;
        return if is_sha256_base64(hash) {
            Ok(version)
        } else {
            Err(unknown())
        };
    }
    if is_sha256_base64(stored) {
        Ok(0)
    } else {
        Err(unknown())
    }
}

/// Whether a stored fingerprint describes the same schema as a freshly computed one.
/// Version 0 (unprefixed) fingerprints compare by their hash, which version 1 did not
/// change. A fingerprint of another version cannot be compared: that is an error, so a
/// plan made by a Mercator with a different canonical form is re-planned rather than
/// refused as drift (or, worse, accepted).
///
/// ```
/// use schema_model::{Realm, fingerprint, same_fingerprint};
///
/// let now = fingerprint(&Realm::default()).unwrap();
/// assert!(same_fingerprint(&now, &now).unwrap());
/// let legacy = now.trim_start_matches("m1:");
/// assert!(same_fingerprint(legacy, &now).unwrap());
/// let future = now.replace("m1:", "m9:");
/// assert!(same_fingerprint(&future, &now).is_err());
/// ```
pub fn same_fingerprint(stored: &str, computed: &str) -> Result<bool, UnknownFingerprint> {
    let theirs = fingerprint_version(stored)?;
    let ours = fingerprint_version(computed)?;
    let hash = |s: &str| s.split_once(':').map_or(s, |(_, h)| h).to_owned();
    match (theirs, ours) {
        (0 | 1, 0 | 1) => Ok(hash(stored) == hash(computed)),
        (a, b) if a == b => Ok(stored == computed),
        _ => Err(UnknownFingerprint(stored.to_owned())),
    }
}

fn is_sha256_base64(text: &str) -> bool {
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .is_ok_and(|bytes| bytes.len() == 32)
}

/// A stored fingerprint that is not one this Mercator can compare (another version, or not
/// a fingerprint at all).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "fingerprint {0:?} is not a version {FINGERPRINT_VERSION} Mercator fingerprint (m{FINGERPRINT_VERSION}:…); it was made by another Mercator version or edited: plan again"
)]
pub struct UnknownFingerprint(pub String);

/// The realm could not be serialized for fingerprinting (e.g. a float that JSON cannot
/// hold); no fingerprint is made up instead.
#[derive(Debug, thiserror::Error)]
#[error("cannot fingerprint the schema: {0}")]
pub struct FingerprintError(#[source] pub serde_json::Error);

/// Feeds serialized bytes straight into the hash, so the canonical JSON is never held in
/// memory as a whole.
struct HashWriter(Sha256);

impl std::io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
