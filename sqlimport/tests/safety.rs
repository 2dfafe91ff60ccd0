//! The loader never panics, hangs or reads outside the project (issue 9): each reproducer of
//! the issue is a test here.

mod common;

use std::path::Path;
use std::process::Command;

use common::{TempDir, locations};
use sqlimport::{DialectKind, ImportError, LoadOptions, load, load_str, load_with, order, split};

fn allow_outside() -> LoadOptions {
    LoadOptions::default().allow_outside_root(true)
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("runs mkfifo");
    assert!(status.success(), "mkfifo {} failed", path.display());
}

#[test]
fn unfinished_add_constraint_is_not_a_panic() {
    for sql in [
        "ALTER TABLE t ADD CONSTRAINT",
        "ALTER TABLE t ADD CONSTRAINT;",
        "CREATE TABLE t (id int); ALTER TABLE t ADD CONSTRAINT",
        "ALTER TABLE t ADD CONSTRAINT, ADD CONSTRAINT c",
    ] {
        for dialect in [
            DialectKind::Postgres,
            DialectKind::Mysql,
            DialectKind::Sqlite,
        ] {
            let statements = split(sql, Path::new("t.sql"), dialect).expect("splits");
            let ordered = order(statements.clone(), dialect).expect("orders");
            assert_eq!(ordered.len(), statements.len(), "{sql}");
        }
    }
}

#[test]
fn import_chain_ten_thousand_files_deep() {
    const DEPTH: usize = 10_000;
    let dir = TempDir::new("deep");
    for i in 0..DEPTH {
        let import = if i + 1 < DEPTH {
            format!("-- atlas:import f{}.sql\n\n", i + 1)
        } else {
            String::new()
        };
        dir.write(
            &format!("f{i}.sql"),
            &format!("{import}CREATE TABLE t{i} (id int);\n"),
        );
    }
    let project = load(&dir.path().join("f0.sql"), DialectKind::Sqlite).expect("loads");
    assert_eq!(project.files.len(), DEPTH);
    // The deepest import loads first.
    assert_eq!(project.files[0], Path::new("f9999.sql"));
    assert_eq!(project.statements[0].sql, "CREATE TABLE t9999 (id int)");
    assert_eq!(
        project.statements[DEPTH - 1].location.to_string(),
        "f0.sql:3"
    );
}

#[test]
fn deep_import_cycle_is_reported_without_recursion() {
    const DEPTH: usize = 5_000;
    let dir = TempDir::new("deepcycle");
    for i in 0..DEPTH {
        let next = (i + 1) % DEPTH;
        dir.write(
            &format!("f{i}.sql"),
            &format!("-- atlas:import f{next}.sql\n"),
        );
    }
    let err = load(&dir.path().join("f0.sql"), DialectKind::Sqlite).expect_err("cycle");
    let ImportError::Cycle { chain } = err else {
        panic!("expected a cycle, got {err}");
    };
    assert_eq!(chain.len(), DEPTH);
    assert_eq!(chain[0], (Path::new("f0.sql").to_path_buf(), 1));
}

#[test]
fn named_pipe_import_is_refused_not_waited_on() {
    let dir = TempDir::new("fifo");
    mkfifo(&dir.path().join("pipe.sql"));
    dir.write("main.sql", "-- atlas:import pipe.sql\n\nSELECT 1;");
    let err = load(&dir.path().join("main.sql"), DialectKind::Postgres).expect_err("a FIFO");
    assert_eq!(
        err.to_string(),
        "main.sql:1: not a regular file: pipe.sql is a named pipe"
    );

    // Given directly, and listed in a loaded directory.
    let err = load(&dir.path().join("pipe.sql"), DialectKind::Postgres).expect_err("a FIFO");
    assert!(
        matches!(err, ImportError::NotAFile { at: None, .. }),
        "{err}"
    );
    let err = load(dir.path(), DialectKind::Postgres).expect_err("a FIFO");
    assert!(matches!(err, ImportError::NotAFile { .. }), "{err}");
}

