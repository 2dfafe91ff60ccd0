//! Test files (`*.test.hcl`): schema, migration and plan tests written as ordered commands
//! over SQL, after Atlas's testing framework (<https://atlasgo.io/testing/schema>,
//! <https://atlasgo.io/testing/migrate>).
//!
//! A `test "KIND" "NAME" { … }` block is one test; its commands run in file order and the
//! test stops at the first command that fails. Before a schema test the desired schema is
//! created on the dev database; a migrate test starts from an empty database that `migrate`
//! commands bring to a version; a plan test starts from an empty database that its
//! `schema { url }` command brings to a plan's starting state before `apply { url }` runs
//! the plan (<https://atlasgo.io/testing/plan>). The dev database is cleaned after every
//! test, pass or fail. Running the files is `mercator_migrate::testing`'s job.

use std::path::{Path, PathBuf};

use hcl::Value;
use hcl::edit::Span;
use hcl::edit::expr::Expression;
use hcl::edit::structure::{Attribute, Block, Body};
use serde::Serialize;

use crate::funcs::EnvLookup;
use crate::hclx::{self, Item, Scope, Typed, Warnings};
use crate::location::SourceMap;
use crate::vars::{self, Inputs};
use crate::{Location, ProjectError, Result, Warning};

/// Which command runs a test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TestKind {
    /// `test "schema"`, run by `schema test`: starts from the desired schema.
    Schema,
    /// `test "migrate"`, run by `migrate test`: starts from an empty database; `migrate`
    /// commands apply the directory up to a version.
    Migrate,
    /// `test "plan"`, run by `schema plan test`: tests a plan file.
    Plan,
}

/// How `exec` prints a result set for comparison with `output`/`match`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputFormat {
    /// Rows as comma-separated values (Atlas's default): `Ada, Lovelace`.
    #[default]
    Csv,
    /// A psql-style table with a header row and a `---+---` rule.
    Table,
}

/// What a command's output must be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Expect {
    /// `output`: equal to this text.
    Output(String),
    /// `match`: matches this regular expression.
    Match(String),
}

/// One command of a test, in file order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Command {
    /// The command's block; failures point here.
    pub location: Location,
    /// What to do.
    pub kind: CommandKind,
}

/// The commands of Atlas's testing framework.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandKind {
    /// `assert { sql, error_message }`: the SQL must succeed and return exactly one row with
    /// one column holding true; otherwise the test fails with `error_message` (or a default
    /// message).
    Assert {
        /// The query.
        sql: String,
        /// The failure message.
        error_message: Option<String>,
    },
    /// `exec { sql, format, output | match }`: the SQL (one or more statements) must
    /// succeed; with `output` its result printed in `format` must equal it, with `match`
    /// match the regular expression.
    Exec {
        /// The statements.
        sql: String,
        /// How the result is printed for comparison.
        format: OutputFormat,
        /// The expected output, if any.
        expect: Option<Expect>,
    },
    /// `catch { sql, error }`: the SQL must fail; with `error`, the error message must match
    /// it (Atlas matches it as a regular expression against the message).
    Catch {
        /// The statements.
        sql: String,
        /// The expected error.
        error: Option<String>,
    },
    /// `log { message }`: print the message in the test's output.
    Log {
        /// The message.
        message: String,
    },
    /// `cleanup { sql }`: registers SQL to run when the test ends, whatever its result.
    Cleanup {
        /// The statements.
        sql: String,
    },
    /// `external { program, args, working_dir, output | match }`: run a program against the
    /// test's database; it must exit with status 0, and with `output`/`match` its standard
    /// output must equal/match. `program` is a string (with `args` a list of strings) or, as
    /// in Atlas's reference, a list `[PROGRAM, ARGS…]`.
    External {
        /// The program.
        program: String,
        /// Its arguments.
        args: Vec<String>,
        /// Where to run it (the current directory by default).
        working_dir: Option<String>,
        /// The expected output, if any.
        expect: Option<Expect>,
    },
    /// `migrate { to }` (migrate tests): apply the migration directory up to and including
    /// version `to`.
    Migrate {
        /// The target version.
        to: String,
    },
    /// `schema { url }` (plan tests): bring the test's database to this schema (a
    /// `file://` SQL file or directory, or a database URL), the state the plan starts from.
    Schema {
        /// Where the schema comes from.
        url: String,
    },
    /// `apply { url }` (plan tests): apply this plan file (`file://NAME.plan.hcl`), only if
    /// the database is at the plan's `from` state, and check it reaches `to`.
    Apply {
        /// The plan file.
        url: String,
    },
}

