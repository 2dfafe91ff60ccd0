//! `-- atlas:txtar` migration files: a txtar archive holding pre-migration checks and the
//! migration itself (an Atlas Pro feature; the layout below is our design after Atlas's docs).
//!
//! ```text
//! -- atlas:txtar
//!
//! -- checks.sql --
//! -- The users table must be empty.
//! SELECT NOT EXISTS (SELECT 1 FROM users);
//!
//! -- migration.sql --
//! DROP TABLE users;
//! ```
//!
//! A line `-- NAME --` starts a section (txtar's rule). Sections: `checks.sql` and/or
//! `checks/<n>.sql` (any number, run in archive order) and exactly one `migration.sql`. Each
//! check is a query expected to return a single true value; the comment directly above it is the
//! message reported when it does not.

use schema_model::DialectKind;

use crate::scan::{ScanError, Statement, scan};

/// A query that must hold before a file's statements run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreMigrationCheck {
    /// The check statement (trailing `;` included).
    pub sql: String,
    /// The failure message: the comment above the check without its markers, or
    /// `"pre-migration check failed"` when it has none.
    pub message: String,
    /// 1-based line of the check in the migration file.
    pub line: usize,
    /// The archive section it came from (`checks.sql`, `checks/1.sql`, …).
    pub section: String,
}

/// The parsed archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Archive {
    pub checks: Vec<PreMigrationCheck>,
    pub migration: Vec<Statement>,
}

/// A malformed archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TxtarError {
    Format { line: usize, message: String },
    Scan(ScanError),
}

struct Section<'a> {
    name: &'a str,
    /// 1-based line of the marker.
    marker_line: usize,
    /// Byte offset of the content in the file.
    offset: usize,
    content: &'a str,
}

/// The section name if `line` is a txtar marker `-- NAME --`.
fn marker(line: &str) -> Option<&str> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    let inner = line.strip_prefix("-- ")?.strip_suffix(" --")?;
    let name = inner.trim();
    (!name.is_empty()).then_some(name)
}

fn sections(text: &str) -> Vec<Section<'_>> {
    let mut out: Vec<Section<'_>> = Vec::new();
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if let Some(name) = marker(line.trim_end_matches('\n')) {
            if let Some(last) = out.last_mut() {
                last.content = &text[last.offset..offset];
            }
            out.push(Section {
                name,
                marker_line: i + 1,
                offset: offset + line.len(),
                content: "",
            });
        }
        offset += line.len();
    }
    if let Some(last) = out.last_mut() {
        last.content = &text[last.offset.min(text.len())..];
    }
    out
}

/// Scans a section and moves positions from section-relative to file-relative.
fn scan_section(
    text: &str,
    section: &Section<'_>,
    dialect: DialectKind,
) -> Result<Vec<Statement>, TxtarError> {
    let line_shift = text[..section.offset].matches('\n').count();
    let stmts = scan(section.content, dialect).map_err(|mut e| {
        e.line += line_shift;
        TxtarError::Scan(e)
    })?;
    Ok(stmts
        .into_iter()
        .map(|mut s| {
            s.pos += section.offset;
            s.line += line_shift;
            for l in &mut s.comment_lines {
                *l += line_shift;
            }
            s
        })
        .collect())
}

/// Strips comment markers and joins the comment lines into one message.
fn comment_message(comments: &[String]) -> Option<String> {
    let mut lines = Vec::new();
    for c in comments {
        let body = c.trim();
        let body = if let Some(b) = body.strip_prefix("/*") {
            b.strip_suffix("*/").unwrap_or(b)
        } else if let Some(b) = body.strip_prefix("--") {
            b
        } else {
            body.strip_prefix('#').unwrap_or(body)
        };
        lines.extend(body.lines().map(str::trim).filter(|l| !l.is_empty()));
    }
    (!lines.is_empty()).then(|| lines.join("\n"))
}

