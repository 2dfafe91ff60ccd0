//! Diff + plan (SQLite dialect) of two synthetic 5,000-table realms, with about 10% of
//! the tables changed: added columns, dropped indexes, new tables, dropped tables.
//! Target: < 100 ms.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use mercator_sqlite::SqliteDialect;
use schema_diff::{Dialect, DialectExt, DiffOptions, PlanOptions};
use schema_model::*;

const TABLES: usize = 5_000;

fn table(i: usize) -> Table {
    let mut t = Table::new(format!("t{i}"))
        .with_column(Column::new("id", ColumnType::int(IntWidth::Int)).not_null())
        .with_column(Column::new("name", ColumnType::string(StringKind::Text, None)).not_null())
        .with_column(
            Column::new("qty", ColumnType::int(IntWidth::Int))
                .with_default(DefaultValue::Literal("0".into())),
        )
        .with_column(Column::new(
            "code",
            ColumnType::string(StringKind::Varchar, Some(50)),
        ))
        .with_column(Column::new(
            "created",
            ColumnType::Time {
                time: TimeKind::Timestamp,
                precision: None,
                fields: None,
            },
        ))
        .with_column(Column::new("parent_id", ColumnType::int(IntWidth::Int)));
    t.primary_key = Some(PrimaryKey::on_columns(&["id"]));
    t.indexes
        .push(Index::on_columns(format!("t{i}_name"), &["name", "qty"]));
    if i > 0 {
        t.foreign_keys.push(ForeignKey {
            name: format!("t{i}_parent_id_fkey"),
            columns: vec!["parent_id".into()],
            ref_table: QualifiedName::bare(format!("t{}", i - 1)),
            ref_columns: vec!["id".into()],
            on_update: ReferentialAction::NoAction,
            on_delete: ReferentialAction::Cascade,
            deferrable: Deferrable::Not,
            match_full: false,
        });
    }
    t
}

fn realms() -> (Realm, Realm) {
    let from: Vec<Table> = (0..TABLES).map(table).collect();
    let mut to = Vec::with_capacity(TABLES);
    for (i, t) in from.iter().enumerate() {
        let mut t = t.clone();
        match i % 40 {
            // 2.5% each: added column, dropped index, dropped table; plus new tables.
            0 => t.columns.push(
                Column::new("note", ColumnType::string(StringKind::Text, None))
                    .with_default(DefaultValue::Literal("''".into())),
            ),
            1 => t.indexes.clear(),
            2 if i + 1 < TABLES && (i + 1) % 40 != 2 => continue,
            _ => {}
        }
        to.push(t);
    }
    // Dropped tables are referenced by the next one: point those at table 0 instead.
    let kept: std::collections::HashSet<String> = to.iter().map(|t| t.name.clone()).collect();
    for t in &mut to {
        for fk in &mut t.foreign_keys {
            if !kept.contains(&fk.ref_table.name) {
                fk.ref_table.name = "t0".into();
            }
        }
    }
    for i in TABLES..TABLES + TABLES / 40 {
        to.push(table(i));
    }
    (
        Realm::new(vec![Schema {
            tables: from,
            ..Schema::new("main")
        }]),
        Realm::new(vec![Schema {
            tables: to,
            ..Schema::new("main")
        }]),
    )
}

fn bench(c: &mut Criterion) {
    let (from, to) = realms();
    let changes = SqliteDialect.diff(&from, &to, &DiffOptions::default());
    let plan = SqliteDialect
        .plan(&changes, &PlanOptions::default())
        .expect("plan");
    assert!(changes.len() > TABLES / 20, "{} changes", changes.len());
    assert!(!plan.is_empty());

    // Borrowed realms: the differ normalizes copies.
    c.bench_function("diff_plan_sqlite_5000_tables", |b| {
        b.iter(|| {
            let changes = SqliteDialect.diff(&from, &to, &DiffOptions::default());
            SqliteDialect
                .plan(&changes, &PlanOptions::default())
                .expect("plan")
        })
    });
    // Owned realms, as the workflows hold them (inspected or loaded): normalized in
    // place, nothing copied. The copies handed in are made outside the measurement.
    c.bench_function("diff_in_place_plan_sqlite_5000_tables", |b| {
        b.iter_batched(
            || (from.clone(), to.clone()),
            |(mut from, mut to)| {
                let changes =
                    SqliteDialect.diff_in_place(&mut from, &mut to, &DiffOptions::default());
                let plan = SqliteDialect
                    .plan(&changes, &PlanOptions::default())
                    .expect("plan");
                (plan, from, to)
            },
            BatchSize::LargeInput,
        )
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
