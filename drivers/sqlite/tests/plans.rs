//! Rendered plans (snapshots), planning errors, and executor/driver edge cases.

mod support;

use std::path::PathBuf;
use std::time::Duration;

use mercator_driver::{DevDatabase, Driver, DriverError, DriverExt, Locker};
use mercator_sqlite::{SqliteDialect, SqliteDriver};
use schema_diff::{Change, Dialect, DialectExt, DiffOptions, PlanError, PlanOptions, RenameHint};
use schema_model::*;
use support::*;

fn pair_plan(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/pairs.yml");
    let case = read_cases(&path, "")
        .into_iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no pair {name}"));
    let current = inspect(&load(&case.current).expect("current")).expect("inspect");
    let desired = inspect(&load(&case.desired).expect("desired")).expect("inspect");
    plan(&current, &desired).expect("plan").to_sql()
}

#[test]
fn in_place_alterations() {
    insta::assert_snapshot!(
        "add_not_null_column_with_default",
        pair_plan("AddNotNullColumnWithDefault")
    );
    insta::assert_snapshot!("index_changes", pair_plan("IndexChanges"));
    insta::assert_snapshot!("add_generated_columns", pair_plan("AddGeneratedColumns"));
}

#[test]
fn rebuilds() {
    insta::assert_snapshot!(
        "rebuild_keeps_triggers_and_views",
        pair_plan("RebuildKeepsTriggersAndViews")
    );
    insta::assert_snapshot!("drop_indexed_column", pair_plan("DropIndexedColumn"));
    insta::assert_snapshot!("add_foreign_key", pair_plan("AddForeignKey"));
    insta::assert_snapshot!("quoted_names_rebuild", pair_plan("QuotedNamesRebuild"));
}

#[test]
fn renames_use_alter_table() {
    let current =
        inspect(&load("CREATE TABLE a (x integer, y text);").expect("load")).expect("inspect");
    let desired =
        inspect(&load("CREATE TABLE b (x integer, z text);").expect("load")).expect("inspect");
    let options = DiffOptions::default()
        .rename(RenameHint::Table {
            schema: "main".into(),
            from: "a".into(),
            to: "b".into(),
        })
        .rename(RenameHint::Column {
            schema: "main".into(),
            table: "b".into(),
            from: "y".into(),
            to: "z".into(),
        });
    let changes = SqliteDialect.diff(&current, &desired, &options);
    let plan = SqliteDialect
        .plan(&changes, &PlanOptions::default())
        .expect("plan");
    insta::assert_snapshot!("renames", plan.to_sql());
    assert_eq!(
        plan.reverse().expect("reversible"),
        [
            r#"ALTER TABLE "b" RENAME COLUMN "z" TO "y""#,
            r#"ALTER TABLE "b" RENAME TO "a""#
        ]
    );
}

fn unsupported(change: Change) -> String {
    match SqliteDialect.plan(&[change], &PlanOptions::default()) {
        Err(PlanError::Unsupported { reason, .. }) => reason,
        Err(other) => panic!("expected an unsupported-change error, got {other}"),
        Ok(plan) => panic!("expected an error, got {plan:?}"),
    }
}

#[test]
fn kinds_sqlite_cannot_hold_are_errors() {
    let schema = || "main".to_string();
    let reasons = [
        unsupported(Change::AddEnum {
            schema: schema(),
            enum_type: EnumType {
                name: "e".into(),
                values: vec!["a".into()],
                comment: None,
            },
        }),
        unsupported(Change::AddDomain {
            schema: schema(),
            domain: Domain {
                name: "d".into(),
                ty: ColumnType::int(IntWidth::Int),
                nullable: true,
                default: None,
                collation: None,
                checks: vec![],
                comment: None,
            },
        }),
        unsupported(Change::AddSequence {
            schema: schema(),
            sequence: Sequence {
                name: "s".into(),
                ty: None,
                options: Default::default(),
                owned_by: None,
                comment: None,
            },
        }),
        unsupported(Change::AddExtension {
            extension: Extension {
                name: "x".into(),
                schema: "main".into(),
                version: None,
                comment: None,
            },
        }),
        unsupported(Change::AddRoutine {
            schema: schema(),
            routine: Routine {
                name: "f".into(),
                kind: RoutineKind::Function,
                args: String::new(),
                returns: None,
                language: None,
                definition: "CREATE FUNCTION f()".into(),
                comment: None,
            },
        }),
        unsupported(Change::AddSchema {
            schema: Schema::new("other"),
        }),
        unsupported(Change::AddTable {
            schema: "other".into(),
            table: Table::new("t"),
        }),
        unsupported(Change::DropSchema {
            schema: Schema::new("main"),
        }),
    ];
    insta::assert_snapshot!("unsupported_reasons", reasons.join("\n"));

    let mut table = Table::new("t").with_column(Column::new("a", ColumnType::int(IntWidth::Int)));
    let policy = Policy {
        name: "p".into(),
        permissive: true,
        command: PolicyCommand::All,
        roles: vec!["public".into()],
        using: Some("true".into()),
        with_check: None,
        comment: None,
    };
    table.policies.push(policy.clone());
    let reason = unsupported(Change::AddTable {
        schema: schema(),
        table: table.clone(),
    });
    assert!(reason.contains("row-level security"), "{reason}");
    let before = Table {
        policies: vec![],
        ..table.clone()
    };
    let reason = unsupported(Change::ModifyTable {
        schema: schema(),
        from: before,
        to: table,
        changes: vec![schema_diff::TableChange::AddPolicy { policy }],
    });
    assert!(reason.contains("row-level security"), "{reason}");
}

