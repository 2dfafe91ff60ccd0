//! Diff policies.

use std::collections::BTreeSet;

use crate::ObjectKind;

/// A hint that an object was renamed rather than dropped and recreated.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RenameHint {
    /// Table `from` in `schema` is now called `to`.
    Table {
        /// Schema name.
        schema: String,
        /// Old name.
        from: String,
        /// New name.
        to: String,
    },
    /// Column `from` of `schema.table` (the table's new name) is now called `to`.
    Column {
        /// Schema name.
        schema: String,
        /// Table name (after any table rename).
        table: String,
        /// Old name.
        from: String,
        /// New name.
        to: String,
    },
}

/// How to diff: which changes to leave out and how to read ambiguous ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffOptions {
    /// Object kinds whose drops are left out of the result (e.g. keep tables that exist in
    /// the database but not in the desired state).
    pub skip_drops: BTreeSet<ObjectKind>,
    /// Renames to plan instead of drop + add.
    pub renames: Vec<RenameHint>,
    /// Leave foreign keys that close a cycle between new tables out of their `AddTable`
    /// and add them afterwards with `ModifyTable` (needed by databases that check
    /// references at creation).
    pub defer_cyclic_foreign_keys: bool,
}

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions {
            skip_drops: BTreeSet::new(),
            renames: Vec::new(),
            defer_cyclic_foreign_keys: true,
        }
    }
}

impl DiffOptions {
    /// Builder-style: skip drops of a kind.
    pub fn skip_drops_of(mut self, kind: ObjectKind) -> Self {
        self.skip_drops.insert(kind);
        self
    }

    /// Builder-style: add a rename hint.
    pub fn rename(mut self, hint: RenameHint) -> Self {
        self.renames.push(hint);
        self
    }

    pub(crate) fn skips(&self, kind: ObjectKind) -> bool {
        self.skip_drops.contains(&kind)
    }
}
