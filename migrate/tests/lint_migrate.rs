//! `migrate lint` through the library on every dialect: the seed scenarios, look-alikes
//! that must stay silent, `nolint`, renames and `CONCURRENTLY`, and the dev-state cache.
//! PostgreSQL and MySQL cases run on the test servers (skipped when unreachable unless
//! `MERCATOR_REQUIRE_SERVERS=1`).

use mercator_migrate::dir::{MigrationDir, MigrationFile};
use mercator_migrate::lint::{CacheUse, LintOutcome, LintSelection, MigrateLint};
use mercator_testkit::{Server, ServerDb, TempDir};
use schema_lint::Report;

const BASE: &str = "CREATE TABLE users (id int PRIMARY KEY, email varchar(255));\n\
                    CREATE TABLE t1 (id int PRIMARY KEY);\n";

fn dir_of(files: &[(&str, &str)]) -> MigrationDir {
    let mut dir = MigrationDir::default();
    for (name, sql) in files {
        dir.add_file(MigrationFile::new(*name, sql.as_bytes().to_vec()))
            .expect("valid file");
    }
    dir
}

async fn lint_latest(
    dev: Option<&str>,
    files: &[(&str, &str)],
    cache: Option<&TempDir>,
) -> LintOutcome {
    let mut builder = MigrateLint::builder(dir_of(files)).selection(LintSelection::Latest(1));
    if let Some(url) = dev {
        builder = builder.dev_url(url);
    }
    builder = match cache {
        Some(dir) => builder.cache_dir(dir.path()),
        None => builder.no_cache(),
    };
    builder
        .build()
        .expect("settings")
        .run()
        .await
        .expect("lint runs")
}

/// Lints `new` as the file after [`BASE`].
async fn lint_new(dev: Option<&str>, new: &str) -> Report {
    lint_latest(dev, &[("1_base.sql", BASE), ("2_new.sql", new)], None)
        .await
        .report
}

fn codes(report: &Report) -> Vec<&str> {
    report.diagnostics.iter().map(|d| d.code.as_str()).collect()
}

/// The codes without PostgreSQL's lock findings (PG1xx/PG3xx), which the shared scenarios
/// leave to the PostgreSQL test.
fn portable(report: &Report) -> Vec<&str> {
    codes(report)
        .into_iter()
        .filter(|c| !c.starts_with("PG"))
        .collect()
}

/// The scenarios every dialect shares; `not_null_code` is MF103 (MY101 on MySQL, which
/// fills zero values instead of failing).
async fn seed_scenarios(dev: Option<&str>, not_null_code: &str) {
    let r = lint_new(dev, "CREATE UNIQUE INDEX users_email ON users (email);\n").await;
    assert_eq!(portable(&r), ["MF101"], "{}", r.to_text());
    assert!(r.diagnostics.iter().all(|d| d.line == Some(1)));
    assert!(!r.has_errors());

    let r = lint_new(
        dev,
        "-- a column\nALTER TABLE users ADD COLUMN name varchar(50) NOT NULL;\n",
    )
    .await;
    assert_eq!(portable(&r), [not_null_code], "{}", r.to_text());
    assert!(r.diagnostics.iter().all(|d| d.line == Some(2)));

    let r = lint_new(
        dev,
        "ALTER TABLE users ADD COLUMN name varchar(50) NOT NULL DEFAULT 'x';\n",
    )
    .await;
    assert!(portable(&r).is_empty(), "{}", r.to_text());

    // A nullable column added is no data-dependent change either.
    let r = lint_new(dev, "ALTER TABLE users ADD COLUMN nick varchar(50);\n").await;
    assert!(portable(&r).is_empty(), "{}", r.to_text());

    let r = lint_new(dev, "CREATE TABLE keep (id int);\n\nDROP TABLE t1;\n").await;
    assert_eq!(portable(&r), ["DS102"], "{}", r.to_text());
    let ds = &r.diagnostics[0];
    assert_eq!(ds.line, Some(3));
    assert!(r.has_errors());
    assert!(
        ds.fix.as_deref().is_some_and(|f| f.contains("\"t1\"")),
        "{ds:?}"
    );
    let text = r.to_text();
    assert!(text.contains("-- analyzing version 2"), "{text}");
    assert!(text.contains("-- L3: "), "{text}");
    assert!(
        text.contains("https://atlasgo.io/lint/analyzers#DS102"),
        "{text}"
    );
    assert!(text.contains("-- suggested fix:"), "{text}");

    // Created and dropped in the same file: nothing was lost.
    let r = lint_new(dev, "CREATE TABLE tmp (id int);\nDROP TABLE tmp;\n").await;
    assert!(portable(&r).is_empty(), "{}", r.to_text());

    // nolint on the statement, by code and by analyzer name; and file-level.
    for new in [
        "-- atlas:nolint DS102\nDROP TABLE t1;\n",
        "-- atlas:nolint destructive\nDROP TABLE t1;\n",
        "-- atlas:nolint\n\nDROP TABLE t1;\n",
    ] {
        let r = lint_new(dev, new).await;
        assert!(r.diagnostics.is_empty(), "{new}: {}", r.to_text());
        assert_eq!(r.suppressed, 1, "{new}");
    }
    // A nolint for another code does not silence it.
    let r = lint_new(dev, "-- atlas:nolint MF101\nDROP TABLE t1;\n").await;
    assert_eq!(portable(&r), ["DS102"]);
}

