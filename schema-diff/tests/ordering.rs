//! Ordering and policy behaviour of the differ.

use schema_diff::{Change, DiffOptions, ObjectKind, RenameHint, TableChange, diff};
use schema_model::*;

fn int(name: &str) -> Column {
    Column::new(name, ColumnType::int(IntWidth::Int)).not_null()
}

fn fk(name: &str, column: &str, target: &str) -> ForeignKey {
    ForeignKey {
        name: name.into(),
        columns: vec![column.into()],
        ref_table: QualifiedName::bare(target),
        ref_columns: vec!["id".into()],
        on_update: ReferentialAction::NoAction,
        on_delete: ReferentialAction::Cascade,
        deferrable: Deferrable::Not,
        match_full: false,
    }
}

fn table(name: &str, refs: &[(&str, &str)]) -> Table {
    let mut t = Table::new(name).with_column(int("id"));
    t.primary_key = Some(PrimaryKey::on_columns(&["id"]));
    for (column, target) in refs {
        t.columns.push(int(column));
        t.foreign_keys
            .push(fk(&format!("{name}_{column}_fkey"), column, target));
    }
    t
}

fn realm(tables: Vec<Table>) -> Realm {
    let mut schema = Schema::new("public");
    schema.tables = tables;
    Realm::new(vec![schema])
}

fn names(changes: &[Change]) -> Vec<String> {
    changes
        .iter()
        .map(|c| match c {
            Change::AddTable { table, .. } => format!("+{}", table.name),
            Change::DropTable { table, .. } => format!("-{}", table.name),
            Change::ModifyTable { to, changes, .. } => format!("~{}({})", to.name, changes.len()),
            Change::AddView { view, .. } => format!("+v:{}", view.name),
            Change::DropView { view, .. } => format!("-v:{}", view.name),
            Change::AddTrigger { trigger, .. } => format!("+t:{}", trigger.name),
            Change::DropTrigger { trigger, .. } => format!("-t:{}", trigger.name),
            other => format!("{:?}", other.kind()),
        })
        .collect()
}

#[test]
fn referenced_tables_are_created_first_and_the_earliest_ready_table_goes_next() {
    let desired = realm(vec![
        table("orders", &[("customer_id", "customers")]),
        table("zeta", &[]),
        table("customers", &[]),
        table("alpha", &[]),
    ]);
    let changes = diff(&realm(vec![]), &desired, &DiffOptions::default());
    assert_eq!(
        names(&changes),
        ["+zeta", "+customers", "+orders", "+alpha"]
    );
}

#[test]
fn foreign_key_cycles_are_closed_by_a_later_alter() {
    let desired = realm(vec![
        table("a", &[("b_id", "b")]),
        table("b", &[("a_id", "a")]),
    ]);
    let changes = diff(&realm(vec![]), &desired, &DiffOptions::default());
    assert_eq!(names(&changes), ["+a", "+b", "~a(1)"]);
    let Change::AddTable { table, .. } = &changes[0] else {
        panic!("expected a table first");
    };
    assert!(table.foreign_keys.is_empty());
    let Change::ModifyTable { changes: inner, .. } = &changes[2] else {
        panic!("expected a deferred foreign key");
    };
    assert!(matches!(&inner[0], TableChange::AddForeignKey { key } if key.ref_table.name == "b"));

    // Databases that check references lazily keep the cycle inline.
    let inline = DiffOptions {
        defer_cyclic_foreign_keys: false,
        ..DiffOptions::default()
    };
    assert_eq!(
        names(&diff(&realm(vec![]), &desired, &inline)),
        ["+a", "+b"]
    );
}

#[test]
fn referencing_tables_are_dropped_first_and_fk_drops_are_hoisted() {
    let current = realm(vec![
        table("customers", &[]),
        table("orders", &[("customer_id", "customers")]),
        table("audit", &[("customer_id", "customers")]),
    ]);
    // `audit` stays but loses its FK (and a column): the FK must go before `customers`.
    let mut audit = table("audit", &[]);
    audit.columns.push(int("note"));
    let desired = realm(vec![audit]);
    let changes = diff(&current, &desired, &DiffOptions::default());
    let order = names(&changes);
    let fk_drop = order.iter().position(|n| n.starts_with("~audit")).unwrap();
    let drop_customers = order.iter().position(|n| n == "-customers").unwrap();
    let drop_orders = order.iter().position(|n| n == "-orders").unwrap();
    assert!(fk_drop < drop_customers, "{order:?}");
    assert!(drop_orders < drop_customers, "{order:?}");
}

