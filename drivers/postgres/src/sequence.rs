//! Sequence options: PostgreSQL's implicit values, so the model only records what differs.

use schema_model::{ColumnType, IntWidth, SequenceOptions};

/// Lowest and highest value of a sequence of the given integer type.
pub(crate) fn bounds(ty: Option<&ColumnType>) -> (i64, i64) {
    match ty {
        Some(ColumnType::Integer {
            width: IntWidth::Small | IntWidth::Tiny,
            ..
        }) => (i16::MIN.into(), i16::MAX.into()),
        Some(ColumnType::Integer {
            width: IntWidth::Int | IntWidth::Medium,
            ..
        }) => (i32::MIN.into(), i32::MAX.into()),
        _ => (i64::MIN, i64::MAX),
    }
}

/// Raw values as the catalog holds them (`pg_sequence`).
pub(crate) struct RawOptions {
    pub start: i64,
    pub increment: i64,
    pub min: i64,
    pub max: i64,
    pub cache: i64,
    pub cycle: bool,
}

/// Keeps only the options that differ from what PostgreSQL picks when they are omitted.
pub(crate) fn normalize(raw: &RawOptions, ty: Option<&ColumnType>) -> SequenceOptions {
    let (lo, hi) = bounds(ty);
    let ascending = raw.increment > 0;
    let default_min = if ascending { 1 } else { lo };
    let default_max = if ascending { hi } else { -1 };
    let default_start = if ascending { raw.min } else { raw.max };
    SequenceOptions {
        start: (raw.start != default_start).then_some(raw.start),
        increment: (raw.increment != 1).then_some(raw.increment),
        min_value: (raw.min != default_min).then_some(raw.min),
        max_value: (raw.max != default_max).then_some(raw.max),
        cache: (raw.cache != 1).then_some(raw.cache),
        cycle: raw.cycle,
    }
}

/// The option clauses for `CREATE SEQUENCE` / `GENERATED … AS IDENTITY (…)`.
pub(crate) fn clauses(options: &SequenceOptions) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(v) = options.increment {
        out.push(format!("INCREMENT BY {v}"));
    }
    if let Some(v) = options.min_value {
        out.push(format!("MINVALUE {v}"));
    }
    if let Some(v) = options.max_value {
        out.push(format!("MAXVALUE {v}"));
    }
    if let Some(v) = options.start {
        out.push(format!("START WITH {v}"));
    }
    if let Some(v) = options.cache {
        out.push(format!("CACHE {v}"));
    }
    if options.cycle {
        out.push("CYCLE".to_owned());
    }
    out
}

/// `ALTER` clauses that set every option to `options`, resetting omitted ones.
pub(crate) fn reset_clauses(options: &SequenceOptions, restart: bool) -> Vec<String> {
    let increment = options.increment.unwrap_or(1);
    let mut out = vec![format!("INCREMENT BY {increment}")];
    out.push(match options.min_value {
        Some(v) => format!("MINVALUE {v}"),
        None => "NO MINVALUE".to_owned(),
    });
    out.push(match options.max_value {
        Some(v) => format!("MAXVALUE {v}"),
        None => "NO MAXVALUE".to_owned(),
    });
    if let Some(v) = options.start {
        out.push(format!("START WITH {v}"));
    } else if restart {
        // Without an explicit start the implicit one follows MINVALUE/MAXVALUE; naming it
        // keeps the catalog equal to a freshly created sequence.
        let start = if increment > 0 {
            options.min_value.unwrap_or(1)
        } else {
            options.max_value.unwrap_or(-1)
        };
        out.push(format!("START WITH {start}"));
    }
    out.push(format!("CACHE {}", options.cache.unwrap_or(1)));
    out.push(if options.cycle { "CYCLE" } else { "NO CYCLE" }.to_owned());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_dropped() {
        let ty = ColumnType::int(IntWidth::Int);
        let raw = RawOptions {
            start: 1,
            increment: 1,
            min: 1,
            max: i32::MAX.into(),
            cache: 1,
            cycle: false,
        };
        assert_eq!(normalize(&raw, Some(&ty)), SequenceOptions::default());
        let raw = RawOptions {
            start: 10,
            increment: 5,
            min: 10,
            max: 1000,
            cache: 1,
            cycle: true,
        };
        let options = normalize(&raw, Some(&ty));
        assert_eq!(options.start, None);
        assert_eq!(options.min_value, Some(10));
        assert_eq!(
            clauses(&options),
            ["INCREMENT BY 5", "MINVALUE 10", "MAXVALUE 1000", "CYCLE"]
        );
    }
}
