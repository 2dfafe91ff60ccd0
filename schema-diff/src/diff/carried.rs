//! What a rename carries along. Renaming a table or a column keeps every foreign key that
//! references it (databases track the referenced object, not its name), so before
//! comparing, the old state's references are read under the new names. Without this each
//! referencing key would be dropped and added again — a validation scan of its table — for
//! a change that never touched it.

use std::collections::HashMap;

use schema_model::Realm;

use crate::RenameHint;

/// `from` with foreign-key references to renamed tables and columns written with the new
/// names, or `None` when no rename applies (the common case: nothing is copied).
///
/// Only renames that the diff carries out count: the old name exists before and not after,
/// the new name after and not before. A hint that does not apply must not hide a change.
pub(super) fn references_renamed(from: &Realm, to: &Realm, hints: &[RenameHint]) -> Option<Realm> {
    // (schema, old table) → new table.
    let mut tables: HashMap<(&str, &str), &str> = HashMap::new();
    for hint in hints {
        if let RenameHint::Table {
            schema,
            from: old,
            to: new,
        } = hint
            && let (Some(before), Some(after)) = (from.schema(schema), to.schema(schema))
            && before.table(old).is_some()
            && before.table(new).is_none()
            && after.table(new).is_some()
            && after.table(old).is_none()
        {
            tables.insert((schema.as_str(), old.as_str()), new.as_str());
        }
    }
    // (schema, table under its new name, old column) → new column.
    let mut columns: HashMap<(&str, &str, &str), &str> = HashMap::new();
    for hint in hints {
        if let RenameHint::Column {
            schema,
            table,
            from: old,
            to: new,
        } = hint
        {
            let old_table = tables
                .iter()
                .find(|((s, _), t)| *s == schema.as_str() && **t == table.as_str())
                .map_or(table.as_str(), |((_, old), _)| *old);
            let applies = from
                .schema(schema)
                .and_then(|s| s.table(old_table))
                .is_some_and(|t| t.column(old).is_some() && t.column(new).is_none())
                && to
                    .schema(schema)
                    .and_then(|s| s.table(table))
                    .is_some_and(|t| t.column(new).is_some() && t.column(old).is_none());
            if applies {
                columns.insert(
                    (schema.as_str(), table.as_str(), old.as_str()),
                    new.as_str(),
                );
            }
        }
    }
    if tables.is_empty() && columns.is_empty() {
        return None;
    }
    let mut carried = from.clone();
    for schema in &mut carried.schemas {
        for table in &mut schema.tables {
            for key in &mut table.foreign_keys {
                let ref_schema = key.ref_table.schema.clone().unwrap_or(schema.name.clone());
                if let Some(new) = tables.get(&(ref_schema.as_str(), key.ref_table.name.as_str())) {
                    key.ref_table.name = (*new).to_owned();
                }
                for column in &mut key.ref_columns {
                    let at = (
                        ref_schema.as_str(),
                        key.ref_table.name.as_str(),
                        column.as_str(),
                    );
                    if let Some(new) = columns.get(&at) {
                        *column = (*new).to_owned();
                    }
                }
            }
        }
    }
    Some(carried)
}
