//! What lint analyzes: migration files, their statements with positions, and the
//! schema changes each statement produced.
//!
//! The versioned workflow builds a [`ChangeSet`] by replaying earlier files on a dev
//! database, then executing each new statement and diffing the schema before and after it
//! ([`Statement::new`] with the statement's 1-based line). The declarative workflow has no
//! files: [`ChangeSet::from_changes`] or [`ChangeSet::from_plan`] wrap a planned change list
//! as one unnamed file.

use schema_diff::{Change, Plan};
use serde::{Deserialize, Serialize};

use crate::sqltext;

/// A `nolint` directive, already parsed: the codes (`DS102`) and analyzer names
/// (`destructive`) it silences. An empty list silences everything.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Suppression {
    /// Codes and/or analyzer names; empty means all.
    #[serde(default)]
    pub codes_or_analyzers: Vec<String>,
}

impl Suppression {
    /// Silences every diagnostic.
    pub fn all() -> Self {
        Suppression::default()
    }

    /// Silences the given codes and analyzer names.
    pub fn only<I, S>(names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Suppression {
            codes_or_analyzers: names.into_iter().map(Into::into).collect(),
        }
    }

    /// Whether this directive silences a diagnostic with `code` from `analyzer`. Codes
    /// compare case-insensitively (`ds102` = `DS102`), analyzer names exactly.
    pub fn covers(&self, code: &str, analyzer: &str) -> bool {
        self.codes_or_analyzers.is_empty()
            || self
                .codes_or_analyzers
                .iter()
                .any(|n| n.eq_ignore_ascii_case(code) || n == analyzer)
    }
}

/// Facts about how a statement ran that its changes cannot show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StatementFlags {
    /// The statement built or dropped an index `CONCURRENTLY` (PostgreSQL). Also detected
    /// from the statement text.
    #[serde(default)]
    pub concurrently: bool,
    /// The statement added its constraint `NOT VALID` (PostgreSQL). Also detected from
    /// the statement text; the schema model does not record it.
    #[serde(default)]
    pub not_valid: bool,
}

/// One statement of a migration file and what it changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    /// 1-based line where the statement starts in its file (`None` for planned changes).
    pub line: Option<usize>,
    /// The statement's SQL text (empty for planned changes without rendered SQL).
    pub sql: String,
    /// The schema changes the statement produced, in order.
    pub changes: Vec<Change>,
    /// How it ran.
    #[serde(default)]
    pub flags: StatementFlags,
    /// `nolint` directives directly above the statement.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppressions: Vec<Suppression>,
}

impl Statement {
    /// A statement at `line` with its text and changes; flags are read from the text.
    pub fn new(line: usize, sql: impl Into<String>, changes: Vec<Change>) -> Self {
        Statement {
            line: Some(line),
            ..Statement::unlocated(sql, changes)
        }
    }

    /// A statement without a position (declarative plans).
    pub fn unlocated(sql: impl Into<String>, changes: Vec<Change>) -> Self {
        let sql = sql.into();
        let tokens = sqltext::tokens(&sql);
        let flags = StatementFlags {
            concurrently: sqltext::has_sequence(&tokens, &["CONCURRENTLY"]),
            not_valid: sqltext::has_sequence(&tokens, &["NOT", "VALID"]),
        };
        Statement {
            line: None,
            sql,
            changes,
            flags,
            suppressions: Vec::new(),
        }
    }

    /// Builder-style: attach a `nolint` directive.
    pub fn suppress(mut self, suppression: Suppression) -> Self {
        self.suppressions.push(suppression);
        self
    }

    /// Builder-style: set flags the text did not show (they are OR-ed in).
    pub fn with_flags(mut self, flags: StatementFlags) -> Self {
        self.flags.concurrently |= flags.concurrently;
        self.flags.not_valid |= flags.not_valid;
        self
    }
}

/// One migration file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MigrationFile {
    /// File name, e.g. `20240101000000_users.sql` (empty for a declarative plan).
    pub name: String,
    /// Version, e.g. `20240101000000`.
    pub version: String,
    /// The file has `-- atlas:txmode none` (statements run outside a transaction).
    #[serde(default)]
    pub txmode_none: bool,
    /// File-level `nolint` directives (a bare one skips the whole file).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppressions: Vec<Suppression>,
    /// Statements in order.
    pub statements: Vec<Statement>,
}

impl MigrationFile {
    /// A file named `name`; its version follows Atlas's rule: the name without `.sql`, up
    /// to the first `_`.
    pub fn new(name: impl Into<String>) -> Self {
        let name = name.into();
        let stem = name.strip_suffix(".sql").unwrap_or(&name);
        let version = stem.split('_').next().unwrap_or(stem).to_owned();
        MigrationFile {
            name,
            version,
            txmode_none: false,
            suppressions: Vec::new(),
            statements: Vec::new(),
        }
    }

    /// Builder-style: add a statement.
    pub fn with_statement(mut self, statement: Statement) -> Self {
        self.statements.push(statement);
        self
    }

    /// Builder-style: mark the file `atlas:txmode none`.
    pub fn txmode_none(mut self) -> Self {
        self.txmode_none = true;
        self
    }

    /// Builder-style: attach a file-level `nolint` directive.
    pub fn suppress(mut self, suppression: Suppression) -> Self {
        self.suppressions.push(suppression);
        self
    }