pub(crate) fn parse_txtar(text: &str, dialect: DialectKind) -> Result<Archive, TxtarError> {
    let mut checks = Vec::new();
    let mut migration: Option<Vec<Statement>> = None;
    for section in sections(text) {
        let is_check = section.name == "checks.sql"
            || section
                .name
                .strip_prefix("checks/")
                .is_some_and(|n| n.ends_with(".sql") && n.len() > ".sql".len());
        if is_check {
            for stmt in scan_section(text, &section, dialect)? {
                checks.push(PreMigrationCheck {
                    message: comment_message(&stmt.comments)
                        .unwrap_or_else(|| "pre-migration check failed".to_owned()),
                    sql: stmt.text,
                    line: stmt.line,
                    section: section.name.to_owned(),
                });
            }
        } else if section.name == "migration.sql" {
            if migration.is_some() {
                return Err(format_error(
                    section.marker_line,
                    "a second -- migration.sql -- section",
                ));
            }
            migration = Some(scan_section(text, &section, dialect)?);
        } else {
            return Err(format_error(
                section.marker_line,
                &format!(
                    "unknown txtar section {:?}: expected checks.sql, checks/<n>.sql or migration.sql",
                    section.name
                ),
            ));
        }
    }
    let migration = migration
        .ok_or_else(|| format_error(1, "atlas:txtar file without a -- migration.sql -- section"))?;
    Ok(Archive { checks, migration })
}

fn format_error(line: usize, message: &str) -> TxtarError {
    TxtarError::Format {
        line,
        message: message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "-- atlas:txtar\n\n-- checks.sql --\n-- The users table must be empty.\nSELECT NOT EXISTS (SELECT 1 FROM users);\n\n-- checks/2.sql --\nSELECT true;\n\n-- migration.sql --\n-- drop it\nDROP TABLE users;\nSELECT 1;\n";

    #[test]
    fn checks_and_migration_with_file_lines() {
        let a = parse_txtar(FILE, DialectKind::Postgres).expect("parses");
        assert_eq!(a.checks.len(), 2);
        assert_eq!(a.checks[0].message, "The users table must be empty.");
        assert_eq!(a.checks[0].sql, "SELECT NOT EXISTS (SELECT 1 FROM users);");
        assert_eq!(a.checks[0].line, 5);
        assert_eq!(a.checks[1].message, "pre-migration check failed");
        assert_eq!(a.checks[1].section, "checks/2.sql");
        let texts: Vec<_> = a
            .migration
            .iter()
            .map(|s| (s.line, s.text.as_str()))
            .collect();
        assert_eq!(texts, [(12, "DROP TABLE users;"), (13, "SELECT 1;")]);
        assert_eq!(&FILE[a.migration[0].pos..a.migration[0].pos + 4], "DROP");
    }

    #[test]
    fn bad_archives_are_located() {
        let err = parse_txtar(
            "-- atlas:txtar\n\n-- other.sql --\nSELECT 1;\n",
            DialectKind::Sqlite,
        );
        assert!(
            matches!(err, Err(TxtarError::Format { line: 3, .. })),
            "{err:?}"
        );
        let err = parse_txtar(
            "-- atlas:txtar\n\n-- checks.sql --\nSELECT 1;\n",
            DialectKind::Sqlite,
        );
        assert!(
            matches!(err, Err(TxtarError::Format { line: 1, .. })),
            "{err:?}"
        );
        let err = parse_txtar(
            "-- atlas:txtar\n\n-- migration.sql --\nSELECT 1;\n-- migration.sql --\n",
            DialectKind::Sqlite,
        );
        assert!(
            matches!(err, Err(TxtarError::Format { line: 5, .. })),
            "{err:?}"
        );
        let err = parse_txtar(
            "-- atlas:txtar\n\n-- migration.sql --\nSELECT 'x;\n",
            DialectKind::Sqlite,
        );
        assert!(
            matches!(err, Err(TxtarError::Scan(ScanError { line: 4, .. }))),
            "{err:?}"
        );
    }
}
