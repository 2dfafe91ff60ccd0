//! The library side of reviewed plans and reconcile: legacy fingerprints still apply, an
//! edited plan is checked on the dev database, and reconciling to a directory version goes
//! up or down by the revisions table, refusing to drop data.

use mercator_migrate::dir::{MigrationDir, MigrationFile};
use mercator_migrate::reconcile::{Direction, ReconcileTarget, Reconciler, direction_of};
use mercator_migrate::{
    MigrateError, ReviewedOptions, ReviewedPlanError, SchemaApply, Source, apply_reviewed,
};
use mercator_testkit::TempDir;

fn directory() -> MigrationDir {
    let mut dir = MigrationDir::default();
    for (name, text) in [
        (
            "1_users.sql",
            "CREATE TABLE users (id int NOT NULL, PRIMARY KEY (id));\n",
        ),
        (
            "2_posts.sql",
            "CREATE TABLE posts (id int NOT NULL, title text, PRIMARY KEY (id));\n",
        ),
    ] {
        dir.add_file(MigrationFile::new(name, text)).unwrap();
    }
    dir
}

fn to_version(url: &str, version: Option<&str>) -> Reconciler {
    Reconciler::builder()
        .url(url)
        .target(ReconcileTarget::Version {
            dir: directory(),
            version: version.map(str::to_owned),
        })
        .build()
}

#[tokio::test]
async fn reconcile_to_a_directory_version_goes_up_and_down_by_the_revisions() {
    let tmp = TempDir::new();
    let url = tmp.sqlite_url("app.db");
    let up = to_version(&url, Some("2")).run().await.unwrap();
    assert_eq!(up.direction, Direction::Up);
    assert!(up.applied);
    assert_eq!(
        to_version(&url, Some("2")).run().await.unwrap().direction,
        Direction::InSync
    );

    let conn = rusqlite::Connection::open(tmp.path().join("app.db")).unwrap();
    conn.execute_batch("INSERT INTO posts (id, title) VALUES (1, 'x')")
        .unwrap();
    let err = to_version(&url, Some("1")).run().await.unwrap_err();
    assert!(matches!(err, MigrateError::Reconcile(_)), "{err}");
    assert!(err.to_string().contains("posts"), "{err}");
    assert_eq!(
        to_version(&url, Some("2")).run().await.unwrap().direction,
        Direction::InSync
    );

    conn.execute_batch("DELETE FROM posts").unwrap();
    let down = to_version(&url, Some("1")).run().await.unwrap();
    assert_eq!(down.direction, Direction::Down);
    assert!(down.applied && !down.checks.is_empty());
    assert_eq!(
        to_version(&url, Some("1")).run().await.unwrap().direction,
        Direction::InSync
    );
}

#[tokio::test]
async fn plans_with_unversioned_fingerprints_still_apply() {
    let tmp = TempDir::new();
    let url = tmp.sqlite_url("app.db");
    let apply = SchemaApply::builder()
        .url(&url)
        .to(Source::sql(
            "s.sql",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);",
        ))
        .build()
        .await
        .unwrap();
    let planned = apply.plan().await.unwrap();
    assert_eq!(direction_of(&planned.changes), Direction::Up);
    let mut reviewed = apply.reviewed("legacy", &planned);
    // As written before fingerprints carried their version.
    reviewed.from = reviewed.from.trim_start_matches("m1:").to_owned();
    reviewed.to = reviewed.to.trim_start_matches("m1:").to_owned();

    // An edit that changes the outcome is caught before anything is saved or run.
    let edited = format!("{}ALTER TABLE t ADD COLUMN b TEXT;\n", reviewed.migration);
    let check = apply.check_edited(&planned, &edited).await.unwrap();
    assert!(!check.reaches_desired);
    assert!(
        check
            .diff
            .lines()
            .any(|l| l.starts_with('+') && l.contains("\"b\"")),
        "{}",
        check.diff
    );
    apply.close().await.unwrap();

    let report = apply_reviewed(&url, &reviewed, &ReviewedOptions::default())
        .await
        .unwrap();
    assert_eq!(report.statements, 1);
    let again = apply_reviewed(&url, &reviewed, &ReviewedOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            again,
            MigrateError::Reviewed(ReviewedPlanError::NotFrom { .. })
        ),
        "{again}"
    );
}

#[tokio::test]
async fn an_edit_is_checked_when_the_desired_state_is_a_database() {
    let tmp = TempDir::new();
    let (url, model) = (tmp.sqlite_url("app.db"), tmp.sqlite_url("model.db"));
    rusqlite::Connection::open(tmp.path().join("model.db"))
        .unwrap()
        .execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY);")
        .unwrap();
    let apply = SchemaApply::builder()
        .url(&url)
        .to(Source::database(&model))
        .build()
        .await
        .unwrap();
    let planned = apply.plan().await.unwrap();
    let same = apply
        .check_edited(
            &planned,
            &format!("-- reviewed\n{}", apply.reviewed("p", &planned).migration),
        )
        .await
        .unwrap();
    assert!(same.reaches_desired, "{}", same.diff);
    let broken = apply.check_edited(&planned, "SELECT 1;\n").await.unwrap();
    assert!(!broken.reaches_desired);
    apply.close().await.unwrap();
}
