//! Atlas project files: `atlas.hcl` projects, `*.plan.hcl` plan files and `*.test.hcl`
//! test files, read with `hcl-rs` into typed models. Pure file layer: no database I/O, no
//! async; the one query a project file can ask for (`data "sql"`) is run by the caller
//! through [`SqlDataSource`].
//!
//! ```
//! use mercator_project::{Inputs, LoadOptions, ProjectFile};
//!
//! let project = ProjectFile::parse("atlas.hcl", r#"
//! variable "url" {
//!   type = string
//! }
//! env "local" {
//!   url = var.url
//!   dev = "sqlite://dev?mode=memory"
//!   migration {
//!     dir = "file://migrations"
//!   }
//! }
//! "#)?;
//! let options = LoadOptions::new().inputs(Inputs::from_flags(["url=sqlite://app.db"])?);
//! let selection = project.select("local", &options)?;
//! let env = &selection.envs[0];
//! assert_eq!(env.url.as_deref(), Some("sqlite://app.db"));
//! assert_eq!(env.migration.dir.as_deref(), Some("file://migrations"));
//! assert!(selection.warnings.is_empty());
//! # Ok::<(), mercator_project::ProjectError>(())
//! ```
//!
//! Everything in a file that Mercator does not act on comes back as a located [`Warning`];
//! every error that comes from a file carries `file:line:col`.
//!
//! # What each file gives
//!
//! - [`ProjectFile::select`] resolves `--env NAME` to one [`EnvConfig`] per matching `env`
//!   block and `for_each` item (Atlas's multi-tenant pattern), with the top-level `lint`,
//!   `diff` and `test` blocks applied. `data "sql"` queries are run by the caller's
//!   [`SqlDataSource`], only when the selected env (or a local) references them.
//! - [`PlanFile`] reads and writes `plan "NAME" { from, to, migration }`, the SQL as a
//!   readable heredoc.
//! - [`TestFile`] reads `test "schema"|"migrate"|"plan" "NAME" { … }` blocks into ordered,
//!   located [`Command`]s, expanding `for_each` into [`TestCase`]s.
//!
//! ```
//! use mercator_project::{CommandKind, PlanFile, TestFile, TestOptions};
//!
//! let plan = PlanFile {
//!     name: "add_users".into(),
//!     from: "h1:current".into(),
//!     to: "h1:desired".into(),
//!     migration: "CREATE TABLE users (id int);\n".into(),
//! };
//! let text = plan.to_hcl();
//! assert!(text.contains("migration = <<-SQL\nCREATE TABLE users (id int);\n"));
//! assert_eq!(PlanFile::parse("p.plan.hcl", text)?.plan, plan);
//!
//! let tests = TestFile::parse("s.test.hcl", r#"
//! test "schema" "upper" {
//!   for_each = ["a", "b"]
//!   exec {
//!     sql    = "SELECT upper('${each.value}')"
//!     output = upper(each.value)
//!   }
//! }
//! "#, &TestOptions::new())?;
//! let case = &tests.tests[0].cases[1];
//! assert_eq!(case.name, "upper/2");
//! assert_eq!(case.commands[0].location.line, 4);
//! assert!(matches!(&case.commands[0].kind, CommandKind::Exec { sql, .. } if sql == "SELECT upper('b')"));
//! # Ok::<(), mercator_project::ProjectError>(())
//! ```
//!
//! `urlsetpath(url, path)` follows Atlas's implementation: it replaces the URL's path (the
//! MySQL database, the PostgreSQL database name) and keeps query parameters such as
//! `search_path`.
//!
//! For migration directories use `mercator-migrate-dir`; for running what these files
//! describe, `mercator-migrate`.

mod config;
mod envread;
mod error;
mod funcs;
mod hclx;
mod location;
mod plan;
mod project;
mod testfile;
mod vars;

pub use config::*;
pub use error::{ProjectError, QueryError, Result};
pub use location::{Location, Warning};
pub use plan::{LoadedPlan, PlanFile};
pub use project::{Globals, LoadOptions, ProjectFile, Selection, SqlDataSource};
pub use testfile::{
    Command, CommandKind, Expect, OutputFormat, TestBlock, TestCase, TestEach, TestFile, TestKind,
    TestOptions, find_test_files,
};
pub use vars::Inputs;
