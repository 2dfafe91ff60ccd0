//! Every built-in analyzer at the change-set level: positive cases, look-alikes that must
//! stay quiet, and `nolint` suppression.
// Tables are cloned into slices for the before/after states; that reads better here.
#![allow(clippy::cloned_ref_to_slice_refs)]

mod common;

use common::*;
use schema_diff::RenameHint;
use schema_lint::{ChangeSet, Linter, MigrationFile, Severity, Statement, Suppression, TableSizes};
use schema_model::*;

fn users() -> Table {
    with_pk(
        table("users", &[col("id").not_null(), col("email"), col("age")]),
        &["id"],
    )
}

// ---------------------------------------------------------------- destructive

#[test]
fn ds102_drop_table_with_line_fix_and_preflight() {
    let r = run(
        DialectKind::Postgres,
        vec![file(
            "2_drop.sql",
            vec![(3, "DROP TABLE users;", step(&[users()], &[]))],
        )],
    );
    assert_eq!(codes(&r), ["DS102"]);
    let d = &r.diagnostics[0];
    assert_eq!(
        (d.line, d.severity, d.analyzer.as_str()),
        (Some(3), Severity::Error, "destructive")
    );
    assert_eq!(d.file.as_deref(), Some("2_drop.sql"));
    assert!(d.fix.as_deref().is_some_and(|f| f.contains("empty")));
    assert_eq!(
        d.preflight.as_ref().map(|p| p.sql.as_str()),
        Some(r#"SELECT "id" FROM "public"."users" LIMIT 10"#)
    );
}

#[test]
fn ds102_skips_tables_created_in_the_same_file_only() {
    let created = step(&[], &[users()]);
    let dropped = step(&[users()], &[]);
    let same = file(
        "1.sql",
        vec![
            (1, "CREATE TABLE users (…);", created.clone()),
            (2, "DROP TABLE users;", dropped.clone()),
        ],
    );
    assert!(run(DialectKind::Sqlite, vec![same]).diagnostics.is_empty());
    let split = vec![
        file("1.sql", vec![(1, "CREATE TABLE users (…);", created)]),
        file("2.sql", vec![(1, "DROP TABLE users;", dropped)]),
    ];
    let r = run(DialectKind::Sqlite, split);
    assert_eq!(codes(&r), ["DS102"]);
    assert_eq!(r.diagnostics[0].position.file, 1);
}

#[test]
fn ds101_reports_the_schema_not_its_tables() {
    let before = Realm::new(vec![
        Schema::new("public"),
        Schema::new("x").with_table(users()),
    ]);
    let changes = schema_diff::diff(&before, &realm(&[]), &Default::default());
    let r = run(
        DialectKind::Postgres,
        vec![file("1.sql", vec![(1, "DROP SCHEMA x CASCADE;", changes)])],
    );
    assert_eq!(codes(&r), ["DS101"]);
}

#[test]
fn ds103_non_virtual_columns_only() {
    let narrow = with_pk(
        table("users", &[col("id").not_null(), col("email")]),
        &["id"],
    );
    let r = run(
        DialectKind::Mysql,
        vec![file(
            "1.sql",
            vec![(
                1,
                "ALTER TABLE users DROP age;",
                step(&[users()], &[narrow.clone()]),
            )],
        )],
    );
    assert_eq!(codes(&r), ["DS103"]);
    assert_eq!(
        r.diagnostics[0].preflight.as_ref().map(|p| p.sql.as_str()),
        Some("SELECT `id` FROM `public`.`users` WHERE `age` IS NOT NULL LIMIT 10")
    );
    let mut virt = users();
    virt.columns[2].generated = Some(Generated {
        expr: "id + 1".into(),
        stored: false,
    });
    let r = run(
        DialectKind::Mysql,
        vec![file(
            "1.sql",
            vec![(1, "ALTER TABLE users DROP age;", step(&[virt], &[narrow]))],
        )],
    );
    assert!(r.diagnostics.is_empty());
}

#[test]
fn nolint_by_code_analyzer_and_file() {
    let dropped = step(&[users()], &[]);
    let statement =
        |s: Suppression| Statement::new(1, "DROP TABLE users;", dropped.clone()).suppress(s);
    for s in [
        Suppression::all(),
        Suppression::only(["DS102"]),
        Suppression::only(["destructive"]),
    ] {
        let f = MigrationFile::new("1.sql").with_statement(statement(s));
        let r = Linter::default().run(&ChangeSet::new(vec![f]), None);
        assert!(r.diagnostics.is_empty());
        assert_eq!(r.suppressed, 1);
    }
    // A directive for another code leaves the finding.
    let f = MigrationFile::new("1.sql")
        .with_statement(statement(Suppression::only(["DS103", "data_depend"])));
    assert_eq!(
        codes(&Linter::default().run(&ChangeSet::new(vec![f]), None)),
        ["DS102"]
    );
    // File level: bare skips the file; with arguments silences those codes only.
    let f = MigrationFile::new("1.sql")
        .suppress(Suppression::all())
        .with_statement(Statement::new(1, "DROP TABLE users;", dropped.clone()));
    assert!(
        Linter::default()
            .run(&ChangeSet::new(vec![f]), None)
            .diagnostics
            .is_empty()
    );
    let f = MigrationFile::new("1.sql")
        .suppress(Suppression::only(["CD101"]))
        .with_statement(Statement::new(1, "DROP TABLE users;", dropped));
    assert_eq!(
        codes(&Linter::default().run(&ChangeSet::new(vec![f]), None)),
        ["DS102"]
    );
}

// ---------------------------------------------------------------- data_depend

#[test]
fn mf101_unique_index_on_existing_columns() {
    let mut unique = users();
    unique.indexes.push(idx("users_email", &["email"], true));
    let r = run(
        DialectKind::Postgres,
        vec![file(
            "1.sql",
            vec![(
                2,
                "CREATE UNIQUE INDEX …",
                step(&[users()], &[unique.clone()]),
            )],
        )],
    );
    assert!(codes(&r).contains(&"MF101".to_owned()), "{:?}", codes(&r));
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.code == "MF101")
        .expect("MF101");
    assert_eq!(
        d.preflight.as_ref().map(|p| p.sql.as_str()),
        Some(
            r#"SELECT "email", COUNT(*) AS duplicates FROM "public"."users" WHERE "email" IS NOT NULL GROUP BY "email" HAVING COUNT(*) > 1 LIMIT 10"#
        )
    );

    // Look-alike: the column was added earlier in the same file.
    let mut added = users();
    added.columns.push(col("nick"));
    let mut added_unique = added.clone();
    added_unique
        .indexes
        .push(idx("users_nick", &["nick"], true));
    let r = run(
        DialectKind::Sqlite,
        vec![file(
            "1.sql",
            vec![
                (
                    1,
                    "ALTER TABLE users ADD nick int;",
                    step(&[users()], &[added.clone()]),
                ),
                (
                    2,
                    "CREATE UNIQUE INDEX users_nick ON users (nick);",
                    step(&[added], &[added_unique]),
                ),
            ],
        )],
    );
    assert!(r.diagnostics.is_empty(), "{:?}", codes(&r));
}