#[test]
fn cycles_between_dropped_tables_are_unlinked_first() {
    let current = realm(vec![
        table("a", &[("b_id", "b")]),
        table("b", &[("a_id", "a")]),
    ]);
    let changes = diff(&current, &realm(vec![]), &DiffOptions::default());
    let order = names(&changes);
    assert_eq!(order.len(), 4, "{order:?}");
    assert!(
        order[0].starts_with('~') && order[1].starts_with('~'),
        "{order:?}"
    );
}

#[test]
fn skip_policies_leave_drops_out() {
    let current = realm(vec![table("keep", &[]), table("t", &[])]);
    let mut t = table("t", &[]);
    t.columns.clear();
    t.columns.push(int("id"));
    let desired = realm(vec![t.clone()]);
    let options = DiffOptions::default().skip_drops_of(ObjectKind::Table);
    assert!(diff(&current, &desired, &options).is_empty());

    let mut wider = table("t", &[]);
    wider.columns.push(int("extra"));
    let options = DiffOptions::default().skip_drops_of(ObjectKind::Column);
    let changes = diff(&realm(vec![wider]), &desired, &options);
    assert!(changes.iter().all(|c| !c.is_drop()), "{changes:?}");
    assert!(changes.is_empty(), "{changes:?}");
}

#[test]
fn rename_hints_turn_drop_and_add_into_renames() {
    let current = realm(vec![table("people", &[])]);
    let mut renamed = table("persons", &[]);
    renamed.columns[0].name = "person_id".into();
    renamed.primary_key = Some(PrimaryKey::on_columns(&["person_id"]));
    let desired = realm(vec![renamed]);
    let options = DiffOptions::default()
        .rename(RenameHint::Table {
            schema: "public".into(),
            from: "people".into(),
            to: "persons".into(),
        })
        .rename(RenameHint::Column {
            schema: "public".into(),
            table: "persons".into(),
            from: "id".into(),
            to: "person_id".into(),
        });
    let changes = diff(&current, &desired, &options);
    assert!(
        matches!(&changes[0], Change::RenameTable { from, to, .. } if from == "people" && to == "persons")
    );
    let Change::ModifyTable { changes: inner, .. } = &changes[1] else {
        panic!("expected a table change, got {changes:?}");
    };
    assert!(
        matches!(&inner[0], TableChange::RenameColumn { from, to } if from == "id" && to == "person_id")
    );
    assert!(inner.iter().all(|c| !matches!(
        c,
        TableChange::DropColumn { .. } | TableChange::AddColumn { .. }
    )));
}

#[test]
fn renames_carry_keys_indexes_and_references_along() {
    let mut people = table("people", &[]);
    people.primary_key = Some(PrimaryKey {
        name: Some("people_pkey".into()),
        ..PrimaryKey::on_columns(&["id"])
    });
    people
        .indexes
        .push(Index::on_columns("people_id_idx", &["id"]));
    let current = realm(vec![people, table("orders", &[("person_id", "people")])]);

    let mut persons = table("persons", &[]);
    persons.columns[0].name = "person_id".into();
    persons.primary_key = Some(PrimaryKey {
        name: Some("persons_pkey".into()),
        ..PrimaryKey::on_columns(&["person_id"])
    });
    persons
        .indexes
        .push(Index::on_columns("people_id_idx", &["person_id"]));
    let mut orders = table("orders", &[("person_id", "persons")]);
    orders.foreign_keys[0].ref_columns = vec!["person_id".into()];
    let desired = realm(vec![persons, orders]);
    let options = DiffOptions::default()
        .rename(RenameHint::Table {
            schema: "public".into(),
            from: "people".into(),
            to: "persons".into(),
        })
        .rename(RenameHint::Column {
            schema: "public".into(),
            table: "persons".into(),
            from: "id".into(),
            to: "person_id".into(),
        });
    let changes = diff(&current, &desired, &options);
    // Only the renames: the index and the key follow the column, the referencing key in
    // `orders` follows the table, and the key's new name is a rename of the constraint.
    assert_eq!(changes.len(), 2, "{changes:?}");
    assert!(
        matches!(&changes[0], Change::RenameTable { .. }),
        "{changes:?}"
    );
    assert_eq!(names(&changes)[1], "~persons(2)", "{changes:?}");
    let Change::ModifyTable { changes: inner, .. } = &changes[1] else {
        panic!("{changes:?}");
    };
    assert!(
        matches!(&inner[0], TableChange::RenameColumn { .. }),
        "{inner:?}"
    );
    assert!(inner[1].renames_key_only(), "{inner:?}");

    // A hint that does not apply (the old table is still wanted) hides nothing.
    let mut kept = current.clone();
    kept.schemas[0].tables.push(table("persons", &[]));
    let changes = diff(&kept, &desired, &options);
    assert!(
        changes
            .iter()
            .any(|c| matches!(c, Change::ModifyTable { to, .. } if to.name == "orders")),
        "{changes:?}"
    );
}

