//! Scoped inspection (`InspectOptions::only_tables`) on a real server: for every table of
//! every own schema and of a fixture with the awkward cases (names differing only in case,
//! quotes and backslashes in names, foreign keys to another schema, triggers, partitions,
//! every index kind), a scoped read returns exactly the tables and triggers a full read
//! returns for those names and nothing else; a model spliced from scoped reads after DDL
//! statements equals a fresh full read. An ignored test measures a scoped read against a
//! full read of a 500-table database (`--ignored`, no timed assertions).

mod common;

use std::collections::HashSet;
use std::path::Path;
use std::time::{Duration, Instant};

use common::{TestDb, admin};
use mercator_driver::{InspectOptions, Inspector};
use mysql_async::prelude::Queryable;
use schema_model::{Realm, Schema};

/// A fixture with what a scoped read must get right. `{other}` is a second database that
/// holds a table referenced by a foreign key.
const FIXTURE: &str = r#"
CREATE TABLE parent (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY COMMENT 'the id',
  code CHAR(3) NOT NULL,
  UNIQUE KEY parent_code (code)
) AUTO_INCREMENT=100 COMMENT='parents';
CREATE TABLE orders (
  id INT NOT NULL AUTO_INCREMENT,
  parent_id BIGINT UNSIGNED,
  remote_id INT,
  status ENUM('new','paid','it''s') NOT NULL DEFAULT 'new',
  flags SET('a','b','c') DEFAULT 'a,c',
  title VARCHAR(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin,
  body TEXT,
  qty INT NOT NULL DEFAULT 1,
  price DECIMAL(10,2) NOT NULL DEFAULT 0,
  total DECIMAL(12,2) AS (qty * price) STORED,
  label VARCHAR(20) AS (UPPER(status)) VIRTUAL,
  created DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  pos POINT NOT NULL,
  PRIMARY KEY (id),
  KEY by_title (title(10)) COMMENT 'prefix',
  KEY by_created (created DESC, id),
  FULLTEXT KEY ft_body (body),
  SPATIAL KEY sp_pos (pos),
  CONSTRAINT orders_parent FOREIGN KEY (parent_id) REFERENCES parent (id)
    ON DELETE SET NULL ON UPDATE CASCADE,
  CONSTRAINT orders_remote FOREIGN KEY (remote_id) REFERENCES `{other}`.remote (id),
  CONSTRAINT qty_positive CHECK (qty > 0),
  CHECK (price >= 0)
) ENGINE=InnoDB AUTO_INCREMENT=7 ROW_FORMAT=DYNAMIC COMMENT='orders table';
CREATE TABLE order_lines (
  order_id INT NOT NULL,
  n INT NOT NULL,
  doc JSON,
  note VARCHAR(30) COLLATE latin1_general_cs,
  PRIMARY KEY (order_id, n),
  CONSTRAINT order_lines_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE
) DEFAULT CHARSET=latin1;
CREATE TABLE archive (id INT PRIMARY KEY, msg VARCHAR(100)) ENGINE=MyISAM ROW_FORMAT=FIXED;
CREATE TABLE p_range (
  id INT NOT NULL,
  created DATE NOT NULL,
  PRIMARY KEY (id, created)
) PARTITION BY RANGE (YEAR(created)) (
  PARTITION p2020 VALUES LESS THAN (2021),
  PARTITION pmax VALUES LESS THAN MAXVALUE
);
CREATE TABLE `we'ird` (`a\b` INT PRIMARY KEY, `c"d` INT);
CREATE TABLE `back\slash` (id INT PRIMARY KEY);
CREATE TABLE audit (id INT AUTO_INCREMENT PRIMARY KEY, msg VARCHAR(100));
CREATE VIEW v_orders AS SELECT id, qty FROM orders;
CREATE TRIGGER orders_bi BEFORE INSERT ON orders FOR EACH ROW SET NEW.qty = GREATEST(NEW.qty, 1);
CREATE TRIGGER orders_bi2 BEFORE INSERT ON orders FOR EACH ROW PRECEDES orders_bi SET NEW.price = ABS(NEW.price);
CREATE TRIGGER orders_ad AFTER DELETE ON orders FOR EACH ROW INSERT INTO audit (msg) VALUES (CONCAT('del ', OLD.id));
CREATE TRIGGER weird_ai AFTER INSERT ON `we'ird` FOR EACH ROW INSERT INTO audit (msg) VALUES ('w');
CREATE FUNCTION twice(x INT) RETURNS INT DETERMINISTIC RETURN x * 2;
CREATE PROCEDURE noop() SELECT 1;
"#;

/// Tables differing only in case (servers with `lower_case_table_names = 0`), each with
/// a trigger.
const CASED: &str = "
CREATE TABLE Mixed (id INT PRIMARY KEY, big TEXT);
CREATE TABLE mixed (id INT PRIMARY KEY, small INT, KEY by_small (small));
CREATE TRIGGER big_bi BEFORE INSERT ON Mixed FOR EACH ROW SET NEW.big = TRIM(NEW.big);
CREATE TRIGGER small_bi BEFORE INSERT ON mixed FOR EACH ROW SET NEW.small = ABS(NEW.small);
";

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

async fn scoped(db: &TestDb, tables: &[String]) -> Realm {
    db.driver
        .inspect(&InspectOptions::default().only_tables(tables))
        .await
        .expect("scoped inspect")
}

async fn lower_case_table_names(db: &TestDb) -> i64 {
    let mut conn = mysql_async::Conn::from_url(db.url())
        .await
        .expect("connect");
    let value: Option<i64> = conn
        .query_first("SELECT @@lower_case_table_names")
        .await
        .expect("read setting");
    let _ = conn.disconnect().await;
    value.unwrap_or_default()
}

/// What a scoped read of `requested` must hold, taken from the full read: each schema
/// with its defaults and only the tables of those names and the triggers on them.
fn expected(full: &Realm, requested: &[String]) -> Realm {
    let schemas = full
        .schemas
        .iter()
        .map(|s| {
            let mut only = Schema::new(s.name.clone());
            only.mysql = s.mysql.clone();
            only.tables = s
                .tables
                .iter()
                .filter(|t| requested.contains(&t.name))
                .cloned()
                .collect();
            only.triggers = s
                .triggers
                .iter()
                .filter(|t| requested.contains(&t.on))
                .cloned()
                .collect();
            only
        })
        .collect();
    Realm::new(schemas)
}

/// Checks that the scoped read of `requested` is exactly the full read's part for those
/// names; returns a description of the difference. Tables of several names are compared
/// sorted: names equal but for case sort as ties on MariaDB, in no fixed order.
async fn check_scope(db: &TestDb, full: &Realm, requested: &[String]) -> Result<(), String> {
    let got = scoped(db, requested).await;
    let want = expected(full, requested);
    let equal = if requested.len() > 1 {
        ordered(&got) == ordered(&want)
    } else {
        got == want
    };
    if !equal {
        return Err(format!(
            "scoped read of {requested:?} differs:\n got: {got:#?}\nwant: {want:#?}"
        ));
    }
    Ok(())
}

/// Every table alone, all of them together, a name matching nothing and no name at all.
async fn check_every_table(db: &TestDb, full: &Realm) -> Vec<String> {
    let mut failures = Vec::new();
    let tables: Vec<String> = full
        .schemas
        .iter()
        .flat_map(|s| s.tables.iter().map(|t| t.name.clone()))
        .collect();
    let mut scopes: Vec<Vec<String>> = tables.iter().map(|t| vec![t.clone()]).collect();
    scopes.push(tables.clone());
    scopes.push(names(&["no_such_table"]));
    scopes.push(Vec::new());
    if let Some(first) = tables.first() {
        scopes.push(vec![first.clone(), "no_such_table".into()]);
    }
    for scope in &scopes {
        if let Err(e) = check_scope(db, full, scope).await {
            failures.push(e);
        }
    }
    failures
}

async fn load_fixture(db: &TestDb, other: &TestDb) {
    other
        .load("CREATE TABLE remote (id INT PRIMARY KEY);")
        .await
        .expect("load other");
    db.load(&FIXTURE.replace("{other}", &other.name))
        .await
        .expect("load fixture");
    if db.driver.server().is_mariadb() {
        db.load("CREATE SEQUENCE seq START WITH 5;")
            .await
            .expect("sequence");
    }
    if db.driver.server().supports_expression_index() {
        db.load("CREATE INDEX by_lower ON parent ((LOWER(code)));")
            .await
            .expect("expression index");
    }
    if lower_case_table_names(db).await == 0 {
        db.load(CASED).await.expect("load cased tables");
    }
}

#[tokio::test]
async fn scoped_reads_equal_full_reads_of_fixture() {
    let Some(_admin) = admin().await else { return };
    let db = TestDb::create().await;
    let other = TestDb::create().await;
    load_fixture(&db, &other).await;
    let full = db.inspect().await;
    let schema = full.schema(&db.name).expect("own schema");
    // The fixture really holds what the scoped reads must leave out.
    assert!(!schema.views.is_empty() && schema.routines.len() == 2);
    assert!(schema.triggers.len() >= 4 && schema.tables.len() >= 8);

    let mut failures = check_every_table(&db, &full).await;
    // A name in a different case is a different table when the server keeps case.
    if lower_case_table_names(&db).await == 0 {
        for requested in [names(&["MIXED"]), names(&["MIXED", "ORDERS"])] {
            let got = scoped(&db, &requested).await;
            if got != expected(&full, &requested) {
                failures.push(format!("{requested:?} matched a table: {got:#?}"));
            }
        }
        let got = scoped(&db, &names(&["Mixed"])).await;
        let only = &got.schemas[0];
        if only.tables.len() != 1 || only.triggers.len() != 1 || only.triggers[0].on != "Mixed" {
            failures.push(format!("Mixed read {got:#?}"));
        }
    }
    // Excluded tables stay out of a scoped read, with their triggers.
    let excluded = db
        .driver
        .inspect(
            &InspectOptions::default()
                .only_tables(&names(&["orders", "parent"]))
                .excluding(&names(&["orders"])),
        )
        .await
        .expect("scoped inspect");
    if excluded != expected(&full, &names(&["parent"])) {
        failures.push(format!("excluding orders: {excluded:#?}"));
    }
    // Both schemas, each with its own tables.
    let both = db
        .driver
        .inspect(&InspectOptions {
            schemas: vec![db.name.clone(), other.name.clone()],
            exclude_tables: Vec::new(),
            only_tables: Some(names(&["remote", "orders"])),
        })
        .await
        .expect("two schemas");
    let both_full = db
        .driver
        .inspect(&InspectOptions::schemas(&[
            db.name.clone(),
            other.name.clone(),
        ]))
        .await
        .expect("two schemas in full");
    if both != expected(&both_full, &names(&["remote", "orders"])) {
        failures.push(format!("two schemas: {both:#?}"));
    }
    assert_eq!(both.schemas.len(), 2);
    db.drop().await;
    other.drop().await;
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[tokio::test]
async fn scoped_reads_equal_full_reads_of_own_schemas() {
    let Some(_admin) = admin().await else { return };
    let db = TestDb::create().await;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("schemas dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let mut checked = 0;
    for file in &files {
        db.reset().await;
        let sql = std::fs::read_to_string(file).expect("read schema");
        if let Err(e) = db.load(&sql).await {
            failures.push(format!("{}: load failed: {e}", file.display()));
            continue;
        }
        let full = db.inspect().await;
        checked += full.schemas.iter().map(|s| s.tables.len()).sum::<usize>();
        for failure in check_every_table(&db, &full).await {
            failures.push(format!("{}: {failure}", file.display()));
        }
    }
    db.drop().await;
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(checked >= 20, "only {checked} tables checked");
    eprintln!("scoped reads matched for {checked} tables");
}

/// The splice `migrate lint` does: from each returned schema, drop the tables whose names
/// were requested or returned and the triggers on them, then add the returned ones.
fn splice(previous: &Realm, scoped: &Realm, requested: &[String]) -> Realm {
    let mut out = previous.clone();
    for got in &scoped.schemas {
        let Some(schema) = out.schema_mut(&got.name) else {
            out.schemas.push(got.clone());
            continue;
        };
        let touched: HashSet<&str> = requested
            .iter()
            .map(String::as_str)
            .chain(got.tables.iter().map(|t| t.name.as_str()))
            .collect();
        schema.tables.retain(|t| !touched.contains(t.name.as_str()));
        schema.triggers.retain(|t| !touched.contains(t.on.as_str()));
        schema.tables.extend(got.tables.iter().cloned());
        schema.triggers.extend(got.triggers.iter().cloned());
    }
    out
}

/// Tables by name and triggers by table (keeping their order on one table): a splice
/// appends what it read, a full read lists in catalog order.
fn ordered(realm: &Realm) -> Realm {
    let mut realm = realm.clone();
    for schema in &mut realm.schemas {
        schema.tables.sort_by(|a, b| a.name.cmp(&b.name));
        schema.triggers.sort_by(|a, b| a.on.cmp(&b.on));
    }
    realm
}

#[tokio::test]
async fn spliced_model_equals_full_read_after_each_statement() {
    let Some(_admin) = admin().await else { return };
    let db = TestDb::create().await;
    let other = TestDb::create().await;
    load_fixture(&db, &other).await;
    let steps: &[(&str, &[&str])] = &[
        (
            "ALTER TABLE orders ADD COLUMN note VARCHAR(20) COMMENT 'n' AFTER qty",
            &["orders"],
        ),
        ("CREATE INDEX by_note ON orders (note)", &["orders"]),
        ("DROP INDEX by_title ON orders", &["orders"]),
        (
            "CREATE TRIGGER orders_bu BEFORE UPDATE ON orders FOR EACH ROW SET NEW.qty = NEW.qty",
            &["orders"],
        ),
        ("DROP TABLE order_lines", &["order_lines"]),
        (
            "CREATE TABLE lines2 (id INT PRIMARY KEY, o INT, \
             CONSTRAINT l2_o FOREIGN KEY (o) REFERENCES orders (id))",
            &["lines2"],
        ),
        (
            "ALTER TABLE archive RENAME TO archive_old",
            &["archive", "archive_old"],
        ),
        (
            "ALTER TABLE parent ADD CONSTRAINT code_upper CHECK (code = UPPER(code)), \
             COMMENT = 'changed'",
            &["parent"],
        ),
        ("DROP TABLE `we'ird`", &["we'ird"]),
    ];
    let mut model = db.inspect().await;
    let mut failures = Vec::new();
    for (sql, touched) in steps {
        db.load(&format!("{sql};")).await.expect(sql);
        let requested = names(touched);
        let read = scoped(&db, &requested).await;
        let spliced = splice(&model, &read, &requested);
        let full = db.inspect().await;
        if ordered(&spliced) != ordered(&full) {
            failures.push(format!(
                "after {sql}:\nspliced: {:#?}\nfull: {:#?}",
                ordered(&spliced).schemas,
                ordered(&full).schemas
            ));
        }
        model = spliced;
    }
    db.drop().await;
    other.drop().await;
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Median time of `runs` reads with these options.
async fn time_reads(db: &TestDb, options: &InspectOptions, runs: usize) -> (Duration, Realm) {
    let mut samples = Vec::new();
    let mut last = Realm::default();
    for _ in 0..runs {
        let start = Instant::now();
        last = db.driver.inspect(options).await.expect("inspect");
        samples.push(start.elapsed());
    }
    (median(samples), last)
}

/// `n` tables with a few columns, two indexes, a check and a foreign key to the previous
/// table; every tenth table has a trigger.
fn many_tables(n: usize) -> String {
    let mut sql = String::new();
    for i in 0..n {
        let fk = if i == 0 {
            String::new()
        } else {
            format!(
                ", CONSTRAINT t{i}_prev FOREIGN KEY (prev_id) REFERENCES t{} (id)",
                i - 1
            )
        };
        sql.push_str(&format!(
            "CREATE TABLE t{i} (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, prev_id INT, \
             name VARCHAR(100) NOT NULL, email VARCHAR(200), created DATETIME, amount \
             DECIMAL(10,2) CHECK (amount >= 0), KEY t{i}_name (name), \
             UNIQUE KEY t{i}_email (email){fk}) COMMENT 'table {i}';\n"
        ));
        if i % 10 == 0 {
            sql.push_str(&format!(
                "CREATE TRIGGER t{i}_bi BEFORE INSERT ON t{i} FOR EACH ROW \
                 SET NEW.name = TRIM(NEW.name);\n"
            ));
        }
    }
    sql
}

/// Scoped read of one table vs full read, in a 500-table and a 1-table database. Prints
/// medians; run with `--ignored --nocapture`.
#[tokio::test]
#[ignore = "slow: builds a 500-table database; prints timings"]
async fn scoped_read_cost_follows_the_scope() {
    let Some(_admin) = admin().await else { return };
    let big = TestDb::create().await;
    let small = TestDb::create().await;
    let start = Instant::now();
    big.load(&many_tables(500)).await.expect("load 500 tables");
    small.load(&many_tables(1)).await.expect("load 1 table");
    eprintln!("built 500 tables in {:?}", start.elapsed());
    let one = names(&["t250"]);
    let scoped_options = InspectOptions::default().only_tables(&one);
    let full_options = InspectOptions::default();
    // Warm the connections and caches.
    let _ = time_reads(&big, &full_options, 1).await;
    let _ = time_reads(&big, &scoped_options, 3).await;
    let (full_big, full) = time_reads(&big, &full_options, 7).await;
    let (scoped_big, read) = time_reads(&big, &scoped_options, 31).await;
    let small_one = names(&["t0"]);
    let (full_small, _) = time_reads(&small, &full_options, 31).await;
    let (scoped_small, _) = time_reads(
        &small,
        &InspectOptions::default().only_tables(&small_one),
        31,
    )
    .await;
    eprintln!(
        "500 tables: full {full_big:?}, scoped 1 table {scoped_big:?}; \
         1 table: full {full_small:?}, scoped {scoped_small:?}"
    );
    let result = if read == expected(&full, &one) {
        Ok(())
    } else {
        Err(format!("scoped read differs: {read:#?}"))
    };
    big.drop().await;
    small.drop().await;
    result.expect("scoped read equals the full read's part");
}
