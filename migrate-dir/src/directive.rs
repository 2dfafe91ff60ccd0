//! `atlas:` directives: the comment lines that steer how a migration file is hashed, split and run.
//!
//! Atlas recognises a directive anywhere a comment line matches `^([ -~]*)atlas:(\w+)(?: +(.+))*`:
//! printable ASCII before `atlas:`, a word for the name and the rest of the line as arguments.
//! File directives are the leading comment lines of a file, and only count when a blank line
//! separates them from the first statement (or the file holds nothing but comments); comments
//! directly above a statement belong to that statement instead (see [`crate::Statement::nolint`]).

use std::fmt;
use std::sync::LazyLock;

use regex::bytes::Regex;

/// Atlas's directive pattern, byte-oriented (`-u`) so that `.` and `\w` behave like Go's RE2 on
/// raw file bytes: a trailing `\r` is part of the arguments, exactly as in Atlas.
static DIRECTIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u)^([ -~]*)atlas:(\w+)(?: +(.+))*").expect("the directive pattern is valid")
});

/// One `atlas:<name> <args>` directive found on a comment line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// The text before `atlas:` (`"-- "`, `"--"`, `"#"`, `"/*"`).
    pub prefix: String,
    /// The directive name, e.g. `txmode`.
    pub name: String,
    /// Everything after the name and its separating spaces; empty when there is none.
    pub args: String,
    /// 1-based line of the directive in its file.
    pub line: usize,
}

impl Directive {
    /// Matches `content` (a comment line, or a whole file: only its first line can match) against
    /// Atlas's directive pattern.
    pub fn parse(content: &[u8], line: usize) -> Option<Directive> {
        let caps = DIRECTIVE.captures(content)?;
        let text = |i: usize| {
            caps.get(i)
                .map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned())
                .unwrap_or_default()
        };
        Some(Directive {
            prefix: text(1),
            name: text(2),
            args: text(3),
            line,
        })
    }
}

/// Whether the file opts out of `atlas.sum` with `atlas:sum ignore` on its first line.
///
/// Atlas tests the raw bytes of the file, so only an exact `ignore` argument counts
/// (`ignore\r` in a CRLF file does not).
pub fn is_sum_ignored(bytes: &[u8]) -> bool {
    Directive::parse(bytes, 1).is_some_and(|d| d.name == "sum" && d.args == "ignore")
}

/// How the statements of a file are grouped into transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TxMode {
    /// No transaction: each statement commits on its own (needed for e.g.
    /// `CREATE INDEX CONCURRENTLY`).
    None,
    /// One transaction per file (Atlas's default).
    #[default]
    File,
    /// One transaction around every pending file. Only valid as a run-wide setting (an
    /// `apply` option), never inside a file: a file cannot widen a transaction that other
    /// files share, so `-- atlas:txmode all` in a file is rejected.
    All,
}

impl TxMode {
    /// Parses a run-wide mode (`none`, `file` or `all`).
    pub fn parse_global(text: &str) -> Option<TxMode> {
        match text {
            "none" => Some(TxMode::None),
            "file" => Some(TxMode::File),
            "all" => Some(TxMode::All),
            _ => None,
        }
    }

    /// The directive spelling: `none`, `file` or `all`.
    pub fn as_str(self) -> &'static str {
        match self {
            TxMode::None => "none",
            TxMode::File => "file",
            TxMode::All => "all",
        }
    }
}

impl fmt::Display for TxMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An `atlas:nolint` directive: which lint checks to skip.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Nolint {
    /// Check codes (`DS103`) and/or analyzer names (`destructive`); empty means every check.
    pub args: Vec<String>,
    /// 1-based line of the directive in its file.
    pub line: usize,
}

impl Nolint {
    pub(crate) fn from_args(args: &str, line: usize) -> Nolint {
        // `/*atlas:nolint DS101 */` leaves a trailing space; arguments are whitespace-separated.
        let args = args.split_whitespace().map(str::to_owned).collect();
        Nolint { args, line }
    }

    /// Whether this directive silences the check `code` of analyzer `analyzer`.
    pub fn skips(&self, code: &str, analyzer: &str) -> bool {
        self.args.is_empty()
            || self
                .args
                .iter()
                .any(|a| a.eq_ignore_ascii_case(code) || a.eq_ignore_ascii_case(analyzer))
    }
}

