//! SARIF 2.1.0, the format code-scanning services (GitHub, GitLab) ingest.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::Report;
use crate::Severity;

impl Report {
    /// The report as a SARIF 2.1.0 log with one run: one rule per code (named after its
    /// analyzer, linking to its documentation) and one result per finding, located at the
    /// file and line where known. Suggested fixes and pre-flight queries travel in each
    /// result's `properties`.
    pub fn to_sarif(&self) -> Value {
        let mut rules: BTreeMap<&str, Value> = BTreeMap::new();
        for d in &self.diagnostics {
            rules.entry(&d.code).or_insert_with(|| {
                let mut rule = json!({
                    "id": d.code,
                    "name": d.analyzer,
                    "shortDescription": { "text": self.titles.get(&d.analyzer).cloned().unwrap_or_else(|| d.analyzer.clone()) },
                });
                if let Some(url) = d.docs_url() {
                    rule["helpUri"] = json!(url);
                }
                rule
            });
        }
        let index: BTreeMap<&str, usize> = rules.keys().enumerate().map(|(i, k)| (*k, i)).collect();
        let results: Vec<Value> = self
            .diagnostics
            .iter()
            .map(|d| {
                let mut result = json!({
                    "ruleId": d.code,
                    "ruleIndex": index.get(d.code.as_str()).copied().unwrap_or_default(),
                    "level": match d.severity { Severity::Error => "error", Severity::Warning => "warning" },
                    "message": { "text": d.message },
                });
                if let Some(file) = &d.file {
                    let mut location = json!({ "artifactLocation": { "uri": file } });
                    if let Some(line) = d.line {
                        location["region"] = json!({ "startLine": line });
                    }
                    result["locations"] = json!([{ "physicalLocation": location }]);
                }
                let mut properties = serde_json::Map::new();
                if let Some(fix) = &d.fix {
                    properties.insert("suggestedFix".into(), json!(fix));
                }
                if let Some(p) = &d.preflight {
                    properties.insert("preflightQuery".into(), json!(p.sql));
                }
                if let Some(risk) = d.lock_risk {
                    properties.insert("lockRisk".into(), json!(risk.to_string()));
                }
                if !properties.is_empty() {
                    result["properties"] = Value::Object(properties);
                }
                result
            })
            .collect();
        json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": { "driver": {
                    "name": "mercator",
                    "informationUri": "https://atlasgo.io/lint/analyzers",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules.into_values().collect::<Vec<_>>(),
                }},
                "results": results,
            }],
        })
    }
}
