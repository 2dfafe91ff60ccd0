//! The import-seed conformance case (PostgreSQL): see `shared/conformance/import-seed/EXPECTED.md`.
//! Executing the result on a server is checked in `servers.rs`.

mod common;

use std::path::PathBuf;

use common::{locations, texts};
use sqlimport::{DialectKind, load};

fn case_dir() -> PathBuf {
    std::env::var_os("MERCATOR_CONFORMANCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance")
        })
        .join("import-seed")
}

#[test]
fn import_seed_loads_common_once_in_executable_order() {
    let main = case_dir().join("main.sql");
    if !main.exists() {
        eprintln!("skipping: {} not found", main.display());
        return;
    }
    let project = load(&main, DialectKind::Postgres).expect("loads");
    let files: Vec<String> = project
        .files
        .iter()
        .map(|f| f.display().to_string())
        .collect();
    assert_eq!(
        files,
        [
            "common.sql",
            "backoffice/tables.sql",
            "crm/tables.sql",
            "main.sql"
        ],
        "common.sql is loaded once, before the files importing it"
    );
    let order = texts(&project.statements);
    let at = |prefix: &str| {
        let found: Vec<usize> = order
            .iter()
            .enumerate()
            .filter(|(_, s)| s.starts_with(prefix))
            .map(|(i, _)| i)
            .collect();
        assert_eq!(found.len(), 1, "exactly one {prefix:?} in {order:#?}");
        found[0]
    };
    let schemas = ["backoffice", "common", "crm"].map(|s| at(&format!("CREATE SCHEMA {s}")));
    let domain = at("CREATE DOMAIN common.person_id");
    let employees = at("CREATE TABLE backoffice.employees");
    let customers = at("CREATE TABLE crm.customers");
    assert_eq!(order.len(), 6, "3 schemas, 1 domain, 2 tables");
    assert!(schemas[1] < domain, "schema common before its domain");
    assert!(
        domain < employees && domain < customers,
        "domain before the tables using it"
    );
    assert!(schemas[0] < employees, "schema backoffice before its table");
    assert!(schemas[2] < customers, "schema crm before its table");
    // Statements with no dependency between them keep their load order.
    assert_eq!(
        locations(&project.statements),
        [
            "common.sql:1",
            "common.sql:3",
            "backoffice/tables.sql:3",
            "backoffice/tables.sql:5",
            "crm/tables.sql:3",
            "crm/tables.sql:5"
        ]
    );
}