#[test]
fn column_changes_name_each_attribute() {
    let current = realm(vec![table("t", &[])]);
    let mut t = table("t", &[]);
    t.columns[0].ty = ColumnType::int(IntWidth::Big);
    t.columns[0].default = Some(DefaultValue::Literal("1".into()));
    let changes = diff(&current, &realm(vec![t]), &DiffOptions::default());
    let Change::ModifyTable { changes: inner, .. } = &changes[0] else {
        panic!("{changes:?}");
    };
    let TableChange::ModifyColumn { changes: flags, .. } = &inner[0] else {
        panic!("{inner:?}");
    };
    assert!(flags.ty && flags.default && !flags.nullable && !flags.comment);
}

#[test]
fn views_are_recreated_when_their_tables_reshape_and_ordered_by_reads() {
    let mut current = realm(vec![table("t", &[])]);
    current.schemas[0].tables[0].columns.push(int("x"));
    current.schemas[0].views = vec![
        View::new("v2", "SELECT id FROM v1"),
        View::new("v1", "SELECT id, x FROM t"),
    ];
    current.schemas[0].triggers = vec![Trigger {
        name: "v1_ins".into(),
        on: "v1".into(),
        definition: "CREATE TRIGGER v1_ins INSTEAD OF INSERT ON v1 BEGIN SELECT 1; END".into(),
        constraint: false,
        disabled: false,
        comment: None,
    }];
    let mut desired = current.clone();
    desired.schemas[0].tables[0].columns[1].ty = ColumnType::int(IntWidth::Big);

    let order = names(&diff(&current, &desired, &DiffOptions::default()));
    assert_eq!(
        order,
        ["-v:v2", "-v:v1", "~t(1)", "+v:v1", "+v:v2", "+t:v1_ins"],
        "{order:?}"
    );
}

#[test]
fn enum_labels_are_added_in_place_when_order_is_kept() {
    let mut current = Schema::new("public");
    current.enums.push(EnumType {
        name: "mood".into(),
        values: vec!["sad".into(), "happy".into()],
        comment: None,
    });
    let mut desired = current.clone();
    desired.enums[0].values = vec!["sad".into(), "ok".into(), "happy".into()];
    let changes = diff(
        &Realm::new(vec![current]),
        &Realm::new(vec![desired]),
        &DiffOptions::default(),
    );
    assert!(
        matches!(&changes[..], [Change::ModifyEnum { added, .. }] if added == &[("ok".to_string(), Some("sad".to_string()))])
    );
}

#[test]
fn schemas_come_first_and_types_before_tables() {
    let mut schema = Schema::new("app");
    let mut t = table("t", &[]);
    t.columns.push(Column::new(
        "mood",
        ColumnType::Enum {
            name: Some(QualifiedName::bare("mood")),
            values: vec![],
        },
    ));
    schema.tables.push(t);
    schema.enums.push(EnumType {
        name: "mood".into(),
        values: vec!["a".into()],
        comment: None,
    });
    let changes = diff(
        &Realm::default(),
        &Realm::new(vec![schema]),
        &DiffOptions::default(),
    );
    let kinds: Vec<ObjectKind> = changes.iter().map(Change::kind).collect();
    assert_eq!(
        kinds,
        [ObjectKind::Schema, ObjectKind::Enum, ObjectKind::Table]
    );
    // Dropping the schema drops everything in one change.
    let back = diff(
        &Realm::new(vec![Schema::new("app")]),
        &Realm::default(),
        &DiffOptions::default(),
    );
    assert!(matches!(&back[..], [Change::DropSchema { .. }]));
}

#[test]
fn views_reading_a_dropped_table_are_recreated_around_the_drop() {
    // A table replaced by a view of the same name, read by a view that stays.
    let mut current = realm(vec![table("data", &[]), table("t_data", &[])]);
    current.schemas[0].views = vec![View::new("q", "SELECT id FROM data")];
    let mut desired = realm(vec![table("t_data", &[])]);
    desired.schemas[0].views = vec![
        View::new("data", "SELECT id FROM t_data"),
        View::new("q", "SELECT id FROM data"),
    ];
    let order = names(&diff(&current, &desired, &DiffOptions::default()));
    assert_eq!(order, ["-v:q", "-data", "+v:data", "+v:q"], "{order:?}");
}
