//! Reading `information_schema.COLUMNS.COLUMN_TYPE` and `COLUMN_DEFAULT`.

use schema_model::{BinaryKind, ColumnType, DefaultValue, IntWidth, StringKind, TimeKind};

use crate::flavor::ServerVersion;

/// Splits `int(10) unsigned` into `("int", Some("10"), "unsigned")`.
fn split(column_type: &str) -> (String, Option<&str>, String) {
    let (head, args, rest) = match column_type.find('(') {
        Some(open) => {
            let close = matching_paren(column_type, open).unwrap_or(column_type.len());
            let args = &column_type[open + 1..close.min(column_type.len())];
            let rest = column_type.get(close + 1..).unwrap_or("");
            (&column_type[..open], Some(args), rest)
        }
        None => match column_type.find(' ') {
            Some(sp) => (&column_type[..sp], None, &column_type[sp..]),
            None => (column_type, None, ""),
        },
    };
    (
        head.trim().to_ascii_lowercase(),
        args,
        rest.trim().to_ascii_lowercase(),
    )
}

/// Position of the parenthesis closing the one at `open`, skipping quoted values.
fn matching_paren(text: &str, open: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut in_quote = false;
    let mut i = open;
    while i < bytes.len() {
        let c = bytes[i];
        if in_quote {
            if c == b'\'' {
                if bytes.get(i + 1) == Some(&b'\'') {
                    i += 1;
                } else {
                    in_quote = false;
                }
            } else if c == b'\\' {
                i += 1;
            }
        } else if c == b'\'' {
            in_quote = true;
        } else if c == b'(' {
            depth += 1;
        } else if c == b')' {
            depth -= 1;
            if depth == 0 {
                return Some(i);
            }
        }
        i += 1;
    }
    None
}

/// Parses the quoted members of `enum('a','b''c')`.
pub fn parse_values(args: &str) -> Vec<String> {
    let mut values = Vec::new();
    let mut chars = args.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\'' {
            continue;
        }
        let mut value = String::new();
        while let Some(c) = chars.next() {
            match c {
                '\'' if chars.peek() == Some(&'\'') => {
                    chars.next();
                    value.push('\'');
                }
                '\'' => break,
                '\\' => {
                    if let Some(next) = chars.next() {
                        value.push(next);
                    }
                }
                other => value.push(other),
            }
        }
        values.push(value);
    }
    values
}

fn number(args: Option<&str>) -> Option<u32> {
    args.and_then(|a| a.trim().parse().ok())
}

/// Maps a column type as the server prints it onto the model; anything unusual (zerofill,
/// `float(m,d)`) stays [`ColumnType::Raw`] so it renders back verbatim.
pub fn parse_type(column_type: &str) -> ColumnType {
    let (name, args, rest) = split(column_type);
    let is_unsigned = rest.split_whitespace().any(|w| w == "unsigned");
    if rest.contains("zerofill") {
        return ColumnType::raw(column_type.to_ascii_lowercase());
    }
    let int = |width| ColumnType::Integer {
        width,
        unsigned: is_unsigned,
        display_width: number(args),
    };
    match name.as_str() {
        "tinyint" => int(IntWidth::Tiny),
        "smallint" => int(IntWidth::Small),
        "mediumint" => int(IntWidth::Medium),
        "int" | "integer" => int(IntWidth::Int),
        "bigint" => int(IntWidth::Big),
        "decimal" | "numeric" => {
            let mut parts = args.unwrap_or("").split(',').map(|p| p.trim().parse().ok());
            ColumnType::Decimal {
                precision: parts.next().flatten(),
                scale: parts.next().flatten(),
                unsigned: is_unsigned,
            }
        }
        "float" | "double" if args.is_none_or(|a| !a.contains(',')) => ColumnType::Float {
            double: name == "double",
            precision: number(args),
            unsigned: is_unsigned,
        },
        "char" => ColumnType::string(StringKind::Char, number(args)),
        "varchar" => ColumnType::string(StringKind::Varchar, number(args)),
        "text" => ColumnType::string(StringKind::Text, None),
        "tinytext" => ColumnType::string(StringKind::TinyText, None),
        "mediumtext" => ColumnType::string(StringKind::MediumText, None),
        "longtext" => ColumnType::string(StringKind::LongText, None),
        "binary" => binary(BinaryKind::Binary, number(args)),
        "varbinary" => binary(BinaryKind::Varbinary, number(args)),
        "blob" => binary(BinaryKind::Blob, None),
        "tinyblob" => binary(BinaryKind::TinyBlob, None),
        "mediumblob" => binary(BinaryKind::MediumBlob, None),
        "longblob" => binary(BinaryKind::LongBlob, None),
        "bit" => ColumnType::Bit {
            varying: false,
            length: number(args),
        },
        "date" => time(TimeKind::Date, None),
        "time" => time(TimeKind::Time, number(args)),
        "datetime" => time(TimeKind::Timestamp, number(args)),
        "timestamp" => time(TimeKind::TimestampTz, number(args)),
        "year" => time(TimeKind::Year, None),
        "json" => ColumnType::Json { binary: false },
        "uuid" => ColumnType::Uuid,
        "enum" => ColumnType::Enum {
            name: None,
            values: parse_values(args.unwrap_or("")),
        },
        "set" => ColumnType::Set {
            values: parse_values(args.unwrap_or("")),
        },
        "geometry" | "point" | "linestring" | "polygon" | "multipoint" | "multilinestring"
        | "multipolygon" | "geometrycollection" | "geomcollection" => ColumnType::Spatial { name },
        _ => ColumnType::raw(column_type.to_ascii_lowercase()),
    }
}

