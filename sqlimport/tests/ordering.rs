//! Ordering statements by their dependencies.

mod common;

use std::path::Path;

use common::{locations, texts};
use sqlimport::{DialectKind, load_str};

fn ordered(sql: &str, dialect: DialectKind) -> Vec<String> {
    let project = load_str(sql, Path::new("schema.sql"), dialect).expect("loads");
    texts(&project.statements)
}

/// The position of the statement starting with `prefix`.
fn at(order: &[String], prefix: &str) -> usize {
    order
        .iter()
        .position(|s| s.starts_with(prefix))
        .unwrap_or_else(|| panic!("no statement starts with {prefix:?} in {order:#?}"))
}

fn assert_before(order: &[String], first: &str, then: &str) {
    assert!(
        at(order, first) < at(order, then),
        "{first:?} should come before {then:?} in {order:#?}"
    );
}

#[test]
fn postgres_schema_domain_table() {
    let order = ordered(
        "CREATE TABLE app.users (id app.user_id PRIMARY KEY);\nCREATE DOMAIN app.user_id AS int CHECK (VALUE > 0);\nCREATE SCHEMA app;",
        DialectKind::Postgres,
    );
    assert_eq!(
        order,
        [
            "CREATE SCHEMA app",
            "CREATE DOMAIN app.user_id AS int CHECK (VALUE > 0)",
            "CREATE TABLE app.users (id app.user_id PRIMARY KEY)"
        ]
    );
}

#[test]
fn postgres_enum_extension_sequence_before_table() {
    let order = ordered(
        "CREATE TABLE t (id int DEFAULT nextval('t_seq'), m mood, e citext);\nCREATE SEQUENCE t_seq;\nCREATE TYPE mood AS ENUM ('a', 'b');\nCREATE EXTENSION citext;",
        DialectKind::Postgres,
    );
    assert_eq!(at(&order, "CREATE EXTENSION"), 0);
    assert_eq!(at(&order, "CREATE TABLE"), 3);
}

#[test]
fn views_on_views() {
    for dialect in [
        DialectKind::Postgres,
        DialectKind::Mysql,
        DialectKind::Sqlite,
    ] {
        let order = ordered(
            "CREATE VIEW v3 AS SELECT * FROM v2 JOIN v1 USING (id);\nCREATE VIEW v2 AS SELECT * FROM v1;\nCREATE VIEW v1 AS SELECT * FROM t;\nCREATE TABLE t (id int);",
            dialect,
        );
        assert_eq!(
            order.iter().map(|s| &s[..14]).collect::<Vec<_>>(),
            [
                "CREATE TABLE t",
                "CREATE VIEW v1",
                "CREATE VIEW v2",
                "CREATE VIEW v3"
            ]
        );
    }
}

#[test]
fn postgres_function_before_trigger_and_default() {
    let order = ordered(
        "CREATE TRIGGER touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();\nCREATE TABLE t (id int DEFAULT next_id(), at timestamptz);\nCREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.at = now(); UPDATE t SET id = id; RETURN NEW; END $$;\nCREATE FUNCTION next_id() RETURNS int LANGUAGE sql AS 'SELECT 1';",
        DialectKind::Postgres,
    );
    assert_before(&order, "CREATE FUNCTION next_id", "CREATE TABLE t");
    assert_before(&order, "CREATE TABLE t", "CREATE TRIGGER");
    assert_before(&order, "CREATE FUNCTION touch", "CREATE TRIGGER");
}

#[test]
fn postgres_foreign_key_cycle_becomes_alter_table() {
    let sql = "CREATE TABLE a (\n  id int PRIMARY KEY,\n  b_id int REFERENCES b (id)\n);\nCREATE TABLE b (\n  id int PRIMARY KEY,\n  a_id int NOT NULL,\n  CONSTRAINT b_a FOREIGN KEY (a_id) REFERENCES a (id)\n);";
    let project = load_str(sql, Path::new("schema.sql"), DialectKind::Postgres).expect("loads");
    assert_eq!(
        texts(&project.statements),
        [
            "CREATE TABLE a (\n  id int PRIMARY KEY,\n  b_id int\n)",
            "CREATE TABLE b (\n  id int PRIMARY KEY,\n  a_id int NOT NULL,\n  CONSTRAINT b_a FOREIGN KEY (a_id) REFERENCES a (id)\n)",
            "ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b (id)"
        ]
    );
    assert_eq!(
        locations(&project.statements),
        ["schema.sql:1", "schema.sql:5", "schema.sql:3"]
    );
}

