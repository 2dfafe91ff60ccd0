//! Rename directives written in the desired SQL: `-- mercator:renamed-from OLD` on the line
//! above a table or column definition, or at the end of the line it starts on.
//!
//! Atlas has no such directive; this one follows the shape of its `atlas:` directives but
//! carries Mercator's prefix, so Atlas ignores it and nobody mistakes it for Atlas's. A
//! directive only names the old name; the new name is the definition it is attached to, so
//! the file reads as the schema it describes:
//!
//! ```sql
//! -- mercator:renamed-from people
//! CREATE TABLE users (
//!   id int PRIMARY KEY,
//!   email text NOT NULL -- mercator:renamed-from mail
//! );
//! ALTER TABLE users
//!   -- mercator:renamed-from nick
//!   ADD COLUMN handle text;
//! ```
//!
//! This module only reads the directives and locates them; whether they apply (the old name
//! exists in the database, the new one in the desired state) is decided by whoever plans.

use std::path::Path;

use crate::error::ImportError;
use crate::lexer::{Kind, Lexer, Token, unquote};
use crate::{DialectKind, Location};

/// The directive's name, after the comment marker.
pub const RENAME_DIRECTIVE: &str = "mercator:renamed-from";

/// What a rename directive is attached to: the object under its new name, as the SQL
/// writes it (names folded as the database stores them: unquoted PostgreSQL names in lower
/// case).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RenamedObject {
    /// A table defined by `CREATE TABLE`.
    Table {
        /// The schema, when the name is qualified.
        schema: Option<String>,
        /// The table's new name.
        name: String,
    },
    /// A column defined in `CREATE TABLE (…)` or added by `ALTER TABLE … ADD`.
    Column {
        /// The table's schema, when its name is qualified.
        schema: Option<String>,
        /// The table (its new name, when it is renamed too).
        table: String,
        /// The column's new name.
        name: String,
    },
}

/// One `-- mercator:renamed-from OLD` directive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenameDirective {
    /// The object, under its new name.
    pub object: RenamedObject,
    /// The old name (a table's may be written `schema.name`; the schema is then in
    /// [`from_schema`](RenameDirective::from_schema)).
    pub from: String,
    /// The schema written in front of a table's old name, if any.
    pub from_schema: Option<String>,
    /// Where the directive is written.
    pub location: Location,
}

/// Which statement the scan is in.
enum Statement {
    /// Before a statement's first word.
    Start,
    /// `CREATE TABLE schema.name` on a line: columns are read at parenthesis depth 1.
    CreateTable(Option<String>, String, usize),
    /// `ALTER TABLE schema.name`: columns follow `ADD [COLUMN] [IF NOT EXISTS]`.
    AlterTable(Option<String>, String),
    /// Anything else.
    Other,
}

/// Words that start a table element which is not a column.
const CONSTRAINT_WORDS: &[&str] = &[
    "constraint",
    "primary",
    "unique",
    "foreign",
    "check",
    "key",
    "index",
    "fulltext",
    "spatial",
    "exclude",
    "like",
    "period",
];

struct Scan<'a> {
    src: &'a str,
    file: &'a Path,
    dialect: DialectKind,
    out: Vec<RenameDirective>,
    /// Directives on lines of their own, waiting for the next definition.
    pending: Vec<(String, Option<String>, usize)>,
    statement: Statement,
    depth: usize,
    /// In `CREATE TABLE (…)` after `(` or `,` at depth 1: the next word starts an element.
    element_next: bool,
    /// The last definition read and the line it starts on, for directives at a line's end.
    recent: Option<(usize, RenamedObject)>,
    /// The line of the last token that was not a comment.
    last_line: usize,
}

/// Reads the rename directives of one file's text.
pub(crate) fn directives(
    src: &str,
    file: &Path,
    dialect: DialectKind,
) -> Result<Vec<RenameDirective>, ImportError> {
    if !src.contains(RENAME_DIRECTIVE) {
        return Ok(Vec::new());
    }
    let mut scan = Scan {
        src,
        file,
        dialect,
        out: Vec::new(),
        pending: Vec::new(),
        statement: Statement::Start,
        depth: 0,
        element_next: false,
        recent: None,
        last_line: 0,
    };
    let mut lexer = Lexer::new(src, dialect);
    let mut tokens = Vec::new();
    // The splitter has already accepted the text, so lexing cannot fail here; if it does,
    // the directives read so far are all there are.
    while let Ok(Some(token)) = lexer.next_raw() {
        tokens.push(token);
    }
    let mut i = 0;
    while i < tokens.len() {
        i = scan.token(&tokens, i)?;
    }
    if let Some((_, _, line)) = scan.pending.first() {
        return Err(scan.misplaced(*line));
    }
    Ok(scan.out)
}

