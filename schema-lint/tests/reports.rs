//! Report layouts: Atlas's text, GitHub annotations, SARIF 2.1.0, JSON.

mod common;

use std::time::Duration;

use common::*;
use schema_lint::{ChangeSet, Linter, Report};
use schema_model::*;

fn users() -> Table {
    with_pk(
        table("users", &[col("id").not_null(), col("email")]),
        &["id"],
    )
}

/// Version 2 drops a table and adds a NOT NULL column; version 3 is clean.
fn report() -> Report {
    let pets = table("pets", &[col("id")]);
    let mut wider = users();
    wider.columns.push(col("age").not_null());
    let set = ChangeSet::new(vec![
        file(
            "2_cleanup.sql",
            vec![
                (1, "DROP TABLE pets;", step(&[pets], &[])),
                (
                    3,
                    "ALTER TABLE users ADD COLUMN age int NOT NULL;",
                    step(&[users()], &[wider.clone()]),
                ),
            ],
        ),
        file(
            "3_more.sql",
            vec![(
                1,
                "CREATE TABLE t (a int);",
                step(&[], &[table("t", &[col("a")])]),
            )],
        ),
    ])
    .with_base_version("1")
    .with_dir("migrations");
    let mut report = Linter::default()
        .dialect(DialectKind::Sqlite)
        .run(&set, None);
    report.set_duration(0, Duration::from_micros(1_500));
    report.set_duration(1, Duration::from_micros(500));
    report
}

#[test]
fn text_layout() {
    insta::assert_snapshot!(report().to_text());
}

#[test]
fn text_without_findings_and_for_plans() {
    let clean = Linter::default().run(
        &ChangeSet::new(vec![file("2.sql", vec![(1, "…", step(&[], &[users()]))])]),
        None,
    );
    insta::assert_snapshot!("clean", clean.to_text());
    let plan = Linter::default().run(&ChangeSet::from_changes(&step(&[users()], &[])), None);
    insta::assert_snapshot!("plan", plan.to_text());
}

#[test]
fn github_annotations() {
    insta::assert_snapshot!(report().to_github());
}

#[test]
fn sarif_shape() {
    let sarif = report().to_sarif();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(
        sarif["$schema"]
            .as_str()
            .is_some_and(|s| s.contains("sarif-2.1.0"))
    );
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "mercator");
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), 2);
    for r in results {
        // Every result names a rule that exists at its index, a level, a message and a
        // location with a 1-based line.
        let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
        assert!(matches!(r["level"].as_str(), Some("error" | "warning")));
        assert!(r["message"]["text"].as_str().is_some_and(|t| !t.is_empty()));
        let loc = &r["locations"][0]["physicalLocation"];
        assert!(
            loc["artifactLocation"]["uri"]
                .as_str()
                .is_some_and(|u| u.starts_with("migrations/2_cleanup.sql"))
        );
        assert!(loc["region"]["startLine"].as_u64().is_some_and(|l| l >= 1));
        assert!(
            rules[index]["helpUri"]
                .as_str()
                .is_some_and(|u| u.starts_with("https://"))
        );
    }
    assert_eq!(results[0]["level"], "error");
    assert_eq!(results[1]["ruleId"], "MF103");
    assert!(
        results[1]["properties"]["preflightQuery"]
            .as_str()
            .is_some_and(|q| q.starts_with("SELECT"))
    );
}

#[test]
fn json_round_trips() {
    let report = report();
    let back: Report = serde_json::from_str(&report.to_json()).expect("JSON parses back");
    assert_eq!(back, report);
}