#[test]
fn symlink_to_dev_zero_is_refused() {
    let dir = TempDir::new("zero");
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.sql")).expect("symlink");
    dir.write("main.sql", "-- atlas:import zero.sql\n\nSELECT 1;");
    let main = dir.path().join("main.sql");
    let err = load(&main, DialectKind::Sqlite).expect_err("outside");
    assert!(matches!(err, ImportError::OutsideRoot { .. }), "{err}");
    // Allowed outside the root, it is still not a regular file.
    let err = load_with(&main, DialectKind::Sqlite, &allow_outside()).expect_err("a device");
    assert_eq!(
        err.to_string(),
        "main.sql:1: not a regular file: zero.sql is a character device"
    );
}

#[test]
fn symlinks_to_system_files_are_refused_without_reading_them() {
    let dir = TempDir::new("passwd");
    for (name, target) in [
        ("passwd.sql", "/etc/passwd"),
        ("environ.sql", "/proc/self/environ"),
    ] {
        std::os::unix::fs::symlink(target, dir.path().join(name)).expect("symlink");
        let main = format!("main_{name}");
        dir.write(&main, &format!("-- atlas:import {name}\n\nSELECT 1;"));
        let err = load(&dir.path().join(&main), DialectKind::Sqlite).expect_err("outside");
        let root = dir.path().display();
        assert_eq!(
            err.to_string(),
            format!(
                "{main}:1: import outside the project root refused: {name} (the root is {root})"
            )
        );
    }
    // `/proc` files report a size of 0: the limit holds while reading. (The importing file
    // has 38 bytes; the environment of a test process has more than 100.)
    let tiny = allow_outside().max_file_size(100);
    let main = dir.path().join("main_environ.sql");
    let err = load_with(&main, DialectKind::Sqlite, &tiny).expect_err("too large");
    assert_eq!(
        err.to_string(),
        "main_environ.sql:1: environ.sql is larger than the limit of 100 bytes"
    );
}

#[test]
fn parent_and_absolute_imports_are_refused_unless_allowed() {
    let outer = TempDir::new("outer");
    outer.write("shared.sql", "CREATE TABLE shared (id int);");
    outer.write(
        "project/main.sql",
        "-- atlas:import ../shared.sql\n\nSELECT 1;",
    );
    let absolute = outer.path().join("shared.sql");
    outer.write(
        "project/abs.sql",
        &format!(
            "-- note\n-- atlas:import {}\n\nSELECT 1;",
            absolute.display()
        ),
    );
    outer.write("project/dir.sql", "-- atlas:import ../\n\nSELECT 1;");
    let main = outer.path().join("project/main.sql");

    let err = load(&main, DialectKind::Sqlite).expect_err("outside");
    let root = outer.path().join("project");
    assert_eq!(
        err.to_string(),
        format!(
            "main.sql:1: import outside the project root refused: ../shared.sql (the root is {})",
            root.display()
        )
    );
    let err =
        load(&outer.path().join("project/abs.sql"), DialectKind::Sqlite).expect_err("outside");
    let ImportError::OutsideRoot { at: Some(at), .. } = &err else {
        panic!("expected a located refusal, got {err}");
    };
    assert_eq!(at.to_string(), "abs.sql:2");
    let err =
        load(&outer.path().join("project/dir.sql"), DialectKind::Sqlite).expect_err("outside");
    assert!(matches!(err, ImportError::OutsideRoot { .. }), "{err}");

    let project = load_with(&main, DialectKind::Sqlite, &allow_outside()).expect("allowed");
    assert_eq!(
        locations(&project.statements),
        ["../shared.sql:1", "main.sql:3"]
    );
}

