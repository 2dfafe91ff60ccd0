//! Entity-relationship diagrams of a realm, as Mermaid or Graphviz DOT text.

use std::fmt::Write;

use crate::{ColumnType, Realm, Table};

fn type_label(ty: &ColumnType) -> String {
    // Diagram labels must be single tokens in Mermaid, so spaces become underscores.
    let label = match ty {
        ColumnType::Raw { sql } => sql.clone(),
        ColumnType::UserDefined { name } => name.to_string(),
        ColumnType::Enum { name: Some(n), .. } => n.to_string(),
        other => serde_json::to_value(other)
            .ok()
            .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_owned))
            .unwrap_or_else(|| "unknown".to_owned()),
    };
    label.replace(' ', "_")
}

fn entity_name(schema: &str, table: &Table, qualify: bool) -> String {
    if qualify {
        format!("{schema}_{}", table.name)
    } else {
        table.name.clone()
    }
}

/// Renders the realm's tables and foreign keys as a Mermaid `erDiagram`.
pub fn to_mermaid(realm: &Realm) -> String {
    let qualify = realm.schemas.len() > 1;
    let mut out = String::from("erDiagram\n");
    for schema in &realm.schemas {
        for table in &schema.tables {
            let name = entity_name(&schema.name, table, qualify);
            let _ = writeln!(out, "    {name} {{");
            for column in &table.columns {
                let pk = table
                    .primary_key
                    .as_ref()
                    .is_some_and(|pk| pk.column_names().any(|c| c == column.name));
                let fk = table
                    .foreign_keys
                    .iter()
                    .any(|fk| fk.columns.contains(&column.name));
                let keys = match (pk, fk) {
                    (true, true) => " PK,FK",
                    (true, false) => " PK",
                    (false, true) => " FK",
                    (false, false) => "",
                };
                let _ = writeln!(
                    out,
                    "        {} {}{keys}",
                    type_label(&column.ty),
                    column.name
                );
            }
            let _ = writeln!(out, "    }}");
        }
        for table in &schema.tables {
            for fk in &table.foreign_keys {
                let target_schema = fk.ref_table.schema.as_deref().unwrap_or(&schema.name);
                let target = if qualify {
                    format!("{target_schema}_{}", fk.ref_table.name)
                } else {
                    fk.ref_table.name.clone()
                };
                let _ = writeln!(
                    out,
                    "    {} }}o--|| {target} : \"{}\"",
                    entity_name(&schema.name, table, qualify),
                    fk.name
                );
            }
        }
    }
    out
}

/// Renders the realm's tables and foreign keys as a Graphviz DOT digraph.
pub fn to_dot(realm: &Realm) -> String {
    let mut out = String::from("digraph schema {\n    node [shape=record];\n");
    for schema in &realm.schemas {
        for table in &schema.tables {
            let columns: Vec<String> = table
                .columns
                .iter()
                .map(|c| format!("{}: {}", c.name, type_label(&c.ty)))
                .collect();
            let _ = writeln!(
                out,
                "    \"{}.{}\" [label=\"{{{}|{}}}\"];",
                schema.name,
                table.name,
                table.name,
                columns.join("\\l")
            );
        }
        for table in &schema.tables {
            for fk in &table.foreign_keys {
                let target_schema = fk.ref_table.schema.as_deref().unwrap_or(&schema.name);
                let _ = writeln!(
                    out,
                    "    \"{}.{}\" -> \"{target_schema}.{}\" [label=\"{}\"];",
                    schema.name, table.name, fk.ref_table.name, fk.name
                );
            }
        }
    }
    out.push_str("}\n");
    out
}
