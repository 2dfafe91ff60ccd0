//! The review gate of declarative applies: the plan is linted (its changes come from the
//! plan itself), data-dependent findings get their pre-flight queries run read-only, and
//! the review policy says whether the plan may apply without a human's approval.

use std::fmt;
use std::sync::Arc;

use schema_lint::{
    Analyzer, ChangeSet, Context, Diagnostic, LintConfig, Linter, Report, ReviewPolicy, Severity,
};
use schema_model::DialectKind;

use super::error::LintError;
use super::preflight::{PreflightFailure, run_preflight};
use super::sizes::table_sizes;
use crate::{MigrateError, PlannedMigration, SchemaApply, SchemaApplyBuilder};

/// An analyzer shared between runs (settings are cloned; analyzers are not).
#[derive(Clone)]
pub struct SharedAnalyzer(pub Arc<dyn Analyzer>);

impl Analyzer for SharedAnalyzer {
    fn name(&self) -> &str {
        self.0.name()
    }

    fn default_severity(&self) -> Severity {
        self.0.default_severity()
    }

    fn title(&self) -> String {
        self.0.title()
    }

    fn analyze(&self, context: &Context<'_>) -> Vec<Diagnostic> {
        self.0.analyze(context)
    }
}

/// How a declarative apply is reviewed.
#[derive(Clone)]
pub struct ReviewSettings {
    /// Analyzer settings and the review policy (`lint { … }`).
    pub config: LintConfig,
    /// Analyzers of the application's own.
    pub analyzers: Vec<Arc<dyn Analyzer>>,
    /// Run the pre-flight data checks before the first statement (default on).
    pub preflight: bool,
    /// Read table sizes from the target's catalog for lock findings (default on).
    pub table_sizes: bool,
}

impl Default for ReviewSettings {
    fn default() -> Self {
        ReviewSettings {
            config: LintConfig::default(),
            analyzers: Vec::new(),
            preflight: true,
            table_sizes: true,
        }
    }
}

impl fmt::Debug for ReviewSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReviewSettings")
            .field("config", &self.config)
            .field(
                "analyzers",
                &self
                    .analyzers
                    .iter()
                    .map(|a| a.name().to_owned())
                    .collect::<Vec<_>>(),
            )
            .field("preflight", &self.preflight)
            .field("table_sizes", &self.table_sizes)
            .finish()
    }
}

impl ReviewSettings {
    /// Builder-style: the review policy.
    pub fn policy(mut self, policy: ReviewPolicy) -> Self {
        self.config.review = Some(policy);
        self
    }

    /// Builder-style: analyzer settings (keeps an already chosen policy unless the
    /// configuration has one).
    pub fn config(mut self, config: LintConfig) -> Self {
        let policy = self.config.review;
        self.config = config;
        if self.config.review.is_none() {
            self.config.review = policy;
        }
        self
    }

    /// Builder-style: register an analyzer.
    pub fn analyzer(mut self, analyzer: impl Analyzer + 'static) -> Self {
        self.analyzers.push(Arc::new(analyzer));
        self
    }

    /// Builder-style: run pre-flight data checks (default true).
    pub fn preflight(mut self, on: bool) -> Self {
        self.preflight = on;
        self
    }

    /// Builder-style: read table sizes from the catalog (default true).
    pub fn table_sizes(mut self, on: bool) -> Self {
        self.table_sizes = on;
        self
    }

    /// The review policy (`ERROR` unless configured).
    pub fn review_policy(&self) -> ReviewPolicy {
        self.config.review_policy()
    }
}

/// The linter `settings` describe, for `dialect`.
pub fn reviewed_linter(
    settings: &ReviewSettings,
    dialect: DialectKind,
) -> Result<Linter, LintError> {
    let mut linter = Linter::from_config(&settings.config)?;
    for analyzer in &settings.analyzers {
        linter = linter.with_analyzer(SharedAnalyzer(analyzer.clone()));
    }
    linter.validate()?;
    Ok(linter.dialect(dialect))
}

