//! Declared column types and default values: between SQLite's text and the model.
//!
//! SQLite keeps a column's declared type verbatim and derives only an affinity from it,
//! so the mapping must be exact both ways: a typed variant is used only for one canonical
//! spelling (`integer`, `varchar(n)`, …) and renders back to that spelling; every other
//! declared type stays [`ColumnType::Raw`] in a normalized form (lower case, single
//! spaces), which keeps its affinity. `int` and `integer` therefore stay different types,
//! as they are to SQLite (only `INTEGER PRIMARY KEY` aliases the rowid).

use schema_model::{BinaryKind, ColumnType, DefaultValue, IntWidth, StringKind, TimeKind};

use crate::parse::lexer::{Kind, tokenize};

/// Reads a declared type as `pragma table_xinfo` reports it.
pub fn parse_type(declared: &str) -> ColumnType {
    let normalized = normalize_type(declared);
    let (base, args) = match normalized.find('(') {
        Some(open) => (
            &normalized[..open],
            normalized[open + 1..].trim_end_matches(')'),
        ),
        None => (normalized.as_str(), ""),
    };
    let numbers: Vec<Option<u32>> = if args.is_empty() {
        Vec::new()
    } else {
        args.split(',').map(|a| a.trim().parse().ok()).collect()
    };
    let typed = match (base, numbers.as_slice()) {
        ("integer", []) => Some(ColumnType::int(IntWidth::Int)),
        ("bigint", []) => Some(ColumnType::int(IntWidth::Big)),
        ("smallint", []) => Some(ColumnType::int(IntWidth::Small)),
        ("tinyint", []) => Some(ColumnType::int(IntWidth::Tiny)),
        ("mediumint", []) => Some(ColumnType::int(IntWidth::Medium)),
        ("text", []) => Some(ColumnType::string(StringKind::Text, None)),
        ("varchar", [Some(n)]) => Some(ColumnType::string(StringKind::Varchar, Some(*n))),
        ("char", [Some(n)]) => Some(ColumnType::string(StringKind::Char, Some(*n))),
        ("real", []) => Some(float(false)),
        ("double", []) => Some(float(true)),
        ("numeric", []) => Some(decimal(None, None)),
        ("numeric", [Some(p)]) => Some(decimal(Some(*p), None)),
        ("numeric", [Some(p), Some(s)]) => Some(decimal(Some(*p), Some(*s))),
        ("blob", []) => Some(ColumnType::Binary {
            binary: BinaryKind::Blob,
            length: None,
        }),
        ("boolean", []) => Some(ColumnType::Boolean),
        ("date", []) => Some(time(TimeKind::Date)),
        ("time", []) => Some(time(TimeKind::Time)),
        ("datetime", []) => Some(time(TimeKind::Timestamp)),
        ("json", []) => Some(ColumnType::Json { binary: false }),
        ("uuid", []) => Some(ColumnType::Uuid),
        _ => None,
    };
    typed.unwrap_or(ColumnType::Raw { sql: normalized })
}

fn float(double: bool) -> ColumnType {
    ColumnType::Float {
        double,
        precision: None,
        unsigned: false,
    }
}

fn decimal(precision: Option<u32>, scale: Option<u32>) -> ColumnType {
    ColumnType::Decimal {
        precision,
        scale,
        unsigned: false,
    }
}

fn time(kind: TimeKind) -> ColumnType {
    ColumnType::Time {
        time: kind,
        precision: None,
        fields: None,
    }
}

/// Lower case, single spaces, no spaces around parentheses and commas — unless the type
/// holds quoted text, which is kept as written.
fn normalize_type(declared: &str) -> String {
    let declared = declared.trim();
    if declared.contains(['\'', '"', '`', '[']) {
        return declared.to_owned();
    }
    let mut out = String::with_capacity(declared.len());
    for token in tokenize(declared) {
        let glue = matches!(token.kind, Kind::Open | Kind::Close | Kind::Comma)
            || out.ends_with('(')
            || out.ends_with(',')
            || out.is_empty();
        if !glue {
            out.push(' ');
        }
        out.push_str(&token.value.to_lowercase());
    }
    out
}

