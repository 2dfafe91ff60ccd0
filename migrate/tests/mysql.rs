//! End-to-end tests on MySQL / MariaDB (skipped when the server is unreachable, unless
//! `MERCATOR_REQUIRE_SERVERS=1`).

use mercator_testkit as common;

use common::{Server, ServerDb, TempDir};
use mercator_migrate::{MigrateError, PlannedMigration, SchemaApply, Source, inspect};

async fn plan_apply(
    url: &str,
    to: Source,
    dev_url: &str,
) -> Result<PlannedMigration, MigrateError> {
    let apply = SchemaApply::builder()
        .url(url)
        .to(to)
        .dev_url(dev_url)
        .build()
        .await?;
    let planned = apply.plan().await?;
    apply.apply(&planned).await?;
    apply.close().await?;
    Ok(planned)
}

#[tokio::test]
async fn multi_file_project_applies_then_is_synced() {
    let Some(target) = ServerDb::create(Server::Mysql).await else {
        return;
    };
    let Some(dev) = ServerDb::create(Server::Mysql).await else {
        return;
    };
    let dir = TempDir::new();
    dir.write(
        "schema/orders.sql",
        "-- atlas:import users.sql\n\nCREATE TABLE orders (\n  id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,\n  user_id int NOT NULL,\n  total decimal(10,2) NOT NULL DEFAULT 0,\n  KEY orders_user_idx (user_id),\n  CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id)\n);\n",
    );
    dir.write(
        "schema/users.sql",
        "CREATE TABLE users (\n  id int NOT NULL AUTO_INCREMENT PRIMARY KEY,\n  email varchar(255) NOT NULL,\n  UNIQUE KEY users_email (email)\n);\n",
    );
    let source = Source::file(dir.path().join("schema"));
    let url = target.url.replacen("mysql://", "maria://", 1);
    let outcome = async {
        let first = plan_apply(&url, source.clone(), &dev.url).await?;
        let second = plan_apply(&url, source.clone(), &dev.url).await?;
        let realm = inspect(&target.url, &[]).await?;
        Ok::<_, MigrateError>((first, second, realm))
    }
    .await;
    target.drop_db().await;
    dev.drop_db().await;
    let (first, second, realm) = outcome.unwrap();
    let sql = first.plan.to_sql();
    assert_eq!(first.changes.len(), 2, "{sql}");
    assert!(
        !sql.contains(&target.name) && !sql.contains(&dev.name),
        "{sql}"
    );
    assert!(second.is_empty(), "{}", second.plan.to_sql());
    assert_eq!(realm.table_count(), 2);
}

#[tokio::test]
async fn statement_error_names_file_and_line() {
    let Some(target) = ServerDb::create(Server::Mysql).await else {
        return;
    };
    let Some(dev) = ServerDb::create(Server::Mysql).await else {
        return;
    };
    let dir = TempDir::new();
    let schema = dir.write(
        "schema.sql",
        "CREATE TABLE a (id int PRIMARY KEY);\n\n\nCREATE TABLE b (id int, FOREIGN KEY (id) REFERENCES missing (id));\n",
    );
    let err = plan_apply(&target.url, Source::file(&schema), &dev.url)
        .await
        .err();
    let realm = inspect(&target.url, &[]).await;
    target.drop_db().await;
    dev.drop_db().await;
    let text = err.expect("must fail").to_string();
    assert!(text.contains("schema.sql:4: "), "{text}");
    assert_eq!(text.lines().count(), 1);
    assert_eq!(realm.unwrap().table_count(), 0, "target untouched");
}

/// The first column of the first row `sql` returns.
async fn scalar(url: &str, sql: &str) -> Option<String> {
    let driver = mercator_migrate::open(url).await.ok()?;
    let mut session = driver.session().await.ok()?;
    let rows = session.query(sql).await.ok()?;
    rows.scalar().map(str::to_owned)
}

#[tokio::test]
async fn rename_directives_in_the_desired_sql_keep_the_data() {
    let Some(target) = ServerDb::create(Server::Mysql).await else {
        return;
    };
    let Some(dev) = ServerDb::create(Server::Mysql).await else {
        return;
    };
    target
        .exec("CREATE TABLE people (id int NOT NULL PRIMARY KEY, mail varchar(255) NOT NULL); INSERT INTO people VALUES (1, 'a@x');")
        .await;
    let v2 = Source::sql(
        "schema.sql",
        "# mercator:renamed-from people\nCREATE TABLE users (\n  id int NOT NULL PRIMARY KEY,\n  email varchar(255) NOT NULL -- mercator:renamed-from mail\n);\n",
    );
    let url = target.url.replacen("mysql://", "maria://", 1);
    let outcome = async {
        let first = plan_apply(&url, v2.clone(), &dev.url).await?;
        let second = plan_apply(&url, v2.clone(), &dev.url).await?;
        let email = scalar(&target.url, "SELECT email FROM users WHERE id = 1").await;
        Ok::<_, MigrateError>((first, second, email))
    }
    .await;
    target.drop_db().await;
    dev.drop_db().await;
    let (first, second, email) = outcome.unwrap();
    let sql = first.plan.to_sql();
    assert!(sql.contains("RENAME") && !sql.contains("DROP"), "{sql}");
    assert!(second.is_empty(), "{}", second.plan.to_sql());
    assert_eq!(email.as_deref(), Some("a@x"));
}
