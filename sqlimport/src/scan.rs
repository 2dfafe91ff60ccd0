//! Splitting SQL text into statements.
//!
//! A statement ends at the delimiter (`;` unless `atlas:delimiter` or the mysql client command
//! `DELIMITER x` says otherwise) when the delimiter is outside strings, quoted identifiers,
//! dollar-quoted bodies and comments. With the default `;`, it must also be outside parentheses
//! and outside the `BEGIN … END` body of a trigger or routine (`BEGIN ATOMIC … END` in
//! PostgreSQL), where `;` separates the body's own statements.

use std::path::Path;

use crate::error::ImportError;
use crate::lexer::{Kind, Lexer, Token};
use crate::{DialectKind, Location, Statement, directives};

/// Splits `src` into statements in their original order.
pub(crate) fn split_source(
    src: &str,
    file: &Path,
    dialect: DialectKind,
) -> Result<Vec<Statement>, ImportError> {
    let delimiter = directives::header(src, dialect)
        .delimiter
        .unwrap_or_else(|| ";".to_string());
    let mut splitter = Splitter {
        src,
        file,
        dialect,
        lexer: Lexer::new(src, dialect),
        delimiter,
        current: None,
        out: Vec::new(),
    };
    splitter.run()?;
    Ok(splitter.out)
}

/// The statement being read.
struct Current<'a> {
    start: usize,
    end: usize,
    line: usize,
    parens: usize,
    blocks: usize,
    /// The previous word was `END` (so a `CASE` now closes rather than opens).
    after_end: bool,
    /// The first words, enough to tell whether the statement can have a `BEGIN … END` body.
    head: Vec<&'a str>,
}

struct Splitter<'a> {
    src: &'a str,
    file: &'a Path,
    dialect: DialectKind,
    lexer: Lexer<'a>,
    delimiter: String,
    current: Option<Current<'a>>,
    out: Vec<Statement>,
}

/// How many leading words are kept to classify a statement.
const HEAD_WORDS: usize = 8;

impl<'a> Splitter<'a> {
    fn run(&mut self) -> Result<(), ImportError> {
        loop {
            if self.at_delimiter() {
                self.finish();
                let end = self.lexer.pos() + self.delimiter.len();
                self.lexer.advance_to(end);
                continue;
            }
            if self.lexer.eat_whitespace_byte() {
                continue;
            }
            if self.current.is_none() && self.delimiter_command()? {
                continue;
            }
            let stop = self.custom().then_some(self.delimiter.as_str());
            let token = match self.lexer.next_raw_until(stop) {
                Ok(Some(token)) => token,
                Ok(None) => break,
                Err(e) => return Err(ImportError::unscannable(self.file, e.line, e.message)),
            };
            if token.kind.is_comment() {
                continue;
            }
            self.track(token);
        }
        self.finish();
        Ok(())
    }

    fn custom(&self) -> bool {
        self.delimiter != ";"
    }

    fn at_delimiter(&self) -> bool {
        if self.delimiter.is_empty() || !self.lexer.rest().starts_with(self.delimiter.as_str()) {
            return false;
        }
        self.custom()
            || self
                .current
                .as_ref()
                .is_none_or(|c| c.parens == 0 && c.blocks == 0)
    }

    /// Handles the mysql client command `DELIMITER x` at the start of a statement.
    fn delimiter_command(&mut self) -> Result<bool, ImportError> {
        let rest = self.lexer.rest();
        let is_command = rest
            .get(..9)
            .is_some_and(|w| w.eq_ignore_ascii_case("delimiter"))
            && rest[9..].starts_with([' ', '\t']);
        if !is_command {
            return Ok(false);
        }
        let line_end = rest.find('\n').unwrap_or(rest.len());
        let arg = rest[9..line_end].split_whitespace().next();
        let Some(arg) = arg else {
            return Err(ImportError::unscannable(
                self.file,
                self.lexer.line(),
                "DELIMITER needs a delimiter",
            ));
        };
        self.delimiter = arg.to_string();
        let end = self.lexer.pos() + line_end;
        self.lexer.advance_to(end);
        Ok(true)
    }

