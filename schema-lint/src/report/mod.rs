//! The result of a lint run and its renderings: Atlas's text layout ([`Report::to_text`]),
//! JSON ([`Report::to_json`]), GitHub Actions annotations ([`Report::to_github`]) and
//! SARIF 2.1.0 ([`Report::to_sarif`]).

mod github;
mod sarif;
mod text;

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::{Diagnostic, Severity};

pub use text::format_duration;

/// One analyzed file, as reports list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileSummary {
    /// File name (empty for a declarative plan).
    pub name: String,
    /// `dir/name`, when the file has a name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Version.
    pub version: String,
    /// Number of schema changes.
    pub changes: usize,
    /// How long analysing it took (set by the caller that replayed it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<Duration>,
}

/// All findings of a lint run.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Report {
    /// The version before the first analyzed file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_version: Option<String>,
    /// The analyzed files.
    #[serde(default)]
    pub files: Vec<FileSummary>,
    /// Findings, ordered by position.
    pub diagnostics: Vec<Diagnostic>,
    /// Findings silenced by `nolint`.
    #[serde(default)]
    pub suppressed: usize,
    /// Report headings of the analyzers that ran, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub titles: BTreeMap<String, String>,
}

impl Report {
    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }

    /// Findings about file `file` (index in [`Report::files`]).
    pub fn diagnostics_of(&self, file: usize) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(move |d| d.position.file == file)
    }

    /// Records how long analysing file `file` took (shown in the text report).
    pub fn set_duration(&mut self, file: usize, duration: Duration) {
        if let Some(f) = self.files.get_mut(file) {
            f.duration = Some(duration);
        }
    }

    /// The report as pretty JSON.
    pub fn to_json(&self) -> String {
        // Plain data with string keys: serialization cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}
