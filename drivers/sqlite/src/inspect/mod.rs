//! Reading the `main` schema into a realm: catalog metadata only, never user rows.

mod catalog;

use std::collections::{HashMap, HashSet};

use rusqlite::Connection;
use schema_model::{
    Column, ForeignKey, Generated, Index, IndexPart, IndexTarget, PrimaryKey, QualifiedName, Realm,
    ReferentialAction, Schema, SqliteTable, Table, Trigger, View,
};

use crate::names::{dedup, foreign_key_name, unique_name};
use crate::parse::{
    ParsedTable, ParsedUnique, parse_create_index, parse_create_table, parse_create_view,
};
use crate::types::{parse_default, parse_type};
use catalog::{Catalog, IndexColumnRow, Only};

/// The only schema SQLite connections have here.
pub const SCHEMA: &str = "main";

/// Inspects the `main` schema, leaving out the tables named in `exclude` (and the views
/// and triggers on them). With `only`, reads just the tables of those names and the
/// triggers on relations of those names (see `InspectOptions::only_tables`).
pub(crate) fn inspect(
    conn: &Connection,
    exclude: &[String],
    only: Option<&[String]>,
) -> rusqlite::Result<Schema> {
    let excluded = |name: &str| exclude.iter().any(|e| e.eq_ignore_ascii_case(name));
    let in_scope =
        |name: &str| only.is_none_or(|names| names.iter().any(|n| n.eq_ignore_ascii_case(name)));
    let mut schema = Schema::new(SCHEMA);
    let catalog = match only {
        None => catalog::read(conn, Only::All)?,
        Some(names) => {
            // The tables their foreign keys reference are read too, to resolve the
            // references as a full read does, and then left out.
            let mut wider = names.to_vec();
            wider.extend(catalog::referenced_tables(conn, Only::Tables(names))?);
            catalog::read(conn, Only::Tables(&wider))?
        }
    };
    let mut tables: Vec<Table> = catalog
        .tables
        .iter()
        .filter(|(name, _)| !excluded(name))
        .map(|(name, sql)| table(&catalog, name, sql))
        .collect();
    resolve_references(&mut tables);
    tables.retain(|t| in_scope(&t.name));
    schema.tables = tables;
    for (name, sql) in &catalog.views {
        if excluded(name) {
            continue;
        }
        let (column_names, definition) = parse_create_view(sql);
        let mut view = View::new(name, definition);
        view.column_names = column_names;
        schema.views.push(view);
    }
    for (name, on, sql) in &catalog.triggers {
        if excluded(on) || !in_scope(on) {
            continue;
        }
        schema.triggers.push(Trigger {
            name: name.clone(),
            on: on.clone(),
            definition: sql.clone(),
            constraint: false,
            disabled: false,
            comment: None,
        });
    }
    Ok(schema)
}

/// A realm holding the inspected schema (or, with `only`, the tables of those names).
pub(crate) fn inspect_realm(
    conn: &Connection,
    exclude: &[String],
    only: Option<&[String]>,
) -> rusqlite::Result<Realm> {
    Ok(Realm::new(vec![inspect(conn, exclude, only)?]))
}

