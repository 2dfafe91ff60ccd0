//! The changes between two realms.
//!
//! Every variant carries the complete objects involved (both sides for a modification), so a
//! renderer never has to look anything up and lint rules can reason about the state before.

use serde::{Deserialize, Serialize};

use schema_model::{
    Check, Collation, Column, CompositeType, Domain, EnumType, Exclusion, Extension, ForeignKey,
    Index, Policy, PrimaryKey, Routine, Rule, Schema, Sequence, Table, Trigger, View,
};

/// Kinds of objects, used by diff policies (e.g. "skip drops of tables") and reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    /// Schemas.
    Schema,
    /// Extensions.
    Extension,
    /// Tables.
    Table,
    /// Columns.
    Column,
    /// Primary keys.
    PrimaryKey,
    /// Indexes and unique constraints.
    Index,
    /// Foreign keys.
    ForeignKey,
    /// Check constraints.
    Check,
    /// Exclusion constraints.
    Exclusion,
    /// Row-level-security policies.
    Policy,
    /// Views and materialized views.
    View,
    /// Functions and procedures.
    Routine,
    /// Triggers.
    Trigger,
    /// Rewrite rules (PostgreSQL).
    Rule,
    /// Enum types.
    Enum,
    /// Domains.
    Domain,
    /// Composite types.
    Composite,
    /// Sequences.
    Sequence,
    /// Collations.
    Collation,
}

/// What differs between two versions of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct ColumnChanges {
    /// The type changed.
    pub ty: bool,
    /// Nullability changed.
    pub nullable: bool,
    /// The default changed (added, dropped or altered).
    pub default: bool,
    /// Identity or auto-increment changed.
    pub identity: bool,
    /// The generation expression changed (or appeared/disappeared).
    pub generated: bool,
    /// The collation changed.
    pub collation: bool,
    /// The comment changed.
    pub comment: bool,
    /// Dialect attributes (MySQL `ON UPDATE`, invisibility, charset) changed.
    pub attrs: bool,
}

impl ColumnChanges {
    /// Whether anything changed.
    pub fn any(&self) -> bool {
        self.ty
            || self.nullable
            || self.default
            || self.identity
            || self.generated
            || self.collation
            || self.comment
            || self.attrs
    }
}

/// A change inside one table.
// Changes are built once per plan and matched by every renderer and analyzer; boxing the
// large variants would cost more in readability than the memory it saves.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "op")]
pub enum TableChange {
    /// Add a column.
    AddColumn {
        /// The new column.
        column: Column,
    },
    /// Drop a column.
    DropColumn {
        /// The dropped column.
        column: Column,
    },
    /// Alter a column in place.
    ModifyColumn {
        /// Before.
        from: Column,
        /// After.
        to: Column,
        /// What differs.
        changes: ColumnChanges,
    },
    /// Rename a column (only with a rename hint; otherwise drop + add).
    RenameColumn {
        /// Old name.
        from: String,
        /// New name.
        to: String,
    },
    /// Add a primary key.
    AddPrimaryKey {
        /// The key.
        key: PrimaryKey,
    },
    /// Drop the primary key.
    DropPrimaryKey {
        /// The key.
        key: PrimaryKey,
    },
    /// Replace the primary key.
    ModifyPrimaryKey {
        /// Before.
        from: PrimaryKey,
        /// After.
        to: PrimaryKey,
    },
    /// Create an index or unique constraint.
    AddIndex {
        /// The index.
        index: Index,
    },
    /// Drop an index or unique constraint.
    DropIndex {
        /// The index.
        index: Index,
    },
    /// Replace an index whose definition changed (drop + create, or in place where the
    /// database can: comments, visibility).
    ModifyIndex {
        /// Before.
        from: Index,
        /// After.
        to: Index,
    },
    /// Add a foreign key.
    AddForeignKey {
        /// The key.
        key: ForeignKey,
    },
    /// Drop a foreign key.
    DropForeignKey {
        /// The key.
        key: ForeignKey,
    },
    /// Replace a foreign key.
    ModifyForeignKey {
        /// Before.
        from: ForeignKey,
        /// After.
        to: ForeignKey,
    },
    /// Add a check.
    AddCheck {
        /// The check.
        check: Check,
    },
    /// Drop a check.
    DropCheck {
        /// The check.
        check: Check,
    },
    /// Replace a check.
    ModifyCheck {
        /// Before.
        from: Check,
        /// After.
        to: Check,
    },
    /// Add an exclusion constraint.
    AddExclusion {
        /// The constraint.
        exclusion: Exclusion,
    },
    /// Drop an exclusion constraint.
    DropExclusion {
        /// The constraint.
        exclusion: Exclusion,
    },
    /// Add a policy.
    AddPolicy {
        /// The policy.
        policy: Policy,
    },
    /// Drop a policy.
    DropPolicy {
        /// The policy.
        policy: Policy,
    },
    /// Alter a policy.
    ModifyPolicy {
        /// Before.
        from: Policy,
        /// After.
        to: Policy,
    },
    /// The table's comment changed.
    ModifyComment {
        /// Before.
        from: Option<String>,
        /// After.
        to: Option<String>,
    },
    /// Table options (SQLite/MySQL/PostgreSQL attributes) changed; compare `from`/`to` of the
    /// enclosing [`Change::ModifyTable`] for details.
    ModifyOptions,
}

