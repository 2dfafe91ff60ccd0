//! Load a SQL project — one file, a directory, or files joined by `-- atlas:import` directives —
//! as a list of statements in an order the database can execute.
//!
//! SQL is imperative: a view fails if its table does not exist yet, a table fails if its enum
//! type does not. Once a schema is split across files, the order the files happen to be read in
//! stops being an order that works. This crate reads the files the way Atlas's SQL imports do,
//! splits them into statements, builds a dependency graph between the statements (per dialect:
//! PostgreSQL, MySQL, SQLite) and sorts it stably, so statements that do not depend on each
//! other keep their original order and the output is deterministic.
//!
//! ```
//! use std::path::Path;
//! use sqlimport::{DialectKind, load_str};
//!
//! let sql = "
//!     CREATE VIEW adults AS SELECT * FROM people WHERE age >= 18;
//!     CREATE TABLE people (id int PRIMARY KEY, mood mood, age int);
//!     CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
//! ";
//! let project = load_str(sql, Path::new("schema.sql"), DialectKind::Postgres)?;
//! let order: Vec<String> = project.statements.iter().map(|s| s.location.to_string()).collect();
//! assert_eq!(order, ["schema.sql:4", "schema.sql:3", "schema.sql:2"]);
//! assert!(project.statements[0].sql.starts_with("CREATE TYPE mood"));
//! # Ok::<(), sqlimport::ImportError>(())
//! ```
//!
//! What happens, step by step:
//!
//! - **Loading** ([`load`], [`load_str`]): a `.sql` file, or every `.sql` file directly in a
//!   directory in byte order of their names. A file's header may hold `-- atlas:import <path>`
//!   lines, relative to the file, naming a file or (with a trailing `/`) a directory; imports are
//!   loaded first, depth first, each file once however it is spelled. A cycle or a missing
//!   target is an [`ImportError`] that says where. Only regular files are read (a named pipe
//!   or a device is an error, never a wait), each up to a size limit, and imports stay inside
//!   the project root — the directory loaded, or the loaded file's directory — even through
//!   symlinks; [`LoadOptions`] with [`load_with`] and [`load_str_with`] change both. Imports
//!   are followed with an explicit stack, so chains thousands of files deep are fine.
//! - **Splitting** ([`split`]): statements end at `;` outside strings, quoted identifiers,
//!   comments, PostgreSQL dollar-quoted bodies, parentheses and `BEGIN … END` routine and
//!   trigger bodies; `-- atlas:delimiter <d>` and the mysql client's `DELIMITER <d>` change the
//!   delimiter. Every statement keeps its file and line.
//! - **Ordering** ([`order`]): a statement goes after the statements defining what it uses —
//!   schemas, extensions, types, domains, sequences, tables, views, functions — and after the
//!   statements reshaping them (`ALTER TABLE … ADD COLUMN`); statements touching one object keep
//!   their relative order; a statement that cannot be classified stays after everything before
//!   it. Names are matched the way each database folds them; names the project does not define
//!   (built-ins, existing objects) create no dependency. A foreign-key cycle between tables is
//!   broken by moving one key into an `ALTER TABLE … ADD` after both tables (SQLite, which does
//!   not check keys when creating a table, keeps them inline).
//!
//! - **Rename directives** ([`RenameDirective`], [`rename_directives`]): a
//!   `-- mercator:renamed-from OLD` comment above (or at the end of the line of) a table or
//!   column definition says the object was renamed; they are read while loading, located,
//!   and kept in [`Project::renames`] for the planner to check and follow.
//!
//! Ordering takes time near-linear in the number of statements and the names they mention
//! (a dump of 175,000 `INSERT`s orders in well under 2 s).
//!
//! Statements are read by a lexical scan that never fails on SQL it does not know, and parsed
//! with `sqlparser` where precision matters (statements caught in a dependency cycle), so a
//! project is never refused because the parser lags behind the database.
//!
//! This crate orders SQL text; executing it and reading the resulting schema is the drivers'
//! job, comparing schemas is `schema-diff`'s. With the non-default feature `scatter`, the
//! `scatter` module spreads statements over a random import graph, for testing ordering
//! against real databases.

mod ast;
mod changes;
mod defs;
mod directives;
mod error;
mod facts;
mod fkbreak;
mod graph;
mod heads;
mod lexer;
mod links;
mod loader;
mod names;
mod offers;
mod read;
mod renames;
mod scan;
#[cfg(feature = "scatter")]
pub mod scatter;
mod scope;
mod tables;
mod toposort;
mod transaction;

