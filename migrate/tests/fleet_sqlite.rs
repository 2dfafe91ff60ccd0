//! Fleets of SQLite files (one database per tenant): the whole workflow, fast.

use mercator_migrate::dir::{MigrationDir, MigrationFile};
use mercator_migrate::fleet::{Fleet, OnError, Stage, TenantState, Tenants};
use mercator_migrate::{Migrator, MigratorBuilder, open};
use mercator_testkit::TempDir;

const USERS: &str = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\nCREATE UNIQUE INDEX users_email ON users (email);\n";
const ORDERS: &str = "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id));\nCREATE INDEX orders_user ON orders (user_id);\n";

fn builder(files: &[(&str, &str)]) -> MigratorBuilder {
    let mut dir = MigrationDir::default();
    for (name, sql) in files {
        dir.add_file(MigrationFile::new(*name, *sql)).unwrap();
    }
    Migrator::builder(dir)
}

fn names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("tenant_{i:02}")).collect()
}

async fn exec(url: &str, sql: &str) {
    let driver = open(url).await.unwrap();
    let mut session = driver.session().await.unwrap();
    session.execute(sql).await.unwrap();
}

#[tokio::test]
async fn apply_canary_continue_rerun_and_drift() {
    let tmp = TempDir::new();
    let template = format!("sqlite://{}/{{tenant}}.db", tmp.path().display());
    let tenants_file = tmp.write(
        "tenants.txt",
        &format!("# all of them\n{}\n", names(12).join("\n")),
    );
    let fleet = |canary: usize, on_error: OnError| {
        Fleet::builder(template.clone())
            .tenants(Tenants::File(tenants_file.clone()))
            .parallel(3)
            .canary(canary)
            .on_error(on_error)
            .build()
    };

    let v1 = builder(&[("1_users.sql", USERS)]);
    let report = fleet(0, OnError::Stop)
        .await
        .unwrap()
        .apply(&v1)
        .await
        .unwrap();
    assert!(report.is_success(), "{report:?}");
    assert_eq!(report.count(TenantState::Applied), 12);
    assert!(
        report
            .tenants
            .iter()
            .all(|t| t.to_version.as_deref() == Some("1"))
    );

    // A hand-made table in tenant_02 conflicts with the next file.
    let url = |t: &str| template.replace("{tenant}", t);
    exec(&url("tenant_02"), "CREATE TABLE orders (x INTEGER)").await;
    let v2 = builder(&[("1_users.sql", USERS), ("2_orders.sql", ORDERS)]);

    // Canary of 4 under stop: tenant_02 fails, nobody after the canary starts.
    let report = fleet(4, OnError::Stop)
        .await
        .unwrap()
        .apply(&v2)
        .await
        .unwrap();
    let failed: Vec<_> = report.failed().map(|t| t.tenant.as_str()).collect();
    assert_eq!(failed, ["tenant_02"]);
    let error = report.tenants[2].error.as_deref().unwrap_or_default();
    assert!(error.contains("orders"), "{error}");
    assert!(
        report
            .stopped
            .as_deref()
            .unwrap_or_default()
            .contains("canary tenant tenant_02")
    );
    assert_eq!(report.count(TenantState::Skipped), 8);
    assert!(
        report.tenants[4..]
            .iter()
            .all(|t| t.status == TenantState::Skipped && t.stage == Stage::Fleet)
    );

    // Continue: everyone else finishes, the failure is reported.
    let report = fleet(0, OnError::Continue)
        .await
        .unwrap()
        .apply(&v2)
        .await
        .unwrap();
    assert_eq!(report.failed().count(), 1);
    assert_eq!(report.count(TenantState::Applied), 8, "{report:?}");
    assert_eq!(report.count(TenantState::UpToDate), 3);
    assert!(report.stopped.is_none());

    // Status sees the failure; the schema of the failed tenant differs.
    let status = fleet(0, OnError::Stop)
        .await
        .unwrap()
        .status(&v2)
        .await
        .unwrap();
    assert_eq!(status.tenants[2].status, "FAILED");
    assert_eq!(status.tenants[3].status, "OK");
    assert_eq!(status.tenants[3].current.as_deref(), Some("2"));
    assert!(
        status
            .summary
            .starts_with("11 identical, 1 differ: tenant_02"),
        "{}",
        status.summary
    );

    // Fixed by hand, a rerun completes exactly that tenant.
    exec(&url("tenant_02"), "DROP TABLE orders").await;
    let report = fleet(0, OnError::Stop)
        .await
        .unwrap()
        .apply(&v2)
        .await
        .unwrap();
    assert!(report.is_success(), "{report:?}");
    let applied: Vec<_> = report
        .tenants
        .iter()
        .filter(|t| t.status == TenantState::Applied)
        .map(|t| (t.tenant.as_str(), t.applied.clone()))
        .collect();
    assert_eq!(applied, [("tenant_02", vec!["2".to_owned()])]);

    // Drift: two tenants changed by hand are found and described, the rest grouped.
    exec(
        &url("tenant_05"),
        "CREATE INDEX orders_extra ON orders (id, user_id)",
    )
    .await;
    exec(&url("tenant_09"), "ALTER TABLE users ADD COLUMN nick TEXT").await;
    let status = fleet(0, OnError::Stop)
        .await
        .unwrap()
        .status(&v2)
        .await
        .unwrap();
    assert!(
        status.summary.starts_with("10 identical, 2 differ"),
        "{}",
        status.summary
    );
    assert!(
        status.tenants[5]
            .differences
            .contains(&"has an extra index orders_extra on orders".to_owned()),
        "{:?}",
        status.tenants[5]
    );
    assert!(
        status.tenants[9]
            .differences
            .contains(&"has an extra column users.nick".to_owned()),
        "{:?}",
        status.tenants[9]
    );
    assert_eq!(status.groups.len(), 3);
    assert_eq!(status.groups[0].tenants.len(), 10);
    assert!(status.tenants.iter().all(|t| t.status == "OK"));
}

#[tokio::test]
async fn fleet_errors_are_clear() {
    let tmp = TempDir::new();
    let template = format!("sqlite://{}/{{tenant}}.db", tmp.path().display());
    let err = Fleet::builder(template.clone())
        .tenants(Tenants::List(vec!["a".into(), "a/../b".into()]))
        .build()
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("\"a/../b\""), "{err}");
    let err = Fleet::builder(template.clone())
        .tenants(Tenants::List(vec!["a".into()]))
        .parallel(0)
        .build()
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("--parallel"), "{err}");
    let fleet = Fleet::builder(template)
        .tenants(Tenants::List(vec!["a".into()]))
        .build()
        .await
        .unwrap();
    let err = fleet
        .apply(&builder(&[("1_users.sql", USERS)]).revisions_schema("shared"))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("each tenant keeps its own revisions table"),
        "{err}"
    );
}
