//! Test files from Atlas's documentation (see tests/fixtures/tests/README.md).

use std::path::PathBuf;

use mercator_project::*;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tests")
}

fn load(name: &str, options: &TestOptions) -> TestFile {
    let file = TestFile::load(dir().join(name), options).expect("fixture loads");
    assert!(file.warnings.is_empty(), "{name}: {:?}", file.warnings);
    file
}

fn opts() -> TestOptions {
    TestOptions::new().getenv(|_| None)
}

#[test]
fn every_fixture_is_found_and_loads() {
    let files = find_test_files(&[dir()]).unwrap();
    assert_eq!(files.len(), 7);
    let options = opts()
        .inputs(Inputs::new().with("seed_file", "seed.sql"))
        .dev_url("postgres://dev");
    let (mut tests, mut warned) = (0, 0);
    for file in files {
        let loaded = TestFile::load(&file, &options).unwrap();
        tests += loaded.tests.len();
        // Only one file declares seed_file; the others report the unused input.
        warned += loaded
            .warnings
            .iter()
            .filter(|w| w.message.contains("seed_file"))
            .count();
    }
    assert_eq!((tests, warned), (9, 6));
}

#[test]
fn commands_keep_file_order_and_lines() {
    let file = load("schema-postal.test.hcl", &opts());
    let test = &file.tests[0];
    assert_eq!(
        (test.kind, test.name.as_str(), test.parallel),
        (TestKind::Schema, "postal", true)
    );
    assert_eq!(test.location.line, 2);
    let case = &test.cases[0];
    assert_eq!(case.name, "postal");
    assert!(!case.skip);
    let lines: Vec<_> = case.commands.iter().map(|c| c.location.line).collect();
    assert_eq!(lines, [5, 9]);
    assert!(
        matches!(&case.commands[0].kind, CommandKind::Exec { sql, expect: None, .. } if sql == "select '12345'::us_postal_code")
    );
    assert!(matches!(
        &case.commands[1].kind,
        CommandKind::Catch { error: None, .. }
    ));
    assert!(
        case.commands[1]
            .location
            .to_string()
            .ends_with("schema-postal.test.hcl:9:3")
    );
}

#[test]
fn exec_heredocs_and_table_format() {
    let file = load("schema-exec.test.hcl", &opts());
    let commands = &file.tests[0].cases[0].commands;
    let CommandKind::Exec {
        sql,
        format,
        expect,
    } = &commands[0].kind
    else {
        panic!("{commands:?}")
    };
    assert_eq!(sql.lines().count(), 3);
    assert_eq!(*format, OutputFormat::Csv);
    assert_eq!(*expect, None);
    let CommandKind::Exec { format, expect, .. } = &commands[1].kind else {
        panic!()
    };
    assert_eq!(*format, OutputFormat::Table);
    assert_eq!(
        expect.as_ref(),
        Some(&Expect::Output(
            " a |  b\n---+-----\n 1 | one\n 2 | two\n".to_owned()
        ))
    );
}

#[test]
fn catch_assert_log() {
    let file = load("schema-commands.test.hcl", &opts());
    let kinds: Vec<_> = file
        .tests
        .iter()
        .flat_map(|t| t.cases[0].commands.iter().map(|c| c.kind.clone()))
        .collect();
    assert_eq!(
        kinds,
        [
            CommandKind::Catch {
                sql: "SELECT 1+".into(),
                error: Some("incomplete input".into())
            },
            CommandKind::Assert {
                sql: "SELECT json_valid('{}')".into(),
                error_message: None
            },
            CommandKind::Assert {
                sql: "SELECT json_valid('{')".into(),
                error_message: Some("expects a valid JSON".into())
            },
            CommandKind::Exec {
                sql: "SELECT seed()".into(),
                format: OutputFormat::Csv,
                expect: None
            },
            CommandKind::Log {
                message: "Seeded the database".into()
            },
        ]
    );
}

#[test]
fn variables_and_missing_values() {
    let file = load(
        "schema-vars.test.hcl",
        &opts().inputs(Inputs::from_flags(["seed_file=a.sql"]).unwrap()),
    );
    assert!(
        matches!(&file.tests[0].cases[0].commands[0].kind, CommandKind::Exec { sql, .. } if sql == "SELECT seed('a.sql')")
    );
    let err = TestFile::load(dir().join("schema-vars.test.hcl"), &opts()).unwrap_err();
    assert!(matches!(err, ProjectError::MissingVariable { ref name, .. } if name == "seed_file"));
    assert!(
        err.to_string().contains("schema-vars.test.hcl:2:1"),
        "{err}"
    );
}

#[test]
fn table_driven_cases() {
    let file = load("schema-table-driven.test.hcl", &opts());
    let test = &file.tests[0];
    let names: Vec<_> = test.cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["seed/1", "seed/2"]);
    let second = &test.cases[1];
    assert_eq!(second.each.as_ref().unwrap().key, hcl::Value::from(1u64));
    assert_eq!(
        second.commands[0].kind,
        CommandKind::Log {
            message: "Testing world -> WORLD".into()
        }
    );
    assert_eq!(second.commands[0].location.line, 7);
    assert_eq!(
        second.commands[1].kind,
        CommandKind::Exec {
            sql: "SELECT upper('world')".into(),
            format: OutputFormat::Csv,
            expect: Some(Expect::Output("WORLD".into()))
        }
    );
}