#[tokio::test]
async fn sqlite_seed_scenarios() {
    seed_scenarios(None, "MF103").await;
    // Renames are renames (BC102), not a drop and an add (DS103).
    let r = lint_new(None, "ALTER TABLE users RENAME COLUMN email TO mail;\n").await;
    assert_eq!(codes(&r), ["BC102"], "{}", r.to_text());
}

#[tokio::test]
async fn postgres_seed_scenarios_and_concurrent_indexes() {
    let Some(dev) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    seed_scenarios(Some(&dev.url), "MF103").await;
    let r = lint_new(
        Some(&dev.url),
        "ALTER TABLE users RENAME COLUMN email TO mail;\n",
    )
    .await;
    assert_eq!(codes(&r), ["BC102"], "{}", r.to_text());
    let r = lint_new(Some(&dev.url), "ALTER TABLE users RENAME TO people;\n").await;
    assert_eq!(codes(&r), ["BC101"], "{}", r.to_text());

    let r = lint_new(
        Some(&dev.url),
        "CREATE INDEX users_email ON users (email);\n",
    )
    .await;
    assert_eq!(codes(&r), ["PG101"], "{}", r.to_text());
    let r = lint_new(
        Some(&dev.url),
        "-- atlas:txmode none\n\nCREATE INDEX CONCURRENTLY users_email ON users (email);\n",
    )
    .await;
    assert!(r.diagnostics.is_empty(), "{}", r.to_text());
    assert_eq!(r.files[0].changes, 1);
    let r = lint_new(
        Some(&dev.url),
        "CREATE INDEX CONCURRENTLY users_email ON users (email);\n",
    )
    .await;
    assert_eq!(codes(&r), ["PG103"], "{}", r.to_text());
    dev.drop_db().await;
}

#[tokio::test]
async fn mysql_seed_scenarios() {
    let Some(dev) = ServerDb::create(Server::Mysql).await else {
        return;
    };
    seed_scenarios(Some(&dev.url), "MY101").await;
    let r = lint_new(
        Some(&dev.url),
        "ALTER TABLE users RENAME COLUMN email TO mail;\n",
    )
    .await;
    assert_eq!(codes(&r), ["BC102"], "{}", r.to_text());
    dev.drop_db().await;
}

#[tokio::test]
async fn a_failing_statement_is_located() {
    let err = MigrateLint::builder(dir_of(&[
        ("1_base.sql", BASE),
        ("2_bad.sql", "\n\nDROP TABLE missing;\n"),
    ]))
    .selection(LintSelection::Latest(1))
    .no_cache()
    .build()
    .expect("settings")
    .run()
    .await
    .expect_err("fails");
    assert!(err.to_string().starts_with("2_bad.sql:3: "), "{err}");
}

