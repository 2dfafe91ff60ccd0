//! Each built-in code fires where Atlas's does, and stays quiet where its rules skip.

use schema_diff::{DiffOptions, RenameHint, diff};
use schema_lint::{Severity, lint};
use schema_model::*;

fn col(name: &str) -> Column {
    Column::new(name, ColumnType::int(IntWidth::Int))
}

fn realm(tables: Vec<Table>) -> Realm {
    let mut schema = Schema::new("main");
    schema.tables = tables;
    Realm::new(vec![schema])
}

fn codes(current: &Realm, desired: &Realm, options: &DiffOptions) -> Vec<String> {
    let changes = diff(current, desired, options);
    lint(&changes, current)
        .diagnostics
        .iter()
        .map(|d| d.code.clone())
        .collect()
}

#[test]
fn destructive_changes() {
    let t = Table::new("t").with_column(col("a")).with_column(col("b"));
    let current = realm(vec![t.clone()]);
    assert_eq!(
        codes(&current, &realm(vec![]), &DiffOptions::default()),
        ["DS102"]
    );
    let narrower = Table::new("t").with_column(col("a"));
    assert_eq!(
        codes(
            &current,
            &realm(vec![narrower.clone()]),
            &DiffOptions::default()
        ),
        ["DS103"]
    );

    // Virtual generated columns hold no data.
    let mut virt = t.clone();
    virt.columns[1].generated = Some(Generated {
        expr: "a + 1".into(),
        stored: false,
    });
    assert!(
        codes(
            &realm(vec![virt]),
            &realm(vec![narrower]),
            &DiffOptions::default()
        )
        .is_empty()
    );

    // A dropped schema reports DS101 only, not each table.
    let with_schema = Realm::new(vec![Schema::new("main"), Schema::new("x").with_table(t)]);
    assert_eq!(
        codes(&with_schema, &realm(vec![]), &DiffOptions::default()),
        ["DS101"]
    );
    let changes = diff(&with_schema, &realm(vec![]), &DiffOptions::default());
    let report = lint(&changes, &with_schema);
    assert!(report.has_errors());
    assert!(
        report
            .to_text()
            .contains("-- Dropping schema \"x\" which contains 1 tables")
    );
    assert!(report.to_json().contains("\"code\": \"DS101\""));
}

#[test]
fn data_dependent_changes() {
    let t = Table::new("t").with_column(col("a"));
    let mut wider = t.clone();
    wider.columns.push(col("b").not_null());
    wider.columns[0].nullable = false;
    let mut unique = Index::on_columns("t_a", &["a"]);
    unique.unique = true;
    wider.indexes.push(unique.clone());
    let found = codes(
        &realm(vec![t.clone()]),
        &realm(vec![wider]),
        &DiffOptions::default(),
    );
    assert!(
        ["MF101", "MF103", "MF104"]
            .iter()
            .all(|c| found.iter().any(|f| f == c)),
        "{found:?}"
    );

    // Defaults and new tables make the same changes safe.
    let mut safe = t.clone();
    safe.columns.push(
        col("b")
            .not_null()
            .with_default(DefaultValue::Literal("0".into())),
    );
    let mut unique_on_new = Index::on_columns("t_b", &["b"]);
    unique_on_new.unique = true;
    safe.indexes.push(unique_on_new);
    assert!(
        codes(
            &realm(vec![t.clone()]),
            &realm(vec![safe]),
            &DiffOptions::default()
        )
        .is_empty()
    );

    let mut indexed = t.clone();
    indexed.indexes.push(Index::on_columns("t_a", &["a"]));
    let mut made_unique = indexed.clone();
    made_unique.indexes[0].unique = true;
    assert_eq!(
        codes(
            &realm(vec![indexed]),
            &realm(vec![made_unique]),
            &DiffOptions::default()
        ),
        ["MF102"]
    );
}

#[test]
fn constraint_drops_and_renames() {
    let parent = Table::new("p").with_column(col("id"));
    let mut child = Table::new("c")
        .with_column(col("id"))
        .with_column(col("p_id"));
    child.foreign_keys.push(ForeignKey {
        name: "c_p".into(),
        columns: vec!["p_id".into()],
        ref_table: QualifiedName::bare("p"),
        ref_columns: vec!["id".into()],
        on_update: ReferentialAction::NoAction,
        on_delete: ReferentialAction::NoAction,
        deferrable: Deferrable::Not,
        match_full: false,
    });
    let current = realm(vec![parent.clone(), child.clone()]);
    let mut unlinked = child.clone();
    unlinked.foreign_keys.clear();
    let found = codes(
        &current,
        &realm(vec![parent.clone(), unlinked]),
        &DiffOptions::default(),
    );
    assert_eq!(found, ["CD101"]);
    // Dropping the FK's column too is reported as the column drop only.
    let mut without_column = child.clone();
    without_column.foreign_keys.clear();
    without_column.columns.pop();
    assert_eq!(
        codes(
            &current,
            &realm(vec![parent.clone(), without_column]),
            &DiffOptions::default()
        ),
        ["DS103"]
    );

    let mut renamed = parent.clone();
    renamed.name = "parents".into();
    renamed.columns[0].name = "pid".into();
    let options = DiffOptions::default()
        .rename(RenameHint::Table {
            schema: "main".into(),
            from: "p".into(),
            to: "parents".into(),
        })
        .rename(RenameHint::Column {
            schema: "main".into(),
            table: "parents".into(),
            from: "id".into(),
            to: "pid".into(),
        });
    let found = codes(&realm(vec![parent]), &realm(vec![renamed]), &options);
    assert_eq!(found, ["BC101", "BC102"]);
    let changes = diff(&realm(vec![]), &realm(vec![]), &options);
    assert!(lint(&changes, &realm(vec![])).diagnostics.is_empty());
    assert!(Severity::Warning < Severity::Error);
}
