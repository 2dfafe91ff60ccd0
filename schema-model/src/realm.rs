//! The containers: a realm holds schemas, a schema holds objects.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{
    Collation, CompositeType, Domain, EnumType, Extension, Routine, RoutineUse, Rule, Sequence,
    Table, Trigger, View,
};

/// An object name with an optional schema qualifier.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct QualifiedName {
    /// Schema, when it differs from the referencing object's (or is not known).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Object name.
    pub name: String,
}

impl QualifiedName {
    /// An unqualified name.
    pub fn bare(name: impl Into<String>) -> Self {
        QualifiedName {
            schema: None,
            name: name.into(),
        }
    }

    /// A qualified name.
    pub fn qualified(schema: impl Into<String>, name: impl Into<String>) -> Self {
        QualifiedName {
            schema: Some(schema.into()),
            name: name.into(),
        }
    }
}

impl fmt::Display for QualifiedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.schema {
            Some(s) => write!(f, "{s}.{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// MySQL schema (database) defaults.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct MysqlSchema {
    /// Default character set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charset: Option<String>,
    /// Default collation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
}

/// A schema (PostgreSQL schema, MySQL database, SQLite attached database `main`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Schema {
    /// Schema name.
    pub name: String,
    /// Tables.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<Table>,
    /// Views and materialized views.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub views: Vec<View>,
    /// Functions and procedures.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routines: Vec<Routine>,
    /// Triggers on the schema's tables and views.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub triggers: Vec<Trigger>,
    /// Rewrite rules on the schema's tables and views (PostgreSQL).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<Rule>,
    /// Enum types.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enums: Vec<EnumType>,
    /// Domains.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub domains: Vec<Domain>,
    /// Composite types.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub composites: Vec<CompositeType>,
    /// Sequences (not those backing identity or serial columns).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sequences: Vec<Sequence>,
    /// User-defined collations (PostgreSQL).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub collations: Vec<Collation>,
    /// Comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// MySQL defaults.
    #[serde(default, skip_serializing_if = "crate::is_default")]
    pub mysql: MysqlSchema,
}

impl Schema {
    /// An empty schema.
    pub fn new(name: impl Into<String>) -> Self {
        Schema {
            name: name.into(),
            tables: Vec::new(),
            views: Vec::new(),
            routines: Vec::new(),
            triggers: Vec::new(),
            rules: Vec::new(),
            enums: Vec::new(),
            domains: Vec::new(),
            composites: Vec::new(),
            sequences: Vec::new(),
            collations: Vec::new(),
            comment: None,
            mysql: MysqlSchema::default(),
        }
    }

    /// Builder-style: add a table.
    pub fn with_table(mut self, table: Table) -> Self {
        self.tables.push(table);
        self
    }

    /// The table of that name.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// The view of that name.
    pub fn view(&self, name: &str) -> Option<&View> {
        self.views.iter().find(|v| v.name == name)
    }

    /// Whether the schema holds no objects at all.
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
            && self.views.is_empty()
            && self.routines.is_empty()
            && self.triggers.is_empty()
            && self.rules.is_empty()
            && self.enums.is_empty()
            && self.domains.is_empty()
            && self.composites.is_empty()
            && self.sequences.is_empty()
            && self.collations.is_empty()
    }
}

/// Everything a connection can see: schemas plus database-wide objects.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Realm {
    /// Schemas.
    #[serde(default)]
    pub schemas: Vec<Schema>,
    /// Extensions (PostgreSQL).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<Extension>,
    /// Which objects read which routines, as the catalog records it (see [`RoutineUse`]);
    /// empty where the driver does not read it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routine_uses: Vec<RoutineUse>,
}

impl Realm {
    /// A realm of the given schemas.
    pub fn new(schemas: Vec<Schema>) -> Self {
        Realm {
            schemas,
            extensions: Vec::new(),
            routine_uses: Vec::new(),
        }
    }

    /// The schema of that name.
    pub fn schema(&self, name: &str) -> Option<&Schema> {
        self.schemas.iter().find(|s| s.name == name)
    }

    /// The schema of that name, mutably.
    pub fn schema_mut(&mut self, name: &str) -> Option<&mut Schema> {
        self.schemas.iter_mut().find(|s| s.name == name)
    }

    /// Total number of tables across schemas.
    pub fn table_count(&self) -> usize {
        self.schemas.iter().map(|s| s.tables.len()).sum()
    }
}
