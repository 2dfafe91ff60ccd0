//! The review gate through the library: `PlannedMigration::lint`, `SchemaApply::lint` and
//! `run_reviewed` under each review policy.

use mercator_migrate::lint::ReviewSettings;
use mercator_migrate::{DialectKind, SchemaApply, Source};
use mercator_testkit::TempDir;
use schema_lint::ReviewPolicy;

/// The target's URL; the schema is created through Mercator itself.
fn target(tmp: &TempDir) -> String {
    format!("sqlite://{}", tmp.path().join("app.db").display())
}

async fn apply_to(url: &str, sql: &str, settings: ReviewSettings) -> SchemaApply {
    SchemaApply::builder()
        .url(url)
        .to(Source::sql("schema.sql", sql))
        .review(settings)
        .build()
        .await
        .expect("build")
}

const BASE: &str = "CREATE TABLE users (id integer PRIMARY KEY, email text);\nCREATE TABLE t1 (id integer PRIMARY KEY);";

#[tokio::test]
async fn planned_migrations_lint_and_the_gate_obeys_each_policy() {
    let tmp = TempDir::new();
    let url = target(&tmp);
    let setup = apply_to(&url, BASE, ReviewSettings::default()).await;
    let planned = setup.plan().await.expect("plan");
    setup.apply(&planned).await.expect("apply");
    setup.close().await.expect("close");

    // Toward an empty schema: DS102 for both tables, with a fix.
    let drop_all = apply_to(&url, "", ReviewSettings::default()).await;
    let planned = drop_all.plan().await.expect("plan");
    let report = planned.lint(DialectKind::Sqlite);
    let codes: Vec<_> = report.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["DS102", "DS102"]);
    assert!(report.diagnostics.iter().all(|d| d.fix.is_some()));
    assert!(report.has_errors());
    let review = drop_all
        .run_reviewed(|r| {
            assert!(r.needs_review);
            assert_eq!(r.policy, ReviewPolicy::Error);
            false
        })
        .await
        .expect("run");
    assert!(!review.applied);
    drop_all.close().await.expect("close");

    // (desired schema, [needs review under ERROR, WARNING, ALWAYS])
    let cases = [
        (
            format!("{BASE}\nCREATE TABLE extra (id integer PRIMARY KEY);"),
            [false, false, true],
        ),
        (
            format!("{BASE}\nCREATE UNIQUE INDEX users_email ON users (email);"),
            [false, true, true],
        ),
        (
            "CREATE TABLE users (id integer PRIMARY KEY, email text);".to_owned(),
            [true, true, true],
        ),
    ];
    for (desired, expected) in cases {
        for (policy, needs) in [
            ReviewPolicy::Error,
            ReviewPolicy::Warning,
            ReviewPolicy::Always,
        ]
        .into_iter()
        .zip(expected)
        {
            let apply = apply_to(&url, &desired, ReviewSettings::default().policy(policy)).await;
            let mut seen = None;
            let review = apply
                .run_reviewed(|r| {
                    seen = Some(r.needs_review);
                    false
                })
                .await
                .expect("run");
            assert_eq!(seen, Some(needs), "{policy:?}: {}", review.report.to_text());
            assert!(!review.applied);
            apply.close().await.expect("close");
        }
    }

    // Approved: applied.
    let apply = apply_to(
        &url,
        &format!("{BASE}\nCREATE TABLE extra (id integer PRIMARY KEY);"),
        ReviewSettings::default(),
    )
    .await;
    let review = apply.run_reviewed(|r| !r.needs_review).await.expect("run");
    assert!(review.applied);
    assert!(apply.plan().await.expect("plan").is_empty());
    apply.close().await.expect("close");
}
