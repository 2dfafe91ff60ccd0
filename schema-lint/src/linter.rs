//! Running analyzers: the registry of analyzers with their settings, and the
//! post-processing every finding gets (severity, position, `nolint`, table size).

use std::collections::{BTreeMap, BTreeSet};

use schema_model::{DialectKind, Realm};

use crate::analyzers::{Naming, default_analyzers};
use crate::changeset::ChangeSet;
use crate::config::{AnalyzerSettings, ConfigError, LintConfig, ReviewPolicy};
use crate::report::{FileSummary, Report};
use crate::sizes::{LockThresholds, TableSizes, describe};
use crate::{Analyzer, Context, Diagnostic, Severity};

/// Runs a set of analyzers over change sets.
///
/// ```
/// use schema_diff::{diff, DiffOptions};
/// use schema_lint::{ChangeSet, LintConfig, Linter};
/// use schema_model::*;
///
/// let t = Table::new("t").with_column(Column::new("a", ColumnType::int(IntWidth::Int)));
/// let current = Realm::new(vec![Schema::new("main").with_table(t)]);
/// let changes = diff(&current, &Realm::new(vec![Schema::new("main")]), &DiffOptions::default());
///
/// let config: LintConfig = serde_json::from_str(r#"{"destructive": {"error": false}}"#).unwrap();
/// let linter = Linter::from_config(&config).unwrap().dialect(DialectKind::Sqlite);
/// let report = linter.run(&ChangeSet::from_changes(&changes), Some(&current));
/// assert_eq!(report.diagnostics[0].code, "DS102");
/// assert!(!report.has_errors()); // downgraded to a warning
/// assert!(report.diagnostics[0].preflight.as_ref().unwrap().sql.starts_with("SELECT"));
///
/// // A code switched off in the configuration is not reported at all.
/// let config: LintConfig = serde_json::from_str(r#"{"skip_codes": ["DS102"]}"#).unwrap();
/// let linter = Linter::from_config(&config).unwrap().dialect(DialectKind::Sqlite);
/// let report = linter.run(&ChangeSet::from_changes(&changes), Some(&current));
/// assert!(report.diagnostics.iter().all(|d| d.code != "DS102"));
/// ```
pub struct Linter {
    analyzers: Vec<Box<dyn Analyzer>>,
    settings: BTreeMap<String, AnalyzerSettings>,
    dialect: Option<DialectKind>,
    sizes: TableSizes,
    thresholds: LockThresholds,
    sample_limit: usize,
    review: ReviewPolicy,
    skip_codes: BTreeSet<String>,
}

impl Default for Linter {
    /// The built-in analyzers with default settings (no naming patterns).
    fn default() -> Self {
        Linter {
            analyzers: default_analyzers(),
            settings: BTreeMap::new(),
            dialect: None,
            sizes: TableSizes::new(),
            thresholds: LockThresholds::default(),
            sample_limit: 10,
            review: ReviewPolicy::default(),
            skip_codes: BTreeSet::new(),
        }
    }
}

impl Linter {
    /// A linter with no analyzers at all (register your own).
    pub fn empty() -> Self {
        Linter {
            analyzers: Vec::new(),
            ..Linter::default()
        }
    }

    /// The built-in analyzers configured by `config` (naming checks when it has
    /// patterns). Settings for analyzers registered later are taken from
    /// `config.analyzers`; call [`Linter::validate`] after registering them to catch
    /// misspelled names.
    pub fn from_config(config: &LintConfig) -> Result<Self, ConfigError> {
        let mut linter = Linter::default();
        if let Some(naming) = &config.naming
            && naming.is_configured()
        {
            linter.analyzers.push(Box::new(Naming::new(naming)?));
        }
        for name in [
            "destructive",
            "data_depend",
            "incompatible",
            "condrop",
            "concurrent_index",
            "pg_locks",
            "mysql",
            "naming",
        ] {
            linter
                .settings
                .insert(name.to_owned(), config.settings(name));
        }
        for (name, settings) in &config.analyzers {
            linter.settings.insert(name.clone(), *settings);
        }
        if let Some(t) = config.lock_thresholds {
            linter.thresholds = t;
        }
        if let Some(limit) = config.sample_limit {
            linter.sample_limit = limit.max(1);
        }
        linter.review = config.review_policy();
        linter.skip_codes = config.skip_codes.clone();
        Ok(linter)
    }

