//! Linting with scoped reads gives the schema a whole read gives: every statement of the
//! PostgreSQL squawk corpus (`docs/squawk-corpus/`, 50 risky and safe migrations written
//! for the squawk comparison: partitions, `CONCURRENTLY`, constraints `NOT VALID`, renames,
//! types, triggers) is linted with `verify_scoped_reads`, which reads the whole schema after
//! every narrowed read and fails on any difference.

use std::path::Path;

use mercator_migrate::dir::{MigrationDir, MigrationFile};
use mercator_migrate::lint::{LintSelection, MigrateLint};
use mercator_testkit::{Server, ServerDb};

fn corpus() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/squawk-corpus");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("the squawk corpus is part of the repository")
        .map(|e| e.expect("a readable corpus entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&p).expect("a readable corpus file");
            (name, text)
        })
        .collect();
    files.sort();
    files
}

#[tokio::test]
async fn scoped_reads_agree_with_whole_reads_on_the_squawk_corpus() {
    let Some(dev) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    let files = corpus();
    let (base, cases) = files.split_first().expect("00-base.sql and the cases");
    assert_eq!(base.0, "00-base.sql");
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let mut failures = Vec::new();
    for (name, sql) in cases {
        let mut dir = MigrationDir::default();
        dir.add_file(MigrationFile::new("1_base.sql", base.1.as_bytes().to_vec()))
            .unwrap();
        dir.add_file(MigrationFile::new(
            format!("2_{name}"),
            sql.as_bytes().to_vec(),
        ))
        .unwrap();
        let lint = MigrateLint::builder(dir)
            .selection(LintSelection::Latest(1))
            .dev_url(dev.url.clone())
            .no_cache()
            .verify_scoped_reads()
            .build()
            .unwrap();
        match lint.run().await {
            Ok(_) => {}
            Err(error) => failures.push(format!("{name}: {error}")),
        }
    }
    dev.drop_db().await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Indexes, comments and defaults on views and materialized views live in the view, which a
/// table-scoped read does not return: statements naming a view read the whole schema.
#[tokio::test]
async fn statements_on_views_read_the_whole_schema() {
    let Some(dev) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    let mut dir = MigrationDir::default();
    dir.add_file(MigrationFile::new(
        "1_base.sql",
        b"CREATE TABLE t (a int PRIMARY KEY);\n\
          CREATE MATERIALIZED VIEW mv AS SELECT a FROM t;\n\
          CREATE VIEW v AS SELECT a FROM t;\n"
            .to_vec(),
    ))
    .unwrap();
    dir.add_file(MigrationFile::new(
        "2_views.sql",
        b"CREATE INDEX mv_a ON mv (a);\n\
          COMMENT ON COLUMN mv.a IS 'the key';\n\
          COMMENT ON COLUMN v.a IS 'a view column';\n\
          ALTER TABLE v ALTER COLUMN a SET DEFAULT 1;\n"
            .to_vec(),
    ))
    .unwrap();
    let outcome = MigrateLint::builder(dir)
        .selection(LintSelection::Latest(1))
        .dev_url(dev.url.clone())
        .no_cache()
        .verify_scoped_reads()
        .build()
        .unwrap()
        .run()
        .await;
    dev.drop_db().await;
    if let Err(error) = outcome {
        panic!("{error}");
    }
}
