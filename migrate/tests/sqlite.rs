//! End-to-end tests of the workflows on SQLite files.

use mercator_testkit as common;

use common::TempDir;
use mercator_driver::DriverExt;
use mercator_migrate::{
    InspectFormat, MigrateError, SchemaApply, Source, inspect, inspect_as, open, schema_diff,
};
use schema_model::fingerprint;

const USERS: &str =
    "CREATE TABLE users (\n  id INTEGER PRIMARY KEY,\n  email TEXT NOT NULL UNIQUE\n);\n";
const POSTS: &str = "CREATE TABLE posts (\n  id INTEGER PRIMARY KEY,\n  user_id INTEGER NOT NULL REFERENCES users (id),\n  title TEXT NOT NULL DEFAULT ''\n);\nCREATE INDEX posts_user_idx ON posts (user_id);\n";

async fn apply_to(url: &str, source: Source) -> Result<usize, MigrateError> {
    let apply = SchemaApply::builder().url(url).to(source).build().await?;
    let planned = apply.plan().await?;
    apply.apply(&planned).await?;
    apply.close().await?;
    Ok(planned.changes.len())
}

#[tokio::test]
async fn apply_project_then_second_run_is_empty() {
    let dir = TempDir::new();
    // Files are named so that lexical order would be wrong: the import order must win.
    dir.write("schema/a_posts.sql", POSTS);
    dir.write("schema/b_users.sql", USERS);
    let url = dir.sqlite_url("app.db");

    let apply = SchemaApply::builder()
        .url(&url)
        .to(Source::file(dir.path().join("schema")))
        .build()
        .await
        .unwrap();
    let planned = apply.plan().await.unwrap();
    let sql = planned.plan.to_sql();
    assert!(sql.contains("-- Create \"users\" table"), "{sql}");
    assert!(
        sql.find("\"users\" table") < sql.find("\"posts\" table"),
        "{sql}"
    );
    assert!(
        !sql.contains("\"main\"."),
        "bound plans are unqualified: {sql}"
    );
    apply.apply(&planned).await.unwrap();

    let again = apply.plan().await.unwrap();
    assert!(again.is_empty(), "{}", again.plan.to_sql());
    assert_eq!(again.from_fingerprint, planned.to_fingerprint);
    apply.close().await.unwrap();

    let realm = inspect(&url, &[]).await.unwrap();
    assert_eq!(realm.table_count(), 2);
}

#[tokio::test]
async fn drift_between_plan_and_apply_is_refused() {
    let dir = TempDir::new();
    let schema = dir.write("schema.sql", USERS);
    let url = dir.sqlite_url("app.db");

    let apply = SchemaApply::builder()
        .url(&url)
        .to(Source::file(&schema))
        .build()
        .await
        .unwrap();
    let planned = apply.plan().await.unwrap();

    let other = open(&url).await.unwrap();
    other
        .execute(&["CREATE TABLE intruder (id INTEGER)".to_owned()])
        .await
        .unwrap();
    other.close().await.unwrap();

    let err = apply.apply(&planned).await.unwrap_err();
    assert!(matches!(err, MigrateError::Drift { .. }), "{err}");
    assert!(err.to_string().contains("plan again"));
    apply.close().await.unwrap();

    let realm = inspect(&url, &[]).await.unwrap();
    let names: Vec<_> = realm.schemas[0]
        .tables
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(names, ["intruder"], "the plan must not have run");
}

#[tokio::test]
async fn failing_statement_is_located_and_database_untouched() {
    let dir = TempDir::new();
    let url = dir.sqlite_url("app.db");
    apply_to(&url, Source::file(dir.write("v1.sql", USERS)))
        .await
        .unwrap();
    let before = std::fs::read(dir.path().join("app.db")).unwrap();
    let fingerprint_before = fingerprint(&inspect(&url, &[]).await.unwrap()).unwrap();

    dir.write("broken/users.sql", USERS);
    let bad = dir.write(
        "broken/z_posts.sql",
        "-- posts\n\nCREATE TABLE posts (id INTEGER PRIMARY KEY);\n\nCREATE INDEX oops_idx ON missing_table (id);\n",
    );
    let err = apply_to(&url, Source::file(dir.path().join("broken")))
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, MigrateError::Statement { line: 5, .. }),
        "{text}"
    );
    assert!(
        text.starts_with(&format!("{}:5: ", bad.display())),
        "{text}"
    );
    assert!(text.contains("missing_table"), "{text}");
    assert!(bad.exists());
    assert_eq!(text.lines().count(), 1);

    assert_eq!(std::fs::read(dir.path().join("app.db")).unwrap(), before);
    assert_eq!(
        fingerprint(&inspect(&url, &[]).await.unwrap()).unwrap(),
        fingerprint_before
    );
}

#[tokio::test]
async fn missing_file_is_a_clear_error() {
    let dir = TempDir::new();
    let err = apply_to(
        &dir.sqlite_url("app.db"),
        Source::file(dir.path().join("nope.sql")),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, MigrateError::Import(_)), "{err}");
    assert_eq!(err.to_string().lines().count(), 1);
}

