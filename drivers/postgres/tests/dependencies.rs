//! Plans that respect dependencies, on a real server with rows in the tables: keys
//! referenced by foreign keys, functions called by domains and expressions, enums read by
//! views and policies, inherited columns. Each case loads the current state and rows,
//! plans to the desired state (loaded in a second database), applies the plan, and
//! requires that a second plan is empty and that the rows are still there.

mod common;
mod fk_graphs;

use common::migration::*;
use common::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

#[tokio::test]
async fn retyped_primary_key_referenced_by_several_tables() {
    let Some(plan) = migrate(&Case {
        current: "
            CREATE TABLE parent (id int PRIMARY KEY, name text);
            CREATE TABLE child_a (id int PRIMARY KEY, parent_id int
                REFERENCES parent (id) ON DELETE CASCADE ON UPDATE CASCADE);
            CREATE TABLE child_b (id int PRIMARY KEY, parent_id int,
                CONSTRAINT child_b_parent FOREIGN KEY (parent_id) REFERENCES parent (id)
                ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED);
            CREATE VIEW parent_names AS SELECT id, name FROM parent;",
        rows: "
            INSERT INTO parent VALUES (1, 'a'), (2, 'b');
            INSERT INTO child_a VALUES (1, 1), (2, 2);
            INSERT INTO child_b VALUES (1, 2), (2, NULL);",
        desired: "
            CREATE TABLE parent (id bigint PRIMARY KEY, name text);
            CREATE TABLE child_a (id int PRIMARY KEY, parent_id bigint
                REFERENCES parent (id) ON DELETE CASCADE ON UPDATE CASCADE);
            CREATE TABLE child_b (id int PRIMARY KEY, parent_id bigint,
                CONSTRAINT child_b_parent FOREIGN KEY (parent_id) REFERENCES parent (id)
                ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED);
            CREATE VIEW parent_names AS SELECT id, name FROM parent;",
        checks: &[
            "(SELECT count(*) FROM parent) = 2",
            "(SELECT count(*) FROM child_a WHERE parent_id IS NOT NULL) = 2",
            "(SELECT count(*) FROM child_b WHERE parent_id = 2) = 1",
            "(SELECT count(*) FROM parent_names) = 2",
        ],
    })
    .await
    else {
        return;
    };
    // Both foreign keys go before the key's column changes and come back after.
    assert_eq!(count(&plan, "DROP CONSTRAINT"), 2, "{}", plan.to_sql());
    assert_eq!(count(&plan, "FOREIGN KEY"), 2, "{}", plan.to_sql());
}

#[tokio::test]
async fn composite_key_recreated_under_an_unchanged_foreign_key() {
    migrate(&Case {
        current: "
            CREATE TABLE parent (a int, b int, CONSTRAINT parent_pkey PRIMARY KEY (a, b));
            CREATE TABLE child (x int, y int, CONSTRAINT child_parent FOREIGN KEY (x, y)
                REFERENCES parent (a, b) ON DELETE CASCADE);
            CREATE TABLE other (x int, y int, CONSTRAINT other_parent FOREIGN KEY (x, y)
                REFERENCES parent (a, b) MATCH FULL ON UPDATE CASCADE);",
        rows: "
            INSERT INTO parent VALUES (1, 1), (1, 2);
            INSERT INTO child VALUES (1, 1), (1, 2);
            INSERT INTO other VALUES (1, 2);",
        // The key is dropped and created again under another name.
        desired: "
            CREATE TABLE parent (a int, b int, CONSTRAINT parent_key PRIMARY KEY (a, b));
            CREATE TABLE child (x int, y int, CONSTRAINT child_parent FOREIGN KEY (x, y)
                REFERENCES parent (a, b) ON DELETE CASCADE);
            CREATE TABLE other (x int, y int, CONSTRAINT other_parent FOREIGN KEY (x, y)
                REFERENCES parent (a, b) MATCH FULL ON UPDATE CASCADE);",
        checks: &[
            "(SELECT count(*) FROM child) = 2",
            "(SELECT count(*) FROM other) = 1",
        ],
    })
    .await;
}

