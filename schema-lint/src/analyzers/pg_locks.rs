//! `pg_locks` (PostgreSQL): changes that hold an `ACCESS EXCLUSIVE` lock while they
//! rewrite or scan the whole table.
//!
//! PG104 primary key and PG105 unique constraint built under the lock; PG301 column type
//! change that rewrites the table; PG302 column added with a volatile default (or an
//! identity / stored generated column), which rewrites the table; PG303 `SET NOT NULL`,
//! which scans it; PG304 primary key on nullable columns (an implicit `SET NOT NULL`);
//! PG305 CHECK and PG306 foreign key added without `NOT VALID`, which scan it.

use schema_diff::TableChange;
use schema_model::{Column, ColumnType, DialectKind, Table};

use crate::context::modify_table;
use crate::sqltext;
use crate::{Analyzer, Context, Diagnostic};

/// PG104, PG105, PG301–PG306.
pub struct PostgresLocks;

impl Analyzer for PostgresLocks {
    fn name(&self) -> &str {
        "pg_locks"
    }

    fn title(&self) -> String {
        "table locks detected".into()
    }

    fn analyze(&self, cx: &Context<'_>) -> Vec<Diagnostic> {
        if cx.dialect != Some(DialectKind::Postgres) {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (f, file, scope) in cx.files() {
            for (at, statement, change) in Context::changes_of(f, file) {
                let Some((schema, from, to, inner)) = modify_table(change) else {
                    continue;
                };
                if scope.created(schema, &to.name) {
                    continue;
                }
                let using_index =
                    sqltext::has_sequence(&sqltext::tokens(&statement.sql), &["USING", "INDEX"]);
                // Columns a primary key added here makes NOT NULL: PG304 reports those.
                let new_key_columns: Vec<&str> = inner
                    .iter()
                    .filter_map(|c| match c {
                        TableChange::AddPrimaryKey { key }
                        | TableChange::ModifyPrimaryKey { to: key, .. } => Some(key),
                        _ => None,
                    })
                    .flat_map(|key| key.column_names())
                    .collect();
                let not_valid = statement.flags.not_valid;
                let d = |code: &str, message: String, fix: &str| {
                    Diagnostic::new(code, at, message)
                        .table(schema, &to.name)
                        .locking()
                        .fix(fix)
                };
                for c in inner {
                    match c {
                        TableChange::ModifyPrimaryKey { .. } if c.renames_key_only() => {}
                        TableChange::AddPrimaryKey { key }
                        | TableChange::ModifyPrimaryKey { to: key, .. } => {
                            if !using_index {
                                out.push(d(
                                    "PG104",
                                    format!("Adding a primary key to table {:?} builds its index under an ACCESS EXCLUSIVE lock", to.name),
                                    "Create a unique index CONCURRENTLY first, then add the key with ADD PRIMARY KEY USING INDEX",
                                ));
                            }
                            let nullable: Vec<&str> = key
                                .column_names()
                                .filter(|c| from.column(c).is_some_and(|c| c.nullable))
                                .collect();
                            if !nullable.is_empty() {
                                out.push(d(
                                    "PG304",
                                    format!(
                                        "Adding a primary key on nullable column(s) {} of table {:?} sets them NOT NULL, which scans the whole table under an ACCESS EXCLUSIVE lock",
                                        nullable.iter().map(|c| format!("{c:?}")).collect::<Vec<_>>().join(", "),
                                        to.name
                                    ),
                                    "Make the columns NOT NULL first through a NOT VALID CHECK (col IS NOT NULL) that you VALIDATE separately",
                                ));
                            }
                        }
                        TableChange::AddIndex { index }
                            if index.constraint && index.unique && !using_index =>
                        {
                            out.push(d(
                                "PG105",
                                format!("Adding unique constraint {:?} to table {:?} builds its index under an ACCESS EXCLUSIVE lock", index.name, to.name),
                                "Create a unique index CONCURRENTLY first, then add the constraint with ADD CONSTRAINT … UNIQUE USING INDEX",
                            ));
                        }
                        TableChange::ModifyColumn {
                            from: old,
                            to: column,
                            changes,
                        } => {
                            if changes.ty && rewrites(&old.ty, &column.ty) {
                                out.push(d(
                                    "PG301",
                                    format!("Changing the type of column {:?} rewrites table {:?} under an ACCESS EXCLUSIVE lock", column.name, to.name),
                                    "Add a new column of the new type, backfill it in batches, then swap the columns",
                                ));
                            }
                            if changes.nullable
                                && old.nullable
                                && !column.nullable
                                && !new_key_columns.contains(&column.name.as_str())
                                && !has_not_null_check(from, &column.name)
                            {
                                out.push(d(
                                    "PG303",
                                    format!("Setting column {:?} NOT NULL scans table {:?} under an ACCESS EXCLUSIVE lock", column.name, to.name),
                                    "Add CHECK (col IS NOT NULL) NOT VALID, VALIDATE it in a separate statement, then SET NOT NULL and drop the check",
                                ));
                            }
                        }
                        TableChange::AddColumn { column } if rewrites_on_add(column) => {
                            out.push(d(
                                "PG302",
                                format!("Adding column {:?} with a volatile default rewrites table {:?} under an ACCESS EXCLUSIVE lock", column.name, to.name),
                                "Add the column without a default (or with a constant one), then backfill it in batches",
                            ));
                        }
                        TableChange::AddCheck { check } if !not_valid => {
                            out.push(d(
                                "PG305",
                                format!("Adding CHECK {} to table {:?} scans it under an ACCESS EXCLUSIVE lock", check.name.as_deref().unwrap_or(&check.expr), to.name),
                                "Add the check NOT VALID, then VALIDATE CONSTRAINT in a separate statement",
                            ));
                        }
                        TableChange::AddForeignKey { key } if !not_valid => {
                            out.push(d(
                                "PG306",
                                format!("Adding foreign key {:?} to table {:?} scans it while holding a SHARE ROW EXCLUSIVE lock on both tables", key.name, to.name),
                                "Add the foreign key NOT VALID, then VALIDATE CONSTRAINT in a separate statement",
                            ));
                        }
                        _ => {}
                    }
                }
            }
        }
        out
    }
}

/// Whether PostgreSQL rewrites the table for this type change. Widening a length limit
/// or a numeric precision (same scale), or dropping the limit, is binary compatible.
fn rewrites(from: &ColumnType, to: &ColumnType) -> bool {
    use schema_model::StringKind::{Text, Varchar};
    match (from, to) {
        (
            ColumnType::String {
                string: Varchar | Text,
                length: old,
            },
            ColumnType::String {
                string: Varchar | Text,
                length: new,
            },
        ) => match (old, new) {
            (_, None) => false,
            (Some(old), Some(new)) => new < old,
            // Unbounded to bounded: every value must be checked.
            (None, Some(_)) => true,
        },
        (
            ColumnType::Decimal {
                precision: p1,
                scale: s1,
                ..
            },
            ColumnType::Decimal {
                precision: p2,
                scale: s2,
                ..
            },
        ) => !(p2.is_none() || (s1 == s2 && p1.is_some_and(|p1| p2.is_some_and(|p2| p2 >= p1)))),
        (
            ColumnType::Bit {
                varying: true,
                length: old,
            },
            ColumnType::Bit {
                varying: true,
                length: new,
            },
        ) => !(new.is_none() || old.is_some_and(|old| new.is_some_and(|new| new >= old))),
        (ColumnType::Network { name: a }, ColumnType::Network { name: b }) => {
            !(a == "cidr" && b == "inet")
        }
        _ => true,
    }
}

/// Functions whose value differs per row: a default calling one must be written into
/// every existing row.
const VOLATILE: &[&str] = &[
    "random(",
    "clock_timestamp(",
    "timeofday(",
    "gen_random_uuid(",
    "uuid_generate_v1",
    "uuid_generate_v4",
    "nextval(",
    "txid_current(",
];

fn rewrites_on_add(column: &Column) -> bool {
    let volatile_default = column.default.as_ref().is_some_and(|d| {
        let sql = d.sql().to_ascii_lowercase();
        VOLATILE.iter().any(|f| sql.contains(f))
    });
    volatile_default
        || column.identity.is_some()
        || column.generated.as_ref().is_some_and(|g| g.stored)
}

/// Whether the table already has a CHECK proving `column IS NOT NULL` (PostgreSQL 12+
/// then skips the scan of `SET NOT NULL`).
fn has_not_null_check(table: &Table, column: &str) -> bool {
    let wanted = format!("{}isnotnull", column.to_ascii_lowercase());
    table.checks.iter().any(|c| {
        let compact: String = c
            .expr
            .chars()
            .filter(|ch| !ch.is_whitespace() && !matches!(ch, '(' | ')' | '"'))
            .collect::<String>()
            .to_ascii_lowercase();
        compact == wanted
    })
}
