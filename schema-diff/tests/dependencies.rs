//! Dependents dropped and recreated around the changes that disturb what they read, and
//! creations ordered by the dependency graph.

use schema_diff::{Change, DependencyGraph, DiffOptions, EdgeKind, Node, TableChange, diff};
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
        deferrable: Deferrable::InitiallyDeferred,
        match_full: false,
    }
}

fn keyed(name: &str) -> Table {
    let mut t = Table::new(name).with_column(int("id"));
    t.primary_key = Some(PrimaryKey::on_columns(&["id"]));
    t
}

fn schema(tables: Vec<Table>) -> Schema {
    let mut s = Schema::new("public");
    s.tables = tables;
    s
}

/// `~table[+fk,-fk,...]` for table changes, a short label for the rest.
fn labels(changes: &[Change]) -> Vec<String> {
    changes
        .iter()
        .map(|c| match c {
            Change::ModifyTable { to, changes, .. } => {
                let parts: Vec<String> = changes
                    .iter()
                    .map(|t| match t {
                        TableChange::AddForeignKey { key } => format!("+fk:{}", key.name),
                        TableChange::DropForeignKey { key } => format!("-fk:{}", key.name),
                        TableChange::ModifyPrimaryKey { .. } => "~pk".into(),
                        TableChange::ModifyColumn { to, .. } => format!("~col:{}", to.name),
                        TableChange::AddPolicy { policy } => format!("+policy:{}", policy.name),
                        TableChange::DropPolicy { policy } => format!("-policy:{}", policy.name),
                        TableChange::AddIndex { index } => format!("+index:{}", index.name),
                        TableChange::DropIndex { index } => format!("-index:{}", index.name),
                        other => format!("{other:?}"),
                    })
                    .collect();
                format!("~{}[{}]", to.name, parts.join(","))
            }
            Change::AddView { view, .. } => format!("+view:{}", view.name),
            Change::DropView { view, .. } => format!("-view:{}", view.name),
            Change::AddRoutine { routine, .. } => format!("+fn:{}", routine.name),
            Change::DropRoutine { routine, .. } => format!("-fn:{}", routine.name),
            Change::AddDomain { domain, .. } => format!("+domain:{}", domain.name),
            Change::DropDomain { domain, .. } => format!("-domain:{}", domain.name),
            Change::ModifyEnum { to, .. } => format!("~enum:{}", to.name),
            other => format!("{:?}", other.kind()),
        })
        .collect()
}

#[test]
fn unchanged_foreign_keys_go_around_a_changed_key() {
    let mut a = keyed("child_a").with_column(int("p"));
    a.foreign_keys.push(fk("a_p", "p", "parent"));
    let mut b = keyed("child_b").with_column(int("p"));
    b.foreign_keys.push(fk("b_p", "p", "parent"));
    let current = Realm::new(vec![schema(vec![a.clone(), keyed("parent"), b.clone()])]);
    let mut parent = keyed("parent");
    parent.primary_key.as_mut().unwrap().name = Some("parent_key".into());
    let desired = Realm::new(vec![schema(vec![a, parent, b])]);
    let changes = diff(&current, &desired, &DiffOptions::default());
    assert_eq!(
        labels(&changes),
        [
            "~child_a[-fk:a_p]",
            "~child_b[-fk:b_p]",
            "~parent[~pk]",
            "~child_a[+fk:a_p]",
            "~child_b[+fk:b_p]",
        ]
    );
    // The recreated key keeps its actions and deferrability.
    let Change::ModifyTable { changes: inner, .. } = &changes[3] else {
        panic!("{changes:?}");
    };
    assert!(matches!(&inner[0], TableChange::AddForeignKey { key }
        if key.on_delete == ReferentialAction::Cascade && key.deferrable == Deferrable::InitiallyDeferred));
}

#[test]
fn foreign_keys_stay_when_their_key_and_columns_stay() {
    let mut child = keyed("child").with_column(int("p"));
    child.foreign_keys.push(fk("c_p", "p", "parent"));
    let current = Realm::new(vec![schema(vec![
        keyed("parent").with_column(int("x")),
        child.clone(),
    ])]);
    let mut parent = keyed("parent").with_column(int("x"));
    parent.columns[1].ty = ColumnType::int(IntWidth::Big);
    let desired = Realm::new(vec![schema(vec![parent, child])]);
    let changes = diff(&current, &desired, &DiffOptions::default());
    assert_eq!(labels(&changes), ["~parent[~col:x]"]);
}

#[test]
fn retyped_referencing_and_referenced_columns_free_their_foreign_key() {
    let mut child = keyed("child").with_column(int("p"));
    child.foreign_keys.push(fk("c_p", "p", "parent"));
    let current = Realm::new(vec![schema(vec![keyed("parent"), child.clone()])]);
    let mut parent = keyed("parent");
    parent.columns[0].ty = ColumnType::int(IntWidth::Big);
    child.columns[1].ty = ColumnType::int(IntWidth::Big);
    let desired = Realm::new(vec![schema(vec![parent, child])]);
    let changes = diff(&current, &desired, &DiffOptions::default());
    assert_eq!(
        labels(&changes),
        [
            "~child[-fk:c_p]",
            "~parent[~col:id]",
            "~child[~col:p]",
            "~child[+fk:c_p]"
        ]
    );
}

