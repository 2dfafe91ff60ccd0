//! Serde round trip and fingerprint properties of the model.

use schema_model::*;

fn rich_realm() -> Realm {
    let mut users = Table::new("users")
        .with_column(
            Column::new("id", ColumnType::int(IntWidth::Big))
                .not_null()
                .with_default(DefaultValue::Expr("nextval('users_id_seq')".into())),
        )
        .with_column(Column::new(
            "email",
            ColumnType::string(StringKind::Varchar, Some(255)),
        ))
        .with_column(Column::new(
            "tags",
            ColumnType::Array {
                element: Box::new(ColumnType::string(StringKind::Text, None)),
                dimensions: 1,
            },
        ))
        .with_column(Column {
            generated: Some(Generated {
                expr: "lower(email)".into(),
                stored: true,
            }),
            ..Column::new("email_lower", ColumnType::string(StringKind::Text, None))
        });
    users.columns[0].identity = Some(Identity {
        generation: IdentityGeneration::Always,
        sequence: SequenceOptions {
            start: Some(10),
            increment: Some(5),
            ..SequenceOptions::default()
        },
    });
    users.primary_key = Some(PrimaryKey::on_columns(&["id"]));
    let mut index = Index::on_columns("users_email_idx", &["email"]);
    index.unique = true;
    index.predicate = Some("email IS NOT NULL".into());
    index.parts.push(IndexPart {
        desc: true,
        nulls: Some(NullsOrder::Last),
        ..IndexPart::expr("lower(email)")
    });
    users.indexes.push(index);
    users.checks.push(Check {
        name: Some("email_at".into()),
        expr: "email LIKE '%@%'".into(),
        no_inherit: false,
        not_enforced: false,
    });
    users.policies.push(Policy {
        name: "own_rows".into(),
        permissive: true,
        command: PolicyCommand::Select,
        roles: vec!["public".into()],
        using: Some("true".into()),
        with_check: None,
        comment: None,
    });
    users.postgres.rls_enabled = true;
    let mut schema = Schema::new("public").with_table(users);
    schema
        .views
        .push(View::new("emails", "SELECT email FROM users"));
    schema.enums.push(EnumType {
        name: "mood".into(),
        values: vec!["sad".into(), "happy".into()],
        comment: Some("feelings".into()),
    });
    schema.domains.push(Domain {
        name: "positive".into(),
        ty: ColumnType::int(IntWidth::Int),
        nullable: false,
        default: None,
        collation: None,
        checks: vec![Check {
            name: Some("positive_check".into()),
            expr: "VALUE > 0".into(),
            no_inherit: false,
            not_enforced: false,
        }],
        comment: None,
    });
    schema.sequences.push(Sequence {
        name: "users_id_seq".into(),
        ty: None,
        options: SequenceOptions::default(),
        owned_by: Some(("users".into(), "id".into())),
        comment: None,
    });
    schema.routines.push(Routine {
        name: "f".into(),
        kind: RoutineKind::Function,
        args: "integer".into(),
        returns: Some("integer".into()),
        language: Some("sql".into()),
        definition: "CREATE FUNCTION f(integer) RETURNS integer AS 'SELECT $1' LANGUAGE sql".into(),
        comment: None,
    });
    let mut realm = Realm::new(vec![schema, Schema::new("audit")]);
    realm.extensions.push(Extension {
        name: "citext".into(),
        schema: "public".into(),
        version: None,
        comment: None,
    });
    realm
}

#[test]
fn realms_round_trip_through_json() {
    let realm = rich_realm();
    let json = serde_json::to_string_pretty(&realm).expect("serializes");
    let back: Realm = serde_json::from_str(&json).expect("deserializes");
    assert_eq!(back, realm);
}

#[test]
fn fingerprint_ignores_declaration_order_but_not_content() {
    let realm = rich_realm();
    let mut shuffled = realm.clone();
    shuffled.schemas.reverse();
    shuffled.schemas[1].tables[0].columns.reverse();
    shuffled.schemas[1].tables[0].indexes.reverse();
    assert_eq!(
        fingerprint(&realm).unwrap(),
        fingerprint(&shuffled).unwrap()
    );
    assert_eq!(canonicalize(&realm), canonicalize(&shuffled));

    let mut changed = realm.clone();
    changed.schemas[0].tables[0].columns[1].nullable = false;
    assert_ne!(fingerprint(&realm).unwrap(), fingerprint(&changed).unwrap());

    // Index part order and enum label order carry meaning.
    let mut reordered = realm.clone();
    reordered.schemas[0].tables[0].indexes[0].parts.reverse();
    assert_ne!(
        fingerprint(&realm).unwrap(),
        fingerprint(&reordered).unwrap()
    );
    let mut labels = realm.clone();
    labels.schemas[0].enums[0].values.reverse();
    assert_ne!(fingerprint(&realm).unwrap(), fingerprint(&labels).unwrap());
    // `m1:` and 44 characters of base64 SHA-256.
    assert_eq!(fingerprint(&realm).unwrap().len(), 3 + 44);
}

#[test]
fn diagrams_show_tables_and_relations() {
    let mut realm = rich_realm();
    let mut orders =
        Table::new("orders").with_column(Column::new("user_id", ColumnType::int(IntWidth::Big)));
    orders.foreign_keys.push(ForeignKey {
        name: "orders_user_fk".into(),
        columns: vec!["user_id".into()],
        ref_table: QualifiedName::bare("users"),
        ref_columns: vec!["id".into()],
        on_update: ReferentialAction::NoAction,
        on_delete: ReferentialAction::Cascade,
        deferrable: Deferrable::Not,
        match_full: false,
    });
    realm.schemas[0].tables.push(orders);
    let mermaid = to_mermaid(&realm);
    assert!(
        mermaid.contains("public_orders }o--|| public_users : \"orders_user_fk\""),
        "{mermaid}"
    );
    let dot = to_dot(&realm);
    assert!(
        dot.contains("\"public.orders\" -> \"public.users\""),
        "{dot}"
    );
}
