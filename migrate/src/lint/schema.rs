//! `schema lint`: whole-schema rules over a database or SQL files.

use schema_lint::{NamingConfig, SchemaFinding, SchemaLinter, Severity};
use serde::Serialize;

use super::error::LintError;
use crate::Source;
use crate::dev::{Dev, realm_of};
use crate::open::dialect_of;
use mercator_driver::InspectOptions;
use schema_model::DialectKind;

/// The findings of [`schema_lint`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchemaLintReport {
    /// What was linted (the URL, redacted, or the file path).
    pub source: String,
    /// Tables checked.
    pub tables: usize,
    /// Findings, in schema order.
    pub findings: Vec<SchemaFinding>,
}

impl SchemaLintReport {
    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    /// One line per finding (`SL101 public.t: Table "t" has no primary key`) and a count.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for f in &self.findings {
            let level = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            out.push_str(&format!(
                "{level}: {} {}: {}\n",
                f.code, f.object, f.message
            ));
        }
        out.push_str(&format!(
            "-- {} table(s) checked, {} finding(s)\n",
            self.tables,
            self.findings.len()
        ));
        out
    }
}

/// Checks the schema of `source` (a database, inspected read-only, or SQL files loaded on
/// the dev database) with `linter`, or with the built-in rules (every table has a primary
/// key, foreign keys are indexed, columns are NOT NULL or have a default) plus `naming`
/// patterns when `linter` is `None`.
pub async fn schema_lint(
    source: &Source,
    dev_url: Option<&str>,
    linter: Option<SchemaLinter>,
    naming: Option<&NamingConfig>,
) -> Result<SchemaLintReport, LintError> {
    let linter = match linter {
        Some(linter) => linter,
        None => {
            let mut linter = SchemaLinter::default();
            if let Some(naming) = naming.filter(|n| n.is_configured()) {
                linter = linter.naming(naming)?;
            }
            linter
        }
    };
    let realm = match source {
        Source::Database(_) => realm_of(source, None, &InspectOptions::default()).await?,
        sql => {
            let kind = match dev_url {
                Some(url) => dialect_of(url)?,
                None => DialectKind::Sqlite,
            };
            let dev = Dev::choose(dev_url, kind).await?;
            let realm = realm_of(sql, Some(&dev), &InspectOptions::default()).await;
            let closed = dev.close().await;
            let realm = realm?;
            closed?;
            realm
        }
    };
    let findings = linter.run(&realm);
    Ok(SchemaLintReport {
        source: source.to_string(),
        tables: realm.schemas.iter().map(|s| s.tables.len()).sum(),
        findings,
    })
}
