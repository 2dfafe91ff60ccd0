//! Pre-flight data checks: read-only queries that prove existing rows fit a
//! data-dependent change before it runs.
//!
//! Every query returns the offending rows (a sample, `LIMIT n`): **no rows means the
//! change is safe**. The selected columns identify the offenders: the table's primary key
//! when it has one, else the columns the change is about (for duplicates: the duplicated
//! values and their count).

use schema_model::{DialectKind, ForeignKey, Table};
use serde::{Deserialize, Serialize};

/// A read-only query to run before applying a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preflight {
    /// The dialect the SQL is written for.
    pub dialect: DialectKind,
    /// What a returned row means, e.g. `rows of "users" where "email" is NULL`.
    pub description: String,
    /// The query; it returns offending rows only.
    pub sql: String,
    /// Names of the returned columns.
    pub columns: Vec<String>,
}

/// Writes queries for one dialect with one sample size.
#[derive(Debug, Clone, Copy)]
pub struct QueryWriter {
    /// Dialect.
    pub dialect: DialectKind,
    /// Rows returned at most.
    pub limit: usize,
}

impl QueryWriter {
    /// Quotes an identifier: `"x"` (PostgreSQL, SQLite) or `` `x` `` (MySQL).
    pub fn ident(&self, name: &str) -> String {
        match self.dialect {
            DialectKind::Mysql => format!("`{}`", name.replace('`', "``")),
            _ => format!("\"{}\"", name.replace('"', "\"\"")),
        }
    }

    /// A string literal (MySQL also escapes backslashes, which it treats as escapes).
    pub fn literal(&self, value: &str) -> String {
        let mut v = value.replace('\'', "''");
        if self.dialect == DialectKind::Mysql {
            v = v.replace('\\', "\\\\");
        }
        format!("'{v}'")
    }

    /// `schema.table`, quoted.
    pub fn table(&self, schema: &str, table: &str) -> String {
        format!("{}.{}", self.ident(schema), self.ident(table))
    }