/// One change between two realms. Schema-qualified objects carry their schema's name.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "op")]
pub enum Change {
    /// Create a schema (its objects follow as their own changes).
    AddSchema {
        /// The schema's attributes; its object lists are empty.
        schema: Schema,
    },
    /// Drop a schema and everything in it.
    DropSchema {
        /// The schema as it was, with its objects.
        schema: Schema,
    },
    /// Schema attributes (comment, MySQL charset/collation) changed.
    ModifySchema {
        /// Before (attributes only).
        from: Schema,
        /// After (attributes only).
        to: Schema,
    },
    /// Install an extension.
    AddExtension {
        /// The extension.
        extension: Extension,
    },
    /// Remove an extension.
    DropExtension {
        /// The extension.
        extension: Extension,
    },
    /// Change an extension's version or schema.
    ModifyExtension {
        /// Before.
        from: Extension,
        /// After.
        to: Extension,
    },
    /// Create a table. Foreign keys that close a cycle are left out here and added by a
    /// later [`Change::ModifyTable`].
    AddTable {
        /// Schema name.
        schema: String,
        /// The table.
        table: Table,
    },
    /// Drop a table.
    DropTable {
        /// Schema name.
        schema: String,
        /// The table as it was.
        table: Table,
    },
    /// Alter a table.
    ModifyTable {
        /// Schema name.
        schema: String,
        /// Before.
        from: Table,
        /// After.
        to: Table,
        /// What changes, in the order to apply.
        changes: Vec<TableChange>,
    },
    /// Rename a table (only with a rename hint).
    RenameTable {
        /// Schema name.
        schema: String,
        /// Old name.
        from: String,
        /// New name.
        to: String,
    },
    /// Create a view.
    AddView {
        /// Schema name.
        schema: String,
        /// The view.
        view: View,
    },
    /// Drop a view.
    DropView {
        /// Schema name.
        schema: String,
        /// The view.
        view: View,
    },
    /// Replace a view's definition or attributes.
    ModifyView {
        /// Schema name.
        schema: String,
        /// Before.
        from: View,
        /// After.
        to: View,
    },
    /// Create a function or procedure.
    AddRoutine {
        /// Schema name.
        schema: String,
        /// The routine.
        routine: Routine,
    },
    /// Drop a function or procedure.
    DropRoutine {
        /// Schema name.
        schema: String,
        /// The routine.
        routine: Routine,
    },
    /// Replace a routine's definition.
    ModifyRoutine {
        /// Schema name.
        schema: String,
        /// Before.
        from: Routine,
        /// After.
        to: Routine,
    },
    /// Create a trigger.
    AddTrigger {
        /// Schema name.
        schema: String,
        /// The trigger.
        trigger: Trigger,
    },
    /// Drop a trigger.
    DropTrigger {
        /// Schema name.
        schema: String,
        /// The trigger.
        trigger: Trigger,
    },
    /// Replace a trigger.
    ModifyTrigger {
        /// Schema name.
        schema: String,
        /// Before.
        from: Trigger,
        /// After.
        to: Trigger,
    },
    /// Create a rule.
    AddRule {
        /// Schema name.
        schema: String,
        /// The rule.
        rule: Rule,
    },
    /// Drop a rule.
    DropRule {
        /// Schema name.
        schema: String,
        /// The rule.
        rule: Rule,
    },
    /// Replace a rule.
    ModifyRule {
        /// Schema name.
        schema: String,
        /// Before.
        from: Rule,
        /// After.
        to: Rule,
    },
    /// Create an enum type.
    AddEnum {
        /// Schema name.
        schema: String,
        /// The enum.
        enum_type: EnumType,
    },
    /// Drop an enum type.
    DropEnum {
        /// Schema name.
        schema: String,
        /// The enum.
        enum_type: EnumType,
    },
    /// Change an enum: `added` lists new labels with the label they go after (`None` =
    /// first). When labels were removed or reordered, the change cannot be done in place and
    /// `added` is empty while `from`/`to` differ; renderers then recreate the type.
    ModifyEnum {
        /// Schema name.
        schema: String,
        /// Before.
        from: EnumType,
        /// After.
        to: EnumType,
        /// Labels to add in place, with the existing label each goes after.
        added: Vec<(String, Option<String>)>,
    },
    /// Create a domain.
    AddDomain {
        /// Schema name.
        schema: String,
        /// The domain.
        domain: Domain,
    },
    /// Drop a domain.
    DropDomain {
        /// Schema name.
        schema: String,
        /// The domain.
        domain: Domain,
    },
    /// Alter a domain.
    ModifyDomain {
        /// Schema name.
        schema: String,
        /// Before.
        from: Domain,
        /// After.
        to: Domain,
    },
    /// Create a composite type.
    AddComposite {
        /// Schema name.
        schema: String,
        /// The type.
        composite: CompositeType,
    },
    /// Drop a composite type.
    DropComposite {
        /// Schema name.
        schema: String,
        /// The type.
        composite: CompositeType,
    },
    /// Alter a composite type.
    ModifyComposite {
        /// Schema name.
        schema: String,
        /// Before.
        from: CompositeType,
        /// After.
        to: CompositeType,
    },
    /// Create a sequence.
    AddSequence {
        /// Schema name.
        schema: String,
        /// The sequence.
        sequence: Sequence,
    },
    /// Drop a sequence.
    DropSequence {
        /// Schema name.
        schema: String,
        /// The sequence.
        sequence: Sequence,
    },
    /// Alter a sequence.
    ModifySequence {
        /// Schema name.
        schema: String,
        /// Before.
        from: Sequence,
        /// After.
        to: Sequence,
    },
    /// Create a collation.
    AddCollation {
        /// Schema name.
        schema: String,
        /// The collation.
        collation: Collation,
    },
    /// Drop a collation.
    DropCollation {
        /// Schema name.
        schema: String,
        /// The collation.
        collation: Collation,
    },
    /// Change a collation (PostgreSQL can change only its comment in place).
    ModifyCollation {
        /// Schema name.
        schema: String,
        /// Before.
        from: Collation,
        /// After.
        to: Collation,
    },
}

