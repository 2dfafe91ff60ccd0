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

/// A SHA-256 fingerprint (standard base64) of the realm's canonical form: equal for equal
/// schemas, whatever order their objects were declared or inspected in.
///
/// Plan files record the fingerprints of the state they were planned from and to, so a plan
/// only runs against the state it was reviewed for.
pub fn fingerprint(realm: &Realm) -> Result<String, FingerprintError> {
    let canonical = canonicalize(realm);
    let mut hasher = HashWriter(Sha256::new());
    serde_json::to_writer(&mut hasher, &canonical).map_err(FingerprintError)?;
    Ok(base64::engine::general_purpose::STANDARD.encode(hasher.0.finalize()))
}

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
