//! Property-based fuzzing on the stable toolchain (proptest): the statement scanner on
//! arbitrary text and on soups of SQL fragments, and the import resolver on generated import
//! graphs, checked against a small reference model.
//!
//! CI runs the default 256 cases per property. For a longer fuzzing session:
//! `PROPTEST_CASES=100000 cargo test -p sqlimport --release --test fuzz`. Inputs a session finds
//! become ordinary tests (see `tests/safety.rs` and `found_*` below).

mod common;

use std::path::Path;

use common::TempDir;
use proptest::prelude::*;
use proptest::sample::select;
use sqlimport::{DialectKind, ImportError, LoadOptions, load_str, load_with, order, split};

/// Pieces of SQL that drive the scanner and the statement recognizers into their corners.
const FRAGMENTS: &[&str] = &[
    "CREATE ",
    "TABLE ",
    "VIEW ",
    "INDEX ",
    "UNIQUE ",
    "TRIGGER ",
    "FUNCTION ",
    "PROCEDURE ",
    "TYPE ",
    "SCHEMA ",
    "SEQUENCE ",
    "EXTENSION ",
    "ALTER ",
    "ADD ",
    "COLUMN ",
    "CONSTRAINT ",
    "DROP ",
    "RENAME ",
    "TO ",
    "COMMENT ON ",
    "GRANT ",
    "INSERT INTO ",
    "VALUES ",
    "COPY ",
    "SELECT ",
    "FROM ",
    "ON ",
    "REFERENCES ",
    "FOREIGN KEY ",
    "PRIMARY KEY ",
    "OWNED BY ",
    "BEGIN ",
    "ATOMIC ",
    "END ",
    "CASE ",
    "IF ",
    "NOT ",
    "EXISTS ",
    "AS ",
    "$$ ",
    "LANGUAGE ",
    "EXECUTE FUNCTION ",
    "PARTITION OF ",
    "INHERITS ",
    "LIKE ",
    "USING ",
    "DELIMITER //\n",
    "-- atlas:delimiter //\n",
    "//",
    "t ",
    "u ",
    "s.t ",
    "c ",
    "\"Q\" ",
    "`b` ",
    "[x] ",
    "(",
    ")",
    ",",
    ";",
    ".",
    "'",
    "''",
    "E'\\''",
    "$a$",
    "$1",
    "/*",
    "*/",
    "--",
    "#",
    "\n",
    " ",
    "é",
    "𝄞",
    "0",
    "::",
    "regclass",
    "nextval('s')",
];

/// Whole statements of every kind the recognizers read; the fuzzer cuts them short and
/// appends fragments, since unfinished statements are where recognizers read past the end.
const TEMPLATES: &[&str] = &[
    "ALTER TABLE IF EXISTS ONLY s.t ADD CONSTRAINT c FOREIGN KEY (a) REFERENCES u (id) ON DELETE SET NULL",
    "ALTER TABLE t ADD COLUMN IF NOT EXISTS c int PRIMARY KEY, ADD UNIQUE (c), RENAME COLUMN a TO b",
    "ALTER TABLE t ALTER COLUMN c SET DATA TYPE bigint, DROP CONSTRAINT k, ATTACH PARTITION p FOR VALUES IN (1)",
    "ALTER TABLE t CHANGE COLUMN a b int, MODIFY c text, ADD CONSTRAINT pk PRIMARY KEY (a, b)",
    "CREATE TABLE IF NOT EXISTS s.t (id serial PRIMARY KEY, u_id int CONSTRAINT fk REFERENCES u (id) MATCH FULL ON UPDATE CASCADE, CONSTRAINT k FOREIGN KEY (id) REFERENCES v, LIKE w) INHERITS (p) PARTITION BY RANGE (id)",
    "CREATE TABLE t PARTITION OF p FOR VALUES FROM (1) TO (2)",
    "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON ONLY s.t USING btree (a, b DESC)",
    "CREATE OR REPLACE FUNCTION s.f(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT a FROM t; END",
    "CREATE TRIGGER g BEFORE UPDATE ON t FOR EACH ROW FOLLOWS h EXECUTE FUNCTION s.f()",
    "CREATE TRIGGER g AFTER INSERT ON t BEGIN UPDATE u SET a = 1; END",
    "CREATE SEQUENCE s.q OWNED BY s.t.id",
    "CREATE EXTENSION IF NOT EXISTS citext SCHEMA ext",
    "CREATE POLICY p ON t USING (a = current_user)",
    "CREATE RULE r AS ON INSERT TO t DO INSTEAD NOTHING",
    "CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO DELETE FROM t",
    "COMMENT ON COLUMN s.t.c IS 'x'",
    "COMMENT ON CONSTRAINT k ON DOMAIN d IS 'x'",
    "GRANT SELECT ON TABLE s.t, u TO r",
    "INSERT INTO s.t (a, b) VALUES (nextval('s.q'), 'x'::regclass)",
    "RENAME TABLE a TO b, c TO d",
    "DROP TABLE IF EXISTS a, b CASCADE",
    "DELETE FROM ONLY t WHERE a IN (SELECT b FROM u)",
    "TRUNCATE TABLE ONLY a, b",
    "ATTACH DATABASE 'f.db' AS aux",
];

