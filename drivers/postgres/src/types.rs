//! Mapping between PostgreSQL's type spellings (`format_type`) and [`ColumnType`].

use schema_model::{BinaryKind, ColumnType, IntWidth, QualifiedName, StringKind, TimeKind};

use crate::quote::{ident, qualified};

/// Where a user-defined type came from, as the catalog says (`pg_type.typtype`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TypeKind {
    /// A base or pseudo type (including extension types such as `citext`).
    Base,
    /// `CREATE TYPE … AS ENUM`.
    Enum,
    /// `CREATE DOMAIN`.
    Domain,
    /// `CREATE TYPE … AS (…)`.
    Composite,
}

impl TypeKind {
    pub(crate) fn from_typtype(typtype: &str) -> TypeKind {
        match typtype {
            "e" => TypeKind::Enum,
            "d" => TypeKind::Domain,
            "c" => TypeKind::Composite,
            _ => TypeKind::Base,
        }
    }
}

/// A type as the catalog describes it.
pub(crate) struct CatalogType<'a> {
    /// `format_type(oid, typmod)` of the element type (arrays) or the type itself.
    pub formatted: &'a str,
    /// Kind of the (element) type.
    pub kind: TypeKind,
    /// Schema and name of the (element) type.
    pub schema: &'a str,
    pub name: &'a str,
    /// Array dimensions; 0 for scalars.
    pub dimensions: u32,
}

/// Maps a catalog type to the model; `owner_schema` is the schema of the object using it,
/// so user types in the same schema stay unqualified.
pub(crate) fn from_catalog(ty: &CatalogType<'_>, owner_schema: &str) -> ColumnType {
    let user_name = || {
        if ty.schema == owner_schema {
            QualifiedName::bare(ty.name)
        } else {
            QualifiedName::qualified(ty.schema, ty.name)
        }
    };
    let scalar = match ty.kind {
        TypeKind::Enum => ColumnType::Enum {
            name: Some(user_name()),
            values: Vec::new(),
        },
        TypeKind::Domain | TypeKind::Composite => ColumnType::UserDefined { name: user_name() },
        TypeKind::Base => parse_builtin(ty.formatted.trim_end_matches("[]")),
    };
    if ty.dimensions == 0 {
        scalar
    } else {
        ColumnType::Array {
            element: Box::new(scalar),
            dimensions: ty.dimensions,
        }
    }
}

fn modifier(text: &str, prefix: &str) -> Option<Option<Vec<u32>>> {
    let rest = text.strip_prefix(prefix)?;
    if rest.is_empty() {
        return Some(None);
    }
    let inner = rest.strip_prefix('(')?.strip_suffix(')')?;
    let numbers: Option<Vec<u32>> = inner.split(',').map(|n| n.trim().parse().ok()).collect();
    numbers.map(Some)
}

fn time(text: &str, head: &str, tail: &str, kind: TimeKind) -> Option<ColumnType> {
    let rest = text.strip_prefix(head)?.strip_suffix(tail)?;
    let precision = if rest.is_empty() {
        None
    } else {
        Some(rest.strip_prefix('(')?.strip_suffix(')')?.parse().ok()?)
    };
    Some(ColumnType::Time {
        time: kind,
        precision,
        fields: None,
    })
}

/// Maps a built-in type's `format_type` spelling; anything unknown becomes `Raw`.
pub(crate) fn parse_builtin(text: &str) -> ColumnType {
    let simple = match text {
        "smallint" => Some(ColumnType::int(IntWidth::Small)),
        "integer" => Some(ColumnType::int(IntWidth::Int)),
        "bigint" => Some(ColumnType::int(IntWidth::Big)),
        "real" => Some(ColumnType::Float {
            double: false,
            precision: None,
            unsigned: false,
        }),
        "double precision" => Some(ColumnType::Float {
            double: true,
            precision: None,
            unsigned: false,
        }),
        "boolean" => Some(ColumnType::Boolean),
        "text" => Some(ColumnType::string(StringKind::Text, None)),
        "bytea" => Some(ColumnType::Binary {
            binary: BinaryKind::Bytea,
            length: None,
        }),
        "date" => Some(ColumnType::Time {
            time: TimeKind::Date,
            precision: None,
            fields: None,
        }),
        "json" => Some(ColumnType::Json { binary: false }),
        "jsonb" => Some(ColumnType::Json { binary: true }),
        "uuid" => Some(ColumnType::Uuid),
        "inet" | "cidr" | "macaddr" | "macaddr8" => Some(ColumnType::Network {
            name: text.to_owned(),
        }),
        _ => None,
    };
    if let Some(ty) = simple {
        return ty;
    }
    if let Some(m) = modifier(text, "numeric") {
        match m.as_deref() {
            None => {
                return ColumnType::Decimal {
                    precision: None,
                    scale: None,
                    unsigned: false,
                };
            }
            Some([p, s]) => {
                return ColumnType::Decimal {
                    precision: Some(*p),
                    scale: Some(*s),
                    unsigned: false,
                };
            }
            // `numeric(p)` is `numeric(p,0)`, which is how the catalog prints it.
            Some([p]) => {
                return ColumnType::Decimal {
                    precision: Some(*p),
                    scale: Some(0),
                    unsigned: false,
                };
            }
            _ => {}
        }
    }
    for (prefix, kind) in [
        ("character varying", StringKind::Varchar),
        ("character", StringKind::Char),
    ] {
        if let Some(m) = modifier(text, prefix) {
            match m.as_deref() {
                None => return ColumnType::string(kind, None),
                Some([n]) => return ColumnType::string(kind, Some(*n)),
                _ => {}
            }
        }
    }
    for (prefix, varying) in [("bit varying", true), ("bit", false)] {
        if let Some(m) = modifier(text, prefix) {
            match m.as_deref() {
                None => {
                    return ColumnType::Bit {
                        varying,
                        length: None,
                    };
                }
                Some([n]) => {
                    return ColumnType::Bit {
                        varying,
                        length: Some(*n),
                    };
                }
                _ => {}
            }
        }
    }
    let temporal = [
        ("timestamp", " without time zone", TimeKind::Timestamp),
        ("timestamp", " with time zone", TimeKind::TimestampTz),
        ("time", " without time zone", TimeKind::Time),
        ("time", " with time zone", TimeKind::TimeTz),
        ("interval", "", TimeKind::Interval),
    ];
    for (head, tail, kind) in temporal {
        if let Some(ty) = time(text, head, tail, kind) {
            return ty;
        }
    }
    ColumnType::raw(text)
}

