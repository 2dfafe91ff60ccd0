//! Entity-relationship diagrams of a realm, as Mermaid or Graphviz DOT text (see
//! [`crate::to_html`] for a self-contained page).

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::{
    BinaryKind, ColumnType, ForeignKey, IntWidth, Realm, Schema, StringKind, Table, TimeKind,
};

/// A column type spelled the way SQL writes it (`varchar(255)`, `numeric(10,2)`,
/// `timestamptz(3)`, `text[]`), for diagrams and documentation. Dialect-neutral: a driver's
/// own rendering is the authority for DDL.
pub(crate) fn type_display(ty: &ColumnType) -> String {
    fn with_len(base: &str, len: Option<u32>) -> String {
        len.map_or_else(|| base.to_owned(), |n| format!("{base}({n})"))
    }
    fn quoted_list(values: &[String]) -> String {
        values
            .iter()
            .map(|v| format!("'{}'", v.replace('\'', "''")))
            .collect::<Vec<_>>()
            .join(",")
    }
    match ty {
        ColumnType::Integer {
            width, unsigned, ..
        } => {
            let base = match width {
                IntWidth::Tiny => "tinyint",
                IntWidth::Small => "smallint",
                IntWidth::Medium => "mediumint",
                IntWidth::Int => "int",
                IntWidth::Big => "bigint",
            };
            if *unsigned {
                format!("{base} unsigned")
            } else {
                base.to_owned()
            }
        }
        ColumnType::Decimal {
            precision,
            scale,
            unsigned,
        } => {
            let base = match (precision, scale) {
                (Some(p), Some(s)) => format!("numeric({p},{s})"),
                (Some(p), None) => format!("numeric({p})"),
                _ => "numeric".to_owned(),
            };
            if *unsigned {
                format!("{base} unsigned")
            } else {
                base
            }
        }
        ColumnType::Float {
            double, precision, ..
        } => match (precision, double) {
            (Some(p), _) => format!("float({p})"),
            (None, true) => "double precision".to_owned(),
            (None, false) => "real".to_owned(),
        },
        ColumnType::Boolean => "boolean".to_owned(),
        ColumnType::String { string, length } => match string {
            StringKind::Char => with_len("char", *length),
            StringKind::Varchar => with_len("varchar", *length),
            StringKind::Text => "text".to_owned(),
            StringKind::TinyText => "tinytext".to_owned(),
            StringKind::MediumText => "mediumtext".to_owned(),
            StringKind::LongText => "longtext".to_owned(),
        },
        ColumnType::Binary { binary, length } => match binary {
            BinaryKind::Binary => with_len("binary", *length),
            BinaryKind::Varbinary => with_len("varbinary", *length),
            BinaryKind::Blob => "blob".to_owned(),
            BinaryKind::TinyBlob => "tinyblob".to_owned(),
            BinaryKind::MediumBlob => "mediumblob".to_owned(),
            BinaryKind::LongBlob => "longblob".to_owned(),
            BinaryKind::Bytea => "bytea".to_owned(),
        },
        ColumnType::Bit { varying, length } => {
            with_len(if *varying { "varbit" } else { "bit" }, *length)
        }
        ColumnType::Time {
            time,
            precision,
            fields,
        } => {
            let base = match time {
                TimeKind::Date => "date",
                TimeKind::Time => "time",
                TimeKind::TimeTz => "timetz",
                TimeKind::Timestamp => "timestamp",
                TimeKind::TimestampTz => "timestamptz",
                TimeKind::Year => "year",
                TimeKind::Interval => "interval",
            };
            let mut out = with_len(base, *precision);
            if let Some(f) = fields {
                out.push(' ');
                out.push_str(&f.to_lowercase());
            }
            out
        }
        ColumnType::Json { binary } => if *binary { "jsonb" } else { "json" }.to_owned(),
        ColumnType::Uuid => "uuid".to_owned(),
        ColumnType::Enum {
            name: Some(name), ..
        } => name.to_string(),
        ColumnType::Enum { name: None, values } => format!("enum({})", quoted_list(values)),
        ColumnType::Set { values } => format!("set({})", quoted_list(values)),
        ColumnType::Array {
            element,
            dimensions,
        } => format!(
            "{}{}",
            type_display(element),
            "[]".repeat((*dimensions).max(1) as usize)
        ),
        ColumnType::UserDefined { name } => name.to_string(),
        ColumnType::Spatial { name } | ColumnType::Network { name } => name.clone(),
        ColumnType::Raw { sql } => sql.clone(),
    }
}