/// The SQL spelling of a type. Types SQLite has no spelling for are written in the
/// closest form whose affinity keeps the values (SQLite accepts any type name).
pub fn render_type(ty: &ColumnType) -> String {
    match ty {
        ColumnType::Integer { width, .. } => match width {
            IntWidth::Tiny => "tinyint",
            IntWidth::Small => "smallint",
            IntWidth::Medium => "mediumint",
            IntWidth::Int => "integer",
            IntWidth::Big => "bigint",
        }
        .to_owned(),
        ColumnType::Decimal {
            precision, scale, ..
        } => match (precision, scale) {
            (Some(p), Some(s)) => format!("numeric({p},{s})"),
            (Some(p), None) => format!("numeric({p})"),
            _ => "numeric".to_owned(),
        },
        ColumnType::Float { double, .. } => if *double { "double" } else { "real" }.to_owned(),
        ColumnType::Boolean => "boolean".to_owned(),
        ColumnType::String { string, length } => match (string, length) {
            (StringKind::Varchar, Some(n)) => format!("varchar({n})"),
            (StringKind::Char, Some(n)) => format!("char({n})"),
            _ => "text".to_owned(),
        },
        ColumnType::Binary { .. } | ColumnType::Bit { .. } => "blob".to_owned(),
        ColumnType::Time { time, .. } => match time {
            TimeKind::Date => "date",
            TimeKind::Time | TimeKind::TimeTz => "time",
            TimeKind::Interval => "text",
            TimeKind::Year => "integer",
            TimeKind::Timestamp | TimeKind::TimestampTz => "datetime",
        }
        .to_owned(),
        ColumnType::Json { .. } => "json".to_owned(),
        ColumnType::Uuid => "uuid".to_owned(),
        ColumnType::Enum { .. } | ColumnType::Set { .. } => "text".to_owned(),
        ColumnType::Array { .. } => "json".to_owned(),
        ColumnType::UserDefined { name } => normalize_type(&name.name),
        ColumnType::Spatial { name } | ColumnType::Network { name } => normalize_type(name),
        ColumnType::Raw { sql } => sql.clone(),
    }
}

/// What [`parse_type`] would read back after [`render_type`], without the text round
/// trip for the typed variants (normalizing large realms stays cheap).
pub(crate) fn canonical_type(ty: &ColumnType) -> ColumnType {
    match ty {
        ColumnType::Integer { width, .. } => ColumnType::int(*width),
        ColumnType::String {
            string: string @ (StringKind::Varchar | StringKind::Char),
            length: Some(n),
        } => ColumnType::string(*string, Some(*n)),
        ColumnType::String { .. } | ColumnType::Enum { .. } | ColumnType::Set { .. } => {
            ColumnType::string(StringKind::Text, None)
        }
        ColumnType::Float { double, .. } => float(*double),
        ColumnType::Decimal {
            precision: None, ..
        } => decimal(None, None),
        ColumnType::Decimal {
            precision, scale, ..
        } => decimal(*precision, *scale),
        ColumnType::Boolean => ColumnType::Boolean,
        ColumnType::Binary { .. } | ColumnType::Bit { .. } => ColumnType::Binary {
            binary: BinaryKind::Blob,
            length: None,
        },
        ColumnType::Time { time: kind, .. } => match kind {
            TimeKind::Date => time(TimeKind::Date),
            TimeKind::Time | TimeKind::TimeTz => time(TimeKind::Time),
            TimeKind::Timestamp | TimeKind::TimestampTz => time(TimeKind::Timestamp),
            TimeKind::Interval => ColumnType::string(StringKind::Text, None),
            TimeKind::Year => ColumnType::int(IntWidth::Int),
        },
        ColumnType::Json { .. } | ColumnType::Array { .. } => ColumnType::Json { binary: false },
        ColumnType::Uuid => ColumnType::Uuid,
        ColumnType::UserDefined { .. }
        | ColumnType::Spatial { .. }
        | ColumnType::Network { .. }
        | ColumnType::Raw { .. } => parse_type(&render_type(ty)),
    }
}

/// Classifies a default as `pragma table_xinfo` reports it (outer parentheses already
/// removed by SQLite): constants are literals, anything else an expression.
pub fn parse_default(text: &str) -> DefaultValue {
    let text = text.trim();
    if is_literal(text) {
        DefaultValue::Literal(text.to_owned())
    } else {
        DefaultValue::Expr(text.to_owned())
    }
}

fn is_literal(text: &str) -> bool {
    let tokens = tokenize(text);
    match tokens.as_slice() {
        [t] => {
            matches!(t.kind, Kind::Number | Kind::Str)
                || ["NULL", "TRUE", "FALSE"].iter().any(|k| t.is(k))
        }
        // Signed numbers, and blobs: X'00ff' tokenizes as the word X and a string.
        [a, b] => {
            (a.kind == Kind::Punct && (a.value == "-" || a.value == "+") && b.kind == Kind::Number)
                || (a.kind == Kind::Word
                    && a.value.eq_ignore_ascii_case("x")
                    && b.kind == Kind::Str
                    && a.end == b.start)
        }
        _ => false,
    }
}

/// The text to write after `DEFAULT`: expressions other than the `CURRENT_*` keywords
/// need parentheses.
pub fn render_default(default: &DefaultValue) -> String {
    match default {
        DefaultValue::Literal(text) => text.clone(),
        DefaultValue::Expr(text) => {
            let upper = text.trim().to_ascii_uppercase();
            if matches!(
                upper.as_str(),
                "CURRENT_TIME" | "CURRENT_DATE" | "CURRENT_TIMESTAMP"
            ) || is_literal(text)
            {
                text.clone()
            } else {
                format!("({text})")
            }
        }
    }
}

