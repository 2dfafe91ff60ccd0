//! `mysql`: MySQL-specific hazards.
//!
//! MY102 inline `REFERENCES` in a column definition (MySQL parses and ignores it: no
//! foreign key is created). ENUM columns: MY110 value removed, MY111 values reordered,
//! MY112 value inserted before the end, MY113 more than 255 values (storage grows from 1
//! to 2 bytes). SET columns: MY120–MY122 likewise, MY123 storage grows (1, 2, 3, 4 or 8
//! bytes for up to 8, 16, 24, 32, 64 members). Reorders, insertions and growth force a
//! table copy; removals fail or blank existing values.

use schema_diff::TableChange;
use schema_model::{ColumnType, DialectKind};

use crate::changeset::Position;
use crate::context::modify_table;
use crate::sqltext::{self, Token};
use crate::{Analyzer, Context, Diagnostic};

/// MY102, MY110–MY113, MY120–MY123.
pub struct MysqlChanges;

impl Analyzer for MysqlChanges {
    fn name(&self) -> &str {
        "mysql"
    }

    fn title(&self) -> String {
        "MySQL-specific issues detected".into()
    }

    fn analyze(&self, cx: &Context<'_>) -> Vec<Diagnostic> {
        if cx.dialect != Some(DialectKind::Mysql) {
            return Vec::new();
        }
        let q = cx.queries();
        let mut out = Vec::new();
        for (f, file, scope) in cx.files() {
            for (s, statement) in file.statements.iter().enumerate() {
                for column in inline_references(&statement.sql) {
                    out.push(
                        Diagnostic::new(
                            "MY102",
                            Position::statement(f, s),
                            format!("Inline REFERENCES on column {column:?} is parsed but ignored by MySQL: no foreign key is created"),
                        )
                        .fix("Declare the key as a table constraint: FOREIGN KEY (col) REFERENCES parent (col)"),
                    );
                }
            }
            for (at, _, change) in Context::changes_of(f, file) {
                let Some((schema, from, to, inner)) = modify_table(change) else {
                    continue;
                };
                let existing = !scope.created(schema, &to.name);
                for c in inner {
                    let TableChange::ModifyColumn {
                        from: old,
                        to: column,
                        ..
                    } = c
                    else {
                        continue;
                    };
                    let (kind, codes, old_values, new_values) = match (&old.ty, &column.ty) {
                        (
                            ColumnType::Enum { values: a, .. },
                            ColumnType::Enum { values: b, .. },
                        ) => ("enum", ["MY110", "MY111", "MY112", "MY113"], a, b),
                        (ColumnType::Set { values: a }, ColumnType::Set { values: b }) => {
                            ("set", ["MY120", "MY121", "MY122", "MY123"], a, b)
                        }
                        _ => continue,
                    };
                    let d = |code: &str, message: String| {
                        Diagnostic::new(code, at, message).table(schema, &to.name)
                    };
                    let removed: Vec<String> = old_values
                        .iter()
                        .filter(|v| !new_values.contains(v))
                        .cloned()
                        .collect();
                    if !removed.is_empty() && existing {
                        out.push(
                            d(codes[0], format!("Removing {kind} value(s) {} from column {:?} fails or blanks rows that hold them", list(&removed), column.name))
                                .fix("Add a pre-migration check to ensure no row holds the removed values")
                                .preflight(q.map(|q| q.removed_values(schema, from, &column.name, &removed, kind == "set"))),
                        );
                    }
                    let kept_old: Vec<&String> = old_values
                        .iter()
                        .filter(|v| new_values.contains(v))
                        .collect();
                    let kept_new: Vec<&String> = new_values
                        .iter()
                        .filter(|v| old_values.contains(v))
                        .collect();
                    if kept_old != kept_new {
                        out.push(
                            d(codes[1], format!("Reordering the {kind} values of column {:?} copies table {:?}", column.name, to.name))
                                .locking()
                                .fix("Keep existing values in their order and append new ones at the end"),
                        );
                    }
                    let last_kept = new_values.iter().rposition(|v| old_values.contains(v));
                    let inserted: Vec<String> = new_values
                        .iter()
                        .enumerate()
                        .filter(|(i, v)| {
                            !old_values.contains(v) && last_kept.is_some_and(|k| *i < k)
                        })
                        .map(|(_, v)| v.clone())
                        .collect();
                    if !inserted.is_empty() {
                        out.push(
                            d(codes[2], format!("Inserting {kind} value(s) {} before the end of column {:?} copies table {:?}", list(&inserted), column.name, to.name))
                                .locking()
                                .fix("Append new values at the end of the list"),
                        );
                    }
                    let (before, after) = if kind == "enum" {
                        (enum_bytes(old_values.len()), enum_bytes(new_values.len()))
                    } else {
                        (set_bytes(old_values.len()), set_bytes(new_values.len()))
                    };
                    if after > before {
                        out.push(
                            d(codes[3], format!("Growing the {kind} of column {:?} to {} values changes its storage from {before} to {after} bytes and copies table {:?}", column.name, new_values.len(), to.name))
                                .locking()
                                .fix("Plan the table copy for a quiet period or use an online schema change tool"),
                        );
                    }
                }
            }
        }
        out
    }
}

