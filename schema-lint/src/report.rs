//! Diagnostics and their reports.

use std::fmt::Write;

use serde::Serialize;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth a look.
    Warning,
    /// Fails the run unless overridden.
    Error,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Atlas-compatible code, e.g. `DS102`.
    pub code: &'static str,
    /// The analyzer that reported it, e.g. `destructive`.
    pub analyzer: &'static str,
    /// Severity.
    pub severity: Severity,
    /// Human message.
    pub message: String,
    /// Index of the change it is about.
    pub change: usize,
}

/// All findings of a lint run.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Report {
    /// Findings, ordered by change.
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }

    /// One line per finding: `DS102: Dropping table "t" (destructive, error)`.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for d in &self.diagnostics {
            let severity = match d.severity {
                Severity::Warning => "warning",
                Severity::Error => "error",
            };
            let _ = writeln!(
                out,
                "{}: {} ({}, {severity})",
                d.code, d.message, d.analyzer
            );
        }
        out
    }

    /// The report as JSON.
    pub fn to_json(&self) -> String {
        // Plain data with string keys: serialization cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}