/// Key markers of a column: `PK`, `FK`, `UK` (single-column unique index), in that order.
pub(crate) fn key_markers(table: &Table, column: &str) -> Vec<&'static str> {
    let mut keys = Vec::new();
    if table
        .primary_key
        .as_ref()
        .is_some_and(|pk| pk.column_names().any(|c| c == column))
    {
        keys.push("PK");
    }
    if table
        .foreign_keys
        .iter()
        .any(|fk| fk.columns.iter().any(|c| c == column))
    {
        keys.push("FK");
    }
    if table
        .indexes
        .iter()
        .any(|i| i.unique && i.parts.len() == 1 && i.column_names().next() == Some(column))
    {
        keys.push("UK");
    }
    keys
}

/// The schema a foreign key points into.
pub(crate) fn target_schema<'a>(fk: &'a ForeignKey, schema: &'a Schema) -> &'a str {
    fk.ref_table.schema.as_deref().unwrap_or(&schema.name)
}

/// Whether Mermaid accepts the text unquoted as an entity name or attribute word.
fn is_mermaid_word(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// An attribute type or name as one Mermaid word: other characters become `_`; a word
/// starting with a digit gets a `_` prefix. Mermaid also takes `()[]` in types, so
/// `varchar(255)` stays readable.
fn mermaid_word(s: &str, allow_brackets: bool) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            let ok = c.is_ascii_alphanumeric()
                || c == '_'
                || c == '-'
                || (allow_brackets && matches!(c, '(' | ')' | '[' | ']'));
            if ok { c } else { '_' }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}

/// Text inside Mermaid double quotes: no `"`, `%`, backslash or line breaks allowed, and
/// Mermaid reads `<…>` as HTML (a name like `<b>x</b>` would render bold or vanish), so angle
/// brackets become look-alike quotation marks.
fn mermaid_quoted(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '"' => '\'',
            '<' => '‹',
            '>' => '›',
            '%' | '\\' => '_',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect()
}

/// Unique Mermaid entity references for every table (and every referenced table that is
/// not in the realm), keyed by (schema, table).
fn mermaid_entities(realm: &Realm) -> BTreeMap<(String, String), String> {
    let qualify = realm.schemas.len() > 1;
    let mut keys: Vec<(String, String)> = Vec::new();
    for schema in &realm.schemas {
        for table in &schema.tables {
            keys.push((schema.name.clone(), table.name.clone()));
            for fk in &table.foreign_keys {
                keys.push((
                    target_schema(fk, schema).to_owned(),
                    fk.ref_table.name.clone(),
                ));
            }
        }
    }
    let mut names = BTreeMap::new();
    let mut used = std::collections::BTreeSet::new();
    for key in keys {
        if names.contains_key(&key) {
            continue;
        }
        let (plain, quoted) = if qualify {
            (
                format!("{}_{}", key.0, key.1),
                format!("{}.{}", key.0, key.1),
            )
        } else {
            (key.1.clone(), key.1.clone())
        };
        let base = if is_mermaid_word(&plain) {
            plain
        } else {
            format!("\"{}\"", mermaid_quoted(&quoted))
        };
        // Distinct tables whose names sanitize alike get numbered.
        let mut name = base.clone();
        let mut n = 2;
        while !used.insert(name.clone()) {
            name = match base.strip_suffix('"') {
                Some(open) => format!("{open} {n}\""),
                None => format!("{base}_{n}"),
            };
            n += 1;
        }
        names.insert(key, name);
    }
    names
}

