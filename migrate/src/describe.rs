//! One line per change, for messages and reports: `drop column "users"."nickname"`,
//! `add table "posts"`, `modify view "active_users"`.

use schema_diff::Change;
use serde_json::Value;

/// Describes each change (each table change of a modified table on its own line) as
/// `<operation> <object kind> <name>`, names qualified by their table, and by their schema
/// when it is not `bound`.
///
/// ```
/// use mercator_migrate::describe_changes;
/// use schema_diff::Change;
/// use schema_model::Table;
///
/// let changes = vec![Change::DropTable { schema: "public".into(), table: Table::new("old") }];
/// assert_eq!(describe_changes(&changes, Some("public")), vec!["drop table \"old\""]);
/// assert_eq!(describe_changes(&changes, None), vec!["drop table \"public\".\"old\""]);
/// ```
pub fn describe_changes(changes: &[Change], bound: Option<&str>) -> Vec<String> {
    let mut lines = Vec::new();
    for change in changes {
        // The serde form names every change's operation and object uniformly.
        let Ok(value) = serde_json::to_value(change) else {
            continue;
        };
        let op = words(value.get("op").and_then(Value::as_str).unwrap_or("change"));
        let schema = value
            .get("schema")
            .and_then(Value::as_str)
            .filter(|s| Some(*s) != bound);
        let name = object_name(&value);
        let qualified = match schema {
            Some(schema) => format!("{schema:?}.{name}"),
            None => name,
        };
        match value.get("changes").and_then(Value::as_array) {
            Some(inner) if op == "modify table" && !inner.is_empty() => {
                for table_change in inner {
                    let op = words(
                        table_change
                            .get("op")
                            .and_then(Value::as_str)
                            .unwrap_or("change"),
                    );
                    lines.push(format!("{op} {qualified}.{}", object_name(table_change)));
                }
            }
            _ => lines.push(format!("{op} {qualified}")),
        }
    }
    lines
}

/// `drop_column` → `drop column`.
fn words(op: &str) -> String {
    op.replace('_', " ")
}

/// The quoted name of the object a change is about: the first nested object with a
/// `name`, preferring the new version; a rename shows `"old" -> "new"`.
fn object_name(value: &Value) -> String {
    let Some(map) = value.as_object() else {
        return String::new();
    };
    if let (Some(Value::String(from)), Some(Value::String(to))) = (map.get("from"), map.get("to")) {
        return format!("{from:?} -> {to:?}");
    }
    let named = |v: &Value| v.get("name").and_then(Value::as_str).map(str::to_owned);
    map.get("to")
        .and_then(named)
        .or_else(|| {
            map.iter()
                .filter(|(k, _)| !matches!(k.as_str(), "op" | "changes"))
                .find_map(|(_, v)| named(v))
        })
        .map(|n| format!("{n:?}"))
        .unwrap_or_default()
}
