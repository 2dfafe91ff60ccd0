//! End-to-end tests on PostgreSQL (skipped when the server is unreachable, unless
//! `MERCATOR_REQUIRE_SERVERS=1`).

use mercator_testkit as common;

use std::path::PathBuf;

use common::{Server, ServerDb, TempDir};
use mercator_migrate::{MigrateError, SchemaApply, Source};
use schema_diff::{Change, ObjectKind};

async fn plan_apply(
    url: &str,
    to: Source,
    dev_url: &str,
) -> Result<mercator_migrate::PlannedMigration, MigrateError> {
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

fn kinds(changes: &[Change]) -> Vec<ObjectKind> {
    let mut kinds: Vec<_> = changes.iter().map(Change::kind).collect();
    kinds.sort();
    kinds
}

#[tokio::test]
async fn multi_file_project_applies_then_is_synced() {
    let Some(target) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    let Some(dev) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    let dir = TempDir::new();
    dir.write(
        "schema/main.sql",
        "-- atlas:import tables/\n\nCREATE VIEW active_users AS SELECT id, email FROM app.users WHERE active;\n",
    );
    dir.write(
        "schema/tables/users.sql",
        "-- atlas:import ../schema.sql\n\nCREATE TABLE app.users (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  email text NOT NULL UNIQUE,\n  active boolean NOT NULL DEFAULT true\n);\n",
    );
    dir.write(
        "schema/tables/orders.sql",
        "-- atlas:import users.sql\n\nCREATE TABLE app.orders (\n  id bigserial PRIMARY KEY,\n  user_id bigint NOT NULL REFERENCES app.users (id),\n  total numeric(10,2) NOT NULL CHECK (total >= 0)\n);\nCREATE INDEX orders_user_idx ON app.orders (user_id);\n",
    );
    dir.write("schema/schema.sql", "CREATE SCHEMA app;\n");

    let source = Source::file(dir.path().join("schema/main.sql"));
    let outcome = async {
        let first = plan_apply(&target.url, source.clone(), &dev.url).await?;
        let second = plan_apply(&target.url, source.clone(), &dev.url).await?;
        Ok::<_, MigrateError>((first, second))
    }
    .await;
    target.drop_db().await;
    dev.drop_db().await;
    let (first, second) = outcome.unwrap();
    let sql = first.plan.to_sql();
    assert!(sql.contains("CREATE SCHEMA"), "{sql}");
    assert!(
        sql.contains("\"app\".\"orders\""),
        "unbound plans qualify names: {sql}"
    );
    assert!(second.is_empty(), "{}", second.plan.to_sql());
}

#[tokio::test]
async fn bound_target_renders_unqualified() {
    let Some(target) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    let Some(dev) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    target.exec("CREATE SCHEMA shop").await;
    let dir = TempDir::new();
    let schema = dir.write(
        "schema.sql",
        "CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL);\n",
    );
    let url = format!("{}?search_path=shop", target.url);
    let outcome = async {
        let first = plan_apply(&url, Source::file(&schema), &dev.url).await?;
        let second = plan_apply(&url, Source::file(&schema), &dev.url).await?;
        Ok::<_, MigrateError>((first, second))
    }
    .await;
    target.drop_db().await;
    dev.drop_db().await;
    let (first, second) = outcome.unwrap();
    let sql = first.plan.to_sql();
    assert!(sql.contains("CREATE TABLE \"items\""), "{sql}");
    assert!(
        !sql.contains("\"shop\"") && !sql.contains("\"public\""),
        "{sql}"
    );
    assert!(second.is_empty(), "{}", second.plan.to_sql());
}

#[tokio::test]
async fn statement_error_names_file_and_line() {
    let Some(target) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    let Some(dev) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    let dir = TempDir::new();
    let schema = dir.write(
        "schema.sql",
        "CREATE TABLE a (id int PRIMARY KEY);\n\nCREATE TABLE b (id int REFERENCES missing (id));\n",
    );
    let err = plan_apply(&target.url, Source::file(&schema), &dev.url)
        .await
        .err();
    // The dev database must be usable again (reset after the failure).
    let again = plan_apply(
        &target.url,
        Source::file(dir.write("ok.sql", "CREATE TABLE ok (id int);\n")),
        &dev.url,
    )
    .await;
    target.drop_db().await;
    dev.drop_db().await;
    let err = err.expect("must fail");
    let text = err.to_string();
    assert!(text.contains("schema.sql:3: "), "{text}");
    assert!(text.contains("missing"), "{text}");
    assert_eq!(text.lines().count(), 1);
    assert_eq!(again.unwrap().changes.len(), 1);
}

/// The import-seed conformance case: see /work/shared/conformance/import-seed/EXPECTED.md.
#[tokio::test]
async fn conformance_import_seed() {
    let case = conformance_dir().join("import-seed");
    let main = case.join("main.sql");
    if !main.exists() {
        eprintln!("skipping: {} not found", main.display());
        return;
    }
    let project = sqlimport::load(&main, sqlimport::DialectKind::Postgres).unwrap();
    let common_loads = project
        .statements
        .iter()
        .filter(|s| s.sql.contains("CREATE SCHEMA common"))
        .count();
    assert_eq!(common_loads, 1, "common.sql must be loaded once");

    let Some(target) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    let Some(dev) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    let outcome = async {
        let first = plan_apply(&target.url, Source::file(&main), &dev.url).await?;
        let second = plan_apply(&target.url, Source::file(&main), &dev.url).await?;
        Ok::<_, MigrateError>((first, second))
    }
    .await;
    target.drop_db().await;
    dev.drop_db().await;
    let (first, second) = outcome.unwrap();
    let found = kinds(&first.changes);
    let count = |kind| found.iter().filter(|k| **k == kind).count();
    assert_eq!(first.changes.len(), 6, "{}", first.plan.to_sql());
    assert_eq!(count(ObjectKind::Schema), 3, "{}", first.plan.to_sql());
    assert_eq!(count(ObjectKind::Domain), 1, "{}", first.plan.to_sql());
    assert_eq!(count(ObjectKind::Table), 2, "{}", first.plan.to_sql());
    assert!(second.is_empty(), "{}", second.plan.to_sql());
}

fn conformance_dir() -> PathBuf {
    std::env::var_os("MERCATOR_CONFORMANCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance")
        })
}

