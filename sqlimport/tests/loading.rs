//! Loading files, directories and imports.

mod common;

use std::path::{Path, PathBuf};

use common::{TempDir, fixture, locations};
use sqlimport::{DialectKind, ImportError, load, load_str};

fn paths(files: &[PathBuf]) -> Vec<String> {
    files.iter().map(|f| f.display().to_string()).collect()
}

#[test]
fn directory_loads_top_level_sql_files_in_lexical_order() {
    let project = load(&fixture("dir_order"), DialectKind::Postgres).expect("loads");
    assert_eq!(paths(&project.files), ["a.sql", "b.sql", "c.sql"]);
    assert_eq!(
        locations(&project.statements),
        ["a.sql:1", "a.sql:2", "b.sql:1", "c.sql:1"]
    );
    assert_eq!(project.root, fixture("dir_order"));
}

#[test]
fn imports_of_files_and_directories_load_first_and_once() {
    let project = load(&fixture("imports/main.sql"), DialectKind::Postgres).expect("loads");
    // lib/ holds audit.sql and users.sql; both import types/enums.sql under different spellings,
    // and main.sql imports it a third way.
    assert_eq!(
        paths(&project.files),
        [
            "types/enums.sql",
            "lib/audit.sql",
            "lib/users.sql",
            "main.sql"
        ]
    );
    assert_eq!(
        locations(&project.statements),
        [
            "types/enums.sql:1",
            "lib/audit.sql:3",
            "lib/users.sql:3",
            "main.sql:5"
        ]
    );
}

#[test]
fn cycle_prints_the_chain() {
    let err = load(&fixture("cycle/a.sql"), DialectKind::Postgres).expect_err("cycle");
    assert_eq!(err.to_string(), "import cycle: a.sql:1 → b.sql:2 → a.sql");
    match err {
        ImportError::Cycle { chain } => assert_eq!(
            chain,
            vec![(PathBuf::from("a.sql"), 1), (PathBuf::from("b.sql"), 2)]
        ),
        other => panic!("unexpected {other:?}"),
    }
    let err = load(&fixture("cycle"), DialectKind::Postgres).expect_err("cycle");
    assert_eq!(err.to_string(), "import cycle: a.sql:1 → b.sql:2 → a.sql");
}

#[test]
fn cycle_through_a_directory_import() {
    let dir = TempDir::new("dircycle");
    dir.write("main.sql", "-- atlas:import sub/\nSELECT 1;");
    dir.write(
        "sub/x.sql",
        "-- header\n-- atlas:import ../main.sql\nSELECT 2;",
    );
    let err = load(&dir.path().join("main.sql"), DialectKind::Sqlite).expect_err("cycle");
    assert_eq!(
        err.to_string(),
        "import cycle: main.sql:1 → sub/x.sql:2 → main.sql"
    );
}

#[test]
fn missing_import_names_the_directive() {
    let err = load(&fixture("missing/main.sql"), DialectKind::Postgres).expect_err("missing");
    assert_eq!(
        err.to_string(),
        "main.sql:3: imported file not found: missing.sql"
    );
    let dir = TempDir::new("missingdir");
    dir.write("main.sql", "-- atlas:import nowhere/\n");
    let err = load(dir.path(), DialectKind::Postgres).expect_err("missing");
    assert_eq!(
        err.to_string(),
        "main.sql:1: imported file not found: nowhere"
    );
}

#[test]
fn unreadable_files() {
    let dir = TempDir::new("unreadable");
    std::fs::create_dir_all(dir.path().join("x.sql")).expect("dir named x.sql");
    dir.write("main.sql", "-- atlas:import x.sql\n\nSELECT 1;");
    let err = load(&dir.path().join("main.sql"), DialectKind::Postgres).expect_err("unreadable");
    let message = err.to_string();
    assert!(
        message.starts_with("cannot read x.sql: "),
        "unexpected message: {message}"
    );
    assert!(matches!(err, ImportError::Unreadable { .. }));

    // A dangling symlink in a loaded directory.
    let dangling = TempDir::new("dangling");
    dangling.write("a.sql", "SELECT 1;");
    std::os::unix::fs::symlink(
        dangling.path().join("gone.sql"),
        dangling.path().join("b.sql"),
    )
    .expect("symlink");
    let err = load(dangling.path(), DialectKind::Postgres).expect_err("unreadable");
    assert_eq!(
        err.to_string(),
        "cannot read b.sql: No such file or directory (os error 2)"
    );

    let err =
        load(Path::new("/nonexistent/schema.sql"), DialectKind::Postgres).expect_err("absent");
    assert_eq!(
        err.to_string(),
        "cannot read /nonexistent/schema.sql: No such file or directory (os error 2)"
    );
}

#[test]
fn not_sql_files() {
    let dir = TempDir::new("notsql");
    let notes = dir.write("notes.txt", "SELECT 1;");
    let err = load(&notes, DialectKind::Postgres).expect_err("not sql");
    assert!(err.to_string().starts_with("not a .sql file: "));
    dir.write("main.sql", "-- atlas:import notes.txt\n");
    let err = load(&dir.path().join("main.sql"), DialectKind::Postgres).expect_err("not sql");
    assert_eq!(err.to_string(), "main.sql:1: not a .sql file: notes.txt");
}

#[test]
fn load_str_resolves_imports_next_to_its_name() {
    let name = fixture("imports/inline.sql");
    let project = load_str(
        "-- atlas:import types/enums.sql\n\nCREATE TABLE t (s status);",
        &name,
        DialectKind::Postgres,
    )
    .expect("loads");
    assert_eq!(
        locations(&project.statements),
        ["types/enums.sql:1", "inline.sql:3"]
    );
}

#[test]
fn a_file_importing_itself_is_a_cycle() {
    let dir = TempDir::new("selfimport");
    dir.write("main.sql", "-- atlas:import ./main.sql\n");
    let err = load(dir.path(), DialectKind::Mysql).expect_err("cycle");
    assert_eq!(err.to_string(), "import cycle: main.sql:1 → main.sql");
}

#[test]
fn empty_directory_is_an_empty_project() {
    let dir = TempDir::new("empty");
    let project = load(dir.path(), DialectKind::Sqlite).expect("loads");
    assert!(project.statements.is_empty() && project.files.is_empty());
}