#[tokio::test]
async fn key_loses_a_column_that_foreign_keys_referenced() {
    migrate(&Case {
        current: "
            CREATE TABLE parent (a int, b int, PRIMARY KEY (a, b));
            CREATE TABLE child (id int PRIMARY KEY, x int, y int,
                CONSTRAINT child_parent FOREIGN KEY (x, y) REFERENCES parent (a, b));",
        rows: "
            INSERT INTO parent VALUES (1, 1), (2, 1);
            INSERT INTO child VALUES (1, 1, 1), (2, 2, 1);",
        desired: "
            CREATE TABLE parent (a int, PRIMARY KEY (a));
            CREATE TABLE child (id int PRIMARY KEY, x int,
                CONSTRAINT child_parent FOREIGN KEY (x) REFERENCES parent (a));",
        checks: &[
            "(SELECT count(*) FROM parent) = 2",
            "(SELECT count(*) FROM child) = 2",
        ],
    })
    .await;
}

#[tokio::test]
async fn unique_key_referenced_by_foreign_keys_changes_columns() {
    migrate(&Case {
        current: "
            CREATE TABLE region (id int PRIMARY KEY, code text,
                CONSTRAINT region_code UNIQUE (code));
            CREATE TABLE shop (id int PRIMARY KEY, region_code text, region_id int,
                CONSTRAINT shop_region FOREIGN KEY (region_code) REFERENCES region (code));",
        rows: "
            INSERT INTO region VALUES (1, 'n'), (2, 's');
            INSERT INTO shop VALUES (1, 'n', 1), (2, 's', 2);",
        desired: "
            CREATE TABLE region (id int PRIMARY KEY, code text,
                CONSTRAINT region_code UNIQUE (code, id));
            CREATE TABLE shop (id int PRIMARY KEY, region_code text, region_id int,
                CONSTRAINT shop_region FOREIGN KEY (region_code, region_id)
                REFERENCES region (code, id) ON DELETE CASCADE);",
        checks: &["(SELECT count(*) FROM shop) = 2"],
    })
    .await;
}

#[tokio::test]
async fn foreign_keys_are_left_alone_when_their_key_stays() {
    let Some(plan) = migrate(&Case {
        current: "
            CREATE TABLE parent (id int PRIMARY KEY, name varchar(10), note int);
            CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent (id));",
        rows: "
            INSERT INTO parent VALUES (1, 'a', 1);
            INSERT INTO child VALUES (1, 1);",
        desired: "
            CREATE TABLE parent (id int PRIMARY KEY, name text);
            CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent (id));",
        checks: &["(SELECT count(*) FROM child) = 1"],
    })
    .await
    else {
        return;
    };
    assert_eq!(count(&plan, "CONSTRAINT"), 0, "{}", plan.to_sql());
}

