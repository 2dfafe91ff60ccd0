//! MariaDB sequences.

use schema_model::{Sequence, SequenceOptions};

use crate::inspect::sequences::{CACHE, MAX, MIN};
use crate::quote;

/// The bounds and start `options` give, MariaDB's implicit values filled in.
fn effective(options: &SequenceOptions) -> (i64, i64, i64) {
    let ascending = options.increment.unwrap_or(1) > 0;
    let min = options.min_value.unwrap_or(if ascending { 1 } else { MIN });
    let max = options
        .max_value
        .unwrap_or(if ascending { MAX } else { -1 });
    let start = options.start.unwrap_or(if ascending { min } else { max });
    (min, max, start)
}

/// `CREATE SEQUENCE`, naming only the options that differ from MariaDB's.
pub fn create_sequence(sequence: &Sequence, name: &str) -> String {
    let o = &sequence.options;
    let mut sql = format!("CREATE SEQUENCE {name}");
    if let Some(v) = o.increment {
        sql.push_str(&format!(" INCREMENT BY {v}"));
    }
    if let Some(v) = o.min_value {
        sql.push_str(&format!(" MINVALUE {v}"));
    }
    if let Some(v) = o.max_value {
        sql.push_str(&format!(" MAXVALUE {v}"));
    }
    if let Some(v) = o.start {
        sql.push_str(&format!(" START WITH {v}"));
    }
    if let Some(v) = o.cache {
        sql.push_str(&format!(" CACHE {v}"));
    }
    if o.cycle {
        sql.push_str(" CYCLE");
    }
    if let Some(comment) = &sequence.comment {
        sql.push_str(&format!(" COMMENT {}", quote::string(comment)));
    }
    sql
}

/// `ALTER SEQUENCE` setting every option to `to`'s.
///
/// MariaDB refuses bounds that leave the sequence's next value outside them, and its
/// `SETVAL` never moves a sequence back; so when the new range does not hold the whole
/// old one, the sequence restarts at its new start (`RESTART`).
pub fn alter_sequence(from: &SequenceOptions, to: &SequenceOptions, name: &str) -> String {
    let (old_min, old_max, _) = effective(from);
    let (min, max, start) = effective(to);
    let mut clauses = vec![format!("INCREMENT BY {}", to.increment.unwrap_or(1))];
    clauses.push(match to.min_value {
        Some(v) => format!("MINVALUE {v}"),
        None => "NO MINVALUE".to_owned(),
    });
    clauses.push(match to.max_value {
        Some(v) => format!("MAXVALUE {v}"),
        None => "NO MAXVALUE".to_owned(),
    });
    clauses.push(format!("START WITH {start}"));
    clauses.push(format!("CACHE {}", to.cache.unwrap_or(CACHE)));
    clauses.push(if to.cycle { "CYCLE" } else { "NOCYCLE" }.to_owned());
    if old_min < min || old_max > max {
        clauses.push("RESTART".to_owned());
    }
    format!("ALTER SEQUENCE {name} {}", clauses.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restarts_only_when_the_range_narrows() {
        let wide = SequenceOptions::default();
        let narrow = SequenceOptions {
            min_value: Some(100),
            max_value: Some(200),
            ..SequenceOptions::default()
        };
        let sql = alter_sequence(&wide, &narrow, "`s`");
        assert_eq!(
            sql,
            "ALTER SEQUENCE `s` INCREMENT BY 1 MINVALUE 100 MAXVALUE 200 START WITH 100 \
             CACHE 1000 NOCYCLE RESTART"
        );
        assert!(!alter_sequence(&narrow, &wide, "`s`").contains("RESTART"));
        let sequence = Sequence {
            name: "s".into(),
            ty: None,
            options: narrow,
            owned_by: None,
            comment: Some("it's".into()),
        };
        assert_eq!(
            create_sequence(&sequence, "`s`"),
            "CREATE SEQUENCE `s` MINVALUE 100 MAXVALUE 200 COMMENT 'it''s'"
        );
    }
}
