//! MariaDB sequences on a real server: inspected, created, altered (also to a range that
//! excludes the current value) and dropped, with a table's rows kept alongside; a second
//! plan is empty. Skipped on MySQL, which has no sequences.

mod common;

use common::{TestDb, admin, migrate_and_check};
use mysql_async::prelude::Queryable;
use schema_diff::DiffOptions;
use schema_model::SequenceOptions;

struct Step {
    current: &'static str,
    desired: &'static str,
    /// Text the plan must contain.
    expect: &'static [&'static str],
    /// Text the plan must not contain.
    reject: &'static [&'static str],
}

const STEPS: &[Step] = &[
    Step {
        current: "CREATE TABLE t (a INT);",
        desired: "CREATE TABLE t (a INT); \
                  CREATE SEQUENCE s START WITH 10 INCREMENT BY 5 MINVALUE 10 MAXVALUE 1000 \
                  CACHE 20 CYCLE COMMENT 'ids';",
        expect: &[
            "CREATE SEQUENCE `s` INCREMENT BY 5 MINVALUE 10 MAXVALUE 1000 CACHE 20 CYCLE COMMENT 'ids'",
        ],
        reject: &[],
    },
    Step {
        current: "CREATE TABLE t (a INT); CREATE SEQUENCE s MAXVALUE 1000; \
                  SELECT NEXTVAL(s); SELECT NEXTVAL(s);",
        desired: "CREATE TABLE t (a INT); \
                  CREATE SEQUENCE s INCREMENT BY -1 MINVALUE -50 MAXVALUE 0 COMMENT 'down';",
        expect: &["RESTART", "COMMENT = 'down'"],
        reject: &[],
    },
    Step {
        current: "CREATE TABLE t (a INT); CREATE SEQUENCE s MINVALUE 10 MAXVALUE 100 NOCACHE; \
                  SELECT NEXTVAL(s); SELECT NEXTVAL(s);",
        desired: "CREATE TABLE t (a INT); CREATE SEQUENCE s NOCACHE;",
        expect: &["NO MINVALUE NO MAXVALUE"],
        reject: &["RESTART"],
    },
    Step {
        current: "CREATE TABLE t (a INT); CREATE SEQUENCE s;",
        desired: "CREATE TABLE t (a INT);",
        expect: &["DROP SEQUENCE `s`"],
        reject: &[],
    },
];

#[tokio::test]
async fn sequences_migrate_and_keep_rows() {
    let Some(admin) = admin().await else { return };
    if !admin.server().is_mariadb() {
        eprintln!("skipped: {:?} has no sequences", admin.server());
        return;
    }
    let a = TestDb::create().await;
    let b = TestDb::create().await;
    let mut failures = Vec::new();
    for (n, step) in STEPS.iter().enumerate() {
        a.reset().await;
        b.reset().await;
        if let Err(e) = a.load(step.current).await {
            failures.push(format!("step {n}: load current: {e}"));
            continue;
        }
        if let Err(e) = a.load("INSERT INTO t VALUES (1), (2), (3);").await {
            failures.push(format!("step {n}: rows: {e}"));
            continue;
        }
        if let Err(e) = b.load(step.desired).await {
            failures.push(format!("step {n}: load desired: {e}"));
            continue;
        }
        let desired = b.inspect().await;
        let plan = match migrate_and_check(&a, &b.name, &desired, &DiffOptions::default()).await {
            Ok(plan) => plan,
            Err(e) => {
                failures.push(format!("step {n}: {e}"));
                continue;
            }
        };
        for text in step.expect {
            if !plan.contains(text) {
                failures.push(format!("step {n}: plan lacks {text:?}:\n{plan}"));
            }
        }
        for text in step.reject {
            if plan.contains(text) {
                failures.push(format!("step {n}: plan has {text:?}:\n{plan}"));
            }
        }
        let mut conn = mysql_async::Conn::from_url(a.url()).await.expect("connect");
        let rows: Option<i64> = conn
            .query_first("SELECT COUNT(*) FROM t")
            .await
            .expect("count");
        if rows != Some(3) {
            failures.push(format!("step {n}: rows {rows:?}"));
        }
        // The altered sequence hands out values of its new range.
        if let Some(s) = desired.schemas[0].sequences.first() {
            let next: Option<i64> = conn
                .query_first("SELECT NEXTVAL(s)")
                .await
                .expect("nextval");
            let ascending = s.options.increment.unwrap_or(1) > 0;
            let lo = s
                .options
                .min_value
                .unwrap_or(if ascending { 1 } else { i64::MIN + 1 });
            let hi = s
                .options
                .max_value
                .unwrap_or(if ascending { i64::MAX - 1 } else { -1 });
            if !next.is_some_and(|v| (lo..=hi).contains(&v)) {
                failures.push(format!("step {n}: next value {next:?} outside {lo}..={hi}"));
            }
        }
        let _ = conn.disconnect().await;
    }
    // Inspection reads the options back as written.
    a.reset().await;
    a.load(
        "CREATE SEQUENCE s START WITH 10 INCREMENT BY 5 MINVALUE 10 MAXVALUE 1000 CACHE 20 CYCLE;",
    )
    .await
    .expect("load");
    let realm = a.inspect().await;
    assert_eq!(
        realm.schemas[0]
            .sequences
            .first()
            .map(|s| s.options.clone()),
        Some(SequenceOptions {
            start: None,
            increment: Some(5),
            min_value: Some(10),
            max_value: Some(1000),
            cache: Some(20),
            cycle: true,
        })
    );
    assert!(realm.schemas[0].tables.is_empty(), "a sequence is no table");
    a.drop().await;
    b.drop().await;
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