#[tokio::test]
async fn functions_come_before_the_domains_and_expressions_that_call_them() {
    let functions = "
        CREATE FUNCTION is_even(n int) RETURNS boolean LANGUAGE sql IMMUTABLE
            AS 'SELECT n % 2 = 0';
        CREATE FUNCTION twice(n int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT n * 2';
        CREATE DOMAIN even AS int CHECK (is_even(VALUE));";
    let desired = format!(
        "{functions}
        CREATE TABLE t (id int PRIMARY KEY, n even DEFAULT twice(1),
            g int GENERATED ALWAYS AS (twice(n)) STORED,
            CONSTRAINT t_n_even CHECK (is_even(n)));
        CREATE INDEX t_twice ON t (twice(n));
        ALTER TABLE t ENABLE ROW LEVEL SECURITY;
        CREATE POLICY t_even ON t USING (is_even(n));"
    );
    migrate(&Case {
        current: "CREATE TABLE t (id int PRIMARY KEY, n int);",
        rows: "INSERT INTO t VALUES (1, 2), (2, 4);",
        desired: &desired,
        checks: &["(SELECT sum(g) FROM t) = 12"],
    })
    .await;
    // And back: the domain goes before the function its check calls.
    migrate(&Case {
        current: &format!("{functions} CREATE TABLE t (id int PRIMARY KEY, n even);"),
        rows: "INSERT INTO t VALUES (1, 2);",
        desired: "CREATE TABLE t (id int PRIMARY KEY, n int);",
        checks: &["(SELECT count(*) FROM t) = 1"],
    })
    .await;
}

#[tokio::test]
async fn enum_recreated_under_views_policies_indexes_and_checks() {
    let table = "
        CREATE TABLE t (id int PRIMARY KEY, m mood DEFAULT 'ok', ms mood[],
            CONSTRAINT t_not_sad CHECK (m <> 'sad'));
        CREATE INDEX t_happy ON t (id) WHERE m = 'happy';
        CREATE INDEX t_m ON t (m);
        ALTER TABLE t ENABLE ROW LEVEL SECURITY;
        CREATE POLICY t_ok ON t USING (m <> 'sad');
        CREATE VIEW happy AS SELECT id, m FROM t WHERE m = 'happy';
        CREATE VIEW happy_ids AS SELECT id FROM happy;";
    migrate(&Case {
        current: &format!("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'meh'); {table}"),
        rows: "INSERT INTO t VALUES (1, 'ok', '{ok,happy}'), (2, 'happy', NULL);",
        // A label removed and two reordered: the type is recreated.
        desired: &format!("CREATE TYPE mood AS ENUM ('happy', 'ok', 'sad'); {table}"),
        checks: &[
            "(SELECT count(*) FROM happy_ids) = 1",
            "(SELECT ms FROM t WHERE id = 1) = '{ok,happy}'",
            "(SELECT min(m) FROM t) = 'happy'",
        ],
    })
    .await;
}

#[tokio::test]
async fn inherited_columns_change_on_the_parent_only() {
    migrate(&Case {
        current: "
            CREATE TABLE parent (id int, note text, v int, gone int);
            CREATE TABLE child (note text, v int, extra int) INHERITS (parent);
            CREATE TABLE part_root (id int, k int, v int) PARTITION BY LIST (k);
            CREATE TABLE part_one PARTITION OF part_root FOR VALUES IN (1);
            CREATE VIEW child_notes AS SELECT id, note FROM child;",
        rows: "
            INSERT INTO parent VALUES (1, 'p', 1, 1);
            INSERT INTO child (id, note, v, gone, extra) VALUES (2, 'c', 2, 2, 2);
            INSERT INTO part_root VALUES (1, 1, 1);",
        // `gone` is dropped on the parent only (the child inherits it); `note`, which the
        // child also declares, goes from both; `v`, which the child declares too, is
        // retyped on the parent and follows in the child and the partition.
        desired: "
            CREATE TABLE parent (id int, v bigint);
            CREATE TABLE child (v bigint, extra int) INHERITS (parent);
            CREATE TABLE part_root (id int, k int, v bigint) PARTITION BY LIST (k);
            CREATE TABLE part_one PARTITION OF part_root FOR VALUES IN (1);
            CREATE VIEW child_notes AS SELECT id, v FROM child;",
        checks: &[
            "(SELECT count(*) FROM parent) = 2",
            "(SELECT extra FROM child) = 2",
            "(SELECT v FROM part_one) = 1",
        ],
    })
    .await;
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
    let Some((current_db, desired_db)) = runtime.block_on(async {
        admin().await?;
        Some((TestDb::create().await, TestDb::create().await))
    }) else {
        return;
    };
    let (current, desired) =
        runtime.block_on(async { (current_db.open().await, desired_db.open().await) });
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
                current: &model.sql(true),
                rows: &model.rows(),
                desired: &wanted.sql(true),
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
    drop(current);
    drop(desired);
    runtime.block_on(async {
        current_db.drop_db().await;
        desired_db.drop_db().await;
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }
}
