//! The catalog queries: one pass per kind of metadata over every table at once, joining
//! `sqlite_schema` with the table-valued pragmas instead of one pragma call per table.

use std::collections::HashMap;

use rusqlite::{Connection, params_from_iter};

/// A row of `pragma_table_xinfo`.
#[derive(Debug, Clone)]
pub(crate) struct ColumnRow {
    pub name: String,
    pub declared: String,
    pub not_null: bool,
    pub default: Option<String>,
    pub pk: i64,
    pub hidden: i64,
}

/// A row of `pragma_index_list` with the index's stored SQL.
#[derive(Debug, Clone)]
pub(crate) struct IndexRow {
    pub name: String,
    pub unique: bool,
    pub origin: String,
    pub sql: Option<String>,
}

/// A key row of `pragma_index_xinfo`.
#[derive(Debug, Clone)]
pub(crate) struct IndexColumnRow {
    pub cid: i64,
    pub name: Option<String>,
    pub desc: bool,
    pub collation: Option<String>,
}

/// Rows of `pragma_foreign_key_list` for one constraint.
#[derive(Debug, Clone, Default)]
pub(crate) struct ForeignKeyRows {
    pub table: String,
    pub from: Vec<String>,
    pub to: Vec<Option<String>>,
    pub on_update: String,
    pub on_delete: String,
    pub match_clause: String,
}

/// Everything read from the catalog, keyed by table name.
#[derive(Debug, Default)]
pub(crate) struct Catalog {
    /// `(name, sql)` of user tables, by name.
    pub tables: Vec<(String, String)>,
    pub columns: HashMap<String, Vec<ColumnRow>>,
    pub indexes: HashMap<String, Vec<IndexRow>>,
    pub index_columns: HashMap<String, Vec<IndexColumnRow>>,
    pub foreign_keys: HashMap<String, Vec<ForeignKeyRows>>,
    /// `(name, sql)` of views.
    pub views: Vec<(String, String)>,
    /// `(name, table, sql)` of triggers.
    pub triggers: Vec<(String, String, String)>,
}

/// Ordinary tables of `main`: internal `sqlite_*` tables, virtual tables and their
/// shadow tables (which the virtual table's module manages) are not part of the schema.
const USER_TABLES: &str = "m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
     AND m.name IN (SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table')";

/// Which tables a read covers: all, or those of some names (compared as SQLite compares
/// identifiers: ASCII case-insensitively).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Only<'a> {
    All,
    Tables(&'a [String]),
}

impl Only<'_> {
    /// An SQL condition on the table name `column` (with `?` parameters), and its values.
    fn condition(&self, column: &str) -> (String, Vec<String>) {
        match self {
            Only::All => (String::new(), Vec::new()),
            Only::Tables(names) => {
                let marks = vec!["?"; names.len()].join(", ");
                let lowered = names.iter().map(|n| n.to_ascii_lowercase()).collect();
                (format!(" AND lower({column}) IN ({marks})"), lowered)
            }
        }
    }
}

/// The tables that the foreign keys of the tables of `only` reference: a scoped read needs
/// their spelling and primary keys to resolve the references.
pub(crate) fn referenced_tables(
    conn: &Connection,
    only: Only<'_>,
) -> rusqlite::Result<Vec<String>> {
    let (scope, values) = only.condition("m.name");
    let mut stmt = conn.prepare(&format!(
        "SELECT DISTINCT f.\"table\" FROM sqlite_schema m JOIN pragma_foreign_key_list(m.name) f
         WHERE {USER_TABLES}{scope}"
    ))?;
    stmt.query_map(params_from_iter(values), |r| r.get(0))?
        .collect()
}

