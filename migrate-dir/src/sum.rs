//! `atlas.sum`: the integrity file that pins every migration file's bytes and their order.
//!
//! One running SHA-256 is fed, file by file in name order, the file name and (unless the file
//! starts with `atlas:sum ignore`) its raw bytes; each file's entry is the digest so far, so
//! editing file *k* changes entries *k..n*. The first line holds the digest of all
//! `name + entry` pairs.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

use crate::directive::is_sum_ignored;

/// The name of the sum file inside a migration directory.
pub const SUM_FILE_NAME: &str = "atlas.sum";

/// The command that rewrites `atlas.sum` after an intended change.
pub const HASH_COMMAND: &str = "mercator migrate hash";

/// One `<name> h1:<hash>` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SumEntry {
    /// The migration file name.
    pub name: String,
    /// base64 of the running digest after this file, without `h1:`: the value of the
    /// `hash` column of `atlas_schema_revisions`.
    pub hash: String,
}

/// The parsed or computed content of `atlas.sum`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SumFile {
    /// One entry per hashed file, in file order.
    pub entries: Vec<SumEntry>,
}

impl SumFile {
    /// Computes the sum of `(name, bytes)` pairs, which must already be in file order.
    pub fn compute<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> SumFile {
        let mut running = Sha256::new();
        let mut entries = Vec::new();
        for (name, bytes) in files {
            running.update(name.as_bytes());
            if is_sum_ignored(bytes) {
                continue;
            }
            running.update(bytes);
            entries.push(SumEntry {
                name: name.to_owned(),
                hash: STANDARD.encode(running.clone().finalize()),
            });
        }
        SumFile { entries }
    }

    /// The total on the first line, base64 without `h1:`.
    pub fn total(&self) -> String {
        let mut h = Sha256::new();
        for e in &self.entries {
            h.update(e.name.as_bytes());
            h.update(e.hash.as_bytes());
        }
        STANDARD.encode(h.finalize())
    }

    /// The entry hash of `name`, if the file is hashed.
    pub fn hash_of(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.hash.as_str())
    }

    /// Renders the file text, byte for byte as Atlas writes it.
    pub fn render(&self) -> String {
        let mut out = format!("h1:{}\n", self.total());
        for e in &self.entries {
            out.push_str(&e.name);
            out.push_str(" h1:");
            out.push_str(&e.hash);
            out.push('\n');
        }
        out
    }

    /// Parses `atlas.sum` text as Atlas does: lines split on `\n` with a trailing `\r` removed,
    /// each entry line split on its first `h1:` with the name trimmed, and the first line checked
    /// against the entries (a hand-edited sum file is rejected).
    pub fn parse(text: &[u8]) -> Result<SumFile, SumError> {
        let mut lines = split_lines(text);
        let header = lines.next().unwrap_or_default();
        let recorded = header.strip_prefix(b"h1:").unwrap_or(header);
        let mut entries = Vec::new();
        for (i, line) in lines.enumerate() {
            let Some(at) = find(line, b"h1:") else {
                return Err(SumError::Format {
                    line: i + 2,
                    message: "expected `<file> h1:<hash>`".to_owned(),
                });
            };
            let name =
                std::str::from_utf8(line[..at].trim_ascii()).map_err(|_| SumError::Format {
                    line: i + 2,
                    message: "file name is not valid UTF-8".to_owned(),
                })?;
            let hash = String::from_utf8_lossy(&line[at + 3..]).into_owned();
            entries.push(SumEntry {
                name: name.to_owned(),
                hash,
            });
        }
        let sum = SumFile { entries };
        if recorded != sum.total().as_bytes() {
            return Err(SumError::TotalMismatch);
        }
        Ok(sum)
    }

    /// Checks a recorded sum file (`None` when there is none) against the sum computed from the
    /// directory, the way Atlas's `Validate` does: no sum file is fine only for a directory
    /// without files; a mismatch names the first differing line.
    pub fn verify(
        computed: &SumFile,
        recorded: Option<&[u8]>,
        file_count: usize,
    ) -> Result<(), SumError> {
        let Some(recorded) = recorded else {
            return if file_count == 0 {
                Ok(())
            } else {
                Err(SumError::NotFound)
            };
        };
        let recorded = SumFile::parse(recorded)?;
        if recorded.total() == computed.total() {
            return Ok(());
        }
        Err(recorded.mismatch_against(computed))
    }

    /// Locates the first difference between this (recorded) sum and the computed one.
    fn mismatch_against(&self, computed: &SumFile) -> SumError {
        for (i, rec) in self.entries.iter().enumerate() {
            if computed.entries.get(i) == Some(rec) {
                continue;
            }
            let line = i + 2;
            let (file, reason) = match computed.entries.iter().position(|e| e.name == rec.name) {
                None => (rec.name.clone(), Reason::Removed),
                Some(idx) if idx == i => (rec.name.clone(), Reason::Edited),
                // The recorded file moved down: another file was added before it.
                Some(_) => match computed.entries.get(i) {
                    Some(e) => (e.name.clone(), Reason::Added),
                    None => (rec.name.clone(), Reason::Edited),
                },
            };
            return SumError::Mismatch { line, file, reason };
        }
        // Every recorded entry is intact, so the computed sum has more files.
        let n = self.entries.len();
        match computed.entries.get(n) {
            Some(e) => SumError::Mismatch {
                line: n + 2,
                file: e.name.clone(),
                reason: Reason::Added,
            },
            // Unreachable with identical entries (identical totals); report the total then.
            None => SumError::TotalMismatch,
        }
    }
}