fn dialect() -> impl Strategy<Value = DialectKind> {
    select(vec![
        DialectKind::Postgres,
        DialectKind::Mysql,
        DialectKind::Sqlite,
    ])
}

fn config() -> ProptestConfig {
    // `default()` honours PROPTEST_CASES; found inputs are kept as tests, not in files.
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Splitting either fails or yields located pieces of the text; ordering and loading never
/// panic.
fn scan_and_order(sql: &str, dialect: DialectKind) -> Result<(), TestCaseError> {
    let lines = sql.matches('\n').count() + 1;
    if let Ok(statements) = split(sql, Path::new("f.sql"), dialect) {
        for s in &statements {
            prop_assert!(!s.sql.is_empty());
            prop_assert!(sql.contains(&s.sql), "{:?} is not from the text", s.sql);
            prop_assert!((1..=lines).contains(&s.location.line));
        }
        if let Ok(ordered) = order(statements.clone(), dialect) {
            // Moved foreign keys add statements; none is lost.
            prop_assert!(ordered.len() >= statements.len());
        }
    }
    let _ = load_str(sql, Path::new("/nonexistent/f.sql"), dialect);
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn scanner_survives_any_text(sql in any::<String>(), dialect in dialect()) {
        scan_and_order(&sql, dialect)?;
    }

    #[test]
    fn scanner_survives_cut_statements(
        template in select(TEMPLATES),
        cut in any::<prop::sample::Index>(),
        tail in prop::collection::vec(select(FRAGMENTS), 0..4),
        dialect in dialect(),
    ) {
        let words: Vec<&str> = template.split(' ').collect();
        let kept = words[..cut.index(words.len() + 1)].join(" ");
        scan_and_order(&format!("{kept} {}", tail.concat()), dialect)?;
    }

    #[test]
    fn scanner_survives_sql_fragments(
        parts in prop::collection::vec(select(FRAGMENTS), 0..80),
        dialect in dialect(),
    ) {
        scan_and_order(&parts.concat(), dialect)?;
    }
}

/// What one import directive names.
#[derive(Clone, Copy, Debug)]
enum Target {
    /// Project file `k`, spelled in one of its ways.
    File(usize, bool),
    /// The `sub/` directory.
    Dir,
    /// A file that does not exist.
    Missing,
    /// A file next to the project, through `../`.
    Parent,
    /// The same file by absolute path.
    Absolute,
}

/// A generated project: file `i` lives in `sub/` or in the root and imports `imports[i]`.
#[derive(Clone, Debug)]
struct Graph {
    in_sub: Vec<bool>,
    imports: Vec<Vec<Target>>,
}

fn graph() -> impl Strategy<Value = Graph> {
    (1usize..7).prop_flat_map(|n| {
        let target = prop_oneof![
            6 => (0..n, any::<bool>()).prop_map(|(k, alt)| Target::File(k, alt)),
            1 => Just(Target::Dir),
            1 => Just(Target::Missing),
            1 => Just(Target::Parent),
            1 => Just(Target::Absolute),
        ];
        (
            prop::collection::vec(any::<bool>(), n),
            prop::collection::vec(prop::collection::vec(target, 0..4), n),
        )
            .prop_map(|(mut in_sub, imports)| {
                in_sub[0] = false;
                Graph { in_sub, imports }
            })
    })
}

impl Graph {
    fn shown(&self, i: usize) -> String {
        if self.in_sub[i] {
            format!("sub/f{i}.sql")
        } else {
            format!("f{i}.sql")
        }
    }

    /// The directive text for `target` in file `from`.
    fn spell(&self, from: usize, target: Target, outside: &Path) -> String {
        let (here, up) = if self.in_sub[from] {
            ("sub/", "../")
        } else {
            ("", "")
        };
        match target {
            Target::File(k, alt) => {
                let there = if self.in_sub[k] { "sub/" } else { "" };
                if here == there && !alt {
                    format!("f{k}.sql")
                } else if here == there {
                    format!("./{up}{there}f{k}.sql")
                } else {
                    format!("{up}{there}f{k}.sql")
                }
            }
            Target::Dir => format!("{up}sub/"),
            Target::Missing => "nope.sql".to_string(),
            Target::Parent => format!("{up}../outside.sql"),
            Target::Absolute => outside.display().to_string(),
        }
    }

    /// The files in load order, or the kind of the first error, the way the loader should
    /// find them (recursively: generated graphs are small).
    fn model(&self) -> Result<Vec<String>, &'static str> {
        let mut done = vec![false; self.in_sub.len()];
        let mut stack = Vec::new();
        let mut files = Vec::new();
        self.visit(0, &mut done, &mut stack, &mut files)?;
        Ok(files)
    }

    fn visit(
        &self,
        i: usize,
        done: &mut [bool],
        stack: &mut Vec<usize>,
        files: &mut Vec<String>,
    ) -> Result<(), &'static str> {
        if done[i] {
            return Ok(());
        }
        if stack.contains(&i) {
            return Err("cycle");
        }
        stack.push(i);
        for &target in &self.imports[i] {
            match target {
                Target::File(k, _) => self.visit(k, done, stack, files)?,
                Target::Dir => {
                    // Names are one digit, so name order is index order.
                    for k in (0..self.in_sub.len()).filter(|&k| self.in_sub[k]) {
                        self.visit(k, done, stack, files)?;
                    }
                }
                Target::Missing => return Err("missing"),
                Target::Parent | Target::Absolute => return Err("outside"),
            }
        }
        stack.pop();
        done[i] = true;
        files.push(self.shown(i));
        Ok(())
    }
}

