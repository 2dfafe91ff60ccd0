//! `mercator_migrate::testing` on PostgreSQL: the example suite (function, trigger, view,
//! domain, check constraint, row-level security) and Atlas's documentation examples.
//! Skipped when the server is unreachable, unless `MERCATOR_REQUIRE_SERVERS=1`.

use std::path::{Path, PathBuf};

use mercator_migrate::dir::MigrationDir;
use mercator_migrate::testing::{TestReport, TestRunner};
use mercator_migrate::{DialectKind, Source};
use mercator_testkit::{Server, ServerDb};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/testing/postgres")
}

fn names(report: &TestReport) -> Vec<&str> {
    report.cases.iter().map(|c| c.name.as_str()).collect()
}

/// The suite on scratch databases (an unbound dev URL) and on scratch schemas (a dev URL
/// bound to a schema), one after the other: its row-level security test uses a role, and
/// roles belong to the whole server.
#[tokio::test(flavor = "multi_thread")]
async fn postgres_suite_passes_on_scratch_databases_and_schemas() {
    let Some(dev) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    let dir = examples();
    for dev_url in [dev.url.clone(), format!("{}?search_path=public", dev.url)] {
        let report = TestRunner::schema(DialectKind::Postgres)
            .dev_url(&dev_url)
            .desired(Source::file(dir.join("schema.sql")))
            .run(&[dir.join("schema.test.hcl")])
            .await
            .unwrap();
        assert!(report.passed(), "{dev_url}:\n{}", report.to_text());
        assert_eq!(
            names(&report),
            [
                "order_total_trigger",
                "order_total_function/empty",
                "order_total_function/single",
                "order_total_function/mixed",
                "active_customers_view",
                "postal_code_domain",
                "order_total_check_constraint",
                "tenant_isolation_rls",
            ]
        );
    }
    dev.drop_db().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn atlas_documentation_examples_run_unchanged() {
    let Some(dev) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    let docs = examples().join("atlas-docs");
    for (folder, expected) in [
        (
            "domains",
            vec![
                "postal",
                "us_postal_code_check_valid/1",
                "us_postal_code_check_valid/2",
                "us_postal_code_check_invalid/1",
                "us_postal_code_check_invalid/2",
            ],
        ),
        (
            "procedures",
            vec!["procedure", "procedure/1", "procedure/2"],
        ),
    ] {
        let report = TestRunner::schema(DialectKind::Postgres)
            .dev_url(&dev.url)
            .desired(Source::file(docs.join(folder).join("schema.sql")))
            .run(&[docs.join(folder)])
            .await
            .unwrap();
        assert!(report.passed(), "{folder}:\n{}", report.to_text());
        assert_eq!(names(&report), expected, "{folder}");
    }
    for (folder, expected) in [
        ("data-migration", "check_latest_post"),
        ("migrate-doc", "20240613061102"),
    ] {
        let migrations = MigrationDir::open(docs.join(folder).join("migrations")).unwrap();
        let report = TestRunner::migrate(DialectKind::Postgres, migrations)
            .dev_url(&dev.url)
            .run(&[docs.join(folder)])
            .await
            .unwrap();
        assert!(report.passed(), "{folder}:\n{}", report.to_text());
        assert_eq!(names(&report), [expected]);
    }
    dev.drop_db().await;
}
