//! `mercator schema plan` and `schema apply --plan`: reviewed plans saved in Atlas's
//! `*.plan.hcl` shape, edited through `$EDITOR`, and applied only to the state they were
//! planned against.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use mercator_testkit::{Server, ServerDb, TempDir};

mod support;
use support::{file_url, text};

fn mercator_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mercator"));
    command.args(args).stdin(Stdio::null());
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("run mercator")
}

fn mercator(args: &[&str]) -> Output {
    mercator_env(args, &[])
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "stdout: {}\nstderr: {}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

fn fails(out: Output) -> String {
    let stderr = text(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout: {}\nstderr: {stderr}",
        text(&out.stdout)
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

/// The `from` and `to` of a saved plan file, read back with the project crate.
fn fingerprints(path: &Path) -> (String, String) {
    let loaded = mercator_project::PlanFile::load(path).expect("plan file");
    (loaded.plan.from, loaded.plan.to)
}

const V1: &str = "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n";
const V2: &str = "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT);\n\
                  CREATE TABLE posts (id INTEGER PRIMARY KEY, title TEXT);\n";

/// Runs the acceptance scenario against one target URL maker.
struct Scenario<'a> {
    dir: &'a TempDir,
    dev: Option<&'a str>,
}

impl Scenario<'_> {
    fn with_dev<'b>(&self, mut args: Vec<&'b str>, dev: &'b Option<String>) -> Vec<&'b str> {
        if let Some(dev) = dev {
            args.push("--dev-url");
            args.push(dev);
        }
        args
    }

    fn apply_sql(&self, url: &str, sql_file: &str) {
        let to = file_url(&self.dir.path().join(sql_file));
        let dev = self.dev.map(str::to_owned);
        let args = self.with_dev(
            vec![
                "schema",
                "apply",
                "--url",
                url,
                "--to",
                &to,
                "--auto-approve",
            ],
            &dev,
        );
        ok(mercator(&args));
    }

    fn plan(&self, url: &str, save: &Path) -> String {
        let to = file_url(&self.dir.path().join("v2.sql"));
        let save = save.display().to_string();
        let dev = self.dev.map(str::to_owned);
        let args = self.with_dev(
            vec!["schema", "plan", "--url", url, "--to", &to, "--save", &save],
            &dev,
        );
        ok(mercator(&args))
    }

    fn apply_plan(&self, url: &str, plan: &Path, with_to: bool) -> Output {
        let plan = plan.display().to_string();
        let to = file_url(&self.dir.path().join("v2.sql"));
        let dev = self.dev.map(str::to_owned);
        let mut args = vec!["schema", "apply", "--url", url, "--plan", &plan];
        if with_to {
            args.push("--to");
            args.push(&to);
        }
        let args = self.with_dev(args, &dev);
        mercator(&args)
    }
}

/// S → plan; the plan applies on S; is refused on S' (a column added by hand) naming both
/// fingerprints and the column; is refused when applied a second time.
fn saved_plan_applies_only_on_its_state(
    dir: &TempDir,
    dev: Option<&str>,
    s: &str,
    s_prime: &str,
    add_column_by_hand: impl FnOnce(),
) {
    dir.write("v1.sql", V1);
    dir.write("v2.sql", V2);
    let scenario = Scenario { dir, dev };
    scenario.apply_sql(s, "v1.sql");
    scenario.apply_sql(s_prime, "v1.sql");
    let saved = dir.path().join("add_posts.plan.hcl");
    let printed = scenario.plan(s, &saved);
    assert!(printed.contains("posts"), "{printed}");
    let hcl = std::fs::read_to_string(&saved).unwrap();
    assert!(hcl.starts_with("plan \"add_posts\" {"), "{hcl}");
    let (from, to) = fingerprints(&saved);
    assert!(
        from.starts_with("m1:") && to.starts_with("m1:") && from != to,
        "{hcl}"
    );

    add_column_by_hand();
    let refused = fails(scenario.apply_plan(s_prime, &saved, true));
    assert!(refused.contains(&from), "names the plan's from: {refused}");
    let found = refused
        .split("database is at ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .map(|f| f.trim_end_matches(':').to_owned())
        .unwrap_or_default();
    assert!(
        found.starts_with("m1:") && found != from,
        "names the database's: {refused}"
    );
    assert!(
        refused.contains("nickname"),
        "says how it differs: {refused}"
    );

    let dry = ok(mercator(&[
        "schema",
        "apply",
        "--url",
        s,
        "--plan",
        &saved.display().to_string(),
        "--dry-run",
    ]));
    assert!(
        dry.contains("nothing was applied") && dry.contains(&from),
        "{dry}"
    );
    let applied = ok(scenario.apply_plan(s, &saved, false));
    assert!(applied.contains(&to), "{applied}");
    let again = fails(scenario.apply_plan(s, &saved, false));
    assert!(again.contains("already at the plan's target"), "{again}");
    assert!(again.contains(&from) && again.contains(&to), "{again}");
}

#[test]
fn sqlite_plan_applies_on_its_state_only() {
    let dir = TempDir::new();
    let s = dir.sqlite_url("s.db");
    let s_prime = dir.sqlite_url("s_prime.db");
    let path = dir.path().join("s_prime.db");
    saved_plan_applies_only_on_its_state(&dir, None, &s, &s_prime, || {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("ALTER TABLE users ADD COLUMN nickname TEXT;")
            .unwrap();
    });
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_plan_applies_on_its_state_only() {
    let Some(s) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    let Some(s_prime) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    let Some(dev) = ServerDb::create(Server::Postgres).await else {
        return;
    };
    let dir = TempDir::new();
    let (s_url, sp_url, dev_url) = (s.url.clone(), s_prime.url.clone(), dev.url.clone());
    let handle = tokio::runtime::Handle::current();
    let sp = &s_prime;
    tokio::task::block_in_place(|| {
        saved_plan_applies_only_on_its_state(&dir, Some(&dev_url), &s_url, &sp_url, || {
            handle.block_on(sp.exec("ALTER TABLE public.users ADD COLUMN nickname text"));
        });
    });
}

#[tokio::test(flavor = "multi_thread")]
async fn mysql_plan_applies_on_its_state_only() {
    let Some(s) = ServerDb::create(Server::Mysql).await else {
        return;
    };
    let Some(s_prime) = ServerDb::create(Server::Mysql).await else {
        return;
    };
    let Some(dev) = ServerDb::create(Server::Mysql).await else {
        return;
    };
    let dir = TempDir::new();
    let (s_url, sp_url, dev_url) = (s.url.clone(), s_prime.url.clone(), dev.url.clone());
    let handle = tokio::runtime::Handle::current();
    let sp = &s_prime;
    tokio::task::block_in_place(|| {
        saved_plan_applies_only_on_its_state(&dir, Some(&dev_url), &s_url, &sp_url, || {
            handle.block_on(sp.exec("ALTER TABLE users ADD COLUMN nickname text"));
        });
    });
}

fn editor(dir: &TempDir, name: &str, script: &str) -> String {
    let path = dir.write(name, script);
    format!("sh {}", path.display())
}

#[test]
fn edited_plan_is_kept_only_if_it_reaches_the_desired_state() {
    let dir = TempDir::new();
    dir.write("v1.sql", V1);
    dir.write("v2.sql", V2);
    let url = dir.sqlite_url("app.db");
    let scenario = Scenario {
        dir: &dir,
        dev: None,
    };
    scenario.apply_sql(&url, "v1.sql");
    let to = file_url(&dir.path().join("v2.sql"));
    let saved = dir.path().join("p.plan.hcl");
    let save = saved.display().to_string();
    let args = [
        "schema", "plan", "--url", &url, "--to", &to, "--save", &save, "--edit",
    ];

    // An edit that adds a column the desired schema does not have: rejected, diff shown.
    let adds = editor(
        &dir,
        "adds.sh",
        "printf 'ALTER TABLE users ADD COLUMN bogus INTEGER;\\n' >> \"$1\"\n",
    );
    let out = mercator_env(&args, &[("EDITOR", &adds)]);
    let stderr = fails(out);
    assert!(stderr.contains("+++ edited plan"), "{stderr}");
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with('+') && l.contains("bogus")),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was saved"), "{stderr}");
    assert!(!saved.exists());

    // An edit that breaks a statement: a located error, nothing saved.
    let breaks = editor(
        &dir,
        "breaks.sh",
        "printf 'ALTER TABLE nowhere ADD COLUMN x INTEGER;\\n' >> \"$1\"\n",
    );
    let stderr = fails(mercator_env(&args, &[("EDITOR", &breaks)]));
    assert!(stderr.contains("line"), "{stderr}");
    assert!(!saved.exists());

    // A reviewed edit that keeps the outcome (a note, statements split differently) is saved
    // as edited.
    let notes = editor(
        &dir,
        "notes.sh",
        "{ printf -- '-- reviewed by the DBA\\n'; cat \"$1\"; } > \"$1.new\" && mv \"$1.new\" \"$1\"\n",
    );
    let out = ok(mercator_env(&args, &[("EDITOR", &notes)]));
    assert!(out.contains("reviewed by the DBA"), "{out}");
    let hcl = std::fs::read_to_string(&saved).unwrap();
    assert!(hcl.contains("-- reviewed by the DBA"), "{hcl}");
    // And the saved, edited plan applies.
    ok(mercator(&[
        "schema", "apply", "--url", &url, "--plan", &save,
    ]));
    let synced = ok(mercator(&[
        "schema",
        "apply",
        "--url",
        &url,
        "--to",
        &to,
        "--dry-run",
    ]));
    assert!(synced.contains("synced"), "{synced}");
}

#[test]
fn a_plan_file_from_another_fingerprint_version_is_refused_before_running() {
    let dir = TempDir::new();
    let url = dir.sqlite_url("app.db");
    let plan = dir.write(
        "x.plan.hcl",
        "plan \"x\" {\n  from = \"m9:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\"\n  to = \"m9:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\"\n  migration = \"CREATE TABLE t (id int);\\n\"\n}\n",
    );
    let stderr = fails(mercator(&[
        "schema",
        "apply",
        "--url",
        &url,
        "--plan",
        &plan.display().to_string(),
    ]));
    assert!(stderr.contains("m9:"), "{stderr}");
    assert!(stderr.contains("another Mercator version"), "{stderr}");
    // Nothing ran.
    let inspected = ok(mercator(&["schema", "inspect", "--url", &url]));
    assert!(!inspected.contains("CREATE TABLE"), "{inspected}");
}

#[test]
fn plan_prints_the_lint_analysis_of_what_it_plans() {
    let dir = TempDir::new();
    let url = dir.sqlite_url("app.db");
    let v1 = dir.write(
        "v1.sql",
        "CREATE TABLE users (id INTEGER PRIMARY KEY);\nCREATE TABLE t1 (id INTEGER PRIMARY KEY);\n",
    );
    let v2 = dir.write("v2.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY);\n");
    ok(mercator(&[
        "schema",
        "apply",
        "--url",
        &url,
        "--to",
        &file_url(&v1),
        "--auto-approve",
    ]));
    let out = ok(mercator(&[
        "schema",
        "plan",
        "--url",
        &url,
        "--to",
        &file_url(&v2),
    ]));
    assert!(out.contains("DROP TABLE"), "{out}");
    assert!(out.contains("DS102"), "{out}");
}
