//! Running catalog queries and reading their rows without panicking on odd values.

use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Params, Row, Value};

use mercator_driver::DriverError;

/// Runs a catalog query.
pub async fn query(conn: &mut Conn, sql: &str) -> Result<Vec<Row>, DriverError> {
    conn.query(sql).await.map_err(|e| {
        crate::error::driver_error(e, |message, code, source| DriverError::Inspect {
            message,
            code,
            source,
        })
    })
}

/// Runs a catalog query with bound values; without any, a plain [`query`] (no statement
/// to prepare).
pub async fn query_with(
    conn: &mut Conn,
    sql: &str,
    params: Vec<Value>,
) -> Result<Vec<Row>, DriverError> {
    if params.is_empty() {
        return query(conn, sql).await;
    }
    conn.exec(sql, Params::Positional(params))
        .await
        .map_err(|e| {
            crate::error::driver_error(e, |message, code, source| DriverError::Inspect {
                message,
                code,
                source,
            })
        })
}

/// Column `i` as text; `None` for NULL or a missing column.
pub fn text(row: &Row, i: usize) -> Option<String> {
    match row.as_ref(i)? {
        Value::NULL => None,
        Value::Bytes(bytes) => Some(String::from_utf8_lossy(bytes).into_owned()),
        Value::Int(n) => Some(n.to_string()),
        Value::UInt(n) => Some(n.to_string()),
        Value::Float(n) => Some(n.to_string()),
        Value::Double(n) => Some(n.to_string()),
        other => Some(other.as_sql(true)),
    }
}

/// Column `i` as text, empty for NULL.
pub fn string(row: &Row, i: usize) -> String {
    text(row, i).unwrap_or_default()
}

/// Column `i` as a number.
pub fn number(row: &Row, i: usize) -> Option<u64> {
    text(row, i).and_then(|t| t.trim().parse().ok())
}

/// `'a','b'` for an `IN (…)` list.
pub fn in_list(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| crate::quote::string(n)).collect();
    quoted.join(",")
}