    /// Number of schema changes in the file.
    pub fn change_count(&self) -> usize {
        self.statements.iter().map(|s| s.changes.len()).sum()
    }
}

/// Everything one lint run analyzes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ChangeSet {
    /// The version before the first analyzed file (`None` when analysis starts from an
    /// empty history). Only used in report headers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_version: Option<String>,
    /// Directory the files live in, as reports should name it (`migrations`); report
    /// paths are `dir/name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dir: Option<String>,
    /// Files in order.
    pub files: Vec<MigrationFile>,
}

impl ChangeSet {
    /// A change set of the given files.
    pub fn new(files: Vec<MigrationFile>) -> Self {
        ChangeSet {
            base_version: None,
            dir: None,
            files,
        }
    }

    /// A declarative plan: one unnamed file with one unlocated statement per change, so
    /// every diagnostic points at the change it is about and "same file" rules see the
    /// whole plan.
    pub fn from_changes(changes: &[Change]) -> Self {
        let mut file = MigrationFile::new("");
        file.statements = changes
            .iter()
            .map(|c| Statement::unlocated("", vec![c.clone()]))
            .collect();
        ChangeSet::new(vec![file])
    }

    /// A declarative plan with its rendered statements: each change goes to the first
    /// planned statement rendered from it (so `CONCURRENTLY` in the SQL is seen), and
    /// non-transactional statements count as `txmode none`.
    pub fn from_plan(changes: &[Change], plan: &Plan) -> Self {
        let mut set = ChangeSet::from_changes(changes);
        let file = &mut set.files[0];
        for (index, statement) in file.statements.iter_mut().enumerate() {
            let rendered: Vec<_> = plan
                .statements
                .iter()
                .filter(|p| p.change == index)
                .collect();
            if rendered.is_empty() {
                continue;
            }
            let sql = rendered
                .iter()
                .map(|p| p.sql.as_str())
                .collect::<Vec<_>>()
                .join(";\n");
            let changes = std::mem::take(&mut statement.changes);
            *statement = Statement::unlocated(sql, changes);
        }
        // A plan runs non-transactional statements on their own, which is what a
        // `txmode none` file does.
        file.txmode_none = plan.statements.iter().any(|p| !p.transactional);
        set
    }

    /// Builder-style: the version analysis starts after.
    pub fn with_base_version(mut self, version: impl Into<String>) -> Self {
        self.base_version = Some(version.into());
        self
    }

    /// Builder-style: the directory reports name the files in.
    pub fn with_dir(mut self, dir: impl Into<String>) -> Self {
        self.dir = Some(dir.into());
        self
    }

    /// Every change with its position, in order.
    pub fn located(&self) -> impl Iterator<Item = (Position, &Change)> {
        self.files.iter().enumerate().flat_map(|(f, file)| {
            file.statements.iter().enumerate().flat_map(move |(s, st)| {
                st.changes
                    .iter()
                    .enumerate()
                    .map(move |(c, change)| (Position::change(f, s, c), change))
            })
        })
    }

    /// The statement at a position.
    pub fn statement(&self, position: Position) -> Option<&Statement> {
        self.files
            .get(position.file)?
            .statements
            .get(position.statement)
    }

    /// The path reports give for a file: `dir/name`, or the name.
    pub fn path(&self, file: usize) -> Option<String> {
        let name = &self.files.get(file)?.name;
        if name.is_empty() {
            return None;
        }
        Some(match &self.dir {
            Some(dir) => format!("{}/{name}", dir.trim_end_matches('/')),
            None => name.clone(),
        })
    }
}

/// Where a diagnostic points: a file, a statement in it and, when it is about one, a change
/// of that statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Position {
    /// Index of the file in the change set.
    pub file: usize,
    /// Index of the statement in the file.
    pub statement: usize,
    /// Index of the change in the statement, when the finding is about one change.
    pub change: Option<usize>,
}

impl Position {
    /// A change's position.
    pub fn change(file: usize, statement: usize, change: usize) -> Self {
        Position {
            file,
            statement,
            change: Some(change),
        }
    }

    /// A statement's position (findings about the text, not a change).
    pub fn statement(file: usize, statement: usize) -> Self {
        Position {
            file,
            statement,
            change: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_flags() {
        let f = MigrationFile::new("20240101_add_users.sql");
        assert_eq!(f.version, "20240101");
        assert_eq!(MigrationFile::new("3.sql").version, "3");
        let s = Statement::new(4, "CREATE INDEX CONCURRENTLY i ON t (a);", vec![]);
        assert!(s.flags.concurrently && !s.flags.not_valid);
        let s = Statement::new(
            1,
            "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;",
            vec![],
        );
        assert!(s.flags.not_valid);
        let s = Statement::new(1, "-- CONCURRENTLY\nCREATE INDEX i ON t (a);", vec![]);
        assert!(!s.flags.concurrently);
    }

    #[test]
    fn suppression_matching() {
        assert!(Suppression::all().covers("DS102", "destructive"));
        let s = Suppression::only(["ds102", "data_depend"]);
        assert!(s.covers("DS102", "destructive"));
        assert!(s.covers("MF103", "data_depend"));
        assert!(!s.covers("DS103", "destructive"));
    }
}
