//! Column types: a typed description of what a column holds, with a raw fallback for
//! anything the typed variants do not cover (extension types such as pgvector's `vector(3)`).

use serde::{Deserialize, Serialize};

use crate::QualifiedName;

/// Width of an integer type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntWidth {
    /// 1 byte (`TINYINT`).
    Tiny,
    /// 2 bytes (`SMALLINT`, `int2`).
    Small,
    /// 3 bytes (`MEDIUMINT`).
    Medium,
    /// 4 bytes (`INT`, `int4`).
    Int,
    /// 8 bytes (`BIGINT`, `int8`).
    Big,
}

/// Storage class of a character string type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StringKind {
    /// Fixed length (`CHAR(n)`).
    Char,
    /// Variable length with a limit (`VARCHAR(n)`).
    Varchar,
    /// Unbounded text (`TEXT`).
    Text,
    /// MySQL `TINYTEXT`.
    TinyText,
    /// MySQL `MEDIUMTEXT`.
    MediumText,
    /// MySQL `LONGTEXT`.
    LongText,
}

/// Storage class of a binary string type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BinaryKind {
    /// Fixed length (`BINARY(n)`).
    Binary,
    /// Variable length with a limit (`VARBINARY(n)`).
    Varbinary,
    /// `BLOB` (MySQL, SQLite).
    Blob,
    /// MySQL `TINYBLOB`.
    TinyBlob,
    /// MySQL `MEDIUMBLOB`.
    MediumBlob,
    /// MySQL `LONGBLOB`.
    LongBlob,
    /// PostgreSQL `bytea`.
    Bytea,
}

/// Which date/time value a temporal column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeKind {
    /// A calendar date.
    Date,
    /// A time of day.
    Time,
    /// A time of day with a time zone (`timetz`).
    TimeTz,
    /// A timestamp without time zone (PostgreSQL `timestamp`, MySQL `DATETIME`).
    Timestamp,
    /// A timestamp with time zone (PostgreSQL `timestamptz`, MySQL `TIMESTAMP`).
    TimestampTz,
    /// MySQL `YEAR`.
    Year,
    /// PostgreSQL `interval`.
    Interval,
}

/// A column's type.
///
/// Drivers map their catalog's types onto these variants when they can and use
/// [`ColumnType::Raw`] otherwise; a type always renders back to SQL through its driver.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ColumnType {
    /// Integers of every width; `display_width` is MySQL's `INT(11)`-style hint where kept.
    Integer {
        /// Storage width.
        width: IntWidth,
        /// MySQL `UNSIGNED`.
        #[serde(default, skip_serializing_if = "is_false")]
        unsigned: bool,
        /// MySQL display width, where the server still reports one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        display_width: Option<u32>,
    },
    /// Exact numerics (`NUMERIC(p, s)`, `DECIMAL(p, s)`).
    Decimal {
        /// Total digits.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        precision: Option<u32>,
        /// Digits after the point.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        scale: Option<u32>,
        /// MySQL `UNSIGNED`.
        #[serde(default, skip_serializing_if = "is_false")]
        unsigned: bool,
    },
    /// Binary floating point; `double` selects 8-byte storage.
    Float {
        /// 8 bytes (`DOUBLE PRECISION`) rather than 4 (`REAL`).
        double: bool,
        /// Declared precision (`FLOAT(p)`), where kept.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        precision: Option<u32>,
        /// MySQL `UNSIGNED`.
        #[serde(default, skip_serializing_if = "is_false")]
        unsigned: bool,
    },
    /// `BOOLEAN`.
    Boolean,
    /// Character strings.
    String {
        /// Storage class.
        string: StringKind,
        /// Length limit in characters.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        length: Option<u32>,
    },
    /// Binary strings.
    Binary {
        /// Storage class.
        binary: BinaryKind,
        /// Length limit in bytes.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        length: Option<u32>,
    },
    /// Bit strings (`BIT(n)`, `BIT VARYING(n)`).
    Bit {
        /// `BIT VARYING`.
        #[serde(default, skip_serializing_if = "is_false")]
        varying: bool,
        /// Length in bits.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        length: Option<u32>,
    },
    /// Dates, times, timestamps and intervals.
    Time {
        /// Which value.
        time: TimeKind,
        /// Fractional-second precision.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        precision: Option<u32>,
        /// Interval field restriction (`YEAR TO MONTH`), PostgreSQL only.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fields: Option<String>,
    },
    /// JSON documents; `binary` is PostgreSQL `jsonb`.
    Json {
        /// `jsonb`.
        #[serde(default, skip_serializing_if = "is_false")]
        binary: bool,
    },
    /// `UUID`.
    Uuid,
    /// An enumeration: MySQL's inline `ENUM('a','b')` has no name; PostgreSQL's refers to a
    /// named enum type (its values live in [`crate::EnumType`], so `values` stays empty).
    Enum {
        /// The named enum type, PostgreSQL.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<QualifiedName>,
        /// Inline values, MySQL.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        values: Vec<String>,
    },
    /// MySQL `SET('a','b')`.
    Set {
        /// Members in declaration order.
        values: Vec<String>,
    },
    /// PostgreSQL arrays.
    Array {
        /// Element type.
        element: Box<ColumnType>,
        /// Declared dimensions (PostgreSQL ignores them, but keeps them for display).
        #[serde(default = "one")]
        dimensions: u32,
    },
    /// A named user-defined type: a PostgreSQL domain or composite type.
    UserDefined {
        /// The type's name.
        name: QualifiedName,
    },
    /// Spatial types (`GEOMETRY`, `POINT`, …) with their declared name in lower case.
    Spatial {
        /// `point`, `geometry`, `polygon`, ….
        name: String,
    },
    /// Network address types (`inet`, `cidr`, `macaddr`, `macaddr8`).
    Network {
        /// The type name in lower case.
        name: String,
    },
    /// Anything else, exactly as the database spells it (e.g. `vector(3)`, `tsvector`,
    /// SQLite declared types that carry no affinity keyword).
    Raw {
        /// The type's SQL spelling.
        sql: String,
    },
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn one() -> u32 {
    1
}

impl ColumnType {
    /// A type known only by its SQL spelling.
    pub fn raw(sql: impl Into<String>) -> Self {
        ColumnType::Raw { sql: sql.into() }
    }

    /// A signed integer of the given width.
    pub fn int(width: IntWidth) -> Self {
        ColumnType::Integer {
            width,
            unsigned: false,
            display_width: None,
        }
    }

    /// A string of the given kind and optional length.
    pub fn string(string: StringKind, length: Option<u32>) -> Self {
        ColumnType::String { string, length }
    }

    /// Whether values of this type are integers (used to recognise row-id aliases and
    /// auto-increment candidates).
    pub fn is_integer(&self) -> bool {
        matches!(self, ColumnType::Integer { .. })
    }
}
