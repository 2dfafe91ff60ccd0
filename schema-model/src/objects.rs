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

/// How MySQL/MariaDB process a view (`ALGORITHM = …`); `UNDEFINED`, the default that
/// lets the server choose, is no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ViewAlgorithm {
    /// `MERGE`: the view's text is merged into the referencing query.
    Merge,
    /// `TEMPTABLE`: the view's result is materialized in a temporary table.
    Temptable,
}

impl ViewAlgorithm {
    /// The keyword.
    pub fn sql(self) -> &'static str {
        match self {
            ViewAlgorithm::Merge => "MERGE",
            ViewAlgorithm::Temptable => "TEMPTABLE",
        }
    }
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
    /// `ALGORITHM` (MySQL/MariaDB), when not `UNDEFINED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<ViewAlgorithm>,
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
            algorithm: None,
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

/// A PostgreSQL rewrite rule (`CREATE RULE`) on a table or view. The `_RETURN` rule that
/// implements a view is the view itself and never a rule here.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rule {
    /// Rule name (unique per table or view).
    pub name: String,
    /// The table or view it is attached to (same schema).
    pub on: String,
    /// The complete `CREATE RULE` statement as the database prints it
    /// (`pg_get_ruledef`), with the table left unqualified.
    pub definition: String,
    /// Comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// What kind of object reads a routine, in a [`RoutineUse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoutineReader {
    /// A view (`owner`) calls it.
    View,
    /// A rule (`name`) on `owner` calls it.
    Rule,
    /// The default or generation expression of column `name` of table `owner` calls it.
    Default,
    /// Check constraint `name` of table `owner` calls it.
    Check,
    /// Index `name` on table `owner` calls it in an expression or predicate.
    Index,
    /// Trigger `name` on `owner` executes it.
    Trigger,
    /// Policy `name` on table `owner` calls it.
    Policy,
    /// Domain `owner` calls it in a check or its default.
    Domain,
}

/// One dependency of an object on a routine as the database's catalog records it
/// (PostgreSQL `pg_depend`). Derived information, read along with the schema: it finds the
/// readers that looking for names in expressions cannot see (routines of other schemas,
/// operators backed by functions). It is not part of what a schema is: the differ never
/// compares it, and [`crate::canonicalize`] leaves it out.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RoutineUse {
    /// What reads the routine.
    pub reader: RoutineReader,
    /// The reader's schema.
    pub schema: String,
    /// The reader's table, view or domain.
    pub owner: String,
    /// The reader's own name within `owner` (column, constraint, index, trigger, rule,
    /// policy), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Schema of the routine read.
    pub routine_schema: String,
    /// Name of the routine read (all its overloads).
    pub routine: String,
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

/// Which library a PostgreSQL collation comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CollationProvider {
    /// The operating system's C library (`libc`, PostgreSQL's default).
    #[default]
    Libc,
    /// ICU.
    Icu,
    /// PostgreSQL's built-in provider (PostgreSQL 17).
    Builtin,
}

impl CollationProvider {
    /// The provider's name in `CREATE COLLATION … (PROVIDER = …)`.
    pub fn sql(self) -> &'static str {
        match self {
            CollationProvider::Libc => "libc",
            CollationProvider::Icu => "icu",
            CollationProvider::Builtin => "builtin",
        }
    }
}

/// A user-defined collation (PostgreSQL `CREATE COLLATION`).
///
/// Columns, domains and index parts name collations by their bare name; a collation
/// modelled here lives in its schema and is created before anything that uses it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Collation {
    /// Collation name.
    pub name: String,
    /// Provider.
    #[serde(default, skip_serializing_if = "is_default")]
    pub provider: CollationProvider,
    /// `LOCALE`: set when sorting and character classification use the same locale (always
    /// for ICU and the built-in provider).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// `LC_COLLATE`, when it differs from `LC_CTYPE` (libc only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lc_collate: Option<String>,
    /// `LC_CTYPE`, when it differs from `LC_COLLATE` (libc only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lc_ctype: Option<String>,
    /// ICU tailoring rules (`RULES`, PostgreSQL 16).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<String>,
    /// `DETERMINISTIC = false`: strings that compare equal may differ in bytes.
    #[serde(default, skip_serializing_if = "is_default")]
    pub nondeterministic: bool,
    /// Comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Collation {
    /// A deterministic collation of `provider` over one locale.
    pub fn new(
        name: impl Into<String>,
        provider: CollationProvider,
        locale: impl Into<String>,
    ) -> Self {
        Collation {
            name: name.into(),
            provider,
            locale: Some(locale.into()),
            lc_collate: None,
            lc_ctype: None,
            rules: None,
            nondeterministic: false,
            comment: None,
        }
    }
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