fn list(values: &[String]) -> String {
    values
        .iter()
        .map(|v| format!("{v:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn enum_bytes(n: usize) -> usize {
    if n <= 255 { 1 } else { 2 }
}

fn set_bytes(n: usize) -> usize {
    match n.div_ceil(8) {
        0..=1 => 1,
        b @ 2..=4 => b,
        _ => 8,
    }
}

/// Words that open a table-level element rather than a column definition.
const TABLE_ELEMENTS: &[&str] = &[
    "CONSTRAINT",
    "FOREIGN",
    "PRIMARY",
    "UNIQUE",
    "KEY",
    "INDEX",
    "CHECK",
    "FULLTEXT",
    "SPATIAL",
];

/// Columns defined with an inline `REFERENCES` in a CREATE TABLE or ALTER TABLE.
pub(crate) fn inline_references(sql: &str) -> Vec<String> {
    let tokens = sqltext::tokens(sql);
    let references = |t: &[Token]| t.iter().any(|t| t.is("REFERENCES"));
    let mut out = Vec::new();
    if sqltext::has_sequence(&tokens, &["CREATE", "TABLE"]) {
        let Some(body) = sqltext::first_group(&tokens) else {
            return out;
        };
        for element in sqltext::split_commas(body) {
            if let Some(Token::Word(name)) = element.first()
                && !TABLE_ELEMENTS.iter().any(|k| name.eq_ignore_ascii_case(k))
                && references(element)
            {
                out.push(name.clone());
            }
        }
    } else if sqltext::has_sequence(&tokens, &["ALTER", "TABLE"]) {
        for element in sqltext::split_commas(&tokens) {
            let Some(start) = element
                .iter()
                .position(|t| t.is("ADD") || t.is("MODIFY") || t.is("CHANGE"))
            else {
                continue;
            };
            let change = element[start].is("CHANGE");
            let mut rest = &element[start + 1..];
            if rest.first().is_some_and(|t| t.is("COLUMN")) {
                rest = &rest[1..];
            }
            if change && !rest.is_empty() {
                // CHANGE old new definition: the new name is the column's.
                rest = &rest[1..];
            }
            if let Some(Token::Word(name)) = rest.first()
                && !TABLE_ELEMENTS.iter().any(|k| name.eq_ignore_ascii_case(k))
                && references(rest)
            {
                out.push(name.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_inline_references_only() {
        assert_eq!(
            inline_references(
                "CREATE TABLE c (id int, p_id int REFERENCES p (id), FOREIGN KEY (x) REFERENCES p (id))"
            ),
            ["p_id"]
        );
        assert_eq!(
            inline_references(
                "ALTER TABLE c ADD COLUMN p_id int REFERENCES p(id), ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES p (id)"
            ),
            ["p_id"]
        );
        assert_eq!(
            inline_references("ALTER TABLE c CHANGE a b int REFERENCES p(id)"),
            ["b"]
        );
        assert!(
            inline_references("ALTER TABLE c ADD FOREIGN KEY (a) REFERENCES p (id)").is_empty()
        );
        assert!(inline_references("CREATE TABLE c (note text DEFAULT 'REFERENCES')").is_empty());
        assert_eq!(set_bytes(8), 1);
        assert_eq!(set_bytes(9), 2);
        assert_eq!(set_bytes(33), 8);
    }
}
