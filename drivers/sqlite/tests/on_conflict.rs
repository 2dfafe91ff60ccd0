//! `ON CONFLICT` clauses on constraints: inspected, kept through a table rebuild, and
//! still in force afterwards (the rows and SQLite's behaviour both survive).

mod support;

use schema_model::ConflictResolution;
use support::*;

const DESIRED: &str = "CREATE TABLE t (\
    id INTEGER PRIMARY KEY ON CONFLICT REPLACE, \
    code TEXT UNIQUE ON CONFLICT IGNORE, \
    n INTEGER NOT NULL ON CONFLICT REPLACE DEFAULT 7, \
    CHECK (n >= 0) ON CONFLICT FAIL);";

#[test]
fn conflict_clauses_are_inspected() {
    let db = load(DESIRED).expect("load");
    let realm = inspect(&db).expect("inspect");
    let t = realm
        .schema("main")
        .and_then(|s| s.table("t"))
        .expect("table t");
    assert_eq!(
        t.primary_key.as_ref().and_then(|k| k.on_conflict),
        Some(ConflictResolution::Replace)
    );
    assert_eq!(
        t.indexes.iter().map(|i| i.on_conflict).collect::<Vec<_>>(),
        [Some(ConflictResolution::Ignore)]
    );
    assert_eq!(
        t.column("n").and_then(|c| c.not_null_conflict),
        Some(ConflictResolution::Replace)
    );
    assert_eq!(t.column("code").and_then(|c| c.not_null_conflict), None);
}

#[test]
fn migration_adds_clauses_and_keeps_rows() {
    let rt = runtime();
    let db = load(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT UNIQUE, n INTEGER NOT NULL DEFAULT 7);
         INSERT INTO t VALUES (1, 'a', 1), (2, 'b', 2);",
    )
    .expect("load current");
    let target = inspect(&load(DESIRED).expect("load desired")).expect("inspect desired");
    let before = inspect(&db).expect("inspect current");
    let migration = plan(&before, &target).expect("plan");
    let sql = migration.to_sql();
    assert!(sql.contains("ON CONFLICT REPLACE"), "{sql}");
    apply(&rt, &db, &migration).expect("apply");
    let after = inspect(&db).expect("inspect after");
    assert_eq!(compare(&after, &target), None, "{sql}");
    assert!(
        plan(&after, &target).expect("replan").statements.is_empty(),
        "second plan not empty"
    );
    // The clauses work: a duplicate key replaces, a duplicate code is ignored, a NULL
    // takes the default.
    let rows: Vec<(i64, String, i64)> = db.with_connection(|c| {
        c.execute_batch(
            "INSERT INTO t VALUES (1, 'z', 5); INSERT INTO t VALUES (3, 'b', 3); \
             INSERT INTO t VALUES (4, 'd', NULL);",
        )
        .expect("inserts under the new clauses");
        let mut stmt = c
            .prepare("SELECT id, code, n FROM t ORDER BY id")
            .expect("select");
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("read rows")
    });
    assert_eq!(
        rows,
        [
            (1, "z".to_owned(), 5),
            (2, "b".to_owned(), 2),
            (4, "d".to_owned(), 7)
        ]
    );
}
