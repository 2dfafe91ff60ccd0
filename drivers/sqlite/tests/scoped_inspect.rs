//! Scoped reads (`InspectOptions::only_tables`): the tables of the given names, with what
//! belongs to them and the triggers on them, exactly as a whole read gives them; nothing
//! else. Splicing a scoped read after a statement into the model before it gives the model
//! a whole read gives.

use mercator_driver::InspectOptions;
use mercator_sqlite::SqliteDriver;
use schema_model::{Realm, Schema, canonicalize};

const SCHEMA: &str = "
CREATE TABLE parent (id integer PRIMARY KEY, code text UNIQUE COLLATE NOCASE);
CREATE TABLE child (
    id integer PRIMARY KEY AUTOINCREMENT,
    parent_id integer NOT NULL REFERENCES parent ON DELETE CASCADE,
    other_id integer REFERENCES Parent (id),
    total real CHECK (total >= 0),
    doubled real GENERATED ALWAYS AS (total * 2) STORED,
    CONSTRAINT child_u UNIQUE (parent_id, total)
);
CREATE INDEX child_total ON child (total DESC) WHERE total > 0;
CREATE INDEX child_expr ON child (lower(cast(total AS text)));
CREATE TABLE pairs (a text, b text, PRIMARY KEY (a, b)) WITHOUT ROWID;
CREATE TABLE orphan (x integer REFERENCES missing (id));
CREATE VIEW parents AS SELECT id FROM parent;
CREATE TRIGGER child_audit AFTER INSERT ON child BEGIN SELECT 1; END;
CREATE TRIGGER parents_write INSTEAD OF INSERT ON parents BEGIN SELECT 1; END;
";

fn driver() -> SqliteDriver {
    let driver = SqliteDriver::in_memory();
    driver.with_connection(|c| c.execute_batch(SCHEMA)).unwrap();
    driver
}

fn read(driver: &SqliteDriver, only: Option<&[&str]>) -> Realm {
    let mut options = InspectOptions::default();
    if let Some(names) = only {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        options = options.only_tables(&names);
    }
    driver.inspect_sync(&options).unwrap()
}

fn main_of(realm: &Realm) -> &Schema {
    realm
        .schema("main")
        .expect("the main schema is always there")
}

#[test]
fn a_scoped_read_gives_whole_read_tables_and_nothing_else() {
    let driver = driver();
    let whole = read(&driver, None);
    let scopes: &[&[&str]] = &[
        &["parent"],
        &["child"],
        &["CHILD"],
        &["pairs", "orphan"],
        &["missing"],
        &["parents"],
        &["parent", "child", "pairs", "orphan"],
    ];
    for scope in scopes {
        let scoped = read(&driver, Some(scope));
        let schema = main_of(&scoped);
        let wanted = |name: &str| scope.iter().any(|s| s.eq_ignore_ascii_case(name));
        let expected_tables: Vec<_> = main_of(&whole)
            .tables
            .iter()
            .filter(|t| wanted(&t.name))
            .cloned()
            .collect();
        let expected_triggers: Vec<_> = main_of(&whole)
            .triggers
            .iter()
            .filter(|t| wanted(&t.on))
            .cloned()
            .collect();
        assert_eq!(schema.tables, expected_tables, "tables of {scope:?}");
        assert_eq!(schema.triggers, expected_triggers, "triggers of {scope:?}");
        assert!(schema.views.is_empty(), "no views in a scoped read");
    }
    // The child's foreign keys were resolved through the parent although only the child
    // was read.
    let child = read(&driver, Some(&["child"]));
    let fk = &main_of(&child).tables[0].foreign_keys;
    assert!(fk.iter().all(|f| f.ref_table.name == "parent"), "{fk:?}");
    assert!(fk.iter().all(|f| f.ref_columns == ["id"]), "{fk:?}");
}

/// The model before `sql`, with `tables` read again after it in place of the old ones.
fn spliced(driver: &SqliteDriver, sql: &str, tables: &[&str]) -> Realm {
    let mut before = read(driver, None);
    driver.with_connection(|c| c.execute_batch(sql)).unwrap();
    let fresh = read(driver, Some(tables));
    let gone = |name: &str| tables.iter().any(|t| t.eq_ignore_ascii_case(name));
    let target = &mut before.schemas[0];
    target.tables.retain(|t| !gone(&t.name));
    target.triggers.retain(|t| !gone(&t.on));
    let fresh = fresh.schemas.into_iter().next().unwrap();
    target.tables.extend(fresh.tables);
    target.triggers.extend(fresh.triggers);
    before
}

#[test]
fn splicing_a_scoped_read_gives_the_whole_read() {
    for (sql, tables) in [
        (
            "ALTER TABLE child ADD COLUMN note text DEFAULT 'x'",
            &["child"][..],
        ),
        (
            "CREATE INDEX child_note ON child (parent_id, other_id)",
            &["child"],
        ),
        ("DROP INDEX child_total", &["child"]),
        (
            "CREATE TABLE fresh (id integer PRIMARY KEY, p integer REFERENCES parent)",
            &["fresh"],
        ),
        ("DROP TABLE pairs", &["pairs"]),
        // The child resolves its reference through the parent: both are read.
        ("DROP TABLE child; DROP TABLE parent", &["child", "parent"]),
        (
            "CREATE TABLE missing (id integer PRIMARY KEY)",
            &["missing", "orphan"],
        ),
        (
            "CREATE TRIGGER pairs_t AFTER DELETE ON pairs BEGIN SELECT 1; END",
            &["pairs"],
        ),
        ("DROP TRIGGER child_audit", &["child"]),
        ("ALTER TABLE child DROP COLUMN other_id", &["child"]),
    ] {
        let driver = driver();
        let after = spliced(&driver, sql, tables);
        let whole = read(&driver, None);
        assert_eq!(canonicalize(&after), canonicalize(&whole), "after {sql}");
    }
}
