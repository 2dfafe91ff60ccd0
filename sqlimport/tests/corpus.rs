//! The corpus of realistic schemas: each file runs as written, runs in the computed order, and
//! still runs after being scattered across randomly importing files (SQLite, executed here in
//! memory; PostgreSQL and MySQL run on real servers in `servers.rs`).

mod common;

use std::path::Path;

use common::{TempDir, corpus_files, texts};
use sqlimport::scatter::scatter;
use sqlimport::{DialectKind, Statement, load, split};

const SEEDS: u64 = 50;

fn statements_of(file: &Path, dialect: DialectKind) -> Vec<Statement> {
    let sql = std::fs::read_to_string(file).expect("reads corpus file");
    split(&sql, file, dialect).expect("splits")
}

fn execute_sqlite(statements: &[Statement]) -> Result<(), String> {
    let conn = rusqlite::Connection::open_in_memory().map_err(|e| e.to_string())?;
    for s in statements {
        conn.execute_batch(&s.sql)
            .map_err(|e| format!("{}: {e}\n{}", s.location, s.sql))?;
    }
    Ok(())
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn corpus_has_enough_schemas() {
    for dialect in ["postgres", "mysql", "sqlite"] {
        assert!(corpus_files(dialect).len() >= 5, "{dialect} corpus");
    }
}

#[test]
fn corpus_files_in_working_order_keep_it() {
    // Each corpus file runs as written, so nothing in it needs to move.
    for (dir, dialect) in [
        ("postgres", DialectKind::Postgres),
        ("mysql", DialectKind::Mysql),
        ("sqlite", DialectKind::Sqlite),
    ] {
        for file in corpus_files(dir) {
            let written = statements_of(&file, dialect);
            let project = load(&file, dialect).expect("loads");
            assert_eq!(
                texts(&project.statements),
                texts(&written),
                "{} was reordered",
                file.display()
            );
        }
    }
}

#[test]
fn sqlite_corpus_runs_as_written_and_as_ordered() {
    for file in corpus_files("sqlite") {
        let written = statements_of(&file, DialectKind::Sqlite);
        execute_sqlite(&written).unwrap_or_else(|e| panic!("as written: {e}"));
        let project = load(&file, DialectKind::Sqlite).expect("loads");
        assert_eq!(sorted(texts(&project.statements)), sorted(texts(&written)));
        execute_sqlite(&project.statements).unwrap_or_else(|e| panic!("ordered: {e}"));
    }
}

#[test]
fn sqlite_corpus_survives_scattering() {
    for file in corpus_files("sqlite") {
        let written = statements_of(&file, DialectKind::Sqlite);
        for seed in 0..SEEDS {
            let dir = TempDir::new("scatter-sqlite");
            let files = 1 + (seed as usize * 7) % 12;
            let root = scatter(&written, seed, files, dir.path()).expect("scatters");
            let project = load(&root, DialectKind::Sqlite)
                .unwrap_or_else(|e| panic!("{} seed {seed}: {e}", file.display()));
            assert_eq!(
                sorted(texts(&project.statements)),
                sorted(texts(&written)),
                "{} seed {seed}: statements lost or duplicated",
                file.display()
            );
            if let Err(e) = execute_sqlite(&project.statements) {
                panic!("{} seed {seed} ({files} files): {e}", file.display());
            }
        }
    }
}

#[test]
fn postgres_and_mysql_corpora_load_whole_after_scattering() {
    for (dir_name, dialect) in [
        ("postgres", DialectKind::Postgres),
        ("mysql", DialectKind::Mysql),
    ] {
        for file in corpus_files(dir_name) {
            let written = statements_of(&file, dialect);
            let project = load(&file, dialect).expect("loads");
            assert_eq!(sorted(texts(&project.statements)), sorted(texts(&written)));
            for seed in 0..10 {
                let dir = TempDir::new("scatter-load");
                let root =
                    scatter(&written, seed, 2 + seed as usize, dir.path()).expect("scatters");
                let scattered = load(&root, dialect)
                    .unwrap_or_else(|e| panic!("{} seed {seed}: {e}", file.display()));
                assert_eq!(
                    sorted(texts(&scattered.statements)),
                    sorted(texts(&written)),
                    "{} seed {seed}",
                    file.display()
                );
            }
        }
    }
}

#[test]
fn scatter_is_deterministic_and_reaches_every_file() {
    let written = statements_of(&corpus_files("sqlite")[0], DialectKind::Sqlite);
    let a = TempDir::new("det-a");
    let b = TempDir::new("det-b");
    scatter(&written, 42, 9, a.path()).expect("scatters");
    scatter(&written, 42, 9, b.path()).expect("scatters");
    let listing = |dir: &Path| {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).expect("lists") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let rel = path.strip_prefix(dir).expect("inside").to_path_buf();
                    out.push((rel, std::fs::read_to_string(&path).expect("reads")));
                }
            }
        }
        out.sort();
        out
    };
    let (la, lb) = (listing(a.path()), listing(b.path()));
    assert_eq!(la, lb);
    assert_eq!(la.len(), 9);
    let project = load(&a.path().join("main.sql"), DialectKind::Sqlite).expect("loads");
    assert_eq!(
        project.files.len(),
        9,
        "every file is reachable from main.sql"
    );
    assert!(
        scatter(&written, 1, 2, a.path()).is_err(),
        "refuses a non-empty directory"
    );
}

#[test]
fn scatter_uses_directory_imports_and_custom_delimiters() {
    let written = statements_of(&corpus_files("mysql")[0], DialectKind::Mysql);
    let (mut dir_imports, mut delimiters, mut directives) = (0, 0, 0);
    for seed in 0..20 {
        let dir = TempDir::new("scatter-kinds");
        scatter(&written, seed, 9, dir.path()).expect("scatters");
        let mut stack = vec![dir.path().to_path_buf()];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).expect("lists") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("reads");
                dir_imports += text
                    .lines()
                    .filter(|l| l.starts_with("-- atlas:import") && l.ends_with('/'))
                    .count();
                delimiters += usize::from(text.contains("\nDELIMITER "));
                directives += usize::from(text.starts_with("-- atlas:delimiter"));
            }
        }
    }
    assert!(dir_imports > 0 && delimiters > 0 && directives > 0);
}
