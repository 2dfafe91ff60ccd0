//! Configuration: severities, switching analyzers off, review policy, custom analyzers,
//! declarative plans.

mod common;

use common::*;
use schema_diff::{Change, Plan, PlannedStatement};
use schema_lint::{
    Analyzer, AnalyzerSettings, ChangeSet, Context, Diagnostic, LintConfig, Linter, ReviewPolicy,
    Severity, may_apply_without_review,
};
use schema_model::*;

fn users() -> Table {
    with_pk(
        table("users", &[col("id").not_null(), col("email")]),
        &["id"],
    )
}

fn drop_and_tighten() -> ChangeSet {
    let mut strict = users();
    strict.columns[1].nullable = false;
    ChangeSet::new(vec![file(
        "1.sql",
        vec![
            (
                1,
                "DROP TABLE pets;",
                step(&[table("pets", &[col("id")])], &[]),
            ),
            (2, "…", step(&[users()], &[strict])),
        ],
    )])
}

fn config(json: &str) -> LintConfig {
    serde_json::from_str(json).expect("config parses")
}

#[test]
fn severities_follow_configuration() {
    let r = Linter::from_config(&LintConfig::default())
        .expect("default")
        .run(&drop_and_tighten(), None);
    let sev: Vec<_> = r
        .diagnostics
        .iter()
        .map(|d| (d.code.as_str(), d.severity))
        .collect();
    assert_eq!(
        sev,
        [("DS102", Severity::Error), ("MF104", Severity::Warning)]
    );

    let flipped = config(r#"{"destructive": {"error": false}, "data_depend": {"error": true}}"#);
    let r = Linter::from_config(&flipped)
        .expect("config")
        .run(&drop_and_tighten(), None);
    let sev: Vec<_> = r
        .diagnostics
        .iter()
        .map(|d| (d.code.as_str(), d.severity))
        .collect();
    assert_eq!(
        sev,
        [("DS102", Severity::Warning), ("MF104", Severity::Error)]
    );

    let off = config(r#"{"destructive": {"enabled": false}}"#);
    let r = Linter::from_config(&off)
        .expect("config")
        .run(&drop_and_tighten(), None);
    assert_eq!(codes(&r), ["MF104"]);
}

#[test]
fn review_policy_decides_approval() {
    let findings = Linter::default().run(&drop_and_tighten(), None);
    let warnings_only = Linter::from_config(&config(r#"{"destructive": {"error": false}}"#))
        .expect("config")
        .run(&drop_and_tighten(), None);
    let clean = Linter::default().run(
        &ChangeSet::new(vec![file("1.sql", vec![(1, "…", step(&[], &[users()]))])]),
        None,
    );
    let table = [
        (ReviewPolicy::Error, [false, true, true]),
        (ReviewPolicy::Warning, [false, false, true]),
        (ReviewPolicy::Always, [false, false, false]),
    ];
    for (policy, expected) in table {
        let got = [&findings, &warnings_only, &clean].map(|r| may_apply_without_review(r, policy));
        assert_eq!(got, expected, "{policy:?}");
    }
    let linter = Linter::from_config(&config(r#"{"review": "WARNING"}"#)).expect("config");
    assert_eq!(linter.review_policy(), ReviewPolicy::Warning);
    assert!(!linter.may_apply_without_review(&warnings_only));
}

/// A custom rule: every new table needs a comment.
struct CommentedTables;

impl Analyzer for CommentedTables {
    fn name(&self) -> &str {
        "commented"
    }
    fn title(&self) -> String {
        "undocumented tables detected".into()
    }
    fn analyze(&self, cx: &Context<'_>) -> Vec<Diagnostic> {
        cx.changes
            .located()
            .filter_map(|(at, c)| match c {
                Change::AddTable { schema, table } if table.comment.is_none() => Some(
                    Diagnostic::new(
                        "XC101",
                        at,
                        format!("Table {:?} has no comment", table.name),
                    )
                    .table(schema, &table.name)
                    .fix("Add COMMENT ON TABLE"),
                ),
                _ => None,
            })
            .collect()
    }
}

#[test]
fn custom_analyzers_register_configure_and_suppress() {
    let set = ChangeSet::new(vec![file(
        "1.sql",
        vec![(7, "CREATE TABLE users …", step(&[], &[users()]))],
    )]);
    let linter = Linter::default().with_analyzer(CommentedTables);
    let r = linter.run(&set, None);
    assert_eq!(codes(&r), ["XC101"]);
    assert_eq!(
        (r.diagnostics[0].analyzer.as_str(), r.diagnostics[0].line),
        ("commented", Some(7))
    );
    assert!(
        r.to_text()
            .contains("    -- undocumented tables detected:\n      -- L7: Table \"users\"")
    );

    let strict = Linter::default().with_analyzer(CommentedTables).configure(
        "commented",
        AnalyzerSettings {
            error: Some(true),
            enabled: None,
        },
    );
    assert!(strict.run(&set, None).has_errors());

    // Settings for an analyzer nobody registered are a configuration error.
    let typo = Linter::from_config(&config(r#"{"analyzers": {"comented": {"error": true}}}"#))
        .expect("config")
        .with_analyzer(CommentedTables);
    assert!(
        typo.validate()
            .unwrap_err()
            .to_string()
            .contains("\"comented\"")
    );
    assert!(
        Linter::default()
            .with_analyzer(CommentedTables)
            .validate()
            .is_ok()
    );

    // Only the custom analyzer.
    let only = Linter::empty().with_analyzer(CommentedTables);
    assert_eq!(only.analyzer_names(), ["commented"]);
}

#[test]
fn plans_attach_sql_and_transaction_mode() {
    let mut indexed = users();
    indexed.indexes.push(idx("users_email", &["email"], false));
    let changes = step(&[users()], &[indexed]);
    let planned = |sql: &str, transactional| Plan {
        statements: vec![PlannedStatement {
            sql: sql.into(),
            comment: "Create index".into(),
            change: 0,
            reverse: None,
            transactional,
        }],
        transactional: true,
    };
    let linter = Linter::default().dialect(DialectKind::Postgres);
    let plain = ChangeSet::from_plan(
        &changes,
        &planned("CREATE INDEX users_email ON users (email)", true),
    );
    assert_eq!(codes(&linter.run(&plain, None)), ["PG101"]);
    let concurrent = ChangeSet::from_plan(
        &changes,
        &planned(
            "CREATE INDEX CONCURRENTLY users_email ON users (email)",
            false,
        ),
    );
    assert!(linter.run(&concurrent, None).diagnostics.is_empty());
    // Without rendered SQL the linter cannot know: it reports PG101.
    assert_eq!(
        codes(&linter.run(&ChangeSet::from_changes(&changes), None)),
        ["PG101"]
    );
}