use std::fmt;
use std::path::{Path, PathBuf};

pub use error::ImportError;
pub use renames::{RENAME_DIRECTIVE, RenameDirective, RenamedObject};
pub use scope::{ScopedName, StatementScope, statement_scope};
pub use transaction::controls_transaction;

/// The database whose SQL is being read (the project's one dialect identity, from
/// `schema-model`): it decides quoting, comments, case folding and which dependencies are
/// checked when a statement runs.
pub use schema_model::DialectKind;

/// Where a statement (or a problem) is: a file and a 1-based line.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    /// The file, relative to the root of the project being loaded.
    pub file: PathBuf,
    /// The line of the statement's first token that is not a comment.
    pub line: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

/// One SQL statement and where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    /// The statement's text without the delimiter that ended it and without the comments
    /// directly above it, trimmed.
    pub sql: String,
    /// Where the statement starts.
    pub location: Location,
}

/// A loaded project: its statements in executable order and the files they came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Project {
    /// The statements in dependency order.
    pub statements: Vec<Statement>,
    /// Every file loaded, in load order (imports before the files importing them), relative to
    /// [`root`](Project::root) like the statements' locations.
    pub files: Vec<PathBuf>,
    /// The directory paths are relative to: the directory loaded, or the loaded file's directory.
    pub root: PathBuf,
    /// The `-- mercator:renamed-from` directives, in load order.
    pub renames: Vec<RenameDirective>,
}

impl Statement {
    /// The start of the statement on one line, at most `max_chars` characters (and an
    /// ellipsis): for error messages, which should point at a statement, not reproduce it.
    ///
    /// ```
    /// # use sqlimport::{Location, Statement};
    /// let s = Statement {
    ///     sql: "CREATE TABLE t (\n  id int\n)".into(),
    ///     location: Location { file: "a.sql".into(), line: 1 },
    /// };
    /// assert_eq!(s.excerpt(20), "CREATE TABLE t ( id…");
    /// assert_eq!(s.excerpt(80), "CREATE TABLE t ( id int )");
    /// ```
    pub fn excerpt(&self, max_chars: usize) -> String {
        excerpt(&self.sql, max_chars)
    }
}

/// `text` on one line (runs of whitespace, line breaks included, as one space), cut to
/// `max_chars` characters plus `…`: what an error message should quote of a statement, which
/// may be a whole file's worth of text.
///
/// ```
/// assert_eq!(sqlimport::excerpt("SELECT\n  1,\n  2", 10), "SELECT 1,…");
/// assert_eq!(sqlimport::excerpt("root:x:0:0", 4), "root…");
/// ```
pub fn excerpt(text: &str, max_chars: usize) -> String {
    let mut out = String::new();
    let mut count = 0;
    for word in text.split_whitespace() {
        for c in (!out.is_empty())
            .then_some(' ')
            .into_iter()
            .chain(word.chars())
        {
            if count == max_chars {
                out.truncate(out.trim_end().len());
                out.push('…');
                return out;
            }
            out.push(c);
            count += 1;
        }
    }
    out
}

/// Limits and permissions for loading a project; [`LoadOptions::default`] is what [`load`]
/// and [`load_str`] use.
///
/// ```
/// use sqlimport::LoadOptions;
///
/// let options = LoadOptions::default()
///     .max_file_size(1 << 20)
///     .allow_outside_root(true);
/// assert_eq!(options.max_file_size, 1 << 20);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoadOptions {
    /// The largest file read, in bytes (default 64 MiB); a larger file is an
    /// [`ImportError::TooLarge`].
    pub max_file_size: u64,
    /// Whether imports may reach files outside the project root — through `../`, an absolute
    /// path or a symlink (default `false`: such an import is an [`ImportError::OutsideRoot`]
    /// located at its directive). The root is the directory loaded, or the loaded file's
    /// directory.
    pub allow_outside_root: bool,
}

impl LoadOptions {
    /// The default limit on a file's size: 64 MiB.
    pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 << 20;

    /// Sets [`max_file_size`](LoadOptions::max_file_size).
    #[must_use]
    pub fn max_file_size(mut self, bytes: u64) -> Self {
        self.max_file_size = bytes;
        self
    }

    /// Sets [`allow_outside_root`](LoadOptions::allow_outside_root).
    #[must_use]
    pub fn allow_outside_root(mut self, allow: bool) -> Self {
        self.allow_outside_root = allow;
        self
    }
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            max_file_size: LoadOptions::DEFAULT_MAX_FILE_SIZE,
            allow_outside_root: false,
        }
    }
}

