//! Tenant sets given as lists of URLs (`--url` repeated, or an `atlas.hcl` env with
//! `for_each` over a `data "sql"` source, Atlas's multi-tenant pattern), and `schema apply`
//! over a tenant set, as a user runs them.

use mercator_testkit::{Server, ServerDb, TempDir, mysql_url};

mod support;
use support::{mercator, text};

fn hashed(tmp: &TempDir, files: &[(&str, &str)]) -> String {
    for (name, sql) in files {
        tmp.write(&format!("migrations/{name}"), sql);
    }
    let dir = tmp.path().join("migrations").display().to_string();
    let out = mercator(&["migrate", "hash", "--dir", &dir]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    dir
}

#[test]
fn sqlite_url_lists_and_declarative_fleets() {
    let tmp = TempDir::new();
    let dir = hashed(
        &tmp,
        &[(
            "1_users.sql",
            "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\n",
        )],
    );
    let (a, b) = (tmp.sqlite_url("acme.db"), tmp.sqlite_url("globex.db"));
    let out = mercator(&[
        "migrate", "apply", "--dir", &dir, "--url", &a, "--url", &b, "--format", "json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(report["tenants"][0]["tenant"], "acme");
    assert_eq!(report["tenants"][1]["status"], "applied");
    // Commands without tenant sets refuse several URLs.
    let out = mercator(&["migrate", "set", "--dir", &dir, "--url", &a, "--url", &b]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("--url is given 2 times"));

    let schema = tmp.write(
        "schema.sql",
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\nCREATE INDEX users_email ON users (email);\n",
    );
    let to = format!("file://{}", schema.display());
    let template = format!("sqlite://{}/{{tenant}}.db", tmp.path().display());
    let run = |extra: &[&str]| {
        let mut args = vec![
            "schema", "apply", "--url", &template, "--tenant", "acme", "--tenant", "globex",
            "--to", &to,
        ];
        args.extend_from_slice(extra);
        mercator(&args)
    };
    let out = run(&[]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("not applied interactively"),
        "{}",
        text(&out.stderr)
    );
    let out = run(&["--dry-run"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(
        shown.contains("-- Plan #1 (2 tenants):") && shown.contains("CREATE INDEX"),
        "{shown}"
    );
    let out = run(&["--auto-approve", "--format", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(report["groups"].as_array().map(Vec::len), Some(1));
    assert_eq!(report["tenants"][1]["status"], "applied");
    let out = run(&["--auto-approve"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("up_to_date  2"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_for_each_env_over_a_data_source_runs_one_fleet() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut dbs = Vec::new();
    for _ in 0..3 {
        let Some(db) = rt.block_on(ServerDb::create(Server::Mysql)) else {
            return;
        };
        dbs.push(db);
    }
    let Some(dev) = rt.block_on(ServerDb::create(Server::Mysql)) else {
        return;
    };
    let tmp = TempDir::new();
    let dir = hashed(
        &tmp,
        &[(
            "1_users.sql",
            "CREATE TABLE users (id bigint NOT NULL PRIMARY KEY, email varchar(255) NOT NULL);\n",
        )],
    );
    let schema = tmp.write(
        "schema.sql",
        "CREATE TABLE users (id bigint NOT NULL PRIMARY KEY, email varchar(255) NOT NULL);\nCREATE INDEX users_email ON users (email);\n",
    );
    let names = dbs
        .iter()
        .map(|d| format!("'{}'", d.name))
        .collect::<Vec<_>>()
        .join(", ");
    // Atlas's documented pattern: the tenants from a query, one env instance per tenant.
    let config = tmp.write(
        "atlas.hcl",
        &format!(
            r#"variable "url" {{
  type = string
}}

data "sql" "tenants" {{
  url   = var.url
  query = "SELECT schema_name FROM information_schema.schemata WHERE schema_name IN ({names}) ORDER BY 1"
}}

env "tenants" {{
  for_each = toset(data.sql.tenants.values)
  url      = urlsetpath(var.url, each.value)
  src      = "file://{schema}"
  dev      = "{dev}"
  migration {{
    dir = "file://{dir}"
  }}
}}
"#,
            schema = schema.display(),
            dev = dev.url,
        ),
    );
    let config = format!("file://{}", config.display());
    let var = format!("url={}", mysql_url());
    let run = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend_from_slice(&["--env", "tenants", "--config", &config, "--var", &var]);
        mercator(&all)
    };
    let out = run(&["migrate", "apply"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // One fleet run: one summary for the three tenants.
    let shown = text(&out.stdout);
    assert!(shown.contains("applied     3"), "{shown}");
    assert_eq!(shown.matches("STATUS").count(), 1, "{shown}");
    let out = run(&["migrate", "status"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("3 identical, 0 differ"),
        "{}",
        text(&out.stdout)
    );
    let out = run(&["schema", "apply", "--auto-approve", "--format", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let statuses: Vec<&str> = report["tenants"]
        .as_array()
        .map(|t| t.iter().filter_map(|t| t["status"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(statuses, ["applied", "applied", "applied"]);
    assert_eq!(report["groups"][0]["tenants"][0], dbs[0].name.as_str());
}