#[tokio::test]
async fn nothing_selected_is_an_error() {
    assert!(
        MigrateLint::builder(dir_of(&[("1_base.sql", BASE)]))
            .build()
            .is_err()
    );
}

fn history(n: usize) -> Vec<(String, String)> {
    (1..=n)
        .map(|i| {
            (
                format!("{i:04}_t{i}.sql"),
                format!("CREATE TABLE t{i} (id int PRIMARY KEY, v int);\nALTER TABLE t{i} ADD COLUMN w int;\n"),
            )
        })
        .collect()
}

fn refs(files: &[(String, String)]) -> Vec<(&str, &str)> {
    files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect()
}

/// The cache: a second run restores the prefix instead of replaying it and reports the
/// same findings; a new file reuses the state after the previously linted file (from the
/// schema model) or the previous prefix (from a snapshot, then replays one file); an edit
/// of an earlier file invalidates. `copies`: the dev database keeps dev-state snapshots it
/// can copy (a longer prefix starts from a shorter one's); `kept`: how many snapshots the
/// runs leave (copied or borrowed ones).
async fn cache_scenario(dev: Option<&str>, copies: bool, kept: usize) {
    let cache = TempDir::new();
    // Snapshots live on the dev server (or in the cache directory): dropped at the end,
    // also when an assertion fails.
    let guard = SnapshotGuard {
        dev: dev.map(str::to_owned),
        cache: cache.path().to_owned(),
    };
    let cache = Some(&cache);
    let (hit_third, replayed_third) = if copies { (12, 1) } else { (13, 0) };
    let mut files = history(12);
    files.push(("0013_drop.sql".into(), "DROP TABLE t3;\n".into()));
    let first = lint_latest(dev, &refs(&files), cache).await;
    assert_eq!(first.cache, CacheUse::Miss);
    assert_eq!(first.replayed_files, 12);
    assert_eq!(codes(&first.report), ["DS102"]);

    let second = lint_latest(dev, &refs(&files), cache).await;
    assert_eq!(second.cache, CacheUse::Hit { files: 12 });
    assert_eq!(second.replayed_files, 0);
    assert_eq!(second.report.diagnostics, first.report.diagnostics);

    // The previously linted file is now part of the prefix.
    files.push(("0014_more.sql".into(), "DROP TABLE t4;\n".into()));
    let third = lint_latest(dev, &refs(&files), cache).await;
    assert_eq!(third.cache, CacheUse::Hit { files: hit_third });
    assert_eq!(third.replayed_files, replayed_third);
    assert_eq!(codes(&third.report), ["DS102"]);
    assert!(third.report.diagnostics[0].message.contains("t4"));

    // Editing file 5 changes the sum entries from file 5 on: no stored state applies.
    files[4].1.push_str("ALTER TABLE t5 ADD COLUMN x int;\n");
    let fourth = lint_latest(dev, &refs(&files), cache).await;
    assert_eq!(fourth.replayed_files, 13);
    assert!(matches!(fourth.cache, CacheUse::Miss), "{:?}", fourth.cache);
    assert_eq!(codes(&fourth.report), ["DS102"]);

    // Without a cache the result is the same.
    let plain = lint_latest(dev, &refs(&files), None).await;
    assert_eq!(plain.cache, CacheUse::Disabled);
    assert_eq!(plain.report.diagnostics, fourth.report.diagnostics);

    // Snapshots of the prefixes of 12 and 13 files were kept, and of 13 files after the
    // edit.
    assert_eq!(drop_snapshots(&guard.dev, &guard.cache).await, kept);
}

async fn drop_snapshots(dev: &Option<String>, cache: &std::path::Path) -> usize {
    let mut builder = MigrateLint::builder(dir_of(&[("1_base.sql", BASE)]))
        .selection(LintSelection::All)
        .cache_dir(cache);
    if let Some(url) = dev {
        builder = builder.dev_url(url);
    }
    builder
        .build()
        .expect("settings")
        .drop_snapshots()
        .await
        .expect("drop snapshots")
}

