//! Faults a deployment meets (issue 9): a process killed (SIGKILL) while it loads the
//! desired state on the dev database or while it applies, a dev connection terminated by
//! the server, a desired state that creates objects outside the dev database, and a dev
//! database too large to drop in one transaction. After each, the next run must succeed
//! without manual cleanup and leave no scratch space behind.
//!
//! A killed process is this test binary itself, started again to run only
//! [`kill_child`] with its task in [`CHILD_ENV`]: a real process the kernel kills, whose
//! connections and file locks end the way a crashed replica's do. Server tests skip when
//! the server is down, unless `MERCATOR_REQUIRE_SERVERS=1`.

use mercator_testkit as common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{Server, ServerDb, TempDir, unique_name};
use mercator_driver::{SCRATCH_PREFIX, scratch_tag};
use mercator_migrate::{MigrateError, SchemaApply, Source};

/// Set in a child's environment: `<mode>\n<url>\n<dev url or empty>\n<schema file>`.
const CHILD_ENV: &str = "MERCATOR_KILL_TEST_CHILD";
/// Printed by a child once its plan is approved (it holds the apply lock then).
const APPROVED: &str = "kill-child: approved";
/// Printed by a child whose run finished (a kill came too late).
const FINISHED: &str = "kill-child: finished";

/// The child side: runs one apply as told by [`CHILD_ENV`]. `hold` keeps the apply lock
/// (sleeping in the approval) until killed; `apply` applies at once.
#[test]
#[ignore = "the process the kill tests start and kill; does nothing on its own"]
fn kill_child() {
    let Ok(task) = std::env::var(CHILD_ENV) else {
        return;
    };
    let parts: Vec<&str> = task.split('\n').collect();
    let [mode, url, dev, schema] = parts.as_slice() else {
        panic!("bad {CHILD_ENV}: {task:?}");
    };
    let hold = *mode == "hold";
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let mut builder = SchemaApply::builder()
            .url(*url)
            .to(Source::file(schema))
            .lock_timeout(Duration::from_secs(60));
        if !dev.is_empty() {
            builder = builder.dev_url(*dev);
        }
        let apply = builder.build().await.expect("child: connect");
        let report = apply
            .run(|_| {
                println!("{APPROVED}");
                let _ = std::io::stdout().flush();
                if hold {
                    std::thread::sleep(Duration::from_secs(600));
                }
                true
            })
            .await
            .expect("child: run");
        apply.close().await.expect("child: close");
        println!("{FINISHED} applied={}", report.applied);
    });
}

/// A child process running [`kill_child`]; killed (SIGKILL) when dropped, so a failing
/// test leaves no process behind.
struct ChildRun {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl ChildRun {
    fn start(mode: &str, url: &str, dev: Option<&str>, schema: &std::path::Path) -> ChildRun {
        let task = format!("{mode}\n{url}\n{}\n{}", dev.unwrap_or(""), schema.display());
        let mut child = Command::new(std::env::current_exe().expect("test binary"))
            .args(["kill_child", "--exact", "--ignored", "--nocapture"])
            .env(CHILD_ENV, task)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the child");
        let stdout = child.stdout.take().expect("child stdout");
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        ChildRun { child, lines }
    }

    /// Waits for a line starting with `marker`; panics after `timeout`.
    fn wait_for(&self, marker: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.starts_with(marker) => return line,
                Ok(_) => {}
                Err(e) => panic!("the child never printed {marker:?}: {e}"),
            }
        }
    }

    /// Whether the child printed [`FINISHED`] (so a kill came too late to test anything).
    fn finished(&self) -> bool {
        self.lines.try_iter().any(|l| l.starts_with(FINISHED))
    }

    /// SIGKILL, then reaps it.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ChildRun {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Drops, when dropped, every scratch space of a dev database: a test that fails before
/// the next run reclaimed a killed run's space must not leave it on the server.
struct ScratchGuard {
    server: Server,
    dev: String,
}

