//! Interop with Atlas's revisions table, on SQLite, PostgreSQL and MariaDB, through the CLI.
//!
//! 1. A database Atlas migrated: `atlas_schema_revisions` created with the DDL Atlas's ORM
//!    (ent) emits for the driver, holding the rows Atlas writes — Atlas Cloud's identifier
//!    row, a baseline, an applied file (Atlas stores `error = ''`, `partial_hashes = null`,
//!    not NULLs) and a file that failed after its first statement (`error`, `error_stmt`,
//!    `partial_hashes`). `migrate status` reads it as Atlas would and `migrate apply` resumes
//!    the failed file after its applied statement, then runs the rest.
//! 2. The other way: on a fresh database, the table Mercator creates has the same columns
//!    (names, order, types, nullability, defaults, key) as Atlas's, and the rows it writes —
//!    a partial failure included — carry Atlas's encodings (sum entry as `hash`, running
//!    statement hashes as `partial_hashes`).
//!
//! Facts: `../shared/ATLAS-FACTS.md` and Atlas's `cmd/atlas/internal/migrate/ent` schema
//! (column types as ent maps them per dialect; on MariaDB a `timestamp` column is created
//! `NULL`). Server tests skip when the server is down, unless `MERCATOR_REQUIRE_SERVERS=1`.

use std::path::Path;

use base64::Engine;
use mercator_testkit::{Server, ServerDb, TempDir};
use serde_json::Value;
use sha2::{Digest, Sha256};

mod support;
use support::mercator;

const ATLAS: &str = "Atlas CLI v0.28.0";
const CLOUD_ID: &str = "6d3b8f52-8a2e-4d7f-9c1a-2b4e5f6a7b8c";
/// The statement Atlas failed on in file 3; its first statement had run.
const FAILED_STMT: &str = "CREATE TABLE tag_links (id int);";
const FIRST_STMT: &str = "CREATE TABLE tags (id int);";