/// Drops a test's dev-state snapshots when it ends.
struct SnapshotGuard {
    dev: Option<String>,
    cache: std::path::PathBuf,
}

impl Drop for SnapshotGuard {
    fn drop(&mut self) {
        let dev = self.dev.clone();
        let cache = self.cache.clone();
        // A runtime of its own: the test's may be gone or busy.
        let _ = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Runtime::new() {
                rt.block_on(drop_snapshots(&dev, &cache));
            }
        })
        .join();
    }
}

#[tokio::test]
async fn sqlite_cache() {
    cache_scenario(None, true, 3).await;
}

#[tokio::test]
async fn postgres_cache() {
    let Some(dev) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    cache_scenario(Some(&dev.url), true, 3).await;
    // Bound to a schema, the scratch space is a schema: snapshots are the scratch schemas
    // themselves, borrowed but never copied, so a longer prefix starts from the model.
    let sep = if dev.url.contains('?') { '&' } else { '?' };
    cache_scenario(
        Some(&format!("{}{sep}search_path=public", dev.url)),
        false,
        3,
    )
    .await;
    dev.drop_db().await;
}

/// On PostgreSQL a run whose prefix has a snapshot borrows it rather than copy it, and
/// leaves it as it was; files the borrow's transaction refuses are linted on a copy, and
/// files that end transactions never run in a borrow. Bound to a schema, the first run's
/// scratch schema becomes the snapshot and is borrowed at once.
#[tokio::test]
async fn postgres_borrows_the_prefix_snapshot_and_leaves_it_as_it_was() {
    let Some(dev) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    let sep = if dev.url.contains('?') { '&' } else { '?' };
    borrow_scenario(&dev.url, false).await;
    borrow_scenario(&format!("{}{sep}search_path=public", dev.url), true).await;
    dev.drop_db().await;
}

async fn borrow_scenario(dev_url: &str, bound: bool) {
    let cache = TempDir::new();
    let _guard = SnapshotGuard {
        dev: Some(dev_url.to_owned()),
        cache: cache.path().to_owned(),
    };
    let url = Some(dev_url);
    let with = |last: (&'static str, &'static str)| {
        let mut files = history(6);
        files.push((last.0.into(), last.1.into()));
        files
    };
    let drop_t3 = with(("0007_drop.sql", "DROP TABLE t3;\n"));
    let first = lint_latest(url, &refs(&drop_t3), Some(&cache)).await;
    assert_eq!(first.cache, CacheUse::Miss);
    assert_eq!(first.borrowed, bound);
    assert_eq!(codes(&first.report), ["DS102"]);
    for _ in 0..2 {
        let again = lint_latest(url, &refs(&drop_t3), Some(&cache)).await;
        assert_eq!(again.cache, CacheUse::Hit { files: 6 });
        assert!(again.borrowed);
        assert_eq!(again.report.diagnostics, first.report.diagnostics);
    }

    let concurrent = with((
        "0007_index.sql",
        "CREATE INDEX CONCURRENTLY t1_v ON t1 (v);\n",
    ));
    let copied = lint_latest(url, &refs(&concurrent), Some(&cache)).await;
    assert_eq!(copied.cache, CacheUse::Hit { files: 6 });
    assert!(!copied.borrowed, "CONCURRENTLY cannot run in a transaction");
    let plain = lint_latest(url, &refs(&concurrent), None).await;
    assert_eq!(copied.report.diagnostics, plain.report.diagnostics);

    let committing = with(("0007_commit.sql", "DROP TABLE t3;\nCOMMIT;\n"));
    let copied = lint_latest(url, &refs(&committing), Some(&cache)).await;
    assert!(
        !copied.borrowed,
        "a COMMIT would end the borrow's transaction"
    );
    assert_eq!(codes(&copied.report), ["DS102"]);

    // None of it reached the snapshot: t3 is still there to drop, the index is not.
    let last = lint_latest(url, &refs(&drop_t3), Some(&cache)).await;
    assert!(last.borrowed);
    assert_eq!(last.report.diagnostics, first.report.diagnostics);
    let index_again = lint_latest(url, &refs(&concurrent), Some(&cache)).await;
    assert_eq!(index_again.report.diagnostics, plain.report.diagnostics);
    // The prefix's snapshot and the one after the linted DROP (kept for the next run).
    assert!(drop_snapshots(&Some(dev_url.to_owned()), cache.path()).await >= 1);
}

