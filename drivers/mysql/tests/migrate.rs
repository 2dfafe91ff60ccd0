//! The migration property on pairs of schemas with data: load `current`, put a row in
//! every table, plan current → desired, apply, inspect equal to `desired` loaded fresh,
//! rows kept in the tables both states share, re-plan empty. Then the same backwards.

mod common;

use common::data::{emptied, insert_rows};
use common::{TestDb, admin, migrate_and_check, url_for};
use schema_diff::{DiffOptions, RenameHint};

struct Pair {
    name: &'static str,
    current: &'static str,
    desired: &'static str,
    /// Text the forward plan must contain.
    expect: &'static [&'static str],
}

const PAIRS: &[Pair] = &[
    Pair {
        name: "add column after",
        current: "CREATE TABLE t (a INT, c INT);",
        desired: "CREATE TABLE t (a INT, b VARCHAR(10) NOT NULL DEFAULT 'x', c INT);",
        expect: &["ADD COLUMN `b` varchar(10) NOT NULL DEFAULT 'x' AFTER `a`"],
    },
    Pair {
        name: "view algorithm and security",
        current: "CREATE TABLE t (a INT); CREATE VIEW v AS SELECT a FROM t; \
                  CREATE ALGORITHM=MERGE VIEW w AS SELECT a FROM t;",
        desired: "CREATE TABLE t (a INT); \
                  CREATE ALGORITHM=TEMPTABLE SQL SECURITY INVOKER VIEW v AS SELECT a FROM t; \
                  CREATE VIEW w AS SELECT a FROM t;",
        expect: &[
            "CREATE ALGORITHM = TEMPTABLE SQL SECURITY INVOKER VIEW `v`",
            "CREATE VIEW `w`",
        ],
    },
    Pair {
        name: "function and procedure of one name",
        current: "CREATE TABLE t (a INT);",
        desired: "CREATE TABLE t (a INT); \
                  CREATE FUNCTION f() RETURNS INT DETERMINISTIC RETURN 1; \
                  CREATE PROCEDURE f() SELECT 1;",
        expect: &["CREATE FUNCTION `f`", "CREATE PROCEDURE `f`"],
    },
    Pair {
        name: "function changes beside a procedure of its name",
        current: "CREATE TABLE t (a INT); \
                  CREATE FUNCTION f() RETURNS INT DETERMINISTIC RETURN 1; \
                  CREATE PROCEDURE f() SELECT 1;",
        desired: "CREATE TABLE t (a INT); \
                  CREATE FUNCTION f() RETURNS INT DETERMINISTIC RETURN 2; \
                  CREATE PROCEDURE f() SELECT 1;",
        expect: &["DROP FUNCTION `f`", "RETURN 2"],
    },
    Pair {
        name: "add column first",
        current: "CREATE TABLE t (b INT);",
        desired: "CREATE TABLE t (a INT, b INT);",
        expect: &["FIRST"],
    },
    Pair {
        name: "two columns in one alter",
        current: "CREATE TABLE t (id INT PRIMARY KEY, x INT);",
        desired: "CREATE TABLE t (id INT PRIMARY KEY, y INT, z DATE, KEY tz (z));",
        expect: &[
            "DROP COLUMN `x`",
            "ADD COLUMN `y` int(11) NULL AFTER `id`",
            "ADD INDEX `tz`",
        ],
    },
    Pair {
        name: "widen type",
        current: "CREATE TABLE t (a INT, s VARCHAR(10));",
        desired: "CREATE TABLE t (a BIGINT, s VARCHAR(100));",
        expect: &["MODIFY COLUMN `a` bigint", "MODIFY COLUMN `s` varchar(100)"],
    },
    Pair {
        name: "enum append",
        current: "CREATE TABLE t (e ENUM('a','b') NOT NULL);",
        desired: "CREATE TABLE t (e ENUM('a','b','c') NOT NULL);",
        expect: &["MODIFY COLUMN `e` enum('a','b','c')"],
    },
    Pair {
        name: "enum insert in the middle",
        current: "CREATE TABLE t (e ENUM('a','c') NOT NULL);",
        desired: "CREATE TABLE t (e ENUM('a','b','c') NOT NULL);",
        expect: &["rebuilds the table", "MODIFY COLUMN `e` enum('a','b','c')"],
    },
    Pair {
        name: "set append",
        current: "CREATE TABLE t (s SET('x','y'));",
        desired: "CREATE TABLE t (s SET('x','y','z'));",
        expect: &["set('x','y','z')"],
    },
    Pair {
        name: "add and drop index",
        current: "CREATE TABLE t (a INT, b INT, KEY ia (a));",
        desired: "CREATE TABLE t (a INT, b INT, KEY ib (b, a));",
        expect: &["DROP INDEX `ia`", "ADD INDEX `ib`"],
    },
    Pair {
        name: "index becomes unique",
        current: "CREATE TABLE t (a INT, KEY ia (a));",
        desired: "CREATE TABLE t (a INT, UNIQUE KEY ia (a));",
        expect: &["ADD UNIQUE INDEX `ia`"],
    },
    Pair {
        name: "ignore index",
        current: "CREATE TABLE t (a INT, KEY ia (a));",
        desired: "CREATE TABLE t (a INT, KEY ia (a) IGNORED);",
        expect: &["ALTER INDEX `ia` IGNORED"],
    },
    Pair {
        name: "prefix and desc index",
        current: "CREATE TABLE t (a VARCHAR(50), b INT);",
        desired: "CREATE TABLE t (a VARCHAR(50), b INT, KEY ab (a(5), b DESC));",
        expect: &["(`a`(5), `b` DESC)"],
    },
    Pair {
        name: "add foreign key",
        current: "CREATE TABLE p (id INT PRIMARY KEY); CREATE TABLE c (id INT PRIMARY KEY, p_id INT);",
        desired: "CREATE TABLE p (id INT PRIMARY KEY); CREATE TABLE c (id INT PRIMARY KEY, p_id INT, CONSTRAINT c_p FOREIGN KEY (p_id) REFERENCES p (id) ON DELETE CASCADE);",
        expect: &[
            "ADD CONSTRAINT `c_p` FOREIGN KEY (`p_id`) REFERENCES `p` (`id`) ON DELETE CASCADE",
        ],
    },
    Pair {
        name: "change foreign key action",
        current: "CREATE TABLE p (id INT PRIMARY KEY); CREATE TABLE c (id INT PRIMARY KEY, p_id INT, KEY c_p (p_id), CONSTRAINT c_p FOREIGN KEY (p_id) REFERENCES p (id));",
        desired: "CREATE TABLE p (id INT PRIMARY KEY); CREATE TABLE c (id INT PRIMARY KEY, p_id INT, KEY c_p (p_id), CONSTRAINT c_p FOREIGN KEY (p_id) REFERENCES p (id) ON DELETE SET NULL);",
        expect: &["DROP FOREIGN KEY `c_p`", "ON DELETE SET NULL"],
    },
    Pair {
        name: "add check",
        current: "CREATE TABLE t (a INT);",
        desired: "CREATE TABLE t (a INT, CONSTRAINT a_pos CHECK (a > 0));",
        expect: &["ADD CONSTRAINT `a_pos` CHECK"],
    },
    Pair {
        name: "change check",
        current: "CREATE TABLE t (a INT, CONSTRAINT a_pos CHECK (a > 0));",
        desired: "CREATE TABLE t (a INT, CONSTRAINT a_pos CHECK (a >= 0));",
        expect: &["DROP CONSTRAINT `a_pos`"],
    },
    Pair {
        name: "nullability and default",
        current: "CREATE TABLE t (a INT, b VARCHAR(5) DEFAULT 'x');",
        desired: "CREATE TABLE t (a INT NOT NULL DEFAULT 0, b VARCHAR(5));",
        expect: &["`a` int(11) NOT NULL DEFAULT 0"],
    },
    Pair {
        name: "primary key change",
        current: "CREATE TABLE t (a INT NOT NULL, b INT NOT NULL, PRIMARY KEY (a));",
        desired: "CREATE TABLE t (a INT NOT NULL, b INT NOT NULL, PRIMARY KEY (a, b));",
        expect: &["DROP PRIMARY KEY", "ADD PRIMARY KEY (`a`, `b`)"],
    },
    Pair {
        name: "table options",
        current: "CREATE TABLE t (id INT PRIMARY KEY) COMMENT='old';",
        desired: "CREATE TABLE t (id INT PRIMARY KEY) COMMENT='new' ROW_FORMAT=COMPRESSED;",
        expect: &["COMMENT 'new'", "ROW_FORMAT=COMPRESSED"],
    },
    Pair {
        name: "column charset and comment",
        current: "CREATE TABLE t (a VARCHAR(10));",
        desired: "CREATE TABLE t (a VARCHAR(10) CHARACTER SET latin1 COLLATE latin1_bin COMMENT 'c');",
        expect: &["CHARACTER SET latin1 COLLATE latin1_bin"],
    },
    Pair {
        name: "json and generated columns",
        current: "CREATE TABLE t (id INT PRIMARY KEY, doc JSON);",
        desired: "CREATE TABLE t (id INT PRIMARY KEY, doc JSON, kind VARCHAR(20) AS (JSON_VALUE(doc, '$.kind')) VIRTUAL, twice INT AS (id * 2) STORED);",
        expect: &["GENERATED ALWAYS AS", "STORED"],
    },
    Pair {
        name: "virtual becomes stored",
        current: "CREATE TABLE t (a INT, g INT AS (a + 1) VIRTUAL);",
        desired: "CREATE TABLE t (a INT, g INT AS (a + 1) STORED);",
        expect: &["DROP COLUMN `g`", "STORED AFTER `a`"],
    },
    Pair {
        name: "on update and invisible",
        current: "CREATE TABLE t (id INT, ts TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);",
        desired: "CREATE TABLE t (id INT, ts TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, h INT INVISIBLE);",
        expect: &["ON UPDATE current_timestamp()", "INVISIBLE"],
    },
    Pair {
        name: "view and trigger follow a column change",
        current: "CREATE TABLE t (a INT, b INT); CREATE VIEW v AS SELECT a, b FROM t; CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.b = 1;",
        desired: "CREATE TABLE t (a BIGINT, b INT); CREATE VIEW v AS SELECT a, b FROM t WHERE a > 0; CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.b = 2;",
        expect: &["DROP VIEW `v`", "DROP TRIGGER `tr`"],
    },
    Pair {
        name: "routines change",
        current: "CREATE FUNCTION f(x INT) RETURNS INT DETERMINISTIC RETURN x;",
        desired: "CREATE FUNCTION f(x INT) RETURNS INT DETERMINISTIC RETURN x + 1; CREATE PROCEDURE p() SELECT 1;",
        expect: &["DROP FUNCTION `f`", "CREATE PROCEDURE `p`()"],
    },
    Pair {
        name: "table character set",
        current: "CREATE TABLE t (id INT, a VARCHAR(10), b TEXT, c VARCHAR(5) COLLATE utf8mb4_bin) DEFAULT CHARSET=latin1;",
        desired: "CREATE TABLE t (id INT, a VARCHAR(10), b TEXT, c VARCHAR(5) COLLATE utf8mb4_bin) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;",
        expect: &["CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"],
    },
    Pair {
        name: "auto increment start",
        current: "CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY);",
        desired: "CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY) AUTO_INCREMENT=500;",
        expect: &["AUTO_INCREMENT=500"],
    },
];