impl TableChange {
    /// True when the change only gives the primary key another name (a renamed table keeps
    /// its key's old name on PostgreSQL): the database renames the constraint in place, and
    /// nothing that references the key is disturbed.
    pub fn renames_key_only(&self) -> bool {
        match self {
            TableChange::ModifyPrimaryKey { from, to } => {
                from.name.is_some()
                    && to.name.is_some()
                    && from.name != to.name
                    && PrimaryKey {
                        name: to.name.clone(),
                        ..from.clone()
                    } == *to
            }
            _ => false,
        }
    }
}

impl Change {
    /// The kind of object the change is about.
    pub fn kind(&self) -> ObjectKind {
        use Change::*;
        match self {
            AddSchema { .. } | DropSchema { .. } | ModifySchema { .. } => ObjectKind::Schema,
            AddExtension { .. } | DropExtension { .. } | ModifyExtension { .. } => {
                ObjectKind::Extension
            }
            AddTable { .. } | DropTable { .. } | ModifyTable { .. } | RenameTable { .. } => {
                ObjectKind::Table
            }
            AddView { .. } | DropView { .. } | ModifyView { .. } => ObjectKind::View,
            AddRoutine { .. } | DropRoutine { .. } | ModifyRoutine { .. } => ObjectKind::Routine,
            AddTrigger { .. } | DropTrigger { .. } | ModifyTrigger { .. } => ObjectKind::Trigger,
            AddRule { .. } | DropRule { .. } | ModifyRule { .. } => ObjectKind::Rule,
            AddEnum { .. } | DropEnum { .. } | ModifyEnum { .. } => ObjectKind::Enum,
            AddDomain { .. } | DropDomain { .. } | ModifyDomain { .. } => ObjectKind::Domain,
            AddComposite { .. } | DropComposite { .. } | ModifyComposite { .. } => {
                ObjectKind::Composite
            }
            AddSequence { .. } | DropSequence { .. } | ModifySequence { .. } => {
                ObjectKind::Sequence
            }
            AddCollation { .. } | DropCollation { .. } | ModifyCollation { .. } => {
                ObjectKind::Collation
            }
        }
    }