/// An `atlas:checkpoint [tag]` directive: the file replays the whole schema, so a clean
/// database starts from the last checkpoint instead of the first file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The optional tag after the directive name.
    pub tag: Option<String>,
    /// 1-based line of the directive.
    pub line: usize,
}

/// The typed file-level directives of one migration file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FileDirectives {
    /// `atlas:txmode none|file`; `None` means the run's default applies.
    pub txmode: Option<TxMode>,
    /// `atlas:delimiter X` with `\n`, `\r`, `\t` unescaped. Only valid as the first line
    /// (`-- atlas:delimiter X`), the only place Atlas's scanner reads it.
    pub delimiter: Option<String>,
    /// `atlas:checkpoint [tag]`.
    pub checkpoint: Option<Checkpoint>,
    /// File-level `atlas:nolint` directives (bare = skip the whole file).
    pub nolint: Vec<Nolint>,
    /// `atlas:sum ignore` on the first line: the file is left out of `atlas.sum`.
    pub sum_ignore: bool,
    /// `atlas:txtar`: the file is an archive with pre-migration checks.
    pub txtar: bool,
    /// Every directive of the header, including ones this crate does not interpret
    /// (e.g. `atlas:import`), in file order.
    pub all: Vec<Directive>,
}

/// A directive that is malformed or contradicts another.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct DirectiveError {
    /// 1-based line of the offending directive.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Unescapes `\n`, `\r` and `\t` in a delimiter, as Atlas does.
pub fn unescape_delimiter(text: &str) -> String {
    text.replace(r"\n", "\n")
        .replace(r"\r", "\r")
        .replace(r"\t", "\t")
}

/// Escapes newlines, carriage returns and tabs so a delimiter fits on a directive line.
pub fn escape_delimiter(text: &str) -> String {
    text.replace('\n', r"\n")
        .replace('\r', r"\r")
        .replace('\t', r"\t")
}

/// The header comment lines (1-based line, trimmed text) that count as file directives.
///
/// Mirrors Atlas: leading lines starting with `--` or `#` form the header, which counts only
/// when followed by a blank line or the end of the file. We also accept a `\r\n` blank line, so
/// CRLF files keep their directives (Atlas drops them there).
pub(crate) fn header_lines(bytes: &[u8]) -> Vec<(usize, &[u8])> {
    let mut lines = Vec::new();
    let mut rest = bytes;
    while rest.starts_with(b"#") || rest.starts_with(b"--") {
        match rest.iter().position(|&b| b == b'\n') {
            Some(i) => {
                lines.push((lines.len() + 1, rest[..i].trim_ascii()));
                rest = &rest[i + 1..];
            }
            None => {
                lines.push((lines.len() + 1, rest.trim_ascii()));
                return lines;
            }
        }
    }
    let after = trim_start_spaces_tabs(rest);
    if rest.is_empty() || after.starts_with(b"\n") || after.starts_with(b"\r\n") {
        lines
    } else {
        Vec::new()
    }
}

fn trim_start_spaces_tabs(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|&&c| c == b' ' || c == b'\t').count();
    &b[n..]
}

/// Reads the typed file directives of a migration file.
///
/// Errors: an unknown `txmode`, `txmode all` (run-wide only), two `txmode` directives, two
/// `delimiter`s, an empty `delimiter`.
pub fn file_directives(bytes: &[u8]) -> Result<FileDirectives, DirectiveError> {
    let mut out = FileDirectives {
        sum_ignore: is_sum_ignored(bytes),
        ..FileDirectives::default()
    };
    for (line, text) in header_lines(bytes) {
        let Some(d) = Directive::parse(text, line) else {
            continue;
        };
        match d.name.as_str() {
            "txmode" => {
                if out.txmode.is_some() {
                    return Err(err(
                        line,
                        "a second atlas:txmode directive; a file may have one",
                    ));
                }
                out.txmode = Some(match d.args.trim() {
                    "none" => TxMode::None,
                    "file" => TxMode::File,
                    "all" => {
                        return Err(err(
                            line,
                            "atlas:txmode all is only valid for a whole run, not in a file; use none or file",
                        ));
                    }
                    other => {
                        return Err(err(
                            line,
                            &format!("unknown atlas:txmode {other:?}: expected none or file"),
                        ));
                    }
                });
            }
            "delimiter" => {
                if out.delimiter.is_some() {
                    return Err(err(line, "a second atlas:delimiter directive"));
                }
                // Atlas's scanner only reads it from the first line and silently splits on `;`
                // otherwise; rejecting it beats executing the file in the wrong pieces.
                if line != 1 || d.prefix != "-- " {
                    return Err(err(
                        line,
                        "atlas:delimiter must be the file's first line, spelled `-- atlas:delimiter X`",
                    ));
                }
                let delim = unescape_delimiter(d.args.trim_end_matches('\r'));
                if delim.is_empty() {
                    return Err(err(line, "atlas:delimiter needs a delimiter"));
                }
                out.delimiter = Some(delim);
            }
            "checkpoint" => {
                let tag = d.args.trim();
                out.checkpoint = Some(Checkpoint {
                    tag: (!tag.is_empty()).then(|| tag.to_owned()),
                    line,
                });
            }
            "nolint" => out.nolint.push(Nolint::from_args(&d.args, line)),
            "txtar" => out.txtar = true,
            _ => {}
        }
        out.all.push(d);
    }
    Ok(out)
}