/// Renders a type as PostgreSQL SQL. `owner_schema` qualifies unqualified user types; it is
/// left out when it is the plan's unqualified schema.
pub(crate) fn render(ty: &ColumnType, owner_schema: &str, unqualified: Option<&str>) -> String {
    match ty {
        ColumnType::Integer { width, .. } => match width {
            IntWidth::Tiny | IntWidth::Small => "smallint",
            IntWidth::Medium | IntWidth::Int => "integer",
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
        ColumnType::Float {
            double, precision, ..
        } => {
            let double = *double || precision.is_some_and(|p| p > 24);
            if double { "double precision" } else { "real" }.to_owned()
        }
        ColumnType::Boolean => "boolean".to_owned(),
        ColumnType::String { string, length } => match (string, length) {
            (StringKind::Char, Some(n)) => format!("character({n})"),
            // A bare `character` is `character(1)`.
            (StringKind::Char, None) => "character(1)".to_owned(),
            (StringKind::Varchar, Some(n)) => format!("character varying({n})"),
            (StringKind::Varchar, None) => "character varying".to_owned(),
            _ => "text".to_owned(),
        },
        ColumnType::Binary { .. } => "bytea".to_owned(),
        ColumnType::Bit { varying, length } => {
            let base = if *varying { "bit varying" } else { "bit" };
            match length {
                Some(n) => format!("{base}({n})"),
                None => base.to_owned(),
            }
        }
        ColumnType::Time {
            time,
            precision,
            fields,
        } => {
            let p = precision.map(|p| format!("({p})")).unwrap_or_default();
            match time {
                TimeKind::Date => "date".to_owned(),
                TimeKind::Time => format!("time{p} without time zone"),
                TimeKind::TimeTz => format!("time{p} with time zone"),
                TimeKind::Timestamp => format!("timestamp{p} without time zone"),
                TimeKind::TimestampTz => format!("timestamp{p} with time zone"),
                TimeKind::Year => "smallint".to_owned(),
                TimeKind::Interval => match fields {
                    Some(f) => format!("interval {f}{p}"),
                    None => format!("interval{p}"),
                },
            }
        }
        ColumnType::Json { binary } => if *binary { "jsonb" } else { "json" }.to_owned(),
        ColumnType::Uuid => "uuid".to_owned(),
        ColumnType::Enum { name: Some(n), .. } | ColumnType::UserDefined { name: n } => {
            user_type(n, owner_schema, unqualified)
        }
        // Inline enums and sets have no PostgreSQL spelling; text keeps their values.
        ColumnType::Enum { name: None, .. } | ColumnType::Set { .. } => "text".to_owned(),
        ColumnType::Array {
            element,
            dimensions,
        } => {
            let mut out = render(element, owner_schema, unqualified);
            for _ in 0..(*dimensions).max(1) {
                out.push_str("[]");
            }
            out
        }
        ColumnType::Spatial { name } | ColumnType::Network { name } => name.clone(),
        ColumnType::Raw { sql } => sql.clone(),
    }
}

/// A user type's name, qualified unless it lives in the plan's unqualified schema.
pub(crate) fn user_type(
    name: &QualifiedName,
    owner_schema: &str,
    unqualified: Option<&str>,
) -> String {
    let schema = name.schema.as_deref().unwrap_or(owner_schema);
    if name.schema.is_none() && unqualified.is_none() {
        return qualified(schema, &name.name, None);
    }
    if unqualified == Some(schema) {
        ident(&name.name)
    } else {
        qualified(schema, &name.name, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_round_trip() {
        for text in [
            "smallint",
            "integer",
            "bigint",
            "numeric(10,2)",
            "numeric",
            "character varying(50)",
            "character varying",
            "character(3)",
            "text",
            "boolean",
            "real",
            "double precision",
            "bytea",
            "date",
            "time without time zone",
            "time(3) with time zone",
            "timestamp(6) without time zone",
            "timestamp with time zone",
            "interval",
            "interval(2)",
            "json",
            "jsonb",
            "uuid",
            "bit(8)",
            "bit varying(16)",
            "inet",
            "macaddr8",
            "tsvector",
            "vector(3)",
        ] {
            let ty = parse_builtin(text);
            assert_eq!(render(&ty, "public", None), text, "{text}");
        }
        assert_eq!(parse_builtin("vector(3)"), ColumnType::raw("vector(3)"));
    }

    #[test]
    fn user_types_are_qualified_by_owner() {
        let ty = ColumnType::Enum {
            name: Some(QualifiedName::bare("mood")),
            values: vec![],
        };
        assert_eq!(render(&ty, "app", None), "\"app\".\"mood\"");
        assert_eq!(render(&ty, "app", Some("app")), "\"mood\"");
    }
}
