//! Schema-level objects other than tables: views, routines, triggers, types, sequences,
//! extensions.

use serde::{Deserialize, Serialize};

use crate::{Check, Column, ColumnType, DefaultValue, Index, SequenceOptions, is_default};

/// `WITH [LOCAL|CASCADED] CHECK OPTION` of an updatable view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckOption {
    /// `LOCAL`.
    Local,
    /// `CASCADED`.
    Cascaded,
}

/// A view or a materialized view.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct View {
    /// View name.
    pub name: String,
    /// The `SELECT` text, as the database prints it (normalized by the database).
    pub definition: String,
    /// `MATERIALIZED VIEW` (PostgreSQL).
    #[serde(default, skip_serializing_if = "is_default")]
    pub materialized: bool,
    /// Explicit column names (`CREATE VIEW v (a, b) AS`), where the database keeps them apart
    /// from the query.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub column_names: Vec<String>,
    /// Output columns as inspected (informational: not compared by the differ).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<Column>,
    /// Check option.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_option: Option<CheckOption>,
    /// `security_invoker` (PostgreSQL) / `SQL SECURITY INVOKER` (MySQL).
    #[serde(default, skip_serializing_if = "is_default")]
    pub security_invoker: bool,
    /// Indexes (materialized views).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<Index>,
    /// Comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl View {
    /// A plain view.
    pub fn new(name: impl Into<String>, definition: impl Into<String>) -> Self {
        View {
            name: name.into(),
            definition: definition.into(),
            materialized: false,
            column_names: Vec::new(),
            columns: Vec::new(),
            check_option: None,
            security_invoker: false,
            indexes: Vec::new(),
            comment: None,
        }
    }
}

/// Function or procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoutineKind {
    /// `CREATE FUNCTION`.
    #[default]
    Function,
    /// `CREATE PROCEDURE`.
    Procedure,
}

/// A stored function or procedure.
///
/// Routines are compared and recreated by their full definition: the database's own
/// `CREATE` text (PostgreSQL `pg_get_functiondef`, MySQL `SHOW CREATE`), which already
/// normalizes spelling.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Routine {
    /// Routine name.
    pub name: String,
    /// Function or procedure.
    pub kind: RoutineKind,
    /// Identity arguments, as the database prints them (`integer, text`): PostgreSQL
    /// overloads differ only here.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub args: String,
    /// Return type, for functions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returns: Option<String>,
    /// Language (`sql`, `plpgsql`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// The complete `CREATE` statement.
    pub definition: String,
    /// Comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Routine {
    /// The routine's identity within its schema: name plus argument types.
    pub fn signature(&self) -> String {
        format!("{}({})", self.name, self.args)
    }
}

/// A trigger on a table or view.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Trigger {
    /// Trigger name.
    pub name: String,
    /// The table or view it fires on (same schema).
    pub on: String,
    /// The complete `CREATE TRIGGER` statement, as the database keeps it.
    pub definition: String,
    /// Constraint trigger (PostgreSQL `CREATE CONSTRAINT TRIGGER`).
    #[serde(default, skip_serializing_if = "is_default")]
    pub constraint: bool,
    /// Disabled (PostgreSQL `ALTER TABLE … DISABLE TRIGGER`).
    #[serde(default, skip_serializing_if = "is_default")]
    pub disabled: bool,
    /// Comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A PostgreSQL enum type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EnumType {
    /// Type name.
    pub name: String,
    /// Labels in sort order.
    pub values: Vec<String>,
    /// Comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A PostgreSQL domain.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Domain {
    /// Domain name.
    pub name: String,
    /// Underlying type.
    #[serde(rename = "type")]
    pub ty: ColumnType,
    /// Whether NULL is allowed.
    pub nullable: bool,
    /// Default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<DefaultValue>,
    /// Collation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    /// Checks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<Check>,
    /// Comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// An attribute of a composite type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CompositeField {
    /// Attribute name.
    pub name: String,
    /// Attribute type.
    #[serde(rename = "type")]
    pub ty: ColumnType,
    /// Collation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
}

/// A PostgreSQL composite type (`CREATE TYPE t AS (…)`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CompositeType {
    /// Type name.
    pub name: String,
    /// Attributes in order.
    pub fields: Vec<CompositeField>,
    /// Comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A standalone sequence.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Sequence {
    /// Sequence name.
    pub name: String,
    /// Data type (`bigint` by default).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub ty: Option<ColumnType>,
    /// Options.
    #[serde(default, skip_serializing_if = "is_default")]
    pub options: SequenceOptions,
    /// `OWNED BY table.column` (same schema).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<(String, String)>,
    /// Comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A PostgreSQL extension.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Extension {
    /// Extension name.
    pub name: String,
    /// Schema its objects live in.
    pub schema: String,
    /// Installed version, where pinned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}
