//! One finding and its severity.

use serde::{Deserialize, Serialize};

use crate::changeset::Position;
use crate::preflight::Preflight;
use crate::sizes::{LockRisk, TableSize};

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth a look.
    Warning,
    /// Fails the run unless overridden.
    Error,
}

/// A table a diagnostic is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TableRef {
    /// Schema name.
    pub schema: String,
    /// Table name.
    pub name: String,
}

/// One finding.
///
/// Analyzers build diagnostics with [`Diagnostic::new`] and the builder methods; the
/// [`crate::Linter`] then fills in the analyzer name, the configured severity, the file
/// and line, and the table size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Code, e.g. `DS102`.
    pub code: String,
    /// The analyzer that reported it, e.g. `destructive`.
    pub analyzer: String,
    /// Severity.
    pub severity: Severity,
    /// Human message.
    pub message: String,
    /// What it points at.
    pub position: Position,
    /// Path of the file (`dir/name`), when the change set has files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// 1-based line of the statement, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// A suggested fix, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// The table it is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<TableRef>,
    /// Whether the change locks, rewrites or scans its table (so its size matters).
    #[serde(default)]
    pub locking: bool,
    /// The table's estimated size, when the linter was given one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<TableSize>,
    /// Lock-risk grade from the size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock_risk: Option<LockRisk>,
    /// A read-only query that proves existing data fits the change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preflight: Option<Preflight>,
}

impl Diagnostic {
    /// A warning with `code` and `message` at `position`; the linter sets the analyzer
    /// name and the configured severity.
    pub fn new(code: impl Into<String>, position: Position, message: impl Into<String>) -> Self {
        Diagnostic {
            code: code.into(),
            analyzer: String::new(),
            severity: Severity::Warning,
            message: message.into(),
            position,
            file: None,
            line: None,
            fix: None,
            table: None,
            locking: false,
            size: None,
            lock_risk: None,
            preflight: None,
        }
    }

    /// Builder-style: a suggested fix.
    pub fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }

    /// Builder-style: the table it is about.
    pub fn table(mut self, schema: &str, name: &str) -> Self {
        self.table = Some(TableRef {
            schema: schema.to_owned(),
            name: name.to_owned(),
        });
        self
    }

    /// Builder-style: the change locks, rewrites or scans its table.
    pub fn locking(mut self) -> Self {
        self.locking = true;
        self
    }

    /// Builder-style: a pre-flight data check.
    pub fn preflight(mut self, preflight: Option<Preflight>) -> Self {
        self.preflight = preflight;
        self
    }

    /// The link to the code's documentation, for the codes Atlas documents (Mercator's
    /// own MC/SL codes and custom codes have none).
    pub fn docs_url(&self) -> Option<String> {
        const ATLAS: [&str; 8] = ["DS", "MF", "CD", "BC", "PG", "MY", "LT", "NM"];
        ATLAS
            .iter()
            .any(|p| self.code.starts_with(p))
            .then(|| format!("https://atlasgo.io/lint/analyzers#{}", self.code))
    }
}
