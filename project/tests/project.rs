//! `atlas.hcl` loading against files in the shapes Atlas's documentation shows.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mercator_project::*;

fn fixture(name: &str) -> ProjectFile {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/atlas")
        .join(name);
    ProjectFile::load(path).expect("fixture parses")
}

fn no_env() -> LoadOptions {
    LoadOptions::new().getenv(|_| None)
}

fn flags(f: &[&str]) -> Inputs {
    Inputs::from_flags(f).expect("valid flags")
}

#[test]
fn variables_locals_and_lists() {
    let project = fixture("variables.hcl");
    assert_eq!(project.env_names(), ["local", "prod"]);
    let options = no_env().inputs(flags(&["user=ada", "tenants=t1", "tenants=t2"]));
    let selection = project.select("local", &options).unwrap();
    assert!(selection.warnings.is_empty(), "{:?}", selection.warnings);
    let env = &selection.envs[0];
    assert_eq!(env.name, "local");
    assert_eq!(
        env.url.as_deref(),
        Some("mysql://ada:pass@localhost:3306/db1")
    );
    assert_eq!(env.dev.as_deref(), Some("docker://mysql/8/dev"));
    assert_eq!(env.src, ["file://schema/a.sql", "file://schema/b.sql"]);
    assert_eq!(env.schemas, ["t1", "t2"]);
    assert_eq!(env.exclude, ["*.tmp_*"]);
    assert_eq!(env.location.line, 36);

    let prod = project.select("prod", &options).unwrap();
    assert_eq!(prod.envs[0].src, ["file://schema"]);
    assert_eq!(
        prod.envs[0].url.as_deref(),
        Some("mysql://root:pass@localhost:3306/")
    );
}

#[test]
fn getenv_reads_the_injected_environment() {
    let project = fixture("variables.hcl");
    let options = LoadOptions::new()
        .getenv(|name| (name == "ATLAS_TOKEN").then(|| "tok".to_owned()))
        .inputs(flags(&["user=u", "tenants=a", "url=mysql://h/"]));
    let selection = project.select("prod", &options).unwrap();
    assert_eq!(selection.envs[0].url.as_deref(), Some("mysql://h/"));
}