    fn list(&self, columns: &[String], alias: Option<&str>) -> String {
        if columns.is_empty() {
            // A table without columns still answers "does any row exist".
            return "1".into();
        }
        columns
            .iter()
            .map(|c| match alias {
                Some(a) => format!("{a}.{}", self.ident(c)),
                None => self.ident(c),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn finish(&self, description: String, sql: String, columns: Vec<String>) -> Preflight {
        Preflight {
            dialect: self.dialect,
            description,
            sql: format!("{sql} LIMIT {}", self.limit),
            columns,
        }
    }

    /// Rows proving the table is not empty.
    pub fn any_rows(&self, schema: &str, table: &Table) -> Preflight {
        let keys = key_columns(table, &[]);
        self.finish(
            format!("rows of {:?} (the table must be empty)", table.name),
            format!(
                "SELECT {} FROM {}",
                self.list(&keys, None),
                self.table(schema, &table.name)
            ),
            keys,
        )
    }

    /// Rows where `column` holds a value (before dropping it).
    pub fn non_null(&self, schema: &str, table: &Table, column: &str) -> Preflight {
        let keys = key_columns(table, &[column]);
        self.finish(
            format!("rows of {:?} where {column:?} holds a value", table.name),
            format!(
                "SELECT {} FROM {} WHERE {} IS NOT NULL",
                self.list(&keys, None),
                self.table(schema, &table.name),
                self.ident(column)
            ),
            keys,
        )
    }

    /// Rows where `column` is NULL.
    pub fn nulls(&self, schema: &str, table: &Table, column: &str) -> Preflight {
        self.violating(
            schema,
            table,
            &[column],
            &format!("{} IS NULL", self.ident(column)),
            format!("rows of {:?} where {column:?} is NULL", table.name),
        )
    }

    /// Duplicated values of `columns`, with their count. NULLs never collide unless
    /// `nulls_distinct` is false (PostgreSQL `NULLS NOT DISTINCT`).
    pub fn duplicates(
        &self,
        schema: &str,
        table: &str,
        columns: &[String],
        nulls_distinct: bool,
    ) -> Preflight {
        let list = self.list(columns, None);
        let filter = if nulls_distinct {
            let conds: Vec<_> = columns
                .iter()
                .map(|c| format!("{} IS NOT NULL", self.ident(c)))
                .collect();
            format!(" WHERE {}", conds.join(" AND "))
        } else {
            String::new()
        };
        let mut out = columns.to_vec();
        out.push("duplicates".into());
        self.finish(
            format!("values of ({}) in {table:?} that occur more than once", columns.join(", ")),
            format!(
                "SELECT {list}, COUNT(*) AS duplicates FROM {}{filter} GROUP BY {list} HAVING COUNT(*) > 1",
                self.table(schema, table)
            ),
            out,
        )
    }

    /// Rows for which `condition` (SQL over the table's columns) holds.
    pub fn violating(
        &self,
        schema: &str,
        table: &Table,
        involved: &[&str],
        condition: &str,
        description: String,
    ) -> Preflight {
        let keys = key_columns(table, involved);
        self.finish(
            description,
            format!(
                "SELECT {} FROM {} WHERE {condition}",
                self.list(&keys, None),
                self.table(schema, &table.name)
            ),
            keys,
        )
    }

    /// Rows violating a CHECK expression. A CHECK passes when its expression is NULL, so
    /// only rows where it is false are selected.
    pub fn check_violations(&self, schema: &str, table: &Table, expr: &str) -> Preflight {
        self.violating(
            schema,
            table,
            &[],
            &format!("NOT ({expr})"),
            format!("rows of {:?} violating CHECK ({expr})", table.name),
        )
    }

    /// Rows whose foreign-key columns reference no row of the referenced table (rows with
    /// a NULL key part pass under `MATCH SIMPLE`; under `MATCH FULL` a partly NULL key
    /// fails).
    pub fn orphans(&self, schema: &str, table: &Table, key: &ForeignKey) -> Preflight {
        let keys = key_columns(
            table,
            &key.columns.iter().map(String::as_str).collect::<Vec<_>>(),
        );
        let ref_schema = key.ref_table.schema.as_deref().unwrap_or(schema);
        let joins: Vec<_> = key
            .columns
            .iter()
            .zip(&key.ref_columns)
            .map(|(c, r)| format!("p.{} = c.{}", self.ident(r), self.ident(c)))
            .collect();
        let not_null: Vec<_> = key
            .columns
            .iter()
            .map(|c| format!("c.{} IS NOT NULL", self.ident(c)))
            .collect();
        let filter = if key.match_full {
            // MATCH FULL: all NULL passes, partly NULL fails, full keys must exist.
            let all_null: Vec<_> = key
                .columns
                .iter()
                .map(|c| format!("c.{} IS NULL", self.ident(c)))
                .collect();
            format!("NOT ({})", all_null.join(" AND "))
        } else {
            not_null.join(" AND ")
        };
        self.finish(
            format!(
                "rows of {:?} whose ({}) match no row of {:?}",
                table.name,
                key.columns.join(", "),
                key.ref_table.name
            ),
            format!(
                "SELECT {} FROM {} AS c WHERE {filter} AND NOT EXISTS (SELECT 1 FROM {} AS p WHERE {})",
                self.list(&keys, Some("c")),
                self.table(schema, &table.name),
                self.table(ref_schema, &key.ref_table.name),
                joins.join(" AND ")
            ),
            keys,
        )
    }

    /// Rows whose string value is longer than `max` characters.
    pub fn too_long(&self, schema: &str, table: &Table, column: &str, max: u32) -> Preflight {
        let len = match self.dialect {
            DialectKind::Mysql => "CHAR_LENGTH",
            DialectKind::Postgres => "char_length",
            _ => "length",
        };
        self.violating(
            schema,
            table,
            &[column],
            &format!("{len}({}) > {max}", self.ident(column)),
            format!(
                "rows of {:?} where {column:?} is longer than {max} characters",
                table.name
            ),
        )
    }

    /// Rows whose numeric value is outside `[min, max]` (bounds as SQL number literals).
    pub fn out_of_range(
        &self,
        schema: &str,
        table: &Table,
        column: &str,
        min: &str,
        max: &str,
    ) -> Preflight {
        let c = self.ident(column);
        self.violating(
            schema,
            table,
            &[column],
            &format!("{c} < {min} OR {c} > {max}"),
            format!(
                "rows of {:?} where {column:?} is outside [{min}, {max}]",
                table.name
            ),
        )
    }

    /// Rows holding one of the removed ENUM labels (or SET members, with `set`).
    pub fn removed_values(
        &self,
        schema: &str,
        table: &Table,
        column: &str,
        removed: &[String],
        set: bool,
    ) -> Preflight {
        let c = self.ident(column);
        let condition = if set {
            removed
                .iter()
                .map(|v| format!("FIND_IN_SET({}, {c}) > 0", self.literal(v)))
                .collect::<Vec<_>>()
                .join(" OR ")
        } else {
            let values: Vec<_> = removed.iter().map(|v| self.literal(v)).collect();
            format!("{c} IN ({})", values.join(", "))
        };
        self.violating(
            schema,
            table,
            &[column],
            &condition,
            format!(
                "rows of {:?} where {column:?} holds a removed value",
                table.name
            ),
        )
    }
}

/// The columns that identify offending rows: the primary key, else the involved columns,
/// else every column.
fn key_columns(table: &Table, involved: &[&str]) -> Vec<String> {
    if let Some(pk) = &table.primary_key {
        let cols: Vec<String> = pk.column_names().map(str::to_owned).collect();
        if !cols.is_empty() {
            return cols;
        }
    }
    if !involved.is_empty() {
        return involved.iter().map(|c| (*c).to_owned()).collect();
    }
    table.columns.iter().map(|c| c.name.clone()).collect()
}