#[test]
fn mysql_foreign_key_cycle_becomes_alter_table() {
    let sql = "CREATE TABLE staff (id INT PRIMARY KEY, store_id INT NOT NULL, CONSTRAINT fk_staff_store FOREIGN KEY (store_id) REFERENCES store (id)) ENGINE=InnoDB;\nCREATE TABLE store (id INT PRIMARY KEY, manager_id INT NOT NULL, CONSTRAINT fk_store_staff FOREIGN KEY (manager_id) REFERENCES staff (id)) ENGINE=InnoDB;";
    let order = ordered(sql, DialectKind::Mysql);
    assert_eq!(
        order,
        [
            "CREATE TABLE staff (id INT PRIMARY KEY, store_id INT NOT NULL) ENGINE=InnoDB",
            "CREATE TABLE store (id INT PRIMARY KEY, manager_id INT NOT NULL, CONSTRAINT fk_store_staff FOREIGN KEY (manager_id) REFERENCES staff (id)) ENGINE=InnoDB",
            "ALTER TABLE staff ADD CONSTRAINT fk_staff_store FOREIGN KEY (store_id) REFERENCES store (id)"
        ]
    );
}

#[test]
fn sqlite_keeps_foreign_key_cycles_inline() {
    let sql = "CREATE TABLE a (id INTEGER PRIMARY KEY, b_id INTEGER REFERENCES b (id));\nCREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a (id));";
    let order = ordered(sql, DialectKind::Sqlite);
    assert_eq!(
        order,
        [
            "CREATE TABLE a (id INTEGER PRIMARY KEY, b_id INTEGER REFERENCES b (id))",
            "CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a (id))"
        ]
    );
}

#[test]
fn independent_statements_keep_their_order() {
    let sql = "CREATE TABLE c (id int);\nCREATE VIEW vb AS SELECT * FROM b;\nCREATE TABLE a (id int);\nCREATE TABLE b (id int);\nCREATE INDEX ia ON a (id);\nCREATE TABLE d (id int);";
    assert_eq!(
        ordered(sql, DialectKind::Postgres)
            .iter()
            .map(|s| s.split(" (").next().unwrap_or_default().to_string())
            .collect::<Vec<_>>(),
        [
            "CREATE TABLE c",
            "CREATE TABLE a",
            "CREATE TABLE b",
            "CREATE VIEW vb AS SELECT * FROM b;",
            "CREATE INDEX ia ON a",
            "CREATE TABLE d"
        ]
        .map(|s| s.trim_end_matches(';').to_string())
    );
}

#[test]
fn attachments_follow_their_table() {
    let sql = "COMMENT ON COLUMN app.t.id IS 'key';\nGRANT SELECT ON app.t TO reader;\nCREATE POLICY own ON app.t USING (owner = current_user);\nINSERT INTO app.t (id, owner) VALUES (1, 'x');\nCREATE INDEX t_owner ON app.t (owner);\nALTER TABLE app.t ENABLE ROW LEVEL SECURITY;\nCREATE TABLE app.t (id int, owner text);\nCREATE SCHEMA app;\nCREATE ROLE reader;";
    let order = ordered(sql, DialectKind::Postgres);
    assert_eq!(at(&order, "CREATE SCHEMA"), 0);
    for attached in [
        "COMMENT",
        "GRANT",
        "CREATE POLICY",
        "INSERT",
        "CREATE INDEX",
        "ALTER TABLE",
    ] {
        assert_before(&order, "CREATE TABLE", attached);
    }
    assert_before(&order, "CREATE ROLE", "GRANT");
    // Touching the same table, they keep their relative order.
    assert_before(&order, "COMMENT", "GRANT");
    assert_before(&order, "INSERT", "ALTER TABLE");
}

#[test]
fn reshaping_comes_before_users() {
    let sql = "CREATE INDEX t_extra ON t (extra);\nCREATE VIEW v AS SELECT extra FROM t;\nCREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN extra int;\nCREATE TABLE u (s status DEFAULT 'new');\nALTER TYPE status ADD VALUE 'new';\nCREATE TYPE status AS ENUM ('old');";
    let order = ordered(sql, DialectKind::Postgres);
    assert_before(&order, "ALTER TABLE t ADD COLUMN", "CREATE INDEX");
    assert_before(&order, "ALTER TABLE t ADD COLUMN", "CREATE VIEW");
    assert_before(&order, "ALTER TYPE", "CREATE TABLE u");
}

