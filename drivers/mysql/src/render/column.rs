//! Column types and column definitions.

use schema_diff::PlanError;
use schema_model::{BinaryKind, Column, ColumnType, DefaultValue, IntWidth, StringKind, TimeKind};

use crate::flavor::ServerVersion;
use crate::quote;

fn unsupported(what: &str, reason: &str) -> PlanError {
    PlanError::Unsupported {
        change: what.to_owned(),
        reason: reason.to_owned(),
    }
}

fn with_len(name: &str, length: Option<u32>) -> String {
    match length {
        Some(n) => format!("{name}({n})"),
        None => name.to_owned(),
    }
}

fn unsigned(sql: String, unsigned: bool) -> String {
    if unsigned { sql + " unsigned" } else { sql }
}

fn value_list(name: &str, values: &[String]) -> String {
    let items: Vec<String> = values.iter().map(|v| quote::string(v)).collect();
    format!("{name}({})", items.join(","))
}

/// The SQL spelling of a column type, in the lower case the server itself prints.
pub fn type_sql(ty: &ColumnType, server: &ServerVersion) -> Result<String, PlanError> {
    Ok(match ty {
        ColumnType::Integer {
            width,
            unsigned: u,
            display_width,
        } => {
            let name = match width {
                IntWidth::Tiny => "tinyint",
                IntWidth::Small => "smallint",
                IntWidth::Medium => "mediumint",
                IntWidth::Int => "int",
                IntWidth::Big => "bigint",
            };
            unsigned(with_len(name, *display_width), *u)
        }
        ColumnType::Decimal {
            precision,
            scale,
            unsigned: u,
        } => {
            let sql = match (precision, scale) {
                (Some(p), Some(s)) => format!("decimal({p},{s})"),
                (Some(p), None) => format!("decimal({p})"),
                _ => "decimal".to_owned(),
            };
            unsigned(sql, *u)
        }
        ColumnType::Float {
            double,
            precision,
            unsigned: u,
        } => {
            let name = if *double { "double" } else { "float" };
            unsigned(with_len(name, *precision), *u)
        }
        ColumnType::Boolean => "tinyint(1)".to_owned(),
        ColumnType::String { string, length } => match string {
            StringKind::Char => with_len("char", *length),
            StringKind::Varchar => {
                let n = length.ok_or_else(|| unsupported("varchar column", "needs a length"))?;
                format!("varchar({n})")
            }
            StringKind::Text => with_len("text", *length),
            StringKind::TinyText => "tinytext".to_owned(),
            StringKind::MediumText => "mediumtext".to_owned(),
            StringKind::LongText => "longtext".to_owned(),
        },
        ColumnType::Binary { binary, length } => match binary {
            BinaryKind::Binary => with_len("binary", *length),
            BinaryKind::Varbinary => {
                let n = length.ok_or_else(|| unsupported("varbinary column", "needs a length"))?;
                format!("varbinary({n})")
            }
            BinaryKind::Blob | BinaryKind::Bytea => with_len("blob", *length),
            BinaryKind::TinyBlob => "tinyblob".to_owned(),
            BinaryKind::MediumBlob => "mediumblob".to_owned(),
            BinaryKind::LongBlob => "longblob".to_owned(),
        },
        ColumnType::Bit { varying, length } => {
            if *varying {
                return Err(unsupported(
                    "bit varying column",
                    "MySQL has no BIT VARYING",
                ));
            }
            with_len("bit", *length)
        }
        ColumnType::Time {
            time, precision, ..
        } => match time {
            TimeKind::Date => "date".to_owned(),
            TimeKind::Time => with_len("time", *precision),
            TimeKind::Timestamp => with_len("datetime", *precision),
            TimeKind::TimestampTz => with_len("timestamp", *precision),
            TimeKind::Year => "year".to_owned(),
            TimeKind::TimeTz | TimeKind::Interval => {
                return Err(unsupported(
                    "time column",
                    "MySQL has no time-zone-aware time or interval type",
                ));
            }
        },
        // MariaDB turns `json` into `longtext` with a `json_valid` check by itself.
        ColumnType::Json { .. } => "json".to_owned(),
        ColumnType::Uuid => {
            if server.supports_uuid() {
                "uuid".to_owned()
            } else {
                "binary(16)".to_owned()
            }
        }
        ColumnType::Enum { values, name } => {
            if values.is_empty() && name.is_some() {
                return Err(unsupported(
                    "enum column",
                    "MySQL enums are inline value lists, not named types",
                ));
            }
            value_list("enum", values)
        }
        ColumnType::Set { values } => value_list("set", values),
        ColumnType::Spatial { name } => name.to_lowercase(),
        ColumnType::Raw { sql } => sql.clone(),
        ColumnType::Array { .. } | ColumnType::UserDefined { .. } | ColumnType::Network { .. } => {
            return Err(unsupported(
                "column type",
                "arrays, user-defined and network types do not exist in MySQL",
            ));
        }
    })
}

