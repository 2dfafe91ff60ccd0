//! Shared builders for lint tests: tables, per-statement diffs, files.
#![allow(dead_code)]

use schema_diff::{Change, DiffOptions, RenameHint, diff};
use schema_lint::{ChangeSet, Linter, MigrationFile, Report, Statement};
use schema_model::*;

pub const SCHEMA: &str = "public";

pub fn col(name: &str) -> Column {
    Column::new(name, ColumnType::int(IntWidth::Int))
}

pub fn table(name: &str, columns: &[Column]) -> Table {
    let mut t = Table::new(name);
    t.columns = columns.to_vec();
    t
}

pub fn with_pk(mut t: Table, cols: &[&str]) -> Table {
    t.primary_key = Some(PrimaryKey::on_columns(cols));
    t
}

pub fn realm(tables: &[Table]) -> Realm {
    let mut schema = Schema::new(SCHEMA);
    schema.tables = tables.to_vec();
    Realm::new(vec![schema])
}

/// The changes between two table lists, as one statement would produce them.
pub fn step(before: &[Table], after: &[Table]) -> Vec<Change> {
    diff(&realm(before), &realm(after), &DiffOptions::default())
}

/// The changes with rename hints.
pub fn step_renaming(before: &[Table], after: &[Table], renames: Vec<RenameHint>) -> Vec<Change> {
    let options = DiffOptions {
        renames,
        ..DiffOptions::default()
    };
    diff(&realm(before), &realm(after), &options)
}

/// A file of `(line, sql, changes)` statements.
pub fn file(name: &str, statements: Vec<(usize, &str, Vec<Change>)>) -> MigrationFile {
    let mut f = MigrationFile::new(name);
    for (line, sql, changes) in statements {
        f = f.with_statement(Statement::new(line, sql, changes));
    }
    f
}

pub fn run(dialect: DialectKind, files: Vec<MigrationFile>) -> Report {
    Linter::default()
        .dialect(dialect)
        .run(&ChangeSet::new(files), None)
}

pub fn codes(report: &Report) -> Vec<String> {
    report.diagnostics.iter().map(|d| d.code.clone()).collect()
}

pub fn idx(name: &str, cols: &[&str], unique: bool) -> Index {
    let mut i = Index::on_columns(name, cols);
    i.unique = unique;
    i
}

pub fn fk(name: &str, cols: &[&str], parent: &str, ref_cols: &[&str]) -> ForeignKey {
    ForeignKey {
        name: name.into(),
        columns: cols.iter().map(|c| (*c).to_owned()).collect(),
        ref_table: QualifiedName::bare(parent),
        ref_columns: ref_cols.iter().map(|c| (*c).to_owned()).collect(),
        on_update: ReferentialAction::NoAction,
        on_delete: ReferentialAction::NoAction,
        deferrable: Deferrable::Not,
        match_full: false,
    }
}
