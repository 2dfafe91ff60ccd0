//! `data_depend`: changes that succeed or fail depending on the rows already stored.
//!
//! Atlas's codes: MF101 unique index on existing columns, MF102 existing index made
//! unique, MF103 NOT NULL column without DEFAULT added to an existing table (MY101 on
//! MySQL, which fills zero values instead of failing), MF104 nullable column made NOT
//! NULL (LT101 on SQLite when there is no DEFAULT to copy in). Mercator adds MC101 (CHECK
//! added to an existing table), MC102 (column type narrowed) and MC103 (foreign key added
//! to an existing table): Atlas has no open-source codes for them, and each carries a
//! pre-flight query.

use schema_diff::TableChange;
use schema_model::{Column, ColumnType, DialectKind, IntWidth, StringKind, Table};

use crate::context::modify_table;
use crate::preflight::{Preflight, QueryWriter};
use crate::{Analyzer, Context, Diagnostic};

/// MF101–MF104, MY101, LT101, MC101–MC103.
pub struct DataDependent;

impl Analyzer for DataDependent {
    fn name(&self) -> &str {
        "data_depend"
    }

    fn title(&self) -> String {
        "data dependent changes detected".into()
    }

    fn analyze(&self, cx: &Context<'_>) -> Vec<Diagnostic> {
        let q = cx.queries();
        let mut out = Vec::new();
        for (f, file, scope) in cx.files() {
            for (at, statement, change) in Context::changes_of(f, file) {
                let Some((schema, from, to, inner)) = modify_table(change) else {
                    continue;
                };
                // Atlas skips tables created in the same file: they hold no rows yet.
                if scope.created(schema, &to.name) {
                    continue;
                }
                let d = |code: &str, message: String| {
                    Diagnostic::new(code, at, message).table(schema, &to.name)
                };
                for c in inner {
                    match c {
                        // `ADD CONSTRAINT … UNIQUE USING INDEX` adopts a unique index
                        // that already holds.
                        TableChange::AddIndex { index }
                            if index.unique
                                && !crate::sqltext::has_sequence(
                                    &crate::sqltext::tokens(&statement.sql),
                                    &["USING", "INDEX"],
                                )
                                && index
                                    .column_names()
                                    .any(|n| !scope.column_is_new(schema, &to.name, n)) =>
                        {
                            let cols: Vec<String> =
                                index.column_names().map(str::to_owned).collect();
                            out.push(
                                d(
                                    "MF101",
                                    format!(
                                        "Adding a unique index {:?} on table {:?} might fail in case columns {} contain duplicate entries",
                                        index.name,
                                        to.name,
                                        quoted_list(&cols)
                                    ),
                                )
                                .fix("Add a pre-migration check to ensure the columns hold no duplicate values")
                                .preflight(q.map(|q| q.duplicates(schema, &to.name, &cols, !index.nulls_not_distinct))),
                            )
                        }
                        TableChange::ModifyIndex {
                            from: old,
                            to: index,
                        } if index.unique && !old.unique => {
                            let cols: Vec<String> =
                                index.column_names().map(str::to_owned).collect();
                            out.push(
                                d(
                                    "MF102",
                                    format!(
                                        "Modifying non-unique index {:?} to unique might fail in case of duplicate entries",
                                        index.name
                                    ),
                                )
                                .fix("Add a pre-migration check to ensure the indexed columns hold no duplicate values")
                                .preflight(q.map(|q| q.duplicates(schema, &to.name, &cols, !index.nulls_not_distinct))),
                            )
                        }
                        TableChange::AddColumn { column } if needs_value(column) => {
                            let diag = if cx.dialect == Some(DialectKind::Mysql) {
                                d(
                                    "MY101",
                                    format!(
                                        "Adding non-nullable column {:?} ({}) without a DEFAULT fills existing rows of table {:?} with the type's zero value",
                                        column.name,
                                        type_name(&column.ty),
                                        to.name
                                    ),
                                )
                                .fix(format!("Give column {:?} an explicit DEFAULT", column.name))
                            } else {
                                d(
                                    "MF103",
                                    format!(
                                        "Adding non-nullable column {:?} ({}) without a DEFAULT fails if table {:?} has rows",
                                        column.name,
                                        type_name(&column.ty),
                                        to.name
                                    ),
                                )
                                .fix(format!(
                                    "Give column {:?} a DEFAULT, or add a pre-migration check that table {:?} is empty",
                                    column.name, to.name
                                ))
                            };
                            out.push(diag.preflight(q.map(|q| q.any_rows(schema, from))));
                        }
                        TableChange::ModifyColumn {
                            from: old,
                            to: column,
                            changes,
                        } if changes.nullable && old.nullable && !column.nullable => {
                            let sqlite = cx.dialect == Some(DialectKind::Sqlite);
                            // SQLite rebuilds the table and copies NULLs through the new
                            // DEFAULT; only a column without one fails.
                            if sqlite && column.default.is_some() {
                                continue;
                            }
                            let (code, message) = if sqlite {
                                (
                                    "LT101",
                                    format!(
                                        "Modifying nullable column {:?} to non-nullable without a DEFAULT might fail in case it contains NULL values",
                                        column.name
                                    ),
                                )
                            } else {
                                (
                                    "MF104",
                                    format!(
                                        "Modifying nullable column {:?} to non-nullable might fail in case it contains NULL values",
                                        column.name
                                    ),
                                )
                            };
                            out.push(
                                d(code, message)
                                    .fix(format!(
                                        "Add a pre-migration check to ensure column {:?} holds no NULL values",
                                        column.name
                                    ))
                                    .preflight(q.map(|q| q.nulls(schema, from, &column.name))),
                            );
                        }
                        TableChange::AddCheck { check }
                        | TableChange::ModifyCheck { to: check, .. }
                            if !check.not_enforced && !statement.flags.not_valid =>
                        {
                            out.push(
                                d(
                                    "MC101",
                                    format!(
                                        "Adding CHECK {} on table {:?} might fail in case existing rows violate it",
                                        check.name.as_deref().map(|n| format!("{n:?}")).unwrap_or_else(|| format!("({})", check.expr)),
                                        to.name
                                    ),
                                )
                                .fix("Add a pre-migration check to ensure no existing row violates the constraint")
                                .preflight(q.map(|q| q.check_violations(schema, from, &check.expr))),
                            );
                        }
                        TableChange::AddForeignKey { key }
                        | TableChange::ModifyForeignKey { to: key, .. }
                            if !statement.flags.not_valid
                                && key
                                    .columns
                                    .iter()
                                    .any(|c| !scope.column_is_new(schema, &to.name, c)) =>
                        {
                            out.push(
                                d(
                                    "MC103",
                                    format!(
                                        "Adding foreign key {:?} on table {:?} might fail in case existing rows reference missing rows of {:?}",
                                        key.name, to.name, key.ref_table.name
                                    ),
                                )
                                .fix("Add a pre-migration check to ensure every existing row references an existing row")
                                .preflight(q.map(|q| q.orphans(schema, from, key))),
                            );
                        }
                        TableChange::ModifyColumn {
                            from: old,
                            to: column,
                            changes,
                        } if changes.ty => {
                            if let Some(narrowing) = narrowing(&old.ty, &column.ty) {
                                out.push(
                                    d(
                                        "MC102",
                                        format!(
                                            "Changing the type of column {:?} from {} to {} might fail or truncate existing values",
                                            column.name,
                                            type_name(&old.ty),
                                            type_name(&column.ty)
                                        ),
                                    )
                                    .fix("Add a pre-migration check to ensure every existing value fits the new type")
                                    .preflight(q.and_then(|q| narrowing.query(q, schema, from, &column.name))),
                                );
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        out
    }
}

/// Whether adding this column to a table with rows needs a value nobody gave.
fn needs_value(column: &Column) -> bool {
    !column.nullable
        && column.default.is_none()
        && column.generated.is_none()
        && column.identity.is_none()
        && !column.auto_increment
}

fn quoted_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A short name for a type in messages.
pub(crate) fn type_name(ty: &ColumnType) -> String {
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
            precision: Some(p),
            scale,
            ..
        } => format!("decimal({p},{})", scale.unwrap_or(0)),
        ColumnType::Decimal { .. } => "decimal".into(),
        ColumnType::Float { double: true, .. } => "double".into(),
        ColumnType::Float { .. } => "float".into(),
        ColumnType::Boolean => "boolean".into(),
        ColumnType::String { string, length } => {
            let base = match string {
                StringKind::Char => "char",
                StringKind::Varchar => "varchar",
                StringKind::Text => "text",
                StringKind::TinyText => "tinytext",
                StringKind::MediumText => "mediumtext",
                StringKind::LongText => "longtext",
            };
            match length {
                Some(n) => format!("{base}({n})"),
                None => base.to_owned(),
            }
        }
        ColumnType::Binary { .. } => "binary".into(),
        ColumnType::Bit { .. } => "bit".into(),
        ColumnType::Time { .. } => "time".into(),
        ColumnType::Json { binary: true } => "jsonb".into(),
        ColumnType::Json { .. } => "json".into(),
        ColumnType::Uuid => "uuid".into(),
        ColumnType::Enum { name: Some(n), .. } => n.name.clone(),
        ColumnType::Enum { .. } => "enum".into(),
        ColumnType::Set { .. } => "set".into(),
        ColumnType::Array { element, .. } => format!("{}[]", type_name(element)),
        ColumnType::UserDefined { name } => name.name.clone(),
        ColumnType::Spatial { name } | ColumnType::Network { name } => name.clone(),
        ColumnType::Raw { sql } => sql.clone(),
    }
}

/// How a type change narrows the values a column accepts.
pub(crate) enum Narrowing {
    /// Strings limited to fewer characters.
    Length(u32),
    /// Integers limited to a smaller range (bounds as SQL literals).
    Range(String, String),
    /// Decimals with fewer digits before the point: `|v| < 10^digits`.
    Digits(u32),
}

impl Narrowing {
    fn query(
        &self,
        q: QueryWriter,
        schema: &str,
        table: &Table,
        column: &str,
    ) -> Option<Preflight> {
        Some(match self {
            Narrowing::Length(max) => q.too_long(schema, table, column, *max),
            Narrowing::Range(min, max) => q.out_of_range(schema, table, column, min, max),
            Narrowing::Digits(digits) => {
                let bound = format!("1{}", "0".repeat(*digits as usize));
                let c = q.ident(column);
                q.violating(
                    schema,
                    table,
                    &[column],
                    &format!("{c} <= -{bound} OR {c} >= {bound}"),
                    format!(
                        "rows of {:?} where {column:?} has more than {digits} integer digits",
                        table.name
                    ),
                )
            }
        })
    }
}

/// The integer range of a width, as (min, max).
pub(crate) fn int_range(width: IntWidth, unsigned: bool) -> (i128, i128) {
    let bits = match width {
        IntWidth::Tiny => 8,
        IntWidth::Small => 16,
        IntWidth::Medium => 24,
        IntWidth::Int => 32,
        IntWidth::Big => 64,
    };
    if unsigned {
        (0, (1i128 << bits) - 1)
    } else {
        (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
    }
}

/// Whether `to` accepts fewer values than `from`, and how.
pub(crate) fn narrowing(from: &ColumnType, to: &ColumnType) -> Option<Narrowing> {
    match (from, to) {
        (
            ColumnType::String { length: old, .. },
            ColumnType::String {
                length: Some(new), ..
            },
        ) if old.is_none_or(|old| old > *new) => Some(Narrowing::Length(*new)),
        (
            ColumnType::Integer {
                width: w1,
                unsigned: u1,
                ..
            },
            ColumnType::Integer {
                width: w2,
                unsigned: u2,
                ..
            },
        ) => {
            let (min1, max1) = int_range(*w1, *u1);
            let (min2, max2) = int_range(*w2, *u2);
            (min2 > min1 || max2 < max1)
                .then(|| Narrowing::Range(min2.to_string(), max2.to_string()))
        }
        (
            ColumnType::Decimal {
                precision: Some(p1),
                scale: s1,
                ..
            },
            ColumnType::Decimal {
                precision: Some(p2),
                scale: s2,
                ..
            },
        ) => {
            let digits1 = p1.saturating_sub(s1.unwrap_or(0));
            let digits2 = p2.saturating_sub(s2.unwrap_or(0));
            (digits2 < digits1).then_some(Narrowing::Digits(digits2))
        }
        (
            ColumnType::Integer {
                width, unsigned, ..
            },
            ColumnType::Decimal {
                precision: Some(p),
                scale,
                ..
            },
        ) => {
            let needed = int_range(*width, *unsigned).1.to_string().len() as u32;
            let digits = p.saturating_sub(scale.unwrap_or(0));
            (digits < needed).then_some(Narrowing::Digits(digits))
        }
        _ => None,
    }
}