#[test]
fn hand_built_realms_normalize_to_inspected_spelling() {
    let rt = runtime();
    let mut users = Table::new("users")
        .with_column(Column::new("id", ColumnType::int(IntWidth::Int)).not_null())
        .with_column(
            Column::new(
                "created",
                ColumnType::Time {
                    time: TimeKind::TimestampTz,
                    precision: Some(3),
                    fields: None,
                },
            )
            .with_default(DefaultValue::Expr("CURRENT_TIMESTAMP".into())),
        )
        .with_column(
            Column::new(
                "n",
                ColumnType::Integer {
                    width: IntWidth::Big,
                    unsigned: true,
                    display_width: Some(20),
                },
            )
            .with_default(DefaultValue::Expr("(0)".into())),
        );
    users.primary_key = Some(PrimaryKey::on_columns(&["id"]));
    // MySQL-style: a BIGINT AUTO_INCREMENT key, and a flag SQLite cannot place.
    users.columns[0].ty = ColumnType::int(IntWidth::Big);
    users.columns[0].auto_increment = true;
    users.columns[2].auto_increment = true;
    users.comment = Some("not kept by SQLite".into());
    let desired = Realm::new(vec![Schema::new("main").with_table(users)]);
    let db = SqliteDriver::in_memory();
    let plan = plan(&empty_realm(), &desired).expect("plan");
    apply(&rt, &db, &plan).expect("apply");
    let inspected = inspect(&db).expect("inspect");
    assert!(
        SqliteDialect
            .diff(&inspected, &desired, &DiffOptions::default())
            .is_empty()
    );
}