/// Why a file no longer matches `atlas.sum`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// A file is in the directory but not in `atlas.sum` at this place.
    Added,
    /// The file's bytes changed.
    Edited,
    /// A file in `atlas.sum` is gone.
    Removed,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Reason::Added => "added",
            Reason::Edited => "edited",
            Reason::Removed => "removed",
        })
    }
}

/// `atlas.sum` is missing, malformed or does not match the directory.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SumError {
    /// Migration files exist but there is no `atlas.sum`.
    #[error(
        "checksum file not found: {SUM_FILE_NAME} is missing; run `{HASH_COMMAND}` to create it"
    )]
    NotFound,
    /// A line of `atlas.sum` is not `<file> h1:<hash>`.
    #[error("checksum file format invalid: {SUM_FILE_NAME}:{line}: {message}")]
    Format {
        /// 1-based line in `atlas.sum`.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The first line does not match the entries: the sum file was edited by hand.
    #[error(
        "checksum mismatch: {SUM_FILE_NAME}:1: the total does not match the entries (edited by hand?); run `{HASH_COMMAND}` to recompute it"
    )]
    TotalMismatch,
    /// A migration file was added, edited or removed since `atlas.sum` was written.
    #[error(
        "checksum mismatch: {SUM_FILE_NAME}:{line}: file {file} was {reason}; if this was intended, run `{HASH_COMMAND}` to update {SUM_FILE_NAME}"
    )]
    Mismatch {
        /// 1-based line in `atlas.sum` where the difference starts.
        line: usize,
        /// The file that differs.
        file: String,
        /// What happened to it.
        reason: Reason,
    },
}

/// Lines as Go's `bufio.ScanLines` yields them: split on `\n`, a trailing `\r` dropped, no
/// empty last line after a final newline.
fn split_lines(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    let body = text.strip_suffix(b"\n").unwrap_or(text);
    let mut parts = if text.is_empty() {
        None
    } else {
        Some(body.split(|&b| b == b'\n'))
    };
    std::iter::from_fn(move || {
        let line = parts.as_mut()?.next()?;
        Some(line.strip_suffix(b"\r").unwrap_or(line))
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_directory_sum_matches_atlas() {
        assert_eq!(
            SumFile::default().render(),
            "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
        );
    }

    #[test]
    fn parse_round_trips_and_tolerates_crlf() {
        let sum = SumFile::compute([
            ("1_a.sql", &b"SELECT 1;\n"[..]),
            ("2_b.sql", b"SELECT 2;\n"),
        ]);
        let text = sum.render();
        assert_eq!(SumFile::parse(text.as_bytes()), Ok(sum.clone()));
        let crlf = text.replace('\n', "\r\n");
        assert_eq!(SumFile::parse(crlf.as_bytes()), Ok(sum));
    }

    #[test]
    fn sum_ignore_files_feed_only_their_name() {
        let ignored = SumFile::compute([
            ("1.sql", &b"-- atlas:sum ignore\nSELECT 1;"[..]),
            ("2.sql", b"x"),
        ]);
        assert_eq!(ignored.entries.len(), 1);
        let changed = SumFile::compute([
            ("1.sql", &b"-- atlas:sum ignore\nSELECT 2;"[..]),
            ("2.sql", b"x"),
        ]);
        assert_eq!(ignored, changed, "the ignored file's bytes are not hashed");
        let renamed = SumFile::compute([
            ("0.sql", &b"-- atlas:sum ignore\nSELECT 1;"[..]),
            ("2.sql", b"x"),
        ]);
        assert_ne!(ignored, renamed, "its name still is");
    }

    #[test]
    fn malformed_lines_are_located() {
        let text = format!("{}\nno hash here\n", SumFile::default().render().trim_end());
        assert_eq!(
            SumFile::parse(text.as_bytes()),
            Err(SumError::Format {
                line: 2,
                message: "expected `<file> h1:<hash>`".to_owned()
            })
        );
    }
}