fn binary(binary: BinaryKind, length: Option<u32>) -> ColumnType {
    ColumnType::Binary { binary, length }
}

fn time(time: TimeKind, precision: Option<u32>) -> ColumnType {
    ColumnType::Time {
        time,
        precision,
        fields: None,
    }
}

fn is_number(text: &str) -> bool {
    let t = text.strip_prefix('-').unwrap_or(text);
    !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')
        && t.chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c == '.')
}

/// Reads `COLUMN_DEFAULT`. MariaDB quotes literals itself (`'abc'`, `NULL` for a NULL
/// default, bare numbers, `current_timestamp()` for expressions); MySQL gives raw values
/// and marks expressions with `DEFAULT_GENERATED` in `EXTRA`.
pub fn parse_default(
    raw: Option<&str>,
    extra: &str,
    ty: &ColumnType,
    server: &ServerVersion,
) -> Option<DefaultValue> {
    let raw = raw?;
    if server.is_mariadb() {
        if raw.eq_ignore_ascii_case("null") {
            return None;
        }
        if raw.starts_with('\'') || is_number(raw) || raw.starts_with("b'") {
            return Some(DefaultValue::Literal(raw.to_owned()));
        }
        return Some(DefaultValue::Expr(raw.to_owned()));
    }
    let lower_extra = extra.to_ascii_lowercase();
    if lower_extra.contains("default_generated") {
        let expr = raw.to_owned();
        return Some(DefaultValue::Expr(expr));
    }
    let numeric = matches!(
        ty,
        ColumnType::Integer { .. } | ColumnType::Decimal { .. } | ColumnType::Float { .. }
    );
    if numeric && is_number(raw) {
        return Some(DefaultValue::Literal(raw.to_owned()));
    }
    if matches!(ty, ColumnType::Bit { .. }) && raw.starts_with("b'") {
        return Some(DefaultValue::Literal(raw.to_owned()));
    }
    Some(DefaultValue::Literal(crate::quote::string(raw)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_types() {
        assert_eq!(
            parse_type("int(10) unsigned"),
            ColumnType::Integer {
                width: IntWidth::Int,
                unsigned: true,
                display_width: Some(10)
            }
        );
        assert_eq!(
            parse_type("enum('a','b''c','x,y')"),
            ColumnType::Enum {
                name: None,
                values: vec!["a".into(), "b'c".into(), "x,y".into()]
            }
        );
        assert_eq!(
            parse_type("int(5) unsigned zerofill"),
            ColumnType::raw("int(5) unsigned zerofill")
        );
        assert_eq!(parse_type("float(7,2)"), ColumnType::raw("float(7,2)"));
        assert_eq!(
            parse_type("decimal(10,2)"),
            ColumnType::Decimal {
                precision: Some(10),
                scale: Some(2),
                unsigned: false
            }
        );
    }

    #[test]
    fn parses_defaults() {
        let maria = ServerVersion::parse("10.11.1-MariaDB");
        let mysql = ServerVersion::parse("8.0.36");
        let text = ColumnType::string(StringKind::Varchar, Some(3));
        assert_eq!(parse_default(Some("NULL"), "", &text, &maria), None);
        assert_eq!(
            parse_default(Some("'x'"), "", &text, &maria),
            Some(DefaultValue::Literal("'x'".into()))
        );
        assert_eq!(
            parse_default(Some("current_timestamp()"), "", &text, &maria),
            Some(DefaultValue::Expr("current_timestamp()".into()))
        );
        assert_eq!(
            parse_default(Some("x"), "", &text, &mysql),
            Some(DefaultValue::Literal("'x'".into()))
        );
        assert_eq!(
            parse_default(
                Some("CURRENT_TIMESTAMP"),
                "DEFAULT_GENERATED",
                &text,
                &mysql
            ),
            Some(DefaultValue::Expr("CURRENT_TIMESTAMP".into()))
        );
    }
}