    /// Checks that every analyzer named in settings is registered.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for name in self.settings.keys() {
            if name != "naming" && !self.analyzers.iter().any(|a| a.name() == name) {
                return Err(ConfigError::UnknownAnalyzer {
                    name: name.clone(),
                    known: self.analyzer_names().join(", "),
                });
            }
        }
        Ok(())
    }

    /// Names of the registered analyzers, in run order.
    pub fn analyzer_names(&self) -> Vec<String> {
        self.analyzers.iter().map(|a| a.name().to_owned()).collect()
    }

    /// Builder-style: register an analyzer (custom rules are ordinary [`Analyzer`]s).
    pub fn with_analyzer(mut self, analyzer: impl Analyzer + 'static) -> Self {
        self.analyzers.push(Box::new(analyzer));
        self
    }

    /// Builder-style: register a boxed analyzer.
    pub fn with_boxed(mut self, analyzer: Box<dyn Analyzer>) -> Self {
        self.analyzers.push(analyzer);
        self
    }

    /// Builder-style: settings for one analyzer.
    pub fn configure(mut self, name: &str, settings: AnalyzerSettings) -> Self {
        self.settings.insert(name.to_owned(), settings);
        self
    }

    /// Builder-style: the database family (enables dialect rules and pre-flight SQL).
    pub fn dialect(mut self, dialect: DialectKind) -> Self {
        self.dialect = Some(dialect);
        self
    }

    /// Builder-style: estimated table sizes, quoted by lock and rewrite findings.
    pub fn table_sizes(mut self, sizes: TableSizes) -> Self {
        self.sizes = sizes;
        self
    }

    /// Builder-style: lock-risk grades.
    pub fn lock_thresholds(mut self, thresholds: LockThresholds) -> Self {
        self.thresholds = thresholds;
        self
    }

    /// The configured review policy.
    pub fn review_policy(&self) -> ReviewPolicy {
        self.review
    }

    /// Whether `report` may be applied without approval under the configured policy.
    pub fn may_apply_without_review(&self, report: &Report) -> bool {
        self.review.allows_without_review(report)
    }

    /// Runs every enabled analyzer over `changes`. `current` is the schema before the
    /// first change, when known.
    pub fn run(&self, changes: &ChangeSet, current: Option<&Realm>) -> Report {
        let context = Context {
            changes,
            dialect: self.dialect,
            current,
            sample_limit: self.sample_limit,
        };
        let mut diagnostics = Vec::new();
        let mut suppressed = 0;
        let mut titles = BTreeMap::new();
        for analyzer in &self.analyzers {
            let settings = self
                .settings
                .get(analyzer.name())
                .copied()
                .unwrap_or_default();
            if settings.enabled == Some(false) {
                continue;
            }
            titles.insert(analyzer.name().to_owned(), analyzer.title());
            let severity = match settings.error {
                Some(true) => Severity::Error,
                Some(false) => Severity::Warning,
                None => analyzer.default_severity(),
            };
            for mut d in analyzer.analyze(&context) {
                if self.skip_codes.contains(&d.code) {
                    continue;
                }
                d.analyzer = analyzer.name().to_owned();
                d.severity = severity;
                if is_suppressed(changes, &d) {
                    suppressed += 1;
                    continue;
                }
                self.locate(changes, &mut d);
                diagnostics.push(d);
            }
        }
        // Stable: within one position, analyzers keep their registration order.
        diagnostics.sort_by_key(|d| d.position);
        Report {
            base_version: changes.base_version.clone(),
            files: changes
                .files
                .iter()
                .enumerate()
                .map(|(i, f)| FileSummary {
                    name: f.name.clone(),
                    path: changes.path(i),
                    version: f.version.clone(),
                    changes: f.change_count(),
                    duration: None,
                })
                .collect(),
            diagnostics,
            suppressed,
            titles,
        }
    }

    /// Fills in file, line and size.
    fn locate(&self, changes: &ChangeSet, d: &mut Diagnostic) {
        d.file = changes.path(d.position.file);
        d.line = changes.statement(d.position).and_then(|s| s.line);
        if d.locking
            && let Some(table) = &d.table
            && let Some(size) = self.sizes.get(&table.schema, &table.name)
        {
            let risk = self.thresholds.grade(size);
            d.size = Some(size);
            d.lock_risk = Some(risk);
            d.message = format!(
                "{} (table {:?}: {}, {risk} lock risk)",
                d.message,
                table.name,
                describe(size)
            );
        }
    }
}

/// Whether a statement- or file-level `nolint` covers the diagnostic.
fn is_suppressed(changes: &ChangeSet, d: &Diagnostic) -> bool {
    let Some(file) = changes.files.get(d.position.file) else {
        return false;
    };
    let statement = file.statements.get(d.position.statement);
    file.suppressions
        .iter()
        .chain(statement.into_iter().flat_map(|s| &s.suppressions))
        .any(|s| s.covers(&d.code, &d.analyzer))
}
