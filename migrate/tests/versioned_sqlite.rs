//! Versioned migrations on SQLite with Atlas's own test directories
//! (`migrate-dir/tests/fixtures/atlas/`, from ariga/atlas, Apache-2.0).

use std::path::{Path, PathBuf};

use mercator_driver::{Revision, RevisionKind, RevisionsTable};
use mercator_migrate::dir::{MigrationDir, MigrationFile};
use mercator_migrate::{ExecOrder, Migrator, OPERATOR_VERSION, VersionedError, open};
use mercator_testkit::TempDir;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../migrate-dir/tests/fixtures/atlas")
        .join(name)
}

/// A copy of a fixture directory that a test may edit.
fn copy_fixture(tmp: &TempDir, name: &str) -> PathBuf {
    let to = tmp.path().join(name);
    std::fs::create_dir_all(&to).unwrap();
    for entry in std::fs::read_dir(fixture(name)).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
    to
}

async fn revisions(url: &str) -> Vec<Revision> {
    let driver = open(url).await.unwrap();
    let mut session = driver.session().await.unwrap();
    session
        .read_revisions(&RevisionsTable::default())
        .await
        .unwrap()
}

async fn tables(url: &str) -> Vec<String> {
    let driver = open(url).await.unwrap();
    let mut session = driver.session().await.unwrap();
    let rows = session
        .query("SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'atlas_schema_revisions' ORDER BY name")
        .await
        .unwrap();
    rows.rows.into_iter().filter_map(|r| r[0].clone()).collect()
}

fn migrator(path: &Path) -> Migrator {
    Migrator::builder(MigrationDir::open(path).unwrap())
        .build()
        .unwrap()
}

#[tokio::test]
async fn applies_files_once_with_atlas_revisions() {
    let tmp = TempDir::new();
    let url = tmp.sqlite_url("app.db");
    let m = migrator(&fixture("cmdapi-sqlite"));
    let report = m.apply(&url).await.unwrap();
    assert_eq!(report.applied.len(), 2);
    assert_eq!(report.from_version, None);
    assert_eq!(report.to_version.as_deref(), Some("20220318104615"));
    let revs = revisions(&url).await;
    assert_eq!(revs.len(), 2);
    let dir = MigrationDir::open(fixture("cmdapi-sqlite")).unwrap();
    for (rev, file) in revs.iter().zip(dir.files()) {
        assert_eq!(rev.version, file.version());
        assert_eq!(rev.description, file.description());
        assert_eq!(rev.kind, RevisionKind::EXECUTE);
        assert_eq!(rev.applied, rev.total);
        assert_eq!(Some(rev.hash.clone()), dir.hash_of(file.name()));
        assert_eq!(rev.partial_hashes, None);
        assert_eq!(rev.operator_version, OPERATOR_VERSION);
        assert!(rev.error.is_none());
    }
    let again = m.apply(&url).await.unwrap();
    assert!(again.applied.is_empty());
    let status = m.status(&url).await.unwrap();
    assert_eq!(status.status, "OK");
    assert_eq!(status.current.as_deref(), Some("20220318104615"));
}

#[tokio::test]
async fn a_failing_file_rolls_back_and_records_the_error() {
    let tmp = TempDir::new();
    let url = tmp.sqlite_url("broken.db");
    let err = migrator(&fixture("migrate-broken"))
        .apply(&url)
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("3.sql:2: statement 2 of 2 failed"),
        "{text}"
    );
    // File transaction: the `pets` table of the broken file was rolled back.
    assert_eq!(tables(&url).await, ["users"]);
    let revs = revisions(&url).await;
    assert_eq!(revs.len(), 3);
    assert_eq!((revs[2].applied, revs[2].total), (0, 2));
    assert!(revs[2].error.as_deref().unwrap().contains("syntax error"));
    assert_eq!(
        revs[2].error_stmt.as_deref(),
        Some("THIS LINE ADDS A SYNTAX ERROR;")
    );
    let status = migrator(&fixture("migrate-broken"))
        .status(&url)
        .await
        .unwrap();
    assert_eq!(status.status, "FAILED");
    assert_eq!(status.current.as_deref(), Some("2"));
    assert_eq!(status.next.as_deref(), Some("3"));
}