#[test]
fn unclassified_statements_stay_after_what_preceded_them() {
    let sql = "CREATE VIEW v AS SELECT * FROM t;\nSET statement_timeout = 0;\nCREATE TABLE t (id int);\nDO $$ BEGIN PERFORM 1; END $$;";
    let order = ordered(sql, DialectKind::Postgres);
    assert_before(&order, "CREATE TABLE", "CREATE VIEW");
    assert_before(&order, "CREATE VIEW", "SET");
    assert_before(&order, "CREATE TABLE", "DO");
}

#[test]
fn names_fold_like_the_database() {
    // PostgreSQL: "Users" and users are different tables.
    let order = ordered(
        "CREATE VIEW v AS SELECT * FROM \"Users\";\nCREATE TABLE users (id int);\nCREATE TABLE \"Users\" (id int);",
        DialectKind::Postgres,
    );
    assert_eq!(at(&order, "CREATE TABLE users"), 0);
    assert_before(&order, "CREATE TABLE \"Users\"", "CREATE VIEW");
    // MySQL compares names case-insensitively.
    let order = ordered(
        "CREATE VIEW v AS SELECT * FROM `USERS`;\nCREATE TABLE Users (id int);",
        DialectKind::Mysql,
    );
    assert_before(&order, "CREATE TABLE", "CREATE VIEW");
}

#[test]
fn same_schema_preferred_for_unqualified_names() {
    let sql = "CREATE FUNCTION b.f() RETURNS int LANGUAGE sql AS 'SELECT 1';\nCREATE VIEW b.v AS SELECT * FROM t;\nCREATE TABLE a.t (id int);\nCREATE TABLE b.t (id int);\nCREATE SCHEMA a;\nCREATE SCHEMA b;";
    let order = ordered(sql, DialectKind::Postgres);
    assert_before(&order, "CREATE TABLE b.t", "CREATE VIEW");
    assert!(at(&order, "CREATE TABLE a.t") > at(&order, "CREATE SCHEMA a"));
}

#[test]
fn columns_named_like_tables_are_not_references() {
    // Lexically, v1 mentions v2 (a column) and v2 mentions v1: the parser settles it.
    let sql = "CREATE VIEW v2 AS SELECT * FROM v1;\nCREATE VIEW v1 AS SELECT t.v2 FROM t;\nCREATE TABLE t (v2 int);";
    let order = ordered(sql, DialectKind::Sqlite);
    assert_eq!(at(&order, "CREATE TABLE"), 0);
    assert_before(&order, "CREATE VIEW v1", "CREATE VIEW v2");
}

#[test]
fn mysql_triggers_and_routines() {
    let sql = "DELIMITER //\nCREATE TRIGGER film_ins AFTER INSERT ON film FOR EACH ROW BEGIN INSERT INTO film_text VALUES (NEW.id); END//\nCREATE PROCEDURE count_films(OUT n INT) BEGIN SELECT COUNT(*) INTO n FROM film; END//\nDELIMITER ;\nCREATE TABLE film_text (id INT);\nCREATE TABLE film (id INT);";
    let order = ordered(sql, DialectKind::Mysql);
    assert_before(&order, "CREATE TABLE film (", "CREATE TRIGGER");
    assert_before(&order, "CREATE TABLE film_text", "CREATE TRIGGER");
}

#[test]
fn sqlite_trigger_after_tables_it_uses() {
    let sql = "CREATE TRIGGER log_ins AFTER INSERT ON item BEGIN INSERT INTO log (item_id) VALUES (new.id); END;\nCREATE TABLE log (item_id INTEGER);\nCREATE TABLE item (id INTEGER PRIMARY KEY);";
    let order = ordered(sql, DialectKind::Sqlite);
    assert_eq!(at(&order, "CREATE TRIGGER"), 2);
}

#[test]
fn garbage_is_an_error() {
    let err = load_str(
        "CREATE TABLE t (id int);\n)))",
        Path::new("x.sql"),
        DialectKind::Postgres,
    )
    .expect_err("garbage");
    assert_eq!(err.to_string(), "x.sql:2: not a SQL statement: \")))\"");
}