/// The `for_each` item of a test case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestEach {
    /// `each.key`: the list index (from 0) or the map key.
    pub key: Value,
    /// `each.value`.
    pub value: Value,
}

/// One runnable case: a test, or one `for_each` item of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestCase {
    /// `NAME`, or `NAME/N` (list items, from 1) or `NAME/KEY` (map items) with `for_each`.
    pub name: String,
    /// The `for_each` item.
    pub each: Option<TestEach>,
    /// `skip`: do not run this case (may be computed, also per item).
    pub skip: bool,
    /// The commands, in file order.
    pub commands: Vec<Command>,
}

/// One `test` block.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestBlock {
    /// The first label.
    pub kind: TestKind,
    /// The second label.
    pub name: String,
    /// The block.
    pub location: Location,
    /// `parallel` (schema tests): the test is stateless and may run alongside the other
    /// parallel tests.
    pub parallel: bool,
    /// The cases: one, or one per `for_each` item.
    pub cases: Vec<TestCase>,
}

/// A parsed and evaluated test file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestFile {
    /// The file.
    pub path: PathBuf,
    /// The tests, in file order.
    pub tests: Vec<TestBlock>,
    /// Ignored attributes and blocks.
    pub warnings: Vec<Warning>,
}

/// How to evaluate a test file.
#[derive(Clone)]
pub struct TestOptions {
    inputs: Inputs,
    getenv: EnvLookup,
    dev_url: Option<String>,
}

impl Default for TestOptions {
    fn default() -> Self {
        TestOptions {
            inputs: Inputs::new(),
            getenv: std::sync::Arc::new(|name| std::env::var(name).ok()),
            dev_url: None,
        }
    }
}

impl TestOptions {
    /// No inputs, `getenv` reading the process environment, no dev URL.
    pub fn new() -> Self {
        TestOptions::default()
    }

    /// Values for the file's `variable` blocks (`--var`, or an env's `test { … vars }`).
    pub fn inputs(mut self, inputs: Inputs) -> Self {
        self.inputs = inputs;
        self
    }

    /// Where `getenv` reads from.
    pub fn getenv(
        mut self,
        lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        self.getenv = std::sync::Arc::new(lookup);
        self
    }

    /// The dev database URL, visible to the file as `testing.dev_url`.
    pub fn dev_url(mut self, url: impl Into<String>) -> Self {
        self.dev_url = Some(url.into());
        self
    }
}

impl TestFile {
    /// Reads a test file.
    pub fn load(path: impl AsRef<Path>, options: &TestOptions) -> Result<TestFile> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ProjectError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        TestFile::parse(path, text, options)
    }

    /// Parses and evaluates test file text; `file` is used in locations.
    pub fn parse(
        file: impl Into<PathBuf>,
        text: impl Into<String>,
        options: &TestOptions,
    ) -> Result<TestFile> {
        let map = SourceMap::new(file, text);
        let body = hclx::parse(&map)?;
        let mut warnings = Warnings::default();
        let mut variables = Vec::new();
        let mut tests = Vec::new();
        for item in hclx::items(&body) {
            match item {
                Item::Block(b) if b.ident.as_str() == "variable" => variables.push(b),
                Item::Block(b) if b.ident.as_str() == "test" => tests.push(b),
                Item::Block(b) => warnings.unknown_block(&map, b, "the test file"),
                Item::Attr(a) => warnings.unknown_attr(&map, a, "the test file"),
            }
        }
        let scope = Scope::new(options.getenv.clone());
        let var = vars::resolve(&map, &variables, &options.inputs, &scope, &mut warnings)?;
        let mut testing = hcl::Map::new();
        if let Some(url) = &options.dev_url {
            testing.insert("dev_url".to_owned(), Value::String(url.clone()));
        }
        let scope = scope
            .with("var", var)
            .with("testing", Value::Object(testing));
        let mut reader = TestReader {
            map: &map,
            warnings: &mut warnings,
        };
        let tests = tests
            .into_iter()
            .map(|b| reader.test(b, &scope))
            .collect::<Result<Vec<_>>>()?;
        Ok(TestFile {
            path: map.file().to_path_buf(),
            tests,
            warnings: warnings.0,
        })
    }
}

