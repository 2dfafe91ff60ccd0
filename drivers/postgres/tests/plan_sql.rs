//! Rendered SQL of each change kind (no server needed).

use mercator_postgres::PostgresDialect;
use schema_diff::{Change, ColumnChanges, Dialect, PlanOptions, TableChange};
use schema_model::*;

fn sql(changes: Vec<Change>, options: &PlanOptions) -> Vec<String> {
    PostgresDialect
        .plan(&changes, options)
        .expect("plan")
        .statements
        .into_iter()
        .map(|s| s.sql)
        .collect()
}

fn public() -> PlanOptions {
    PlanOptions {
        unqualified_schema: Some("public".into()),
        concurrent_indexes: false,
    }
}

fn users() -> Table {
    let mut t = Table::new("users")
        .with_column(Column {
            identity: Some(Identity {
                generation: IdentityGeneration::Always,
                sequence: SequenceOptions {
                    start: Some(10),
                    ..Default::default()
                },
            }),
            ..Column::new("id", ColumnType::int(IntWidth::Big)).not_null()
        })
        .with_column(
            Column::new("email", ColumnType::string(StringKind::Varchar, Some(255)))
                .not_null()
                .with_default(DefaultValue::Literal("''::character varying".into())),
        )
        .with_column(Column {
            collation: Some("C".into()),
            comment: Some("it's".into()),
            ..Column::new("name", ColumnType::string(StringKind::Text, None))
        });
    t.primary_key = Some(PrimaryKey {
        name: Some("users_pkey".into()),
        ..PrimaryKey::on_columns(&["id"])
    });
    let mut idx = Index::on_columns("users_email", &["email"]);
    idx.unique = true;
    idx.predicate = Some("email <> ''::text".into());
    t.indexes.push(idx);
    t
}

#[test]
fn create_table_with_everything_inline() {
    let out = sql(
        vec![Change::AddTable {
            schema: "public".into(),
            table: users(),
        }],
        &public(),
    );
    assert_eq!(
        out,
        [
            "CREATE TABLE \"users\" (\n  \"id\" bigint GENERATED ALWAYS AS IDENTITY (START WITH 10) NOT NULL,\n  \"email\" character varying(255) NOT NULL DEFAULT ''::character varying,\n  \"name\" text COLLATE \"C\",\n  CONSTRAINT \"users_pkey\" PRIMARY KEY (\"id\")\n)",
            "CREATE UNIQUE INDEX \"users_email\" ON \"users\" (\"email\") WHERE (email <> ''::text)",
            "COMMENT ON COLUMN \"users\".\"name\" IS 'it''s'",
        ]
    );
}

#[test]
fn names_are_qualified_outside_the_unqualified_schema() {
    let out = sql(
        vec![Change::DropTable {
            schema: "app".into(),
            table: users(),
        }],
        &public(),
    );
    assert_eq!(out, ["DROP TABLE \"app\".\"users\""]);
}

#[test]
fn column_changes() {
    let from = Column::new("n", ColumnType::int(IntWidth::Int));
    let to = Column::new("n", ColumnType::int(IntWidth::Big))
        .not_null()
        .with_default(DefaultValue::Literal("0".into()));
    let changes = vec![
        TableChange::AddColumn {
            column: Column::new("added", ColumnType::Json { binary: true }),
        },
        TableChange::DropColumn {
            column: Column::new("gone", ColumnType::Boolean),
        },
        TableChange::ModifyColumn {
            from: from.clone(),
            to: to.clone(),
            changes: ColumnChanges {
                ty: true,
                nullable: true,
                default: true,
                ..Default::default()
            },
        },
        TableChange::RenameColumn {
            from: "a".into(),
            to: "b".into(),
        },
    ];
    let out = sql(
        vec![Change::ModifyTable {
            schema: "public".into(),
            from: Table::new("t"),
            to: Table::new("t"),
            changes,
        }],
        &public(),
    );
    assert_eq!(
        out,
        [
            "ALTER TABLE \"t\" ADD COLUMN \"added\" jsonb",
            "ALTER TABLE \"t\" DROP COLUMN \"gone\"",
            "ALTER TABLE \"t\" ALTER COLUMN \"n\" TYPE bigint USING \"n\"::bigint",
            "ALTER TABLE \"t\" ALTER COLUMN \"n\" SET NOT NULL",
            "ALTER TABLE \"t\" ALTER COLUMN \"n\" SET DEFAULT 0",
            "ALTER TABLE \"t\" RENAME COLUMN \"a\" TO \"b\"",
        ]
    );
}

