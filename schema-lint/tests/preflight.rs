//! Pre-flight queries: their SQL per dialect, and (SQLite) that they find exactly the
//! offending rows of a real database.

mod common;

use common::*;
use rusqlite::Connection;
use schema_lint::{ChangeSet, Linter, Preflight, QueryWriter};
use schema_model::*;

fn sqlite() -> Connection {
    let db = Connection::open_in_memory().expect("in-memory database");
    // Attach under the schema name the model uses so qualified names resolve.
    db.execute_batch(
        "ATTACH DATABASE ':memory:' AS public;
         CREATE TABLE public.users (id INTEGER PRIMARY KEY, email TEXT, age INTEGER, org INTEGER);
         CREATE TABLE public.orgs (id INTEGER PRIMARY KEY);
         INSERT INTO public.orgs VALUES (1);
         INSERT INTO public.users VALUES
           (1, 'a@x', 30, 1), (2, 'a@x', 12, NULL), (3, NULL, 40, 7), (4, 'b@x', NULL, 1), (5, 'a-very-long-address@x', 300, 1);",
    )
    .expect("fixture");
    db
}

/// Runs a pre-flight query and returns the first column of each row as text.
fn offenders(db: &Connection, p: &Preflight) -> Vec<String> {
    let mut stmt = db
        .prepare(&p.sql)
        .unwrap_or_else(|e| panic!("{}: {e}", p.sql));
    assert_eq!(stmt.column_count(), p.columns.len(), "{}", p.sql);
    stmt.query_map([], |row| {
        let v: rusqlite::types::Value = row.get(0)?;
        Ok(match v {
            rusqlite::types::Value::Integer(i) => i.to_string(),
            rusqlite::types::Value::Text(t) => t,
            other => format!("{other:?}"),
        })
    })
    .expect("query runs")
    .collect::<Result<_, _>>()
    .expect("rows")
}

fn users() -> Table {
    let t = table(
        "users",
        &[col("id").not_null(), col("email"), col("age"), col("org")],
    );
    with_pk(t, &["id"])
}

#[test]
fn sqlite_queries_find_exactly_the_offending_rows() {
    let db = sqlite();
    let q = QueryWriter {
        dialect: DialectKind::Sqlite,
        limit: 10,
    };
    let t = users();
    assert_eq!(offenders(&db, &q.nulls(SCHEMA, &t, "email")), ["3"]);
    assert_eq!(
        offenders(&db, &q.non_null(SCHEMA, &t, "age")),
        ["1", "2", "3", "5"]
    );
    assert_eq!(
        offenders(&db, &q.duplicates(SCHEMA, "users", &["email".into()], true)),
        ["a@x"]
    );
    // NULLS NOT DISTINCT would not filter NULLs (here there is only one NULL).
    assert_eq!(
        offenders(
            &db,
            &q.duplicates(SCHEMA, "users", &["email".into()], false)
        ),
        ["a@x"]
    );
    assert_eq!(
        offenders(&db, &q.check_violations(SCHEMA, &t, "age >= 18")),
        ["2"]
    );
    assert_eq!(
        offenders(
            &db,
            &q.orphans(SCHEMA, &t, &fk("f", &["org"], "orgs", &["id"]))
        ),
        ["3"]
    );
    assert_eq!(offenders(&db, &q.too_long(SCHEMA, &t, "email", 10)), ["5"]);
    assert_eq!(
        offenders(&db, &q.out_of_range(SCHEMA, &t, "age", "-128", "127")),
        ["5"]
    );
    assert_eq!(offenders(&db, &q.any_rows(SCHEMA, &t)).len(), 5);
    let small = QueryWriter {
        dialect: DialectKind::Sqlite,
        limit: 2,
    };
    assert_eq!(offenders(&db, &small.any_rows(SCHEMA, &t)).len(), 2);
    // A table without a primary key identifies rows by the involved columns.
    let keyless = table("users", &[col("email"), col("age")]);
    assert_eq!(
        offenders(&db, &q.nulls(SCHEMA, &keyless, "email")),
        ["Null"]
    );
}

#[test]
fn linted_changes_carry_runnable_queries() {
    let db = sqlite();
    let mut strict = users();
    strict.columns[1].nullable = false;
    strict.checks.push(Check {
        name: None,
        expr: "age >= 18".into(),
        no_inherit: false,
        not_enforced: false,
    });
    let set = ChangeSet::new(vec![file(
        "2.sql",
        vec![(1, "…", step(&[users()], &[strict]))],
    )]);
    let report = Linter::default()
        .dialect(DialectKind::Sqlite)
        .run(&set, None);
    let found: Vec<(String, Vec<String>)> = report
        .diagnostics
        .iter()
        .filter_map(|d| Some((d.code.clone(), offenders(&db, d.preflight.as_ref()?))))
        .collect();
    assert_eq!(
        found,
        [
            ("LT101".to_owned(), vec!["3".to_owned()]),
            ("MC101".to_owned(), vec!["2".to_owned()])
        ]
    );
}

#[test]
fn quoting_per_dialect() {
    let t = table("we\"ird`", &[col("c\"ol`")]);
    let pg = QueryWriter {
        dialect: DialectKind::Postgres,
        limit: 5,
    };
    let my = QueryWriter {
        dialect: DialectKind::Mysql,
        limit: 5,
    };
    assert_eq!(
        pg.nulls("s", &t, "c\"ol`").sql,
        r#"SELECT "c""ol`" FROM "s"."we""ird`" WHERE "c""ol`" IS NULL LIMIT 5"#
    );
    assert_eq!(
        my.nulls("s", &t, "c\"ol`").sql,
        "SELECT `c\"ol``` FROM `s`.`we\"ird``` WHERE `c\"ol``` IS NULL LIMIT 5"
    );
    assert_eq!(my.literal(r"it's \ here"), r"'it''s \\ here'");
    assert_eq!(pg.literal(r"it's \ here"), r"'it''s \ here'");
    let removed = my.removed_values("s", &t, "c\"ol`", &["x".into()], true);
    assert!(
        removed.sql.contains("FIND_IN_SET('x', `c\"ol```) > 0"),
        "{}",
        removed.sql
    );
    let orphans = pg.orphans("s", &t, &fk("f", &["c\"ol`"], "p", &["id"]));
    assert_eq!(
        orphans.sql,
        r#"SELECT c."c""ol`" FROM "s"."we""ird`" AS c WHERE c."c""ol`" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "s"."p" AS p WHERE p."id" = c."c""ol`") LIMIT 5"#
    );
}
