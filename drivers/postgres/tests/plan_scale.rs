//! Rendering many table changes must grow about linearly with their number.
//!
//! Timing is noisy on shared machines, so the check is ignored by default; run it with
//! `cargo test --release -p mercator-postgres --test plan_scale -- --ignored --nocapture`.

use std::time::{Duration, Instant};

use mercator_postgres::PostgresDialect;
use schema_diff::{Change, Dialect, PlanOptions, TableChange};
use schema_model::*;

fn table(i: usize) -> Table {
    let mut t = Table::new(format!("t{i}"))
        .with_column(Column::new("id", ColumnType::int(IntWidth::Int)).not_null())
        .with_column(Column::new(
            "name",
            ColumnType::string(StringKind::Text, None),
        ));
    t.primary_key = Some(PrimaryKey::on_columns(&["id"]));
    // Every tenth table inherits from the one before it.
    if i % 10 == 9 {
        t.postgres
            .inherits
            .push(QualifiedName::bare(format!("t{}", i - 1)));
    }
    t
}

/// New tables (children listed before their parents), changed tables and dropped ones.
fn changes(n: usize) -> Vec<Change> {
    let mut changes = Vec::with_capacity(n);
    for i in (0..n).rev() {
        let t = table(i);
        changes.push(match i % 3 {
            0 => Change::AddTable {
                schema: "public".into(),
                table: t,
            },
            1 => {
                let mut to = t.clone();
                to.columns.push(Column::new(
                    "note",
                    ColumnType::string(StringKind::Text, None),
                ));
                Change::ModifyTable {
                    schema: "public".into(),
                    from: t,
                    changes: vec![TableChange::AddColumn {
                        column: to.columns[2].clone(),
                    }],
                    to,
                }
            }
            _ => Change::DropTable {
                schema: "public".into(),
                table: t,
            },
        });
    }
    changes
}

fn render(n: usize) -> (Duration, usize) {
    let changes = changes(n);
    let options = PlanOptions {
        unqualified_schema: Some("public".into()),
        concurrent_indexes: false,
    };
    let mut best = Duration::MAX;
    let mut statements = 0;
    for _ in 0..3 {
        let start = Instant::now();
        let plan = PostgresDialect.plan(&changes, &options).expect("plan");
        best = best.min(start.elapsed());
        statements = plan.statements.len();
    }
    (best, statements)
}

#[test]
#[ignore = "timing; run with --release -- --ignored"]
fn render_time_grows_linearly() {
    let (small, small_count) = render(1_000);
    let (large, large_count) = render(5_000);
    println!(
        "1,000 table changes: {small:?} ({small_count} statements); \
         5,000: {large:?} ({large_count} statements); ratio {:.1}",
        large.as_secs_f64() / small.as_secs_f64()
    );
    assert!(large_count > 4 * small_count);
    // Below a few thousand changes caches flatter the small case, so the bound is checked
    // between 2,000 and 10,000: linear is 5×; the quadratic ordering it replaces took 25×.
    let (two, _) = render(2_000);
    let (ten, _) = render(10_000);
    let ratio = ten.as_secs_f64() / two.as_secs_f64();
    println!("2,000: {two:?}; 10,000: {ten:?}; ratio {ratio:.1}");
    assert!(ratio < 12.0, "5× the changes took {ratio:.1}× as long");
}