/// A plan with its analysis, as the approver sees it and as the run returns it.
#[derive(Debug, Clone)]
pub struct Review {
    /// The plan.
    pub planned: PlannedMigration,
    /// Its analysis.
    pub report: Report,
    /// Pre-flight checks that existing rows fail; when any, nothing was applied and the
    /// approver was not asked.
    pub preflight: Vec<PreflightFailure>,
    /// The policy applied.
    pub policy: ReviewPolicy,
    /// Whether the policy requires a human's approval for this report.
    pub needs_review: bool,
    /// Whether the plan was applied.
    pub applied: bool,
}

impl Review {
    /// Whether the plan did nothing because it was empty.
    pub fn is_empty(&self) -> bool {
        self.planned.is_empty()
    }
}

impl PlannedMigration {
    /// Lints the plan with the built-in analyzers for `dialect`: the changes come from the
    /// plan, `CONCURRENTLY` and non-transactional statements from its SQL, and the current
    /// schema is the one planned against.
    pub fn lint(&self, dialect: DialectKind) -> Report {
        self.lint_with(&Linter::default().dialect(dialect))
    }

    /// Lints the plan with a configured linter.
    pub fn lint_with(&self, linter: &Linter) -> Report {
        linter.run(
            &ChangeSet::from_plan(&self.changes, &self.plan),
            Some(&self.current),
        )
    }
}

impl SchemaApplyBuilder {
    /// How plans are reviewed by [`SchemaApply::run_reviewed`] (default: built-in
    /// analyzers, policy `ERROR`, pre-flight checks and table sizes on).
    pub fn review(mut self, settings: ReviewSettings) -> Self {
        self.review = settings;
        self
    }
}

impl SchemaApply {
    /// Lints a plan against the target: its dialect, its table sizes (estimated from the
    /// catalog, never by reading rows) and the review settings.
    pub async fn lint(&self, planned: &PlannedMigration) -> Result<Report, LintError> {
        let mut linter = reviewed_linter(&self.review, self.driver().kind())?;
        if self.review.table_sizes {
            linter = linter.table_sizes(table_sizes(self.driver()).await?);
        }
        Ok(planned.lint_with(&linter))
    }

    /// Runs the pre-flight queries of `report` read-only on the target; returns the checks
    /// existing rows fail. Empty when pre-flight checks are off.
    pub async fn preflight(&self, report: &Report) -> Result<Vec<PreflightFailure>, LintError> {
        if !self.review.preflight {
            return Ok(Vec::new());
        }
        run_preflight(self.driver(), report).await
    }

    /// Lints and checks a plan without applying it (`--dry-run`).
    pub async fn review_plan(&self, planned: PlannedMigration) -> Result<Review, LintError> {
        let report = self.lint(&planned).await?;
        let preflight = self.preflight(&report).await?;
        let policy = self.review.review_policy();
        Ok(Review {
            needs_review: !policy.allows_without_review(&report),
            planned,
            report,
            preflight,
            policy,
            applied: false,
        })
    }

    /// Like [`SchemaApply::run`], with the review gate: under the apply lock, plans, lints
    /// the plan, runs the pre-flight data checks (stopping before the first statement when
    /// existing rows fail one: `approve` is not called and nothing runs), then asks
    /// `approve`, which sees the analysis and whether the policy requires a human's
    /// approval ([`Review::needs_review`]), and applies when it says yes.
    pub async fn run_reviewed(
        &self,
        approve: impl FnOnce(&Review) -> bool + Send,
    ) -> Result<Review, LintError> {
        let early = self.desired_unlocked().await?;
        self.locked(async {
            let planned = match early {
                Some(desired) => self.plan_between(self.current().await?, desired)?,
                None => self.plan().await?,
            };
            Ok(self.gate(planned, approve).await)
        })
        .await?
    }

    async fn gate(
        &self,
        planned: PlannedMigration,
        approve: impl FnOnce(&Review) -> bool,
    ) -> Result<Review, LintError> {
        if planned.is_empty() {
            let policy = self.review.review_policy();
            return Ok(Review {
                planned,
                report: Report::default(),
                preflight: Vec::new(),
                policy,
                needs_review: false,
                applied: false,
            });
        }
        let mut review = self.review_plan(planned).await?;
        if !review.preflight.is_empty() || !approve(&review) {
            return Ok(review);
        }
        self.execute(&review.planned.plan)
            .await
            .map_err(|e: MigrateError| LintError::Migrate(e))?;
        review.applied = true;
        Ok(review)
    }
}
