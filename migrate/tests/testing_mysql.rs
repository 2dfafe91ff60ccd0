//! `mercator_migrate::testing` on MySQL/MariaDB: the example suite (stored procedure,
//! trigger, check constraint). Skipped when the server is unreachable, unless
//! `MERCATOR_REQUIRE_SERVERS=1`.

use std::path::Path;

use mercator_migrate::testing::{CaseStatus, FailureKind, TestRunner};
use mercator_migrate::{DialectKind, Source};
use mercator_testkit::{Server, ServerDb, TempDir};

#[tokio::test(flavor = "multi_thread")]
async fn mysql_suite_passes() {
    let Some(dev) = ServerDb::create(Server::Mysql).await else {
        return;
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/testing/mysql");
    let runner = TestRunner::schema(DialectKind::Mysql)
        .dev_url(&dev.url)
        .desired(Source::file(dir.join("schema.sql")));
    let report = runner.run(&[dir.join("schema.test.hcl")]).await.unwrap();
    assert!(report.passed(), "{}", report.to_text());
    let names: Vec<_> = report.cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "archive_old_sales/1",
            "archive_old_sales/2",
            "balance_trigger",
            "balance_check_constraint",
        ]
    );

    // A wrong expectation on the procedure's effect is a located output failure.
    let tmp = TempDir::new();
    let file = tmp.write(
        "wrong.test.hcl",
        "test \"schema\" \"archive\" {\n  exec {\n    sql = \"INSERT INTO sales VALUES (1, 1.00, '2024-01-01'); CALL archive_old_sales('2024-02-01')\"\n  }\n  exec {\n    sql    = \"SELECT COUNT(*) FROM sales\"\n    output = \"1\"\n  }\n}\n",
    );
    let report = runner.run(&[file]).await.unwrap();
    let case = &report.cases[0];
    assert_eq!(case.status, CaseStatus::Fail);
    let failure = case.failure.as_ref().unwrap();
    assert_eq!(
        (failure.kind, failure.location.line),
        (FailureKind::Output, 5)
    );
    assert!(
        failure.diff.as_deref().unwrap().contains("-1\n+0\n"),
        "{failure:?}"
    );
    dev.drop_db().await;
}