fn err(line: usize, message: &str) -> DirectiveError {
    DirectiveError {
        line,
        message: message.to_owned(),
    }
}

/// Renders a directive line, e.g. `-- atlas:txmode none`.
pub fn render_directive(name: &str, args: &str) -> String {
    if args.is_empty() {
        format!("-- atlas:{name}")
    } else {
        format!("-- atlas:{name} {args}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(text: &str) -> (usize, String) {
        let e = file_directives(text.as_bytes()).unwrap_err();
        (e.line, e.message)
    }

    #[test]
    fn header_needs_a_blank_line() {
        let d = file_directives(b"-- atlas:txmode none\n\nSELECT 1;").expect("valid");
        assert_eq!(d.txmode, Some(TxMode::None));
        let d = file_directives(b"-- atlas:txmode none\nSELECT 1;").expect("valid");
        assert_eq!(d.txmode, None, "attached to the statement, not the file");
        let d = file_directives(b"-- atlas:txmode none\r\n\r\nSELECT 1;").expect("valid");
        assert_eq!(
            d.txmode,
            Some(TxMode::None),
            "CRLF files keep their directives"
        );
        let d = file_directives(b"# atlas:checkpoint v1").expect("comments-only file");
        assert_eq!(d.checkpoint.map(|c| c.tag), Some(Some("v1".into())));
    }

    #[test]
    fn txmode_errors_name_the_line() {
        let (line, msg) = message("-- atlas:txmode file\n-- atlas:txmode none\n\nSELECT 1;");
        assert_eq!(line, 2);
        assert!(msg.contains("second atlas:txmode"), "{msg}");
        let (line, msg) = message("-- note\n-- atlas:txmode all\n\n");
        assert_eq!(line, 2);
        assert!(msg.contains("only valid for a whole run"), "{msg}");
        assert_eq!(TxMode::parse_global("all"), Some(TxMode::All));
        assert_eq!(TxMode::parse_global("sometimes"), None);
    }

    #[test]
    fn delimiter_nolint_sum_and_unknown_directives() {
        let text = b"-- atlas:delimiter \\n\\t\n-- atlas:sum ignore\n--atlas:nolint DS103 destructive\n#atlas:nolint\n-- atlas:import other.sql\n\nSELECT 1;";
        let d = file_directives(text).expect("valid");
        assert!(!d.sum_ignore, "only on the first line");
        assert_eq!(d.delimiter.as_deref(), Some("\n\t"));
        assert_eq!(d.nolint.len(), 2);
        assert_eq!(d.nolint[0].args, ["DS103", "destructive"]);
        assert!(d.nolint[1].skips("MF101", "data_depend"));
        assert_eq!(
            d.all
                .last()
                .map(|d| (d.name.as_str(), d.args.as_str(), d.line)),
            Some(("import", "other.sql", 5))
        );
        assert_eq!(escape_delimiter("\n\t"), "\\n\\t");
        let (line, msg) = message("-- atlas:txmode none\n-- atlas:delimiter //\n\n");
        assert_eq!(line, 2);
        assert!(msg.contains("first line"), "{msg}");
    }

    #[test]
    fn sum_ignore_is_exact_and_first_line_only() {
        assert!(is_sum_ignored(b"-- atlas:sum ignore\nSELECT 1;"));
        assert!(
            !is_sum_ignored(b"-- atlas:sum ignore\r\nSELECT 1;"),
            "as Atlas: `ignore\\r`"
        );
        assert!(!is_sum_ignored(b"\n-- atlas:sum ignore\n"));
        assert!(!is_sum_ignored(b"-- atlas:sum keep\n"));
    }
}
