//! Applying a directory of 200 small migration files (a table, an index and a row each,
//! one transaction per file, as `mercator migrate apply` does) to a fresh SQLite file and
//! to a fresh PostgreSQL database, through the embedded [`Migrator`].
//!
//! Besides criterion's timing, each part prints the share of the time spent outside the
//! database driver: the same apply runs on a [`TimedDriver`] that adds up the time inside
//! every driver call (connect, lock, inspect, statements, revision reads and writes), and
//! the rest is Mercator's own work (directory, sums, parsing, planning, bookkeeping).
//!
//! The PostgreSQL part creates `mercator_bench_versioned_<n>` databases and drops them; it
//! is skipped when the server (`MERCATOR_POSTGRES_URL`) is unreachable. The whole-process
//! counterpart is `scripts/bench-versioned-apply.sh`.

use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use mercator_benches::timed::{DriverClock, TimedDriver};
use mercator_driver::DriverExt;
use mercator_migrate::Migrator;
use mercator_migrate::dir::{MigrationDir, MigrationFile};
use tokio::runtime::Runtime;

const FILES: usize = 200;
/// Runs of the driver-share measurement (the machine is noisy: medians).
const SHARE_RUNS: usize = 5;

/// The directory: `<version>_t<i>.sql` with three statements each.
fn directory() -> MigrationDir {
    let mut dir = MigrationDir::default();
    for i in 0..FILES {
        let text = format!(
            "CREATE TABLE t{i} (id integer PRIMARY KEY, name varchar(100) NOT NULL);\n\
             CREATE INDEX t{i}_name ON t{i} (name);\n\
             INSERT INTO t{i} (id, name) VALUES (1, 'row {i}');\n"
        );
        let name = format!("{}_t{i}.sql", 20_260_101_000_000_u64 + i as u64);
        dir.add_file(MigrationFile::new(name, text))
            .expect("valid file");
    }
    dir
}

/// Applies every file to `url` and checks they all ran.
async fn apply(migrator: &Migrator, url: &str) {
    let report = migrator.apply(url).await.expect("apply");
    assert_eq!(report.applied.len(), FILES);
}

/// Total wall time and time inside driver calls of one apply to `url`.
async fn apply_timed(migrator: &Migrator, url: &str) -> (Duration, Duration) {
    let clock = DriverClock::default();
    let started = Instant::now();
    let driver = clock.time(mercator_migrate::open(url)).await.expect("open");
    let driver = TimedDriver::new(driver, clock.clone());
    let report = migrator.apply_on(&driver).await.expect("apply");
    mercator_driver::Driver::close(&driver)
        .await
        .expect("close");
    let total = started.elapsed();
    assert_eq!(report.applied.len(), FILES);
    (total, clock.elapsed())
}

/// Removes a database made for one run.
type Cleanup<'a> = Box<dyn FnOnce() + 'a>;

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

/// Prints the medians of total and driver time over [`SHARE_RUNS`] applies, each on a
/// fresh database from `fresh`.
fn print_share<'a>(
    label: &str,
    runtime: &Runtime,
    migrator: &Migrator,
    mut fresh: impl FnMut() -> (String, Cleanup<'a>),
) {
    let (mut totals, mut inside, mut outside) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..SHARE_RUNS {
        let (url, cleanup) = fresh();
        let (total, driver) = runtime.block_on(apply_timed(migrator, &url));
        cleanup();
        totals.push(total);
        inside.push(driver);
        outside.push(total.saturating_sub(driver));
    }
    let (total, driver, rest) = (median(totals), median(inside), median(outside));
    eprintln!(
        "{label}: {FILES} files, median of {SHARE_RUNS}: total {total:.1?}, inside the driver \
         {driver:.1?}, outside {rest:.1?} ({:.1}% of the total)",
        100.0 * rest.as_secs_f64() / total.as_secs_f64()
    );
}

fn sqlite(c: &mut Criterion, runtime: &Runtime, migrator: &Migrator) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut n = 0;
    let mut fresh = || {
        n += 1;
        let path = tmp.path().join(format!("apply{n}.db"));
        let url = format!("sqlite://{}", path.display());
        let cleanup: Cleanup<'_> = Box::new(move || {
            let _ = std::fs::remove_file(&path);
        });
        (url, cleanup)
    };
    print_share("sqlite", runtime, migrator, &mut fresh);
    let mut group = c.benchmark_group("versioned_apply");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("sqlite_200_files", |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            for _ in 0..iters {
                let (url, cleanup) = fresh();
                let started = Instant::now();
                runtime.block_on(apply(migrator, &url));
                spent += started.elapsed();
                cleanup();
            }
            spent
        })
    });
    group.finish();
}

fn postgres_admin_url() -> String {
    std::env::var("MERCATOR_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// The admin URL pointed at another database.
fn url_for(database: &str) -> String {
    let url = postgres_admin_url();
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b.to_owned(), format!("?{q}")),
        None => (url.clone(), String::new()),
    };
    let prefix = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => &base[..i],
        _ => base.as_str(),
    };
    format!("{prefix}/{database}{query}")
}

fn postgres(c: &mut Criterion, runtime: &Runtime, migrator: &Migrator) {
    let admin = match runtime.block_on(mercator_migrate::open(&postgres_admin_url())) {
        Ok(admin) => admin,
        Err(e) => {
            eprintln!("skipping postgres versioned_apply: {e}");
            return;
        }
    };
    let admin = &admin;
    let mut n = 0;
    let mut fresh = || {
        n += 1;
        let name = format!("mercator_bench_versioned_{n}");
        runtime
            .block_on(admin.execute(&[
                format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                format!("CREATE DATABASE {name}"),
            ]))
            .expect("create the bench database");
        let url = url_for(&name);
        let cleanup: Cleanup<'_> = Box::new(move || {
            let dropped = runtime
                .block_on(admin.execute(&[format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")]));
            if let Err(e) = dropped {
                eprintln!("could not drop the bench database {name}: {e}");
            }
        });
        (url, cleanup)
    };
    print_share("postgres", runtime, migrator, &mut fresh);
    let mut group = c.benchmark_group("versioned_apply");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("postgres_200_files", |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            for _ in 0..iters {
                let (url, cleanup) = fresh();
                let started = Instant::now();
                runtime.block_on(apply(migrator, &url));
                spent += started.elapsed();
                cleanup();
            }
            spent
        })
    });
    group.finish();
}

fn bench(c: &mut Criterion) {
    let runtime = match Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("skipping versioned_apply: no runtime: {e}");
            return;
        }
    };
    let migrator = Migrator::builder(directory()).build().expect("migrator");
    sqlite(c, &runtime, &migrator);
    postgres(c, &runtime, &migrator);
}

criterion_group!(benches, bench);
criterion_main!(benches);