#[test]
fn mf102_index_made_unique() {
    let mut plain = users();
    plain.indexes.push(idx("users_email", &["email"], false));
    let mut unique = plain.clone();
    unique.indexes[0].unique = true;
    let r = run(
        DialectKind::Sqlite,
        vec![file("1.sql", vec![(1, "…", step(&[plain], &[unique]))])],
    );
    assert_eq!(codes(&r), ["MF102"]);
}

#[test]
fn mf103_and_its_look_alikes() {
    let with = |c: Column| {
        let mut t = users();
        t.columns.push(c);
        t
    };
    let add = |c: Column, dialect| {
        run(
            dialect,
            vec![file(
                "1.sql",
                vec![(1, "ALTER TABLE users ADD …;", step(&[users()], &[with(c)]))],
            )],
        )
    };
    assert_eq!(
        codes(&add(col("n").not_null(), DialectKind::Postgres)),
        ["MF103"]
    );
    // MySQL fills zero values instead of failing: MY101.
    assert_eq!(
        codes(&add(col("n").not_null(), DialectKind::Mysql)),
        ["MY101"]
    );
    assert!(add(col("n"), DialectKind::Postgres).diagnostics.is_empty());
    let defaulted = col("n")
        .not_null()
        .with_default(DefaultValue::Literal("0".into()));
    assert!(add(defaulted, DialectKind::Postgres).diagnostics.is_empty());
    // Created in the same file.
    let r = run(
        DialectKind::Postgres,
        vec![file(
            "1.sql",
            vec![
                (1, "CREATE TABLE users …;", step(&[], &[users()])),
                (
                    5,
                    "ALTER TABLE users ADD n int NOT NULL;",
                    step(&[users()], &[with(col("n").not_null())]),
                ),
            ],
        )],
    );
    assert!(r.diagnostics.is_empty(), "{:?}", codes(&r));
}