fn is_textual(ty: &ColumnType) -> bool {
    match ty {
        ColumnType::String { .. } | ColumnType::Enum { .. } | ColumnType::Set { .. } => true,
        ColumnType::Raw { sql } => {
            let sql = sql.to_ascii_lowercase();
            ["char", "text", "enum", "set"]
                .iter()
                .any(|k| sql.contains(k))
        }
        _ => false,
    }
}

/// A full column definition as used by `CREATE TABLE`, `ADD COLUMN` and `MODIFY COLUMN`.
pub fn column_sql(column: &Column, server: &ServerVersion) -> Result<String, PlanError> {
    let mut sql = format!(
        "{} {}",
        quote::ident(&column.name),
        type_sql(&column.ty, server)?
    );
    if is_textual(&column.ty) {
        if let Some(charset) = &column.mysql.charset {
            sql.push_str(" CHARACTER SET ");
            sql.push_str(charset);
        }
        if let Some(collation) = &column.collation {
            sql.push_str(" COLLATE ");
            sql.push_str(collation);
        }
    }
    if let Some(generated) = &column.generated {
        sql.push_str(&format!(
            " GENERATED ALWAYS AS ({}) {}",
            generated.expr,
            if generated.stored {
                "STORED"
            } else {
                "VIRTUAL"
            }
        ));
        if !column.nullable && server.generated_not_null() {
            sql.push_str(" NOT NULL");
        }
    } else {
        sql.push_str(if column.nullable {
            " NULL"
        } else {
            " NOT NULL"
        });
        match &column.default {
            Some(DefaultValue::Literal(value)) => {
                sql.push_str(" DEFAULT ");
                sql.push_str(value);
            }
            Some(DefaultValue::Expr(expr)) => {
                // Function calls are accepted bare by both servers (`current_timestamp()`);
                // anything else must be parenthesized.
                if is_bare_default(expr) {
                    sql.push_str(&format!(" DEFAULT {expr}"));
                } else {
                    sql.push_str(&format!(" DEFAULT ({expr})"));
                }
            }
            None => {}
        }
        if let Some(on_update) = &column.mysql.on_update {
            sql.push_str(" ON UPDATE ");
            sql.push_str(on_update);
        }
        if column.auto_increment {
            sql.push_str(" AUTO_INCREMENT");
        }
    }
    if column.mysql.invisible {
        sql.push_str(" INVISIBLE");
    }
    if let Some(comment) = &column.comment {
        sql.push_str(" COMMENT ");
        sql.push_str(&quote::string(comment));
    }
    Ok(sql)
}

/// `CURRENT_TIMESTAMP`, `current_timestamp(3)`, `NOW()` and friends may appear unparenthesized.
fn is_bare_default(expr: &str) -> bool {
    let lower = expr.to_ascii_lowercase();
    let name = lower.split('(').next().unwrap_or_default();
    matches!(
        name,
        "current_timestamp"
            | "now"
            | "localtime"
            | "localtimestamp"
            | "current_date"
            | "current_time"
    ) && (!lower.contains('(') || lower.ends_with(')'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use schema_model::Generated;

    fn maria() -> ServerVersion {
        ServerVersion::parse("10.11.6-MariaDB")
    }

    fn mysql() -> ServerVersion {
        ServerVersion::parse("8.0.36")
    }

    #[test]
    fn renders_types() {
        let ty = ColumnType::Integer {
            width: IntWidth::Int,
            unsigned: true,
            display_width: Some(10),
        };
        assert_eq!(type_sql(&ty, &maria()).unwrap(), "int(10) unsigned");
        let e = ColumnType::Enum {
            name: None,
            values: vec!["a".into(), "b'c".into()],
        };
        assert_eq!(type_sql(&e, &maria()).unwrap(), "enum('a','b''c')");
        assert_eq!(type_sql(&ColumnType::Uuid, &maria()).unwrap(), "uuid");
        assert_eq!(type_sql(&ColumnType::Uuid, &mysql()).unwrap(), "binary(16)");
        assert!(type_sql(&ColumnType::raw("x"), &mysql()).is_ok());
    }

    #[test]
    fn renders_columns() {
        let mut c = Column::new("ts", ColumnType::raw("timestamp"))
            .not_null()
            .with_default(DefaultValue::Expr("current_timestamp()".into()));
        c.mysql.on_update = Some("current_timestamp()".into());
        assert_eq!(
            column_sql(&c, &maria()).unwrap(),
            "`ts` timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp()"
        );
        let mut g = Column::new("g", ColumnType::int(IntWidth::Int)).not_null();
        g.generated = Some(Generated {
            expr: "`a` + 1".into(),
            stored: true,
        });
        assert_eq!(
            column_sql(&g, &maria()).unwrap(),
            "`g` int GENERATED ALWAYS AS (`a` + 1) STORED"
        );
        assert_eq!(
            column_sql(&g, &mysql()).unwrap(),
            "`g` int GENERATED ALWAYS AS (`a` + 1) STORED NOT NULL"
        );
        let expr = Column::new("x", ColumnType::int(IntWidth::Int))
            .with_default(DefaultValue::Expr("1 + 1".into()));
        assert_eq!(
            column_sql(&expr, &mysql()).unwrap(),
            "`x` int NULL DEFAULT (1 + 1)"
        );
    }
}
