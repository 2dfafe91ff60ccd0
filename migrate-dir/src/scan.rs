//! The statement scanner: splits a migration file into statements the way Atlas does.
//!
//! Rules (Atlas's, see `ATLAS-FACTS.md`): a statement ends at the delimiter (`;` unless changed)
//! when no parenthesis is open; quotes, comments and dialect-specific blocks hide delimiters;
//! the text keeps the trailing `;` (a custom delimiter is cut off) and is trimmed; comments
//! directly above a statement belong to it, a blank line detaches them.
//!
//! Deliberate differences from Atlas, all on inputs Atlas rejects or mis-splits:
//! - `E'…'` strings honour backslash escapes (Atlas's check never fires);
//! - a `--`/`#` comment that runs to the end of the file ends there (Atlas rescans it as SQL);
//! - each `BEGIN` block is resolved once and remembered, and deep nesting is resolved
//!   iteratively (Atlas rescans nested candidates: exponential time on `BEGIN BEGIN BEGIN …`);
//! - positions are byte offsets in the whole file (Atlas counts after an `atlas:delimiter` line).

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;
use regex::bytes::Regex as BytesRegex;
use schema_model::DialectKind;

use crate::directive::{Directive, Nolint, unescape_delimiter};

/// How deep block scans recurse before switching to [`precompute_blocks`].
const MAX_NESTING: usize = 48;

const DEFAULT_DELIMITER: &str = ";";

// Go's `\s` is ASCII-only; spell it out so Unicode spaces do not start a block.
static BEGIN_ATOMIC: LazyLock<BytesRegex> =
    LazyLock::new(|| compile(r"(?i-u)^[\t\n\f\r ]*BEGIN[\t\n\f\r ]+ATOMIC[\t\n\f\r ]+"));
static BEGIN: LazyLock<BytesRegex> =
    LazyLock::new(|| compile(r"(?i-u)^[\t\n\f\r ]*BEGIN[\t\n\f\r ]+"));
static END: LazyLock<BytesRegex> = LazyLock::new(|| compile(r"(?i-u)^[\t\n\f\r ]*END[\t\n\f\r ]*"));
static BEGIN_ANYWHERE: LazyLock<BytesRegex> = LazyLock::new(|| compile(r"(?i-u)BEGIN[\t\n\f\r ]+"));
static BEGIN_ATOMIC_ANYWHERE: LazyLock<BytesRegex> =
    LazyLock::new(|| compile(r"(?i-u)BEGIN[\t\n\f\r ]+ATOMIC[\t\n\f\r ]+"));
static DOLLAR_QUOTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\$([A-Za-z\x{C8}-\x{FF}_][0-9A-Za-z_\x{C8}-\x{FF}]*)*\$")
        .expect("the dollar-quote pattern is valid")
});

fn compile(pattern: &str) -> BytesRegex {
    BytesRegex::new(pattern).expect("the block patterns are valid")
}

/// What the scanner recognises; [`ScannerOptions::for_dialect`] gives Atlas's per-driver set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ScannerOptions {
    /// `BEGIN … END` compound statements (triggers, procedures, functions).
    pub match_begin: bool,
    /// PostgreSQL/SQL-standard `BEGIN ATOMIC … END` function bodies.
    pub match_begin_atomic: bool,
    /// PostgreSQL dollar-quoted strings (`$$ … $$`, `$tag$ … $tag$`).
    pub match_dollar_quote: bool,
    /// Backslash escapes inside every quote (MySQL/MariaDB).
    pub backslash_escapes: bool,
    /// Backslash escapes inside PostgreSQL `E'…'` strings.
    pub escaped_string_ext: bool,
    /// `#` line comments (MySQL/MariaDB).
    pub hash_comments: bool,
}

impl ScannerOptions {
    /// The options Atlas's driver for `dialect` uses.
    pub fn for_dialect(dialect: DialectKind) -> ScannerOptions {
        let base = ScannerOptions {
            match_begin: true,
            ..ScannerOptions::default()
        };
        match dialect {
            DialectKind::Mysql => ScannerOptions {
                backslash_escapes: true,
                hash_comments: true,
                ..base
            },
            DialectKind::Postgres => ScannerOptions {
                match_begin_atomic: true,
                match_dollar_quote: true,
                escaped_string_ext: true,
                ..base
            },
            // DialectKind is non-exhaustive: unknown dialects get the plain SQLite rules.
            _ => base,
        }
    }
}