/// Renders the realm's tables and foreign keys as a Mermaid `erDiagram`: every column with
/// its type and `PK`/`FK`/`UK` markers, one relationship per foreign key labelled with its
/// name. Names Mermaid cannot take bare are quoted (entities) or sanitized with the real
/// name kept in the attribute's comment.
pub fn to_mermaid(realm: &Realm) -> String {
    let entities = mermaid_entities(realm);
    let entity = |schema: &str, table: &str| {
        entities
            .get(&(schema.to_owned(), table.to_owned()))
            .cloned()
            .unwrap_or_else(|| mermaid_word(table, false))
    };
    let mut out = String::from("erDiagram\n");
    for schema in &realm.schemas {
        for table in &schema.tables {
            let _ = writeln!(out, "    {} {{", entity(&schema.name, &table.name));
            for column in &table.columns {
                let ty = mermaid_word(&type_display(&column.ty), true);
                let name = mermaid_word(&column.name, false);
                let keys = key_markers(table, &column.name);
                let mut line = format!("        {ty} {name}");
                if !keys.is_empty() {
                    line.push(' ');
                    line.push_str(&keys.join(","));
                }
                let mut comment = Vec::new();
                if name != column.name {
                    comment.push(column.name.clone());
                }
                if let Some(c) = &column.comment {
                    comment.push(c.clone());
                }
                if !comment.is_empty() {
                    let _ = write!(line, " \"{}\"", mermaid_quoted(&comment.join(": ")));
                }
                out.push_str(&line);
                out.push('\n');
            }
            let _ = writeln!(out, "    }}");
        }
    }
    for schema in &realm.schemas {
        for table in &schema.tables {
            for fk in &table.foreign_keys {
                let _ = writeln!(
                    out,
                    "    {} }}o--|| {} : \"{}\"",
                    entity(&schema.name, &table.name),
                    entity(target_schema(fk, schema), &fk.ref_table.name),
                    mermaid_quoted(&fk.name)
                );
            }
        }
    }
    out
}