/// Removes one pair of parentheses enclosing the whole text, as SQLite does when it
/// reports a default.
pub(crate) fn strip_outer_parens(text: &str) -> &str {
    let trimmed = text.trim();
    let tokens = tokenize(trimmed);
    if tokens.len() >= 2
        && tokens[0].kind == Kind::Open
        && crate::parse::lexer::matching_close(&tokens, 0) == tokens.len() - 1
    {
        let inner = trimmed.get(tokens[0].end..tokens[tokens.len() - 1].start);
        return inner.unwrap_or(trimmed).trim();
    }
    trimmed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_spellings_round_trip() {
        for declared in [
            "integer",
            "bigint",
            "text",
            "varchar(100)",
            "char(2)",
            "real",
            "double",
            "numeric",
            "numeric(10,2)",
            "blob",
            "boolean",
            "date",
            "datetime",
            "json",
            "int",
            "unsigned big int",
            "double precision",
            "",
        ] {
            let ty = parse_type(declared);
            assert_eq!(render_type(&ty), declared, "{declared}");
            assert_eq!(parse_type(&render_type(&ty)), ty);
        }
        assert_eq!(parse_type("INTEGER"), ColumnType::int(IntWidth::Int));
        assert_eq!(
            parse_type("VARCHAR( 100 )"),
            ColumnType::string(StringKind::Varchar, Some(100))
        );
        assert_eq!(
            parse_type("Decimal (10, 2)"),
            ColumnType::raw("decimal(10,2)")
        );
        assert_eq!(parse_type("INT"), ColumnType::raw("int"));
    }

    #[test]
    fn canonical_type_matches_the_text_round_trip() {
        let types = [
            ColumnType::Integer {
                width: IntWidth::Big,
                unsigned: true,
                display_width: Some(20),
            },
            ColumnType::string(StringKind::Varchar, Some(10)),
            ColumnType::string(StringKind::Varchar, None),
            ColumnType::string(StringKind::Char, Some(2)),
            ColumnType::string(StringKind::LongText, None),
            ColumnType::Float {
                double: true,
                precision: Some(5),
                unsigned: false,
            },
            ColumnType::Decimal {
                precision: Some(10),
                scale: Some(2),
                unsigned: false,
            },
            ColumnType::Decimal {
                precision: Some(10),
                scale: None,
                unsigned: false,
            },
            ColumnType::Decimal {
                precision: None,
                scale: Some(2),
                unsigned: false,
            },
            ColumnType::Boolean,
            ColumnType::Binary {
                binary: BinaryKind::Varbinary,
                length: Some(4),
            },
            ColumnType::Bit {
                varying: false,
                length: Some(1),
            },
            ColumnType::Time {
                time: TimeKind::TimestampTz,
                precision: Some(3),
                fields: None,
            },
            ColumnType::Time {
                time: TimeKind::TimeTz,
                precision: None,
                fields: None,
            },
            ColumnType::Time {
                time: TimeKind::Interval,
                precision: None,
                fields: None,
            },
            ColumnType::Time {
                time: TimeKind::Year,
                precision: None,
                fields: None,
            },
            ColumnType::Json { binary: true },
            ColumnType::Uuid,
            ColumnType::Enum {
                name: None,
                values: vec!["a".into()],
            },
            ColumnType::Set {
                values: vec!["a".into()],
            },
            ColumnType::Array {
                element: Box::new(ColumnType::Uuid),
                dimensions: 1,
            },
            ColumnType::Spatial {
                name: "POINT".into(),
            },
            ColumnType::raw("Unsigned  Big INT"),
        ];
        for ty in types {
            assert_eq!(canonical_type(&ty), parse_type(&render_type(&ty)), "{ty:?}");
        }
    }

    #[test]
    fn defaults() {
        for lit in [
            "1", "-1", "+2.5", "'a''b'", "NULL", "true", "X'00ff'", "0x1F",
        ] {
            assert!(
                matches!(parse_default(lit), DefaultValue::Literal(_)),
                "{lit}"
            );
        }
        for expr in ["CURRENT_TIMESTAMP", "1+2", "datetime('now')"] {
            assert!(
                matches!(parse_default(expr), DefaultValue::Expr(_)),
                "{expr}"
            );
        }
        assert_eq!(render_default(&DefaultValue::Expr("1+2".into())), "(1+2)");
        assert_eq!(strip_outer_parens("(1) + (2)"), "(1) + (2)");
        assert_eq!(strip_outer_parens(" ((1)+2) "), "(1)+2");
        assert_eq!(strip_outer_parens("/* é */ (1)"), "1");
    }
}
