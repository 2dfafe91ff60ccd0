//! Plans that respect dependencies, on a real server with rows in the tables: keys and
//! columns referenced by foreign keys in other tables, which MySQL and MariaDB refuse to
//! change or drop while the foreign keys exist. Each case loads the current state and
//! rows, plans to the desired state (loaded in a second database), applies the plan, and
//! requires that a second plan is empty and that the rows are still there.

mod common;
#[path = "../../postgres/tests/fk_graphs/mod.rs"]
mod fk_graphs;

use common::*;
use mercator_driver::{Driver, DriverExt};
use mysql_async::prelude::Queryable;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use schema_diff::{DialectExt, DiffOptions, Plan, PlanOptions};

/// One migration: `current` plus `rows` is migrated to `desired`; `checks` are SQL
/// conditions (e.g. `(SELECT count(*) FROM t) = 3`) that must hold afterwards.
struct Case<'a> {
    current: &'a str,
    rows: &'a str,
    desired: &'a str,
    checks: &'a [&'a str],
}

/// Runs the case on two open databases (emptied first); returns the plan that was
/// applied, or what went wrong.
async fn check_migration(
    current: &TestDb,
    desired: &TestDb,
    case: &Case<'_>,
) -> Result<Plan, String> {
    current.reset().await;
    desired.reset().await;
    current
        .load(case.current)
        .await
        .map_err(|e| format!("loading current: {e}"))?;
    current
        .load(case.rows)
        .await
        .map_err(|e| format!("inserting rows: {e}"))?;
    desired
        .load(case.desired)
        .await
        .map_err(|e| format!("loading desired: {e}"))?;
    let before = rename_schema(&current.inspect().await, &current.name, "app");
    let target = rename_schema(&desired.inspect().await, &desired.name, "app");
    let dialect = current.driver.dialect();
    let changes = dialect.diff(&before, &target, &DiffOptions::default());
    let options = PlanOptions {
        unqualified_schema: Some("app".into()),
        ..PlanOptions::default()
    };
    let plan = dialect
        .plan(&changes, &options)
        .map_err(|e| format!("plan: {e}"))?;
    if let Err(e) = current.driver.apply(&plan).await {
        return Err(format!("apply failed: {e}\nplan:\n{}", plan.to_sql()));
    }
    let after = rename_schema(&current.inspect().await, &current.name, "app");
    let again = dialect.diff(&after, &target, &DiffOptions::default());
    if !again.is_empty() {
        return Err(format!(
            "second plan not empty:\n{}\nfirst plan:\n{}",
            dialect
                .plan(&again, &options)
                .map(|p| p.to_sql())
                .unwrap_or_default(),
            plan.to_sql()
        ));
    }
    let opts = mysql_async::Opts::from_url(current.url()).map_err(|e| e.to_string())?;
    let mut conn = mysql_async::Conn::new(opts)
        .await
        .map_err(|e| e.to_string())?;
    let mut failed = None;
    for check in case.checks {
        let holds: Result<Option<i64>, _> = conn.query_first(format!("SELECT ({check}) + 0")).await;
        if !matches!(holds, Ok(Some(1))) {
            failed = Some(format!(
                "check {check} failed after the plan ({holds:?}):\n{}",
                plan.to_sql()
            ));
            break;
        }
    }
    let _ = conn.disconnect().await;
    match failed {
        Some(e) => Err(e),
        None => Ok(plan),
    }
}

/// Runs the case in two fresh databases; returns the plan that was applied (`None` when
/// the server is unreachable and the test skips).
async fn migrate(case: &Case<'_>) -> Option<Plan> {
    admin().await?;
    let current = TestDb::create().await;
    let desired = TestDb::create().await;
    let outcome = check_migration(&current, &desired, case).await;
    current.drop().await;
    desired.drop().await;
    match outcome {
        Ok(plan) => Some(plan),
        Err(e) => panic!("{e}"),
    }
}

fn count(plan: &Plan, needle: &str) -> usize {
    plan.statements
        .iter()
        .filter(|s| s.sql.contains(needle))
        .count()
}

