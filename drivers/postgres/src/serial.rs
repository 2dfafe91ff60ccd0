//! Serial columns: an integer column whose default reads a sequence named
//! `<table>_<column>_seq` that the column owns. The model keeps the column with its
//! `nextval` default and leaves the sequence out, so `id serial` in a schema file plans
//! as one table, and renders back as `serial`.

use schema_model::{Column, ColumnType, DefaultValue, IntWidth};

/// The sequence name `serial` gives a column (before PostgreSQL's 63-byte truncation,
/// which we do not reproduce: such sequences stay separate objects).
fn serial_sequence_name(table: &str, column: &str) -> String {
    format!("{table}_{column}_seq")
}

/// Whether an owned sequence is the one `serial` creates for `table.column`.
pub(crate) fn is_serial_sequence(sequence: &str, table: &str, column: &str) -> bool {
    sequence == serial_sequence_name(table, column) && sequence.len() <= 63
}

/// The sequence name a `nextval('…'::regclass)` default reads, without its schema.
fn nextval_target(default: &str) -> Option<String> {
    let inner = default
        .strip_prefix("nextval('")?
        .strip_suffix("'::regclass)")?;
    // The regclass literal may be schema-qualified and quoted: `"My"."t_id_seq"`.
    let last = match inner.rfind("\".\"") {
        Some(pos) => &inner[pos + 2..],
        None => inner.rsplit('.').next().unwrap_or(inner),
    };
    let unquoted = match last.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        Some(quoted) => quoted.replace("\"\"", "\""),
        None => last.to_owned(),
    };
    Some(unquoted)
}

/// `serial`, `bigserial` or `smallserial` when the column is a serial column of `table`.
pub(crate) fn pseudo_type(table: &str, column: &Column) -> Option<&'static str> {
    let Some(DefaultValue::Expr(default)) = &column.default else {
        return None;
    };
    if column.identity.is_some() || column.generated.is_some() || column.nullable {
        return None;
    }
    let ColumnType::Integer { width, .. } = &column.ty else {
        return None;
    };
    if nextval_target(default)? != serial_sequence_name(table, &column.name) {
        return None;
    }
    match width {
        IntWidth::Small => Some("smallserial"),
        IntWidth::Int => Some("serial"),
        IntWidth::Big => Some("bigserial"),
        IntWidth::Tiny | IntWidth::Medium => None,
    }
}

/// The sequences hidden in a realm's serial columns, by (schema, sequence name), as the
/// standalone objects they are in the catalog.
fn hidden_sequences(
    realm: &schema_model::Realm,
) -> std::collections::HashMap<(String, String), schema_model::Sequence> {
    let mut hidden = std::collections::HashMap::new();
    for schema in &realm.schemas {
        for table in &schema.tables {
            for column in &table.columns {
                let Some(pseudo) = pseudo_type(&table.name, column) else {
                    continue;
                };
                let name = serial_sequence_name(&table.name, &column.name);
                let ty = match pseudo {
                    "smallserial" => Some(ColumnType::int(IntWidth::Small)),
                    "serial" => Some(ColumnType::int(IntWidth::Int)),
                    _ => None,
                };
                hidden.insert(
                    (schema.name.clone(), name.clone()),
                    schema_model::Sequence {
                        name,
                        ty,
                        options: schema_model::SequenceOptions::default(),
                        owned_by: Some((table.name.clone(), column.name.clone())),
                        comment: None,
                    },
                );
            }
        }
    }
    hidden
}

/// A standalone sequence that one side has where the other side hides the same sequence
/// in a serial column is not created or dropped but adopted or released: the differ
/// cannot see hidden sequences, so it would plan a `CREATE` of one that exists or a `DROP`
/// of one a column default still reads.
pub(crate) fn reconcile(
    changes: Vec<schema_diff::Change>,
    from: &schema_model::Realm,
    to: &schema_model::Realm,
) -> Vec<schema_diff::Change> {
    use schema_diff::Change;
    let hidden_before = hidden_sequences(from);
    let hidden_after = hidden_sequences(to);
    if hidden_before.is_empty() && hidden_after.is_empty() {
        return changes;
    }
    changes
        .into_iter()
        .map(|change| match change {
            Change::AddSequence { schema, sequence } => {
                match hidden_before.get(&(schema.clone(), sequence.name.clone())) {
                    Some(serial) => Change::ModifySequence {
                        schema,
                        from: serial.clone(),
                        to: sequence,
                    },
                    None => Change::AddSequence { schema, sequence },
                }
            }
            Change::DropSequence { schema, sequence } => {
                let owner_kept = hidden_after
                    .get(&(schema.clone(), sequence.name.clone()))
                    .filter(|serial| {
                        serial.owned_by.as_ref().is_some_and(|(table, _)| {
                            from.schema(&schema).and_then(|s| s.table(table)).is_some()
                        })
                    });
                match owner_kept {
                    Some(serial) => Change::ModifySequence {
                        schema,
                        from: sequence,
                        to: serial.clone(),
                    },
                    None => Change::DropSequence { schema, sequence },
                }
            }
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serial_column(default: &str, width: IntWidth) -> Column {
        Column::new("id", ColumnType::int(width))
            .not_null()
            .with_default(DefaultValue::Expr(default.into()))
    }

    #[test]
    fn recognises_serial_defaults() {
        let plain = serial_column("nextval('users_id_seq'::regclass)", IntWidth::Int);
        assert_eq!(pseudo_type("users", &plain), Some("serial"));
        let qualified = serial_column("nextval('crm.users_id_seq'::regclass)", IntWidth::Big);
        assert_eq!(pseudo_type("users", &qualified), Some("bigserial"));
        let quoted = serial_column("nextval('\"My\".\"T_id_seq\"'::regclass)", IntWidth::Small);
        assert_eq!(pseudo_type("T", &quoted), Some("smallserial"));
        let other = serial_column("nextval('shared_seq'::regclass)", IntWidth::Int);
        assert_eq!(pseudo_type("users", &other), None);
        assert!(is_serial_sequence("users_id_seq", "users", "id"));
        assert!(!is_serial_sequence("ids", "users", "id"));
    }
}
