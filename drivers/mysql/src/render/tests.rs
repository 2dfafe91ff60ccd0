//! Rendering without a server, for MySQL 8 and MariaDB versions.

use schema_diff::{Change, Dialect, DialectExt, DiffOptions, PlanOptions};
use schema_model::*;

use crate::MysqlDialect;

fn maria() -> MysqlDialect {
    MysqlDialect::mariadb((10, 11, 6))
}

fn realm(tables: Vec<Table>) -> Realm {
    let mut schema = Schema::new("app");
    schema.tables = tables;
    Realm::new(vec![schema])
}

fn int(name: &str) -> Column {
    Column::new(name, ColumnType::int(IntWidth::Int))
}

fn plan_sql(dialect: &MysqlDialect, from: &Realm, to: &Realm, unqualified: bool) -> Vec<String> {
    let changes = dialect.diff(from, to, &DiffOptions::default());
    let options = PlanOptions {
        unqualified_schema: unqualified.then(|| "app".to_owned()),
        ..Default::default()
    };
    let plan = dialect.plan(&changes, &options).expect("plan");
    assert!(!plan.transactional);
    plan.statements.into_iter().map(|s| s.sql).collect()
}

fn table(columns: Vec<Column>) -> Table {
    let mut t = Table::new("t");
    t.columns = columns;
    t
}

#[test]
fn one_alter_per_table_with_positions() {
    let from = realm(vec![table(vec![int("a"), int("c")])]);
    let mut to_table = table(vec![int("z"), int("a"), int("b")]);
    to_table.indexes.push(Index::on_columns("ib", &["b"]));
    let to = realm(vec![to_table]);
    let sql = plan_sql(&maria(), &from, &to, false);
    assert_eq!(
        sql,
        vec![
            "ALTER TABLE `app`.`t` DROP COLUMN `c`, ADD COLUMN `z` int NULL FIRST, \
             ADD COLUMN `b` int NULL AFTER `a`, ADD INDEX `ib` (`b`)"
        ]
    );
}

#[test]
fn foreign_key_replacement_takes_two_statements() {
    let parent = {
        let mut p = table(vec![int("id").not_null()]);
        p.name = "p".into();
        p.primary_key = Some(PrimaryKey::on_columns(&["id"]));
        p
    };
    let fk = |action| ForeignKey {
        name: "t_p".into(),
        columns: vec!["p_id".into()],
        ref_table: QualifiedName::bare("p"),
        ref_columns: vec!["id".into()],
        on_update: ReferentialAction::NoAction,
        on_delete: action,
        deferrable: Deferrable::Not,
        match_full: false,
    };
    let mut a = table(vec![int("p_id")]);
    a.foreign_keys.push(fk(ReferentialAction::NoAction));
    let mut b = a.clone();
    b.foreign_keys[0] = fk(ReferentialAction::Cascade);
    let sql = plan_sql(
        &maria(),
        &realm(vec![parent.clone(), a]),
        &realm(vec![parent, b]),
        true,
    );
    assert_eq!(
        sql,
        vec![
            "ALTER TABLE `t` DROP FOREIGN KEY `t_p`",
            "ALTER TABLE `t` ADD CONSTRAINT `t_p` FOREIGN KEY (`p_id`) REFERENCES `p` (`id`) ON DELETE CASCADE",
        ]
    );
}

#[test]
fn index_visibility_per_flavor() {
    let mut a = table(vec![int("a")]);
    a.indexes.push(Index::on_columns("ia", &["a"]));
    let mut b = a.clone();
    b.indexes[0].invisible = true;
    let (from, to) = (realm(vec![a]), realm(vec![b]));
    assert_eq!(
        plan_sql(&maria(), &from, &to, true),
        vec!["ALTER TABLE `t` ALTER INDEX `ia` IGNORED"]
    );
    assert_eq!(
        plan_sql(&MysqlDialect::mysql8(), &from, &to, true),
        vec!["ALTER TABLE `t` ALTER INDEX `ia` INVISIBLE"]
    );
    assert_eq!(
        plan_sql(&MysqlDialect::mysql8(), &to, &from, true),
        vec!["ALTER TABLE `t` ALTER INDEX `ia` VISIBLE"]
    );
    let old = MysqlDialect::mariadb((10, 5, 0));
    let changes = old.diff(&from, &to, &DiffOptions::default());
    assert!(old.plan(&changes, &PlanOptions::default()).is_err());
}

#[test]
fn checks_per_flavor() {
    let check = |expr: &str, not_enforced| Check {
        name: Some("c".into()),
        expr: expr.into(),
        no_inherit: false,
        not_enforced,
    };
    let mut a = table(vec![int("a")]);
    a.checks.push(check("`a` > 0", false));
    let mut b = a.clone();
    b.checks[0] = check("`a` > 1", false);
    let (from, to) = (realm(vec![a.clone()]), realm(vec![b]));
    assert_eq!(
        plan_sql(&maria(), &from, &to, true)[0],
        "ALTER TABLE `t` DROP CONSTRAINT `c`"
    );
    assert_eq!(
        plan_sql(&MysqlDialect::mysql8(), &from, &to, true)[0],
        "ALTER TABLE `t` DROP CHECK `c`"
    );
    let mut lax = a;
    lax.checks[0] = check("`a` > 0", true);
    let to = realm(vec![lax]);
    let empty = realm(vec![]);
    let sql = plan_sql(&MysqlDialect::mysql8(), &empty, &to, true);
    assert!(sql[0].contains("CHECK (`a` > 0) NOT ENFORCED"), "{sql:?}");
    let changes = maria().diff(&empty, &to, &DiffOptions::default());
    assert!(maria().plan(&changes, &PlanOptions::default()).is_err());
}

