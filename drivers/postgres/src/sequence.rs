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

/// The bounds and start value `options` give a sequence of type `ty`, PostgreSQL's
/// implicit values filled in.
pub(crate) fn effective(options: &SequenceOptions, ty: Option<&ColumnType>) -> (i64, i64, i64) {
    let (lo, hi) = bounds(ty);
    let ascending = options.increment.unwrap_or(1) > 0;
    let min = options.min_value.unwrap_or(if ascending { 1 } else { lo });
    let max = options.max_value.unwrap_or(if ascending { hi } else { -1 });
    let start = options.start.unwrap_or(if ascending { min } else { max });
    (min, max, start)
}

/// Moving a sequence to a range that does not hold every value of its old range.
///
/// PostgreSQL checks the sequence's current value against the new bounds, so one `ALTER`
/// fails whenever that value may lie outside them ("RESTART value cannot be less than
/// MINVALUE"). The move is made in three steps instead: widen the bounds to cover both
/// ranges (see [`transition`]), move the current value into the new range
/// ([`Narrowing::clamp`]), then narrow the bounds ([`Narrowing::clauses`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Narrowing {
    min: i64,
    max: i64,
    start: i64,
}

impl Narrowing {
    /// A statement that keeps the sequence's last value when the new range holds it, and
    /// otherwise (or when no value was handed out yet) makes the new start the next value,
    /// as on a freshly created sequence. `regclass` is an SQL expression naming the
    /// sequence.
    pub(crate) fn clamp(&self, regclass: &str) -> String {
        format!(
            "SELECT CASE WHEN v BETWEEN {min} AND {max} THEN setval(s, v, true) \
             ELSE setval(s, {start}, false) END \
             FROM (SELECT s, pg_sequence_last_value(s) AS v FROM (SELECT {regclass} AS s) AS q) AS r",
            min = self.min,
            max = self.max,
            start = self.start,
        )
    }

    /// The final bounds, spelled out (a type change may still follow, which would read
    /// `NO MINVALUE` differently).
    pub(crate) fn clauses(&self) -> Vec<String> {
        vec![
            format!("MINVALUE {}", self.min),
            format!("MAXVALUE {}", self.max),
        ]
    }
}

/// The `ALTER` clauses that take a sequence from `from` to `to` in one statement when the
/// new range holds the old one, or the widening clauses plus the [`Narrowing`] to follow.
/// The types are the sequence's before and after (`None`: `bigint`); a type change itself
/// is the caller's, before these clauses when it widens and after the narrowing when it
/// narrows.
pub(crate) fn transition(
    from: &SequenceOptions,
    from_ty: Option<&ColumnType>,
    to: &SequenceOptions,
    to_ty: Option<&ColumnType>,
) -> (Vec<String>, Option<Narrowing>) {
    let (old_min, old_max, _) = effective(from, from_ty);
    let (min, max, start) = effective(to, to_ty);
    if old_min >= min && old_max <= max {
        return (reset_clauses(to, true), None);
    }
    let wide = SequenceOptions {
        min_value: Some(old_min.min(min)),
        max_value: Some(old_max.max(max)),
        start: Some(start),
        ..to.clone()
    };
    (
        reset_clauses(&wide, true),
        Some(Narrowing { min, max, start }),
    )
}

/// Whether `to` holds fewer values than `from` (a type change that needs the bounds
/// narrowed first).
pub(crate) fn narrower(from: Option<&ColumnType>, to: Option<&ColumnType>) -> bool {
    let (old_lo, old_hi) = bounds(from);
    let (lo, hi) = bounds(to);
    lo > old_lo || hi < old_hi
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrowing_takes_three_steps() {
        let old = SequenceOptions {
            min_value: Some(1),
            max_value: Some(100),
            ..Default::default()
        };
        let new = SequenceOptions {
            min_value: Some(200),
            max_value: Some(300),
            ..Default::default()
        };
        let (clauses, narrowing) = transition(&old, None, &new, None);
        assert!(clauses.contains(&"MINVALUE 1".to_owned()), "{clauses:?}");
        assert!(clauses.contains(&"MAXVALUE 300".to_owned()), "{clauses:?}");
        assert!(
            clauses.contains(&"START WITH 200".to_owned()),
            "{clauses:?}"
        );
        let narrowing = narrowing.expect("narrowing");
        assert_eq!(narrowing.clauses(), ["MINVALUE 200", "MAXVALUE 300"]);
        assert!(
            narrowing
                .clamp("'s'::regclass")
                .contains("setval(s, 200, false)")
        );
        // A range that holds the old one needs no second step.
        let wider = SequenceOptions {
            max_value: Some(1000),
            ..old.clone()
        };
        let (clauses, narrowing) = transition(&new, None, &wider, None);
        assert_eq!(narrowing, None);
        assert_eq!(clauses, reset_clauses(&wider, true));
        assert!(narrower(None, Some(&ColumnType::int(IntWidth::Int))));
        assert!(!narrower(Some(&ColumnType::int(IntWidth::Int)), None));
    }

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