/// Bound to a schema, a first run makes its scratch schema the prefix's snapshot and goes
/// on in it, borrowed; a linted statement that transaction refuses sends the run to a
/// fresh space all the same.
#[tokio::test]
async fn postgres_a_statement_refused_in_a_kept_snapshot_is_linted_on_a_copy() {
    let Some(dev) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    let sep = if dev.url.contains('?') { '&' } else { '?' };
    let bound = format!("{}{sep}search_path=public", dev.url);
    let cache = TempDir::new();
    let guard = SnapshotGuard {
        dev: Some(bound.clone()),
        cache: cache.path().to_owned(),
    };
    let mut files = history(4);
    files.push((
        "0005_index.sql".into(),
        "CREATE INDEX CONCURRENTLY t1_v ON t1 (v);\n".into(),
    ));
    let first = lint_latest(Some(&bound), &refs(&files), Some(&cache)).await;
    assert!(!first.borrowed);
    let plain = lint_latest(Some(&bound), &refs(&files), None).await;
    assert_eq!(first.report.diagnostics, plain.report.diagnostics);
    // The snapshot the refused attempt kept stays, unchanged, for the next run.
    files.pop();
    files.push(("0005_drop.sql".into(), "DROP TABLE t1;\n".into()));
    let next = lint_latest(Some(&bound), &refs(&files), Some(&cache)).await;
    assert!(next.borrowed);
    assert_eq!(codes(&next.report), ["DS102"]);
    drop(guard);
    dev.drop_db().await;
}

#[tokio::test]
async fn mysql_cache() {
    let Some(dev) = ServerDb::create(Server::Mysql).await else {
        return;
    };
    cache_scenario(Some(&dev.url), false, 0).await;
    dev.drop_db().await;
}

/// `--git-base`: the files added or changed since the branch are linted, the rest replayed.
#[tokio::test]
async fn git_base_selects_changed_files() {
    let tmp = TempDir::new();
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(tmp.path())
            .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
            .args(args)
            .output();
        match out {
            Ok(out) => out.status.success(),
            Err(_) => false,
        }
    };
    if !git(&["init", "-q", "-b", "main"]) {
        eprintln!("skipping: git is not available");
        return;
    }
    let path = tmp.path().join("migrations");
    std::fs::create_dir_all(&path).expect("mkdir");
    let mut dir = MigrationDir::open(&path).expect("open");
    dir.add_file(MigrationFile::new("1_base.sql", BASE.as_bytes().to_vec()))
        .expect("add");
    assert!(git(&["add", "."]) && git(&["commit", "-q", "-m", "base"]));
    assert!(git(&["checkout", "-q", "-b", "feature"]));
    dir.add_file(MigrationFile::new(
        "2_drop.sql",
        b"DROP TABLE t1;\n".to_vec(),
    ))
    .expect("add");
    dir.add_file(MigrationFile::new(
        "3_idx.sql",
        b"CREATE UNIQUE INDEX e ON users (email);\n".to_vec(),
    ))
    .expect("add");
    let run = |selection| {
        let dir = MigrationDir::open(&path).expect("open");
        async move {
            MigrateLint::builder(dir)
                .selection(selection)
                .no_cache()
                .build()
                .expect("settings")
                .run()
                .await
        }
    };
    let outcome = run(LintSelection::GitBase("main".into()))
        .await
        .expect("lint");
    assert_eq!(outcome.prefix_files, 1);
    assert_eq!(codes(&outcome.report), ["DS102", "MF101"]);
    assert_eq!(outcome.report.base_version.as_deref(), Some("1"));
    let err = run(LintSelection::GitBase("no-such-branch".into()))
        .await
        .expect_err("fails");
    assert!(
        err.to_string().starts_with("--git-base no-such-branch: "),
        "{err}"
    );
}