#[test]
fn descending_and_expression_parts_per_version() {
    let mut t = table(vec![int("a")]);
    let mut index = Index::on_columns("ia", &["a"]);
    index.parts[0].desc = true;
    t.indexes.push(index);
    let to = realm(vec![t.clone()]);
    let empty = realm(vec![]);
    assert!(plan_sql(&maria(), &empty, &to, true)[0].contains("(`a` DESC)"));
    assert!(plan_sql(&MysqlDialect::mysql8(), &empty, &to, true)[0].contains("(`a` DESC)"));
    let old = MysqlDialect::mariadb((10, 6, 0));
    assert!(plan_sql(&old, &empty, &to, true)[0].contains("INDEX `ia` (`a`)"));

    let mut e = table(vec![int("a")]);
    let mut expr = Index::on_columns("ie", &[]);
    expr.parts.push(IndexPart::expr("`a` + 1"));
    e.indexes.push(expr);
    let to = realm(vec![e]);
    assert!(plan_sql(&MysqlDialect::mysql8(), &empty, &to, true)[0].contains("((`a` + 1))"));
    let changes = maria().diff(&empty, &to, &DiffOptions::default());
    assert!(maria().plan(&changes, &PlanOptions::default()).is_err());
}

#[test]
fn enum_changes_note_rebuilds() {
    let col = |values: &[&str]| {
        Column::new(
            "e",
            ColumnType::Enum {
                name: None,
                values: values.iter().map(|v| v.to_string()).collect(),
            },
        )
    };
    let plan = |from: &[&str], to: &[&str]| {
        let d = maria();
        let changes = d.diff(
            &realm(vec![table(vec![col(from)])]),
            &realm(vec![table(vec![col(to)])]),
            &DiffOptions::default(),
        );
        d.plan(&changes, &PlanOptions::default()).unwrap()
    };
    let append = plan(&["a", "b"], &["a", "b", "c"]);
    assert_eq!(
        append.statements[0].sql,
        "ALTER TABLE `app`.`t` MODIFY COLUMN `e` enum('a','b','c') NULL"
    );
    assert_eq!(append.statements[0].comment, "Modify \"t\" table");
    let middle = plan(&["a", "c"], &["a", "b", "c"]);
    assert!(middle.statements[0].comment.contains("rebuilds the table"));
}

#[test]
fn implicit_defaults_and_json_compare_equal() {
    let mut a = int("a");
    a.default = Some(DefaultValue::Literal("NULL".into()));
    let mut j = Column::new("j", ColumnType::Json { binary: true });
    j.collation = Some("utf8mb4_bin".into());
    let from = realm(vec![table(vec![a, j])]);
    let to = realm(vec![table(vec![
        int("a"),
        Column::new("j", ColumnType::Json { binary: false }),
    ])]);
    assert!(maria().diff(&from, &to, &DiffOptions::default()).is_empty());
}

#[test]
fn auto_increment_only_grows() {
    let with = |n: Option<u64>| {
        let mut t = table(vec![int("id")]);
        t.mysql.auto_increment = n;
        realm(vec![t])
    };
    let d = maria();
    assert!(
        d.diff(&with(Some(50)), &with(None), &DiffOptions::default())
            .is_empty()
    );
    assert!(
        d.diff(&with(Some(50)), &with(Some(10)), &DiffOptions::default())
            .is_empty()
    );
    let grow = d.diff(&with(Some(50)), &with(Some(100)), &DiffOptions::default());
    let plan = d.plan(&grow, &PlanOptions::default()).unwrap();
    assert_eq!(
        plan.statements[0].sql,
        "ALTER TABLE `app`.`t` AUTO_INCREMENT=100"
    );
}

#[test]
fn create_table_and_reverse() {
    let mut t = table(vec![int("id").not_null()]);
    t.primary_key = Some(PrimaryKey::on_columns(&["id"]));
    t.mysql.engine = Some("InnoDB".into());
    t.comment = Some("it's".into());
    let changes = vec![Change::AddTable {
        schema: "app".into(),
        table: t,
    }];
    let plan = maria().plan(&changes, &PlanOptions::default()).unwrap();
    assert_eq!(
        plan.statements[0].sql,
        "CREATE TABLE `app`.`t` (\n  `id` int NOT NULL,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB COMMENT='it''s'"
    );
    assert_eq!(plan.statements[0].comment, "Create \"t\" table");
    assert_eq!(
        plan.statements[0].reverse.as_deref(),
        Some("DROP TABLE `app`.`t`")
    );
}

#[test]
fn inherited_collations_are_implicit() {
    let mut explicit = table(vec![Column::new(
        "s",
        ColumnType::string(StringKind::Varchar, Some(5)),
    )]);
    explicit.mysql.collation = Some("latin1_bin".into());
    explicit.mysql.charset = Some("latin1".into());
    explicit.columns[0].collation = Some("latin1_bin".into());
    explicit.columns[0].mysql.charset = Some("latin1".into());
    let mut implicit = explicit.clone();
    implicit.columns[0].collation = None;
    implicit.columns[0].mysql.charset = None;
    let mut a = realm(vec![explicit]);
    a.schemas[0].mysql.collation = Some("utf8mb4_general_ci".into());
    let mut b = realm(vec![implicit]);
    b.schemas[0].mysql.collation = Some("utf8mb4_general_ci".into());
    assert!(maria().diff(&a, &b, &DiffOptions::default()).is_empty());
}
