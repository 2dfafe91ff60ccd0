//! The PostgreSQL and MySQL corpora executed on real servers: as written, in computed order,
//! and scattered across random imports. Uses the `psql` and `mysql` clients with
//! `MERCATOR_POSTGRES_URL` / `MERCATOR_MYSQL_URL` (defaults: local servers); skipped when a
//! server is unreachable unless `MERCATOR_REQUIRE_SERVERS=1`.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{TempDir, corpus_files, fixture};
use sqlimport::scatter::scatter;
use sqlimport::{DialectKind, Statement, load, load_str, split};

const SEEDS: u64 = 8;

fn require_servers() -> bool {
    std::env::var("MERCATOR_REQUIRE_SERVERS").is_ok_and(|v| v == "1")
}

fn skip(what: &str, why: &str) {
    assert!(
        !require_servers(),
        "{what} is required (MERCATOR_REQUIRE_SERVERS=1) but unreachable: {why}"
    );
    eprintln!("skipping: {what} unreachable: {why}");
}

/// A scratch database name unique to this process and call.
fn scratch_name() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!(
        "sqlimport_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

fn run(mut command: Command, input: &str) -> Result<(), String> {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(input.as_bytes())
            .map_err(|e| e.to_string())?;
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

trait Server {
    fn name(&self) -> &'static str;
    fn admin(&self, sql: &str) -> Result<(), String>;
    fn script(&self, db: &str, script: &str) -> Result<(), String>;
    fn render(&self, statements: &[Statement]) -> String;

    /// Runs `statements` in a fresh database.
    fn execute(&self, statements: &[Statement]) -> Result<(), String> {
        let db = scratch_name();
        self.admin(&format!("CREATE DATABASE {db}"))?;
        let result = self.script(&db, &self.render(statements));
        let _ = self.admin(&format!("DROP DATABASE {db}"));
        result
    }

    fn reachable(&self) -> bool {
        match self.admin("SELECT 1") {
            Ok(()) => true,
            Err(e) => {
                skip(self.name(), &e);
                false
            }
        }
    }
}

struct Postgres {
    url: String,
}

impl Postgres {
    fn new() -> Self {
        Postgres {
            url: std::env::var("MERCATOR_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into()),
        }
    }

    fn url_for(&self, db: &str) -> String {
        let (base, query) = self.url.split_once('?').unwrap_or((&self.url, ""));
        let host_end = base.find("://").map_or(0, |i| i + 3);
        let path = base[host_end..]
            .find('/')
            .map_or(base.len(), |i| i + host_end);
        let query = if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        };
        format!("{}/{db}{query}", &base[..path])
    }
}

impl Server for Postgres {
    fn name(&self) -> &'static str {
        "PostgreSQL"
    }

    fn admin(&self, sql: &str) -> Result<(), String> {
        let mut cmd = Command::new("psql");
        cmd.args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql, &self.url]);
        run(cmd, "")
    }

    fn script(&self, db: &str, script: &str) -> Result<(), String> {
        let mut cmd = Command::new("psql");
        cmd.args([
            "-X",
            "-q",
            "-1",
            "-v",
            "ON_ERROR_STOP=1",
            "-f",
            "-",
            &self.url_for(db),
        ]);
        run(cmd, script)
    }

    fn render(&self, statements: &[Statement]) -> String {
        statements
            .iter()
            .map(|s| format!("-- {}\n{};\n", s.location, s.sql))
            .collect()
    }
}

struct Mysql {
    args: Vec<String>,
}

impl Mysql {
    fn new() -> Self {
        let url = std::env::var("MERCATOR_MYSQL_URL")
            .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".into());
        let rest = url.split_once("://").map_or(url.as_str(), |(_, r)| r);
        let authority = rest.split('/').next().unwrap_or_default();
        let (user_info, host_port) = authority.rsplit_once('@').unwrap_or(("root", authority));
        let (user, password) = user_info.split_once(':').unwrap_or((user_info, ""));
        let (host, port) = host_port.split_once(':').unwrap_or((host_port, "3306"));
        let mut args = vec![
            format!("-u{user}"),
            format!("-h{host}"),
            format!("-P{port}"),
            "--protocol=tcp".to_string(),
        ];
        if !password.is_empty() {
            args.push(format!("-p{password}"));
        }
        Mysql { args }
    }
}