#[tokio::test]
async fn drift_is_refused_and_lock_is_released() {
    let Some(target) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    let Some(dev) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    let dir = TempDir::new();
    let schema = dir.write("schema.sql", "CREATE TABLE t (id int PRIMARY KEY);\n");
    let outcome = async {
        let apply = SchemaApply::builder()
            .url(&target.url)
            .to(Source::file(&schema))
            .dev_url(&dev.url)
            .build()
            .await?;
        let planned = apply.plan().await?;
        target.exec("CREATE TABLE intruder (id int)").await;
        let refused = apply.apply(&planned).await;
        // The lock was released: a fresh plan applies.
        let replanned = apply.plan().await?;
        apply.apply(&replanned).await?;
        let after = apply.plan().await?;
        apply.close().await?;
        Ok::<_, MigrateError>((refused, replanned, after))
    }
    .await;
    target.drop_db().await;
    dev.drop_db().await;
    let (refused, replanned, after) = outcome.unwrap();
    assert!(
        matches!(refused, Err(MigrateError::Drift { .. })),
        "{refused:?}"
    );
    // The intruder is not in the desired schema, so the new plan drops it.
    assert!(
        replanned.plan.to_sql().contains("intruder"),
        "{}",
        replanned.plan.to_sql()
    );
    assert!(after.is_empty(), "{}", after.plan.to_sql());
}

#[tokio::test]
async fn inspecting_a_whole_database_prints_sql_a_fresh_database_loads() {
    let Some((source, copy)) = ServerDb::pair(Server::Postgres).await else {
        return;
    };
    source
        .exec("CREATE SCHEMA app; CREATE TABLE app.t (id int PRIMARY KEY); CREATE TABLE public.u (id int)")
        .await;
    let sql = mercator_migrate::inspect_as(&source.url, &[], mercator_migrate::InspectFormat::Sql)
        .await
        .expect("inspect");
    assert!(!sql.contains("CREATE SCHEMA \"public\""), "{sql}");
    assert!(sql.contains("CREATE SCHEMA \"app\""), "{sql}");
    copy.exec(&sql).await;
    let original = mercator_migrate::inspect(&source.url, &[])
        .await
        .expect("inspect");
    let loaded = mercator_migrate::inspect(&copy.url, &[])
        .await
        .expect("inspect");
    assert_eq!(
        schema_model::fingerprint(&original).expect("fingerprint"),
        schema_model::fingerprint(&loaded).expect("fingerprint")
    );
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
    let Some(target) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    let Some(dev) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    target
        .exec(
            "CREATE TABLE people (id int PRIMARY KEY, mail text NOT NULL);
             CREATE INDEX people_mail_idx ON people (mail);
             CREATE TABLE orders (id int PRIMARY KEY, person_id int REFERENCES people (id));
             INSERT INTO people VALUES (1, 'a@x'); INSERT INTO orders VALUES (10, 1);",
        )
        .await;
    let v2 = Source::sql(
        "schema.sql",
        "-- mercator:renamed-from people\nCREATE TABLE users (\n  id int PRIMARY KEY,\n  -- mercator:renamed-from mail\n  email text NOT NULL\n);\n\
         CREATE INDEX people_mail_idx ON users (email);\n\
         CREATE TABLE orders (id int PRIMARY KEY, person_id int REFERENCES users (id));\n",
    );
    let outcome = async {
        let first = plan_apply(&target.url, v2.clone(), &dev.url).await?;
        let second = plan_apply(&target.url, v2.clone(), &dev.url).await?;
        let email = scalar(&target.url, "SELECT email FROM users WHERE id = 1").await;
        Ok::<_, MigrateError>((first, second, email))
    }
    .await;
    target.drop_db().await;
    dev.drop_db().await;
    let (first, second, email) = outcome.unwrap();
    let sql = first.plan.to_sql();
    assert!(sql.contains("RENAME TO \"users\""), "{sql}");
    assert!(sql.contains("RENAME COLUMN \"mail\" TO \"email\""), "{sql}");
    // PostgreSQL keeps the key's old name: it is renamed in place. The index follows the
    // column and the foreign key in `orders` follows the table, so neither is rebuilt.
    assert!(
        sql.contains("RENAME CONSTRAINT \"people_pkey\" TO \"users_pkey\""),
        "{sql}"
    );
    for rebuilt in ["DROP", "ADD", "CREATE"] {
        assert!(!sql.contains(rebuilt), "{rebuilt} in {sql}");
    }
    assert!(second.is_empty(), "{}", second.plan.to_sql());
    assert_eq!(email.as_deref(), Some("a@x"));
}
