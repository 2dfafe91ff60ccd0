//! The declarative workflow over a fleet (`Fleet::schema_apply`) and fleets given as lists
//! of URLs (database per tenant): 200 PostgreSQL schemas (canary, continue, a rerun after a
//! fix, drift in a dry run, the review gate), MariaDB databases and PostgreSQL databases
//! listed by URL, and SQLite files. Every database is dropped even when a test fails.

use mercator_migrate::dir::{MigrationDir, MigrationFile};
use mercator_migrate::fleet::{
    Fleet, FleetSchemaOptions, FleetSchemaReport, OnError, Reach, TenantState, Tenants,
};
use mercator_migrate::{Migrator, SchemaApply, SchemaApplyBuilder, Source};
use mercator_testkit::{Server, ServerDb, TempDir};

const TENANTS: usize = 200;

const V1: &str = "CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL);\n";
const V2: &str = "CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL);\n\
CREATE UNIQUE INDEX users_email ON users (email);\n\
CREATE TABLE orders (id bigserial PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id), total numeric(10,2) NOT NULL DEFAULT 0);\n\
CREATE INDEX orders_user ON orders (user_id);\n";

fn desired(tmp: &TempDir, name: &str, sql: &str, dev: Option<&str>) -> SchemaApplyBuilder {
    let file = tmp.write(name, sql);
    let builder = SchemaApply::builder().to(Source::file(file));
    match dev {
        Some(dev) => builder.dev_url(dev),
        None => builder,
    }
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

const APPLY: FleetSchemaOptions = FleetSchemaOptions {
    dry_run: false,
    override_review: false,
};

fn states(report: &FleetSchemaReport, state: TenantState) -> Vec<&str> {
    report
        .tenants
        .iter()
        .filter(|t| t.status == state)
        .map(|t| t.tenant.as_str())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_schemas_planned_once_per_state() {
    let Some(db) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    let Some(dev) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    let tmp = TempDir::new();
    let create: String = (0..TENANTS)
        .map(|i| format!("CREATE SCHEMA t{i:03};"))
        .collect();
    db.exec(&create).await;

    // Every tenant is empty: one state, one plan, applied everywhere.
    let v1 = desired(&tmp, "v1.sql", V1, Some(&dev.url));
    let report = fleet(&db, 0, OnError::Stop)
        .await
        .schema_apply(&v1, APPLY)
        .await
        .unwrap();
    assert!(report.is_success(), "{:?}", report.stopped);
    assert_eq!(report.groups.len(), 1);
    assert_eq!(report.groups[0].tenants.len(), TENANTS);
    assert_eq!(report.inspect_passes, 1);
    assert_eq!(states(&report, TenantState::Applied).len(), TENANTS);

    // Nothing left to do: nothing is locked or written.
    let report = fleet(&db, 0, OnError::Stop)
        .await
        .schema_apply(&v1, APPLY)
        .await
        .unwrap();
    assert_eq!(states(&report, TenantState::UpToDate).len(), TENANTS);
    assert!(report.groups[0].statements.is_empty());

    // t003's rows break the unique index v2 adds: it fails inside the canary stage.
    db.exec("INSERT INTO t003.users (email) VALUES ('a@x'), ('a@x')")
        .await;
    let v2 = desired(&tmp, "v2.sql", V2, Some(&dev.url));
    let report = fleet(&db, 10, OnError::Stop)
        .await
        .schema_apply(&v2, APPLY)
        .await
        .unwrap();
    assert_eq!(
        states(&report, TenantState::Failed),
        ["t003"],
        "{:?}",
        report.tenants[0].error
    );
    let error = report.tenants[3].error.as_deref().unwrap_or_default();
    assert!(
        error.contains("users_email") || error.contains("pre-flight"),
        "{error}"
    );
    assert_eq!(states(&report, TenantState::Skipped).len(), TENANTS - 10);
    assert!(
        report
            .stopped
            .as_deref()
            .unwrap_or_default()
            .contains("canary tenant t003")
    );

    // Continue: everyone else reaches v2; the canary tenants done before are left alone.
    let report = fleet(&db, 0, OnError::Continue)
        .await
        .schema_apply(&v2, APPLY)
        .await
        .unwrap();
    assert_eq!(states(&report, TenantState::Failed), ["t003"]);
    assert_eq!(states(&report, TenantState::UpToDate).len(), 9);
    assert_eq!(states(&report, TenantState::Applied).len(), TENANTS - 10);

    // Fixed by hand, the rerun applies only t003.
    db.exec("DELETE FROM t003.users WHERE id = (SELECT max(id) FROM t003.users)")
        .await;
    let report = fleet(&db, 0, OnError::Stop)
        .await
        .schema_apply(&v2, APPLY)
        .await
        .unwrap();
    assert!(report.is_success(), "{:?}", report.stopped);
    assert_eq!(states(&report, TenantState::Applied), ["t003"]);
    assert_eq!(states(&report, TenantState::UpToDate).len(), TENANTS - 1);

    // Drift by hand in t005: a dry run shows its own plan and changes nothing.
    db.exec("ALTER TABLE t005.orders ADD COLUMN note text")
        .await;
    let dry = FleetSchemaOptions {
        dry_run: true,
        ..APPLY
    };
    let report = fleet(&db, 0, OnError::Stop)
        .await
        .schema_apply(&v2, dry)
        .await
        .unwrap();
    assert_eq!(report.groups.len(), 2);
    assert_eq!(report.groups[1].tenants, ["t005"]);
    assert!(
        report.groups[1]
            .statements
            .iter()
            .any(|s| s.contains("note")),
        "{:?}",
        report.groups[1].statements
    );
    assert_eq!(states(&report, TenantState::Planned), ["t005"]);
    let still = fleet(&db, 0, OnError::Stop)
        .await
        .schema_apply(&v2, dry)
        .await
        .unwrap();
    assert_eq!(still.groups.len(), 2, "a dry run applied something");

    // The review gate: dropping the column is destructive, so nothing runs without
    // --override-review, and everything does with it.
    let report = fleet(&db, 0, OnError::Stop)
        .await
        .schema_apply(&v2, APPLY)
        .await
        .unwrap();
    assert!(report.groups[1].needs_review, "{:?}", report.groups[1]);
    assert!(
        report
            .stopped
            .as_deref()
            .unwrap_or_default()
            .contains("review policy"),
        "{:?}",
        report.stopped
    );
    assert_eq!(states(&report, TenantState::Skipped).len(), TENANTS);
    let overridden = FleetSchemaOptions {
        override_review: true,
        ..APPLY
    };
    let report = fleet(&db, 0, OnError::Stop)
        .await
        .schema_apply(&v2, overridden)
        .await
        .unwrap();
    assert_eq!(states(&report, TenantState::Applied), ["t005"]);
}

const MYSQL_V1: &str = "CREATE TABLE users (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, email varchar(255) NOT NULL);\n";
const MYSQL_V2: &str = "CREATE TABLE users (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, email varchar(255) NOT NULL);\n\
CREATE UNIQUE INDEX users_email ON users (email);\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mariadb_databases_listed_by_url() {
    let mut dbs = Vec::new();
    for _ in 0..24 {
        let Some(db) = ServerDb::create(Server::Mysql).await else {
            return;
        };
        dbs.push(db);
    }
    let Some(dev) = ServerDb::create(Server::Mysql).await else {
        return;
    };
    let tmp = TempDir::new();
    let urls: Vec<String> = dbs.iter().map(|d| d.url.clone()).collect();
    let build = |canary: usize, on_error: OnError| {
        Fleet::from_urls(urls.clone())
            .parallel(4)
            .canary(canary)
            .on_error(on_error)
            .build()
    };
    // The URLs differ only in the database: one template, one connection per worker.
    let fleet = build(0, OnError::Stop).await.unwrap();
    assert_eq!(fleet.template().reach(), Reach::MysqlDatabase);
    assert_eq!(fleet.tenants()[2], dbs[2].name);

    // The versioned workflow over the list.
    let mut dir = MigrationDir::default();
    dir.add_file(MigrationFile::new("1_users.sql", MYSQL_V1))
        .unwrap();
    let report = fleet.apply(&Migrator::builder(dir)).await.unwrap();
    assert!(report.is_success(), "{:?}", report.failed().next());

    // The declarative one: duplicates in one database fail it at the canary stage.
    dbs[1]
        .exec("INSERT INTO users (email) VALUES ('a@x'), ('a@x')")
        .await;
    let v2 = desired(&tmp, "v2.sql", MYSQL_V2, Some(&dev.url));
    let report = build(4, OnError::Stop)
        .await
        .unwrap()
        .schema_apply(&v2, APPLY)
        .await
        .unwrap();
    assert_eq!(states(&report, TenantState::Failed), [dbs[1].name.as_str()]);
    assert_eq!(states(&report, TenantState::Skipped).len(), 20);

    let report = build(0, OnError::Continue)
        .await
        .unwrap()
        .schema_apply(&v2, APPLY)
        .await
        .unwrap();
    assert_eq!(states(&report, TenantState::Failed), [dbs[1].name.as_str()]);
    assert_eq!(states(&report, TenantState::Applied).len(), 20);

    dbs[1]
        .exec("DELETE FROM users WHERE id = (SELECT m FROM (SELECT max(id) AS m FROM users) x)")
        .await;
    let report = build(0, OnError::Stop)
        .await
        .unwrap()
        .schema_apply(&v2, APPLY)
        .await
        .unwrap();
    assert!(report.is_success(), "{:?}", report.stopped);
    assert_eq!(
        states(&report, TenantState::Applied),
        [dbs[1].name.as_str()]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_databases_listed_by_url() {
    let mut dbs = Vec::new();
    for _ in 0..3 {
        let Some(db) = ServerDb::create(Server::Postgres).await else {
            return;
        };
        dbs.push(db);
    }
    let Some(dev) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    let tmp = TempDir::new();
    let urls: Vec<String> = dbs.iter().map(|d| d.url.clone()).collect();
    let fleet = Fleet::from_urls(urls).parallel(2).build().await.unwrap();
    assert_eq!(fleet.template().reach(), Reach::Connect);
    let names: Vec<&str> = dbs.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(fleet.tenants(), names);

    let v1 = desired(&tmp, "v1.sql", V1, Some(&dev.url));
    let report = fleet.schema_apply(&v1, APPLY).await.unwrap();
    assert!(report.is_success(), "{:?}", report.tenants);
    assert_eq!(states(&report, TenantState::Applied).len(), 3);
    assert_eq!(report.inspect_passes, 0);
    let report = fleet.schema_apply(&v1, APPLY).await.unwrap();
    assert_eq!(states(&report, TenantState::UpToDate).len(), 3);
}

#[tokio::test]
async fn sqlite_files_listed_by_url() {
    let tmp = TempDir::new();
    let urls: Vec<String> = ["acme", "globex", "initech"]
        .iter()
        .map(|n| tmp.sqlite_url(&format!("{n}.db")))
        .collect();
    let fleet = Fleet::from_urls(urls).parallel(2).build().await.unwrap();
    assert_eq!(fleet.tenants(), ["acme", "globex", "initech"]);
    let v1 = desired(
        &tmp,
        "schema.sql",
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\n",
        None,
    );
    let report = fleet.schema_apply(&v1, APPLY).await.unwrap();
    assert!(report.is_success(), "{:?}", report.tenants);
    assert_eq!(states(&report, TenantState::Applied).len(), 3);
    let report = fleet.schema_apply(&v1, APPLY).await.unwrap();
    assert_eq!(states(&report, TenantState::UpToDate).len(), 3);
    // A tenant set given both ways is refused.
    let err = Fleet::from_urls(vec![tmp.sqlite_url("a.db"), tmp.sqlite_url("b.db")])
        .tenants(Tenants::List(vec!["a".into()]))
        .build()
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("names its tenants itself"), "{err}");
}