#[tokio::test]
async fn txmode_none_resumes_after_the_last_applied_statement() {
    let tmp = TempDir::new();
    let dir = copy_fixture(&tmp, "cmdapi-sqlitetx3");
    let url = tmp.sqlite_url("tx3.db");
    let err = migrator(&dir).apply(&url).await.unwrap_err();
    assert!(
        matches!(err, VersionedError::Statement { index: 2, .. }),
        "{err}"
    );
    // No transaction: the first statement stayed.
    assert_eq!(tables(&url).await, ["t1", "users"]);
    let revs = revisions(&url).await;
    assert_eq!((revs[1].applied, revs[1].total), (1, 2));
    assert_eq!(revs[1].partial_hashes.as_ref().map(Vec::len), Some(1));

    // Editing the applied part is refused.
    let file = "20220925094021_second.sql";
    let original = std::fs::read_to_string(dir.join(file)).unwrap();
    let edited = original.replace("a INTEGER PRIMARY KEY", "b INTEGER PRIMARY KEY");
    let mut d = MigrationDir::open(&dir).unwrap();
    d.add_file(MigrationFile::new(file, edited)).unwrap();
    let err = migrator(&dir).apply(&url).await.unwrap_err();
    assert!(
        matches!(err, VersionedError::HistoryChanged { statement: 1, .. }),
        "{err}"
    );

    // Fixing the failing statement resumes right after the applied one.
    let fixed = original.replace("(1), (1)", "(1), (2)");
    d.add_file(MigrationFile::new(file, fixed)).unwrap();
    let report = migrator(&dir).apply(&url).await.unwrap();
    assert_eq!(report.applied.len(), 1);
    assert_eq!(
        (
            report.applied[0].resumed_after,
            report.applied[0].statements
        ),
        (1, 1)
    );
    let revs = revisions(&url).await;
    assert!(revs[1].is_complete() && revs[1].partial_hashes.is_none());
}

#[tokio::test]
async fn a_clean_database_starts_at_the_last_checkpoint() {
    let tmp = TempDir::new();
    let url = tmp.sqlite_url("cp.db");
    let m = migrator(&fixture("sql-partial-checkpoint"));
    let report = m.apply(&url).await.unwrap();
    let names: Vec<_> = report.applied.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["5_checkpoint.sql", "6_sixth.sql"]);
    assert_eq!(tables(&url).await, ["tbl_1", "tbl_2", "tbl_3", "tbl_4"]);
    // Files before the checkpoint are neither pending nor out of order later.
    assert_eq!(m.status(&url).await.unwrap().status, "OK");
}

#[tokio::test]
async fn baseline_dirty_database_and_limits() {
    let tmp = TempDir::new();
    let url = tmp.sqlite_url("base.db");
    let dir = MigrationDir::open(fixture("cmdapi-baseline2")).unwrap();
    {
        let driver = open(&url).await.unwrap();
        let mut s = driver.session().await.unwrap();
        s.execute("CREATE TABLE baseline (c int NOT NULL)")
            .await
            .unwrap();
    }
    let err = Migrator::builder(dir.clone())
        .build()
        .unwrap()
        .apply(&url)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("not clean: found table \"baseline\""),
        "{err}"
    );
    let dry = Migrator::builder(dir.clone())
        .baseline("1")
        .dry_run(true)
        .build()
        .unwrap()
        .apply(&url)
        .await
        .unwrap();
    assert_eq!(dry.planned.len(), 2);
    assert!(revisions(&url).await.is_empty(), "dry run writes nothing");
    let one = Migrator::builder(dir.clone())
        .baseline("1")
        .limit(1)
        .build()
        .unwrap()
        .apply(&url)
        .await
        .unwrap();
    assert_eq!(one.baseline.as_deref(), Some("1"));
    assert_eq!(one.applied.len(), 1);
    let revs = revisions(&url).await;
    assert_eq!(revs[0].kind, RevisionKind::BASELINE);
    let rest = Migrator::builder(dir)
        .to_version("20220318104615")
        .build()
        .unwrap()
        .apply(&url)
        .await
        .unwrap();
    assert_eq!(rest.applied.len(), 1);
    assert_eq!(tables(&url).await, ["baseline", "tbl"]);
}

#[tokio::test]
async fn out_of_order_files_missing_files_and_set() {
    let tmp = TempDir::new();
    let url = tmp.sqlite_url("order.db");
    let files = |names: &[&str]| {
        let mut d = MigrationDir::default();
        for n in names {
            let table = n.trim_end_matches(".sql").replace('_', "");
            d.add_file(MigrationFile::new(
                *n,
                format!("CREATE TABLE t{table} (id int);\n"),
            ))
            .unwrap();
        }
        d
    };
    let build = |d: MigrationDir, order| Migrator::builder(d).exec_order(order).build().unwrap();
    build(files(&["1.sql", "3.sql"]), ExecOrder::Linear)
        .apply(&url)
        .await
        .unwrap();
    let with_two = files(&["1.sql", "2.sql", "3.sql"]);
    let err = build(with_two.clone(), ExecOrder::Linear)
        .apply(&url)
        .await
        .unwrap_err();
    assert!(matches!(err, VersionedError::OutOfOrder { .. }), "{err}");
    let skipped = build(with_two.clone(), ExecOrder::LinearSkip)
        .apply(&url)
        .await
        .unwrap();
    assert!(skipped.applied.is_empty());
    let ran = build(with_two.clone(), ExecOrder::NonLinear)
        .apply(&url)
        .await
        .unwrap();
    assert_eq!(ran.applied[0].name, "2.sql");

    let err = build(files(&["1.sql", "2.sql"]), ExecOrder::Linear)
        .apply(&url)
        .await
        .unwrap_err();
    assert!(matches!(err, VersionedError::MissingFile { ref version } if version == "3"));

    // `set 1` removes revisions 2 and 3; `set 3` marks them resolved without running them.
    let m = build(with_two, ExecOrder::Linear);
    let set = m.set(&url, Some("1")).await.unwrap();
    assert_eq!(set.removed, ["2", "3"]);
    assert_eq!(m.status(&url).await.unwrap().pending, ["2.sql", "3.sql"]);
    let set = m.set(&url, Some("3")).await.unwrap();
    assert_eq!(set.marked, ["2", "3"]);
    let revs = revisions(&url).await;
    assert_eq!(revs[2].kind, RevisionKind::RESOLVED);
    assert_eq!(m.status(&url).await.unwrap().status, "OK");
}