#[tokio::test]
async fn retyped_primary_key_referenced_by_several_tables() {
    let Some(plan) = migrate(&Case {
        current: "
            CREATE TABLE parent (id int NOT NULL, name varchar(20), PRIMARY KEY (id));
            CREATE TABLE child_a (id int NOT NULL PRIMARY KEY, parent_id int,
                CONSTRAINT child_a_parent FOREIGN KEY (parent_id) REFERENCES parent (id)
                ON DELETE CASCADE ON UPDATE CASCADE);
            CREATE TABLE child_b (id int NOT NULL PRIMARY KEY, parent_id int,
                CONSTRAINT child_b_parent FOREIGN KEY (parent_id) REFERENCES parent (id)
                ON DELETE SET NULL);",
        rows: "
            INSERT INTO parent VALUES (1, 'a'), (2, 'b');
            INSERT INTO child_a VALUES (1, 1), (2, 2);
            INSERT INTO child_b VALUES (1, 2), (2, NULL);",
        desired: "
            CREATE TABLE parent (id bigint NOT NULL, name varchar(20), PRIMARY KEY (id));
            CREATE TABLE child_a (id int NOT NULL PRIMARY KEY, parent_id bigint,
                CONSTRAINT child_a_parent FOREIGN KEY (parent_id) REFERENCES parent (id)
                ON DELETE CASCADE ON UPDATE CASCADE);
            CREATE TABLE child_b (id int NOT NULL PRIMARY KEY, parent_id bigint,
                CONSTRAINT child_b_parent FOREIGN KEY (parent_id) REFERENCES parent (id)
                ON DELETE SET NULL);",
        checks: &[
            "(SELECT count(*) FROM parent) = 2",
            "(SELECT count(*) FROM child_a WHERE parent_id IS NOT NULL) = 2",
            "(SELECT count(*) FROM child_b WHERE parent_id = 2) = 1",
        ],
    })
    .await
    else {
        return;
    };
    assert_eq!(count(&plan, "DROP FOREIGN KEY"), 2, "{}", plan.to_sql());
    assert_eq!(count(&plan, "ADD CONSTRAINT"), 2, "{}", plan.to_sql());
}

#[tokio::test]
async fn key_loses_a_column_that_foreign_keys_referenced() {
    migrate(&Case {
        current: "
            CREATE TABLE parent (a int NOT NULL, b int NOT NULL, PRIMARY KEY (a, b));
            CREATE TABLE child (id int NOT NULL PRIMARY KEY, x int, y int,
                CONSTRAINT child_parent FOREIGN KEY (x, y) REFERENCES parent (a, b));
            CREATE TABLE other (id int NOT NULL PRIMARY KEY, x int, y int,
                CONSTRAINT other_parent FOREIGN KEY (x, y) REFERENCES parent (a, b)
                ON UPDATE CASCADE);",
        rows: "
            INSERT INTO parent VALUES (1, 1), (2, 1);
            INSERT INTO child VALUES (1, 1, 1), (2, 2, 1);
            INSERT INTO other VALUES (1, 2, 1);",
        desired: "
            CREATE TABLE parent (a int NOT NULL, PRIMARY KEY (a));
            CREATE TABLE child (id int NOT NULL PRIMARY KEY, x int, y int,
                CONSTRAINT child_parent FOREIGN KEY (x) REFERENCES parent (a));
            CREATE TABLE other (id int NOT NULL PRIMARY KEY, x int, y int);",
        checks: &[
            "(SELECT count(*) FROM parent) = 2",
            "(SELECT count(*) FROM child) = 2",
            "(SELECT count(*) FROM other) = 1",
        ],
    })
    .await;
}

#[tokio::test]
async fn unique_key_referenced_by_a_foreign_key_is_recreated() {
    migrate(&Case {
        current: "
            CREATE TABLE region (id int NOT NULL PRIMARY KEY, code varchar(8),
                UNIQUE KEY region_code (code));
            CREATE TABLE shop (id int NOT NULL PRIMARY KEY, region_code varchar(8),
                CONSTRAINT shop_region FOREIGN KEY (region_code) REFERENCES region (code));",
        rows: "
            INSERT INTO region VALUES (1, 'n'), (2, 's');
            INSERT INTO shop VALUES (1, 'n'), (2, 's');",
        // The unique key becomes a composite one (still led by `code`), and the column
        // both sides share is widened.
        desired: "
            CREATE TABLE region (id int NOT NULL PRIMARY KEY, code varchar(16),
                UNIQUE KEY region_code (code, id));
            CREATE TABLE shop (id int NOT NULL PRIMARY KEY, region_code varchar(16),
                CONSTRAINT shop_region FOREIGN KEY (region_code) REFERENCES region (code)
                ON DELETE CASCADE);",
        checks: &["(SELECT count(*) FROM shop) = 2"],
    })
    .await;
}