fn table(catalog: &Catalog, name: &str, sql: &str) -> Table {
    let parsed = parse_create_table(sql);
    let mut table = Table::new(name);
    table.sqlite = SqliteTable {
        without_rowid: parsed.without_rowid,
        strict: parsed.strict,
    };
    let rows = catalog.columns.get(name).map(Vec::as_slice).unwrap_or(&[]);
    let mut pk: Vec<(i64, String)> = Vec::new();
    for row in rows {
        // Hidden columns of virtual tables (1) are not part of the schema we manage.
        if row.hidden == 1 {
            continue;
        }
        let extra = parsed.column(&row.name);
        let mut column = Column::new(&row.name, parse_type(&row.declared));
        column.nullable = !row.not_null;
        column.not_null_conflict = extra
            .and_then(|c| c.not_null_conflict)
            .filter(|_| row.not_null);
        column.default = row.default.as_deref().map(parse_default);
        column.collation = extra.and_then(|c| c.collation.clone());
        column.auto_increment = extra.is_some_and(|c| c.autoincrement);
        if row.hidden == 2 || row.hidden == 3 {
            column.generated = Some(Generated {
                expr: extra
                    .and_then(|c| c.generated.as_ref())
                    .map(|(e, _)| e.clone())
                    .unwrap_or_default(),
                stored: row.hidden == 3,
            });
        }
        if row.pk > 0 {
            pk.push((row.pk, row.name.clone()));
        }
        table.columns.push(column);
    }
    pk.sort();

    let indexes = catalog.indexes.get(name).map(Vec::as_slice).unwrap_or(&[]);
    // Names of created indexes are taken first, so a derived constraint name never
    // collides with one.
    let mut taken: HashSet<String> = indexes
        .iter()
        .filter(|i| i.origin != "u" && i.origin != "pk")
        .map(|i| i.name.clone())
        .collect();
    for index in indexes {
        let keys = catalog
            .index_columns
            .get(&index.name)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        match index.origin.as_str() {
            "pk" => continue,
            "u" => {
                let built = unique_constraint(&table, &parsed, keys, &mut taken);
                table.indexes.push(built);
            }
            _ => {
                table.indexes.push(created_index(
                    index.name.clone(),
                    index.unique,
                    index.sql.as_deref(),
                    keys,
                ));
            }
        }
    }
    if !pk.is_empty() {
        let pk_index = catalog
            .indexes
            .get(name)
            .and_then(|list| list.iter().find(|i| i.origin == "pk"))
            .and_then(|i| catalog.index_columns.get(&i.name));
        let parts = pk
            .iter()
            .map(|(_, col)| {
                let mut part = IndexPart::column(col);
                part.desc = pk_index
                    .and_then(|keys| keys.iter().find(|k| k.name.as_deref() == Some(col)))
                    .is_some_and(|k| k.desc);
                part
            })
            .collect();
        table.primary_key = Some(PrimaryKey {
            parts,
            on_conflict: parsed.primary_key_conflict,
            ..PrimaryKey::on_columns(&[])
        });
    }

    let mut used = vec![false; parsed.foreign_keys.len()];
    let mut fk_names: HashSet<String> = HashSet::new();
    // The pragma lists foreign keys last-declared first; declaration order keeps derived
    // names stable.
    let fk_rows = catalog
        .foreign_keys
        .get(name)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    for rows in fk_rows.iter().rev() {
        let written = parsed.foreign_keys.iter().enumerate().find(|(i, fk)| {
            !used[*i]
                && fk.ref_table.eq_ignore_ascii_case(&rows.table)
                && fk.columns.len() == rows.from.len()
                && fk
                    .columns
                    .iter()
                    .zip(&rows.from)
                    .all(|(a, b)| a.eq_ignore_ascii_case(b))
        });
        let (explicit, deferrable, match_full) = match written {
            Some((i, fk)) => {
                used[i] = true;
                (fk.name.clone(), fk.deferrable, fk.match_full)
            }
            None => (None, Default::default(), false),
        };
        let fk_name = explicit.unwrap_or_else(|| foreign_key_name(name, &rows.from));
        table.foreign_keys.push(ForeignKey {
            name: dedup(fk_name, &mut fk_names),
            columns: rows.from.clone(),
            ref_table: QualifiedName::bare(&rows.table),
            ref_columns: if rows.to.iter().all(Option::is_none) {
                Vec::new()
            } else {
                rows.to
                    .iter()
                    .map(|t| t.clone().unwrap_or_default())
                    .collect()
            },
            on_update: action(&rows.on_update),
            on_delete: action(&rows.on_delete),
            deferrable,
            match_full: match_full || rows.match_clause.eq_ignore_ascii_case("FULL"),
        });
    }
    table.checks = parsed.checks.clone();
    table
}

