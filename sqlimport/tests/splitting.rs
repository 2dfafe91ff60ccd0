//! Splitting SQL text into statements.

mod common;

use std::path::Path;

use common::{locations, texts};
use sqlimport::{DialectKind, split};

fn split_ok(sql: &str, dialect: DialectKind) -> Vec<sqlimport::Statement> {
    split(sql, Path::new("t.sql"), dialect).expect("splits")
}

fn error(sql: &str, dialect: DialectKind) -> String {
    split(sql, Path::new("t.sql"), dialect)
        .expect_err("fails")
        .to_string()
}

#[test]
fn postgres_dollar_quotes_with_tags() {
    let sql = "CREATE FUNCTION f() RETURNS text AS $body$\n  SELECT 'a;b'; -- $$ is not the end;\n$body$ LANGUAGE sql;\nCREATE FUNCTION g() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\nSELECT $1, $tag$;$tag$;";
    let statements = split_ok(sql, DialectKind::Postgres);
    assert_eq!(statements.len(), 3, "{statements:#?}");
    assert!(statements[0].sql.ends_with("$body$ LANGUAGE sql"));
    assert_eq!(locations(&statements), ["t.sql:1", "t.sql:4", "t.sql:5"]);
}

#[test]
fn postgres_escape_strings_and_plain_backslashes() {
    let sql = r"SELECT E'it\'s; fine'; SELECT 'C:\'; SELECT e'\\';";
    assert_eq!(
        texts(&split_ok(sql, DialectKind::Postgres)),
        [r"SELECT E'it\'s; fine'", r"SELECT 'C:\'", r"SELECT e'\\'"]
    );
}

#[test]
fn nested_block_comments_and_comments_above() {
    let sql = "/* outer /* inner; */ still; */\n-- about t\nCREATE TABLE t (a int); -- trailing\n\n/* x */ SELECT 1 /* in; side */;";
    let statements = split_ok(sql, DialectKind::Postgres);
    assert_eq!(texts(&statements), ["CREATE TABLE t (a int)", "SELECT 1"]);
    assert_eq!(locations(&statements), ["t.sql:3", "t.sql:5"]);
}

#[test]
fn quoted_identifiers_hide_delimiters() {
    let sql = "CREATE TABLE \"a;b\" (\"c\"\"d;\" int);\nCREATE TABLE `x;y` (`z``;` int);\nCREATE TABLE [p;q] (r int);";
    assert_eq!(split_ok(sql, DialectKind::Sqlite).len(), 3);
}

#[test]
fn sqlite_trigger_bodies() {
    let sql = "CREATE TABLE t (a, b);\nCREATE TRIGGER tr AFTER UPDATE ON t FOR EACH ROW WHEN new.a > 0\nBEGIN\n  UPDATE t SET b = CASE WHEN new.a > 1 THEN 1 ELSE 0 END WHERE rowid = new.rowid;\n  SELECT RAISE(IGNORE);\nEND;\nBEGIN TRANSACTION;\nCOMMIT;";
    let statements = split_ok(sql, DialectKind::Sqlite);
    assert_eq!(statements.len(), 4, "{statements:#?}");
    assert!(statements[1].sql.starts_with("CREATE TRIGGER tr"));
    assert!(statements[1].sql.ends_with("END"));
}

#[test]
fn mysql_compound_bodies_without_delimiter() {
    let sql = "CREATE TRIGGER ins AFTER INSERT ON film FOR EACH ROW BEGIN\n  IF new.x > 0 THEN SET @a = 1; END IF;\n  CASE new.y WHEN 1 THEN SET @b = 2; ELSE BEGIN END; END CASE;\n  INSERT INTO log VALUES (new.id);\nEND;\nCREATE PROCEDURE p() BEGIN\n  lbl: LOOP LEAVE lbl; END LOOP lbl;\n  WHILE 0 DO SELECT 1; END WHILE;\n  REPEAT SELECT 2; UNTIL 1 END REPEAT;\nEND;\nSELECT 1;";
    let statements = split_ok(sql, DialectKind::Mysql);
    assert_eq!(statements.len(), 3, "{statements:#?}");
    assert_eq!(locations(&statements), ["t.sql:1", "t.sql:6", "t.sql:11"]);
}