#[test]
fn mf104_and_lt101_nullable_to_not_null() {
    let mut strict = users();
    strict.columns[1].nullable = false;
    let r = run(
        DialectKind::Postgres,
        vec![file(
            "1.sql",
            vec![(1, "…", step(&[users()], &[strict.clone()]))],
        )],
    );
    assert_eq!(codes(&r), ["MF104", "PG303"]);
    assert_eq!(
        r.diagnostics[0].preflight.as_ref().map(|p| p.sql.as_str()),
        Some(r#"SELECT "id" FROM "public"."users" WHERE "email" IS NULL LIMIT 10"#)
    );
    let r = run(
        DialectKind::Sqlite,
        vec![file(
            "1.sql",
            vec![(1, "…", step(&[users()], &[strict.clone()]))],
        )],
    );
    assert_eq!(codes(&r), ["LT101"]);
    // SQLite copies NULLs through the new DEFAULT.
    let mut defaulted = strict;
    defaulted.columns[1].default = Some(DefaultValue::Literal("''".into()));
    let r = run(
        DialectKind::Sqlite,
        vec![file(
            "1.sql",
            vec![(1, "…", step(&[users()], &[defaulted]))],
        )],
    );
    assert!(r.diagnostics.is_empty(), "{:?}", codes(&r));
}

#[test]
fn mc101_check_mc103_foreign_key_and_not_valid() {
    let mut checked = users();
    checked.checks.push(Check {
        name: Some("adult".into()),
        expr: "age >= 18".into(),
        no_inherit: false,
        not_enforced: false,
    });
    let r = run(
        DialectKind::Sqlite,
        vec![file(
            "1.sql",
            vec![(1, "…", step(&[users()], &[checked.clone()]))],
        )],
    );
    assert_eq!(codes(&r), ["MC101"]);
    assert_eq!(
        r.diagnostics[0].preflight.as_ref().map(|p| p.sql.as_str()),
        Some(r#"SELECT "id" FROM "public"."users" WHERE NOT (age >= 18) LIMIT 10"#)
    );
    let sql = "ALTER TABLE users ADD CONSTRAINT adult CHECK (age >= 18) NOT VALID;";
    let r = run(
        DialectKind::Postgres,
        vec![file("1.sql", vec![(1, sql, step(&[users()], &[checked]))])],
    );
    assert!(r.diagnostics.is_empty(), "{:?}", codes(&r));

    let parent = with_pk(table("orgs", &[col("id").not_null()]), &["id"]);
    let mut linked = users();
    linked
        .foreign_keys
        .push(fk("users_org", &["age"], "orgs", &["id"]));
    let r = run(
        DialectKind::Sqlite,
        vec![file(
            "1.sql",
            vec![(
                1,
                "…",
                step(
                    &[parent.clone(), users()],
                    &[parent.clone(), linked.clone()],
                ),
            )],
        )],
    );
    assert_eq!(codes(&r), ["MC103"]);
    let sql = "ALTER TABLE users ADD CONSTRAINT users_org FOREIGN KEY (age) REFERENCES orgs (id) NOT VALID;";
    let r = run(
        DialectKind::Postgres,
        vec![file(
            "1.sql",
            vec![(1, sql, step(&[parent.clone(), users()], &[parent, linked]))],
        )],
    );
    assert!(r.diagnostics.is_empty(), "{:?}", codes(&r));
}

#[test]
fn mc102_narrowing_but_not_widening() {
    let text = |n| {
        let mut t = users();
        t.columns[1].ty = ColumnType::string(StringKind::Varchar, Some(n));
        t
    };
    let r = run(
        DialectKind::Mysql,
        vec![file(
            "1.sql",
            vec![(1, "…", step(&[text(255)], &[text(50)]))],
        )],
    );
    assert_eq!(codes(&r), ["MC102"]);
    assert_eq!(
        r.diagnostics[0].preflight.as_ref().map(|p| p.sql.as_str()),
        Some("SELECT `id` FROM `public`.`users` WHERE CHAR_LENGTH(`email`) > 50 LIMIT 10")
    );
    assert!(
        run(
            DialectKind::Mysql,
            vec![file(
                "1.sql",
                vec![(1, "…", step(&[text(50)], &[text(255)]))]
            )]
        )
        .diagnostics
        .is_empty()
    );
}

// ---------------------------------------------------------------- condrop, incompatible

#[test]
fn cd101_and_its_skips() {
    let parent = with_pk(table("orgs", &[col("id").not_null()]), &["id"]);
    let mut linked = users();
    linked
        .foreign_keys
        .push(fk("users_org", &["age"], "orgs", &["id"]));
    let dropped = step(
        &[parent.clone(), linked.clone()],
        &[parent.clone(), users()],
    );
    let r = run(
        DialectKind::Sqlite,
        vec![file("1.sql", vec![(1, "…", dropped.clone())])],
    );
    assert_eq!(codes(&r), ["CD101"]);
    // Added in the same file.
    let added = step(
        &[parent.clone(), users()],
        &[parent.clone(), linked.clone()],
    );
    let r = run(
        DialectKind::Sqlite,
        vec![file("1.sql", vec![(1, "…", added), (2, "…", dropped)])],
    );
    assert_eq!(codes(&r), ["MC103"], "only the add is reported");
    // Its column is dropped too: DS103 covers it.
    let narrow = with_pk(
        table("users", &[col("id").not_null(), col("email")]),
        &["id"],
    );
    let r = run(
        DialectKind::Sqlite,
        vec![file(
            "1.sql",
            vec![(1, "…", step(&[parent.clone(), linked], &[parent, narrow]))],
        )],
    );
    assert_eq!(codes(&r), ["DS103"]);
}

#[test]
fn bc101_bc102_renames() {
    let mut renamed = users();
    renamed.name = "members".into();
    let changes = step_renaming(
        &[users()],
        &[renamed.clone()],
        vec![RenameHint::Table {
            schema: SCHEMA.into(),
            from: "users".into(),
            to: "members".into(),
        }],
    );
    let r = run(
        DialectKind::Postgres,
        vec![file(
            "1.sql",
            vec![(1, "ALTER TABLE users RENAME TO members;", changes)],
        )],
    );
    assert_eq!(codes(&r), ["BC101"]);

    let mut col_renamed = users();
    col_renamed.columns[1].name = "mail".into();
    let hint = RenameHint::Column {
        schema: SCHEMA.into(),
        table: "users".into(),
        from: "email".into(),
        to: "mail".into(),
    };
    let rename = step_renaming(&[users()], &[col_renamed.clone()], vec![hint]);
    let r = run(
        DialectKind::Postgres,
        vec![file("1.sql", vec![(1, "…", rename.clone())])],
    );
    assert_eq!(codes(&r), ["BC102"]);
    // The old name comes back later in the file.
    let mut restored = col_renamed.clone();
    restored.columns.push(col("email"));
    let r = run(
        DialectKind::Postgres,
        vec![file(
            "1.sql",
            vec![
                (1, "…", rename),
                (
                    2,
                    "ALTER TABLE users ADD email int;",
                    step(&[col_renamed], &[restored]),
                ),
            ],
        )],
    );
    assert!(r.diagnostics.is_empty(), "{:?}", codes(&r));
}

// ---------------------------------------------------------------- concurrent_index

#[test]
fn pg101_pg102_pg103_concurrent_indexes() {
    let mut indexed = users();
    indexed.indexes.push(idx("users_age", &["age"], false));
    let create = step(&[users()], &[indexed.clone()]);
    let drop = step(&[indexed.clone()], &[users()]);
    let r = run(
        DialectKind::Postgres,
        vec![file(
            "1.sql",
            vec![(1, "CREATE INDEX users_age ON users (age);", create.clone())],
        )],
    );
    assert_eq!(codes(&r), ["PG101"]);
    assert!(
        r.diagnostics[0]
            .fix
            .as_deref()
            .is_some_and(|f| f.contains("CONCURRENTLY"))
    );
    let r = run(
        DialectKind::Postgres,
        vec![file(
            "1.sql",
            vec![(1, "DROP INDEX users_age;", drop.clone())],
        )],
    );
    assert_eq!(codes(&r), ["PG102"]);
    // CONCURRENTLY in a txmode none file: quiet.
    let ok = file(
        "1.sql",
        vec![(
            2,
            "CREATE INDEX CONCURRENTLY users_age ON users (age);",
            create.clone(),
        )],
    )
    .txmode_none();
    assert!(run(DialectKind::Postgres, vec![ok]).diagnostics.is_empty());
    // CONCURRENTLY without the directive: PG103 (once per file).
    let bad = file(
        "1.sql",
        vec![
            (
                2,
                "CREATE INDEX CONCURRENTLY users_age ON users (age);",
                create.clone(),
            ),
            (3, "DROP INDEX CONCURRENTLY users_age;", drop),
        ],
    );
    assert_eq!(codes(&run(DialectKind::Postgres, vec![bad])), ["PG103"]);
    // Other dialects, and indexes on tables created in the file: quiet.
    assert!(
        run(
            DialectKind::Mysql,
            vec![file("1.sql", vec![(1, "…", create.clone())])]
        )
        .diagnostics
        .is_empty()
    );
    let new_table = file(
        "1.sql",
        vec![
            (1, "CREATE TABLE …", step(&[], &[users()])),
            (2, "CREATE INDEX …", create),
        ],
    );
    assert!(
        run(DialectKind::Postgres, vec![new_table])
            .diagnostics
            .is_empty()
    );
}

// ---------------------------------------------------------------- pg_locks

#[test]
fn pg104_pg304_primary_key_and_pg105_unique_constraint() {
    let keyless = table("users", &[col("id"), col("email")]);
    let keyed = with_pk(keyless.clone(), &["id"]);
    let r = run(
        DialectKind::Postgres,
        vec![file(
            "1.sql",
            vec![(
                1,
                "ALTER TABLE users ADD PRIMARY KEY (id);",
                step(&[keyless.clone()], &[keyed.clone()]),
            )],
        )],
    );
    assert_eq!(codes(&r), ["PG104", "PG304"]);
    let r = run(
        DialectKind::Postgres,
        vec![file(
            "1.sql",
            vec![(
                1,
                "ALTER TABLE users ADD PRIMARY KEY USING INDEX users_id;",
                step(&[keyless.clone()], &[keyed]),
            )],
        )],
    );
    assert_eq!(codes(&r), ["PG304"]);

    let mut constrained = keyless.clone();
    let mut unique = idx("users_email_key", &["email"], true);
    unique.constraint = true;
    constrained.indexes.push(unique);
    let r = run(
        DialectKind::Postgres,
        vec![file(
            "1.sql",
            vec![(
                1,
                "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);",
                step(&[keyless], &[constrained]),
            )],
        )],
    );
    assert_eq!(codes(&r), ["MF101", "PG105"]);
}

#[test]
fn pg301_type_change_rewrites_unless_binary_compatible() {
    let typed = |ty: ColumnType| {
        let mut t = users();
        t.columns[1].ty = ty;
        t
    };
    let alter = |a, b| {
        run(
            DialectKind::Postgres,
            vec![file(
                "1.sql",
                vec![(1, "…", step(&[typed(a)], &[typed(b)]))],
            )],
        )
    };
    assert_eq!(
        codes(&alter(
            ColumnType::int(IntWidth::Int),
            ColumnType::int(IntWidth::Big)
        )),
        ["PG301"]
    );
    let varchar = |n| ColumnType::string(StringKind::Varchar, n);
    assert!(
        alter(varchar(Some(10)), varchar(Some(20)))
            .diagnostics
            .is_empty()
    );
    assert!(
        alter(
            varchar(Some(10)),
            ColumnType::string(StringKind::Text, None)
        )
        .diagnostics
        .is_empty()
    );
    assert_eq!(
        codes(&alter(varchar(Some(20)), varchar(Some(10)))),
        ["MC102", "PG301"]
    );
}

#[test]
fn pg302_volatile_default_pg303_set_not_null() {
    let add = |c: Column| {
        let mut t = users();
        t.columns.push(c);
        run(
            DialectKind::Postgres,
            vec![file("1.sql", vec![(1, "…", step(&[users()], &[t]))])],
        )
    };
    assert_eq!(
        codes(&add(
            col("r").with_default(DefaultValue::Expr("random()".into()))
        )),
        ["PG302"]
    );
    assert!(
        add(col("r").with_default(DefaultValue::Expr("now()".into())))
            .diagnostics
            .is_empty()
    );
    assert!(
        add(col("r").with_default(DefaultValue::Literal("0".into())))
            .diagnostics
            .is_empty()
    );

    // SET NOT NULL with a proving CHECK: no scan.
    let mut checked = users();
    checked.checks.push(Check {
        name: Some("email_nn".into()),
        expr: "(email IS NOT NULL)".into(),
        no_inherit: false,
        not_enforced: false,
    });
    let mut strict = checked.clone();
    strict.columns[1].nullable = false;
    let r = run(
        DialectKind::Postgres,
        vec![file("1.sql", vec![(1, "…", step(&[checked], &[strict]))])],
    );
    assert_eq!(codes(&r), ["MF104"]);
}

#[test]
fn pg305_pg306_without_not_valid() {
    let parent = with_pk(table("orgs", &[col("id").not_null()]), &["id"]);
    let mut linked = users();
    linked
        .foreign_keys
        .push(fk("users_org", &["age"], "orgs", &["id"]));
    linked.checks.push(Check {
        name: Some("adult".into()),
        expr: "age >= 18".into(),
        no_inherit: false,
        not_enforced: false,
    });
    let changes = step(&[parent.clone(), users()], &[parent, linked]);
    let r = run(
        DialectKind::Postgres,
        vec![file(
            "1.sql",
            vec![(1, "ALTER TABLE users ADD …;", changes.clone())],
        )],
    );
    let mut found = codes(&r);
    found.sort();
    assert_eq!(found, ["MC101", "MC103", "PG305", "PG306"]);
    let r = run(
        DialectKind::Postgres,
        vec![file(
            "1.sql",
            vec![(1, "ALTER TABLE users ADD … NOT VALID;", changes)],
        )],
    );
    assert!(r.diagnostics.is_empty(), "{:?}", codes(&r));
}

#[test]
fn lock_findings_quote_table_sizes() {
    let mut indexed = users();
    indexed.indexes.push(idx("users_age", &["age"], false));
    let set = ChangeSet::new(vec![file(
        "1.sql",
        vec![(1, "CREATE INDEX …", step(&[users()], &[indexed]))],
    )]);
    let sizes = TableSizes::new().with(SCHEMA, "users", 25_000_000, 3 << 30);
    let r = Linter::default()
        .dialect(DialectKind::Postgres)
        .table_sizes(sizes)
        .run(&set, None);
    let d = &r.diagnostics[0];
    assert_eq!(d.lock_risk, Some(schema_lint::LockRisk::High));
    assert!(
        d.message
            .ends_with("(table \"users\": ~25.0M rows, 3 GiB, high lock risk)"),
        "{}",
        d.message
    );
}

// ---------------------------------------------------------------- mysql

#[test]
fn my102_inline_references() {
    let t = table("c", &[col("p_id")]);
    let sql = "CREATE TABLE c (p_id int REFERENCES p (id));";
    let r = run(
        DialectKind::Mysql,
        vec![file("1.sql", vec![(4, sql, step(&[], &[t.clone()]))])],
    );
    assert_eq!(codes(&r), ["MY102"]);
    assert_eq!(r.diagnostics[0].line, Some(4));
    let sql = "CREATE TABLE c (p_id int, FOREIGN KEY (p_id) REFERENCES p (id));";
    assert!(
        run(
            DialectKind::Mysql,
            vec![file("1.sql", vec![(4, sql, step(&[], &[t]))])]
        )
        .diagnostics
        .is_empty()
    );
}

#[test]
fn my11x_enum_and_my12x_set_changes() {
    let typed = |ty: ColumnType| {
        let mut t = users();
        t.columns[1].ty = ty;
        t
    };
    let e = |v: &[&str]| ColumnType::Enum {
        name: None,
        values: v.iter().map(|s| (*s).to_owned()).collect(),
    };
    let s = |v: &[String]| ColumnType::Set { values: v.to_vec() };
    let alter = |a, b| {
        codes(&run(
            DialectKind::Mysql,
            vec![file(
                "1.sql",
                vec![(1, "…", step(&[typed(a)], &[typed(b)]))],
            )],
        ))
    };
    assert!(
        alter(e(&["a", "b"]), e(&["a", "b", "c"])).is_empty(),
        "appending is in place"
    );
    assert_eq!(alter(e(&["a", "b"]), e(&["a"])), ["MY110"]);
    assert_eq!(alter(e(&["a", "b"]), e(&["b", "a"])), ["MY111"]);
    assert_eq!(alter(e(&["a", "b"]), e(&["a", "x", "b"])), ["MY112"]);
    let many: Vec<String> = (0..300).map(|i| format!("v{i}")).collect();
    let names: Vec<&str> = many.iter().map(String::as_str).collect();
    assert_eq!(alter(e(&names[..255]), e(&names)), ["MY113"]);

    let members: Vec<String> = (0..9).map(|i| format!("m{i}")).collect();
    assert!(alter(s(&members[..2]), s(&members[..3])).is_empty());
    assert_eq!(alter(s(&members[..3]), s(&members[..2])), ["MY120"]);
    assert_eq!(
        alter(
            s(&members[..2]),
            s(&[members[1].clone(), members[0].clone()])
        ),
        ["MY121"]
    );
    assert_eq!(
        alter(
            s(&members[..2]),
            s(&[members[0].clone(), "new".into(), members[1].clone()])
        ),
        ["MY122"]
    );
    assert_eq!(alter(s(&members[..8]), s(&members[..9])), ["MY123"]);
}

// ---------------------------------------------------------------- naming

#[test]
fn naming_patterns_per_kind() {
    let config: schema_lint::LintConfig = serde_json::from_str(
        r#"{"naming": {"match": "^[a-z_]+$", "index": {"match": "^idx_", "message": "indexes start with idx_"}}}"#,
    )
    .expect("config");
    let linter = Linter::from_config(&config)
        .expect("patterns compile")
        .dialect(DialectKind::Sqlite);
    let mut t = table("Users", &[col("id"), col("Email")]);
    t.indexes.push(idx("users_email", &["Email"], false));
    let r = linter.run(
        &ChangeSet::new(vec![file("1.sql", vec![(1, "…", step(&[], &[t]))])]),
        None,
    );
    assert_eq!(codes(&r), ["NM102", "NM103", "NM104"]);
    assert!(r.diagnostics[2].message.contains("indexes start with idx_"));

    let bad: schema_lint::LintConfig =
        serde_json::from_str(r#"{"naming": {"table": {"match": "(["}}}"#).expect("config");
    let err = Linter::from_config(&bad).err().expect("invalid regex");
    assert!(err.to_string().contains("lint.naming.table"), "{err}");
}

#[test]
fn rename_hints_from_the_statement_turn_drop_add_into_bc102() {
    let mut renamed = users();
    renamed.columns[1].name = "mail".into();
    let sql = "ALTER TABLE users RENAME COLUMN email TO mail;";
    // Without hints the per-statement diff sees a drop and an add.
    let r = run(
        DialectKind::Postgres,
        vec![file(
            "1.sql",
            vec![(1, sql, step(&[users()], &[renamed.clone()]))],
        )],
    );
    assert_eq!(codes(&r), ["DS103"]);
    let hints = schema_lint::rename_hints(sql, SCHEMA);
    let r = run(
        DialectKind::Postgres,
        vec![file(
            "1.sql",
            vec![(1, sql, step_renaming(&[users()], &[renamed], hints))],
        )],
    );
    assert_eq!(codes(&r), ["BC102"]);
}
