//! One migration file: its name, version, description and raw bytes, and the parsed view the
//! executor runs (directives, statements, pre-migration checks, partial hashes).

use std::time::SystemTime;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use schema_model::DialectKind;
use sha2::{Digest, Sha256};

use crate::directive::{DirectiveError, FileDirectives, file_directives};
use crate::scan::{ScanError, Statement, scan};
use crate::txtar::{PreMigrationCheck, TxtarError, parse_txtar};

/// A migration file: a name such as `20240101120000_add_users.sql` and its raw bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationFile {
    name: String,
    bytes: Vec<u8>,
}

impl MigrationFile {
    /// A file from its name and bytes.
    pub fn new(name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> MigrationFile {
        MigrationFile {
            name: name.into(),
            bytes: bytes.into(),
        }
    }

    /// The file name, e.g. `1_init.sql`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The raw bytes (what `atlas.sum` hashes).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The version: the name without `.sql`, up to the first `_` (`1_init.sql` → `1`).
    /// Versions compare as strings.
    pub fn version(&self) -> &str {
        split_name(&self.name).0
    }

    /// The description: the rest after the first `_` without `.sql` (`1_init.sql` → `init`),
    /// empty when there is no `_`.
    pub fn description(&self) -> &str {
        split_name(&self.name).1
    }

    /// The file's text; migration files must be UTF-8 to be split into statements.
    pub fn text(&self) -> Result<&str, FileError> {
        std::str::from_utf8(&self.bytes).map_err(|e| FileError {
            file: self.name.clone(),
            line: line_of(&self.bytes, e.valid_up_to()),
            column: None,
            kind: FileErrorKind::NotUtf8,
        })
    }

    /// The typed file-level directives.
    pub fn directives(&self) -> Result<FileDirectives, FileError> {
        file_directives(&self.bytes).map_err(|e| FileError::directive(&self.name, e))
    }

    /// Parses the file for `dialect`: directives, statements (the `migration.sql` section for an
    /// `atlas:txtar` file) and pre-migration checks.
    pub fn parse(&self, dialect: DialectKind) -> Result<ParsedFile, FileError> {
        let directives = self.directives()?;
        let text = self.text()?;
        if directives.txtar {
            let archive = parse_txtar(text, dialect).map_err(|e| match e {
                TxtarError::Scan(e) => FileError::scan(&self.name, e),
                TxtarError::Format { line, message } => FileError {
                    file: self.name.clone(),
                    line,
                    column: None,
                    kind: FileErrorKind::Txtar(message),
                },
            })?;
            return Ok(ParsedFile {
                directives,
                statements: archive.migration,
                checks: archive.checks,
            });
        }
        let statements = scan(text, dialect).map_err(|e| FileError::scan(&self.name, e))?;
        Ok(ParsedFile {
            directives,
            statements,
            checks: Vec::new(),
        })
    }
}

fn split_name(name: &str) -> (&str, &str) {
    let stem = name.strip_suffix(".sql").unwrap_or(name);
    match stem.split_once('_') {
        Some((v, d)) => (v, d),
        None => (stem, ""),
    }
}

fn line_of(bytes: &[u8], at: usize) -> usize {
    1 + bytes[..at.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

/// A migration file read for execution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedFile {
    /// File-level directives.
    pub directives: FileDirectives,
    /// The statements to execute, in order.
    pub statements: Vec<Statement>,
    /// Pre-migration checks (`atlas:txtar` files only), to run before the statements.
    pub checks: Vec<PreMigrationCheck>,
}

impl ParsedFile {
    /// `partial_hashes[i]` = `"h1:" + base64(SHA-256 over statement texts 0..=i)`, the value the
    /// executor stores after each applied statement and compares when resuming.
    pub fn partial_hashes(&self) -> Vec<String> {
        partial_hashes(self.statements.iter().map(|s| s.text.as_str()))
    }

    /// Whether this is a checkpoint file.
    pub fn is_checkpoint(&self) -> bool {
        self.directives.checkpoint.is_some()
    }
}

/// Running statement hashes, each `h1:`-prefixed (see [`ParsedFile::partial_hashes`]).
pub fn partial_hashes<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut running = Sha256::new();
    texts
        .into_iter()
        .map(|t| {
            running.update(t.as_bytes());
            format!("h1:{}", STANDARD.encode(running.clone().finalize()))
        })
        .collect()
}

/// A migration file that cannot be read for execution.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}{}: {kind}", column.map(|c| format!(":{c}")).unwrap_or_default())]
pub struct FileError {
    /// The file name.
    pub file: String,
    /// 1-based line of the problem.
    pub line: usize,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// What is wrong.
    pub kind: FileErrorKind,
}

impl FileError {
    fn scan(file: &str, e: ScanError) -> FileError {
        FileError {
            file: file.to_owned(),
            line: e.line,
            column: Some(e.column),
            kind: FileErrorKind::Scan(e.message),
        }
    }

