//! Inspecting a 1,000-table MySQL/MariaDB database, next to `mysqldump --no-data` on the
//! same database. Skips (prints why) when no server is reachable at `MERCATOR_MYSQL_URL`
//! (default `mysql://root@127.0.0.1:3306/test`).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use mercator_driver::{DriverExt, InspectOptions, Inspector};
use mercator_mysql::MysqlDriver;

const DATABASE: &str = "mercator_bench_inspect";
const TABLES: usize = 1000;

fn server_url() -> String {
    std::env::var("MERCATOR_MYSQL_URL")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".to_owned())
}

/// The server URL with its database replaced (query parameters dropped).
fn url_for(database: &str) -> String {
    let base = server_url();
    let authority = base.find("://").map(|p| p + 3).unwrap_or(0);
    let path = base[authority..]
        .find(['/', '?'])
        .map(|p| p + authority)
        .unwrap_or(base.len());
    format!("{}/{database}", &base[..path])
}

/// One table of the bench schema: a mix of types, an index, a unique key, a check and a
/// foreign key to the previous table.
fn table_sql(i: usize) -> String {
    let fk = if i > 0 {
        format!(
            ", parent_id INT UNSIGNED, CONSTRAINT t{i:04}_parent FOREIGN KEY (parent_id) \
             REFERENCES t{:04} (id) ON DELETE SET NULL",
            i - 1
        )
    } else {
        String::new()
    };
    format!(
        "CREATE TABLE IF NOT EXISTS t{i:04} (\
           id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, \
           name VARCHAR(100) NOT NULL DEFAULT '', \
           status ENUM('new','active','done') NOT NULL DEFAULT 'new', \
           amount DECIMAL(10,2) DEFAULT 0.00, \
           payload JSON, \
           created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, \
           updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, \
           KEY t{i:04}_name (name(20)), UNIQUE KEY t{i:04}_created (created_at, id), \
           CONSTRAINT t{i:04}_amount CHECK (amount >= 0){fk})"
    )
}

/// A fresh bench database (a leftover of a killed run is dropped first); the bench drops
/// it again when it ends.
async fn prepare(admin: &MysqlDriver) -> Result<MysqlDriver, String> {
    admin
        .execute(&[
            format!("DROP DATABASE IF EXISTS `{DATABASE}`"),
            format!("CREATE DATABASE `{DATABASE}`"),
        ])
        .await
        .map_err(|e| e.to_string())?;
    let driver = MysqlDriver::open(&url_for(DATABASE))
        .await
        .map_err(|e| e.to_string())?;
    let present = driver
        .inspect(&InspectOptions::default())
        .await
        .map_err(|e| e.to_string())?
        .table_count();
    if present < TABLES {
        let statements: Vec<String> = (0..TABLES).map(table_sql).collect();
        for chunk in statements.chunks(100) {
            driver.execute(chunk).await.map_err(|e| e.to_string())?;
        }
    }
    Ok(driver)
}

/// Median wall time of `mysqldump --no-data` over a few runs.
fn mysqldump_median(runs: usize) -> Option<Duration> {
    let (opts, _) = mercator_mysql::parse_url(&server_url()).ok()?;
    let mut times = Vec::new();
    for _ in 0..runs {
        let mut cmd = Command::new("mysqldump");
        cmd.arg("--no-data")
            .arg(format!("-h{}", opts.ip_or_hostname()))
            .arg(format!("-P{}", opts.tcp_port()))
            .arg(format!("-u{}", opts.user().unwrap_or("root")));
        if let Some(password) = opts.pass() {
            cmd.arg(format!("-p{password}"));
        }
        cmd.arg(DATABASE)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let start = Instant::now();
        let status = cmd.status().ok()?;
        if !status.success() {
            return None;
        }
        times.push(start.elapsed());
    }
    times.sort();
    times.get(times.len() / 2).copied()
}

fn bench(c: &mut Criterion) {
    let Ok(runtime) = tokio::runtime::Runtime::new() else {
        eprintln!("skipping mysql_inspect: no tokio runtime");
        return;
    };
    let prepared = runtime.block_on(async {
        let admin = MysqlDriver::open(&server_url())
            .await
            .map_err(|e| e.to_string())?;
        let driver = prepare(&admin).await?;
        Ok::<_, String>((admin, driver))
    });
    let (admin, driver) = match prepared {
        Ok(pair) => pair,
        Err(e) => {
            eprintln!("skipping mysql_inspect: {e}");
            return;
        }
    };
    match mysqldump_median(5) {
        Some(median) => eprintln!(
            "mysqldump --no-data {DATABASE} ({TABLES} tables): median {:.1} ms over 5 runs",
            median.as_secs_f64() * 1000.0
        ),
        None => eprintln!("mysqldump unavailable: no comparison"),
    }
    let options = InspectOptions::default();
    c.bench_function("mysql_inspect_1000_tables", |b| {
        b.iter(|| {
            let realm = runtime
                .block_on(driver.inspect(&options))
                .expect("inspect bench database");
            assert!(realm.table_count() >= TABLES);
            realm
        })
    });
    drop(driver);
    let dropped =
        runtime.block_on(admin.execute(&[format!("DROP DATABASE IF EXISTS `{DATABASE}`")]));
    if let Err(e) = dropped {
        eprintln!("could not drop the bench database {DATABASE}: {e}");
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
