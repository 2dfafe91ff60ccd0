//! Helpers shared by the integration tests: server discovery, scratch databases, splitting
//! SQL files, and the round-trip / migration checks.
#![allow(dead_code)]

pub mod data;

use mercator_driver::{DevDatabase, Driver, DriverExt, InspectOptions, Inspector};
use mercator_mysql::MysqlDriver;
use schema_diff::{Dialect, DialectExt, DiffOptions, PlanOptions};
use schema_model::{Realm, canonicalize};

pub use mercator_testkit::{Server, ServerDb};

/// The server URL from `MERCATOR_MYSQL_URL`.
pub fn server_url() -> String {
    mercator_testkit::mysql_url()
}

/// The URL with its database replaced.
pub fn url_for(database: &str) -> String {
    mercator_testkit::url_for(&server_url(), database)
}

/// Connects to the server's admin URL, or returns `None` (skip) when unreachable and
/// servers are not required.
pub async fn admin() -> Option<MysqlDriver> {
    match MysqlDriver::open(&server_url()).await {
        Ok(driver) => Some(driver),
        Err(e) => {
            mercator_testkit::skip_or_fail("MySQL", &e.to_string());
            None
        }
    }
}

/// A uniquely named scratch database with a driver bound to it, dropped with the value
/// (even when the test fails).
pub struct TestDb {
    pub name: String,
    pub driver: MysqlDriver,
    db: ServerDb,
}

impl TestDb {
    /// Creates the database and connects to it; call after [`admin`] found the server.
    pub async fn create() -> TestDb {
        let db = ServerDb::create(Server::Mysql)
            .await
            .expect("MySQL answered a moment ago");
        let driver = MysqlDriver::open(&db.url)
            .await
            .expect("connect to test database");
        TestDb {
            name: db.name.clone(),
            driver,
            db,
        }
    }

    /// The database's URL.
    pub fn url(&self) -> &str {
        &self.db.url
    }

    /// Empties the database.
    pub async fn reset(&self) {
        self.driver.reset().await.expect("reset");
    }

    /// Inspects the database.
    pub async fn inspect(&self) -> Realm {
        self.driver
            .inspect(&InspectOptions::default())
            .await
            .expect("inspect")
    }

    /// Runs a SQL text split into statements.
    pub async fn load(&self, sql: &str) -> Result<(), String> {
        let statements = split_sql(sql);
        self.driver
            .execute(&statements)
            .await
            .map_err(|e| e.to_string())
    }

    /// Drops the database now.
    pub async fn drop(self) {
        let _ = self.driver.close().await;
        self.db.drop_db().await;
    }
}

/// Renames the realm's single schema (and qualified references to it).
pub fn rename_schema(realm: &Realm, from: &str, to: &str) -> Realm {
    let mut realm = realm.clone();
    for schema in &mut realm.schemas {
        if schema.name == from {
            schema.name = to.to_owned();
        }
        for table in &mut schema.tables {
            for key in &mut table.foreign_keys {
                if key.ref_table.schema.as_deref() == Some(from) {
                    key.ref_table.schema = Some(to.to_owned());
                }
            }
        }
    }
    realm
}

/// Equality the way the round-trip property states it: the dialect diff is empty and the
/// canonical forms are equal. Returns a description of the difference.
pub fn compare(dialect: &dyn Dialect, actual: &Realm, expected: &Realm) -> Result<(), String> {
    let changes = dialect.diff(actual, expected, &DiffOptions::default());
    if !changes.is_empty() {
        let brief: Vec<String> = changes
            .iter()
            .map(|c| match c {
                schema_diff::Change::ModifyTable { to, changes, .. } => {
                    format!("modify {}: {changes:?}", to.name)
                }
                other => format!("{other:?}"),
            })
            .collect();
        return Err(format!("diff not empty: {}", brief.join("\n")));
    }
    // AUTO_INCREMENT reads as the next value, which rows move forward; like the dialect's
    // diff, a value at or above the desired one is no difference.
    let mut actual = actual.clone();
    for schema in &mut actual.schemas {
        for table in &mut schema.tables {
            let wanted = expected
                .schema(&schema.name)
                .and_then(|s| s.table(&table.name))
                .map(|t| t.mysql.auto_increment);
            if let Some(wanted) = wanted
                && table.mysql.auto_increment.unwrap_or(1) >= wanted.unwrap_or(1)
            {
                table.mysql.auto_increment = wanted;
            }
        }
    }
    let (a, b) = (canonicalize(&actual), canonicalize(expected));
    if a != b {
        let a = serde_json::to_string_pretty(&a).unwrap_or_default();
        let b = serde_json::to_string_pretty(&b).unwrap_or_default();
        let first = a
            .lines()
            .zip(b.lines())
            .position(|(x, y)| x != y)
            .unwrap_or(0);
        let context: Vec<String> = a
            .lines()
            .zip(b.lines())
            .skip(first.saturating_sub(5))
            .take(12)
            .map(|(x, y)| format!("{x:<60} | {y}"))
            .collect();
        return Err(format!(
            "canonical forms differ at line {first}:\n{}",
            context.join("\n")
        ));
    }
    Ok(())
}