/// Escapes text for a DOT HTML-like label.
fn dot_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Escapes text for a DOT double-quoted ID.
fn dot_id(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Renders the realm's tables and foreign keys as a Graphviz DOT digraph: one HTML-label
/// node per table (`schema.table`) listing columns, types and key markers, one edge per
/// foreign key labelled with its name.
pub fn to_dot(realm: &Realm) -> String {
    let mut out = String::from(
        "digraph schema {\n    rankdir=LR;\n    node [shape=plain, fontname=\"Helvetica\"];\n    edge [fontname=\"Helvetica\", fontsize=10];\n",
    );
    for schema in &realm.schemas {
        for table in &schema.tables {
            let mut label = format!(
                "<TABLE BORDER=\"0\" CELLBORDER=\"1\" CELLSPACING=\"0\" CELLPADDING=\"4\"><TR><TD COLSPAN=\"3\" BGCOLOR=\"#dde6f0\"><B>{}</B></TD></TR>",
                dot_html(&table.name)
            );
            for column in &table.columns {
                let _ = write!(
                    label,
                    "<TR><TD ALIGN=\"LEFT\">{}</TD><TD ALIGN=\"LEFT\">{}</TD><TD>{}</TD></TR>",
                    dot_html(&column.name),
                    dot_html(&type_display(&column.ty)),
                    key_markers(table, &column.name).join(",")
                );
            }
            label.push_str("</TABLE>");
            let _ = writeln!(
                out,
                "    {} [label=<{label}>];",
                dot_id(&format!("{}.{}", schema.name, table.name))
            );
        }
        for table in &schema.tables {
            for fk in &table.foreign_keys {
                let _ = writeln!(
                    out,
                    "    {} -> {} [label={}];",
                    dot_id(&format!("{}.{}", schema.name, table.name)),
                    dot_id(&format!(
                        "{}.{}",
                        target_schema(fk, schema),
                        fk.ref_table.name
                    )),
                    dot_id(&fk.name)
                );
            }
        }
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Column, Deferrable, PrimaryKey, QualifiedName, ReferentialAction};

    fn fk(name: &str, col: &str, target: &str) -> ForeignKey {
        ForeignKey {
            name: name.into(),
            columns: vec![col.into()],
            ref_table: QualifiedName::bare(target),
            ref_columns: vec!["id".into()],
            on_update: ReferentialAction::NoAction,
            on_delete: ReferentialAction::NoAction,
            deferrable: Deferrable::Not,
            match_full: false,
        }
    }

    #[test]
    fn types_read_like_sql() {
        let cases = [
            (
                ColumnType::string(StringKind::Varchar, Some(255)),
                "varchar(255)",
            ),
            (
                ColumnType::Decimal {
                    precision: Some(10),
                    scale: Some(2),
                    unsigned: false,
                },
                "numeric(10,2)",
            ),
            (
                ColumnType::Array {
                    element: Box::new(ColumnType::string(StringKind::Text, None)),
                    dimensions: 1,
                },
                "text[]",
            ),
            (
                ColumnType::Time {
                    time: TimeKind::TimestampTz,
                    precision: Some(3),
                    fields: None,
                },
                "timestamptz(3)",
            ),
            (
                ColumnType::Enum {
                    name: None,
                    values: vec!["a".into(), "it's".into()],
                },
                "enum('a','it''s')",
            ),
            (
                ColumnType::Integer {
                    width: IntWidth::Int,
                    unsigned: true,
                    display_width: None,
                },
                "int unsigned",
            ),
        ];
        for (ty, want) in cases {
            assert_eq!(type_display(&ty), want);
        }
    }

    #[test]
    fn mermaid_quotes_and_sanitizes_names() {
        let mut odd = Table::new("order <items>")
            .with_column(Column::new("id", ColumnType::int(IntWidth::Big)).not_null())
            .with_column(Column::new(
                "unit \"price\"",
                ColumnType::Decimal {
                    precision: Some(8),
                    scale: Some(2),
                    unsigned: false,
                },
            ))
            .with_column(Column::new("2nd", ColumnType::raw("integer ARRAY")));
        odd.primary_key = Some(PrimaryKey::on_columns(&["id"]));
        odd.foreign_keys.push(fk("odd\"fk", "2nd", "order-items"));
        let twin = Table::new("order-items")
            .with_column(Column::new("id", ColumnType::int(IntWidth::Big)));
        let realm = Realm::new(vec![Schema::new("public").with_table(odd).with_table(twin)]);
        let m = to_mermaid(&realm);
        assert!(m.contains("    \"order ‹items›\" {\n"), "{m}");
        assert!(m.contains("        bigint id PK\n"), "{m}");
        assert!(
            m.contains("        numeric(8_2) unit__price_ \"unit 'price'\"\n"),
            "{m}"
        );
        assert!(m.contains("        integer_ARRAY _2nd FK \"2nd\"\n"), "{m}");
        assert!(m.contains("    order-items {\n"), "{m}");
        assert!(
            m.contains("    \"order ‹items›\" }o--|| order-items : \"odd'fk\"\n"),
            "{m}"
        );
    }

    #[test]
    fn dot_escapes_labels_and_ids() {
        let mut t =
            Table::new("a<b>").with_column(Column::new("x&y", ColumnType::int(IntWidth::Int)));
        t.foreign_keys.push(fk("f\"k", "x&y", "a<b>"));
        let realm = Realm::new(vec![Schema::new("s\"q").with_table(t)]);
        let d = to_dot(&realm);
        assert!(d.contains("<B>a&lt;b&gt;</B>"), "{d}");
        assert!(d.contains("x&amp;y"), "{d}");
        assert!(
            d.contains("\"s\\\"q.a<b>\" -> \"s\\\"q.a<b>\" [label=\"f\\\"k\"];"),
            "{d}"
        );
    }
}