#[test]
fn constraints_and_keys() {
    let fk = ForeignKey {
        name: "t_p_fk".into(),
        columns: vec!["p".into()],
        ref_table: QualifiedName::qualified("other", "p"),
        ref_columns: vec!["id".into()],
        on_update: ReferentialAction::Cascade,
        on_delete: ReferentialAction::SetNull,
        deferrable: Deferrable::InitiallyDeferred,
        match_full: true,
    };
    let check = Check {
        name: Some("pos".into()),
        expr: "v > 0".into(),
        no_inherit: true,
        not_enforced: false,
    };
    let exclusion = Exclusion {
        name: "no_overlap".into(),
        method: "gist".into(),
        elements: vec![
            (IndexPart::column("room"), "=".into()),
            (IndexPart::column("during"), "&&".into()),
        ],
        predicate: Some("NOT cancelled".into()),
        include: vec![],
        deferrable: Deferrable::Not,
    };
    let mut unique = Index::on_columns("t_code_key", &["code"]);
    unique.unique = true;
    unique.constraint = true;
    unique.nulls_not_distinct = true;
    let out = sql(
        vec![Change::ModifyTable {
            schema: "public".into(),
            from: Table::new("t"),
            to: Table::new("t"),
            changes: vec![
                TableChange::AddForeignKey { key: fk.clone() },
                TableChange::DropForeignKey { key: fk },
                TableChange::AddCheck { check },
                TableChange::AddExclusion { exclusion },
                TableChange::AddIndex {
                    index: unique.clone(),
                },
                TableChange::DropIndex { index: unique },
                TableChange::AddPrimaryKey {
                    key: PrimaryKey::on_columns(&["id"]),
                },
            ],
        }],
        &public(),
    );
    assert_eq!(
        out,
        [
            "ALTER TABLE \"t\" ADD CONSTRAINT \"t_p_fk\" FOREIGN KEY (\"p\") REFERENCES \"other\".\"p\" (\"id\") MATCH FULL ON UPDATE CASCADE ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED",
            "ALTER TABLE \"t\" DROP CONSTRAINT \"t_p_fk\"",
            "ALTER TABLE \"t\" ADD CONSTRAINT \"pos\" CHECK (v > 0) NO INHERIT",
            "ALTER TABLE \"t\" ADD CONSTRAINT \"no_overlap\" EXCLUDE USING gist (\"room\" WITH =, \"during\" WITH &&) WHERE (NOT cancelled)",
            "ALTER TABLE \"t\" ADD CONSTRAINT \"t_code_key\" UNIQUE NULLS NOT DISTINCT (\"code\")",
            "ALTER TABLE \"t\" DROP CONSTRAINT \"t_code_key\"",
            "ALTER TABLE \"t\" ADD PRIMARY KEY (\"id\")",
        ]
    );
}