/// The `*.test.hcl` files among `paths`: files as given, directories searched (not
/// recursively, as Atlas), each directory's files sorted by name.
pub fn find_test_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for path in paths {
        let io = |source| ProjectError::Io {
            path: path.clone(),
            source,
        };
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(io)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && p.to_string_lossy().ends_with(".test.hcl"))
                .collect();
            found.sort();
            out.extend(found);
        } else {
            std::fs::metadata(path).map_err(io)?;
            out.push(path.clone());
        }
    }
    Ok(out)
}

struct TestReader<'a> {
    map: &'a SourceMap,
    warnings: &'a mut Warnings,
}

impl TestReader<'_> {
    fn invalid(&self, span: Option<std::ops::Range<usize>>, message: String) -> ProjectError {
        ProjectError::Invalid {
            location: self.map.span(span),
            message,
        }
    }

    fn test(&mut self, block: &Block, scope: &Scope) -> Result<TestBlock> {
        let location = self.map.span(block.span());
        let (Some(kind), Some(name)) = (hclx::label(block, 0), hclx::label(block, 1)) else {
            return Err(self.invalid(
                block.span(),
                "a test block needs a kind and a name label: test \"schema\" \"NAME\"".into(),
            ));
        };
        let kind = match kind {
            "schema" => TestKind::Schema,
            "migrate" => TestKind::Migrate,
            "plan" => TestKind::Plan,
            other => {
                return Err(self.invalid(
                    block.span(),
                    format!("unknown test kind \"{other}\": expected schema, migrate or plan"),
                ));
            }
        };
        hclx::check_unique_attributes(self.map, &block.body)?;
        let within = format!("test \"{name}\"");
        let mut parallel = false;
        let mut skip_attr = None;
        let mut for_each = None;
        for item in hclx::items(&block.body) {
            let Item::Attr(a) = item else { continue };
            match a.key.as_str() {
                "skip" => skip_attr = Some(a),
                "for_each" => for_each = Some(a),
                "parallel" if kind == TestKind::Schema => {
                    let value = scope.eval(self.map, &a.value)?;
                    parallel = Typed {
                        map: self.map,
                        attr: a,
                    }
                    .bool(&value)?;
                }
                _ => self.warnings.unknown_attr(self.map, a, &within),
            }
        }
        let items: Vec<(String, Option<TestEach>)> = match for_each {
            None => vec![(name.to_owned(), None)],
            Some(attr) => self.for_each(name, attr, scope)?,
        };
        let mut cases = Vec::new();
        // Warnings about commands are reported once, not once per case.
        let mut first = true;
        for (case_name, each) in items {
            let scope = match &each {
                Some(e) => {
                    let mut obj = hcl::Map::new();
                    obj.insert("key".to_owned(), e.key.clone());
                    obj.insert("value".to_owned(), e.value.clone());
                    scope.with("each", Value::Object(obj))
                }
                None => scope.clone(),
            };
            let skip = match skip_attr {
                Some(a) => {
                    let value = scope.eval(self.map, &a.value)?;
                    Typed {
                        map: self.map,
                        attr: a,
                    }
                    .bool(&value)?
                }
                None => false,
            };
            let mut sink = Warnings::default();
            let warnings = if first {
                &mut *self.warnings
            } else {
                &mut sink
            };
            let commands = Self::commands(self.map, kind, &block.body, &scope, warnings)?;
            first = false;
            cases.push(TestCase {
                name: case_name,
                each,
                skip,
                commands,
            });
        }
        Ok(TestBlock {
            kind,
            name: name.to_owned(),
            location,
            parallel,
            cases,
        })
    }

    fn for_each(
        &self,
        name: &str,
        attr: &Attribute,
        scope: &Scope,
    ) -> Result<Vec<(String, Option<TestEach>)>> {
        let value = scope.eval(self.map, &attr.value)?;
        match value {
            Value::Array(items) => Ok(items
                .into_iter()
                .enumerate()
                .map(|(i, value)| {
                    let each = TestEach {
                        key: Value::from(i as u64),
                        value,
                    };
                    (format!("{name}/{}", i + 1), Some(each))
                })
                .collect()),
            Value::Object(map) => Ok(map
                .into_iter()
                .map(|(key, value)| {
                    let name = format!("{name}/{key}");
                    (
                        name,
                        Some(TestEach {
                            key: Value::String(key),
                            value,
                        }),
                    )
                })
                .collect()),
            other => Err(self.invalid(
                attr.span(),
                format!(
                    "for_each must be a list, set or map, got {}",
                    crate::funcs::kind(&other)
                ),
            )),
        }
    }

    fn commands(
        map: &SourceMap,
        kind: TestKind,
        body: &Body,
        scope: &Scope,
        warnings: &mut Warnings,
    ) -> Result<Vec<Command>> {
        let mut out = Vec::new();
        for item in hclx::items(body) {
            let Item::Block(b) = item else { continue };
            let ident = b.ident.as_str();
            let belongs = match ident {
                "migrate" => Some(TestKind::Migrate),
                "schema" | "apply" => Some(TestKind::Plan),
                _ => None,
            };
            if let Some(only) = belongs
                && only != kind
            {
                warnings.push(
                    map.span(b.span()),
                    format!(
                        "\"{ident}\" commands belong in {only:?} tests; ignored in a {kind:?} test"
                    )
                    .to_lowercase(),
                );
                continue;
            }
            let Some(fields) = fields_of(ident) else {
                warnings.unknown_block(map, b, "a test");
                continue;
            };
            hclx::check_unique_attributes(map, &b.body)?;
            let mut values: Vec<(&str, Value, &Attribute)> = Vec::new();
            for inner in hclx::items(&b.body) {
                match inner {
                    Item::Attr(a) if fields.contains(&a.key.as_str()) => {
                        let value = if a.key.as_str() == "format" {
                            format_keyword(&a.value)
                                .map_or_else(|| scope.eval(map, &a.value), Ok)?
                        } else {
                            scope.eval(map, &a.value)?
                        };
                        values.push((a.key.as_str(), value, a));
                    }
                    Item::Attr(a) => warnings.unknown_attr(map, a, ident),
                    Item::Block(x) => warnings.unknown_block(map, x, ident),
                }
            }
            let cmd = CommandReader {
                map,
                block: b,
                values,
            };
            let kind = cmd.build()?;
            out.push(Command {
                location: map.span(b.span()),
                kind,
            });
        }
        Ok(out)
    }
}