async fn run_pair(a: &TestDb, b: &TestDb, pair: &Pair, forward: bool) -> Result<(), String> {
    let (from, to) = if forward {
        (pair.current, pair.desired)
    } else {
        (pair.desired, pair.current)
    };
    a.reset().await;
    b.reset().await;
    a.load(from).await.map_err(|e| format!("load: {e}"))?;
    b.load(to).await.map_err(|e| format!("load: {e}"))?;
    let desired = b.inspect().await;
    let filled = insert_rows(&url_for(&a.name), &a.inspect().await).await;
    let shared: Vec<String> = filled
        .into_iter()
        .filter(|t| desired.schemas.iter().any(|s| s.table(t).is_some()))
        .collect();
    let text = migrate_and_check(a, &b.name, &desired, &DiffOptions::default()).await?;
    if forward {
        for expected in pair.expect {
            if !text.contains(expected) {
                return Err(format!("plan lacks {expected:?}:\n{text}"));
            }
        }
    }
    let lost = emptied(&url_for(&a.name), &shared).await;
    if !lost.is_empty() {
        return Err(format!("rows lost in {lost:?}"));
    }
    Ok(())
}

#[tokio::test]
async fn migration_pairs_keep_data() {
    let Some(_admin) = admin().await else { return };
    let a = TestDb::create().await;
    let b = TestDb::create().await;
    let mut failures = Vec::new();
    for pair in PAIRS {
        for forward in [true, false] {
            if let Err(e) = run_pair(&a, &b, pair, forward).await {
                let way = if forward { "forward" } else { "backward" };
                failures.push(format!("{} ({way}): {e}", pair.name));
            }
        }
    }
    a.drop().await;
    b.drop().await;
    assert!(PAIRS.len() >= 20);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A rename hint turns drop + add into `CHANGE COLUMN`, so the values survive.
#[tokio::test]
async fn rename_hint_keeps_values() {
    let Some(_admin) = admin().await else { return };
    let a = TestDb::create().await;
    let b = TestDb::create().await;
    a.load("CREATE TABLE t (id INT PRIMARY KEY, username VARCHAR(20)); INSERT INTO t VALUES (1, 'ann');")
        .await
        .unwrap();
    b.load("CREATE TABLE t (id INT PRIMARY KEY, user_name VARCHAR(40) NOT NULL DEFAULT '');")
        .await
        .unwrap();
    let desired = b.inspect().await;
    let options = DiffOptions::default().rename(RenameHint::Column {
        schema: a.name.clone(),
        table: "t".into(),
        from: "username".into(),
        to: "user_name".into(),
    });
    let plan = migrate_and_check(&a, &b.name, &desired, &options)
        .await
        .unwrap();
    assert!(
        plan.contains("CHANGE COLUMN `username` `user_name` varchar(40) NOT NULL"),
        "{plan}"
    );
    let lost = emptied(&url_for(&a.name), &["t".to_owned()]).await;
    assert!(lost.is_empty());
    use mysql_async::prelude::Queryable;
    let mut conn = mysql_async::Conn::new(mysql_async::Opts::from_url(&url_for(&a.name)).unwrap())
        .await
        .unwrap();
    let name: Option<String> = conn.query_first("SELECT user_name FROM t").await.unwrap();
    assert_eq!(name.as_deref(), Some("ann"));
    let _ = conn.disconnect().await;
    a.drop().await;
    b.drop().await;
}