impl Scan<'_> {
    fn at(&self, line: usize) -> Location {
        Location {
            file: self.file.to_path_buf(),
            line,
        }
    }

    fn misplaced(&self, line: usize) -> ImportError {
        ImportError::RenameDirective {
            at: self.at(line),
            message: format!(
                "{RENAME_DIRECTIVE} must be on the line above a table or column definition, or at the end of the line it starts on"
            ),
        }
    }

    /// The name a word or quoted identifier stands for, as the database stores it.
    fn name(&self, token: &Token) -> Option<String> {
        match token.kind {
            Kind::Word if self.dialect == DialectKind::Postgres => {
                Some(token.text(self.src).to_lowercase())
            }
            Kind::Word => Some(token.text(self.src).to_owned()),
            Kind::Quoted => Some(unquote(self.src, token).into_owned()),
            Kind::Str if self.dialect == DialectKind::Mysql => {
                Some(unquote(self.src, token).into_owned())
            }
            _ => None,
        }
    }

    /// A possibly qualified name at `tokens[i]`: (schema, name, index after it).
    fn qualified(&self, tokens: &[Token], i: usize) -> Option<(Option<String>, String, usize)> {
        let first = self.name(tokens.get(i)?)?;
        match (tokens.get(i + 1), tokens.get(i + 2)) {
            (Some(dot), Some(next)) if dot.is_punct(self.src, b'.') => {
                Some((Some(first), self.name(next)?, i + 3))
            }
            _ => Some((None, first, i + 1)),
        }
    }

    /// The next token that is not a comment, from `i`.
    fn next_significant(tokens: &[Token], mut i: usize) -> usize {
        while tokens.get(i).is_some_and(|t| t.kind.is_comment()) {
            i += 1;
        }
        i
    }

    /// Skips the words `words` (in order, each optional) from `i`.
    fn skip_words(&self, tokens: &[Token], mut i: usize, words: &[&str]) -> usize {
        for word in words {
            let j = Self::next_significant(tokens, i);
            if tokens.get(j).is_some_and(|t| t.is_kw(self.src, word)) {
                i = j + 1;
            }
        }
        Self::next_significant(tokens, i)
    }

    /// A definition starts at `line`: pending directives attach to it.
    fn define(&mut self, line: usize, object: RenamedObject) {
        for (from, from_schema, at) in std::mem::take(&mut self.pending) {
            self.out.push(RenameDirective {
                object: object.clone(),
                from,
                from_schema,
                location: self.at(at),
            });
        }
        self.recent = Some((line, object));
    }

    /// Something that cannot be renamed starts: no directive may wait for it.
    fn not_renamable(&mut self) -> Result<(), ImportError> {
        match self.pending.first() {
            Some((_, _, line)) => Err(self.misplaced(*line)),
            None => Ok(()),
        }
    }

    fn comment(&mut self, token: &Token) -> Result<(), ImportError> {
        let text = token.text(self.src);
        let body = text
            .strip_prefix("--")
            .or_else(|| text.strip_prefix('#'))
            .or_else(|| {
                text.strip_prefix("/*")
                    .map(|t| t.strip_suffix("*/").unwrap_or(t))
            })
            .unwrap_or(text)
            .trim();
        let Some(args) = body.strip_prefix(RENAME_DIRECTIVE) else {
            return Ok(());
        };
        if !args.is_empty() && !args.starts_with(char::is_whitespace) {
            return Ok(());
        }
        let (from_schema, from) = self.old_name(args.trim(), token.line)?;
        if self.last_line == token.line {
            // At the end of a line: the definition that started on it.
            return match &self.recent {
                Some((line, object)) if *line == token.line => {
                    self.out.push(RenameDirective {
                        object: object.clone(),
                        from,
                        from_schema,
                        location: self.at(token.line),
                    });
                    Ok(())
                }
                _ => Err(self.misplaced(token.line)),
            };
        }
        self.pending.push((from, from_schema, token.line));
        Ok(())
    }

    /// Reads the directive's argument: one name, `schema.name` allowed, quoted or not.
    fn old_name(&self, args: &str, line: usize) -> Result<(Option<String>, String), ImportError> {
        let invalid = |message: String| ImportError::RenameDirective {
            at: self.at(line),
            message,
        };
        let tokens: Vec<Token> = {
            let mut lexer = Lexer::new(args, self.dialect);
            let mut out = Vec::new();
            while let Ok(Some(t)) = lexer.next_raw() {
                out.push(t);
            }
            out
        };
        let name = |t: &Token| match t.kind {
            Kind::Word if self.dialect == DialectKind::Postgres => {
                Some(t.text(args).to_lowercase())
            }
            Kind::Word => Some(t.text(args).to_owned()),
            Kind::Quoted => Some(unquote(args, t).into_owned()),
            _ => None,
        };
        let parsed = match tokens.as_slice() {
            [one] => name(one).map(|n| (None, n)),
            [schema, dot, one] if dot.is_punct(args, b'.') => {
                name(schema).and_then(|s| name(one).map(|n| (Some(s), n)))
            }
            _ => None,
        };
        parsed.ok_or_else(|| {
            invalid(if args.is_empty() {
                format!("{RENAME_DIRECTIVE} needs the old name: `-- {RENAME_DIRECTIVE} old_name`")
            } else {
                format!("{RENAME_DIRECTIVE} takes one name (optionally schema.name), got {args:?}")
            })
        })
    }

    /// Handles `tokens[i]`; returns the index of the next token to handle.
    fn token(&mut self, tokens: &[Token], i: usize) -> Result<usize, ImportError> {
        let token = tokens[i];
        if token.kind.is_comment() {
            self.comment(&token)?;
            return Ok(i + 1);
        }
        let line = token.line;
        self.last_line = line;
        if token.is_punct(self.src, b';') && self.depth == 0 {
            self.not_renamable()?;
            self.statement = Statement::Start;
            return Ok(i + 1);
        }
        if matches!(self.statement, Statement::Start) {
            return self.statement_head(tokens, i);
        }
        if token.is_punct(self.src, b'(') {
            self.depth += 1;
            self.element_next =
                self.depth == 1 && matches!(self.statement, Statement::CreateTable(..));
            return Ok(i + 1);
        }
        if token.is_punct(self.src, b')') {
            self.depth = self.depth.saturating_sub(1);
            self.element_next = false;
            // After the column list, a directive at the end of the line is about the table.
            if let (0, Statement::CreateTable(schema, name, at)) = (self.depth, &self.statement) {
                let table = RenamedObject::Table {
                    schema: schema.clone(),
                    name: name.clone(),
                };
                self.recent = Some((*at, table));
            }
            return Ok(i + 1);
        }
        if token.is_punct(self.src, b',') {
            self.element_next =
                self.depth == 1 && matches!(self.statement, Statement::CreateTable(..));
            return Ok(i + 1);
        }
        match &self.statement {
            Statement::CreateTable(schema, table, _) if self.element_next => {
                self.element_next = false;
                let word = token.text(self.src).to_ascii_lowercase();
                let constraint = token.kind == Kind::Word && CONSTRAINT_WORDS.contains(&&*word);
                match self.name(&token) {
                    Some(name) if !constraint => {
                        let object = RenamedObject::Column {
                            schema: schema.clone(),
                            table: table.clone(),
                            name,
                        };
                        self.define(line, object);
                    }
                    _ => self.not_renamable()?,
                }
                Ok(i + 1)
            }
            Statement::AlterTable(schema, table) if self.depth == 0 => {
                let (schema, table) = (schema.clone(), table.clone());
                if token.is_kw(self.src, "add") {
                    let j = self.skip_words(tokens, i + 1, &["column", "if", "not", "exists"]);
                    let Some(next) = tokens.get(j) else {
                        return Ok(j);
                    };
                    let word = next.text(self.src).to_ascii_lowercase();
                    let constraint = next.kind == Kind::Word && CONSTRAINT_WORDS.contains(&&*word);
                    match self.name(next) {
                        Some(name) if !constraint => {
                            self.define(
                                line,
                                RenamedObject::Column {
                                    schema,
                                    table,
                                    name,
                                },
                            );
                            self.last_line = next.line;
                        }
                        _ => self.not_renamable()?,
                    }
                    return Ok(j + 1);
                }
                Ok(i + 1)
            }
            _ => Ok(i + 1),
        }
    }

    /// The first word of a statement: `CREATE TABLE` and `ALTER TABLE` are followed,
    /// anything else cannot carry a directive.
    fn statement_head(&mut self, tokens: &[Token], i: usize) -> Result<usize, ImportError> {
        let token = tokens[i];
        self.depth = 0;
        self.element_next = false;
        if token.is_kw(self.src, "create") {
            let j = self.skip_words(
                tokens,
                i + 1,
                &[
                    "or",
                    "replace",
                    "global",
                    "local",
                    "temporary",
                    "temp",
                    "unlogged",
                ],
            );
            if tokens.get(j).is_some_and(|t| t.is_kw(self.src, "table")) {
                let k = self.skip_words(tokens, j + 1, &["if", "not", "exists"]);
                if let Some((schema, name, after)) = self.qualified(tokens, k) {
                    self.statement =
                        Statement::CreateTable(schema.clone(), name.clone(), token.line);
                    self.define(token.line, RenamedObject::Table { schema, name });
                    self.last_line = tokens[after - 1].line;
                    return Ok(after);
                }
            }
        } else if token.is_kw(self.src, "alter") {
            let j = Self::next_significant(tokens, i + 1);
            if tokens.get(j).is_some_and(|t| t.is_kw(self.src, "table")) {
                let k = self.skip_words(tokens, j + 1, &["if", "exists", "only"]);
                if let Some((schema, name, after)) = self.qualified(tokens, k) {
                    // A directive above `ALTER TABLE` waits for the column the statement adds.
                    self.statement = Statement::AlterTable(schema, name);
                    self.recent = None;
                    self.last_line = tokens[after - 1].line;
                    return Ok(after);
                }
            }
        }
        self.not_renamable()?;
        self.statement = Statement::Other;
        self.recent = None;
        Ok(i + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(sql: &str, dialect: DialectKind) -> Result<Vec<RenameDirective>, ImportError> {
        directives(sql, Path::new("schema.sql"), dialect)
    }

    fn summary(found: &[RenameDirective]) -> Vec<String> {
        found
            .iter()
            .map(|d| {
                let what = match &d.object {
                    RenamedObject::Table { schema, name } => {
                        format!(
                            "table {}{name}",
                            schema
                                .as_deref()
                                .map(|s| format!("{s}."))
                                .unwrap_or_default()
                        )
                    }
                    RenamedObject::Column {
                        schema,
                        table,
                        name,
                    } => format!(
                        "column {}{table}.{name}",
                        schema
                            .as_deref()
                            .map(|s| format!("{s}."))
                            .unwrap_or_default()
                    ),
                };
                format!("{}: {what} from {}", d.location, d.from)
            })
            .collect()
    }

    #[test]
    fn directives_above_and_at_the_end_of_definitions() {
        let sql = "\
-- mercator:renamed-from people
CREATE TABLE app.Users (
  id int PRIMARY KEY,
  -- mercator:renamed-from mail
  email text NOT NULL,
  \"Nick\" text, -- mercator:renamed-from \"Handle\"
  CONSTRAINT u UNIQUE (email)
);
CREATE TABLE logs (id int); -- mercator:renamed-from old_logs
ALTER TABLE logs
  -- mercator:renamed-from msg
  ADD COLUMN IF NOT EXISTS line text;
";
        let found = read(sql, DialectKind::Postgres).unwrap();
        assert_eq!(
            summary(&found),
            [
                "schema.sql:1: table app.users from people",
                "schema.sql:4: column app.users.email from mail",
                "schema.sql:6: column app.users.Nick from Handle",
                "schema.sql:9: table logs from old_logs",
                "schema.sql:11: column logs.line from msg",
            ]
        );
        // MySQL and SQLite keep the case as written.
        let found = read(
            "CREATE TABLE Users ( -- mercator:renamed-from People\n id int);",
            DialectKind::Mysql,
        )
        .unwrap();
        assert_eq!(summary(&found), ["schema.sql:1: table Users from People"]);
    }

    #[test]
    fn misplaced_or_malformed_directives_are_located_errors() {
        for (sql, line) in [
            ("-- mercator:renamed-from v0\nCREATE VIEW v AS SELECT 1;", 1),
            (
                "CREATE TABLE t (\n  id int,\n  -- mercator:renamed-from k\n  PRIMARY KEY (id)\n);",
                3,
            ),
            ("CREATE TABLE t (id int);\n-- mercator:renamed-from x\n", 2),
            ("CREATE INDEX i ON t (a); -- mercator:renamed-from j", 1),
            (
                "CREATE TABLE t (\n  -- mercator:renamed-from\n  id int);",
                2,
            ),
            (
                "CREATE TABLE t (\n  -- mercator:renamed-from a b\n  id int);",
                2,
            ),
        ] {
            let err = read(sql, DialectKind::Sqlite).unwrap_err();
            assert!(
                err.to_string().starts_with(&format!("schema.sql:{line}: ")),
                "{sql}: {err}"
            );
        }
        // Other comments and Atlas's directives are not Mercator's business.
        assert!(
            read(
                "-- mercator:renamed-fromage\n-- atlas:nolint\nCREATE VIEW v AS SELECT 1;",
                DialectKind::Sqlite
            )
            .unwrap()
            .is_empty()
        );
    }
}