    /// The schema the changed object lives in (`None` for schemas and extensions).
    pub fn schema(&self) -> Option<&str> {
        use Change::*;
        match self {
            AddSchema { .. }
            | DropSchema { .. }
            | ModifySchema { .. }
            | AddExtension { .. }
            | DropExtension { .. }
            | ModifyExtension { .. } => None,
            AddTable { schema, .. }
            | DropTable { schema, .. }
            | ModifyTable { schema, .. }
            | RenameTable { schema, .. }
            | AddView { schema, .. }
            | DropView { schema, .. }
            | ModifyView { schema, .. }
            | AddRoutine { schema, .. }
            | DropRoutine { schema, .. }
            | ModifyRoutine { schema, .. }
            | AddTrigger { schema, .. }
            | DropTrigger { schema, .. }
            | ModifyTrigger { schema, .. }
            | AddRule { schema, .. }
            | DropRule { schema, .. }
            | ModifyRule { schema, .. }
            | AddEnum { schema, .. }
            | DropEnum { schema, .. }
            | ModifyEnum { schema, .. }
            | AddDomain { schema, .. }
            | DropDomain { schema, .. }
            | ModifyDomain { schema, .. }
            | AddComposite { schema, .. }
            | DropComposite { schema, .. }
            | ModifyComposite { schema, .. }
            | AddSequence { schema, .. }
            | DropSequence { schema, .. }
            | ModifySequence { schema, .. }
            | AddCollation { schema, .. }
            | DropCollation { schema, .. }
            | ModifyCollation { schema, .. } => Some(schema),
        }
    }

    /// Whether the change removes an object (used by destructive-change policies).
    pub fn is_drop(&self) -> bool {
        use Change::*;
        matches!(
            self,
            DropSchema { .. }
                | DropExtension { .. }
                | DropTable { .. }
                | DropView { .. }
                | DropRoutine { .. }
                | DropTrigger { .. }
                | DropRule { .. }
                | DropEnum { .. }
                | DropDomain { .. }
                | DropComposite { .. }
                | DropSequence { .. }
                | DropCollation { .. }
        )
    }
}
