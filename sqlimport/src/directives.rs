//! File directives: `-- atlas:import <path>` and `-- atlas:delimiter <text>` in a file's header.
//!
//! The header is the run of comments before the first statement. Atlas counts a leading comment
//! block as file directives only when a blank line follows it; for `import` and `delimiter` that
//! distinction carries no meaning (neither applies to a single statement), so both are honoured
//! anywhere in the header, and silently dropping an import would only hide a mistake.

use crate::DialectKind;
use crate::lexer::{Kind, Lexer};

/// The directives found in a file's header.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Header {
    /// The statement delimiter set by `atlas:delimiter`, escapes already undone.
    pub delimiter: Option<String>,
    /// The `atlas:import` targets in order, each with its line.
    pub imports: Vec<Import>,
}

/// One `atlas:import` directive.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Import {
    pub target: String,
    pub line: usize,
}

/// Reads the directives in the header of `src`.
pub(crate) fn header(src: &str, dialect: DialectKind) -> Header {
    let mut found = Header::default();
    let mut lexer = Lexer::new(src, dialect);
    // A lexing error ends the header; the splitter reports it with its location.
    while let Ok(Some(token)) = lexer.next_raw() {
        match token.kind {
            Kind::LineComment => {
                let text = token.text(src);
                let body = text.strip_prefix("--").or_else(|| text.strip_prefix('#'));
                let Some((name, args)) = body.and_then(directive) else {
                    continue;
                };
                match (name, args) {
                    ("import", Some(target)) => found.imports.push(Import {
                        target: target.to_string(),
                        line: token.line,
                    }),
                    ("delimiter", Some(delim)) => found.delimiter = Some(unescape(delim)),
                    _ => {}
                }
            }
            Kind::BlockComment => {}
            _ => break,
        }
    }
    found
}

/// Splits a comment's text into a directive name and its arguments, following Atlas's
/// `^([ -~]*)atlas:(\w+)(?: +(.+))*`.
pub(crate) fn directive(comment: &str) -> Option<(&str, Option<&str>)> {
    let at = comment.find("atlas:")?;
    if !comment[..at].bytes().all(|b| (b' '..=b'~').contains(&b)) {
        return None;
    }
    let rest = &comment[at + "atlas:".len()..];
    let name_len = rest
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count();
    if name_len == 0 {
        return None;
    }
    let (name, after) = rest.split_at(name_len);
    let args = after
        .strip_prefix(' ')
        .map(str::trim)
        .filter(|a| !a.is_empty());
    Some((name, args))
}

/// Undoes the escapes Atlas allows in a delimiter: `\n`, `\r` and `\t`.
fn unescape(delim: &str) -> String {
    delim
        .replace("\\n", "\n")
        .replace("\\r", "\r")
        .replace("\\t", "\t")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_imports_and_delimiter() {
        let src = "-- atlas:delimiter \\n\\n\n/* licence */\n-- atlas:import a.sql\n-- note\n\nSELECT 1;\n-- atlas:import late.sql\n";
        let h = header(src, DialectKind::Postgres);
        assert_eq!(h.delimiter.as_deref(), Some("\n\n"));
        assert_eq!(
            h.imports,
            vec![Import {
                target: "a.sql".into(),
                line: 3
            }]
        );
    }

    #[test]
    fn directive_syntax() {
        assert_eq!(
            directive(" atlas:import  x/ "),
            Some(("import", Some("x/")))
        );
        assert_eq!(directive("atlas:txmode"), Some(("txmode", None)));
        assert_eq!(directive(" see atlas:"), None);
        assert_eq!(directive(" é atlas:import x"), None);
    }

    #[test]
    fn hash_comments_in_mysql() {
        let h = header("# atlas:import base.sql\nSELECT 1", DialectKind::Mysql);
        assert_eq!(h.imports.len(), 1);
    }
}
