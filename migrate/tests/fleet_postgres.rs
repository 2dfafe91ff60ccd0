//! A fleet of 200 PostgreSQL schemas in one database: apply with a canary, stop and
//! continue, a rerun after a fix, and drift found in one inspection pass per few hundred
//! schemas. The database is dropped even when the test fails.

use mercator_migrate::dir::{MigrationDir, MigrationFile};
use mercator_migrate::fleet::{Fleet, OnError, TenantState, Tenants};
use mercator_migrate::{Migrator, MigratorBuilder};
use mercator_testkit::{Server, ServerDb};

const TENANTS: usize = 200;

const USERS: &str = "CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());\nCREATE UNIQUE INDEX users_email ON users (email);\n";
const ORDERS: &str = "CREATE TABLE orders (id bigserial PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id), total numeric(10,2) NOT NULL DEFAULT 0);\nCREATE INDEX orders_user ON orders (user_id);\n";
const ITEMS: &str = "CREATE TABLE items (order_id bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE, sku text NOT NULL, PRIMARY KEY (order_id, sku));\n";

fn builder(files: &[(&str, &str)]) -> MigratorBuilder {
    let mut dir = MigrationDir::default();
    for (name, sql) in files {
        dir.add_file(MigrationFile::new(*name, *sql)).unwrap();
    }
    Migrator::builder(dir)
}

fn tenant(i: usize) -> String {
    format!("t{i:03}")
}

fn template(db: &ServerDb) -> String {
    let sep = if db.url.contains('?') { '&' } else { '?' };
    format!("{}{sep}search_path={{tenant}}", db.url)
}