#[test]
fn concurrent_indexes_run_outside_the_transaction() {
    let mut idx = Index::on_columns("t_lower", &[]);
    idx.parts = vec![
        IndexPart::expr("lower(name)"),
        IndexPart {
            desc: true,
            nulls: Some(NullsOrder::Last),
            opclass: Some("text_pattern_ops".into()),
            ..IndexPart::column("code")
        },
    ];
    idx.method = Some("btree".into());
    idx.include = vec!["x".into()];
    idx.storage_params = vec![("fillfactor".into(), "70".into())];
    let plan = PostgresDialect
        .plan(
            &[Change::ModifyTable {
                schema: "public".into(),
                from: Table::new("t"),
                to: Table::new("t"),
                changes: vec![
                    TableChange::AddIndex { index: idx.clone() },
                    TableChange::DropIndex {
                        index: Index::on_columns("old", &["a"]),
                    },
                ],
            }],
            &PlanOptions {
                unqualified_schema: None,
                concurrent_indexes: true,
            },
        )
        .expect("plan");
    let out: Vec<(&str, bool)> = plan
        .statements
        .iter()
        .map(|s| (s.sql.as_str(), s.transactional))
        .collect();
    assert_eq!(
        out,
        [
            ("DROP INDEX CONCURRENTLY \"public\".\"old\"", false),
            (
                "CREATE INDEX CONCURRENTLY \"t_lower\" ON \"public\".\"t\" USING btree ((lower(name)), \"code\" text_pattern_ops DESC NULLS LAST) INCLUDE (\"x\") WITH (fillfactor = 70)",
                false
            ),
        ]
    );
}

#[test]
fn types_sequences_and_policies() {
    let mood = EnumType {
        name: "mood".into(),
        values: vec!["sad".into(), "happy".into()],
        comment: None,
    };
    let mut mood2 = mood.clone();
    mood2.values.insert(1, "ok".into());
    let domain = Domain {
        name: "posint".into(),
        ty: ColumnType::int(IntWidth::Int),
        nullable: false,
        default: Some(DefaultValue::Literal("1".into())),
        collation: None,
        checks: vec![Check {
            name: Some("posint_check".into()),
            expr: "VALUE > 0".into(),
            no_inherit: false,
            not_enforced: false,
        }],
        comment: None,
    };
    let composite = CompositeType {
        name: "pair".into(),
        fields: vec![CompositeField {
            name: "a".into(),
            ty: ColumnType::Enum {
                name: Some(QualifiedName::bare("mood")),
                values: vec![],
            },
            collation: None,
        }],
        comment: Some("two".into()),
    };
    let sequence = Sequence {
        name: "s".into(),
        ty: Some(ColumnType::int(IntWidth::Int)),
        options: SequenceOptions {
            increment: Some(5),
            cycle: true,
            ..Default::default()
        },
        owned_by: Some(("t".into(), "id".into())),
        comment: None,
    };
    let policy = Policy {
        name: "own".into(),
        permissive: false,
        command: PolicyCommand::Update,
        roles: vec!["public".into()],
        using: Some("owner = CURRENT_USER".into()),
        with_check: None,
        comment: None,
    };
    let out = sql(
        vec![
            Change::AddEnum {
                schema: "public".into(),
                enum_type: mood.clone(),
            },
            Change::ModifyEnum {
                schema: "public".into(),
                from: mood,
                to: mood2,
                added: vec![("ok".into(), Some("sad".into()))],
            },
            Change::AddDomain {
                schema: "public".into(),
                domain,
            },
            Change::AddComposite {
                schema: "public".into(),
                composite,
            },
            Change::AddSequence {
                schema: "public".into(),
                sequence,
            },
            Change::ModifyTable {
                schema: "public".into(),
                from: Table::new("t"),
                to: Table::new("t"),
                changes: vec![TableChange::AddPolicy { policy }],
            },
        ],
        &public(),
    );
    assert_eq!(
        out,
        [
            "ALTER TYPE \"mood\" ADD VALUE 'ok' AFTER 'sad'",
            "CREATE TYPE \"mood\" AS ENUM ('sad', 'happy')",
            "CREATE DOMAIN \"posint\" AS integer DEFAULT 1 NOT NULL CONSTRAINT \"posint_check\" CHECK (VALUE > 0)",
            "CREATE TYPE \"pair\" AS (\"a\" \"mood\")",
            "COMMENT ON TYPE \"pair\" IS 'two'",
            "CREATE SEQUENCE \"s\" AS integer INCREMENT BY 5 CYCLE",
            "CREATE POLICY \"own\" ON \"t\" AS RESTRICTIVE FOR UPDATE TO PUBLIC USING (owner = CURRENT_USER)",
            "ALTER SEQUENCE \"s\" OWNED BY \"t\".\"id\"",
        ]
    );
}