#[test]
fn mysql_comments_and_escapes() {
    let sql = "# hash comment;\nSELECT 'it\\'s;' -- dash comment;\n, \"dq;\\\"\";\nSELECT 1--1;\n/*!40101 SET NAMES utf8mb4 */;";
    let statements = split_ok(sql, DialectKind::Mysql);
    assert_eq!(
        texts(&statements),
        [
            "SELECT 'it\\'s;' -- dash comment;\n, \"dq;\\\"\"",
            "SELECT 1--1",
            "/*!40101 SET NAMES utf8mb4 */"
        ]
    );
}

#[test]
fn atlas_delimiter_directive() {
    let sql = "-- atlas:delimiter //\n\nCREATE PROCEDURE p() BEGIN SELECT 1; END//\n\nSELECT 2//\nSELECT 3";
    let statements = split_ok(sql, DialectKind::Mysql);
    assert_eq!(
        texts(&statements),
        [
            "CREATE PROCEDURE p() BEGIN SELECT 1; END",
            "SELECT 2",
            "SELECT 3"
        ]
    );
    assert_eq!(locations(&statements), ["t.sql:3", "t.sql:5", "t.sql:6"]);
}

#[test]
fn atlas_delimiter_with_escapes() {
    let sql = "-- atlas:delimiter \\n\\n\n\nSELECT 1;\nSELECT 2;\n\nSELECT 3\n";
    assert_eq!(
        texts(&split_ok(sql, DialectKind::Postgres)),
        ["SELECT 1;\nSELECT 2;", "SELECT 3"]
    );
}

#[test]
fn mysql_client_delimiter_command() {
    let sql = "DELIMITER //\nCREATE FUNCTION f() RETURNS INT DETERMINISTIC\nBEGIN\n  RETURN 1;\nEND //\ndelimiter ;\nSELECT f();\nDELIMITER $$\nCREATE PROCEDURE q() BEGIN SELECT 1; END$$\nDELIMITER ;";
    let statements = split_ok(sql, DialectKind::Mysql);
    assert_eq!(
        texts(&statements),
        [
            "CREATE FUNCTION f() RETURNS INT DETERMINISTIC\nBEGIN\n  RETURN 1;\nEND",
            "SELECT f()",
            "CREATE PROCEDURE q() BEGIN SELECT 1; END"
        ]
    );
    assert_eq!(locations(&statements), ["t.sql:2", "t.sql:7", "t.sql:9"]);
}

#[test]
fn postgres_begin_atomic_bodies() {
    let sql = "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN a > 0 THEN 1 END;\n  SELECT 2;\nEND;\nBEGIN;\nCOMMIT;";
    let statements = split_ok(sql, DialectKind::Postgres);
    assert_eq!(statements.len(), 3, "{statements:#?}");
}

#[test]
fn parentheses_hold_delimiters() {
    let sql = "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2));\nSELECT 1";
    assert_eq!(split_ok(sql, DialectKind::Postgres).len(), 2);
}

#[test]
fn unterminated_literals_are_located() {
    assert_eq!(
        error("SELECT 1;\n\nSELECT 'abc;\n", DialectKind::Postgres),
        "t.sql:3: unterminated string literal"
    );
    assert_eq!(
        error("SELECT $x$ abc $y$;", DialectKind::Postgres),
        "t.sql:1: unterminated dollar-quoted string"
    );
    assert_eq!(
        error("SELECT 1;\n/* a /* b */", DialectKind::Postgres),
        "t.sql:2: unterminated block comment"
    );
    assert_eq!(
        error("SELECT \"abc", DialectKind::Sqlite),
        "t.sql:1: unterminated quoted identifier"
    );
    assert_eq!(
        error("DELIMITER \nSELECT 1", DialectKind::Mysql),
        "t.sql:1: DELIMITER needs a delimiter"
    );
}

#[test]
fn crlf_and_unicode() {
    let sql = "CREATE TABLE café (naïve text);\r\nSELECT 'ü;' ;\r\n";
    let statements = split_ok(sql, DialectKind::Postgres);
    assert_eq!(
        texts(&statements),
        ["CREATE TABLE café (naïve text)", "SELECT 'ü;'"]
    );
    assert_eq!(locations(&statements), ["t.sql:1", "t.sql:2"]);
}