impl Drop for ScratchGuard {
    fn drop(&mut self) {
        let (server, dev) = (self.server, self.dev.clone());
        let cleanup = std::thread::spawn(move || {
            if let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                runtime.block_on(async {
                    let Ok(driver) = mercator_migrate::open(&server.url()).await else {
                        return;
                    };
                    let pattern =
                        format!("{SCRATCH_PREFIX}{}_%", scratch_tag(&dev)).replace('_', "\\_");
                    let list = match server {
                        Server::Postgres => format!(
                            "SELECT datname FROM pg_database WHERE datname LIKE '{pattern}'"
                        ),
                        Server::Mysql => format!(
                            "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE '{pattern}'"
                        ),
                    };
                    if let Ok(mut session) = driver.session().await {
                        let names = session.query(&list).await.map(|r| r.rows).unwrap_or_default();
                        for name in names.into_iter().filter_map(|r| r.into_iter().next().flatten()) {
                            let drop = match server {
                                Server::Postgres => {
                                    format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")
                                }
                                Server::Mysql => format!("DROP DATABASE IF EXISTS `{name}`"),
                            };
                            let _ = session.execute(&drop).await;
                        }
                    }
                    let _ = driver.close().await;
                });
            }
        });
        let _ = cleanup.join();
    }
}