#[tokio::test]
async fn database_source_and_diff() {
    let dir = TempDir::new();
    let a = dir.sqlite_url("a.db");
    let b = dir.sqlite_url("b.db");
    apply_to(&a, Source::file(dir.write("users.sql", USERS)))
        .await
        .unwrap();
    let both = dir.write("both.sql", &format!("{USERS}{POSTS}"));

    let planned = schema_diff(&Source::database(&a), &Source::file(&both), None)
        .await
        .unwrap();
    assert_eq!(planned.changes.len(), 1, "{}", planned.plan.to_sql());
    assert!(planned.plan.to_sql().contains("posts"));

    // A database can be the desired state of another.
    assert_eq!(apply_to(&b, Source::database(&a)).await.unwrap(), 1);
    let synced = schema_diff(&Source::database(&a), &Source::database(&b), None)
        .await
        .unwrap();
    assert!(synced.is_empty(), "{}", synced.plan.to_sql());
}

#[tokio::test]
async fn inspect_formats() {
    let dir = TempDir::new();
    let url = dir.sqlite_url("app.db");
    apply_to(
        &url,
        Source::file(dir.write("s.sql", &format!("{USERS}{POSTS}"))),
    )
    .await
    .unwrap();
    let sql = inspect_as(&url, &[], InspectFormat::Sql).await.unwrap();
    assert!(
        sql.contains("-- Create \"users\" table\nCREATE TABLE"),
        "{sql}"
    );
    let json = inspect_as(&url, &[], InspectFormat::Json).await.unwrap();
    assert!(json.contains("\"posts\""), "{json}");

    // The SQL written by inspect recreates the same schema.
    let copy = dir.sqlite_url("copy.db");
    apply_to(&copy, Source::file(dir.write("inspected.sql", &sql)))
        .await
        .unwrap();
    assert_eq!(
        fingerprint(&inspect(&url, &[]).await.unwrap()).unwrap(),
        fingerprint(&inspect(&copy, &[]).await.unwrap()).unwrap()
    );
}

#[tokio::test]
async fn url_errors_are_one_line_without_passwords() {
    for (url, expect) in [
        ("oracle://scott:tiger@db/x", "unknown URL scheme"),
        ("not a url", "invalid URL"),
        ("postgres://u:tiger@127.0.0.1:99999/db", "invalid URL"),
        ("postgres://u:tiger@127.0.0.1:1/db", "connect"),
    ] {
        let err = open(url).await.err().expect(url);
        let text = err.to_string();
        assert!(text.contains(expect), "{url}: {text}");
        assert!(!text.contains("tiger"), "{text}");
        assert_eq!(text.lines().count(), 1, "{text}");
    }
}

#[tokio::test]
async fn server_targets_need_a_dev_url_for_files() {
    let err = SchemaApply::builder()
        .url("postgres://u:tiger@127.0.0.1:1/db")
        .to(Source::file("schema.sql"))
        .build()
        .await
        .err()
        .unwrap();
    assert!(matches!(err, MigrateError::DevUrlRequired { .. }), "{err}");
    assert!(err.to_string().contains("--dev-url"));
}

#[tokio::test]
async fn sql_text_source_is_located_under_its_name() {
    let dir = TempDir::new();
    let url = dir.sqlite_url("app.db");
    let changes = apply_to(&url, Source::sql("embedded.sql", format!("{USERS}{POSTS}")))
        .await
        .unwrap();
    assert_eq!(changes, 2, "users and posts (with its index)");
    let err = apply_to(
        &url,
        Source::sql("embedded.sql", "CREATE INDEX i ON nowhere (x);"),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().starts_with("embedded.sql:1: "), "{err}");
}

#[tokio::test]
async fn file_url_is_not_a_database() {
    let dir = TempDir::new();
    let err = SchemaApply::builder()
        .url("file://schema.sql")
        .to(Source::file(dir.write("s.sql", USERS)))
        .build()
        .await
        .err()
        .unwrap();
    assert!(err.to_string().contains("expected a database URL"), "{err}");
}