#[tokio::test]
async fn foreign_keys_are_left_alone_when_their_key_stays() {
    let Some(plan) = migrate(&Case {
        current: "
            CREATE TABLE parent (id int NOT NULL PRIMARY KEY, name varchar(10), note int);
            CREATE TABLE child (id int NOT NULL PRIMARY KEY, parent_id int,
                CONSTRAINT child_parent FOREIGN KEY (parent_id) REFERENCES parent (id));",
        rows: "
            INSERT INTO parent VALUES (1, 'a', 1);
            INSERT INTO child VALUES (1, 1);",
        desired: "
            CREATE TABLE parent (id int NOT NULL PRIMARY KEY, name varchar(30));
            CREATE TABLE child (id int NOT NULL PRIMARY KEY, parent_id int,
                CONSTRAINT child_parent FOREIGN KEY (parent_id) REFERENCES parent (id));",
        checks: &["(SELECT count(*) FROM child) = 1"],
    })
    .await
    else {
        return;
    };
    assert_eq!(count(&plan, "FOREIGN KEY"), 0, "{}", plan.to_sql());
}

/// Random foreign-key graphs with random changes to referenced keys, column types and
/// views converge in one plan and keep their rows (`PROPTEST_CASES` cases, 8 by default).
#[test]
fn random_foreign_key_graphs_converge() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let Some((current, desired)) = runtime.block_on(async {
        admin().await?;
        Some((TestDb::create().await, TestDb::create().await))
    }) else {
        return;
    };
    let mut runner = TestRunner::new(Config {
        cases: fk_graphs::cases(),
        max_shrink_iters: 200,
        ..Config::default()
    });
    let outcome = runner.run(
        &(fk_graphs::model(), fk_graphs::mutations()),
        |(model, mutations)| {
            let mut wanted = model.clone();
            for m in &mutations {
                wanted.apply(m);
            }
            let checks = wanted.checks();
            let checks: Vec<&str> = checks.iter().map(String::as_str).collect();
            let case = Case {
                current: &model.sql(false),
                rows: &model.rows(),
                desired: &wanted.sql(false),
                checks: &checks,
            };
            runtime
                .block_on(check_migration(&current, &desired, &case))
                .map(|_| ())
                .map_err(|e| {
                    TestCaseError::fail(format!(
                        "{e}\ncurrent:\n{}\ndesired:\n{}",
                        case.current, case.desired
                    ))
                })
        },
    );
    runtime.block_on(async {
        current.drop().await;
        desired.drop().await;
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }
}

#[tokio::test]
async fn index_a_foreign_key_relies_on_changes() {
    migrate(&Case {
        current: "
            CREATE TABLE parent (id int NOT NULL PRIMARY KEY);
            CREATE TABLE child (id int NOT NULL PRIMARY KEY, parent_id int, x int,
                KEY idx_p (parent_id, x),
                CONSTRAINT child_parent FOREIGN KEY (parent_id) REFERENCES parent (id));",
        rows: "
            INSERT INTO parent VALUES (1), (2);
            INSERT INTO child VALUES (1, 1, 1), (2, 2, 2);",
        // The index no longer starts with the key's column: the server makes one of its
        // own for the foreign key, and the key must never be left without an index.
        desired: "
            CREATE TABLE parent (id int NOT NULL PRIMARY KEY);
            CREATE TABLE child (id int NOT NULL PRIMARY KEY, parent_id int, x int,
                KEY idx_p (x, parent_id),
                CONSTRAINT child_parent FOREIGN KEY (parent_id) REFERENCES parent (id));",
        checks: &["(SELECT count(*) FROM child) = 2"],
    })
    .await;
}

/// A partitioned table with rows: ids 1..=25 spread over the range partitions.
const PARTITIONED: &str = "
    CREATE TABLE events (id int NOT NULL, v varchar(10), PRIMARY KEY (id))
        PARTITION BY RANGE (id) (
            PARTITION p0 VALUES LESS THAN (10),
            PARTITION p1 VALUES LESS THAN (30));";
const PARTITIONED_ROWS: &str = "
    INSERT INTO events (id, v) VALUES (1, 'a'), (9, 'b'), (10, 'c'), (25, 'd');";
const EVENTS_KEPT: &[&str] = &[
    "(SELECT count(*) FROM events) = 4",
    "(SELECT v FROM events WHERE id = 25) = 'd'",
];