#[test]
fn migrate_tests() {
    let file = load("migrate.test.hcl", &opts());
    let test = &file.tests[0];
    assert_eq!(test.kind, TestKind::Migrate);
    let commands = &test.cases[0].commands;
    assert_eq!(commands.len(), 4);
    assert_eq!(
        commands[0].kind,
        CommandKind::Migrate {
            to: "20240613061046".into()
        }
    );
    assert_eq!(
        commands[2].kind,
        CommandKind::Migrate {
            to: "20240613061102".into()
        }
    );
    assert_eq!(
        commands[3].kind,
        CommandKind::Exec {
            sql: "select first_name,last_name from users".into(),
            format: OutputFormat::Csv,
            expect: Some(Expect::Output("Ada, Lovelace".into()))
        }
    );
}

#[test]
fn cleanup_and_external_with_testing_dev_url() {
    let file = load(
        "hcl-reference.test.hcl",
        &opts().dev_url("postgres://dev/db"),
    );
    let commands = &file.tests[0].cases[0].commands;
    assert!(
        matches!(&commands[0].kind, CommandKind::Cleanup { sql } if sql.contains("set_config"))
    );
    assert_eq!(
        commands[1].kind,
        CommandKind::External {
            program: "go".into(),
            args: vec![
                "run".into(),
                "seed.go".into(),
                "--dev-url".into(),
                "postgres://dev/db".into()
            ],
            working_dir: None,
            expect: None
        }
    );
    // Without a dev URL the reference is a located error.
    let err = TestFile::load(dir().join("hcl-reference.test.hcl"), &opts()).unwrap_err();
    assert!(
        err.to_string().contains("hcl-reference.test.hcl:8:15"),
        "{err}"
    );
}

#[test]
fn computed_skip_map_for_each_and_bad_input() {
    let file = TestFile::parse(
        "t.test.hcl",
        r#"
variable "only" {
  type = string
  default = "b"
}
test "schema" "m" {
  for_each = { a = 1, b = 2 }
  skip = each.key != var.only
  assert {
    sql = "SELECT ${each.value} > 0"
  }
  mystery {
    x = 1
  }
}
"#,
        &opts(),
    )
    .unwrap();
    let test = &file.tests[0];
    let got: Vec<_> = test
        .cases
        .iter()
        .map(|c| (c.name.as_str(), c.skip))
        .collect();
    assert_eq!(got, [("m/a", true), ("m/b", false)]);
    assert!(
        matches!(&test.cases[1].commands[0].kind, CommandKind::Assert { sql, .. } if sql == "SELECT 2 > 0")
    );
    // The unknown command is reported once, located.
    assert_eq!(file.warnings.len(), 1);
    assert_eq!(file.warnings[0].location.line, 12);

    for (text, at) in [
        (
            "test \"schema\" \"x\" {\n  exec {\n    sql = \"a\"\n    output = \"1\"\n    match = \"1\"\n  }\n}\n",
            "t.test.hcl:2:3",
        ),
        (
            "test \"schema\" \"x\" {\n  exec {\n    output = \"1\"\n  }\n}\n",
            "t.test.hcl:2:3",
        ),
        (
            "test \"schema\" \"x\" {\n  exec {\n    sql = \"a\"\n    format = json\n  }\n}\n",
            "t.test.hcl:4:14",
        ),
        ("test \"unit\" \"x\" {\n}\n", "t.test.hcl:1:1"),
        (
            "test \"schema\" \"x\" {\n  for_each = 3\n}\n",
            "t.test.hcl:2:3",
        ),
    ] {
        let err = TestFile::parse("t.test.hcl", text, &opts()).unwrap_err();
        assert!(err.to_string().starts_with(at), "{text:?}: {err}");
    }
}

#[test]
fn external_program_with_args_and_plan_commands() {
    let file = TestFile::parse(
        "t.test.hcl",
        r#"
test "schema" "ext" {
  external {
    program     = "python3"
    args        = ["check.py", "--strict"]
    working_dir = "scripts"
    match       = "^ok"
  }
}
test "plan" "p" {
  schema {
    url = "file://snapshots/v1.sql"
  }
  apply {
    url = "file://plans/p.plan.hcl"
  }
  migrate {
    to = "1"
  }
}
test "migrate" "m" {
  apply {
    url = "file://x.plan.hcl"
  }
}
"#,
        &opts(),
    )
    .unwrap();
    assert_eq!(
        file.tests[0].cases[0].commands[0].kind,
        CommandKind::External {
            program: "python3".into(),
            args: vec!["check.py".into(), "--strict".into()],
            working_dir: Some("scripts".into()),
            expect: Some(Expect::Match("^ok".into())),
        }
    );
    let plan = &file.tests[1].cases[0].commands;
    assert_eq!(
        plan.iter().map(|c| c.kind.clone()).collect::<Vec<_>>(),
        [
            CommandKind::Schema {
                url: "file://snapshots/v1.sql".into()
            },
            CommandKind::Apply {
                url: "file://plans/p.plan.hcl".into()
            },
        ]
    );
    // Commands of another kind of test are ignored with a located warning.
    let lines: Vec<_> = file.warnings.iter().map(|w| w.location.line).collect();
    assert_eq!(lines, [17, 22], "{:?}", file.warnings);
    assert!(file.tests[2].cases[0].commands.is_empty());

    for (text, at) in [
        (
            "test \"schema\" \"x\" {\n  external {\n    program = \"\"\n  }\n}\n",
            "t.test.hcl:3:5",
        ),
        (
            "test \"schema\" \"x\" {\n  external {\n    program = \"sh\"\n    args = \"-c\"\n  }\n}\n",
            "t.test.hcl:4:5",
        ),
        (
            "test \"plan\" \"x\" {\n  apply {\n  }\n}\n",
            "t.test.hcl:2:3",
        ),
    ] {
        let err = TestFile::parse("t.test.hcl", text, &opts()).unwrap_err();
        assert!(err.to_string().starts_with(at), "{text:?}: {err}");
    }
}
