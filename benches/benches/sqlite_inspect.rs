//! Inspecting a 1,000-table SQLite database (file in a temporary directory; each table
//! with 8 columns, an index and a foreign key). Target: < 300 ms.

use criterion::{Criterion, criterion_group, criterion_main};
use mercator_driver::InspectOptions;
use mercator_sqlite::SqliteDriver;

const TABLES: usize = 1_000;

fn schema_sql() -> String {
    let mut sql = String::from("BEGIN;\n");
    for i in 0..TABLES {
        let parent = if i == 0 { 0 } else { i - 1 };
        sql.push_str(&format!(
            "CREATE TABLE t{i} (id integer PRIMARY KEY, name text NOT NULL, qty integer DEFAULT 0, \
             price numeric(10,2) CHECK (price >= 0), code varchar(50) COLLATE NOCASE, data blob, \
             created datetime DEFAULT CURRENT_TIMESTAMP, parent_id integer REFERENCES t{parent} (id) ON DELETE CASCADE);\n\
             CREATE INDEX t{i}_name ON t{i} (name, qty DESC);\n"
        ));
    }
    sql.push_str("COMMIT;\n");
    sql
}

fn bench(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("mercator-bench-sqlite-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("inspect.db");
    let _ = std::fs::remove_file(&path);
    let db = SqliteDriver::open(&format!("sqlite://{}", path.display())).expect("open");
    db.with_connection(|conn| conn.execute_batch(&schema_sql()))
        .expect("create tables");
    let options = InspectOptions::default();
    let realm = db.inspect_sync(&options).expect("inspect");
    assert_eq!(realm.table_count(), TABLES);

    c.bench_function("sqlite_inspect_1000_tables", |b| {
        b.iter(|| db.inspect_sync(&options).expect("inspect"))
    });
    drop(db);
    let _ = std::fs::remove_dir_all(dir);
}

criterion_group!(benches, bench);
criterion_main!(benches);