#[test]
fn missing_and_ill_typed_variables_are_located_errors() {
    let project = fixture("variables.hcl");
    let err = project
        .select("local", &no_env().inputs(flags(&["tenants=a"])))
        .unwrap_err();
    match &err {
        ProjectError::MissingVariable { name, location } => {
            assert_eq!(name, "user");
            assert_eq!(location.line, 16);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("variables.hcl:16:1"), "{err}");

    let typed = ProjectFile::parse(
        "t.hcl",
        "variable \"n\" {\n  type = number\n}\nvariable \"b\" {\n  type = bool\n  default = true\n}\nenv \"e\" {\n  url = \"x${var.n}\"\n}\n",
    )
    .unwrap();
    let err = typed
        .select("e", &no_env().inputs(flags(&["n=abc"])))
        .unwrap_err();
    assert!(
        matches!(&err, ProjectError::VariableType { name, expected, .. } if name == "n" && expected == "number"),
        "{err:?}"
    );
    let err = typed
        .select("e", &no_env().inputs(flags(&["n=1", "b=yes"])))
        .unwrap_err();
    assert!(
        matches!(&err, ProjectError::VariableType { name, .. } if name == "b"),
        "{err:?}"
    );
    let ok = typed
        .select("e", &no_env().inputs(flags(&["n=42", "b=false"])))
        .unwrap();
    assert_eq!(ok.envs[0].url.as_deref(), Some("x42"));

    // An undeclared --var is reported, not silently dropped.
    let warned = typed
        .select("e", &no_env().inputs(flags(&["n=1", "typo=1"])))
        .unwrap();
    assert_eq!(warned.warnings.len(), 1);
    assert!(warned.warnings[0].message.contains("typo"));

    assert!(matches!(
        Inputs::from_flags(["novalue"]),
        Err(ProjectError::VarFlag(_))
    ));
}

#[test]
fn migration_and_format_blocks() {
    let project = fixture("migration.hcl");
    let selection = project.select("local", &no_env()).unwrap();
    assert!(selection.warnings.is_empty(), "{:?}", selection.warnings);
    // Both the labeled env and the unlabeled `name = atlas.env` env match.
    assert_eq!(selection.envs.len(), 2);
    let env = &selection.envs[0];
    let m = &env.migration;
    assert_eq!(m.dir.as_deref(), Some("file://migrations"));
    assert_eq!(m.baseline.as_deref(), Some("20240101000000"));
    assert_eq!(m.exec_order, ExecOrder::LinearSkip);
    assert_eq!(m.lock_timeout, Some(Duration::from_secs(90)));
    assert_eq!(m.revisions_schema.as_deref(), Some("atlas"));
    assert_eq!(
        env.format.migrate.apply.as_deref(),
        Some(r#"{{ json . | json_merge "{\"EnvName\":\"local\"}" }}"#)
    );
    assert_eq!(env.format.migrate.status.as_deref(), Some("{{ json . }}"));
    assert_eq!(
        env.format.schema.diff.as_deref(),
        Some(r#"{{ sql . "  " }}"#)
    );

    let dynamic = &selection.envs[1];
    assert_eq!(dynamic.name, "local");
    // getenv of an unset variable is "" as in Atlas.
    assert_eq!(dynamic.url.as_deref(), Some(""));

    // The unlabeled env matches any --env name.
    let other = project
        .select(
            "staging",
            &LoadOptions::new().getenv(|_| Some("pg://x".into())),
        )
        .unwrap();
    assert_eq!(other.envs.len(), 1);
    assert_eq!(other.envs[0].name, "staging");
    assert_eq!(other.envs[0].url.as_deref(), Some("pg://x"));
}

#[test]
fn global_lint_and_diff_apply_to_every_env() {
    let project = fixture("lint-diff.hcl");
    let local = project.select("local", &no_env()).unwrap();
    assert!(local.warnings.is_empty(), "{:?}", local.warnings);
    let env = &local.envs[0];
    // The env's skip block replaces the global one.
    assert!(env.diff.skips(SkipChange::DropSchema));
    assert!(!env.diff.skips(SkipChange::DropTable));
    assert!(!env.diff.skips(SkipChange::DropColumn));
    assert_eq!(
        env.diff.concurrent_index,
        Some(ConcurrentIndex {
            create: true,
            drop: true
        })
    );
    assert_eq!(env.lint.latest, Some(1));
    assert_eq!(env.lint.review, Some(ReviewPolicy::Error));
    assert!(!env.lint.analyzer_errors("destructive", true));
    assert!(
        env.lint
            .format
            .as_deref()
            .unwrap()
            .contains("range $f := .Files")
    );

    let ci = project.select("ci", &no_env()).unwrap();
    let env = &ci.envs[0];
    assert!(env.diff.skips(SkipChange::DropTable));
    assert_eq!(env.lint.git.base.as_deref(), Some("master"));
    assert_eq!(env.lint.git.dir.as_deref(), Some("../"));
    assert_eq!(env.lint.review, Some(ReviewPolicy::Warning));
    // The env has its own analyzer block, so the global `destructive` one is not inherited.
    assert!(env.lint.analyzer_errors("data_depend", false));
    assert!(env.lint.analyzer_errors("destructive", true));

    let (globals, warnings) = project.globals(&no_env()).unwrap();
    assert!(warnings.is_empty());
    assert!(globals.diff.skips(SkipChange::DropTable));
}

type Calls = Arc<Mutex<Vec<(String, String, Vec<String>)>>>;

fn tenants_runner(calls: Calls) -> impl SqlDataSource {
    move |url: &str, query: &str, args: &[String]| -> Result<Vec<String>, QueryError> {
        calls
            .lock()
            .unwrap()
            .push((url.to_owned(), query.to_owned(), args.to_vec()));
        Ok(vec![
            "tenant_b".into(),
            "tenant_a".into(),
            "tenant_b".into(),
        ])
    }
}

#[test]
fn multi_tenant_for_each_over_a_sql_data_source() {
    let project = fixture("multi-tenant.hcl");
    let calls: Calls = Arc::default();
    let options = no_env().sql(tenants_runner(calls.clone()));
    let selection = project.select("prod", &options).unwrap();
    assert!(selection.warnings.is_empty(), "{:?}", selection.warnings);
    let urls: Vec<_> = selection
        .envs
        .iter()
        .map(|e| e.url.clone().unwrap())
        .collect();
    // toset: unique, sorted.
    assert_eq!(
        urls,
        [
            "mysql://root:pass@localhost:3306/tenant_a",
            "mysql://root:pass@localhost:3306/tenant_b"
        ]
    );
    let keys: Vec<_> = selection
        .envs
        .iter()
        .map(|e| e.instance.as_ref().unwrap().key.clone())
        .collect();
    assert_eq!(keys, ["tenant_a", "tenant_b"]);
    assert_eq!(
        selection.envs[1].format.migrate.apply.as_deref(),
        Some(r#"{{ json . | json_merge "{\"Tenant\":\"tenant_b\"}" }}"#)
    );
    // Only the referenced data source ran, once, with its arguments.
    let calls = calls.lock().unwrap();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].0, "mysql://root:pass@localhost:3306/");
    assert!(calls[0].1.contains("information_schema"));
    assert_eq!(calls[0].2, ["tenant_%"]);
}

#[test]
fn data_sources_run_only_when_referenced() {
    let project = fixture("multi-tenant.hcl");
    // No runner at all: the env that does not reference data still loads.
    let local = project.select("local", &no_env()).unwrap();
    assert_eq!(local.envs.len(), 1);
    let err = project.select("prod", &no_env()).unwrap_err();
    assert!(matches!(err, ProjectError::Unsupported { .. }), "{err:?}");
    assert!(err.to_string().contains("multi-tenant.hcl:13:1"), "{err}");

    let failing = no_env().sql(
        |_: &str, _: &str, _: &[String]| -> Result<Vec<String>, QueryError> {
            Err("connection refused".into())
        },
    );
    let err = project.select("prod", &failing).unwrap_err();
    assert!(matches!(err, ProjectError::DataSource { .. }));
    assert!(err.to_string().contains("connection refused"));
    assert!(std::error::Error::source(&err).is_some());
}

#[test]
fn urlsetpath_follows_atlas() {
    let project = ProjectFile::parse(
        "u.hcl",
        r#"
env "a" {
  url = urlsetpath("postgres://u:p@host:5432/db?search_path=public", "tenant")
  dev = urlsetpath("mysql://root@localhost:3306", "t1")
  src = urlqueryset("postgres://h/db?sslmode=disable", "search_path", "x y")
  schemas = [urlescape("a b/c~")]
}
"#,
    )
    .unwrap();
    let env = &project.select("a", &no_env()).unwrap().envs[0];
    // Atlas sets the URL path; query parameters stay.
    assert_eq!(
        env.url.as_deref(),
        Some("postgres://u:p@host:5432/tenant?search_path=public")
    );
    assert_eq!(env.dev.as_deref(), Some("mysql://root@localhost:3306/t1"));
    assert_eq!(env.src, ["postgres://h/db?search_path=x+y&sslmode=disable"]);
    assert_eq!(env.schemas, ["a+b%2Fc~"]);
}

#[test]
fn unsupported_items_are_located_warnings() {
    let project = fixture("unsupported.hcl");
    let selection = project.select("local", &no_env()).unwrap();
    let rendered: Vec<String> = selection.warnings.iter().map(|w| w.to_string()).collect();
    let expect = [
        ("unsupported.hcl:1:1", "block \"atlas\""),
        ("unsupported.hcl:7:1", "data source type \"remote_dir\""),
        ("unsupported.hcl:13:3", "attribute \"tenant\""),
        ("unsupported.hcl:16:5", "block \"repo\""),
        ("unsupported.hcl:21:5", "block \"non_linear\""),
        ("unsupported.hcl:26:7", "attribute \"verbose\""),
        ("unsupported.hcl:31:7", "attribute \"drop_everything\""),
    ];
    assert_eq!(rendered.len(), expect.len(), "{rendered:#?}");
    for (warning, (at, what)) in rendered.iter().zip(expect) {
        assert!(
            warning.contains(at) && warning.contains(what),
            "{warning} vs {at} {what}"
        );
    }
    // The supported parts were still read.
    assert!(!selection.envs[0].lint.analyzer_errors("destructive", true));
}

#[test]
fn errors_point_at_the_expression() {
    let cases = [
        ("env \"e\" {\n  url = var.nope\n}\n", "x.hcl:2:9"),
        ("env \"e\" {\n  url = nofunc(1)\n}\n", "x.hcl:2:9"),
        ("env \"e\" {\n  schemas = 3\n}\n", "x.hcl:2:3"),
        (
            "env \"e\" {\n  migration {\n    exec_order = \"SIDEWAYS\"\n  }\n}\n",
            "x.hcl:3:5",
        ),
        (
            "env \"e\" {\n  migration {\n    lock_timeout = \"soon\"\n  }\n}\n",
            "x.hcl:3:5",
        ),
        (
            "env \"e\" {\n  lint {\n    review = \"NEVER\"\n  }\n}\n",
            "x.hcl:3:5",
        ),
        (
            "env \"e\" {\n  url = \"a\"\n  url = \"b\"\n}\n",
            "x.hcl:3:3",
        ),
        ("env \"e\" {\n  url = \"a\n}\n", "x.hcl:2:"),
        ("env \"e\" {\n  for_each = 3\n}\n", "x.hcl:2:3"),
    ];
    for (text, at) in cases {
        let err = ProjectFile::parse("x.hcl", text)
            .and_then(|p| p.select("e", &no_env()))
            .unwrap_err();
        assert!(err.to_string().starts_with(at), "{text:?}: {err}");
        assert!(err.location().is_some());
    }
    let err = fixture("variables.hcl")
        .select("nope", &no_env())
        .unwrap_err();
    assert!(err.to_string().contains("local, prod"), "{err}");
}

#[test]
fn for_each_over_a_map() {
    let project = ProjectFile::parse(
        "m.hcl",
        r#"
locals {
  dbs = { eu = "mysql://eu/app", us = "mysql://us/app" }
}
env "region" {
  for_each = local.dbs
  url = each.value
  dev = "docker://mysql/8/${each.key}"
}
"#,
    )
    .unwrap();
    let selection = project.select("region", &no_env()).unwrap();
    let got: Vec<_> = selection
        .envs
        .iter()
        .map(|e| {
            (
                e.instance.as_ref().unwrap().key.clone(),
                e.url.clone().unwrap(),
                e.dev.clone().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "eu".to_owned(),
                "mysql://eu/app".to_owned(),
                "docker://mysql/8/eu".to_owned()
            ),
            (
                "us".to_owned(),
                "mysql://us/app".to_owned(),
                "docker://mysql/8/us".to_owned()
            ),
        ]
    );
}

#[test]
fn data_references_inside_templates_and_locals_are_found() {
    let project = ProjectFile::parse(
        "t.hcl",
        r#"
data "sql" "db" {
  url   = "mysql://root@h/"
  query = "SELECT DATABASE()"
}
locals {
  base = "mysql://root@h"
}
env "a" {
  url = "${local.base}/${data.sql.db.value}"
  dev = "n=${data.sql.db.count}"
}
"#,
    )
    .unwrap();
    let runner = |_: &str, _: &str, _: &[String]| -> Result<Vec<String>, QueryError> {
        Ok(vec!["app".into(), "other".into()])
    };
    let env = &project.select("a", &no_env().sql(runner)).unwrap().envs[0];
    assert_eq!(env.url.as_deref(), Some("mysql://root@h/app"));
    assert_eq!(env.dev.as_deref(), Some("n=2"));
}

#[test]
fn lint_analyzer_blocks_are_read_with_their_locations() {
    let project = ProjectFile::parse(
        "atlas.hcl",
        r#"
lint {
  concurrent_index {
    error        = true
    check_txmode = false
  }
  naming {
    error   = true
    match   = "^[a-z_]+$"
    message = "must be lower snake case"
    index {
      match   = "^idx_"
      message = "must start with idx_"
    }
  }
}
env "e" {
  lint {
    review = ALWAYS
  }
}
"#,
    )
    .unwrap();
    let selection = project.select("e", &no_env()).unwrap();
    assert!(selection.warnings.is_empty(), "{:?}", selection.warnings);
    let lint = &selection.envs[0].lint;
    assert_eq!(lint.review, Some(ReviewPolicy::Always));
    // The env has no analyzer block: the top-level ones are inherited, with their locations.
    assert_eq!(
        lint.concurrent_index.and_then(|c| c.check_txmode),
        Some(false)
    );
    assert!(lint.analyzer_errors("naming", false));
    let naming = lint.naming.as_ref().unwrap();
    assert_eq!(naming.all.pattern.as_deref(), Some("^[a-z_]+$"));
    assert_eq!(
        naming.kinds["index"].message.as_deref(),
        Some("must start with idx_")
    );
    assert_eq!(lint.locations["concurrent_index.check_txmode"].line, 5);
    assert_eq!(lint.locations["naming.index.match"].line, 12);
    assert_eq!(lint.locations["review"].line, 19);

    // A pattern that is not a regular expression is a located error.
    let bad = ProjectFile::parse(
        "x.hcl",
        "lint {\n  naming {\n    match = \"([\"\n  }\n}\nenv \"e\" {}\n",
    )
    .unwrap();
    let err = bad.select("e", &no_env()).unwrap_err().to_string();
    assert!(err.contains("x.hcl:3:5"), "{err}");
}