/// One statement of a migration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The trimmed statement text, including the trailing `;` (a custom delimiter is removed).
    pub text: String,
    /// The comments directly above the statement, verbatim (with their markers).
    pub comments: Vec<String>,
    /// 1-based line where each of `comments` starts (same length).
    pub comment_lines: Vec<usize>,
    /// Byte offset of the statement's first character in the file.
    pub pos: usize,
    /// 1-based line of the statement's first character (lint prints `L<line>`).
    pub line: usize,
}

impl Statement {
    /// The `atlas:nolint` directives among the statement's comments, in any of the spellings
    /// `-- atlas:nolint`, `--atlas:nolint`, `#atlas:nolint` and `/*atlas:nolint …*/`.
    pub fn nolint(&self) -> Vec<Nolint> {
        self.directives("nolint")
            .into_iter()
            .map(|(line, args)| Nolint::from_args(&args, line))
            .collect()
    }

    /// `(line, args)` of every comment directive named `name` attached to this statement.
    pub fn directives(&self, name: &str) -> Vec<(usize, String)> {
        let mut out = Vec::new();
        for (c, &line) in self.comments.iter().zip(&self.comment_lines) {
            if c.starts_with("/*") && !c.contains('\n') {
                let inner = c.strip_suffix("*/").unwrap_or(c);
                if let Some(d) = Directive::parse(inner.as_bytes(), line)
                    && d.name == name
                    && d.prefix == "/*"
                {
                    out.push((line, d.args));
                }
            } else if let Some(d) = Directive::parse(c.as_bytes(), line)
                && d.name == name
                && matches!(d.prefix.as_str(), "#" | "--" | "-- ")
            {
                out.push((line, d.args));
            }
        }
        out
    }
}

/// A file that cannot be split into statements.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct ScanError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in bytes.
    pub column: usize,
    /// What went wrong.
    pub message: String,
}

/// Splits `input` into statements with the rules of `dialect`.
pub fn scan(input: &str, dialect: DialectKind) -> Result<Vec<Statement>, ScanError> {
    scan_with(input, ScannerOptions::for_dialect(dialect))
}

/// Splits `input` into statements with explicit options.
pub fn scan_with(input: &str, options: ScannerOptions) -> Result<Vec<Statement>, ScanError> {
    let mut ctx = Ctx {
        src: input,
        options,
        memo: HashMap::new(),
        line_starts: std::iter::once(0)
            .chain(input.match_indices('\n').map(|(i, _)| i + 1))
            .collect(),
    };
    let mut delim = DEFAULT_DELIMITER.to_owned();
    let mut start = 0;
    // Like Atlas, only a first-line `-- atlas:delimiter` changes the scanner's delimiter.
    if let Some(d) = Directive::parse(input.as_bytes(), 1)
        && d.name == "delimiter"
        && d.prefix == "-- "
    {
        delim = unescape_delimiter(d.args.trim_end_matches('\r'));
        if delim.is_empty() {
            return Err(ctx.error(0, "empty delimiter"));
        }
        match input.find('\n') {
            Some(i) => start = i + 1,
            None => return Err(ctx.error(0, &format!("no input found after delimiter {delim:?}"))),
        }
    }
    let mut scanner = Scanner::new(&mut ctx, start, delim, 0);
    let mut out = Vec::new();
    while let Some(stmt) = scanner.stmt()? {
        out.push(stmt);
    }
    Ok(out)
}

/// Resolves every possible `BEGIN` block whose match starts at or after `from`, last first.
///
/// A block scan starting at byte `p` only consults blocks starting after `p`, so working
/// backwards finds each nested lookup already answered: no recursion at all. The scanner calls
/// this only when blocks nest deeper than [`MAX_NESTING`]; normal files resolve blocks lazily,
/// so candidates hidden in strings or comments are never scanned.
fn precompute_blocks(ctx: &mut Ctx<'_>, from: usize) {
    let Some(rest) = ctx.src.as_bytes().get(from..) else {
        return;
    };
    let mut starts = Vec::new();
    if ctx.options.match_begin {
        starts.extend(
            BEGIN_ANYWHERE
                .find_iter(rest)
                .map(|m| (from + m.end(), BlockKind::Begin)),
        );
    }
    if ctx.options.match_begin_atomic {
        starts.extend(
            BEGIN_ATOMIC_ANYWHERE
                .find_iter(rest)
                .map(|m| (from + m.end(), BlockKind::BeginAtomic)),
        );
    }
    starts.sort_unstable_by_key(|s| std::cmp::Reverse(s.0));
    for (body_start, kind) in starts {
        if ctx.memo.contains_key(&(kind, body_start)) {
            continue;
        }
        let mut scanner = Scanner::new(ctx, body_start, DEFAULT_DELIMITER.to_owned(), 0);
        let end = scanner.scan_block_body(kind, body_start);
        ctx.memo.insert((kind, body_start), end);
    }
}