/// Loads the project at `path` — a `.sql` file or a directory of them — with its imports, and
/// orders its statements, with the default [`LoadOptions`].
///
/// # Errors
///
/// [`ImportError`] if a file cannot be read (or is not a regular file, or is too large), an
/// import is missing, circular or outside the project root, the text cannot be split into
/// statements, or `path` is a file not named `*.sql`.
pub fn load(path: &Path, dialect: DialectKind) -> Result<Project, ImportError> {
    load_with(path, dialect, &LoadOptions::default())
}

/// [`load`] with explicit [`LoadOptions`].
///
/// # Errors
///
/// As for [`load`].
pub fn load_with(
    path: &Path,
    dialect: DialectKind,
    options: &LoadOptions,
) -> Result<Project, ImportError> {
    finish(loader::load_path(path, dialect, options)?, dialect)
}

/// Loads SQL text as if it were the file `name`: its imports resolve relative to `name`'s
/// directory, which is the project's root, so its statements are located in `name`'s file name.
///
/// # Errors
///
/// As for [`load`].
pub fn load_str(sql: &str, name: &Path, dialect: DialectKind) -> Result<Project, ImportError> {
    load_str_with(sql, name, dialect, &LoadOptions::default())
}

/// [`load_str`] with explicit [`LoadOptions`] (which apply to the imported files).
///
/// # Errors
///
/// As for [`load`].
pub fn load_str_with(
    sql: &str,
    name: &Path,
    dialect: DialectKind,
    options: &LoadOptions,
) -> Result<Project, ImportError> {
    finish(loader::load_source(sql, name, dialect, options)?, dialect)
}

fn finish(loaded: loader::Loaded, dialect: DialectKind) -> Result<Project, ImportError> {
    Ok(Project {
        statements: order(loaded.statements, dialect)?,
        files: loaded.files,
        root: loaded.root,
        renames: loaded.renames,
    })
}

/// The `-- mercator:renamed-from OLD` directives of the project at `path` (see
/// [`RenameDirective`]), read the way [`load_with`] reads the files but without ordering
/// the statements.
///
/// ```
/// use std::path::Path;
/// use sqlimport::{DialectKind, LoadOptions, RenamedObject, rename_directives_str};
///
/// let sql = "CREATE TABLE users (\n  id int,\n  email text -- mercator:renamed-from mail\n);";
/// let found = rename_directives_str(sql, Path::new("schema.sql"), DialectKind::Sqlite, &LoadOptions::default())?;
/// assert_eq!(found[0].from, "mail");
/// assert_eq!(found[0].location.to_string(), "schema.sql:3");
/// assert!(matches!(&found[0].object, RenamedObject::Column { table, name, .. } if table == "users" && name == "email"));
/// # Ok::<(), sqlimport::ImportError>(())
/// ```
///
/// # Errors
///
/// As for [`load`], and [`ImportError::RenameDirective`] for a directive that is malformed
/// or not next to a table or column definition.
pub fn rename_directives(
    path: &Path,
    dialect: DialectKind,
    options: &LoadOptions,
) -> Result<Vec<RenameDirective>, ImportError> {
    Ok(loader::load_path(path, dialect, options)?.renames)
}

/// [`rename_directives`] of SQL text read as the file `name`.
///
/// # Errors
///
/// As for [`rename_directives`].
pub fn rename_directives_str(
    sql: &str,
    name: &Path,
    dialect: DialectKind,
    options: &LoadOptions,
) -> Result<Vec<RenameDirective>, ImportError> {
    Ok(loader::load_source(sql, name, dialect, options)?.renames)
}

/// Splits SQL text into statements in their original order, located in `file`. Imports are not
/// followed; `-- atlas:delimiter` and `DELIMITER` are honoured.
///
/// # Errors
///
/// [`ImportError::Unscannable`] for an unterminated string, quoted identifier, dollar-quoted
/// body or block comment.
pub fn split(sql: &str, file: &Path, dialect: DialectKind) -> Result<Vec<Statement>, ImportError> {
    scan::split_source(sql, file, dialect)
}

/// Orders statements so that each follows what it depends on, keeping the original order where
/// nothing requires otherwise. Foreign-key cycles (PostgreSQL, MySQL) are broken by moving keys
/// into new `ALTER TABLE` statements, located at the key's line.
///
/// # Errors
///
/// [`ImportError::Unscannable`] for a statement that is not SQL at all.
pub fn order(
    statements: Vec<Statement>,
    dialect: DialectKind,
) -> Result<Vec<Statement>, ImportError> {
    graph::order(statements, dialect)
}
