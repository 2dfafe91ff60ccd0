//! `CREATE COLLATION` statements come before the statements that use the collation.

use std::path::Path;

use sqlimport::{DialectKind, load_str};

fn order(sql: &str) -> Vec<String> {
    load_str(sql, Path::new("schema.sql"), DialectKind::Postgres)
        .expect("loads")
        .statements
        .iter()
        .map(|s| {
            s.sql
                .split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

#[test]
fn collations_before_their_users() {
    let got = order(
        "CREATE TABLE t (a text COLLATE numeric, b text COLLATE \"POSIX\");\n\
         CREATE INDEX t_a ON t (a COLLATE numeric);\n\
         CREATE DOMAIN code AS text COLLATE app.ci;\n\
         CREATE COLLATION app.ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);\n\
         CREATE COLLATION numeric (provider = icu, locale = 'en-u-kn-true');\n\
         CREATE SCHEMA app;",
    );
    let at = |prefix: &str| {
        got.iter()
            .position(|s| s.starts_with(prefix))
            .unwrap_or_else(|| panic!("{prefix:?} missing from {got:?}"))
    };
    assert!(
        at("CREATE COLLATION numeric") < at("CREATE TABLE t"),
        "{got:?}"
    );
    assert!(
        at("CREATE SCHEMA app") < at("CREATE COLLATION app.ci"),
        "{got:?}"
    );
    assert!(
        at("CREATE COLLATION app.ci") < at("CREATE DOMAIN code"),
        "{got:?}"
    );
}
