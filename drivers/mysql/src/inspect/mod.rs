//! Reading a realm from `information_schema`, with set-based queries over every selected
//! schema at once (a fixed number of queries, whatever the number of tables).

mod keys;
mod objects;
mod rows;
mod scope;
pub(crate) mod sequences;
mod tables;
mod text;
mod types;

pub use text::strip_schema;

use std::collections::HashMap;

use mysql_async::Conn;
use schema_model::{MysqlSchema, Realm, Schema, Table};

use crate::flavor::ServerVersion;
use mercator_driver::{DriverError, InspectOptions};
use rows::{in_list, number, query, string, text as text_at};
use scope::Scope;

/// Schemas that belong to the server, never inspected or touched.
pub const SYSTEM_SCHEMAS: &[&str] = &["information_schema", "mysql", "performance_schema", "sys"];

/// Tables by schema, in catalog order.
#[derive(Default)]
pub struct Tables {
    by_schema: HashMap<String, Vec<Table>>,
    index: HashMap<(String, String), usize>,
}

impl Tables {
    fn insert(&mut self, schema: String, table: Table) {
        let list = self.by_schema.entry(schema.clone()).or_default();
        self.index.insert((schema, table.name.clone()), list.len());
        list.push(table);
    }

    fn get_mut(&mut self, schema: &str, name: &str) -> Option<&mut Table> {
        let at = *self.index.get(&(schema.to_owned(), name.to_owned()))?;
        self.by_schema.get_mut(schema)?.get_mut(at)
    }

    fn take(&mut self, schema: &str) -> Vec<Table> {
        self.by_schema.remove(schema).unwrap_or_default()
    }
}

/// The user schemas that exist on the server.
pub async fn user_schemas(conn: &mut Conn) -> Result<Vec<String>, DriverError> {
    let rows = query(
        conn,
        &format!(
            "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA \
             WHERE SCHEMA_NAME NOT IN ({}) ORDER BY SCHEMA_NAME",
            SYSTEM_SCHEMAS.join_quoted()
        ),
    )
    .await?;
    Ok(rows.iter().map(|r| string(r, 0)).collect())
}

trait JoinQuoted {
    fn join_quoted(&self) -> String;
}

impl JoinQuoted for &[&str] {
    fn join_quoted(&self) -> String {
        let names: Vec<String> = self.iter().map(|s| s.to_string()).collect();
        in_list(&names)
    }
}

/// Inspects the schemas chosen by `options` (or `bound`, or every user schema); with
/// [`InspectOptions::only_tables`], only those tables and the triggers on them (names
/// compared as the `scope` module explains), every schema still listed with its defaults.
pub async fn inspect(
    conn: &mut Conn,
    server: &ServerVersion,
    bound: Option<&str>,
    options: &InspectOptions,
) -> Result<Realm, DriverError> {
    let wanted: Vec<String> = if !options.schemas.is_empty() {
        options.schemas.clone()
    } else if let Some(bound) = bound {
        vec![bound.to_owned()]
    } else {
        user_schemas(conn).await?
    };
    if wanted.is_empty() {
        return Ok(Realm::default());
    }
    // A scoped read needs the server's name-case setting (see `scope`); it comes with the
    // schemas rather than costing a query of its own.
    let case_setting = if options.only_tables.is_some() {
        "@@lower_case_table_names"
    } else {
        "NULL"
    };
    let rows = query(
        conn,
        &format!(
            "SELECT SCHEMA_NAME, DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME, \
             {case_setting} \
             FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN ({}) ORDER BY SCHEMA_NAME",
            in_list(&wanted)
        ),
    )
    .await?;
    let mut schemas: Vec<Schema> = rows
        .iter()
        .map(|r| Schema {
            mysql: MysqlSchema {
                charset: text_at(r, 1),
                collation: text_at(r, 2),
            },
            ..Schema::new(string(r, 0))
        })
        .collect();
    let names: Vec<String> = schemas.iter().map(|s| s.name.clone()).collect();
    if names.is_empty() {
        return Ok(Realm::default());
    }
    let scope = match &options.only_tables {
        None => Scope::all(&names),
        Some(tables) => {
            let exact = rows.first().and_then(|r| number(r, 3)) == Some(0);
            Scope::tables(&names, tables, exact)
        }
    };
    if scope.is_empty() {
        return Ok(Realm::new(schemas));
    }
    let defaults: HashMap<String, Option<String>> = schemas
        .iter()
        .map(|s| (s.name.clone(), s.mysql.collation.clone()))
        .collect();
    let mut found = tables::tables(conn, &scope, &defaults, server).await?;
    keys::indexes(conn, &scope, &mut found, server).await?;
    keys::foreign_keys(conn, &scope, &mut found).await?;
    keys::checks(conn, &scope, &mut found, server).await?;
    for schema in &mut schemas {
        schema.tables = found
            .take(&schema.name)
            .into_iter()
            .filter(|t| {
                t.name != mercator_driver::REVISIONS_TABLE
                    && !options.exclude_tables.contains(&t.name)
            })
            .collect();
    }
    objects::triggers(conn, &mut schemas, &scope).await?;
    // A scoped read reports tables and their triggers only.
    if !scope.is_scoped() {
        objects::views(conn, &mut schemas, server).await?;
        objects::routines(conn, &mut schemas).await?;
        if server.is_mariadb() {
            sequences::sequences(conn, &mut schemas).await?;
        }
    }
    for schema in &mut schemas {
        let excluded = &options.exclude_tables;
        schema
            .triggers
            .retain(|t| t.on != mercator_driver::REVISIONS_TABLE && !excluded.contains(&t.on));
    }
    Ok(Realm::new(schemas))
}