#[test]
fn symlinked_directory_escaping_the_root_is_refused() {
    let outer = TempDir::new("symdir");
    outer.write("elsewhere/x.sql", "CREATE TABLE x (id int);");
    outer.write(
        "project/main.sql",
        "-- atlas:import lib/\n-- atlas:import lib2/x.sql\n",
    );
    std::os::unix::fs::symlink(
        outer.path().join("elsewhere"),
        outer.path().join("project/lib"),
    )
    .expect("symlink");
    std::os::unix::fs::symlink(
        outer.path().join("elsewhere"),
        outer.path().join("project/lib2"),
    )
    .expect("symlink");
    let main = outer.path().join("project/main.sql");
    let err = load(&main, DialectKind::Sqlite).expect_err("outside");
    let ImportError::OutsideRoot {
        at: Some(at), path, ..
    } = &err
    else {
        panic!("expected a located refusal, got {err}");
    };
    assert_eq!(
        (at.to_string(), path.as_path()),
        ("main.sql:1".into(), Path::new("lib"))
    );

    // A symlink whose target stays inside the root is fine.
    let inside = TempDir::new("symin");
    inside.write("real/t.sql", "CREATE TABLE t (id int);");
    inside.write("main.sql", "-- atlas:import alias.sql\n\nSELECT 1;");
    std::os::unix::fs::symlink(
        inside.path().join("real/t.sql"),
        inside.path().join("alias.sql"),
    )
    .expect("symlink");
    let project = load(&inside.path().join("main.sql"), DialectKind::Sqlite).expect("loads");
    assert_eq!(
        locations(&project.statements),
        ["alias.sql:1", "main.sql:3"]
    );
}

#[test]
fn files_over_the_size_limit_are_refused() {
    let dir = TempDir::new("size");
    dir.write("big.sql", &"SELECT 1;\n".repeat(100));
    dir.write("main.sql", "-- atlas:import big.sql\n\nSELECT 2;");
    let main = dir.path().join("main.sql");
    let limited = LoadOptions::default().max_file_size(999);
    let err = load_with(&main, DialectKind::Mysql, &limited).expect_err("too large");
    assert_eq!(
        err.to_string(),
        "main.sql:1: big.sql is larger than the limit of 999 bytes"
    );
    let exact = LoadOptions::default().max_file_size(1000);
    let project = load_with(&main, DialectKind::Mysql, &exact).expect("at the limit");
    assert_eq!(project.statements.len(), 101);
    assert_eq!(
        LoadOptions::default().max_file_size,
        LoadOptions::DEFAULT_MAX_FILE_SIZE
    );
}

#[test]
fn errors_quote_a_bounded_excerpt() {
    let garbage = format!(")))) {}", "x ".repeat(50_000));
    let err = load_str(&garbage, Path::new("g.sql"), DialectKind::Postgres).expect_err("garbage");
    let message = err.to_string();
    assert!(message.len() < 100, "unbounded message: {message}");
    assert!(
        message.starts_with("g.sql:1: not a SQL statement: \"))))"),
        "{message}"
    );
}

#[test]
fn long_word_full_of_custom_delimiters_splits_in_linear_time() {
    // Each `x` ends a statement; re-lexing the rest of the word at every cut was quadratic.
    let sql = format!("DELIMITER x\nSELECT a{}", "xa".repeat(200_000));
    let statements = split(&sql, Path::new("m.sql"), DialectKind::Mysql).expect("splits");
    assert_eq!(statements.len(), 200_001);
    assert_eq!(statements[0].sql, "SELECT a");
    assert_eq!(statements[1].sql, "a");
}

#[test]
fn deeply_nested_dollar_quotes_are_read_to_a_bounded_depth() {
    let depth = 2_000;
    let mut body = "SELECT 1".to_string();
    for d in 0..depth {
        body = format!("$t{d}$ {body} $t{d}$");
    }
    let sql = format!(
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS {body};\nCREATE TABLE t (id int);"
    );
    let statements = split(&sql, Path::new("p.sql"), DialectKind::Postgres).expect("splits");
    let ordered = order(statements, DialectKind::Postgres).expect("orders");
    assert_eq!(ordered.len(), 2);
}
