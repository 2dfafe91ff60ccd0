//! Lint configuration, shaped like the `lint { … }` block of `atlas.hcl` so a project file
//! deserializes onto it directly:
//!
//! ```hcl
//! lint {
//!   destructive { error = false }
//!   data_depend { error = true }
//!   naming {
//!     match   = "^[a-z_]+$"
//!     message = "must be lower snake case"
//!     index { match = "^idx_" }
//!   }
//!   review = WARNING
//! }
//! ```
//!
//! Keys this crate does not use (`latest`, `git`) are ignored so the whole block can be
//! handed over.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::report::Report;
use crate::sizes::LockThresholds;

/// When a report needs a human's approval before it is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ReviewPolicy {
    /// Approval only when there are errors.
    #[default]
    #[serde(rename = "ERROR", alias = "error")]
    Error,
    /// Approval when there are warnings or errors.
    #[serde(rename = "WARNING", alias = "warning")]
    Warning,
    /// Approval always.
    #[serde(rename = "ALWAYS", alias = "always")]
    Always,
}

impl ReviewPolicy {
    /// Whether `report` may be applied without approval under this policy.
    pub fn allows_without_review(self, report: &Report) -> bool {
        match self {
            ReviewPolicy::Always => false,
            ReviewPolicy::Warning => report.diagnostics.is_empty(),
            ReviewPolicy::Error => !report.has_errors(),
        }
    }
}

/// Settings of one analyzer (`destructive { error = true }`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AnalyzerSettings {
    /// Report findings as errors (`true`) or warnings (`false`); `None` keeps the
    /// analyzer's default.
    pub error: Option<bool>,
    /// Turn the analyzer off with `false` (a Mercator extension).
    pub enabled: Option<bool>,
}

/// A name pattern: a regular expression and the message shown when a name fails it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct NamePattern {
    /// The regular expression names must match.
    #[serde(rename = "match")]
    pub pattern: Option<String>,
    /// Message shown on a mismatch.
    pub message: Option<String>,
}

/// Naming rules (NM101–NM106): a pattern for every kind of object, overridable per kind.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct NamingConfig {
    /// Report mismatches as errors.
    pub error: Option<bool>,
    /// Turn naming checks off with `false`.
    pub enabled: Option<bool>,
    /// Pattern for every kind.
    #[serde(rename = "match")]
    pub pattern: Option<String>,
    /// Message for every kind.
    pub message: Option<String>,
    /// Schemas (NM101).
    pub schema: Option<NamePattern>,
    /// Tables (NM102).
    pub table: Option<NamePattern>,
    /// Columns (NM103).
    pub column: Option<NamePattern>,
    /// Indexes (NM104).
    pub index: Option<NamePattern>,
    /// Foreign keys (NM105).
    pub foreign_key: Option<NamePattern>,
    /// Checks (NM106).
    pub check: Option<NamePattern>,
}

impl NamingConfig {
    /// Whether any pattern is configured.
    pub fn is_configured(&self) -> bool {
        self.pattern.is_some()
            || [
                &self.schema,
                &self.table,
                &self.column,
                &self.index,
                &self.foreign_key,
                &self.check,
            ]
            .iter()
            .any(|p| p.as_ref().is_some_and(|p| p.pattern.is_some()))
    }
}

/// The whole lint configuration.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LintConfig {
    /// `destructive` (DS1xx).
    pub destructive: Option<AnalyzerSettings>,
    /// `data_depend` (MF1xx, MY101, LT101, MC1xx).
    pub data_depend: Option<AnalyzerSettings>,
    /// `incompatible` (BC1xx).
    pub incompatible: Option<AnalyzerSettings>,
    /// `condrop` (CD101).
    pub condrop: Option<AnalyzerSettings>,
    /// `concurrent_index` (PG101–PG103).
    pub concurrent_index: Option<AnalyzerSettings>,
    /// `pg_locks` (PG104, PG105, PG301–PG306).
    pub pg_locks: Option<AnalyzerSettings>,
    /// `mysql` (MY102, MY110–MY123).
    pub mysql: Option<AnalyzerSettings>,
    /// `naming` (NM101–NM106).
    pub naming: Option<NamingConfig>,
    /// Settings of analyzers registered by the application, by name.
    pub analyzers: BTreeMap<String, AnalyzerSettings>,
    /// Review policy.
    pub review: Option<ReviewPolicy>,
    /// Lock-risk grades.
    pub lock_thresholds: Option<LockThresholds>,
    /// Rows returned at most by pre-flight queries (default 10).
    pub sample_limit: Option<usize>,
    /// Diagnostic codes switched off everywhere, as if every statement carried
    /// `-- atlas:nolint CODE` (how `concurrent_index { check_txmode = false }` is honoured).
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub skip_codes: BTreeSet<String>,
}

impl LintConfig {
    /// The settings for analyzer `name`, built-in or registered.
    pub fn settings(&self, name: &str) -> AnalyzerSettings {
        let builtin = match name {
            "destructive" => self.destructive,
            "data_depend" => self.data_depend,
            "incompatible" => self.incompatible,
            "condrop" => self.condrop,
            "concurrent_index" => self.concurrent_index,
            "pg_locks" => self.pg_locks,
            "mysql" => self.mysql,
            "naming" => self.naming.as_ref().map(|n| AnalyzerSettings {
                error: n.error,
                enabled: n.enabled,
            }),
            _ => None,
        };
        builtin
            .or_else(|| self.analyzers.get(name).copied())
            .unwrap_or_default()
    }

    /// The review policy (`ERROR` when unset).
    pub fn review_policy(&self) -> ReviewPolicy {
        self.review.unwrap_or_default()
    }
}

/// Whether `report` may be applied without a human's approval under `policy`.
pub fn may_apply_without_review(report: &Report, policy: ReviewPolicy) -> bool {
    policy.allows_without_review(report)
}

/// Why a configuration cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A naming pattern is not a valid regular expression.
    #[error("lint.naming.{kind}: invalid pattern {pattern:?}")]
    Pattern {
        /// Which kind (`table`, `column`, … or `match` for the shared one).
        kind: &'static str,
        /// The pattern text.
        pattern: String,
        /// The regex error.
        #[source]
        source: regex::Error,
    },
    /// Settings name an analyzer that is not registered.
    #[error("lint: unknown analyzer {name:?} (known: {known})")]
    UnknownAnalyzer {
        /// The name given.
        name: String,
        /// Registered names, comma-separated.
        known: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deserializes_atlas_shaped_blocks() {
        let config: LintConfig = serde_json::from_str(
            r#"{"destructive": {"error": false}, "review": "WARNING", "latest": 1,
                "naming": {"match": "^[a-z_]+$", "index": {"match": "^idx_", "message": "idx"}}}"#,
        )
        .expect("valid config");
        assert_eq!(config.settings("destructive").error, Some(false));
        assert_eq!(config.settings("data_depend"), AnalyzerSettings::default());
        assert_eq!(config.review_policy(), ReviewPolicy::Warning);
        assert!(
            config
                .naming
                .as_ref()
                .is_some_and(NamingConfig::is_configured)
        );
        let lower: LintConfig = serde_json::from_str(r#"{"review": "always"}"#).expect("alias");
        assert_eq!(lower.review_policy(), ReviewPolicy::Always);
        assert!(serde_json::from_str::<LintConfig>(r#"{"review": "SOMETIMES"}"#).is_err());
    }
}
