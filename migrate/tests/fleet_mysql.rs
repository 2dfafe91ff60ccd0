//! A fleet of 24 MySQL/MariaDB databases reached through one connection per worker
//! (`USE`): apply with a canary, stop and continue, a rerun after a fix, and drift. The
//! databases are dropped even when the test fails.

use mercator_migrate::dir::{MigrationDir, MigrationFile};
use mercator_migrate::fleet::{Fleet, OnError, Reach, TenantState, Tenants};
use mercator_migrate::{Migrator, MigratorBuilder};
use mercator_testkit::{Server, ServerDb, mysql_url, url_for};

const TENANTS: usize = 24;

const USERS: &str = "CREATE TABLE users (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, email varchar(255) NOT NULL);\nCREATE UNIQUE INDEX users_email ON users (email);\n";
const ORDERS: &str = "CREATE TABLE orders (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, user_id bigint NOT NULL, CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id));\nCREATE INDEX orders_user ON orders (user_id);\n";

fn builder(files: &[(&str, &str)]) -> MigratorBuilder {
    let mut dir = MigrationDir::default();
    for (name, sql) in files {
        dir.add_file(MigrationFile::new(*name, *sql)).unwrap();
    }
    Migrator::builder(dir)
}

async fn fleet(names: &[String], canary: usize, on_error: OnError) -> Fleet {
    let fleet = Fleet::builder(url_for(&mysql_url(), "{tenant}"))
        .tenants(Tenants::List(names.to_vec()))
        .parallel(4)
        .canary(canary)
        .on_error(on_error)
        .build()
        .await
        .unwrap();
    assert_eq!(fleet.template().reach(), Reach::MysqlDatabase);
    fleet
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_dozen_databases() {
    let mut dbs = Vec::new();
    for _ in 0..TENANTS {
        let Some(db) = ServerDb::create(Server::Mysql).await else {
            return;
        };
        dbs.push(db);
    }
    let names: Vec<String> = dbs.iter().map(|d| d.name.clone()).collect();

    let v1 = builder(&[("1_users.sql", USERS)]);
    let report = fleet(&names, 0, OnError::Stop)
        .await
        .apply(&v1)
        .await
        .unwrap();
    assert!(report.is_success(), "{:?}", report.failed().next());
    assert_eq!(report.count(TenantState::Applied), TENANTS);

    dbs[1].exec("CREATE TABLE orders (x int)").await;
    let v2 = builder(&[("1_users.sql", USERS), ("2_orders.sql", ORDERS)]);
    let report = fleet(&names, 4, OnError::Stop)
        .await
        .apply(&v2)
        .await
        .unwrap();
    let failed: Vec<_> = report.failed().map(|t| t.tenant.clone()).collect();
    assert_eq!(failed, [names[1].clone()]);
    let error = report.tenants[1].error.as_deref().unwrap_or_default();
    assert!(
        error.contains("orders") && error.contains("already exists"),
        "{error}"
    );
    assert!(
        report.tenants[4..]
            .iter()
            .all(|t| t.status == TenantState::Skipped)
    );

    let report = fleet(&names, 0, OnError::Continue)
        .await
        .apply(&v2)
        .await
        .unwrap();
    assert_eq!(report.failed().count(), 1);
    assert_eq!(
        report.count(TenantState::Applied) + report.count(TenantState::UpToDate),
        TENANTS - 1
    );

    dbs[1].exec("DROP TABLE orders").await;
    let report = fleet(&names, 0, OnError::Stop)
        .await
        .apply(&v2)
        .await
        .unwrap();
    assert!(report.is_success(), "{:?}", report.failed().next());
    let applied: Vec<_> = report
        .tenants
        .iter()
        .filter(|t| t.status == TenantState::Applied)
        .map(|t| t.tenant.clone())
        .collect();
    assert_eq!(applied, [names[1].clone()]);

    let status = fleet(&names, 0, OnError::Stop)
        .await
        .status(&v2)
        .await
        .unwrap();
    assert_eq!(status.summary, format!("{TENANTS} identical, 0 differ"));
    dbs[5]
        .exec("CREATE INDEX users_extra ON users (email, id)")
        .await;
    dbs[9].exec("ALTER TABLE orders ADD COLUMN note text").await;
    dbs[20].exec("DROP INDEX users_email ON users").await;
    let status = fleet(&names, 0, OnError::Stop)
        .await
        .status(&v2)
        .await
        .unwrap();
    assert!(
        status.summary.starts_with("21 identical, 3 differ"),
        "{}",
        status.summary
    );
    let drifted: Vec<_> = status
        .drifted()
        .map(|t| (t.tenant.clone(), t.differences.join(", ")))
        .collect();
    assert_eq!(
        drifted,
        [
            (
                names[5].clone(),
                "has an extra index users_extra on users".to_owned()
            ),
            (
                names[9].clone(),
                "has an extra column orders.note".to_owned()
            ),
            (
                names[20].clone(),
                "lacks index users_email on users".to_owned()
            ),
        ]
    );
    for db in &dbs {
        db.drop_db().await;
    }
}