fn unique_constraint(
    table: &Table,
    parsed: &ParsedTable,
    keys: &[IndexColumnRow],
    taken: &mut HashSet<String>,
) -> Index {
    let columns: Vec<String> = keys
        .iter()
        .map(|k| k.name.clone().unwrap_or_default())
        .collect();
    let same_columns = |u: &&ParsedUnique| {
        u.columns.len() == columns.len()
            && u.columns
                .iter()
                .zip(&columns)
                .all(|(a, b)| a.eq_ignore_ascii_case(b))
    };
    let written = parsed
        .uniques
        .iter()
        .find(|u| u.name.is_some() && same_columns(u));
    let name = written
        .and_then(|u| u.name.clone())
        .unwrap_or_else(|| unique_name(&table.name, &columns));
    let on_conflict = written
        .or_else(|| parsed.uniques.iter().find(same_columns))
        .and_then(|u| u.on_conflict);
    let parts = keys
        .iter()
        .map(|k| {
            let column = k.name.clone().unwrap_or_default();
            // The pragma reports the column's own collation; only a different one was
            // written on the constraint.
            let inherited = table
                .column(&column)
                .and_then(|c| c.collation.clone())
                .unwrap_or_else(|| "BINARY".to_owned());
            let mut part = IndexPart::column(column);
            part.desc = k.desc;
            part.collation = k
                .collation
                .clone()
                .filter(|c| !c.eq_ignore_ascii_case(&inherited));
            part
        })
        .collect();
    Index {
        unique: true,
        constraint: true,
        parts,
        on_conflict,
        ..Index::on_columns(dedup(name, taken), &[])
    }
}

fn created_index(name: String, unique: bool, sql: Option<&str>, keys: &[IndexColumnRow]) -> Index {
    let parsed = sql.map(parse_create_index).unwrap_or_default();
    let parts = keys
        .iter()
        .enumerate()
        .map(|(i, key)| {
            let written = parsed.parts.get(i);
            let target = match (&key.name, written) {
                (Some(column), _) if key.cid >= 0 => IndexTarget::Column(column.clone()),
                (_, Some(part)) => IndexTarget::Expr(part.text.clone()),
                (Some(column), None) => IndexTarget::Column(column.clone()),
                (None, None) => IndexTarget::Expr(String::new()),
            };
            IndexPart {
                target,
                desc: key.desc,
                collation: written.and_then(|p| p.collation.clone()),
                ..IndexPart::column("")
            }
        })
        .collect();
    Index {
        unique,
        parts,
        predicate: parsed.predicate,
        ..Index::on_columns(name, &[])
    }
}

fn action(text: &str) -> ReferentialAction {
    match text.to_ascii_uppercase().as_str() {
        "RESTRICT" => ReferentialAction::Restrict,
        "CASCADE" => ReferentialAction::Cascade,
        "SET NULL" => ReferentialAction::SetNull,
        "SET DEFAULT" => ReferentialAction::SetDefault,
        _ => ReferentialAction::NoAction,
    }
}

/// Foreign keys name their parent as written; use the parent's real spelling, and its
/// primary key where the clause named no columns.
fn resolve_references(tables: &mut [Table]) {
    let parents: HashMap<String, (String, Vec<String>)> = tables
        .iter()
        .map(|t| {
            let pk = t
                .primary_key
                .as_ref()
                .map(|k| k.column_names().map(str::to_owned).collect())
                .unwrap_or_default();
            (t.name.to_lowercase(), (t.name.clone(), pk))
        })
        .collect();
    for table in tables.iter_mut() {
        for fk in &mut table.foreign_keys {
            if let Some((name, pk)) = parents.get(&fk.ref_table.name.to_lowercase()) {
                fk.ref_table.name = name.clone();
                if fk.ref_columns.is_empty() {
                    fk.ref_columns = pk.clone();
                }
            }
        }
    }
}
