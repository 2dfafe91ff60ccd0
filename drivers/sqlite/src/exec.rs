//! Running statements: plans in one transaction with foreign keys checked at the end,
//! raw statements in order.

use rusqlite::Connection;
use schema_diff::Plan;

use mercator_driver::DriverError;

fn exec_error(index: usize, sql: &str, error: impl std::fmt::Display) -> DriverError {
    DriverError::Exec {
        index,
        sql: sql.to_owned(),
        message: error.to_string(),
        applied: Vec::new(),
    }
}

/// Runs a plan as one transaction (`BEGIN IMMEDIATE` … `COMMIT`).
///
/// Foreign-key enforcement is switched off around the transaction (SQLite ignores the
/// pragma inside one) so the table rebuild procedure can drop and recreate referenced
/// tables; `PRAGMA foreign_key_check` then runs before the commit, and any violation
/// rolls everything back.
pub(crate) fn apply(conn: &mut Connection, plan: &Plan) -> Result<(), DriverError> {
    let statements: Vec<&str> = plan.statements.iter().map(|s| s.sql.as_str()).collect();
    let enforced = foreign_keys_enabled(conn)?;
    if enforced {
        conn.execute_batch("PRAGMA foreign_keys = OFF")
            .map_err(|e| exec_error(0, "PRAGMA foreign_keys = OFF", e))?;
    }
    let result = transaction(conn, &statements, true);
    if enforced {
        // Restoring enforcement cannot fail outside a transaction; if it did, later
        // statements would still run, only unchecked, which the next apply reports.
        let _ = conn.execute_batch("PRAGMA foreign_keys = ON");
    }
    result
}

/// Runs raw statements in order. Unless one of them controls transactions itself, they
/// run in one transaction, so a failure leaves the database as it was.
pub(crate) fn execute(conn: &mut Connection, statements: &[String]) -> Result<(), DriverError> {
    let list: Vec<&str> = statements.iter().map(String::as_str).collect();
    if list.iter().any(|s| controls_transaction(s)) || !conn.is_autocommit() {
        for (index, sql) in list.iter().enumerate() {
            conn.execute_batch(sql).map_err(|e| DriverError::Exec {
                index,
                sql: (*sql).to_owned(),
                message: e.to_string(),
                applied: statements[..index].to_vec(),
            })?;
        }
        return Ok(());
    }
    transaction(conn, &list, false)
}

fn controls_transaction(sql: &str) -> bool {
    let tokens = crate::parse::lexer::tokenize(sql);
    tokens.first().is_some_and(|t| {
        [
            "BEGIN",
            "COMMIT",
            "END",
            "ROLLBACK",
            "SAVEPOINT",
            "RELEASE",
            "VACUUM",
        ]
        .iter()
        .any(|k| t.is(k))
    }) || (tokens.first().is_some_and(|t| t.is("PRAGMA"))
        && tokens.iter().any(|t| t.is("foreign_keys")))
}

fn transaction(
    conn: &mut Connection,
    statements: &[&str],
    check_foreign_keys: bool,
) -> Result<(), DriverError> {
    conn.execute_batch("BEGIN IMMEDIATE")
        .map_err(|e| exec_error(0, "BEGIN IMMEDIATE", e))?;
    for (index, sql) in statements.iter().enumerate() {
        if let Err(error) = conn.execute_batch(sql) {
            let _ = conn.execute_batch("ROLLBACK");
            return Err(exec_error(index, sql, error));
        }
    }
    if check_foreign_keys {
        match foreign_key_violations(conn) {
            Ok(violations) if violations.is_empty() => {}
            Ok(violations) => {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(exec_error(
                    statements.len(),
                    "PRAGMA foreign_key_check",
                    format!("foreign key violations: {}", violations.join("; ")),
                ));
            }
            Err(error) => {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(exec_error(
                    statements.len(),
                    "PRAGMA foreign_key_check",
                    error,
                ));
            }
        }
    }
    if let Err(error) = conn.execute_batch("COMMIT") {
        let _ = conn.execute_batch("ROLLBACK");
        return Err(exec_error(statements.len(), "COMMIT", error));
    }
    Ok(())
}

fn foreign_keys_enabled(conn: &Connection) -> Result<bool, DriverError> {
    conn.query_row("PRAGMA foreign_keys", [], |r| r.get::<_, i64>(0))
        .map(|v| v != 0)
        .map_err(|e| exec_error(0, "PRAGMA foreign_keys", e))
}

/// Up to ten violations, described as `table "child" row 3 references "parent"`.
fn foreign_key_violations(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        if out.len() == 10 {
            out.push("…".to_owned());
            break;
        }
        let table: String = row.get(0)?;
        let rowid: Option<i64> = row.get(1)?;
        let parent: String = row.get(2)?;
        out.push(match rowid {
            Some(id) => format!("table {table:?} row {id} references missing {parent:?} row"),
            None => format!("table {table:?} references missing {parent:?} row"),
        });
    }
    Ok(out)
}
