//! Ordering a data dump of 175,000 `INSERT`s (issue 9: it must take well under 2 s), and a
//! synthetic 10,000-statement PostgreSQL project spread over 500 files.
//!
//! Run the dump alone with `cargo bench -p sqlimport --bench ordering -- dump`: it is measured
//! in wall-clock time and in the thread's CPU time (`CpuTime`), which is what counts on a
//! machine busy with other work.
//!
//! The dump is three related tables and their rows in the order `pg_dump` writes them
//! (tables by name, so `order_items` rows come before the `orders` rows they reference).
//!
//! The project has schemas, enums, domains, tables with foreign keys (some in cycles), indexes,
//! views on tables and views, plpgsql functions, triggers, comments and `ALTER TABLE`s. It is
//! scattered over 500 randomly importing files with [`sqlimport::scatter`], so the load order is
//! far from a dependency order and ordering has real work to do.

use std::path::Path;

use std::time::Duration;

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng};
use sqlimport::{DialectKind, Statement, load, order, scatter::scatter};

const STATEMENTS: usize = 10_000;
const FILES: usize = 500;

/// A seeded generator: the same project on every run.
struct Seeded(StdRng);

impl Seeded {
    fn below(&mut self, n: usize) -> usize {
        self.0.random_range(0..n.max(1))
    }
}

/// The statements of the synthetic project, in a valid order.
fn project() -> Vec<String> {
    let mut rng = Seeded(StdRng::seed_from_u64(7));
    let mut out = Vec::with_capacity(STATEMENTS);
    let schemas = 20;
    for s in 0..schemas {
        out.push(format!("CREATE SCHEMA s{s}"));
    }
    for e in 0..150 {
        out.push(format!(
            "CREATE TYPE s{}.kind{e} AS ENUM ('a', 'b', 'c')",
            e % schemas
        ));
    }
    for d in 0..50 {
        out.push(format!(
            "CREATE DOMAIN s{}.code{d} AS text CHECK (VALUE ~ '^[A-Z]+$')",
            d % schemas
        ));
    }
    let tables = 2000;
    let table = |t: usize| format!("s{}.t{t}", t % schemas);
    for t in 0..tables {
        // Tables 40k+2 point back at 40k+1, which points forward at them: a cycle to break.
        let parent = match t {
            0 => 0,
            t if t % 40 == 2 => t - 1,
            t => rng.below(t),
        };
        let fk = if t > 0 {
            format!(",\n  parent_id bigint REFERENCES {} (id)", table(parent))
        } else {
            String::new()
        };
        let cycle = if t % 40 == 1 && t + 1 < tables {
            format!(",\n  next_id bigint REFERENCES {} (id)", table(t + 1))
        } else {
            String::new()
        };
        let (kind, code) = (rng.below(150), rng.below(50));
        out.push(format!(
            "CREATE TABLE {} (\n  id bigint PRIMARY KEY,\n  name text NOT NULL,\n  kind s{}.kind{kind} NOT NULL DEFAULT 'a',\n  code s{}.code{code},\n  created_at timestamptz NOT NULL DEFAULT now(){fk}{cycle}\n)",
            table(t),
            kind % schemas,
            code % schemas,
        ));
    }
    for f in 0..500 {
        out.push(format!(
            "CREATE FUNCTION s{}.touch{f}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.created_at = now(); RETURN NEW; END $$",
            f % schemas
        ));
    }
    for a in 0..780 {
        let t = rng.below(tables);
        out.push(format!(
            "ALTER TABLE {} ADD COLUMN extra{a} integer NOT NULL DEFAULT 0",
            table(t)
        ));
    }
    for i in 0..3000 {
        let t = rng.below(tables);
        out.push(format!(
            "CREATE INDEX t{t}_idx{i} ON {} (name, created_at)",
            table(t)
        ));
    }
    let views = 1500;
    for v in 0..views {
        let from = if v > 10 && rng.below(3) == 0 {
            let n = rng.below(v);
            format!("s{}.v{n}", n % schemas)
        } else {
            table(rng.below(tables))
        };
        out.push(format!(
            "CREATE VIEW s{}.v{v} AS SELECT id, name FROM {from} WHERE id > 0",
            v % schemas
        ));
    }
    for g in 0..1000 {
        let t = rng.below(tables);
        let f = rng.below(500);
        out.push(format!(
            "CREATE TRIGGER trg{g} BEFORE UPDATE ON {} FOR EACH ROW EXECUTE FUNCTION s{}.touch{f}()",
            table(t),
            f % schemas
        ));
    }
    while out.len() < STATEMENTS {
        let t = rng.below(tables);
        out.push(format!("COMMENT ON TABLE {} IS 'table {t}'", table(t)));
    }
    out
}