#[tokio::test]
async fn pre_migration_checks_abort_touching_nothing() {
    let tmp = TempDir::new();
    let url = tmp.sqlite_url("checks.db");
    let mut d = MigrationDir::default();
    d.add_file(MigrationFile::new(
        "1_users.sql",
        "CREATE TABLE users (id int);\nINSERT INTO users VALUES (1);\n",
    ))
    .unwrap();
    d.add_file(MigrationFile::new(
        "2_drop.sql",
        "-- atlas:txtar\n\n-- checks.sql --\n-- The users table must be empty.\nSELECT NOT EXISTS (SELECT 1 FROM users);\n\n-- migration.sql --\nDROP TABLE users;\n",
    ))
    .unwrap();
    let err = Migrator::builder(d)
        .build()
        .unwrap()
        .apply(&url)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("pre-migration check failed: The users table must be empty."),
        "{err}"
    );
    assert_eq!(tables(&url).await, ["users"]);
    assert_eq!(
        revisions(&url).await.len(),
        1,
        "no revision for the checked file"
    );
}

#[tokio::test]
async fn unknown_txmode_fails_before_anything_runs() {
    let tmp = TempDir::new();
    let url = tmp.sqlite_url("txmode.db");
    let mut d = MigrationDir::default();
    d.add_file(MigrationFile::new("1_a.sql", "CREATE TABLE a (id int);\n"))
        .unwrap();
    d.add_file(MigrationFile::new(
        "2_b.sql",
        "-- atlas:txmode sometimes\n\nCREATE TABLE b (id int);\n",
    ))
    .unwrap();
    let err = Migrator::builder(d)
        .build()
        .unwrap()
        .apply(&url)
        .await
        .unwrap_err();
    assert!(err.to_string().starts_with("2_b.sql:1"), "{err}");
    assert!(tables(&url).await.is_empty());
}

#[tokio::test]
async fn third_file_needs_foreign_keys_off_outside_a_transaction() {
    // Atlas's `sqlitetx` directory: the third file rebuilds a referenced table with
    // `PRAGMA foreign_keys = off`, which SQLite ignores inside a transaction.
    let tmp = TempDir::new();
    let dir = MigrationDir::open(fixture("cmdapi-sqlitetx")).unwrap();
    let url = tmp.sqlite_url("tx-none.db");
    let report = Migrator::builder(dir)
        .tx_mode(mercator_migrate::dir::TxMode::None)
        .build()
        .unwrap()
        .apply(&url)
        .await
        .unwrap();
    assert_eq!(report.applied.len(), 3);
    assert_eq!(tables(&url).await, ["friendships", "users"]);
}

#[tokio::test]
async fn diff_writes_the_next_file_then_nothing_when_in_sync() {
    let tmp = TempDir::new();
    let path = tmp.path().join("migrations");
    std::fs::create_dir_all(&path).unwrap();
    let schema = tmp.write(
        "schema.sql",
        "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n",
    );
    let to = mercator_migrate::Source::file(&schema);
    let mut dir = MigrationDir::open(&path).unwrap();
    let first = mercator_migrate::migrate_diff(&mut dir, "init", &to, None)
        .await
        .unwrap()
        .expect("a file");
    let text = std::fs::read_to_string(path.join(&first)).unwrap();
    assert!(
        text.starts_with("-- Create \"users\" table\nCREATE TABLE"),
        "{text}"
    );
    MigrationDir::open(&path).unwrap().validate().unwrap();

    let mut dir = MigrationDir::open(&path).unwrap();
    let again = mercator_migrate::migrate_diff(&mut dir, "again", &to, None)
        .await
        .unwrap();
    assert_eq!(again, None, "in sync: nothing written");

    let url = tmp.sqlite_url("diffed.db");
    migrator(&path).apply(&url).await.unwrap();
    assert_eq!(tables(&url).await, ["users"]);
}
