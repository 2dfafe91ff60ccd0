//! Differences of one tenant's schema from the reference group's, in words: the changes
//! that would turn the reference into the tenant ("has an extra index i on t").

use schema_diff::{Change, TableChange};

/// Describes the changes from the reference schema to a tenant's.
pub(crate) fn describe(changes: &[Change]) -> Vec<String> {
    changes.iter().flat_map(describe_change).collect()
}

fn describe_change(change: &Change) -> Vec<String> {
    use Change::*;
    match change {
        AddTable { table, .. } => vec![format!("has an extra table {}", table.name)],
        DropTable { table, .. } => vec![format!("lacks table {}", table.name)],
        RenameTable { from, to, .. } => vec![format!("has table {from} renamed to {to}")],
        ModifyTable { to, changes, .. } => changes
            .iter()
            .map(|c| describe_table_change(&to.name, c))
            .collect(),
        AddView { view, .. } => vec![format!("has an extra view {}", view.name)],
        DropView { view, .. } => vec![format!("lacks view {}", view.name)],
        ModifyView { to, .. } => vec![format!("has a different view {}", to.name)],
        other => vec![generic(other)],
    }
}

fn describe_table_change(table: &str, change: &TableChange) -> String {
    use TableChange::*;
    match change {
        AddColumn { column } => format!("has an extra column {table}.{}", column.name),
        DropColumn { column } => format!("lacks column {table}.{}", column.name),
        ModifyColumn { to, changes, .. } => {
            let mut what = Vec::new();
            for (flag, name) in [
                (changes.ty, "type"),
                (changes.nullable, "nullability"),
                (changes.default, "default"),
                (changes.identity, "identity"),
                (changes.generated, "generation"),
                (changes.collation, "collation"),
                (changes.comment, "comment"),
                (changes.attrs, "attributes"),
            ] {
                if flag {
                    what.push(name);
                }
            }
            format!(
                "has column {table}.{} with a different {}",
                to.name,
                what.join(", ")
            )
        }
        RenameColumn { from, to } => format!("has column {table}.{from} renamed to {to}"),
        AddPrimaryKey { .. } => format!("has a primary key on {table} the others lack"),
        DropPrimaryKey { .. } => format!("lacks the primary key of {table}"),
        ModifyPrimaryKey { .. } => format!("has a different primary key on {table}"),
        AddIndex { index } => format!("has an extra index {} on {table}", index.name),
        DropIndex { index } => format!("lacks index {} on {table}", index.name),
        ModifyIndex { to, .. } => format!("has a different index {} on {table}", to.name),
        AddForeignKey { key } => format!("has an extra foreign key {} on {table}", key.name),
        DropForeignKey { key } => format!("lacks foreign key {} on {table}", key.name),
        ModifyForeignKey { to, .. } => {
            format!("has a different foreign key {} on {table}", to.name)
        }
        AddCheck { check } => format!("has an extra check {}on {table}", named(&check.name)),
        DropCheck { check } => format!("lacks check {}on {table}", named(&check.name)),
        ModifyCheck { to, .. } => format!("has a different check {}on {table}", named(&to.name)),
        ModifyComment { .. } => format!("has a different comment on {table}"),
        ModifyOptions => format!("has different table options on {table}"),
        other => format!("{} on {table}", op_words(&serde_json::to_value(other).ok())),
    }
}

/// An optional name followed by a space, or nothing.
fn named(name: &Option<String>) -> String {
    name.as_ref().map(|n| format!("{n} ")).unwrap_or_default()
}

/// Any other change: its operation in words, and the object's name when it has one.
fn generic(change: &Change) -> String {
    let value = serde_json::to_value(change).ok();
    let name = value.as_ref().and_then(|v| {
        v.as_object()?
            .values()
            .filter_map(|field| field.get("name")?.as_str())
            .next()
            .map(str::to_owned)
    });
    match name {
        Some(name) => format!("{} {name}", op_words(&value)),
        None => op_words(&value),
    }
}

/// `add_sequence` → `has an extra sequence`, `drop_enum` → `lacks enum`.
fn op_words(value: &Option<serde_json::Value>) -> String {
    let op = value
        .as_ref()
        .and_then(|v| v.get("op")?.as_str())
        .unwrap_or("change");
    match op.split_once('_') {
        Some(("add", what)) => format!("has an extra {}", what.replace('_', " ")),
        Some(("drop", what)) => format!("lacks {}", what.replace('_', " ")),
        Some(("modify", what)) => format!("has a different {}", what.replace('_', " ")),
        _ => op.replace('_', " "),
    }
}

#[cfg(test)]
mod tests {
    use schema_diff::{DiffOptions, diff};
    use schema_model::{Column, ColumnType, Index, IntWidth, Realm, Schema, Table};

    use super::*;

    #[test]
    fn extra_index_and_missing_table() {
        let t = Table::new("t").with_column(Column::new("id", ColumnType::int(IntWidth::Int)));
        let base = Realm::new(vec![
            Schema::new("s")
                .with_table(t.clone())
                .with_table(Table::new("u")),
        ]);
        let mut indexed = t.clone();
        indexed.indexes.push(Index::on_columns("t_id_idx", &["id"]));
        let drifted = Realm::new(vec![Schema::new("s").with_table(indexed)]);
        let words = describe(&diff(&base, &drifted, &DiffOptions::default()));
        assert!(
            words.contains(&"has an extra index t_id_idx on t".to_owned()),
            "{words:?}"
        );
        assert!(words.contains(&"lacks table u".to_owned()), "{words:?}");
    }
}