    fn track(&mut self, token: Token) {
        let src = self.src;
        let current = self.current.get_or_insert(Current {
            start: token.start,
            end: token.end,
            line: token.line,
            parens: 0,
            blocks: 0,
            after_end: false,
            head: Vec::new(),
        });
        current.end = token.end;
        match token.kind {
            Kind::Punct if token.is_punct(src, b'(') => current.parens += 1,
            Kind::Punct if token.is_punct(src, b')') => {
                current.parens = current.parens.saturating_sub(1)
            }
            Kind::Word => {
                let word = token.text(src);
                if current.head.len() < HEAD_WORDS {
                    current.head.push(word);
                }
                if self.delimiter == ";" {
                    track_block(current, self.dialect, word, || next_word(self.lexer, src));
                }
            }
            _ => {}
        }
    }

    fn finish(&mut self) {
        if let Some(current) = self.current.take() {
            self.out.push(Statement {
                sql: self.src[current.start..current.end].to_string(),
                location: Location {
                    file: self.file.to_path_buf(),
                    line: current.line,
                },
            });
        }
    }
}

/// The word after the lexer's position, if the next token is one.
fn next_word<'a>(mut lexer: Lexer<'a>, src: &'a str) -> Option<&'a str> {
    match lexer.next_token() {
        Ok(Some(t)) if t.kind == Kind::Word => Some(t.text(src)),
        _ => None,
    }
}

/// Counts `BEGIN … END` nesting in statements that can have such a body.
fn track_block<'a>(
    current: &mut Current<'_>,
    dialect: DialectKind,
    word: &str,
    next: impl Fn() -> Option<&'a str>,
) {
    let next_is =
        |words: &[&str]| next().is_some_and(|n| words.iter().any(|w| n.eq_ignore_ascii_case(w)));
    if word.eq_ignore_ascii_case("BEGIN") && has_body(&current.head, dialect) {
        if dialect != DialectKind::Postgres || next_is(&["ATOMIC"]) {
            current.blocks += 1;
        }
    } else if word.eq_ignore_ascii_case("CASE") && current.blocks > 0 && !current.after_end {
        current.blocks += 1;
    } else if word.eq_ignore_ascii_case("END") && current.blocks > 0 {
        // `END IF`, `END LOOP`, … close constructs whose opening is not counted.
        if !next_is(&["IF", "LOOP", "WHILE", "REPEAT"]) {
            current.blocks -= 1;
        }
    }
    current.after_end = word.eq_ignore_ascii_case("END");
}

/// Whether a statement starting with `head` can have a `BEGIN … END` body in `dialect`.
fn has_body(head: &[&str], dialect: DialectKind) -> bool {
    let Some(first) = head.first() else {
        return false;
    };
    if !first.eq_ignore_ascii_case("CREATE") {
        return false;
    }
    let kinds: &[&str] = match dialect {
        DialectKind::Sqlite => &["TRIGGER"],
        DialectKind::Mysql => &["TRIGGER", "PROCEDURE", "FUNCTION", "EVENT"],
        DialectKind::Postgres => &["FUNCTION", "PROCEDURE"],
    };
    head[1..]
        .iter()
        .any(|w| kinds.iter().any(|k| w.eq_ignore_ascii_case(k)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str, d: DialectKind) -> Vec<String> {
        split_source(src, Path::new("t.sql"), d)
            .expect("splits")
            .into_iter()
            .map(|s| s.sql)
            .collect()
    }

    #[test]
    fn custom_delimiter_touching_words() {
        let src =
            "DELIMITER $$\nCREATE PROCEDURE p() BEGIN SELECT 1; END$$\nDELIMITER ;\nSELECT 2;";
        assert_eq!(
            texts(src, DialectKind::Mysql),
            vec!["CREATE PROCEDURE p() BEGIN SELECT 1; END", "SELECT 2"]
        );
    }

    #[test]
    fn trailing_comments_are_not_part_of_statements() {
        let src = "-- lead\nSELECT 1 -- tail\n;\n-- dangling";
        assert_eq!(texts(src, DialectKind::Postgres), vec!["SELECT 1"]);
    }

    #[test]
    fn sqlite_begin_transaction_is_not_a_body() {
        let src = "BEGIN; CREATE TABLE t(a); COMMIT;";
        assert_eq!(texts(src, DialectKind::Sqlite).len(), 3);
    }
}