#[test]
fn views_routines_triggers_extensions() {
    let mut view = View::new("v", "SELECT 1 AS a");
    view.materialized = true;
    view.indexes.push(Index::on_columns("v_a", &["a"]));
    let routine = Routine {
        name: "f".into(),
        kind: RoutineKind::Function,
        args: "integer".into(),
        returns: Some("integer".into()),
        language: Some("sql".into()),
        definition: "CREATE OR REPLACE FUNCTION public.f(integer) RETURNS integer LANGUAGE sql AS $$ select 1 $$".into(),
        comment: None,
    };
    let trigger = Trigger {
        name: "tr".into(),
        on: "t".into(),
        definition: "CREATE TRIGGER tr BEFORE INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION f()"
            .into(),
        constraint: false,
        disabled: true,
        comment: None,
    };
    let out = sql(
        vec![
            Change::AddExtension {
                extension: Extension {
                    name: "citext".into(),
                    schema: "public".into(),
                    version: Some("1.6".into()),
                    comment: None,
                },
            },
            Change::AddView {
                schema: "public".into(),
                view: view.clone(),
            },
            Change::DropView {
                schema: "public".into(),
                view,
            },
            Change::DropRoutine {
                schema: "public".into(),
                routine,
            },
            Change::AddTrigger {
                schema: "public".into(),
                trigger,
            },
        ],
        &public(),
    );
    assert_eq!(
        out,
        [
            "CREATE EXTENSION IF NOT EXISTS \"citext\" WITH SCHEMA \"public\" VERSION '1.6'",
            "CREATE MATERIALIZED VIEW \"v\" AS SELECT 1 AS a",
            "CREATE INDEX \"v_a\" ON \"v\" (\"a\")",
            "DROP MATERIALIZED VIEW \"v\"",
            "DROP FUNCTION \"f\"(integer)",
            "CREATE TRIGGER tr BEFORE INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION f()",
            "ALTER TABLE \"t\" DISABLE TRIGGER \"tr\"",
        ]
    );
}

#[test]
fn hand_built_realms_normalize_to_inspected_spelling() {
    let mut column = Column::new(
        "n",
        ColumnType::Integer {
            width: IntWidth::Medium,
            unsigned: false,
            display_width: Some(9),
        },
    );
    column.identity = Some(Identity {
        generation: IdentityGeneration::ByDefault,
        sequence: SequenceOptions {
            increment: Some(1),
            start: Some(1),
            ..Default::default()
        },
    });
    let mut table = Table::new("t").with_column(column).with_column(Column::new(
        "s",
        ColumnType::string(StringKind::MediumText, None),
    ));
    table.primary_key = Some(PrimaryKey::on_columns(&["n"]));
    let mut realm = Realm::new(vec![Schema::new("public").with_table(table)]);
    PostgresDialect.normalize(&mut realm);
    let t = &realm.schemas[0].tables[0];
    assert_eq!(t.columns[0].ty, ColumnType::int(IntWidth::Int));
    assert_eq!(
        t.columns[0].identity.as_ref().map(|i| i.sequence.clone()),
        Some(SequenceOptions::default())
    );
    assert_eq!(t.columns[1].ty, ColumnType::string(StringKind::Text, None));
    assert_eq!(
        t.primary_key
            .as_ref()
            .and_then(|k| k.name.clone())
            .as_deref(),
        Some("t_pkey")
    );
}