    fn directive(file: &str, e: DirectiveError) -> FileError {
        FileError {
            file: file.to_owned(),
            line: e.line,
            column: None,
            kind: FileErrorKind::Directive(e.message),
        }
    }
}

/// The kinds of [`FileError`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileErrorKind {
    /// The bytes are not UTF-8 (the line is where decoding failed).
    #[error("not valid UTF-8")]
    NotUtf8,
    /// A bad or contradictory directive.
    #[error("{0}")]
    Directive(String),
    /// The statements cannot be split.
    #[error("{0}")]
    Scan(String),
    /// A malformed `atlas:txtar` archive.
    #[error("{0}")]
    Txtar(String),
}

/// A new migration version: the UTC time as `yyyyMMddHHmmss`.
pub fn new_version() -> String {
    version_at(SystemTime::now())
}

/// The version for time `at` (`yyyyMMddHHmmss`, UTC); times before 1970 give the epoch.
pub fn version_at(at: SystemTime) -> String {
    let secs = at
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let t = i64::try_from(secs)
        .ok()
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// The file name for a new migration: `<version>_<name>.sql`, or `<version>.sql` for an empty
/// name.
pub fn file_name(version: &str, name: &str) -> String {
    if name.is_empty() {
        format!("{version}.sql")
    } else {
        format!("{version}_{name}.sql")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn version_and_description() {
        let f = MigrationFile::new("20220318104614_initial.sql", "");
        assert_eq!(
            (f.version(), f.description()),
            ("20220318104614", "initial")
        );
        let f = MigrationFile::new("2.10.x-20_description.sql", "");
        assert_eq!((f.version(), f.description()), ("2.10.x-20", "description"));
        let f = MigrationFile::new("1.sql", "");
        assert_eq!((f.version(), f.description()), ("1", ""));
        let f = MigrationFile::new("1_a_b.sql", "");
        assert_eq!((f.version(), f.description()), ("1", "a_b"));
    }

    #[test]
    fn versions_are_utc_timestamps() {
        // 2022-03-18T10:46:14Z
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_647_600_374);
        assert_eq!(version_at(at), "20220318104614");
        assert_eq!(
            file_name(&version_at(at), "initial"),
            "20220318104614_initial.sql"
        );
        assert_eq!(new_version().len(), 14);
    }

    #[test]
    fn partial_hashes_run_over_statements() {
        let one = partial_hashes(["A;"]);
        let two = partial_hashes(["A;", "B;"]);
        assert_eq!(one[0], two[0]);
        assert_eq!(partial_hashes(["A;B;"])[0], two[1], "one running digest");
        assert!(two[1].starts_with("h1:") && two[1].len() == 47);
    }

    #[test]
    fn non_utf8_is_located() {
        let f = MigrationFile::new("1.sql", b"SELECT 1;\nSELECT '\xff';".to_vec());
        let err = f.parse(DialectKind::Sqlite).unwrap_err();
        assert_eq!((err.line, &err.kind), (2, &FileErrorKind::NotUtf8));
        assert_eq!(err.to_string(), "1.sql:2: not valid UTF-8");
    }
}