#[test]
fn comments_on_moved_keys_follow_them() {
    let sql = "COMMENT ON CONSTRAINT a_b ON a IS 'points at b';\nCREATE TABLE a (id int PRIMARY KEY, b_id int CONSTRAINT a_b REFERENCES b (id));\nCREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a (id));";
    let order = ordered(sql, DialectKind::Postgres);
    assert_eq!(
        order,
        [
            "CREATE TABLE a (id int PRIMARY KEY, b_id int)",
            "CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a (id))",
            "ALTER TABLE a ADD CONSTRAINT a_b FOREIGN KEY (b_id) REFERENCES b (id)",
            "COMMENT ON CONSTRAINT a_b ON a IS 'points at b'"
        ]
    );
}

#[test]
fn foreign_keys_follow_the_keys_they_reference() {
    // pg_dump writes keys as separate statements; scattered, they must still come in order.
    let sql = "ALTER TABLE ONLY stock ADD CONSTRAINT stock_item FOREIGN KEY (sku) REFERENCES items (sku);\nCREATE TABLE stock (sku text, qty int);\nCREATE TABLE items (id int, sku text);\nCREATE UNIQUE INDEX items_lower_sku ON items (lower(sku));\nALTER TABLE ONLY items ADD CONSTRAINT items_pkey PRIMARY KEY (id);\nCREATE UNIQUE INDEX items_sku ON items (sku);";
    let order = ordered(sql, DialectKind::Postgres);
    assert_before(
        &order,
        "CREATE UNIQUE INDEX items_sku",
        "ALTER TABLE ONLY stock",
    );
    // Keys on other columns, or on expressions, are not waited for.
    let sql = "ALTER TABLE ONLY stock ADD CONSTRAINT stock_item FOREIGN KEY (sku) REFERENCES items (sku);\nCREATE UNIQUE INDEX items_lower_sku ON items (lower(sku));\nALTER TABLE ONLY items ADD CONSTRAINT items_pkey PRIMARY KEY (id);\nCREATE TABLE stock (sku text, qty int);\nCREATE TABLE items (id int, sku text);";
    let order = ordered(sql, DialectKind::Postgres);
    assert_eq!(at(&order, "ALTER TABLE ONLY stock"), 2, "{order:#?}");
}

#[test]
fn rows_load_after_the_rows_they_reference() {
    let sql = "INSERT INTO employees (id, department_id) VALUES (1, 1);\nINSERT INTO departments (id) VALUES (1);\nCREATE TABLE departments (id int PRIMARY KEY, head_id int);\nCREATE TABLE employees (id int PRIMARY KEY, department_id int NOT NULL REFERENCES departments (id));\nALTER TABLE departments ADD FOREIGN KEY (head_id) REFERENCES employees (id);";
    let order = ordered(sql, DialectKind::Mysql);
    // The key written in CREATE TABLE wins over the one added later to close the cycle.
    assert_before(&order, "INSERT INTO departments", "INSERT INTO employees");
    assert_before(&order, "CREATE TABLE employees", "INSERT INTO employees");
}

#[test]
fn reshaping_only_moves_the_statements_that_need_it() {
    let sql = "CREATE INDEX t_a ON t (a);\nCOMMENT ON TABLE t IS 'x';\nALTER TABLE t ADD COLUMN b int, RENAME COLUMN c TO d;\nCREATE VIEW v AS SELECT a FROM t;\nCREATE VIEW w AS SELECT d FROM t;\nCREATE TABLE t (a int, c int);";
    let order = ordered(sql, DialectKind::Postgres);
    assert_eq!(
        order.iter().map(|s| &s[..14]).collect::<Vec<_>>(),
        [
            "CREATE TABLE t",
            "CREATE INDEX t",
            "COMMENT ON TAB",
            "ALTER TABLE t ",
            "CREATE VIEW v ",
            "CREATE VIEW w "
        ]
    );
    let order = ordered(
        "CREATE VIEW w AS SELECT d FROM t;\nCREATE TABLE t (c int);\nALTER TABLE t RENAME COLUMN c TO d;",
        DialectKind::Postgres,
    );
    assert_before(&order, "ALTER TABLE", "CREATE VIEW w");
}