fn kind(err: &ImportError) -> &'static str {
    match err {
        ImportError::Cycle { .. } => "cycle",
        ImportError::MissingImport { .. } => "missing",
        ImportError::OutsideRoot { .. } => "outside",
        _ => "other",
    }
}

fn check_graph(graph: &Graph) -> Result<(), TestCaseError> {
    let dir = TempDir::new("fuzzgraph");
    let outside = dir.write("outside.sql", "CREATE TABLE outside (id int);");
    std::fs::create_dir_all(dir.path().join("project/sub")).expect("creates sub/");
    for i in 0..graph.in_sub.len() {
        let mut text = String::new();
        for &target in &graph.imports[i] {
            text.push_str(&format!(
                "-- atlas:import {}\n",
                graph.spell(i, target, &outside)
            ));
        }
        text.push_str(&format!("\nCREATE TABLE t{i} (id int);\n"));
        dir.write(&format!("project/{}", graph.shown(i)), &text);
    }
    let root = dir.path().join("project/f0.sql");
    let loaded = load_with(&root, DialectKind::Sqlite, &LoadOptions::default());
    match (graph.model(), loaded) {
        (Ok(files), Ok(project)) => {
            let got: Vec<String> = project
                .files
                .iter()
                .map(|f| f.display().to_string())
                .collect();
            prop_assert_eq!(&got, &files);
            prop_assert_eq!(project.statements.len(), files.len());
        }
        (Err(expected), Err(err)) => prop_assert_eq!(kind(&err), expected, "{}", err),
        (expected, got) => prop_assert!(false, "model {:?}, loader {:?}", expected, got),
    }
    // Allowed outside the root, `../` and absolute imports load the outside file.
    if graph.model() == Err("outside") {
        let allowed = LoadOptions::default().allow_outside_root(true);
        if let Ok(project) = load_with(&root, DialectKind::Sqlite, &allowed) {
            prop_assert!(project.files.iter().any(|f| f.ends_with("outside.sql")));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn import_resolver_matches_the_model(graph in graph()) {
        check_graph(&graph)?;
    }
}

#[test]
fn found_add_constraint_at_the_end() {
    // The shape `scanner_survives_cut_statements` found on the unfixed scanner (issue 9's
    // panic: `ADD CONSTRAINT` read a name past the last token).
    for dialect in [
        DialectKind::Postgres,
        DialectKind::Mysql,
        DialectKind::Sqlite,
    ] {
        scan_and_order("ALTER TABLE IF EXISTS ONLY s.t ADD CONSTRAINT ", dialect).expect("holds");
    }
}
