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
