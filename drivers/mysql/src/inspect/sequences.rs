//! MariaDB sequences (`CREATE SEQUENCE`, MariaDB 10.3 and later; MySQL has none).
//!
//! A sequence is a one-row table: `information_schema.TABLES` lists it with the type
//! `SEQUENCE` and its options are read from its row, one query per sequence.

use mysql_async::Conn;
use schema_model::{Schema, Sequence, SequenceOptions};

use super::rows::{in_list, query, string, text};
use crate::quote;
use mercator_driver::DriverError;

/// MariaDB's implicit bounds: one short of the 64-bit limits.
pub(crate) const MAX: i64 = i64::MAX - 1;
/// See [`MAX`].
pub(crate) const MIN: i64 = i64::MIN + 1;
/// MariaDB's implicit `CACHE`.
pub(crate) const CACHE: i64 = 1000;

/// The options a sequence's row holds, as they differ from MariaDB's implicit values.
pub(crate) fn normalize(
    start: i64,
    min: i64,
    max: i64,
    increment: i64,
    cache: i64,
    cycle: bool,
) -> SequenceOptions {
    let ascending = increment > 0;
    let default_min = if ascending { 1 } else { MIN };
    let default_max = if ascending { MAX } else { -1 };
    let default_start = if ascending { min } else { max };
    SequenceOptions {
        start: (start != default_start).then_some(start),
        increment: (increment != 1).then_some(increment),
        min_value: (min != default_min).then_some(min),
        max_value: (max != default_max).then_some(max),
        cache: (cache != CACHE).then_some(cache),
        cycle,
    }
}

fn number(row: &mysql_async::Row, i: usize, what: &str) -> Result<i64, DriverError> {
    text(row, i)
        .and_then(|t| t.trim().parse().ok())
        .ok_or_else(|| DriverError::Inspect {
            message: format!("sequence {what} is not a number"),
            code: None,
            source: None,
        })
}

/// Adds the sequences of `schemas`.
pub async fn sequences(conn: &mut Conn, schemas: &mut [Schema]) -> Result<(), DriverError> {
    let names: Vec<String> = schemas.iter().map(|s| s.name.clone()).collect();
    let listed = query(
        conn,
        &format!(
            "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_COMMENT FROM information_schema.TABLES \
             WHERE TABLE_TYPE = 'SEQUENCE' AND TABLE_SCHEMA IN ({}) \
             ORDER BY TABLE_SCHEMA, TABLE_NAME",
            in_list(&names)
        ),
    )
    .await?;
    for row in &listed {
        let (schema_name, name) = (string(row, 0), string(row, 1));
        let values = query(
            conn,
            &format!(
                "SELECT start_value, minimum_value, maximum_value, increment, cache_size, \
                 cycle_option FROM {}.{}",
                quote::ident(&schema_name),
                quote::ident(&name)
            ),
        )
        .await?;
        let Some(values) = values.first() else {
            continue;
        };
        let options = normalize(
            number(values, 0, "start")?,
            number(values, 1, "minimum")?,
            number(values, 2, "maximum")?,
            number(values, 3, "increment")?,
            number(values, 4, "cache")?,
            number(values, 5, "cycle")? != 0,
        );
        let sequence = Sequence {
            name,
            ty: None,
            options,
            owned_by: None,
            comment: text(row, 2).filter(|c| !c.is_empty()),
        };
        if let Some(schema) = schemas.iter_mut().find(|s| s.name == schema_name) {
            schema.sequences.push(sequence);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn implicit_values_are_left_out() {
        assert_eq!(
            normalize(1, 1, MAX, 1, CACHE, false),
            SequenceOptions::default()
        );
        assert_eq!(
            normalize(-1, MIN, -1, -1, CACHE, false),
            SequenceOptions {
                increment: Some(-1),
                ..SequenceOptions::default()
            }
        );
        let options = normalize(10, 5, 100, 5, 0, true);
        assert_eq!(
            (
                options.start,
                options.min_value,
                options.max_value,
                options.cache
            ),
            (Some(10), Some(5), Some(100), Some(0))
        );
    }
}