#[test]
fn execute_reports_the_failing_statement_and_keeps_the_database() {
    let rt = runtime();
    let db = SqliteDriver::in_memory();
    let statements = vec![
        "CREATE TABLE a (id integer)".to_string(),
        "INSERT INTO a VALUES (1)".to_string(),
        "CREATE TABLE oops (".to_string(),
    ];
    let err = rt
        .block_on(db.execute(&statements))
        .expect_err("malformed SQL");
    match &err {
        DriverError::Exec {
            index,
            sql,
            applied,
            ..
        } => {
            assert_eq!(*index, 2);
            assert_eq!(sql, "CREATE TABLE oops (");
            assert!(applied.is_empty());
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().starts_with("statement 3 failed"), "{err}");
    rt.block_on(db.check_clean()).expect("database untouched");
}

#[test]
fn apply_rolls_back_and_checks_foreign_keys() {
    let rt = runtime();
    let db = load("CREATE TABLE p (id integer PRIMARY KEY); CREATE TABLE c (id integer PRIMARY KEY, p_id integer);\
                   INSERT INTO c VALUES (1, 42);")
    .expect("load");
    let current = inspect(&db).expect("inspect");
    let desired = inspect(&load("CREATE TABLE p (id integer PRIMARY KEY); CREATE TABLE c (id integer PRIMARY KEY, p_id integer REFERENCES p (id));").expect("load")).expect("inspect");
    let plan = plan(&current, &desired).expect("plan");
    let err = apply(&rt, &db, &plan).expect_err("orphan row must fail the check");
    assert!(err.contains("foreign key violations"), "{err}");
    // Rolled back: the table is as it was, and still holds its row.
    assert!(compare(&inspect(&db).expect("inspect"), &current).is_none());
    let rows: i64 = db
        .with_connection(|c| c.query_row("SELECT count(*) FROM c", [], |r| r.get(0)))
        .expect("count");
    assert_eq!(rows, 1);
    // Enforcement is back on after the apply.
    let on: i64 = db
        .with_connection(|c| c.query_row("PRAGMA foreign_keys", [], |r| r.get(0)))
        .expect("pragma");
    assert_eq!(on, 1);

    let bad = schema_diff::Plan {
        statements: vec![
            schema_diff::PlannedStatement {
                sql: "CREATE TABLE z (a int)".into(),
                comment: "ok".into(),
                change: 0,
                reverse: None,
                transactional: true,
            },
            schema_diff::PlannedStatement {
                sql: "CREATE TABLE z (a int)".into(),
                comment: "duplicate".into(),
                change: 1,
                reverse: None,
                transactional: true,
            },
        ],
        transactional: true,
    };
    match rt.block_on(db.apply(&bad)) {
        Err(DriverError::Exec {
            index: 1, applied, ..
        }) => assert!(applied.is_empty()),
        other => panic!("unexpected {other:?}"),
    }
    assert!(
        inspect(&db).expect("inspect").schemas[0]
            .table("z")
            .is_none()
    );
}

#[test]
fn dev_database_clean_and_reset() {
    let rt = runtime();
    let db = load(
        "CREATE TABLE p (id integer PRIMARY KEY AUTOINCREMENT); CREATE TABLE c (p_id integer REFERENCES p);\
         CREATE INDEX c_p ON c (p_id); CREATE VIEW v AS SELECT * FROM c;\
         CREATE TRIGGER tr AFTER INSERT ON c BEGIN SELECT 1; END; INSERT INTO p DEFAULT VALUES;",
    )
    .expect("load");
    let err = rt.block_on(db.check_clean()).expect_err("not clean");
    assert_eq!(
        err.to_string(),
        r#"dev database sqlite://dev?mode=memory is not clean: found table "c" in schema "main""#
    );
    rt.block_on(db.reset()).expect("reset");
    rt.block_on(db.check_clean()).expect("clean after reset");
    assert_eq!(db.bound_schema(), Some("main"));
    assert_eq!(db.kind(), schema_model::DialectKind::Sqlite);
}

#[test]
fn lock_files_exclude_each_other() {
    let rt = runtime();
    let dir = mercator_testkit::TempDir::new();
    let url = dir.sqlite_url("locked.db");
    let first = SqliteDriver::open(&url).expect("open");
    let second = SqliteDriver::open(&url).expect("open");
    rt.block_on(first.lock("atlas_migrate_execute", Duration::from_secs(1)))
        .expect("lock");
    let err = rt
        .block_on(second.lock("atlas_migrate_execute", Duration::from_millis(200)))
        .expect_err("held");
    assert!(matches!(err, DriverError::Locked { .. }), "{err}");
    // Another name is independent.
    rt.block_on(second.lock("other", Duration::from_millis(200)))
        .expect("other lock");
    rt.block_on(first.unlock("atlas_migrate_execute"))
        .expect("unlock");
    rt.block_on(second.lock("atlas_migrate_execute", Duration::from_secs(1)))
        .expect("lock after unlock");
    rt.block_on(second.close()).expect("close releases");
    rt.block_on(first.lock("atlas_migrate_execute", Duration::from_secs(1)))
        .expect("lock after close");
}

#[test]
fn urls() {
    let missing =
        SqliteDriver::open("sqlite:///nonexistent-dir-mercator/sub/x.db").expect_err("missing dir");
    assert!(matches!(missing, DriverError::Connect { .. }));
    assert_eq!(missing.to_string().lines().count(), 1, "{missing}");
    assert!(missing.to_string().contains("does not exist"), "{missing}");

    let temp = mercator_testkit::TempDir::new();
    let dir = temp.path();
    let junk = dir.join("junk.db");
    std::fs::write(&junk, vec![b'x'; 4096]).expect("write");
    let not_db =
        SqliteDriver::open(&format!("sqlite3://{}", junk.display())).expect_err("not a database");
    assert!(matches!(not_db, DriverError::Connect { .. }), "{not_db}");
    assert_eq!(not_db.to_string().lines().count(), 1, "{not_db}");

    let file = SqliteDriver::open(&format!("sqlite3://{}/ok.db", dir.display())).expect("file db");
    drop(file);
    assert!(dir.join("ok.db").exists());
    assert!(matches!(
        SqliteDriver::open("postgres://x"),
        Err(DriverError::InvalidUrl { .. })
    ));
    SqliteDriver::open("sqlite://dev?mode=memory").expect("memory");
    // A shared in-memory database is seen by both connections.
    let name = format!(
        "sqlite://file:mercator_shared_{}?mode=memory&cache=shared",
        std::process::id()
    );
    let one = SqliteDriver::open(&name).expect("shared memory");
    let two = SqliteDriver::open(&name).expect("shared memory");
    one.with_connection(|c| c.execute_batch("CREATE TABLE shared (x int)"))
        .expect("create");
    assert_eq!(inspect(&two).expect("inspect").table_count(), 1);
}

#[test]
fn inspection_reads_what_the_pragmas_leave_out() {
    let db = load(
        "CREATE VIRTUAL TABLE docs_fts USING fts5(title, body);
         CREATE TABLE p (id integer PRIMARY KEY AUTOINCREMENT, code text UNIQUE, b text);
         CREATE UNIQUE INDEX p_code_key ON p (b);
         CREATE TABLE c (
           id integer, x integer REFERENCES p MATCH FULL DEFERRABLE INITIALLY DEFERRED,
           y integer CONSTRAINT c_y CHECK (y > 0),
           g integer AS (x + y) STORED,
           d1 text DEFAULT 'a', d2 text DEFAULT CURRENT_TIMESTAMP, d3 integer DEFAULT (1 + 1),
           PRIMARY KEY (id), CONSTRAINT c_p FOREIGN KEY (y) REFERENCES p (id) ON DELETE CASCADE,
           CHECK (x <> y)
         ) STRICT, WITHOUT ROWID;",
    )
    .expect("load");
    let realm = inspect(&db).expect("inspect");
    let schema = &realm.schemas[0];
    let names: Vec<&str> = schema.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        ["c", "p"],
        "virtual tables and their shadow tables are left out"
    );

    let p = schema.table("p").expect("p");
    assert!(p.column("id").is_some_and(|c| c.auto_increment));
    let mut index_names: Vec<(&str, bool)> = p
        .indexes
        .iter()
        .map(|i| (i.name.as_str(), i.constraint))
        .collect();
    index_names.sort();
    assert_eq!(index_names, [("p_code_key", false), ("p_code_key_2", true)]);

    let c = schema.table("c").expect("c");
    assert!(c.sqlite.strict && c.sqlite.without_rowid);
    let mut fks: Vec<(&str, bool, Deferrable, ReferentialAction, Vec<String>)> = c
        .foreign_keys
        .iter()
        .map(|f| {
            (
                f.name.as_str(),
                f.match_full,
                f.deferrable,
                f.on_delete,
                f.ref_columns.clone(),
            )
        })
        .collect();
    fks.sort_by(|a, b| a.0.cmp(b.0));
    assert_eq!(
        fks,
        [
            (
                "c_p",
                false,
                Deferrable::Not,
                ReferentialAction::Cascade,
                vec!["id".to_string()]
            ),
            (
                "c_x_fkey",
                true,
                Deferrable::InitiallyDeferred,
                ReferentialAction::NoAction,
                vec!["id".to_string()]
            ),
        ]
    );
    let checks: Vec<(Option<&str>, &str)> = c
        .checks
        .iter()
        .map(|k| (k.name.as_deref(), k.expr.as_str()))
        .collect();
    assert_eq!(checks, [(Some("c_y"), "y > 0"), (None, "x <> y")]);
    assert_eq!(
        c.column("g").and_then(|g| g.generated.clone()),
        Some(Generated {
            expr: "x + y".into(),
            stored: true
        })
    );
    let defaults: Vec<Option<DefaultValue>> = ["d1", "d2", "d3"]
        .iter()
        .map(|n| c.column(n).and_then(|col| col.default.clone()))
        .collect();
    assert_eq!(
        defaults,
        [
            Some(DefaultValue::Literal("'a'".into())),
            Some(DefaultValue::Expr("CURRENT_TIMESTAMP".into())),
            Some(DefaultValue::Expr("1 + 1".into())),
        ]
    );
}
