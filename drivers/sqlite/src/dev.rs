//! The dev-database operations: is it empty, make it empty.

use rusqlite::Connection;

use mercator_driver::{DriverError, source};

use crate::driver::error_code;
use crate::names::quote;

const USER_OBJECTS: &str = "SELECT type, name FROM sqlite_schema
     WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
     ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'view' THEN 1 WHEN 'trigger' THEN 2 ELSE 3 END, name";

fn objects(conn: &Connection) -> rusqlite::Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare(USER_OBJECTS)?;
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect()
}

fn inspect_error(e: rusqlite::Error) -> DriverError {
    DriverError::Inspect {
        message: e.to_string(),
        code: error_code(&e),
        source: Some(source(e)),
    }
}

/// Fails with `NotClean` naming the first user object found.
pub(crate) fn check_clean(conn: &Connection, url: &str) -> Result<(), DriverError> {
    match objects(conn).map_err(inspect_error)?.into_iter().next() {
        Some((kind, name)) => Err(DriverError::NotClean {
            url: url.to_owned(),
            found: format!("{kind} {name:?} in schema \"main\""),
        }),
        None => Ok(()),
    }
}

/// Drops every user object in one transaction, with foreign keys off so the order of
/// tables does not matter.
pub(crate) fn reset(conn: &mut Connection) -> Result<(), DriverError> {
    let mut found = objects(conn).map_err(inspect_error)?;
    // Triggers and views first, then indexes, then tables: dropping a table takes its
    // indexes and triggers with it, so later drops use IF EXISTS.
    found.sort_by_key(|(kind, _)| match kind.as_str() {
        "trigger" => 0,
        "view" => 1,
        "index" => 2,
        _ => 3,
    });
    let mut script = String::from("PRAGMA foreign_keys = OFF; BEGIN;");
    for (kind, name) in &found {
        script.push_str(&format!(
            "DROP {} IF EXISTS {};",
            kind.to_uppercase(),
            quote(name)
        ));
    }
    script.push_str("COMMIT; PRAGMA foreign_keys = ON;");
    conn.execute_batch(&script).map_err(|e| {
        let _ = conn.execute_batch("ROLLBACK; PRAGMA foreign_keys = ON;");
        DriverError::Exec {
            index: 0,
            sql: "reset of the dev database".into(),
            message: e.to_string(),
            code: error_code(&e),
            applied: Vec::new(),
            source: Some(source(e)),
        }
    })
}
