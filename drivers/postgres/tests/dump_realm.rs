//! Prints the realm of a SQL file: a debugging aid, run only when asked with
//! `MERCATOR_DUMP=path cargo test --test dump_realm -- --ignored --nocapture`.

mod common;

use common::*;

#[tokio::test]
#[ignore = "debugging aid: set MERCATOR_DUMP=<file.sql> and run with --ignored"]
async fn dump_realm_when_asked() {
    let path = std::env::var("MERCATOR_DUMP").expect("MERCATOR_DUMP names a SQL file");
    let Some(_admin) = admin().await else { return };
    let db = TestDb::create().await;
    let driver = db.open().await;
    let sql = std::fs::read_to_string(&path).expect("read file");
    load(&driver, &sql).await.expect("load");
    let realm = inspect(&driver).await;
    println!(
        "{}",
        serde_json::to_string_pretty(&realm).unwrap_or_default()
    );
    drop(driver);
    db.drop_db().await;
}