const FILES: [(&str, &str); 4] = [
    ("1_users.sql", "CREATE TABLE users (id int);\n"),
    ("2_posts.sql", "CREATE TABLE posts (id int);\n"),
    (
        "3_tags.sql",
        "-- atlas:txmode none\n\nCREATE TABLE tags (id int);\nCREATE TABLE tag_links (id int);\nCREATE TABLE tag_notes (id int);\n",
    ),
    ("4_more.sql", "CREATE TABLE more (id int);\n"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Sqlite,
    Postgres,
    Mariadb,
}

impl Kind {
    /// The table as queries name it: Atlas puts it in a schema of its own name when the
    /// PostgreSQL URL names no schema.
    fn table(self) -> &'static str {
        match self {
            Kind::Postgres => "atlas_schema_revisions.atlas_schema_revisions",
            _ => "atlas_schema_revisions",
        }
    }

    /// The statements Atlas runs to create its revisions table (ent's DDL for the dialect).
    fn atlas_ddl(self) -> Vec<String> {
        match self {
            Kind::Sqlite => vec![
                "CREATE TABLE `atlas_schema_revisions` (`version` text NOT NULL, \
                 `description` text NOT NULL, `type` integer NOT NULL DEFAULT 2, \
                 `applied` integer NOT NULL DEFAULT 0, `total` integer NOT NULL DEFAULT 0, \
                 `executed_at` datetime NOT NULL, `execution_time` integer NOT NULL, \
                 `error` text NULL, `error_stmt` text NULL, `hash` text NOT NULL, \
                 `partial_hashes` json NULL, `operator_version` text NOT NULL, \
                 PRIMARY KEY (`version`))"
                    .into(),
            ],
            Kind::Postgres => vec![
                "CREATE SCHEMA \"atlas_schema_revisions\"".into(),
                "CREATE TABLE \"atlas_schema_revisions\".\"atlas_schema_revisions\" \
                 (\"version\" character varying NOT NULL, \
                 \"description\" character varying NOT NULL, \
                 \"type\" bigint NOT NULL DEFAULT 2, \"applied\" bigint NOT NULL DEFAULT 0, \
                 \"total\" bigint NOT NULL DEFAULT 0, \"executed_at\" timestamptz NOT NULL, \
                 \"execution_time\" bigint NOT NULL, \"error\" text NULL, \
                 \"error_stmt\" text NULL, \"hash\" character varying NOT NULL, \
                 \"partial_hashes\" jsonb NULL, \
                 \"operator_version\" character varying NOT NULL, PRIMARY KEY (\"version\"))"
                    .into(),
            ],
            Kind::Mariadb => vec![
                "CREATE TABLE `atlas_schema_revisions` (`version` varchar(255) NOT NULL, \
                 `description` varchar(255) NOT NULL, \
                 `type` bigint unsigned NOT NULL DEFAULT 2, \
                 `applied` bigint NOT NULL DEFAULT 0, `total` bigint NOT NULL DEFAULT 0, \
                 `executed_at` timestamp NULL, `execution_time` bigint NOT NULL, \
                 `error` longtext NULL, `error_stmt` longtext NULL, \
                 `hash` varchar(255) NOT NULL, `partial_hashes` json NULL, \
                 `operator_version` varchar(255) NOT NULL, PRIMARY KEY (`version`)) \
                 CHARSET utf8mb4 COLLATE utf8mb4_bin"
                    .into(),
            ],
        }
    }

    /// `executed_at` as Atlas's Go driver stores it (SQLite: go-sqlite3's text layout).
    fn executed_at(self) -> &'static str {
        match self {
            Kind::Sqlite => "2024-05-01 10:00:00.123456789+00:00",
            Kind::Postgres => "2024-05-01 10:00:00.123456+00",
            Kind::Mariadb => "2024-05-01 10:00:00",
        }
    }

    /// `partial_hashes` as text.
    fn partial_text(self) -> &'static str {
        match self {
            Kind::Sqlite => "partial_hashes",
            Kind::Postgres => "partial_hashes::text",
            Kind::Mariadb => "CAST(partial_hashes AS CHAR)",
        }
    }

    /// The revisions table's columns: name, type, nullability, default, key.
    fn layout_sql(self) -> String {
        match self {
            Kind::Sqlite => "SELECT name, type, \"notnull\", coalesce(dflt_value, ''), pk \
                FROM pragma_table_info('atlas_schema_revisions') ORDER BY cid"
                .into(),
            Kind::Postgres => "SELECT c.column_name, c.data_type, c.is_nullable, \
                coalesce(c.column_default, ''), \
                (SELECT count(*) FROM information_schema.key_column_usage k \
                 WHERE k.table_schema = c.table_schema AND k.table_name = c.table_name \
                 AND k.column_name = c.column_name) \
                FROM information_schema.columns c \
                WHERE c.table_schema = 'atlas_schema_revisions' \
                AND c.table_name = 'atlas_schema_revisions' ORDER BY c.ordinal_position"
                .into(),
            Kind::Mariadb => "SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, \
                COALESCE(COLUMN_DEFAULT, ''), COLUMN_KEY, COALESCE(COLLATION_NAME, '') \
                FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() \
                AND TABLE_NAME = 'atlas_schema_revisions' ORDER BY ORDINAL_POSITION"
                .into(),
        }
    }
}

fn ok_json(args: &[&str]) -> Value {
    let out = mercator(args);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{args:?}\nstdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

fn status(dir: &str, url: &str) -> Value {
    ok_json(&[
        "migrate", "status", "--dir", dir, "--url", url, "--format", "json",
    ])
}

fn apply(dir: &str, url: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "migrate", "apply", "--dir", dir, "--url", url, "--format", "json",
    ];
    args.extend_from_slice(extra);
    ok_json(&args)
}

/// Writes the directory and its `atlas.sum`; returns its path and the sum entries.
fn directory(tmp: &TempDir) -> (String, Vec<(String, String)>) {
    let path = tmp.path().join("migrations");
    std::fs::create_dir_all(&path).unwrap();
    for (name, text) in FILES {
        std::fs::write(path.join(name), text).unwrap();
    }
    let dir = path.display().to_string();
    let out = mercator(&["migrate", "hash", "--dir", &dir]);
    assert!(out.status.success(), "{out:?}");
    (dir, sum_entries(&path))
}

/// `atlas.sum`'s per-file entries (base64 without `h1:`), as Atlas stores them in `hash`.
fn sum_entries(dir: &Path) -> Vec<(String, String)> {
    let sum = std::fs::read_to_string(dir.join("atlas.sum")).unwrap();
    sum.lines()
        .skip(1)
        .filter_map(|line| line.split_once(" h1:"))
        .map(|(name, entry)| (name.to_owned(), entry.to_owned()))
        .collect()
}