impl Server for Mysql {
    fn name(&self) -> &'static str {
        "MySQL"
    }

    fn admin(&self, sql: &str) -> Result<(), String> {
        let mut cmd = Command::new("mysql");
        cmd.args(&self.args).args(["-e", sql]);
        run(cmd, "")
    }

    fn script(&self, db: &str, script: &str) -> Result<(), String> {
        let mut cmd = Command::new("mysql");
        cmd.args(&self.args).arg(db);
        run(cmd, script)
    }

    fn render(&self, statements: &[Statement]) -> String {
        let delimiter = ["~~", "//", "$$", ";;"]
            .into_iter()
            .find(|d| statements.iter().all(|s| !s.sql.contains(d)))
            .unwrap_or("~~");
        let mut out = format!("DELIMITER {delimiter}\n");
        for s in statements {
            out.push_str(&format!("-- {}\n{}{delimiter}\n", s.location, s.sql));
        }
        out
    }
}

fn statements_of(file: &Path, dialect: DialectKind) -> Vec<Statement> {
    let sql = std::fs::read_to_string(file).expect("reads corpus file");
    split(&sql, file, dialect).expect("splits")
}

fn check_corpus(server: &dyn Server, dir: &str, dialect: DialectKind) {
    if !server.reachable() {
        return;
    }
    for file in corpus_files(dir) {
        let written = statements_of(&file, dialect);
        server
            .execute(&written)
            .unwrap_or_else(|e| panic!("{} as written: {e}", file.display()));
        let ordered = load(&file, dialect).expect("loads").statements;
        server
            .execute(&ordered)
            .unwrap_or_else(|e| panic!("{} ordered: {e}", file.display()));
        for seed in 0..SEEDS {
            let tmp = TempDir::new("server-scatter");
            let files = 2 + (seed as usize * 5) % 10;
            let root = scatter(&written, seed, files, tmp.path()).expect("scatters");
            let project = load(&root, dialect).expect("loads");
            if let Err(e) = server.execute(&project.statements) {
                panic!("{} seed {seed} ({files} files): {e}", file.display());
            }
        }
    }
}

#[test]
fn postgres_corpus_runs_in_any_split() {
    check_corpus(&Postgres::new(), "postgres", DialectKind::Postgres);
}

#[test]
fn mysql_corpus_runs_in_any_split() {
    check_corpus(&Mysql::new(), "mysql", DialectKind::Mysql);
}

const FK_CYCLE: &str = "CREATE TABLE store (id INT PRIMARY KEY, manager_id INT NOT NULL REFERENCES staff (id));\n\
CREATE TABLE staff (id INT PRIMARY KEY, store_id INT NOT NULL, CONSTRAINT staff_store FOREIGN KEY (store_id) REFERENCES store (id));\n\
CREATE TABLE visit (staff_id INT REFERENCES staff (id), store_id INT, FOREIGN KEY (store_id) REFERENCES store (id));";

#[test]
fn broken_foreign_key_cycles_execute() {
    for (server, dialect) in [
        (&Postgres::new() as &dyn Server, DialectKind::Postgres),
        (&Mysql::new(), DialectKind::Mysql),
    ] {
        if !server.reachable() {
            continue;
        }
        let project = load_str(FK_CYCLE, Path::new("cycle.sql"), dialect).expect("loads");
        assert_eq!(project.statements.len(), 4, "{:#?}", project.statements);
        server
            .execute(&project.statements)
            .unwrap_or_else(|e| panic!("{}: {e}", server.name()));
    }
}

#[test]
fn import_seed_executes_on_postgres() {
    let server = Postgres::new();
    let main = std::env::var_os("MERCATOR_CONFORMANCE_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| fixture("../../../../shared/conformance"))
        .join("import-seed/main.sql");
    if !main.exists() || !server.reachable() {
        return;
    }
    let project = load(&main, DialectKind::Postgres).expect("loads");
    server
        .execute(&project.statements)
        .unwrap_or_else(|e| panic!("import-seed: {e}"));
}
