//! Ordering a synthetic 10,000-statement PostgreSQL project spread over 500 files.
//!
//! The project has schemas, enums, domains, tables with foreign keys (some in cycles), indexes,
//! views on tables and views, plpgsql functions, triggers, comments and `ALTER TABLE`s. It is
//! scattered over 500 randomly importing files with [`sqlimport::scatter`], so the load order is
//! far from a dependency order and ordering has real work to do.

use std::path::Path;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use sqlimport::{Dialect, Statement, load, order, scatter::scatter};

const STATEMENTS: usize = 10_000;
const FILES: usize = 500;

struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n.max(1) as u64) as usize
    }
}

/// The statements of the synthetic project, in a valid order.
fn project() -> Vec<String> {
    let mut rng = Lcg(7);
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
    let loaded = load(&root, Dialect::Postgres).expect("loads the project");
    assert_eq!(loaded.files.len(), FILES);
    // Foreign-key cycles add an ALTER TABLE each.
    assert!(loaded.statements.len() > STATEMENTS);
    loaded.statements
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
            |s| order(s, Dialect::Postgres).expect("orders"),
            BatchSize::LargeInput,
        )
    });
    c.bench_function("load + order 10k statements from 500 files", |b| {
        b.iter(|| load(&root, Dialect::Postgres).expect("loads"))
    });
    if std::env::var_os("SQLIMPORT_BENCH_KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// The statements of the scattered project in load order, before ordering.
fn load_unordered(root: &Path) -> Vec<Statement> {
    let project = load(root, Dialect::Postgres).expect("loads");
    let mut out = Vec::new();
    for file in &project.files {
        let path = project.root.join(file);
        let text = std::fs::read_to_string(&path).expect("reads");
        out.extend(sqlimport::split(&text, file, Dialect::Postgres).expect("splits"));
    }
    out
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
