//! Whole-schema rules (`schema lint`).

mod common;

use common::*;
use schema_lint::{NamingConfig, SchemaFinding, SchemaLinter};
use schema_model::*;

fn found(findings: &[SchemaFinding]) -> Vec<(String, String)> {
    findings
        .iter()
        .map(|f| (f.code.clone(), f.object.clone()))
        .collect()
}

#[test]
fn built_in_rules() {
    let parent = with_pk(table("orgs", &[col("id").not_null()]), &["id"]);
    let mut child = with_pk(
        table(
            "users",
            &[
                col("id").not_null(),
                col("org").not_null(),
                col("team").not_null(),
                col("note"),
            ],
        ),
        &["id"],
    );
    child
        .foreign_keys
        .push(fk("users_org", &["org"], "orgs", &["id"]));
    child
        .foreign_keys
        .push(fk("users_team", &["team", "org"], "orgs", &["id", "id"]));
    // An index leading with (org, team) covers both keys: `org` leads, and (team, org)
    // are its first two columns in another order.
    child
        .indexes
        .push(idx("users_org_team", &["org", "team"], false));
    let keyless = table(
        "logs",
        &[col("at").with_default(DefaultValue::Expr("now()".into()))],
    );
    let realm = realm(&[parent, child.clone(), keyless]);
    assert_eq!(
        found(&SchemaLinter::default().run(&realm)),
        [
            ("SL101".to_owned(), "public.logs".to_owned()),
            ("SL103".to_owned(), "public.users.note".to_owned()),
        ]
    );

    // (team, org) still covers `users_team`, but `org` no longer leads an index.
    let mut uncovered = child;
    uncovered.indexes = vec![idx("users_team_org", &["team", "org"], false)];
    let realm = realm_with(uncovered);
    assert_eq!(
        found(
            &SchemaLinter::empty()
                .rule(schema_lint::ForeignKeysIndexed)
                .run(&realm)
        ),
        [("SL102".to_owned(), "public.users".to_owned())]
    );
}

fn realm_with(t: Table) -> Realm {
    realm(&[with_pk(table("orgs", &[col("id").not_null()]), &["id"]), t])
}

#[test]
fn naming_and_closure_rules() {
    let naming: NamingConfig = serde_json::from_str(r#"{"match": "^[a-z_]+$"}"#).expect("config");
    let t = with_pk(table("Users", &[col("id").not_null()]), &["id"]);
    let linter = SchemaLinter::empty()
        .naming(&naming)
        .expect("pattern compiles")
        .rule_fn(|realm: &Realm| {
            realm
                .schemas
                .iter()
                .filter(|s| s.tables.len() < 2)
                .map(|s| SchemaFinding::new("XX1", &s.name, "small schema"))
                .collect()
        });
    assert_eq!(
        found(&linter.run(&realm(&[t]))),
        [
            ("NM102".to_owned(), "public.Users".to_owned()),
            ("XX1".to_owned(), "public".to_owned())
        ]
    );
}