/// Plans `current` (inspected from `db`) to `desired` (from another database) and applies
/// it to `db`; then checks that `db` inspects equal to `desired` and re-plans empty.
/// Returns the plan as a migration file (comments and statements).
pub async fn migrate_and_check(
    db: &TestDb,
    desired_db: &str,
    desired: &Realm,
    options: &DiffOptions,
) -> Result<String, String> {
    let dialect = db.driver.dialect();
    let desired = rename_schema(desired, desired_db, &db.name);
    let current = db.inspect().await;
    let changes = dialect.diff(&current, &desired, options);
    let plan_options = PlanOptions {
        unqualified_schema: Some(db.name.clone()),
        ..Default::default()
    };
    let plan = dialect
        .plan(&changes, &plan_options)
        .map_err(|e| format!("plan: {e}"))?;
    db.driver
        .apply(&plan)
        .await
        .map_err(|e| format!("apply: {e}\nplan:\n{}", plan.to_sql()))?;
    let after = db.inspect().await;
    compare(dialect, &after, &desired).map_err(|e| format!("{e}\nplan:\n{}", plan.to_sql()))?;
    let again = dialect.diff(&after, &desired, options);
    if !again.is_empty() {
        return Err(format!("re-plan not empty: {again:?}"));
    }
    Ok(plan.to_sql())
}

/// Splits SQL into statements on `;` outside quotes, comments and `BEGIN … END` blocks.
/// `DELIMITER x` lines and a leading `-- atlas:delimiter x` switch the delimiter.
pub fn split_sql(sql: &str) -> Vec<String> {
    let mut delimiter = ";".to_owned();
    let mut out = Vec::new();
    let mut current = String::new();
    let mut depth: i32 = 0;
    for line in sql.lines() {
        let trimmed = line.trim();
        if let Some(d) = trimmed.strip_prefix("-- atlas:delimiter ") {
            delimiter = d.trim().to_owned();
            continue;
        }
        if trimmed.len() > 10 && trimmed[..10].eq_ignore_ascii_case("delimiter ") {
            delimiter = trimmed[10..].trim().to_owned();
            continue;
        }
        current.push_str(line);
        current.push('\n');
        if delimiter != ";" {
            if trimmed.ends_with(&delimiter) {
                let stmt = current
                    .trim()
                    .trim_end_matches(&delimiter)
                    .trim()
                    .to_owned();
                if !stmt.is_empty() {
                    out.push(stmt);
                }
                current.clear();
            }
            continue;
        }
        let (d, ends) = scan_line(line, depth);
        depth = d;
        if ends && depth <= 0 {
            depth = 0;
            let stmt = strip_comments(current.trim());
            let stmt = stmt.trim().trim_end_matches(';').trim().to_owned();
            if !stmt.is_empty() {
                out.push(stmt);
            }
            current.clear();
        }
    }
    let rest = strip_comments(current.trim());
    let rest = rest.trim().trim_end_matches(';').trim();
    if !rest.is_empty() {
        out.push(rest.to_owned());
    }
    out
}

fn strip_comments(stmt: &str) -> String {
    stmt.lines()
        .filter(|l| !l.trim_start().starts_with("--") && !l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Tracks BEGIN/END depth over a line; returns the new depth and whether the line ends
/// with `;` outside quotes.
fn scan_line(line: &str, mut depth: i32) -> (i32, bool) {
    let code = match line.find("--") {
        Some(p) if !line[..p].contains('\'') => &line[..p],
        _ => line,
    };
    let lower = code.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
        .collect();
    let mut i = 0;
    while i < words.len() {
        match words[i] {
            "begin" => depth += 1,
            "case" => depth += 1,
            "end" => {
                let next = words.get(i + 1).copied();
                if matches!(next, Some("if" | "loop" | "while" | "repeat")) {
                    i += 1;
                } else {
                    if next == Some("case") {
                        i += 1;
                    }
                    depth -= 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    (depth, code.trim_end().ends_with(';'))
}

#[test]
fn splits_bodies() {
    let sql = "CREATE TABLE t (a int);\nCREATE TRIGGER x BEFORE INSERT ON t FOR EACH ROW BEGIN\n  IF NEW.a > 1 THEN SET NEW.a = 1; END IF;\n  SET NEW.a = CASE WHEN 1 THEN 2 END;\nEND;\nSELECT 1;";
    let parts = split_sql(sql);
    assert_eq!(parts.len(), 3, "{parts:#?}");
}