#[tokio::test]
async fn range_partition_is_added() {
    let Some(plan) = migrate(&Case {
        current: PARTITIONED,
        rows: PARTITIONED_ROWS,
        desired: "
            CREATE TABLE events (id int NOT NULL, v varchar(10), PRIMARY KEY (id))
                PARTITION BY RANGE (id) (
                    PARTITION p0 VALUES LESS THAN (10),
                    PARTITION p1 VALUES LESS THAN (30),
                    PARTITION p2 VALUES LESS THAN MAXVALUE);",
        checks: &[
            "(SELECT count(*) FROM events) = 4",
            "(SELECT count(*) FROM information_schema.PARTITIONS \
              WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'events') = 3",
        ],
    })
    .await
    else {
        return;
    };
    assert_eq!(plan.statements.len(), 1, "{}", plan.to_sql());
    assert_eq!(
        count(&plan, "ALTER TABLE `events` PARTITION BY RANGE"),
        1,
        "{}",
        plan.to_sql()
    );
}

#[tokio::test]
async fn range_partitioning_becomes_hash() {
    let Some(plan) = migrate(&Case {
        current: PARTITIONED,
        rows: PARTITIONED_ROWS,
        desired: "
            CREATE TABLE events (id int NOT NULL, v varchar(10), PRIMARY KEY (id))
                PARTITION BY HASH (id) PARTITIONS 4;",
        checks: &[
            EVENTS_KEPT[0],
            EVENTS_KEPT[1],
            "(SELECT count(*) FROM information_schema.PARTITIONS \
              WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'events' \
              AND PARTITION_METHOD = 'HASH') = 4",
        ],
    })
    .await
    else {
        return;
    };
    assert_eq!(count(&plan, "REMOVE PARTITIONING"), 0, "{}", plan.to_sql());
    assert_eq!(count(&plan, "PARTITION BY HASH"), 1, "{}", plan.to_sql());
}

#[tokio::test]
async fn partitioning_is_removed() {
    let Some(plan) = migrate(&Case {
        current: PARTITIONED,
        rows: PARTITIONED_ROWS,
        desired: "CREATE TABLE events (id int NOT NULL, v varchar(10), PRIMARY KEY (id));",
        checks: &[
            EVENTS_KEPT[0],
            EVENTS_KEPT[1],
            "(SELECT count(*) FROM information_schema.PARTITIONS \
              WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'events' \
              AND PARTITION_NAME IS NOT NULL) = 0",
        ],
    })
    .await
    else {
        return;
    };
    assert_eq!(count(&plan, "REMOVE PARTITIONING"), 1, "{}", plan.to_sql());
}

/// The new partitioning reads a column the same plan adds and needs a wider primary key:
/// the column and key come first, `PARTITION BY` last.
#[tokio::test]
async fn partitioning_on_a_new_column_follows_the_column_and_key() {
    let Some(plan) = migrate(&Case {
        current: "CREATE TABLE events (id int NOT NULL, v varchar(10), PRIMARY KEY (id));",
        rows: PARTITIONED_ROWS,
        desired: "
            CREATE TABLE events (id int NOT NULL, v varchar(10),
                created int NOT NULL DEFAULT 2020, PRIMARY KEY (id, created))
                PARTITION BY RANGE (created) (
                    PARTITION old VALUES LESS THAN (2021),
                    PARTITION new VALUES LESS THAN MAXVALUE);",
        checks: &[
            EVENTS_KEPT[0],
            EVENTS_KEPT[1],
            "(SELECT count(*) FROM events PARTITION (old)) = 4",
        ],
    })
    .await
    else {
        return;
    };
    let sql = plan.to_sql();
    let add = sql.find("ADD COLUMN `created`").expect(&sql);
    let partition = sql.find("PARTITION BY RANGE").expect(&sql);
    assert!(add < partition, "{sql}");
}

/// The reverse: the old partitioning reads a column the plan drops and a key column the
/// new primary key loses, so it is removed before the other changes.
#[tokio::test]
async fn partitioning_on_a_dropped_column_is_removed_first() {
    let Some(plan) = migrate(&Case {
        current: "
            CREATE TABLE events (id int NOT NULL, v varchar(10),
                created int NOT NULL DEFAULT 2020, PRIMARY KEY (id, created))
                PARTITION BY RANGE (created) (
                    PARTITION old VALUES LESS THAN (2021),
                    PARTITION new VALUES LESS THAN MAXVALUE);",
        rows: PARTITIONED_ROWS,
        desired: "
            CREATE TABLE events (id int NOT NULL, v varchar(10), PRIMARY KEY (id))
                PARTITION BY HASH (id) PARTITIONS 4;",
        checks: EVENTS_KEPT,
    })
    .await
    else {
        return;
    };
    let sql = plan.to_sql();
    let remove = sql.find("REMOVE PARTITIONING").expect(&sql);
    let drop = sql.find("DROP COLUMN `created`").expect(&sql);
    let partition = sql.find("PARTITION BY HASH").expect(&sql);
    assert!(remove < drop && drop < partition, "{sql}");
}