/// State shared by a scanner and the nested scanners it starts for `BEGIN` blocks.
struct Ctx<'a> {
    src: &'a str,
    options: ScannerOptions,
    /// Outcome of a block scan by (kind, absolute body start): the absolute end, or failure.
    /// A block scan is fully determined by its start, and remembering it keeps adversarial
    /// input (`BEGIN BEGIN BEGIN …`) from taking exponential time.
    memo: HashMap<(BlockKind, usize), Option<usize>>,
    line_starts: Vec<usize>,
}

impl Ctx<'_> {
    fn line_of(&self, abs: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= abs)
    }

    fn error(&self, abs: usize, message: &str) -> ScanError {
        let line = self.line_of(abs);
        let line_start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        ScanError {
            line,
            column: abs.saturating_sub(line_start) + 1,
            message: message.to_owned(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum BlockKind {
    Begin,
    BeginAtomic,
}

struct Scanner<'c, 'a> {
    ctx: &'c mut Ctx<'a>,
    /// Absolute offset where the not-yet-emitted input starts.
    start: usize,
    /// Offset of the cursor, relative to `start`.
    pos: usize,
    /// Byte width of the last character read.
    width: usize,
    delim: String,
    comments: Vec<String>,
    comment_starts: Vec<usize>,
    nesting: usize,
}

impl<'c, 'a> Scanner<'c, 'a> {
    fn new(ctx: &'c mut Ctx<'a>, start: usize, delim: String, nesting: usize) -> Self {
        Scanner {
            ctx,
            start,
            pos: 0,
            width: 0,
            delim,
            comments: Vec::new(),
            comment_starts: Vec::new(),
            nesting,
        }
    }

    /// The input not yet emitted.
    fn input(&self) -> &'a str {
        let src: &'a str = self.ctx.src;
        src.get(self.start..).unwrap_or("")
    }

    /// The input from `back` bytes before the cursor.
    fn bytes_from_back(&self, back: usize) -> &'a [u8] {
        let src: &'a str = self.ctx.src;
        let at = (self.start + self.pos).saturating_sub(back).max(self.start);
        src.as_bytes().get(at..).unwrap_or(&[])
    }

    fn next(&mut self) -> Option<char> {
        let c = self.input().get(self.pos..)?.chars().next()?;
        self.width = c.len_utf8();
        self.pos += self.width;
        Some(c)
    }

    fn peek(&self) -> Option<char> {
        self.input().get(self.pos..)?.chars().next()
    }

    fn skip_spaces(&mut self) {
        let input = self.input();
        self.start += input.len() - input.trim_start().len();
    }

    fn error(&self, rel: usize, message: &str) -> ScanError {
        self.ctx.error(self.start + rel, message)
    }

    /// Scans the next statement; `None` at the end of the input.
    fn stmt(&mut self) -> Result<Option<Statement>, ScanError> {
        let mut depth = 0usize;
        let mut opening = 0usize;
        self.skip_spaces();
        loop {
            let Some(r) = self.next() else {
                if depth > 0 {
                    return Err(self.error(opening.saturating_sub(1), "unclosed '('"));
                }
                if self.pos > 0 {
                    return Ok(Some(self.emit()));
                }
                return Ok(None);
            };
            let input = self.input();
            match r {
                '(' => {
                    if depth == 0 {
                        opening = self.pos;
                    }
                    depth += 1;
                    continue;
                }
                ')' => {
                    if depth == 0 {
                        return Err(self.error(self.pos - 1, "unexpected ')'"));
                    }
                    depth -= 1;
                    continue;
                }
                '\'' | '"' | '`' => {
                    self.skip_quote(r)?;
                    continue;
                }
                _ => {}
            }
            // The MySQL client command `DELIMITER x` at the start of a statement.
            if self.pos == 1
                && input.len() > "delimiter".len()
                && input.as_bytes()[.."delimiter".len()].eq_ignore_ascii_case(b"delimiter")
            {
                self.pos = "delimiter".len();
                self.delimiter_command()?;
                self.skip_spaces();
                continue;
            }
            // Delimiters take precedence over comments.
            let here = self.pos - self.width;
            if depth == 0 && input[here..].starts_with(self.delim.as_str()) {
                self.pos = here + self.delim.len();
                return Ok(Some(self.emit()));
            }
            if r == '$'
                && self.ctx.options.match_dollar_quote
                && DOLLAR_QUOTE.is_match(&input[here..])
            {
                self.skip_dollar_quote();
                continue;
            }
            if r == '#' && self.ctx.options.hash_comments {
                self.comment("#", "\n");
                continue;
            }
            if r == '-' && self.peek() == Some('-') {
                self.next();
                self.comment("--", "\n");
                continue;
            }
            if r == '/' && self.peek() == Some('*') {
                self.next();
                self.comment("/*", "*/");
                continue;
            }
            if self.delim != DEFAULT_DELIMITER {
                continue;
            }
            let may_begin = |c: char| c.is_ascii_whitespace() || c.eq_ignore_ascii_case(&'b');
            if self.ctx.options.match_begin_atomic
                && may_begin(r)
                && BEGIN_ATOMIC.is_match(self.bytes_from_back(1))
            {
                if self.skip_block(BlockKind::BeginAtomic) {
                    return Ok(Some(self.emit()));
                }
                continue;
            }
            if self.ctx.options.match_begin && may_begin(r) {
                // At a statement's start BEGIN may come first; inside one a space must precede.
                let starts = if self.pos == 1 {
                    BEGIN.is_match(self.bytes_from_back(1))
                } else {
                    BEGIN.is_match(self.bytes_from_back(1 + prev_width(input, here)))
                };
                if starts && self.skip_block(BlockKind::Begin) {
                    return Ok(Some(self.emit()));
                }
            }
        }
    }

    /// Emits `input[..pos]` as a statement and moves past it.
    fn emit(&mut self) -> Statement {
        let input = self.input();
        let raw = &input[..self.pos.min(input.len())];
        let at = self.start;
        self.start += raw.len();
        self.pos = 0;
        let comments = std::mem::take(&mut self.comments);
        let comment_lines = std::mem::take(&mut self.comment_starts)
            .into_iter()
            .map(|at| self.ctx.line_of(at))
            .collect();
        let mut text = raw;
        if self.delim != DEFAULT_DELIMITER {
            text = text.strip_suffix(self.delim.as_str()).unwrap_or(text);
        }
        Statement {
            text: text.trim().to_owned(),
            comments,
            comment_lines,
            pos: at,
            line: self.ctx.line_of(at),
        }
    }

    fn skip_quote(&mut self, quote: char) -> Result<(), ScanError> {
        let open = self.pos - 1;
        let abs = self.start + open;
        let escaped = self.ctx.options.backslash_escapes
            || (self.ctx.options.escaped_string_ext
                && quote == '\''
                && abs > 0
                && matches!(self.ctx.src.as_bytes().get(abs - 1), Some(b'E' | b'e')));
        loop {
            match self.next() {
                None => return Err(self.error(open, &format!("unclosed quote {quote:?}"))),
                Some('\\') if escaped => {
                    self.next();
                }
                Some(c) if c == quote => return Ok(()),
                Some(_) => {}
            }
        }
    }

    fn skip_dollar_quote(&mut self) {
        let input = self.input();
        let here = self.pos - 1;
        let Some(tag) = DOLLAR_QUOTE.find(&input[here..]).map(|m| m.as_str()) else {
            return;
        };
        self.pos = here + tag.len();
        // Like Atlas, an unclosed dollar quote runs to the end of the input.
        match input[self.pos..].find(tag) {
            Some(i) => self.pos += i + tag.len(),
            None => self.pos = input.len(),
        }
    }

    /// Skips a comment; one at the start of a statement is collected for it.
    fn comment(&mut self, left: &str, right: &str) {
        let input = self.input();
        let end = match input[self.pos..].find(right) {
            Some(i) => self.pos + i + right.len(),
            // An unterminated line comment ends with the file.
            None if right == "\n" => input.len(),
            // Not a comment: `/*` without `*/` is scanned as SQL, as in Atlas.
            None => return,
        };
        if self.pos != left.len() {
            self.pos = end;
            return;
        }
        self.comments.push(input[..end].to_owned());
        self.comment_starts.push(self.start);
        self.start += end;
        self.pos = 0;
        // A blank line detaches the comments above it from the statement below.
        let rest = self.input();
        if rest.starts_with("\n\n") || (right == "\n" && rest.starts_with('\n')) {
            self.comments.clear();
            self.comment_starts.clear();
        }
        self.skip_spaces();
    }

    /// Handles `DELIMITER x` (cursor just after the word). Not followed by a space, it is no
    /// command and scanning goes on.
    fn delimiter_command(&mut self) -> Result<(), ScanError> {
        if self.peek() != Some(' ') {
            return Ok(());
        }
        while let Some(c) = self.next() {
            if c == '\n' {
                break;
            }
        }
        let input = self.input();
        let mut delim = input["delimiter".len()..self.pos].trim().to_owned();
        // The MySQL client allows a quoted delimiter.
        if delim.len() >= 2 && delim.starts_with('\'') && delim.ends_with('\'') {
            delim = delim[1..delim.len() - 1].replace("''", "'");
        }
        let delim = unescape_delimiter(&delim);
        if delim.is_empty() {
            return Err(self.error(0, "empty delimiter"));
        }
        self.delim = delim;
        // The command itself is no statement; comments above it are dropped with it.
        self.start += self.pos;
        self.pos = 0;
        self.comments.clear();
        self.comment_starts.clear();
        Ok(())
    }

    /// Tries to skip a `BEGIN … END` (or `BEGIN ATOMIC … END`) block starting at the cursor.
    /// Returns whether it was one; a body that does not scan means "not a block".
    fn skip_block(&mut self, kind: BlockKind) -> bool {
        let pattern = match kind {
            BlockKind::Begin => &*BEGIN,
            BlockKind::BeginAtomic => &*BEGIN_ATOMIC,
        };
        let Some(m) = pattern.find(self.bytes_from_back(1)) else {
            return false;
        };
        let match_start = self.start + self.pos - 1;
        let body_start = match_start + m.end();
        if !self.ctx.memo.contains_key(&(kind, body_start)) {
            let end = if self.nesting < MAX_NESTING {
                self.scan_block_body(kind, body_start)
            } else {
                // Too deep to recurse: resolve every later block iteratively instead.
                precompute_blocks(self.ctx, match_start);
                self.ctx.memo.get(&(kind, body_start)).copied().flatten()
            };
            self.ctx.memo.insert((kind, body_start), end);
        }
        let end = self.ctx.memo.get(&(kind, body_start)).copied().flatten();
        match end {
            Some(end) => {
                self.pos = end - self.start;
                true
            }
            None => false,
        }
    }

    /// Scans statements from `body_start` until the one closing the block; returns the absolute
    /// end of that statement.
    fn scan_block_body(&mut self, kind: BlockKind, body_start: usize) -> Option<usize> {
        let mut body = Scanner::new(
            &mut *self.ctx,
            body_start,
            DEFAULT_DELIMITER.to_owned(),
            self.nesting + 1,
        );
        loop {
            let stmt = body.stmt().ok()??;
            let text = stmt.text.as_bytes();
            let Some(m) = END.find(text) else { continue };
            let closes = match kind {
                BlockKind::BeginAtomic => true,
                // `END` alone or `END;` closes; `END IF;`, `END LOOP;` do not.
                BlockKind::Begin => {
                    m.end() == text.len() || &text[m.end()..] == DEFAULT_DELIMITER.as_bytes()
                }
            };
            if closes {
                return Some(body.start);
            }
        }
    }
}

/// Byte width of the character ending just before `at` in `s` (0 at the start).
fn prev_width(s: &str, at: usize) -> usize {
    s.get(..at)
        .and_then(|p| p.chars().next_back())
        .map_or(0, char::len_utf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(input: &str, dialect: DialectKind) -> Vec<String> {
        scan(input, dialect)
            .expect("scans")
            .into_iter()
            .map(|s| s.text)
            .collect()
    }

    #[test]
    fn splits_on_semicolons_outside_parens_and_quotes() {
        let got = texts(
            "CREATE TABLE t(a int DEFAULT ';');\n\nINSERT INTO t VALUES (1);",
            DialectKind::Sqlite,
        );
        assert_eq!(
            got,
            [
                "CREATE TABLE t(a int DEFAULT ';');",
                "INSERT INTO t VALUES (1);"
            ]
        );
    }

    #[test]
    fn comments_attach_unless_a_blank_line_separates() {
        let stmts = scan(
            "-- header\n\n-- create t\nCREATE TABLE t(a int);\n/* x */\nSELECT 1;",
            DialectKind::Sqlite,
        )
        .expect("scans");
        assert_eq!(stmts[0].comments, ["-- create t\n"]);
        assert_eq!(stmts[0].line, 4);
        assert_eq!(stmts[1].comments, ["/* x */"]);
        assert_eq!(stmts[0].comment_lines, [3]);
        let same_line = scan("/* a */ -- b\nSELECT 1;", DialectKind::Sqlite).expect("scans");
        assert_eq!(same_line[0].comment_lines, [1, 1]);
        assert_eq!(stmts[1].line, 6);
        assert_eq!(
            stmts[1].pos,
            "-- header\n\n-- create t\nCREATE TABLE t(a int);\n/* x */\n".len()
        );
    }

    #[test]
    fn statement_nolint_in_every_spelling() {
        let src = "-- atlas:nolint DS103\nALTER TABLE t DROP COLUMN a;\n--atlas:nolint\nDROP TABLE t;\n#atlas:nolint destructive\nDROP TABLE u;\n/*atlas:nolint DS102 MF103 */\nDROP TABLE v;\n";
        let stmts = scan(src, DialectKind::Mysql).expect("scans");
        let nolint: Vec<_> = stmts.iter().map(Statement::nolint).collect();
        assert_eq!(
            nolint[0],
            [Nolint {
                args: vec!["DS103".into()],
                line: 1
            }]
        );
        assert_eq!(
            nolint[1],
            [Nolint {
                args: vec![],
                line: 3
            }]
        );
        assert!(nolint[1][0].skips("DS102", "destructive"));
        assert_eq!(nolint[2][0].args, ["destructive"]);
        assert_eq!(nolint[3][0].args, ["DS102", "MF103"]);
        assert_eq!(nolint[3][0].line, 7);
        assert!(!nolint[3][0].skips("DS103", "destructive"));
    }

    #[test]
    fn postgres_escape_strings_and_dollar_quotes() {
        let got = texts(
            "SELECT E'it\\'s;';\nCREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;",
            DialectKind::Postgres,
        );
        assert_eq!(got.len(), 2, "{got:?}");
        // Without E'' support the same input is one unclosed quote.
        assert!(scan("SELECT E'it\\'s;';", DialectKind::Sqlite).is_err());
    }

    #[test]
    fn mysql_begin_end_body_and_hash_comments() {
        let src = "# comment\nCREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW\nBEGIN\n  IF NEW.a > 1 THEN SET NEW.a = 1; END IF;\nEND;\nSELECT 1;";
        let got = texts(src, DialectKind::Mysql);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[0].ends_with("END;"));
    }

    #[test]
    fn errors_are_located() {
        let err = scan("SELECT 1;\nSELECT (1;", DialectKind::Sqlite).unwrap_err();
        assert_eq!((err.line, err.column), (2, 8), "{err}");
        let err = scan("SELECT 1;\n  SELECT 'x", DialectKind::Sqlite).unwrap_err();
        assert_eq!((err.line, err.column), (2, 10), "{err}");
        let err = scan("SELECT 1);", DialectKind::Sqlite).unwrap_err();
        assert_eq!(err.message, "unexpected ')'");
    }

    #[test]
    fn deeply_nested_begins_do_not_overflow_the_stack() {
        let src = format!("{}SELECT 1;{}", "BEGIN ".repeat(5000), " END;".repeat(5000));
        let got = texts(&src, DialectKind::Sqlite);
        assert_eq!(got.len(), 1, "one block holding everything");
        assert!(got[0].ends_with("END;"));
    }

    #[test]
    fn many_unclosed_begins_finish_quickly() {
        // Without memoisation every BEGIN re-scans all later ones: exponential time.
        let src = "SELECT 1 BEGIN x; ".repeat(400);
        let start = std::time::Instant::now();
        let got = scan(&src, DialectKind::Sqlite);
        assert!(got.is_ok());
        assert!(start.elapsed().as_secs() < 20);
    }
}