/// Runs SQL on `url` through Mercator's own driver and returns the first column.
async fn column(url: &str, sql: &str) -> Vec<String> {
    let driver = mercator_migrate::open(url).await.expect("open");
    let rows = {
        let mut session = driver.session().await.expect("session");
        session
            .query(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    };
    driver.close().await.expect("close");
    rows.rows
        .into_iter()
        .filter_map(|r| r.into_iter().next().flatten())
        .collect()
}

/// Runs one statement on `url` through Mercator's own driver.
async fn execute(url: &str, sql: &str) {
    let driver = mercator_migrate::open(url).await.expect("open");
    {
        let mut session = driver.session().await.expect("session");
        session
            .execute(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    driver.close().await.expect("close");
}

/// The scratch spaces (databases) of dev database `dev` on the server.
async fn scratch_spaces(server: Server, dev: &str) -> Vec<String> {
    let pattern = format!("{SCRATCH_PREFIX}{}_%", scratch_tag(dev)).replace('_', "\\_");
    let sql = match server {
        Server::Postgres => {
            format!("SELECT datname FROM pg_database WHERE datname LIKE '{pattern}'")
        }
        Server::Mysql => format!(
            "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE '{pattern}'"
        ),
    };
    column(&server.url(), &sql).await
}

/// Waits until a scratch space of `dev` exists (the run is loading), at most 60 s.
async fn wait_for_scratch(server: Server, dev: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(name) = scratch_spaces(server, dev).await.into_iter().next() {
            return name;
        }
        assert!(
            Instant::now() < deadline,
            "no scratch space appeared for {dev}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// One apply in this process; `Ok(applied)`.
async fn apply_once(url: &str, dev: Option<&str>, source: &Source) -> Result<bool, MigrateError> {
    let mut builder = SchemaApply::builder()
        .url(url)
        .to(source.clone())
        .lock_timeout(Duration::from_secs(30));
    if let Some(dev) = dev {
        builder = builder.dev_url(dev);
    }
    let apply = builder.build().await?;
    let report = apply.run(|_| true).await;
    let closed = apply.close().await;
    let report = report?;
    closed?;
    Ok(report.applied)
}

/// The next run succeeds, leaves the database synced and no scratch space of `dev`.
async fn assert_recovers(server: Server, url: &str, dev: &ServerDb, source: &Source) {
    let started = Instant::now();
    let applied = apply_once(url, Some(&dev.url), source)
        .await
        .unwrap_or_else(|e| panic!("the next run failed: {e}"));
    eprintln!(
        "{server:?}: next run (applied={applied}) in {:.1?}",
        started.elapsed()
    );
    let again = apply_once(url, Some(&dev.url), source)
        .await
        .expect("a second run");
    assert!(
        !again,
        "the database differs from the desired schema after recovery"
    );
    let left = scratch_spaces(server, &dev.name).await;
    assert!(left.is_empty(), "scratch spaces left: {left:?}");
}

fn sleep_sql(server: Server, secs: u32) -> String {
    match server {
        Server::Postgres => format!("SELECT pg_sleep({secs});\n"),
        Server::Mysql => format!("SELECT SLEEP({secs});\n"),
    }
}

const SMALL_SCHEMA: &str =
    "CREATE TABLE accounts (id bigint PRIMARY KEY, name varchar(100) NOT NULL);\n";

/// `count` tables: an apply long enough to be killed half-way.
fn many_tables(count: usize) -> String {
    (0..count)
        .map(|i| format!("CREATE TABLE t{i} (id bigint NOT NULL, v varchar(20));\n"))
        .collect()
}

async fn killed_during_dev_load(server: Server) {
    let Some((target, dev)) = ServerDb::pair(server).await else {
        return;
    };
    let _spaces = ScratchGuard {
        server,
        dev: dev.name.clone(),
    };
    let dir = TempDir::new();
    let schema = dir.write(
        "schema.sql",
        &format!("{SMALL_SCHEMA}{}", sleep_sql(server, 20)),
    );
    let started = Instant::now();
    let mut child = ChildRun::start("apply", &target.url, Some(&dev.url), &schema);
    let scratch = wait_for_scratch(server, &dev.name).await;
    child.kill();
    assert!(!child.finished(), "the run ended before it was killed");
    eprintln!(
        "{server:?}: killed while loading into {scratch} after {:.1?}",
        started.elapsed()
    );
    // The load had a sleep in it; the next run must not wait for it either.
    let fast = Source::sql("schema.sql", SMALL_SCHEMA);
    assert_recovers(server, &target.url, &dev, &fast).await;
}

async fn killed_during_apply(server: Server) {
    let Some((target, dev)) = ServerDb::pair(server).await else {
        return;
    };
    let _spaces = ScratchGuard {
        server,
        dev: dev.name.clone(),
    };
    let dir = TempDir::new();
    let tables = 600;
    let schema = dir.write("schema.sql", &many_tables(tables));
    let source = Source::file(&schema);
    let mut child = ChildRun::start("apply", &target.url, Some(&dev.url), &schema);
    child.wait_for(APPROVED, Duration::from_secs(120));
    tokio::time::sleep(Duration::from_millis(150)).await;
    child.kill();
    assert!(!child.finished(), "the apply ended before it was killed");
    let table_count =
        match server {
            Server::Postgres => {
                column(
                    &target.url,
                    "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
                )
                .await
            }
            Server::Mysql => column(
                &target.url,
                "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()",
            )
            .await,
        };
    eprintln!("{server:?}: killed mid-apply with {table_count:?} of {tables} tables created");
    assert_recovers(server, &target.url, &dev, &source).await;
}

async fn terminated_dev_connection(server: Server) {
    let Some((target, dev)) = ServerDb::pair(server).await else {
        return;
    };
    let _spaces = ScratchGuard {
        server,
        dev: dev.name.clone(),
    };
    let schema = format!("{SMALL_SCHEMA}{}", sleep_sql(server, 3));
    let source = Source::sql("schema.sql", schema);
    let run = tokio::spawn({
        let (url, dev_url, source) = (target.url.clone(), dev.url.clone(), source.clone());
        async move { apply_once(&url, Some(&dev_url), &source).await }
    });
    let scratch = wait_for_scratch(server, &dev.name).await;
    // The dev connection is the one on the dev database itself; the load runs on a
    // connection to the scratch space.
    let terminated = match server {
        Server::Postgres => column(
            &server.url(),
            &format!(
                "SELECT pg_terminate_backend(pid)::text FROM pg_stat_activity WHERE datname = '{}'",
                dev.name
            ),
        )
        .await,
        Server::Mysql => {
            let ids = column(
                &server.url(),
                &format!(
                    "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = '{}'",
                    dev.name
                ),
            )
            .await;
            for id in &ids {
                execute(&server.url(), &format!("KILL {id}")).await;
            }
            ids
        }
    };
    assert_eq!(
        terminated.len(),
        1,
        "dev connections of the run: {terminated:?}"
    );
    let outcome = run.await.expect("the run's task");
    let err = match outcome {
        Ok(applied) => panic!("the run succeeded (applied={applied}) without its dev connection"),
        Err(e) => e.to_string(),
    };
    eprintln!("{server:?}: run with a terminated dev connection (scratch {scratch}) failed: {err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_recovers(
        server,
        &target.url,
        &dev,
        &Source::sql("schema.sql", SMALL_SCHEMA),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_killed_during_dev_load_recovers() {
    killed_during_dev_load(Server::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_killed_during_dev_load_recovers() {
    killed_during_dev_load(Server::Mysql).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_killed_during_apply_recovers() {
    killed_during_apply(Server::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_killed_during_apply_recovers() {
    killed_during_apply(Server::Mysql).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_terminated_dev_connection_fails_then_recovers() {
    terminated_dev_connection(Server::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_terminated_dev_connection_fails_then_recovers() {
    terminated_dev_connection(Server::Mysql).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_apply_killed_holding_the_lock_does_not_block_the_next() {
    let dir = TempDir::new();
    let url = dir.sqlite_url("app.db");
    let schema = dir.write(
        "schema.sql",
        "CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n",
    );
    let source = Source::file(&schema);
    let mut child = ChildRun::start("hold", &url, None, &schema);
    child.wait_for(APPROVED, Duration::from_secs(60));
    // The child holds the apply lock now: another run must wait for it...
    let blocked = SchemaApply::builder()
        .url(&url)
        .to(source.clone())
        .lock_timeout(Duration::from_millis(300))
        .build()
        .await
        .expect("connect");
    let refused = blocked.run(|_| true).await;
    blocked.close().await.expect("close");
    assert!(
        matches!(refused, Err(MigrateError::Driver(_))),
        "a run got the lock while the child held it: {refused:?}"
    );
    // ...until the child dies.
    child.kill();
    let started = Instant::now();
    let apply = SchemaApply::builder()
        .url(&url)
        .to(source)
        .lock_timeout(Duration::from_secs(2))
        .build()
        .await
        .expect("connect");
    let report = apply.run(|_| true).await.expect("the next run");
    apply.close().await.expect("close");
    assert!(
        report.applied,
        "the killed child applied nothing, so the next run must"
    );
    eprintln!(
        "SQLite: next run after the kill in {:.1?}",
        started.elapsed()
    );
}

/// Drops a database/schema by name when dropped, whether or not the test created it.
struct DropGuard {
    url: String,
    sql: String,
}

impl Drop for DropGuard {
    fn drop(&mut self) {
        let (url, sql) = (self.url.clone(), self.sql.clone());
        let cleanup = std::thread::spawn(move || {
            if let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                runtime.block_on(async {
                    if let Ok(driver) = mercator_migrate::open(&url).await {
                        if let Ok(mut session) = driver.session().await {
                            let _ = session.execute(&sql).await;
                        }
                        let _ = driver.close().await;
                    }
                });
            }
        });
        let _ = cleanup.join();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_create_schema_outside_the_dev_database_is_refused_and_removed() {
    let Some((target, dev)) = ServerDb::pair(Server::Mysql).await else {
        return;
    };
    let outside = unique_name("mercator_outside");
    let _guard = DropGuard {
        url: Server::Mysql.url(),
        sql: format!("DROP DATABASE IF EXISTS `{outside}`"),
    };
    let source = Source::sql(
        "schema.sql",
        format!("CREATE SCHEMA {outside};\nCREATE TABLE {outside}.t (id int);\n"),
    );
    let err = apply_once(&target.url, Some(&dev.url), &source)
        .await
        .expect_err("a desired state creating a database outside the dev database was accepted");
    let message = err.to_string();
    eprintln!("MySQL: {message}");
    assert!(matches!(err, MigrateError::OutsideDev { .. }), "{err:?}");
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(message.contains(&outside), "{message}");
    let found = column(
        &Server::Mysql.url(),
        &format!(
            "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '{outside}'"
        ),
    )
    .await;
    assert!(found.is_empty(), "{outside} is left on the server");
    let left = scratch_spaces(Server::Mysql, &dev.name).await;
    assert!(left.is_empty(), "scratch spaces left: {left:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_create_schema_outside_a_bound_dev_schema_is_refused_and_removed() {
    let Some((target, dev)) = ServerDb::pair(Server::Postgres).await else {
        return;
    };
    dev.exec("CREATE SCHEMA devspace").await;
    let outside = unique_name("mercator_outside");
    let target_url = format!("{}?search_path=public", target.url);
    let dev_url = format!("{}?search_path=devspace", dev.url);
    let source = Source::sql(
        "schema.sql",
        format!("CREATE SCHEMA {outside};\nCREATE TABLE {outside}.t (id int);\n"),
    );
    let err = apply_once(&target_url, Some(&dev_url), &source)
        .await
        .expect_err("a desired state creating a schema outside the dev schema was accepted");
    let message = err.to_string();
    eprintln!("PostgreSQL: {message}");
    assert!(matches!(err, MigrateError::OutsideDev { .. }), "{err:?}");
    assert_eq!(message.lines().count(), 1, "{message}");
    let schemas = column(
        &dev.url,
        "SELECT nspname::text FROM pg_namespace WHERE nspname !~ '^pg_' AND nspname <> 'information_schema' ORDER BY 1",
    )
    .await;
    assert_eq!(
        schemas,
        ["devspace", "public"],
        "schemas left in the dev database"
    );
}

/// Tables in the public schema of `url`.
async fn pg_table_count(url: &str) -> usize {
    let count = column(
        url,
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
    )
    .await;
    count.first().and_then(|c| c.parse().ok()).expect("a count")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_reset_of_two_thousand_tables_succeeds() {
    let Some(dev) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    let tables = 2_000;
    // Created in batches of 200: one transaction creating them all would itself run out of
    // lock slots.
    for batch in 0..tables / 200 {
        let sql: String = (batch * 200..(batch + 1) * 200)
            .map(|i| format!("CREATE TABLE t{i} (id bigint PRIMARY KEY, v text);"))
            .collect();
        dev.exec(&sql).await;
    }
    assert_eq!(pg_table_count(&dev.url).await, tables);
    let driver = mercator_migrate::open(&dev.url)
        .await
        .expect("open the dev database");
    let started = Instant::now();
    let reset = driver.reset().await;
    eprintln!(
        "PostgreSQL: reset of {tables} tables in {:.1?}",
        started.elapsed()
    );
    reset.unwrap_or_else(|e| panic!("reset failed: {e}"));
    driver.check_clean().await.expect("clean after the reset");
    driver.close().await.expect("close");
    assert_eq!(pg_table_count(&dev.url).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_dev_user_without_createdb_loads_two_thousand_tables() {
    let Some((target, dev)) = ServerDb::pair(Server::Postgres).await else {
        return;
    };
    let role = unique_name("mercator_nocreatedb");
    // Dropped after the databases (guards drop in reverse order of declaration).
    let _role_guard = DropGuard {
        url: Server::Postgres.url(),
        sql: format!("DROP ROLE IF EXISTS {role}"),
    };
    let (target, dev) = (target, dev);
    dev.exec(&format!(
        "CREATE ROLE {role} LOGIN NOCREATEDB; ALTER DATABASE {} OWNER TO {role}; ALTER SCHEMA public OWNER TO {role}",
        dev.name
    ))
    .await;
    let dev_url = dev.url.replacen("://postgres@", &format!("://{role}@"), 1);
    assert_ne!(
        dev_url, dev.url,
        "the test server URL has no user postgres to replace"
    );
    if let Err(e) = mercator_migrate::open(&dev_url).await {
        eprintln!("skipping: cannot connect as {role} (no trust authentication?): {e}");
        return;
    }
    let tables = 2_000;
    let source = Source::sql("schema.sql", many_tables(tables));
    let started = Instant::now();
    let apply = SchemaApply::builder()
        .url(&target.url)
        .to(source)
        .dev_url(&dev_url)
        .build()
        .await
        .expect("connect");
    let planned = apply.plan().await;
    apply.close().await.expect("close");
    let planned = planned.unwrap_or_else(|e| panic!("loading {tables} tables failed: {e}"));
    eprintln!(
        "PostgreSQL: {tables} tables loaded and reset on a dev database without CREATEDB in {:.1?}",
        started.elapsed()
    );
    assert_eq!(planned.changes.len(), tables);
    assert_eq!(
        pg_table_count(&dev.url).await,
        0,
        "the dev database was not reset"
    );
    drop(target);
}

/// A database someone else creates on the MySQL server while a run loads its desired
/// state is not the run's doing: the run must neither fail for it nor drop it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_database_created_by_another_client_during_a_load_is_left_alone() {
    let Some((target, dev)) = ServerDb::pair(Server::Mysql).await else {
        return;
    };
    let bystander = unique_name("mercator_bystander");
    let _guard = DropGuard {
        url: Server::Mysql.url(),
        sql: format!("DROP DATABASE IF EXISTS `{bystander}`"),
    };
    let source = Source::sql(
        "schema.sql",
        format!("{SMALL_SCHEMA}{}", sleep_sql(Server::Mysql, 2)),
    );
    let run = tokio::spawn({
        let (url, dev_url, source) = (target.url.clone(), dev.url.clone(), source.clone());
        async move { apply_once(&url, Some(&dev_url), &source).await }
    });
    wait_for_scratch(Server::Mysql, &dev.name).await;
    execute(
        &Server::Mysql.url(),
        &format!("CREATE DATABASE `{bystander}`"),
    )
    .await;
    let outcome = run.await.expect("the run's task");
    let found = column(
        &Server::Mysql.url(),
        &format!(
            "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '{bystander}'"
        ),
    )
    .await;
    assert_eq!(
        found,
        [bystander.as_str()],
        "the run dropped {bystander} (run: {outcome:?})"
    );
    assert!(matches!(outcome, Ok(true)), "{outcome:?}");
}
