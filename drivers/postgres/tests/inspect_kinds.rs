//! Inspection sees every object kind: the round trip alone would also pass if something
//! were dropped on both sides, so this checks the realms' contents.

mod common;

use common::*;
use schema_model::*;

fn schema_file(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/schemas/{name}.sql",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("schema file")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inspection_sees_every_kind() {
    let Some(_admin) = admin().await else { return };
    let db = TestDb::create().await;
    let driver = db.open().await;
    let realm_of = async |file: &str| {
        reset(&driver).await;
        load(&driver, &schema_file(file)).await.expect("load");
        inspect(&driver).await
    };

    let realm = realm_of("partitioned_range").await;
    let public = realm.schema("public").expect("public");
    let parent = public.table("measurement").expect("parent");
    let key = parent
        .postgres
        .partition_key
        .as_ref()
        .expect("partition key");
    assert_eq!(key.strategy, "range");
    assert_eq!(key.parts, [IndexPart::column("logdate")]);
    let part = public.table("measurement_y2020").expect("partition");
    assert_eq!(
        part.postgres
            .partition_of
            .as_ref()
            .map(|(p, _)| p.name.as_str()),
        Some("measurement")
    );
    // A partition declares none of its columns: it has them all, marked inherited.
    assert!(!part.columns.is_empty() && part.columns.iter().all(|c| c.inherited));
    assert!(part.indexes.is_empty());
    assert_eq!(
        public.table("refs_part").expect("refs").foreign_keys.len(),
        1
    );

    let realm = realm_of("rls").await;
    let accounts = realm
        .schema("public")
        .and_then(|s| s.table("accounts"))
        .expect("accounts")
        .clone();
    assert!(accounts.postgres.rls_enabled && !accounts.postgres.rls_forced);
    assert_eq!(accounts.policies.len(), 3);
    let restrictive = accounts
        .policies
        .iter()
        .find(|p| p.name == "no_deletes")
        .expect("policy");
    assert!(!restrictive.permissive);
    assert_eq!(restrictive.command, PolicyCommand::Delete);
    assert!(
        accounts
            .policies
            .iter()
            .any(|p| p.comment.as_deref() == Some("read own rows"))
    );

    let realm = realm_of("identity").await;
    let c = realm
        .schema("public")
        .and_then(|s| s.table("c"))
        .expect("c")
        .clone();
    let identity = c.columns[0].identity.as_ref().expect("identity");
    assert_eq!(identity.generation, IdentityGeneration::Always);
    assert_eq!(identity.sequence.min_value, Some(5));
    assert_eq!(identity.sequence.cache, Some(20));
    assert!(identity.sequence.cycle);
    assert!(
        realm
            .schema("public")
            .is_some_and(|s| s.sequences.is_empty())
    );

    let realm = realm_of("serial").await;
    let public = realm.schema("public").expect("public");
    let id = &public.table("s1").expect("s1").columns[0];
    assert_eq!(
        id.default,
        Some(DefaultValue::Expr("nextval('s1_id_seq'::regclass)".into()))
    );
    // The sequence `serial` made belongs to its column, not to the schema's objects.
    assert!(
        public.sequences.iter().all(|s| s.name != "s1_id_seq"),
        "{:?}",
        public.sequences
    );
    assert_eq!(id.ty, ColumnType::int(IntWidth::Int));

    let realm = realm_of("generated").await;
    let area = &realm
        .schema("public")
        .and_then(|s| s.table("rect"))
        .expect("rect")
        .columns[2];
    assert!(
        area.generated
            .as_ref()
            .is_some_and(|g| g.stored && g.expr.contains("w * h"))
    );

    let realm = realm_of("arrays").await;
    let arr = realm
        .schema("public")
        .and_then(|s| s.table("arr"))
        .expect("arr")
        .clone();
    assert!(matches!(
        &arr.columns[1].ty,
        ColumnType::Array { dimensions: 2, .. }
    ));
    assert!(
        matches!(&arr.columns[2].ty, ColumnType::Array { element, .. } if **element == ColumnType::string(StringKind::Varchar, Some(20)))
    );

    let realm = realm_of("domain_enum_mix").await;
    let lib = realm.schema("lib").expect("lib");
    assert_eq!(lib.enums[0].values, ["red", "green"]);
    let short = lib
        .domains
        .iter()
        .find(|d| d.name == "short_text")
        .expect("domain");
    assert_eq!(short.collation.as_deref(), Some("C"));
    assert_eq!(short.checks.len(), 1);
    let palette = realm
        .schema("public")
        .and_then(|s| s.table("palette"))
        .expect("palette")
        .clone();
    assert_eq!(
        palette.columns[1].ty,
        ColumnType::Enum {
            name: Some(QualifiedName::qualified("lib", "color")),
            values: vec![]
        }
    );
    let local = lib.table("local_use").expect("local");
    assert_eq!(
        local.columns[0].ty,
        ColumnType::Enum {
            name: Some(QualifiedName::bare("color")),
            values: vec![]
        }
    );

    let realm = realm_of("composites").await;
    let public = realm.schema("public").expect("public");
    let address = public
        .composites
        .iter()
        .find(|c| c.name == "address")
        .expect("composite");
    assert_eq!(address.fields.len(), 3);
    assert_eq!(address.comment.as_deref(), Some("postal address"));

    let realm = realm_of("extensions").await;
    let names: Vec<&str> = realm.extensions.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["citext", "hstore", "pg_trgm"]);
    let public = realm.schema("public").expect("public");
    assert!(
        public.routines.is_empty(),
        "extension functions are left out"
    );
    let docs = public.table("docs").expect("docs");
    assert_eq!(docs.columns[1].ty, ColumnType::raw("citext"));
    let trgm = docs.index("docs_body_trgm").expect("index");
    assert_eq!(trgm.method.as_deref(), Some("gin"));
    assert_eq!(trgm.parts[0].opclass.as_deref(), Some("gin_trgm_ops"));

    let realm = realm_of("exclusion").await;
    let booking = realm
        .schema("public")
        .and_then(|s| s.table("booking"))
        .expect("booking")
        .clone();
    let ex = &booking.exclusions[0];
    assert_eq!(ex.method, "gist");
    assert_eq!(
        ex.elements
            .iter()
            .map(|(_, op)| op.as_str())
            .collect::<Vec<_>>(),
        ["=", "&&"]
    );
    assert!(ex.predicate.is_some());
    let dex = realm
        .schema("public")
        .and_then(|s| s.table("deferred_ex"))
        .expect("dex")
        .exclusions[0]
        .clone();
    assert_eq!(dex.deferrable, Deferrable::InitiallyDeferred);

    let realm = realm_of("index_features").await;
    let items = realm
        .schema("public")
        .and_then(|s| s.table("items"))
        .expect("items")
        .clone();
    let desc = items.index("items_name_desc").expect("desc");
    assert!(desc.parts[0].desc && desc.parts[0].nulls == Some(NullsOrder::Last));
    assert_eq!(desc.parts[1].nulls, Some(NullsOrder::First));
    assert_eq!(
        items.index("items_inc").expect("inc").include,
        ["name", "price"]
    );
    assert!(items.index("items_nnd").expect("nnd").nulls_not_distinct);
    assert!(
        items
            .index("items_sku_live")
            .expect("partial")
            .predicate
            .is_some()
    );
    assert_eq!(
        items.index("items_brin").expect("brin").storage_params,
        [("pages_per_range".into(), "32".into())]
    );
    assert_eq!(
        items.index("items_collate").expect("collate").parts[0]
            .collation
            .as_deref(),
        Some("C")
    );
    assert!(
        matches!(&items.index("items_lower_name").expect("expr").parts[0].target, IndexTarget::Expr(e) if e == "lower(name)")
    );
    let uniq = items.index("items_name_uniq").expect("constraint");
    assert!(uniq.constraint && uniq.comment.is_some());

    let realm = realm_of("fk_actions").await;
    let public = realm.schema("public").expect("public");
    let c2 = &public.table("c2").expect("c2").foreign_keys[0];
    assert_eq!(
        (c2.on_delete, c2.on_update),
        (ReferentialAction::SetNull, ReferentialAction::Restrict)
    );
    assert!(public.table("c4").expect("c4").foreign_keys[0].match_full);

    let realm = realm_of("deferrable").await;
    let public = realm.schema("public").expect("public");
    assert_eq!(
        public
            .table("parent")
            .expect("p")
            .index("parent_k_key")
            .expect("k")
            .deferrable,
        Deferrable::InitiallyDeferred
    );
    let child = public.table("child").expect("child");
    assert_eq!(
        child
            .foreign_key("child_parent2_fk")
            .expect("fk")
            .deferrable,
        Deferrable::InitiallyImmediate
    );

    let realm = realm_of("views").await;
    let public = realm.schema("public").expect("public");
    assert_eq!(
        public.view("emp_it").expect("v").check_option,
        Some(CheckOption::Local)
    );
    assert!(public.view("emp_secure").expect("v").security_invoker);
    assert_eq!(
        public.view("emp_names").expect("v").comment.as_deref(),
        Some("names only")
    );

    let realm = realm_of("matviews").await;
    let totals = realm
        .schema("public")
        .and_then(|s| s.view("sale_totals"))
        .expect("mv")
        .clone();
    assert!(totals.materialized);
    assert_eq!(totals.indexes.len(), 2);

    let realm = realm_of("functions").await;
    let public = realm.schema("public").expect("public");
    assert_eq!(
        public
            .routines
            .iter()
            .filter(|r| r.name == "add_one")
            .count(),
        2
    );
    let proc = public
        .routines
        .iter()
        .find(|r| r.name == "reset_counters")
        .expect("proc");
    assert_eq!(proc.kind, RoutineKind::Procedure);
    assert_eq!(proc.comment.as_deref(), Some("wipe"));
    assert!(
        proc.definition
            .starts_with("CREATE OR REPLACE PROCEDURE reset_counters(")
    );

    let realm = realm_of("triggers").await;
    let public = realm.schema("public").expect("public");
    let ct = public
        .triggers
        .iter()
        .find(|t| t.name == "audited_ct")
        .expect("constraint trigger");
    assert!(ct.constraint);
    assert!(
        public
            .triggers
            .iter()
            .any(|t| t.name == "disabled_one" && t.disabled)
    );
    assert!(public.triggers.iter().any(|t| t.on == "audited_v"));

    let realm = realm_of("unlogged_storage").await;
    let public = realm.schema("public").expect("public");
    assert!(public.table("cache_entries").expect("t").postgres.unlogged);
    assert_eq!(
        public
            .table("tuned")
            .expect("t")
            .postgres
            .storage_params
            .len(),
        2
    );

    let realm = realm_of("inherit").await;
    let capitals = realm
        .schema("public")
        .and_then(|s| s.table("capitals"))
        .expect("capitals")
        .clone();
    assert_eq!(capitals.postgres.inherits, [QualifiedName::bare("cities")]);
    let own: Vec<&str> = capitals
        .columns
        .iter()
        .filter(|c| !c.inherited)
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(own, ["state"], "only its own columns are declared");
    assert_eq!(
        capitals.columns.len(),
        4,
        "the inherited ones are kept, marked"
    );

    let realm = realm_of("sequences").await;
    let custom = realm
        .schema("public")
        .and_then(|s| s.sequences.iter().find(|s| s.name == "custom_seq").cloned())
        .expect("seq");
    assert_eq!(custom.options.increment, Some(5));
    assert_eq!(custom.options.start, Some(20));
    assert!(custom.options.cycle);

    drop(driver);
    db.drop_db().await;
}
