//! What analyzers see: the change set plus the facts around it, and the per-file
//! bookkeeping Atlas's skip rules need ("created in the same file", …).

use std::collections::HashSet;

use schema_diff::{Change, TableChange};
use schema_model::{DialectKind, Realm, Table};

use crate::changeset::{ChangeSet, MigrationFile, Position, Statement};
use crate::preflight::QueryWriter;

/// Input of one analyzer run.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The files, statements and changes to analyze.
    pub changes: &'a ChangeSet,
    /// The database family, when known; dialect-specific rules need it.
    pub dialect: Option<DialectKind>,
    /// The schema before the first analyzed change, when known.
    pub current: Option<&'a Realm>,
    /// Rows pre-flight queries return at most.
    pub sample_limit: usize,
}

impl<'a> Context<'a> {
    /// A query writer for the context's dialect (`None` without a dialect).
    pub fn queries(&self) -> Option<QueryWriter> {
        self.dialect.map(|dialect| QueryWriter {
            dialect,
            limit: self.sample_limit,
        })
    }

    /// Every file with its index and the objects it creates.
    pub fn files(&self) -> impl Iterator<Item = (usize, &'a MigrationFile, FileScope)> {
        self.changes
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| (i, f, FileScope::of(f)))
    }

    /// Every change of a file with its position and statement.
    pub fn changes_of(
        file_index: usize,
        file: &'a MigrationFile,
    ) -> impl Iterator<Item = (Position, &'a Statement, &'a Change)> {
        file.statements.iter().enumerate().flat_map(move |(s, st)| {
            st.changes
                .iter()
                .enumerate()
                .map(move |(c, ch)| (Position::change(file_index, s, c), st, ch))
        })
    }
}

type Key = (String, String);
type ColumnKey = (String, String, String);

/// What one file creates and drops, for "same file" skip rules.
#[derive(Debug, Clone, Default)]
pub struct FileScope {
    /// Tables created in the file.
    pub created_tables: HashSet<Key>,
    /// Schemas dropped in the file.
    pub dropped_schemas: HashSet<String>,
    /// Schemas created in the file.
    pub created_schemas: HashSet<String>,
    /// Columns added to existing tables in the file.
    pub added_columns: HashSet<ColumnKey>,
    /// Columns dropped in the file.
    pub dropped_columns: HashSet<ColumnKey>,
    /// Foreign keys (by name) added in the file.
    pub added_foreign_keys: HashSet<ColumnKey>,
    /// Indexes (by name) created in the file on existing tables.
    pub added_indexes: HashSet<ColumnKey>,
}

impl FileScope {
    fn of(file: &MigrationFile) -> Self {
        let mut scope = FileScope::default();
        for st in &file.statements {
            for change in &st.changes {
                match change {
                    Change::AddTable { schema, table } => {
                        scope.created_tables.insert(key(schema, &table.name));
                    }
                    Change::DropSchema { schema } => {
                        scope.dropped_schemas.insert(schema.name.clone());
                    }
                    Change::AddSchema { schema } => {
                        scope.created_schemas.insert(schema.name.clone());
                    }
                    Change::ModifyTable {
                        schema,
                        to,
                        changes,
                        ..
                    } => {
                        for c in changes {
                            let col =
                                |name: &str| (schema.clone(), to.name.clone(), name.to_owned());
                            match c {
                                TableChange::AddColumn { column } => {
                                    scope.added_columns.insert(col(&column.name));
                                }
                                TableChange::DropColumn { column } => {
                                    scope.dropped_columns.insert(col(&column.name));
                                }
                                TableChange::AddForeignKey { key } => {
                                    scope.added_foreign_keys.insert(col(&key.name));
                                }
                                TableChange::AddIndex { index } => {
                                    scope.added_indexes.insert(col(&index.name));
                                }
                                _ => {}
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        scope
    }

    /// Whether `schema.table` was created in this file.
    pub fn created(&self, schema: &str, table: &str) -> bool {
        self.created_tables.contains(&key(schema, table))
    }

    /// Whether `column` of `schema.table` was added in this file (or its table created).
    pub fn column_is_new(&self, schema: &str, table: &str, column: &str) -> bool {
        self.created(schema, table)
            || self.added_columns.contains(&(
                schema.to_owned(),
                table.to_owned(),
                column.to_owned(),
            ))
    }

    /// Whether `column` of `schema.table` is dropped in this file.
    pub fn column_dropped(&self, schema: &str, table: &str, column: &str) -> bool {
        self.dropped_columns
            .contains(&(schema.to_owned(), table.to_owned(), column.to_owned()))
    }
}

fn key(schema: &str, table: &str) -> Key {
    (schema.to_owned(), table.to_owned())
}

/// The table modifications of a change: `(schema, from, to, inner changes)`.
pub(crate) fn modify_table(change: &Change) -> Option<(&str, &Table, &Table, &[TableChange])> {
    match change {
        Change::ModifyTable {
            schema,
            from,
            to,
            changes,
        } => Some((schema, from, to, changes)),
        _ => None,
    }
}