/// The attributes each command takes.
fn fields_of(block: &str) -> Option<&'static [&'static str]> {
    Some(match block {
        "assert" => &["sql", "error_message"],
        "exec" => &["sql", "format", "output", "match"],
        "catch" => &["sql", "error"],
        "log" => &["message"],
        "cleanup" => &["sql"],
        "external" => &["program", "args", "working_dir", "output", "match"],
        "migrate" => &["to"],
        "schema" | "apply" => &["url"],
        _ => return None,
    })
}

/// Atlas writes `format = table` with a bare keyword.
fn format_keyword(expr: &Expression) -> Option<Value> {
    match expr {
        Expression::Variable(v) if matches!(v.as_str(), "table" | "csv") => {
            Some(Value::String(v.as_str().to_owned()))
        }
        _ => None,
    }
}

struct CommandReader<'a> {
    map: &'a SourceMap,
    block: &'a Block,
    values: Vec<(&'a str, Value, &'a Attribute)>,
}

impl CommandReader<'_> {
    fn get(&self, key: &str) -> Option<(&Value, &Attribute)> {
        self.values
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, v, a)| (v, *a))
    }

    fn string(&self, key: &str) -> Result<Option<String>> {
        match self.get(key) {
            Some((value, _)) if value.is_null() => Ok(None),
            Some((value, attr)) => Typed {
                map: self.map,
                attr,
            }
            .string(value)
            .map(Some),
            None => Ok(None),
        }
    }

    fn required(&self, key: &str) -> Result<String> {
        self.string(key)?.ok_or_else(|| ProjectError::Invalid {
            location: self.map.span(self.block.span()),
            message: format!("{} needs a \"{key}\" attribute", self.block.ident.as_str()),
        })
    }

    fn expect(&self) -> Result<Option<Expect>> {
        match (self.string("output")?, self.string("match")?) {
            (Some(_), Some(_)) => Err(ProjectError::Invalid {
                location: self.map.span(self.block.span()),
                message: format!(
                    "{}: \"output\" and \"match\" are mutually exclusive",
                    self.block.ident.as_str()
                ),
            }),
            (Some(o), None) => Ok(Some(Expect::Output(o))),
            (None, Some(m)) => Ok(Some(Expect::Match(m))),
            (None, None) => Ok(None),
        }
    }

    fn build(&self) -> Result<CommandKind> {
        Ok(match self.block.ident.as_str() {
            "assert" => CommandKind::Assert {
                sql: self.required("sql")?,
                error_message: self.string("error_message")?,
            },
            "exec" => CommandKind::Exec {
                sql: self.required("sql")?,
                format: match self.string("format")?.as_deref() {
                    None | Some("csv") => OutputFormat::Csv,
                    Some("table") => OutputFormat::Table,
                    Some(other) => {
                        let attr = self.get("format").map(|(_, a)| a.span());
                        return Err(ProjectError::Invalid {
                            location: self.map.span(attr.flatten()),
                            message: format!("format must be csv or table, got {other:?}"),
                        });
                    }
                },
                expect: self.expect()?,
            },
            "catch" => CommandKind::Catch {
                sql: self.required("sql")?,
                error: self.string("error")?,
            },
            "log" => CommandKind::Log {
                message: self.required("message")?,
            },
            "cleanup" => CommandKind::Cleanup {
                sql: self.required("sql")?,
            },
            "external" => {
                let (value, attr) = self.get("program").ok_or_else(|| ProjectError::Invalid {
                    location: self.map.span(self.block.span()),
                    message: "external needs a \"program\" attribute".to_owned(),
                })?;
                let typed = Typed {
                    map: self.map,
                    attr,
                };
                let mut argv = match value {
                    Value::Array(_) => typed.strings(value)?,
                    other => vec![typed.string(other)?],
                }
                .into_iter();
                let program =
                    argv.next()
                        .filter(|p| !p.is_empty())
                        .ok_or_else(|| ProjectError::Invalid {
                            location: self.map.span(attr.span()),
                            message: "program must name the program to run".to_owned(),
                        })?;
                let mut args: Vec<String> = argv.collect();
                if let Some((value, attr)) = self.get("args") {
                    args.extend(
                        Typed {
                            map: self.map,
                            attr,
                        }
                        .strings(value)?,
                    );
                }
                CommandKind::External {
                    program,
                    args,
                    working_dir: self.string("working_dir")?,
                    expect: self.expect()?,
                }
            }
            "schema" => CommandKind::Schema {
                url: self.required("url")?,
            },
            "apply" => CommandKind::Apply {
                url: self.required("url")?,
            },
            _ => CommandKind::Migrate {
                to: self.required("to")?,
            },
        })
    }
}