fn routine(name: &str, body: &str) -> Routine {
    Routine {
        name: name.into(),
        kind: RoutineKind::Function,
        args: "n integer".into(),
        returns: Some("boolean".into()),
        language: Some("sql".into()),
        definition: body.into(),
        comment: None,
    }
}

#[test]
fn functions_are_created_before_the_domains_that_call_them_and_dropped_after() {
    let mut s = Schema::new("public");
    s.domains.push(Domain {
        name: "even".into(),
        ty: ColumnType::int(IntWidth::Int),
        nullable: true,
        default: None,
        collation: None,
        checks: vec![Check {
            name: Some("even_check".into()),
            expr: "is_even(VALUE)".into(),
            no_inherit: false,
            not_enforced: false,
        }],
        comment: None,
    });
    s.routines.push(routine(
        "is_even",
        "CREATE FUNCTION public.is_even(n integer) RETURNS boolean AS 'SELECT n % 2 = 0'",
    ));
    let empty = Realm::new(vec![Schema::new("public")]);
    let with = Realm::new(vec![s]);
    assert_eq!(
        labels(&diff(&empty, &with, &DiffOptions::default())),
        ["+fn:is_even", "+domain:even"]
    );
    assert_eq!(
        labels(&diff(&with, &empty, &DiffOptions::default())),
        ["-domain:even", "-fn:is_even"]
    );
}

#[test]
fn recreated_enums_take_their_readers_with_them() {
    let mood = ColumnType::Enum {
        name: Some(QualifiedName::bare("mood")),
        values: vec![],
    };
    let mut t = keyed("t").with_column(Column::new("m", mood));
    t.policies.push(Policy {
        name: "not_sad".into(),
        permissive: true,
        command: PolicyCommand::All,
        roles: vec!["public".into()],
        using: Some("(m <> 'sad'::mood)".into()),
        with_check: None,
        comment: None,
    });
    let mut index = Index::on_columns("t_happy", &["id"]);
    index.predicate = Some("(m = 'happy'::mood)".into());
    t.indexes.push(index);
    let mut s = schema(vec![t]);
    s.views.push(View::new(
        "happy",
        "SELECT t.id FROM t WHERE t.m = 'happy'::mood",
    ));
    s.views.push(View::new("ids", "SELECT t.id FROM t"));
    s.enums.push(EnumType {
        name: "mood".into(),
        values: vec!["sad".into(), "happy".into()],
        comment: None,
    });
    let current = Realm::new(vec![s.clone()]);
    s.enums[0].values.reverse();
    let desired = Realm::new(vec![s]);
    let changes = diff(&current, &desired, &DiffOptions::default());
    // Every reader of `t` is recreated: the enum's column changes the table's shape.
    assert_eq!(
        labels(&changes),
        [
            "-view:happy",
            "-view:ids",
            "~t[-index:t_happy,-policy:not_sad]",
            "~enum:mood",
            "~t[+index:t_happy,+policy:not_sad]",
            "+view:happy",
            "+view:ids",
        ]
    );
}

#[test]
fn children_follow_their_parents_type_changes() {
    let parent = keyed("parent").with_column(int("v"));
    let mut child = Table::new("child").with_column(int("v"));
    child.postgres.inherits.push(QualifiedName::bare("parent"));
    let current = Realm::new(vec![schema(vec![child.clone(), parent.clone()])]);
    let mut parent2 = parent;
    parent2.columns[1].ty = ColumnType::int(IntWidth::Big);
    child.columns[0].ty = ColumnType::int(IntWidth::Big);
    let desired = Realm::new(vec![schema(vec![child, parent2])]);
    let changes = diff(&current, &desired, &DiffOptions::default());
    assert_eq!(labels(&changes), ["~parent[~col:v]"]);
}