async fn fleet(db: &ServerDb, canary: usize, on_error: OnError) -> Fleet {
    Fleet::builder(template(db))
        .tenants(Tenants::Query(
            "SELECT nspname FROM pg_namespace WHERE nspname ~ '^t[0-9]{3}$' ORDER BY 1".into(),
        ))
        .parallel(4)
        .canary(canary)
        .on_error(on_error)
        .build()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_schemas() {
    let Some(db) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    let create: String = (0..TENANTS)
        .map(|i| format!("CREATE SCHEMA {};", tenant(i)))
        .collect();
    db.exec(&create).await;

    let v1 = builder(&[("1_users.sql", USERS)]);
    let report = fleet(&db, 0, OnError::Stop).await.apply(&v1).await.unwrap();
    assert!(report.is_success(), "{:?}", report.failed().next());
    assert_eq!(report.count(TenantState::Applied), TENANTS);

    // A hand-made conflicting table in t003, inside the canary stage.
    db.exec("CREATE TABLE t003.orders (x int)").await;
    let v3 = builder(&[
        ("1_users.sql", USERS),
        ("2_orders.sql", ORDERS),
        ("3_items.sql", ITEMS),
    ]);
    let report = fleet(&db, 10, OnError::Stop)
        .await
        .apply(&v3)
        .await
        .unwrap();
    let failed: Vec<_> = report.failed().map(|t| t.tenant.as_str()).collect();
    assert_eq!(failed, ["t003"]);
    let error = report.tenants[3].error.as_deref().unwrap_or_default();
    assert!(
        error.contains("orders") && error.contains("already exists"),
        "{error}"
    );
    // Canary tenants not yet started when t003 failed are skipped too.
    assert!(
        report.tenants[10..]
            .iter()
            .all(|t| t.status == TenantState::Skipped)
    );
    assert!(
        report
            .stopped
            .as_deref()
            .unwrap_or_default()
            .contains("canary tenant t003")
    );

    // Continue: all others reach version 3.
    let report = fleet(&db, 0, OnError::Continue)
        .await
        .apply(&v3)
        .await
        .unwrap();
    assert_eq!(report.failed().count(), 1);
    assert_eq!(
        report.count(TenantState::Applied) + report.count(TenantState::UpToDate),
        TENANTS - 1
    );
    assert!(
        report
            .tenants
            .iter()
            .filter(|t| t.tenant != "t003")
            .all(|t| t.to_version.as_deref() == Some("3"))
    );

    // Fixed by hand, the rerun completes only t003.
    db.exec("DROP TABLE t003.orders").await;
    let report = fleet(&db, 0, OnError::Stop).await.apply(&v3).await.unwrap();
    assert!(report.is_success(), "{:?}", report.failed().next());
    let applied: Vec<_> = report
        .tenants
        .iter()
        .filter(|t| t.status == TenantState::Applied)
        .map(|t| (t.tenant.as_str(), t.applied.clone()))
        .collect();
    assert_eq!(applied, [("t003", vec!["2".to_owned(), "3".to_owned()])]);

    // Drift: every tenant alike, then three changed by hand.
    let status = fleet(&db, 0, OnError::Stop)
        .await
        .status(&v3)
        .await
        .unwrap();
    assert_eq!(status.summary, format!("{TENANTS} identical, 0 differ"));
    assert_eq!(status.inspect_passes, 1);
    assert!(
        status
            .tenants
            .iter()
            .all(|t| t.status == "OK" && t.current.as_deref() == Some("3"))
    );
    db.exec(
        "CREATE INDEX orders_total ON t017.orders (total);\
         ALTER TABLE t042.users ADD COLUMN nick text;\
         DROP INDEX t150.orders_user;",
    )
    .await;
    let status = fleet(&db, 0, OnError::Stop)
        .await
        .status(&v3)
        .await
        .unwrap();
    assert!(
        status
            .summary
            .starts_with("197 identical, 3 differ: t017 has an extra index orders_total on orders"),
        "{}",
        status.summary
    );
    let drifted: Vec<_> = status
        .drifted()
        .map(|t| (t.tenant.as_str(), t.differences.join(", ")))
        .collect();
    assert_eq!(
        drifted,
        [
            (
                "t017",
                "has an extra index orders_total on orders".to_owned()
            ),
            ("t042", "has an extra column users.nick".to_owned()),
            ("t150", "lacks index orders_user on orders".to_owned()),
        ]
    );
    assert_eq!(status.groups.len(), 4);
    assert_eq!(status.groups[0].tenants.len(), 197);

    // First runs: the fleet's one-query emptiness check never waves a dirty schema through.
    db.exec(
        "CREATE SCHEMA fresh; CREATE SCHEMA has_table; CREATE TABLE has_table.legacy (id int);\
         CREATE SCHEMA has_view; CREATE VIEW has_view.v AS SELECT 1 AS one;\
         CREATE SCHEMA has_enum; CREATE TYPE has_enum.mood AS ENUM ('ok');",
    )
    .await;
    let names = ["fresh", "has_table", "has_view", "has_enum", "missing"];
    let report = Fleet::builder(template(&db))
        .tenants(Tenants::List(names.iter().map(|n| n.to_string()).collect()))
        .on_error(OnError::Continue)
        .build()
        .await
        .unwrap()
        .apply(&v1)
        .await
        .unwrap();
    let states: Vec<_> = report.tenants.iter().map(|t| t.status).collect();
    use TenantState::{Applied, Failed};
    assert_eq!(
        states,
        [Applied, Failed, Failed, Failed, Applied],
        "{report:?}"
    );
    for t in report.failed() {
        let error = t.error.as_deref().unwrap_or_default();
        assert!(error.contains("not clean"), "{}: {error}", t.tenant);
    }
    db.drop_db().await;
}

/// A single-tenant run (a URL bound to one schema) and a fleet worker on the same tenant
/// take the same per-schema lock, so they exclude each other; other tenants are not held up.
#[tokio::test(flavor = "multi_thread")]
async fn a_single_tenant_run_waits_for_the_tenant_lock_only() {
    let Some(db) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    db.exec("CREATE SCHEMA t001; CREATE SCHEMA t002").await;
    // What a fleet worker holds while it migrates t001.
    let holder = mercator_migrate::open(&db.url).await.unwrap();
    holder
        .lock(
            "atlas_migrate_execute.t001",
            std::time::Duration::from_secs(1),
        )
        .await
        .unwrap();
    let url = |t: &str| template(&db).replace("{tenant}", t);
    let migrator = builder(&[("1_users.sql", USERS)])
        .lock_timeout(std::time::Duration::from_millis(500))
        .build()
        .unwrap();
    let blocked = migrator.apply(&url("t001")).await;
    assert!(
        blocked
            .as_ref()
            .is_err_and(|e| e.to_string().contains("atlas_migrate_execute.t001")),
        "{blocked:?}"
    );
    let other = migrator.apply(&url("t002")).await;
    assert!(other.is_ok(), "{other:?}");
    holder.unlock("atlas_migrate_execute.t001").await.unwrap();
    let after = migrator.apply(&url("t001")).await;
    assert!(after.is_ok(), "{after:?}");
    holder.close().await.unwrap();
    db.drop_db().await;
}