pub(crate) fn read(conn: &Connection, only: Only<'_>) -> rusqlite::Result<Catalog> {
    let mut catalog = Catalog::default();
    let (scope, values) = only.condition("m.name");
    let params = || params_from_iter(values.iter());

    let mut stmt = conn.prepare(&format!(
        "SELECT m.name, coalesce(m.sql, '') FROM sqlite_schema m WHERE {USER_TABLES}{scope} ORDER BY m.name"
    ))?;
    catalog.tables = stmt
        .query_map(params(), |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;

    let mut stmt = conn.prepare(&format!(
        "SELECT m.name, p.name, coalesce(p.type, ''), p.\"notnull\", p.dflt_value, p.pk, p.hidden
         FROM sqlite_schema m JOIN pragma_table_xinfo(m.name) p
         WHERE {USER_TABLES}{scope} ORDER BY m.name, p.cid"
    ))?;
    let mut rows = stmt.query(params())?;
    while let Some(r) = rows.next()? {
        let table: String = r.get(0)?;
        catalog.columns.entry(table).or_default().push(ColumnRow {
            name: r.get(1)?,
            declared: r.get(2)?,
            not_null: r.get::<_, i64>(3)? != 0,
            default: r.get(4)?,
            pk: r.get(5)?,
            hidden: r.get(6)?,
        });
    }

    let mut stmt = conn.prepare(&format!(
        "SELECT m.name, il.name, il.\"unique\", il.origin, s.sql
         FROM sqlite_schema m JOIN pragma_index_list(m.name) il
         LEFT JOIN sqlite_schema s ON s.type = 'index' AND s.name = il.name
         WHERE {USER_TABLES}{scope} ORDER BY m.name, il.name"
    ))?;
    let mut rows = stmt.query(params())?;
    while let Some(r) = rows.next()? {
        let table: String = r.get(0)?;
        catalog.indexes.entry(table).or_default().push(IndexRow {
            name: r.get(1)?,
            unique: r.get::<_, i64>(2)? != 0,
            origin: r.get(3)?,
            sql: r.get(4)?,
        });
    }

    let mut stmt = conn.prepare(&format!(
        "SELECT il.name, ix.cid, ix.name, ix.\"desc\", ix.coll
         FROM sqlite_schema m JOIN pragma_index_list(m.name) il
         JOIN pragma_index_xinfo(il.name) ix
         WHERE {USER_TABLES}{scope} AND ix.key = 1 ORDER BY il.name, ix.seqno"
    ))?;
    let mut rows = stmt.query(params())?;
    while let Some(r) = rows.next()? {
        let index: String = r.get(0)?;
        catalog
            .index_columns
            .entry(index)
            .or_default()
            .push(IndexColumnRow {
                cid: r.get(1)?,
                name: r.get(2)?,
                desc: r.get::<_, i64>(3)? != 0,
                collation: r.get(4)?,
            });
    }

    let mut stmt = conn.prepare(&format!(
        "SELECT m.name, f.id, f.\"table\", f.\"from\", f.\"to\", f.on_update, f.on_delete, f.\"match\"
         FROM sqlite_schema m JOIN pragma_foreign_key_list(m.name) f
         WHERE {USER_TABLES}{scope} ORDER BY m.name, f.id, f.seq"
    ))?;
    let mut rows = stmt.query(params())?;
    let mut last: Option<(String, i64)> = None;
    while let Some(r) = rows.next()? {
        let table: String = r.get(0)?;
        let id: i64 = r.get(1)?;
        let list = catalog.foreign_keys.entry(table.clone()).or_default();
        if last.as_ref() != Some(&(table.clone(), id)) {
            list.push(ForeignKeyRows {
                table: r.get(2)?,
                on_update: r.get(5)?,
                on_delete: r.get(6)?,
                match_clause: r.get(7)?,
                ..ForeignKeyRows::default()
            });
            last = Some((table, id));
        }
        if let Some(fk) = list.last_mut() {
            fk.from.push(r.get(3)?);
            fk.to.push(r.get(4)?);
        }
    }

    // A scoped read leaves views out, and keeps the triggers on relations of its names.
    let kinds = match only {
        Only::All => "'view', 'trigger'",
        Only::Tables(_) => "'trigger'",
    };
    let on_scope = only.condition("tbl_name");
    let mut stmt = conn.prepare(&format!(
        "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_schema
         WHERE type IN ({kinds}){} ORDER BY type, name",
        on_scope.0
    ))?;
    let mut rows = stmt.query(params_from_iter(on_scope.1))?;
    while let Some(r) = rows.next()? {
        let kind: String = r.get(0)?;
        if kind == "view" {
            catalog.views.push((r.get(1)?, r.get(3)?));
        } else {
            catalog.triggers.push((r.get(1)?, r.get(2)?, r.get(3)?));
        }
    }
    Ok(catalog)
}