#[test]
fn the_graph_knows_keys_columns_types_and_functions() {
    let mut parent = keyed("parent");
    parent.indexes.push(Index {
        unique: true,
        ..Index::on_columns("parent_code", &["code"])
    });
    parent.columns.push(Column::new(
        "code",
        ColumnType::UserDefined {
            name: QualifiedName::bare("even"),
        },
    ));
    let mut child = keyed("child").with_column(int("code"));
    child.foreign_keys.push(ForeignKey {
        ref_columns: vec!["code".into()],
        ..fk("c_code", "code", "parent")
    });
    let mut s = schema(vec![parent, child]);
    s.domains.push(Domain {
        name: "even".into(),
        ty: ColumnType::int(IntWidth::Int),
        nullable: true,
        default: None,
        collation: None,
        checks: vec![],
        comment: None,
    });
    let realm = Realm::new(vec![s]);
    let graph = DependencyGraph::of(&realm);
    let fk = Node::ForeignKey {
        schema: "public",
        table: "child",
        name: "c_code",
    };
    let reads: Vec<(Node<'_>, EdgeKind)> = graph.dependencies(&fk).map(|(n, k)| (*n, k)).collect();
    assert!(reads.contains(&(
        Node::Index {
            schema: "public",
            table: "parent",
            name: "parent_code"
        },
        EdgeKind::Blocks
    )));
    assert!(reads.contains(&(
        Node::Column {
            schema: "public",
            table: "parent",
            name: "code"
        },
        EdgeKind::Blocks
    )));
    // Not the primary key: it covers other columns.
    assert!(
        !reads
            .iter()
            .any(|(n, _)| matches!(n, Node::PrimaryKey { .. }))
    );
    let column = Node::Column {
        schema: "public",
        table: "parent",
        name: "code",
    };
    assert!(graph.dependencies(&column).any(|(n, k)| *n
        == Node::Type {
            schema: "public",
            name: "even"
        }
        && k == EdgeKind::Converted));
}

/// A table whose default, index and check call `f`, and a view that calls it.
fn calls_f() -> Schema {
    let mut t = keyed("t").with_column(int("n"));
    t.columns[1].default = Some(DefaultValue::Expr("f(1)".into()));
    let mut index = Index::on_columns("t_f", &[]);
    index.parts.push(IndexPart::expr("f(n)"));
    t.indexes.push(index);
    t.checks.push(Check {
        name: Some("t_f_check".into()),
        expr: "(f(n) > 0)".into(),
        no_inherit: false,
        not_enforced: false,
    });
    let mut s = schema(vec![t]);
    s.views.push(View::new("tv", "SELECT f(t.n) AS fn FROM t"));
    s.routines.push(routine(
        "f",
        "CREATE FUNCTION f(n integer) ... 'SELECT n > 0'",
    ));
    s
}

#[test]
fn a_replaced_routine_rebuilds_what_keeps_its_results_and_a_recreated_one_everything() {
    let current = Realm::new(vec![calls_f()]);
    // A new body: index keys and checked rows follow it; the view and the default call
    // the routine by identity and keep working.
    let mut body = calls_f();
    body.routines[0].definition = "CREATE FUNCTION f(n integer) ... 'SELECT n > 1'".into();
    let changes = diff(&current, &Realm::new(vec![body]), &DiffOptions::default());
    assert_eq!(
        labels(&changes),
        [
            "~t[-index:t_f,DropCheck { check: Check { name: Some(\"t_f_check\"), expr: \"(f(n) > 0)\", no_inherit: false, not_enforced: false } }]",
            "Routine",
            "~t[+index:t_f,AddCheck { check: Check { name: Some(\"t_f_check\"), expr: \"(f(n) > 0)\", no_inherit: false, not_enforced: false } }]",
        ]
    );
    // A new result type: the routine is dropped, which nothing may call at that moment.
    let mut retyped = calls_f();
    retyped.routines[0].returns = Some("integer".into());
    retyped.routines[0].definition = "CREATE FUNCTION f(n integer) ... 'SELECT n'".into();
    let changes = diff(
        &current,
        &Realm::new(vec![retyped]),
        &DiffOptions::default(),
    );
    let labels = labels(&changes);
    assert_eq!(labels.first().map(String::as_str), Some("-view:tv"));
    assert!(
        labels[1].starts_with("~t[-index:t_f,DropCheck"),
        "{labels:?}"
    );
    assert!(labels[1].ends_with(",~col:n]"), "{labels:?}");
    assert_eq!(labels[2], "Routine");
    assert!(
        labels[3].starts_with("~t[+index:t_f,AddCheck"),
        "{labels:?}"
    );
    assert!(labels[3].ends_with(",~col:n]"), "{labels:?}");
    assert_eq!(labels[4], "+view:tv");
    assert_eq!(labels.len(), 5, "{labels:?}");
}

#[test]
fn a_child_sets_its_own_default_again_after_its_parent_passes_one_down() {
    let column = |default: &str, inherited: bool| Column {
        default: Some(DefaultValue::Literal(default.into())),
        inherited,
        ..int("v")
    };
    let parent = |default: &str| keyed("parent").with_column(column(default, false));
    let mut child = Table::new("child").with_column(column("2", true));
    child.postgres.inherits.push(QualifiedName::bare("parent"));
    let current = Realm::new(vec![schema(vec![child.clone(), parent("1")])]);
    let desired = Realm::new(vec![schema(vec![child, parent("3")])]);
    let changes = diff(&current, &desired, &DiffOptions::default());
    assert_eq!(labels(&changes), ["~parent[~col:v]", "~child[~col:v]"]);
    let Change::ModifyTable { changes, .. } = &changes[1] else {
        unreachable!("checked above");
    };
    // Planned from the parent's new default, which the database passes down.
    assert!(
        matches!(&changes[0], TableChange::ModifyColumn { from, to, .. }
        if from.default == Some(DefaultValue::Literal("3".into()))
            && to.default == Some(DefaultValue::Literal("2".into())))
    );
}
