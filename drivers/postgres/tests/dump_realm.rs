//! Prints the realm of a SQL file (`MERCATOR_DUMP=path cargo test --test dump_realm -- --nocapture`):
//! a debugging aid that does nothing unless asked.

mod common;

use common::*;

#[tokio::test]
async fn dump_realm_when_asked() {
    let Ok(path) = std::env::var("MERCATOR_DUMP") else {
        return;
    };
    let Some(admin) = admin().await else { return };
    let db = TestDb::create(&admin).await;
    let driver = db.open().await;
    let sql = std::fs::read_to_string(&path).expect("read file");
    load(&driver, &sql).await.expect("load");
    let realm = inspect(&driver).await;
    println!(
        "{}",
        serde_json::to_string_pretty(&realm).unwrap_or_default()
    );
    drop(driver);
    db.drop_db(&admin).await;
}