fn scattered(dir: &Path) -> Vec<Statement> {
    let statements: Vec<Statement> = project()
        .into_iter()
        .enumerate()
        .map(|(i, sql)| Statement {
            sql,
            location: sqlimport::Location {
                file: "generated.sql".into(),
                line: i + 1,
            },
        })
        .collect();
    let root = scatter(&statements, 2024, FILES, dir).expect("writes the project");
    let loaded = load(&root, DialectKind::Postgres).expect("loads the project");
    assert_eq!(loaded.files.len(), FILES);
    // Foreign-key cycles add an ALTER TABLE each.
    assert!(loaded.statements.len() > STATEMENTS);
    loaded.statements
}

/// A dump of `rows` rows: about 60 bytes a statement, so 175,000 make some 10 MB.
fn dump(rows: usize) -> String {
    let mut sql = String::with_capacity(rows * 64);
    sql.push_str("CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL);\n");
    sql.push_str(
        "CREATE TABLE order_items (order_id bigint REFERENCES orders (id), sku text, qty int);\n",
    );
    sql.push_str("CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id), day date);\n");
    let (customers, items) = (rows / 7, rows * 4 / 7);
    let orders = rows - customers - items;
    for i in 0..customers {
        sql.push_str(&format!(
            "INSERT INTO customers VALUES ({i}, 'customer {i:07}');\n"
        ));
    }
    for i in 0..items {
        let order = i % orders.max(1);
        sql.push_str(&format!(
            "INSERT INTO order_items VALUES ({order}, 'sku{i:07}', 3);\n"
        ));
    }
    for i in 0..orders {
        let customer = i % customers.max(1);
        sql.push_str(&format!(
            "INSERT INTO orders VALUES ({i}, {customer}, '2024-01-01');\n"
        ));
    }
    sql
}

/// The CPU time of the benchmark's thread: on a machine shared with other work, wall-clock
/// time measures the neighbours too, while this is what the ordering itself costs (and what
/// wall-clock time is on an idle machine).
struct CpuTime(WallTime);

impl CpuTime {
    fn now() -> Duration {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant the OS knows.
        let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
        assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
        Duration::new(
            u64::try_from(ts.tv_sec).unwrap_or(0),
            u32::try_from(ts.tv_nsec).unwrap_or(0),
        )
    }
}

impl Measurement for CpuTime {
    type Intermediate = Duration;
    type Value = Duration;

    fn start(&self) -> Duration {
        CpuTime::now()
    }

    fn end(&self, start: Duration) -> Duration {
        CpuTime::now().saturating_sub(start)
    }

    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }

    fn zero(&self) -> Duration {
        Duration::ZERO
    }

    fn to_f64(&self, value: &Duration) -> f64 {
        value.as_nanos() as f64
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        self.0.formatter()
    }
}

fn bench_dump(c: &mut Criterion) {
    dump_group(c);
}

fn bench_dump_cpu(c: &mut Criterion<CpuTime>) {
    dump_group(c);
}

fn dump_group<M: Measurement + 'static>(c: &mut Criterion<M>) {
    let clock = std::any::type_name::<M>()
        .rsplit("::")
        .next()
        .unwrap_or("time");
    for rows in [40_000, 175_000] {
        let sql = dump(rows);
        let statements = sqlimport::split(&sql, Path::new("dump.sql"), DialectKind::Postgres)
            .expect("splits the dump");
        assert_eq!(statements.len(), rows + 3);
        let megabytes = sql.len() as f64 / 1e6;
        let name = format!("dump: order {rows} INSERTs ({megabytes:.1} MB), {clock}");
        c.bench_function(&name, |b| {
            b.iter_batched(
                || statements.clone(),
                |s| order(s, DialectKind::Postgres).expect("orders"),
                BatchSize::LargeInput,
            )
        });
    }
}

fn bench(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("sqlimport-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let root = dir.join("main.sql");
    let _ = scattered(&dir);
    // The statements in the load order of the scattered files, as `load` hands them to `order`.
    let statements = load_unordered(&root);
    c.bench_function("order 10k statements from 500 files", |b| {
        b.iter_batched(
            || statements.clone(),
            |s| order(s, DialectKind::Postgres).expect("orders"),
            BatchSize::LargeInput,
        )
    });
    c.bench_function("load + order 10k statements from 500 files", |b| {
        b.iter(|| load(&root, DialectKind::Postgres).expect("loads"))
    });
    if std::env::var_os("SQLIMPORT_BENCH_KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// The statements of the scattered project in load order, before ordering.
fn load_unordered(root: &Path) -> Vec<Statement> {
    let project = load(root, DialectKind::Postgres).expect("loads");
    let mut out = Vec::new();
    for file in &project.files {
        let path = project.root.join(file);
        let text = std::fs::read_to_string(&path).expect("reads");
        out.extend(sqlimport::split(&text, file, DialectKind::Postgres).expect("splits"));
    }
    out
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench_dump, bench
}
criterion_group! {
    name = cpu;
    config = Criterion::default().sample_size(10).with_measurement(CpuTime(WallTime));
    targets = bench_dump_cpu
}
criterion_main!(benches, cpu);
