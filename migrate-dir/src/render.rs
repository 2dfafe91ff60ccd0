//! Rendering generated migration files in Atlas's layout.

use crate::directive::{escape_delimiter, render_directive};

/// A generated change: an optional comment and the statement without its delimiter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// A description such as `create "users" table`; rendered with its first letter upper-cased.
    pub comment: Option<String>,
    /// The SQL statement, without the trailing delimiter.
    pub statement: String,
}

impl Change {
    /// A change with a comment.
    pub fn new(comment: impl Into<String>, statement: impl Into<String>) -> Change {
        Change {
            comment: Some(comment.into()),
            statement: statement.into(),
        }
    }
}

/// What to write at the top of a generated file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RenderOptions {
    /// A custom delimiter: written as the `-- atlas:delimiter` first line and after each
    /// statement instead of `;`.
    pub delimiter: Option<String>,
    /// Further directives as `(name, args)`, e.g. `("txmode", "none")`.
    pub directives: Vec<(String, String)>,
}

/// Renders a migration file: the directives (a blank line after them), then for each change
/// `-- <Comment>` and `<statement>;`, like Atlas's default formatter:
///
/// ```
/// use mercator_migrate_dir::{Change, RenderOptions, render_file};
///
/// let text = render_file(
///     &RenderOptions::default(),
///     &[Change::new(r#"create "users" table"#, "CREATE TABLE users (id int)")],
/// );
/// assert_eq!(text, "-- Create \"users\" table\nCREATE TABLE users (id int);\n");
/// ```
pub fn render_file(options: &RenderOptions, changes: &[Change]) -> String {
    let mut out = String::new();
    let mut header = Vec::new();
    if let Some(d) = &options.delimiter {
        header.push(render_directive("delimiter", &escape_delimiter(d)));
    }
    for (name, args) in &options.directives {
        header.push(render_directive(name, args));
    }
    if !header.is_empty() {
        out.push_str(&header.join("\n"));
        out.push_str("\n\n");
    }
    let delim = options.delimiter.as_deref().unwrap_or(";");
    for change in changes {
        if let Some(comment) = change.comment.as_deref().filter(|c| !c.is_empty()) {
            out.push_str("-- ");
            out.push_str(&upper_first(comment));
            out.push('\n');
        }
        out.push_str(&change.statement);
        out.push_str(delim);
        out.push('\n');
    }
    out
}

fn upper_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ScannerOptions, TxMode, file_directives, scan::scan_with};

    #[test]
    fn directives_and_custom_delimiter_round_trip() {
        let opts = RenderOptions {
            delimiter: Some("\n\n".into()),
            directives: vec![("txmode".into(), "none".into())],
        };
        let text = render_file(
            &opts,
            &[
                Change::new("add index", "CREATE INDEX CONCURRENTLY i ON t(a)"),
                Change {
                    comment: None,
                    statement: "SELECT 1".into(),
                },
            ],
        );
        assert!(
            text.starts_with("-- atlas:delimiter \\n\\n\n-- atlas:txmode none\n\n-- Add index\n")
        );
        let d = file_directives(text.as_bytes()).expect("valid");
        assert_eq!(d.txmode, Some(TxMode::None));
        assert_eq!(d.delimiter.as_deref(), Some("\n\n"));
        let stmts = scan_with(&text, ScannerOptions::default()).expect("scans");
        let texts: Vec<_> = stmts.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, ["CREATE INDEX CONCURRENTLY i ON t(a)", "SELECT 1"]);
    }
}
