//! Collations on a real server: `CREATE COLLATION` objects are inspected, created before
//! the columns that use them and dropped after the columns stop using them; names of
//! built-in collations keep their case (`"POSIX"`, `"C"`) everywhere they are rendered.

mod common;

use common::*;
use mercator_driver::DriverExt;
use mercator_postgres::PostgresDialect;
use schema_diff::{Change, Dialect, DialectExt, DiffOptions, PlanError, PlanOptions};
use schema_model::{Collation, CollationProvider, Realm};

fn plan_sql(from: &Realm, to: &Realm) -> Result<(Vec<Change>, schema_diff::Plan), PlanError> {
    let dialect = PostgresDialect;
    let changes = dialect.diff(from, to, &DiffOptions::default());
    let plan = dialect.plan(&changes, &PlanOptions::default())?;
    Ok((changes, plan))
}

const MIXED: &str = r#"
CREATE COLLATION posix_copy FROM "POSIX";
CREATE COLLATION "Numeric" (provider = icu, locale = 'en-u-kn-true');
CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE COLLATION split (provider = libc, lc_collate = 'C', lc_ctype = 'POSIX');
COMMENT ON COLLATION "Numeric" IS 'numbers sort by value';
CREATE DOMAIN code AS text COLLATE "POSIX";
CREATE TYPE pair AS (k text COLLATE "C", v text COLLATE "Numeric");
CREATE TABLE t (
  id int PRIMARY KEY,
  a text COLLATE "POSIX",
  b text COLLATE "C",
  c text COLLATE "Numeric",
  d text COLLATE ci,
  e varchar(20) COLLATE split,
  f code,
  g pair
);
CREATE INDEX t_a_c ON t (a COLLATE "C", c COLLATE "POSIX");
INSERT INTO t VALUES (1, 'x', 'y', '10', 'Z', 'e', 'f', ROW('k', 'v'));
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn collations_round_trip_with_their_case() {
    let Some(_admin) = admin().await else { return };
    let source_db = TestDb::create().await;
    let target_db = TestDb::create().await;
    let source = source_db.open().await;
    let target = target_db.open().await;
    load(&source, MIXED).await.expect("load");
    let desired = inspect(&source).await;
    let public = desired.schema("public").expect("public");
    let names: Vec<&str> = public.collations.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Numeric", "ci", "posix_copy", "split"]);
    let numeric = &public.collations[0];
    assert_eq!(numeric.provider, CollationProvider::Icu);
    assert_eq!(numeric.locale.as_deref(), Some("en-u-kn-true"));
    assert_eq!(numeric.comment.as_deref(), Some("numbers sort by value"));
    assert!(public.collations[1].nondeterministic);
    assert_eq!(
        public.collations[2],
        Collation::new("posix_copy", CollationProvider::Libc, "POSIX")
    );
    let split = &public.collations[3];
    assert_eq!(
        (
            split.locale.as_deref(),
            split.lc_collate.as_deref(),
            split.lc_ctype.as_deref()
        ),
        (None, Some("C"), Some("POSIX"))
    );
    let t = public.table("t").expect("t");
    assert_eq!(
        t.column("a").and_then(|c| c.collation.as_deref()),
        Some("POSIX")
    );
    assert_eq!(
        t.column("c").and_then(|c| c.collation.as_deref()),
        Some("Numeric")
    );

    let (_, plan) = plan_sql(&inspect(&target).await, &desired).expect("plan");
    let sql = plan.to_sql();
    for expected in [
        "COLLATE \"POSIX\"",
        "COLLATE \"C\"",
        "COLLATE \"Numeric\"",
        "CREATE COLLATION \"public\".\"Numeric\" (PROVIDER = icu, LOCALE = 'en-u-kn-true')",
        "DETERMINISTIC = false",
        "LC_COLLATE = 'C', LC_CTYPE = 'POSIX'",
    ] {
        assert!(sql.contains(expected), "{expected} missing from:\n{sql}");
    }
    // Collations come before the domain, type and table that use them.
    let first_use = sql.find("CREATE DOMAIN").expect("domain");
    assert!(
        sql.rfind("CREATE COLLATION").expect("collation") < first_use,
        "{sql}"
    );
    target.apply(&plan).await.expect("apply");
    let applied = inspect(&target).await;
    assert!(
        differences(&applied, &desired).is_empty(),
        "{:?}",
        differences(&applied, &desired)
    );

    // Back to empty: the table, types and domain go before the collations.
    let (_, plan) = plan_sql(
        &applied,
        &Realm::new(vec![schema_model::Schema::new("public")]),
    )
    .expect("plan drops");
    let sql = plan.to_sql();
    assert!(
        sql.find("DROP TABLE").expect("drop table")
            < sql.find("DROP COLLATION").expect("drop collation"),
        "{sql}"
    );
    target.apply(&plan).await.expect("apply drops");
    assert!(
        inspect(&target)
            .await
            .schema("public")
            .expect("public")
            .is_empty()
    );

    drop(source);
    drop(target);
    source_db.drop_db().await;
    target_db.drop_db().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_collations_keeps_rows() {
    let Some(_admin) = admin().await else { return };
    let current_db = TestDb::create().await;
    let desired_db = TestDb::create().await;
    let current = current_db.open().await;
    let desired = desired_db.open().await;
    load(
        &current,
        r#"CREATE COLLATION old_c FROM "C";
           CREATE TABLE words (id int PRIMARY KEY, w text COLLATE old_c, x text COLLATE "POSIX");
           INSERT INTO words VALUES (1, 'b', 'B'), (2, 'a', 'a'), (3, '10', '9');"#,
    )
    .await
    .expect("load current");
    load(
        &desired,
        r#"CREATE COLLATION new_num (provider = icu, locale = 'en-u-kn-true');
           COMMENT ON COLLATION new_num IS 'numeric';
           CREATE TABLE words (id int PRIMARY KEY, w text COLLATE new_num, x text COLLATE "C",
             y text COLLATE new_num);"#,
    )
    .await
    .expect("load desired");
    let before = inspect(&current).await;
    let target = inspect(&desired).await;
    let (changes, plan) = plan_sql(&before, &target).expect("plan");
    let kinds: Vec<String> = changes.iter().map(|c| format!("{:?}", c.kind())).collect();
    assert_eq!(
        kinds.first().map(String::as_str),
        Some("Collation"),
        "{kinds:?}"
    );
    assert_eq!(
        kinds.last().map(String::as_str),
        Some("Collation"),
        "{kinds:?}"
    );
    current.apply(&plan).await.expect("apply");
    let after = inspect(&current).await;
    let diffs = differences(&after, &target);
    assert!(diffs.is_empty(), "{diffs:?}\n{}", plan.to_sql());
    assert!(
        plan_sql(&after, &target).expect("replan").0.is_empty(),
        "second diff not empty"
    );
    // Rows survive, now sorted by the numeric collation.
    current
        .execute(&[
            "DO $$ BEGIN IF (SELECT string_agg(w, ',' ORDER BY w) FROM words) <> '10,a,b' \
             OR (SELECT count(*) FROM words) <> 3 THEN RAISE EXCEPTION 'rows changed'; END IF; END $$"
                .to_owned(),
        ])
        .await
        .expect("rows kept");

    // A collation's locale cannot change in place: the planner says so instead of failing
    // halfway.
    let mut changed = target.clone();
    let schema = changed.schema_mut("public").expect("public");
    schema.collations[0].locale = Some("de-u-kn-true".into());
    let err = plan_sql(&after, &changed).expect_err("locale change");
    assert!(err.to_string().contains("collation"), "{err}");

    drop(current);
    drop(desired);
    current_db.drop_db().await;
    desired_db.drop_db().await;
}