fn entry<'a>(entries: &'a [(String, String)], name: &str) -> &'a str {
    &entries.iter().find(|(n, _)| n == name).expect(name).1
}

/// Atlas's partial hash after `statements`: "h1:" + base64 of a SHA-256 running over the
/// statement texts.
fn partial_hash(statements: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for statement in statements {
        hasher.update(statement.as_bytes());
    }
    let digest = hasher.finalize();
    format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

async fn exec(url: &str, statements: &[String]) {
    let driver = mercator_migrate::open(url).await.unwrap();
    {
        let mut session = driver.session().await.unwrap();
        for sql in statements {
            session
                .execute(sql)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
    }
    driver.close().await.unwrap();
}

async fn query(url: &str, sql: &str) -> Vec<Vec<Option<String>>> {
    let driver = mercator_migrate::open(url).await.unwrap();
    let rows = {
        let mut session = driver.session().await.unwrap();
        session
            .query(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .rows
    };
    driver.close().await.unwrap();
    rows
}

/// One revision row as read back, by column name.
struct Row(Vec<Option<String>>);

const ROW_COLUMNS: [&str; 10] = [
    "version",
    "description",
    "type",
    "applied",
    "total",
    "error",
    "error_stmt",
    "hash",
    "partial_hashes",
    "operator_version",
];

impl Row {
    fn get(&self, column: &str) -> Option<&str> {
        let i = ROW_COLUMNS.iter().position(|c| *c == column).unwrap();
        self.0[i].as_deref()
    }

    /// Atlas reads NULL and '' alike as "no error".
    fn no_error(&self) -> bool {
        self.get("error").is_none_or(str::is_empty)
            && self.get("error_stmt").is_none_or(str::is_empty)
    }

    /// Atlas reads NULL and the JSON `null` alike as "no partial hashes".
    fn partial(&self) -> Option<Vec<String>> {
        let text = self.get("partial_hashes")?;
        serde_json::from_str::<Option<Vec<String>>>(text).unwrap_or_else(|e| panic!("{e}: {text}"))
    }
}

async fn rows(kind: Kind, url: &str) -> Vec<Row> {
    let columns: Vec<&str> = ROW_COLUMNS
        .iter()
        .map(|c| {
            if *c == "partial_hashes" {
                kind.partial_text()
            } else {
                c
            }
        })
        .collect();
    let sql = format!(
        "SELECT {} FROM {} ORDER BY version",
        columns.join(", "),
        kind.table()
    );
    query(url, &sql).await.into_iter().map(Row).collect()
}

fn row<'a>(rows: &'a [Row], version: &str) -> &'a Row {
    rows.iter()
        .find(|r| r.get("version") == Some(version))
        .unwrap_or_else(|| panic!("no revision {version}"))
}

fn sql_text(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// The rows Atlas would have written: Cloud identifier, baseline 1, file 2 applied, file 3
/// failed on its second statement after the first had run (`txmode none`).
fn atlas_rows(kind: Kind, entries: &[(String, String)]) -> Vec<String> {
    let at = sql_text(kind.executed_at());
    let insert = format!(
        "INSERT INTO {} (version, description, type, applied, total, executed_at, \
         execution_time, error, error_stmt, hash, partial_hashes, operator_version) VALUES",
        kind.table()
    );
    let partial = sql_text(&serde_json::to_string(&[partial_hash(&[FIRST_STMT])]).unwrap());
    vec![
        format!(
            "{insert} ('.atlas_cloud_identifier', '{CLOUD_ID}', 2, 0, 0, {at}, 0, NULL, NULL, \
             '', NULL, '{ATLAS}')"
        ),
        format!("{insert} ('1', 'users', 1, 0, 0, {at}, 0, '', '', '', 'null', '{ATLAS}')"),
        format!(
            "{insert} ('2', 'posts', 2, 1, 1, {at}, 1234567, '', '', '{}', 'null', '{ATLAS}')",
            entry(entries, "2_posts.sql")
        ),
        format!(
            "{insert} ('3', 'tags', 2, 1, 3, {at}, 2345678, \
             'table \"tag_links\" already exists', {}, '{}', {partial}, '{ATLAS}')",
            sql_text(FAILED_STMT),
            entry(entries, "3_tags.sql")
        ),
    ]
}

/// Scenario 1 on `url`: a database Atlas migrated continues with Mercator.
async fn continues_after_atlas(kind: Kind, url: &str) {
    let tmp = TempDir::new();
    let (dir, entries) = directory(&tmp);
    let mut setup: Vec<String> = [
        "CREATE TABLE users (id int)",
        "CREATE TABLE posts (id int)",
        "CREATE TABLE tags (id int)",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    setup.extend(kind.atlas_ddl());
    setup.extend(atlas_rows(kind, &entries));
    exec(url, &setup).await;

    let before = status(&dir, url);
    assert_eq!(before["status"], "FAILED", "{kind:?}: {before}");
    assert_eq!(before["current"], "2", "{kind:?}: {before}");
    assert_eq!(before["next"], "3", "{kind:?}: {before}");
    assert_eq!(
        before["pending"],
        serde_json::json!(["3_tags.sql", "4_more.sql"]),
        "{kind:?}: {before}"
    );
    assert_eq!(
        before["revisions"], 3,
        "{kind:?}: the Cloud identifier is no revision: {before}"
    );
    assert_eq!(before["error"]["version"], "3", "{kind:?}: {before}");
    assert_eq!(
        before["error"]["statement"], FAILED_STMT,
        "{kind:?}: {before}"
    );

    let report = apply(&dir, url, &[]);
    assert_eq!(report["from_version"], "2", "{kind:?}: {report}");
    assert_eq!(report["to_version"], "4", "{kind:?}: {report}");
    let applied = report["applied"].as_array().unwrap();
    let versions: Vec<&str> = applied
        .iter()
        .map(|a| a["version"].as_str().unwrap())
        .collect();
    assert_eq!(versions, ["3", "4"], "{kind:?}: {report}");
    assert_eq!(applied[0]["resumed_after"], 1, "{kind:?}: {report}");
    assert_eq!(applied[0]["statements"], 2, "{kind:?}: {report}");
    // The resumed file's remaining statements and the next file did run.
    for table in ["tag_links", "tag_notes", "more"] {
        query(url, &format!("SELECT count(*) FROM {table}")).await;
    }

    let after = rows(kind, url).await;
    let cloud = row(&after, ".atlas_cloud_identifier");
    assert_eq!(cloud.get("description"), Some(CLOUD_ID), "left alone");
    assert_eq!(cloud.get("operator_version"), Some(ATLAS));
    let baseline = row(&after, "1");
    assert_eq!(baseline.get("type"), Some("1"));
    assert_eq!(baseline.get("operator_version"), Some(ATLAS), "left alone");
    for (version, name, total) in [("3", "3_tags.sql", "3"), ("4", "4_more.sql", "1")] {
        let r = row(&after, version);
        assert_eq!(r.get("type"), Some("2"), "{kind:?} {version}");
        assert_eq!(r.get("applied"), Some(total), "{kind:?} {version}");
        assert_eq!(r.get("total"), Some(total), "{kind:?} {version}");
        assert!(r.no_error(), "{kind:?} {version}: {:?}", r.0);
        assert_eq!(r.partial(), None, "{kind:?} {version}");
        assert_eq!(r.get("hash"), Some(entry(&entries, name)), "{kind:?}");
    }

    let done = status(&dir, url);
    assert_eq!(done["status"], "OK", "{kind:?}: {done}");
    assert_eq!(done["current"], "4", "{kind:?}: {done}");
    assert_eq!(done["pending"], serde_json::json!([]), "{kind:?}: {done}");
    let again = apply(&dir, url, &[]);
    assert_eq!(again["applied"], serde_json::json!([]), "{kind:?}: {again}");
}

/// Scenario 2 on a fresh `url`: Mercator's table and rows are Atlas's; `atlas_layout` is
/// the layout of a table Atlas created on the same server.
async fn writes_atlas_layout(kind: Kind, url: &str, atlas_layout: &[Vec<Option<String>>]) {
    let tmp = TempDir::new();
    let (dir, entries) = directory(&tmp);
    // A stray table makes file 3's second statement fail, after its first one ran.
    exec(url, &["CREATE TABLE tag_links (id int)".to_owned()]).await;
    let out = mercator(&[
        "migrate",
        "apply",
        "--dir",
        &dir,
        "--url",
        url,
        "--allow-dirty",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{kind:?}: {stderr}");
    assert!(
        stderr.contains("3_tags.sql:4: statement 2 of 3 failed"),
        "{kind:?}: {stderr}"
    );

    let layout = query(url, &kind.layout_sql()).await;
    assert_eq!(
        layout, atlas_layout,
        "{kind:?}: Mercator's table vs Atlas's"
    );

    let written = rows(kind, url).await;
    for (version, name) in [("1", "1_users.sql"), ("2", "2_posts.sql")] {
        let r = row(&written, version);
        assert_eq!(r.get("type"), Some("2"), "{kind:?} {version}");
        assert_eq!(r.get("applied"), Some("1"), "{kind:?} {version}");
        assert_eq!(r.get("total"), Some("1"), "{kind:?} {version}");
        assert!(r.no_error(), "{kind:?} {version}: {:?}", r.0);
        assert_eq!(r.partial(), None, "{kind:?} {version}");
        assert_eq!(r.get("hash"), Some(entry(&entries, name)), "{kind:?}");
        assert!(
            r.get("operator_version").is_some_and(|v| !v.is_empty()),
            "{kind:?}"
        );
    }
    let failed = row(&written, "3");
    assert_eq!(failed.get("applied"), Some("1"), "{kind:?}: {:?}", failed.0);
    assert_eq!(failed.get("total"), Some("3"), "{kind:?}");
    assert!(
        failed.get("error").is_some_and(|e| e.contains("tag_links")),
        "{kind:?}: {:?}",
        failed.0
    );
    assert_eq!(failed.get("error_stmt"), Some(FAILED_STMT), "{kind:?}");
    assert_eq!(
        failed.partial(),
        Some(vec![partial_hash(&[FIRST_STMT])]),
        "{kind:?}: Atlas compares these before resuming"
    );
    assert_eq!(failed.get("hash"), Some(entry(&entries, "3_tags.sql")));
    if kind == Kind::Sqlite {
        // go-sqlite3 parses `datetime` text in its own layouts, the first one this.
        let at = query(
            url,
            "SELECT executed_at FROM atlas_schema_revisions WHERE version = '3'",
        )
        .await;
        let text = at[0][0].as_deref().unwrap();
        assert!(
            chrono::DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%:z").is_ok(),
            "{text}"
        );
    }

    exec(url, &["DROP TABLE tag_links".to_owned()]).await;
    let report = apply(&dir, url, &[]);
    assert_eq!(
        report["applied"][0]["resumed_after"], 1,
        "{kind:?}: {report}"
    );
    let done = status(&dir, url);
    assert_eq!(done["status"], "OK", "{kind:?}: {done}");
    let finished = rows(kind, url).await;
    let r = row(&finished, "3");
    assert_eq!(r.get("applied"), Some("3"), "{kind:?}");
    assert!(r.no_error() && r.partial().is_none(), "{kind:?}: {:?}", r.0);
}

async fn both_ways(kind: Kind, atlas_url: &str, fresh_url: &str) {
    continues_after_atlas(kind, atlas_url).await;
    let atlas_layout = query(atlas_url, &kind.layout_sql()).await;
    assert_eq!(atlas_layout.len(), 12, "{kind:?}: {atlas_layout:?}");
    writes_atlas_layout(kind, fresh_url, &atlas_layout).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_atlas_revisions_both_ways() {
    let tmp = TempDir::new();
    both_ways(
        Kind::Sqlite,
        &tmp.sqlite_url("atlas.db"),
        &tmp.sqlite_url("mercator.db"),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_atlas_revisions_both_ways() {
    let Some((atlas, fresh)) = ServerDb::pair(Server::Postgres).await else {
        return;
    };
    both_ways(Kind::Postgres, &atlas.url, &fresh.url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mariadb_atlas_revisions_both_ways() {
    let Some((atlas, fresh)) = ServerDb::pair(Server::Mysql).await else {
        return;
    };
    both_ways(Kind::Mariadb, &atlas.url, &fresh.url).await;
}
