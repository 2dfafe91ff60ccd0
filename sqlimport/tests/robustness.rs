//! Bad input never panics: random soups of SQL fragments either split and order, or fail with
//! an error.

use std::path::Path;

use sqlimport::{DialectKind, load_str, order, split};

const FRAGMENTS: &[&str] = &[
    "CREATE ",
    "TABLE ",
    "VIEW ",
    "INDEX ",
    "TRIGGER ",
    "FUNCTION ",
    "PROCEDURE ",
    "ALTER ",
    "DROP ",
    "COMMENT ON ",
    "GRANT ",
    "INSERT INTO ",
    "SELECT ",
    "FROM ",
    "ON ",
    "REFERENCES ",
    "FOREIGN KEY ",
    "CONSTRAINT ",
    "PRIMARY KEY ",
    "BEGIN ",
    "END ",
    "CASE ",
    "ATOMIC ",
    "IF ",
    "DELIMITER ",
    "DELIMITER //\n",
    "-- atlas:delimiter //\n",
    "-- atlas:import x.sql\n",
    "//",
    "t",
    "s.t",
    "\"Q\"",
    "`b`",
    "[x]",
    "(",
    ")",
    ",",
    ";",
    ".",
    "'",
    "''",
    "E'\\''",
    "$$",
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
    "1.5",
    "::",
    "regclass",
    "nextval('s')",
    "OWNED BY ",
    "EXECUTE FUNCTION f()",
    "SET ",
    "PARTITION OF ",
    "RENAME TO ",
];

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

#[test]
fn random_fragments_never_panic() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for _ in 0..3000 {
        let len = 1 + rng.below(40);
        let sql: String = (0..len)
            .map(|_| FRAGMENTS[rng.below(FRAGMENTS.len())])
            .collect();
        for dialect in [
            DialectKind::Postgres,
            DialectKind::Mysql,
            DialectKind::Sqlite,
        ] {
            if let Ok(statements) = split(&sql, Path::new("fuzz.sql"), dialect) {
                let _ = order(statements, dialect);
            }
            let _ = load_str(&sql, Path::new("/nonexistent/fuzz.sql"), dialect);
        }
    }
}

#[test]
fn truncated_corpus_statements_never_panic() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    for (dir, dialect) in [
        ("postgres", DialectKind::Postgres),
        ("mysql", DialectKind::Mysql),
        ("sqlite", DialectKind::Sqlite),
    ] {
        for entry in std::fs::read_dir(corpus.join(dir)).expect("corpus") {
            let text = std::fs::read_to_string(entry.expect("entry").path()).expect("reads");
            let statements = split(&text, Path::new("c.sql"), dialect).expect("splits");
            let mut cut: Vec<sqlimport::Statement> = statements
                .into_iter()
                .map(|mut s| {
                    let mut end = s.sql.len() * 2 / 3;
                    while !s.sql.is_char_boundary(end) {
                        end -= 1;
                    }
                    s.sql.truncate(end);
                    s
                })
                .filter(|s| !s.sql.trim().is_empty())
                .collect();
            cut.reverse();
            let _ = order(cut, dialect);
        }
    }
}