/// A renamed column is offered as a rename; with the answer, the plan renames it and the
/// data stays. Without it, the plan drops and adds (and the data would be lost).
#[tokio::test]
async fn confirmed_rename_candidates_keep_the_data() {
    let dir = TempDir::new();
    let url = dir.sqlite_url("app.db");
    apply_to(
        &url,
        Source::sql(
            "v1.sql",
            "CREATE TABLE users (id INTEGER PRIMARY KEY, mail TEXT NOT NULL);\nCREATE TABLE old_logs (id INTEGER PRIMARY KEY, line TEXT);\n",
        ),
    )
    .await
    .unwrap();
    let driver = open(&url).await.unwrap();
    driver
        .execute(&[
            "INSERT INTO users (id, mail) VALUES (1, 'a@x')".to_owned(),
            "INSERT INTO old_logs VALUES (1, 'hello')".to_owned(),
        ])
        .await
        .unwrap();
    driver.close().await.unwrap();

    let v2 = Source::sql(
        "v2.sql",
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\nCREATE TABLE logs (id INTEGER PRIMARY KEY, line TEXT);\n",
    );
    let apply = SchemaApply::builder()
        .url(&url)
        .to(v2)
        .build()
        .await
        .unwrap();
    let planned = apply.plan().await.unwrap();
    let sql = planned.plan.to_sql();
    assert!(sql.contains("DROP"), "{sql}");
    let candidates = planned.rename_candidates();
    assert_eq!(candidates.len(), 2, "{candidates:?}");

    let apply = apply.with_renames(candidates);
    let planned = apply.plan().await.unwrap();
    let sql = planned.plan.to_sql();
    assert!(!sql.contains("DROP"), "{sql}");
    assert!(sql.contains("RENAME"), "{sql}");
    apply.apply(&planned).await.unwrap();
    assert!(apply.plan().await.unwrap().is_empty());
    apply.close().await.unwrap();

    let text = inspect_as(&url, &[], InspectFormat::Sql).await.unwrap();
    assert!(text.contains("email") && text.contains("logs"), "{text}");
    let conn = rusqlite::Connection::open(dir.path().join("app.db")).unwrap();
    let email: String = conn
        .query_row("SELECT email FROM users WHERE id = 1", [], |r| r.get(0))
        .unwrap();
    assert_eq!(email, "a@x");
    let line: String = conn
        .query_row("SELECT line FROM logs WHERE id = 1", [], |r| r.get(0))
        .unwrap();
    assert_eq!(line, "hello");
}

#[tokio::test]
async fn rename_directives_in_the_desired_sql_keep_the_data() {
    let dir = TempDir::new();
    let url = dir.sqlite_url("app.db");
    apply_to(
        &url,
        Source::sql(
            "v1.sql",
            "CREATE TABLE people (id INTEGER PRIMARY KEY, mail TEXT NOT NULL);\n",
        ),
    )
    .await
    .unwrap();
    let driver = open(&url).await.unwrap();
    driver
        .execute(&["INSERT INTO people (id, mail) VALUES (1, 'a@x')".to_owned()])
        .await
        .unwrap();
    driver.close().await.unwrap();

    dir.write(
        "schema/users.sql",
        "-- mercator:renamed-from people\nCREATE TABLE users (\n  id INTEGER PRIMARY KEY,\n  email TEXT NOT NULL -- mercator:renamed-from mail\n);\n",
    );
    let apply = SchemaApply::builder()
        .url(&url)
        .to(Source::file(dir.path().join("schema")))
        .build()
        .await
        .unwrap();
    let planned = apply.plan().await.unwrap();
    let sql = planned.plan.to_sql();
    assert!(sql.contains("RENAME") && !sql.contains("DROP"), "{sql}");
    assert!(
        planned.rename_candidates().is_empty(),
        "nothing left to ask"
    );
    apply.apply(&planned).await.unwrap();
    // Carried out: the directives are no-ops now, so the file can keep them.
    assert!(apply.plan().await.unwrap().is_empty());
    apply.close().await.unwrap();
    let conn = rusqlite::Connection::open(dir.path().join("app.db")).unwrap();
    let email: String = conn
        .query_row("SELECT email FROM users WHERE id = 1", [], |r| r.get(0))
        .unwrap();
    assert_eq!(email, "a@x");

    // A directive whose old name the database does not have, or whose new name is not in
    // the desired state, is an error located at the directive; nothing is planned.
    for (sql, line, says) in [
        (
            "CREATE TABLE users (\n  id INTEGER PRIMARY KEY,\n  email TEXT NOT NULL,\n  -- mercator:renamed-from phone\n  mobile TEXT\n);\n",
            4,
            "\"phone\" does not exist",
        ),
        (
            "CREATE TABLE users (\n  id INTEGER PRIMARY KEY,\n  email TEXT NOT NULL, -- mercator:renamed-from id\n  mobile TEXT -- mercator:renamed-from id\n);\n",
            4,
            "claim the same object",
        ),
    ] {
        dir.write("schema/users.sql", sql);
        let apply = SchemaApply::builder()
            .url(&url)
            .to(Source::file(dir.path().join("schema")))
            .build()
            .await
            .unwrap();
        let err = apply.plan().await.unwrap_err().to_string();
        apply.close().await.unwrap();
        let at = format!("{}:{line}: ", dir.path().join("schema/users.sql").display());
        assert!(err.starts_with(&at) && err.contains(says), "{err}");
    }
    // A directive next to something that is not a table or column: refused when read.
    dir.write(
        "schema/users.sql",
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\n-- mercator:renamed-from people_email\nCREATE INDEX users_email ON users (email);\n",
    );
    let err = SchemaApply::builder()
        .url(&url)
        .to(Source::file(dir.path().join("schema")))
        .build()
        .await
        .err()
        .expect("a misplaced directive")
        .to_string();
    assert!(err.starts_with("users.sql:2: "), "{err}");
}
