//! Borrowed dev-state snapshots: a run works in the snapshot database itself inside one
//! transaction, and everything it did is rolled back when it gives the snapshot back. A
//! copy waits for a borrow to end; a borrow whose transaction something ended drops the
//! snapshot rather than keep it changed.

mod common;

use std::path::Path;
use std::time::Duration;

use common::*;
use mercator_driver::{DevDatabase, Driver, DriverExt, InspectOptions, Scratch, TxOptions};

/// Server-side snapshots need no store directory.
const STORE: &str = "unused-by-postgres";

async fn tables_in(scratch: &Scratch) -> Vec<String> {
    table_names(
        &scratch
            .driver
            .inspect(&InspectOptions::default())
            .await
            .expect("inspect"),
    )
}

/// Drops the test's snapshots when it ends, also when an assertion fails.
struct Snapshots(String);

impl Drop for Snapshots {
    fn drop(&mut self) {
        let url = self.0.clone();
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Runtime::new().expect("runtime");
            rt.block_on(async {
                if let Ok(dev) = mercator_postgres::PostgresDriver::open(&url).await {
                    let _ = dev.drop_snapshots(Path::new(STORE)).await;
                }
            });
        })
        .join();
    }
}

#[tokio::test]
async fn a_borrow_is_rolled_back_waits_for_copies_and_a_broken_one_drops_the_snapshot() {
    let Some(_admin) = admin().await else {
        return;
    };
    let db = TestDb::create().await;
    let _snapshots = Snapshots(db.url.clone());
    let store = Path::new(STORE);
    let dev = db.open().await;

    let mut scratch = dev
        .create_scratch()
        .await
        .expect("create scratch")
        .expect("the test server lets us create databases");
    scratch
        .driver
        .execute(&["CREATE TABLE kept (id int PRIMARY KEY, v int)".to_owned()])
        .await
        .expect("load");
    assert!(
        dev.save_snapshot(&mut scratch, "k1", store)
            .await
            .expect("save")
    );
    dev.drop_scratch(scratch).await.expect("drop scratch");

    // Changes made in a borrow are seen inside it, sessions' own transactions included.
    let lent = dev
        .borrow_snapshot("k1", store)
        .await
        .expect("borrow")
        .expect("the snapshot exists and is free");
    lent.driver
        .execute(&[
            "CREATE TABLE added (id int)".to_owned(),
            "DROP TABLE kept".to_owned(),
        ])
        .await
        .expect("statements run in the borrow");
    {
        let mut session = lent.driver.session().await.expect("session");
        session.begin(TxOptions::default()).await.expect("begin");
        session
            .execute("CREATE TABLE committed_inside (id int)")
            .await
            .expect("create");
        session.commit().await.expect("commit");
        session.begin(TxOptions::default()).await.expect("begin");
        session
            .execute("CREATE TABLE rolled_back_inside (id int)")
            .await
            .expect("create");
        session.rollback().await.expect("rollback");
    }
    assert_eq!(tables_in(&lent).await, ["added", "committed_inside"]);

    // A copy waits for the borrow to end, and copies the snapshot as it was.
    let other = db.open().await;
    let copy = tokio::spawn(async move {
        let copy = other.restore_snapshot("k1", Path::new(STORE)).await;
        (other, copy)
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !copy.is_finished(),
        "a copy must wait while the snapshot is lent"
    );
    dev.return_snapshot(lent).await.expect("give back");
    let (other, copy) = copy.await.expect("copy task");
    let copy = copy.expect("copy").expect("the snapshot is still there");
    assert_eq!(tables_in(&copy).await, ["kept"]);
    other.drop_scratch(copy).await.expect("drop copy");
    other.close().await.expect("close");

    // A borrow again sees the snapshot unchanged.
    let lent = dev
        .borrow_snapshot("k1", store)
        .await
        .expect("borrow")
        .expect("free again");
    assert_eq!(tables_in(&lent).await, ["kept"]);

    // A statement that ends the borrow's transaction leaves changes behind that no
    // rollback undoes: the snapshot is dropped on return instead of kept changed.
    lent.driver
        .execute(&[
            "CREATE TABLE leaked (id int)".to_owned(),
            "COMMIT".to_owned(),
        ])
        .await
        .expect("statements run");
    dev.return_snapshot(lent).await.expect("give back");
    let keys = dev.snapshot_keys(store).await.expect("keys");
    assert!(!keys.contains(&"k1".to_owned()), "{keys:?}");

    dev.close().await.expect("close");
    db.drop_db().await;
}

/// Bound to a schema, a snapshot is the run's scratch schema itself, renamed and lent on:
/// what the run does after is rolled back, and the schema is outside what loads create.
#[tokio::test]
async fn a_scratch_schema_is_kept_as_a_snapshot_and_lent() {
    let Some(_admin) = admin().await else {
        return;
    };
    let db = TestDb::create().await;
    let bound = bound_url(&db.url, "public");
    let _snapshots = Snapshots(bound.clone());
    let store = Path::new(STORE);
    let dev = mercator_postgres::PostgresDriver::open(&bound)
        .await
        .expect("open bound dev URL");

    let mut scratch = dev
        .create_scratch()
        .await
        .expect("create scratch")
        .expect("the test server lets us create schemas");
    let scratch_name = scratch.name.clone();
    scratch
        .driver
        .execute(&["CREATE TABLE kept (id int PRIMARY KEY)".to_owned()])
        .await
        .expect("load");
    assert!(
        !dev.save_snapshot(&mut scratch, "k2", store)
            .await
            .expect("save"),
        "a schema is not copied"
    );
    assert!(
        dev.keep_as_snapshot(&mut scratch, "k2", store)
            .await
            .expect("keep")
    );
    assert_ne!(scratch.name, scratch_name);
    assert_eq!(
        scratch.driver.bound_schema(),
        Some(scratch.name.as_str()),
        "the lent connection is bound to the snapshot"
    );
    scratch
        .driver
        .execute(&[
            "DROP TABLE kept".to_owned(),
            "CREATE TABLE added (id int)".to_owned(),
        ])
        .await
        .expect("statements run in the borrow");
    assert_eq!(tables_in(&scratch).await, ["added"]);
    assert!(dev.schemas_outside().await.expect("outside").is_empty());
    dev.return_snapshot(scratch).await.expect("give back");

    assert_eq!(dev.snapshot_keys(store).await.expect("keys"), ["k2"]);
    let lent = dev
        .borrow_snapshot("k2", store)
        .await
        .expect("borrow")
        .expect("the kept snapshot");
    assert_eq!(tables_in(&lent).await, ["kept"]);
    dev.return_snapshot(lent).await.expect("give back");
    assert_eq!(dev.drop_snapshots(store).await.expect("drop"), 1);
    assert!(
        dev.borrow_snapshot("k2", store)
            .await
            .expect("borrow")
            .is_none()
    );
    dev.close().await.expect("close");
    db.drop_db().await;
}
