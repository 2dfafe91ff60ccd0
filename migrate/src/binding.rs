//! Schema binding: comparing one schema of a desired state with the schema a URL is
//! bound to, whatever the desired schema was called on the dev database.

use schema_model::{Realm, Schema};

use crate::MigrateError;

/// Renames the single schema of `realm` to `bound` (an empty realm becomes one empty
/// schema of that name). More than one schema cannot be bound to one.
pub(crate) fn bind(mut realm: Realm, bound: &str) -> Result<Realm, MigrateError> {
    match realm.schemas.len() {
        0 => realm.schemas.push(Schema::new(bound)),
        1 => {
            let old = std::mem::replace(&mut realm.schemas[0].name, bound.to_owned());
            rename_references(&mut realm, &old, bound);
        }
        _ => {
            return Err(MigrateError::SchemaBinding {
                bound: bound.to_owned(),
                found: realm.schemas.iter().map(|s| s.name.clone()).collect(),
            });
        }
    }
    Ok(realm)
}

/// Under a bound URL the schema itself is not managed, only what it holds: the bound
/// schema's attributes (comment, MySQL charset and collation) are the database's, while
/// the desired schema's attributes are whatever the dev database had by default (e.g.
/// PostgreSQL's "standard public schema" comment). Copy them over so they never differ.
pub(crate) fn adopt_attributes(desired: &mut Realm, current: &Realm) {
    for schema in &mut desired.schemas {
        if let Some(existing) = current.schema(&schema.name) {
            schema.comment = existing.comment.clone();
            schema.mysql = existing.mysql.clone();
        }
    }
}

/// Foreign keys normally name their table without a schema when it is the same one, but
/// a driver may qualify them; keep them pointing at the renamed schema.
fn rename_references(realm: &mut Realm, old: &str, new: &str) {
    if old == new {
        return;
    }
    for schema in &mut realm.schemas {
        for table in &mut schema.tables {
            for fk in &mut table.foreign_keys {
                if fk.ref_table.schema.as_deref() == Some(old) {
                    fk.ref_table.schema = Some(new.to_owned());
                }
            }
        }
    }
}

/// Keeps only the named schemas (all of them when `names` is empty).
pub(crate) fn select(mut realm: Realm, names: &[String]) -> Realm {
    if !names.is_empty() {
        realm.schemas.retain(|s| names.contains(&s.name));
    }
    realm
}

#[cfg(test)]
mod tests {
    use schema_model::{
        Column, ColumnType, ForeignKey, IntWidth, QualifiedName, ReferentialAction, Table,
    };

    use super::*;

    fn realm_of(names: &[&str]) -> Realm {
        Realm::new(names.iter().map(|n| Schema::new(*n)).collect())
    }

    #[test]
    fn renames_the_single_schema() {
        let bound = bind(realm_of(&["dev_db"]), "app").unwrap();
        assert_eq!(bound.schemas[0].name, "app");
        let empty = bind(Realm::default(), "app").unwrap();
        assert_eq!(empty.schemas[0].name, "app");
    }

    #[test]
    fn several_schemas_cannot_be_bound() {
        let err = bind(realm_of(&["a", "b"]), "app").unwrap_err();
        assert_eq!(
            err.to_string(),
            "the URL is bound to schema \"app\" but the desired state has 2 schemas (a, b); use a URL that is not bound to a schema"
        );
    }

    #[test]
    fn qualified_references_follow_the_rename() {
        let mut table =
            Table::new("t").with_column(Column::new("id", ColumnType::int(IntWidth::Int)));
        table.foreign_keys.push(ForeignKey {
            name: "fk".into(),
            columns: vec!["id".into()],
            ref_table: QualifiedName::qualified("dev", "u"),
            ref_columns: vec!["id".into()],
            on_update: ReferentialAction::default(),
            on_delete: ReferentialAction::default(),
            deferrable: Default::default(),
            match_full: false,
        });
        let realm = Realm::new(vec![Schema::new("dev").with_table(table)]);
        let bound = bind(realm, "app").unwrap();
        let fk = &bound.schemas[0].tables[0].foreign_keys[0];
        assert_eq!(fk.ref_table.schema.as_deref(), Some("app"));
    }

    #[test]
    fn select_keeps_named_schemas() {
        let realm = select(realm_of(&["a", "b"]), &["b".to_owned()]);
        assert_eq!(realm.schemas.len(), 1);
        assert_eq!(select(realm_of(&["a", "b"]), &[]).schemas.len(), 2);
    }
}
