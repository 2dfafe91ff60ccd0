//! The fingerprint's version contract (docs/FINGERPRINT.md): a fixed realm keeps a fixed
//! fingerprint. When this test fails, the canonical form changed: bump
//! `FINGERPRINT_VERSION`, teach `same_fingerprint` which versions still compare, and record
//! the change in docs/FINGERPRINT.md, so plans saved by older Mercators are re-planned
//! instead of being refused as drift.

use schema_model::*;

fn pinned_realm() -> Realm {
    let mut users = Table::new("users")
        .with_column(Column::new("id", ColumnType::int(IntWidth::Big)).not_null())
        .with_column(Column::new(
            "email",
            ColumnType::string(StringKind::Varchar, Some(255)),
        ));
    users.primary_key = Some(PrimaryKey::on_columns(&["id"]));
    let mut index = Index::on_columns("users_email_idx", &["email"]);
    index.unique = true;
    users.indexes.push(index);
    Realm::new(vec![Schema::new("public").with_table(users)])
}

#[test]
fn a_fixed_realm_keeps_its_fingerprint() {
    let print = fingerprint(&pinned_realm()).unwrap();
    assert_eq!(fingerprint_version(&print).unwrap(), FINGERPRINT_VERSION);
    assert_eq!(
        print, PINNED,
        "the canonical form changed: bump FINGERPRINT_VERSION (see docs/FINGERPRINT.md)"
    );
}

#[test]
fn unversioned_fingerprints_still_compare() {
    let print = fingerprint(&pinned_realm()).unwrap();
    let legacy = print.strip_prefix("m1:").unwrap();
    assert_eq!(fingerprint_version(legacy).unwrap(), 0);
    assert!(same_fingerprint(legacy, &print).unwrap());
    let other = fingerprint(&Realm::default()).unwrap();
    assert!(!same_fingerprint(legacy, &other).unwrap());
    assert!(same_fingerprint("m2:abc", &print).is_err());
    assert!(same_fingerprint("not a fingerprint", &print).is_err());
}

/// Recorded when version 1 was introduced.
const PINNED: &str = "m1:cR9JT4hQa/eXt9lwTBCUu/KBo4YQKB0L4lxBufjYLZ8=";
