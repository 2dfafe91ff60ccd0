//! [`Fleet::apply`]: the versioned workflow over every tenant, canary first.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use mercator_driver::Driver;
use serde::Serialize;

use super::pool::{self, Done, OnDone, TenantWork};
use super::template::Reach;
use super::{Fleet, FleetError, OnError};
use crate::dev::one_line;
use crate::{MigrateReport, Migrator, MigratorBuilder, VersionedError};

/// How a tenant's run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TenantState {
    /// Files ran and the tenant reached the target.
    Applied,
    /// Nothing was pending.
    UpToDate,
    /// The run failed; see the error.
    Failed,
    /// Not started: the run stopped first.
    Skipped,
    /// A dry run found changes to make (declarative apply only).
    Planned,
}

impl TenantState {
    /// The state's name in reports (`applied`, `up_to_date`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            TenantState::Applied => "applied",
            TenantState::UpToDate => "up_to_date",
            TenantState::Failed => "failed",
            TenantState::Skipped => "skipped",
            TenantState::Planned => "planned",
        }
    }
}

/// Which stage a tenant belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// The first `canary` tenants, run before the others.
    Canary,
    /// Everyone else.
    Fleet,
}

/// One tenant's part of a [`FleetReport`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TenantReport {
    /// The tenant's name.
    pub tenant: String,
    /// How its run ended.
    pub status: TenantState,
    /// Its stage.
    pub stage: Stage,
    /// Its version before the run (for a declarative apply: its schema's fingerprint).
    pub from_version: Option<String>,
    /// Its version after the run (for a declarative apply: the desired fingerprint).
    pub to_version: Option<String>,
    /// The versions that ran, in order (for a declarative apply: the statements).
    pub applied: Vec<String>,
    /// How long its run took (connection switch, lock, files).
    #[serde(rename = "duration_ms", serialize_with = "millis")]
    pub duration: Duration,
    /// Why it failed, or why it was skipped.
    pub error: Option<String>,
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_millis().try_into().unwrap_or(u64::MAX))
}

/// What [`Fleet::apply`] did to each tenant, in tenant order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FleetReport {
    /// Every tenant, in the order of the tenant list.
    pub tenants: Vec<TenantReport>,
    /// Why the run stopped early, if it did.
    pub stopped: Option<String>,
    /// The whole run's duration.
    #[serde(rename = "duration_ms", serialize_with = "millis")]
    pub duration: Duration,
}

impl FleetReport {
    /// How many tenants ended in `state`.
    pub fn count(&self, state: TenantState) -> usize {
        self.tenants.iter().filter(|t| t.status == state).count()
    }

    /// Whether every tenant reached the target.
    pub fn is_success(&self) -> bool {
        self.tenants
            .iter()
            .all(|t| matches!(t.status, TenantState::Applied | TenantState::UpToDate))
    }

    /// The tenants that failed.
    pub fn failed(&self) -> impl Iterator<Item = &TenantReport> {
        self.tenants
            .iter()
            .filter(|t| t.status == TenantState::Failed)
    }
}

/// Applies the directory to one tenant.
struct ApplyWork {
    builder: MigratorBuilder,
    /// The migrator for tenants reached by their own URL (their revisions table is where
    /// the URL binds them).
    own: Migrator,
    reach: Reach,
    /// Tenants found empty by one query up front: their first run needs no inspection.
    empty: HashSet<String>,
}

#[async_trait]
impl TenantWork for ApplyWork {
    type Output = MigrateReport;

    async fn run(
        &self,
        tenant: &str,
        driver: &dyn Driver,
    ) -> Result<MigrateReport, VersionedError> {
        match self.reach {
            Reach::Connect => self.own.apply_on(driver).await,
            // One connection serves many tenants: the revisions table goes in the tenant's
            // own schema, not where the shared connection is bound.
            Reach::PostgresSchema | Reach::MysqlDatabase => {
                let mut builder = self.builder.clone().revisions_schema(tenant);
                if self.empty.contains(tenant) {
                    builder = builder.allow_dirty(true);
                }
                builder.build()?.apply_on(driver).await
            }
        }
    }
}

impl Fleet {
    /// Applies the pending files of `builder`'s directory to every tenant: the canary
    /// stage first (run whole; any failure there stops the run), then the others under the error
    /// policy, at most `parallel` at a time. A tenant failing is in the report, not an
    /// error; errors are for the fleet as a whole (bad directory, shared revisions schema).
    pub async fn apply(&self, builder: &MigratorBuilder) -> Result<FleetReport, FleetError> {
        self.check_builder(builder)?;
        let started = Instant::now();
        let reach = self.template.reach();
        let empty = if reach == Reach::Connect {
            HashSet::new()
        } else {
            let control = crate::open(&self.template.control_url()).await?;
            let empty = super::clean::empty_tenants(control.as_ref(), reach, &self.tenants).await;
            control.close().await?;
            empty
        };
        let work = Arc::new(ApplyWork {
            builder: builder.clone(),
            own: builder.clone().build()?,
            reach,
            empty,
        });
        let (tenants, stopped) = self.run_stages(&work, report_of).await;
        Ok(FleetReport {
            tenants,
            stopped,
            duration: started.elapsed(),
        })
    }

    /// Runs `work` on every tenant: the canary stage first (run whole; any failure there
    /// stops the run), then the others under the error policy, at most `parallel` at a
    /// time. Returns every tenant's report, in tenant order (`to_report` turns an outcome
    /// into one), and why the run stopped early, if it did.
    pub(super) async fn run_stages<W: TenantWork>(
        &self,
        work: &Arc<W>,
        to_report: fn(&str, Stage, &Done<W::Output>) -> TenantReport,
    ) -> (Vec<TenantReport>, Option<String>) {
        let total = self.tenants.len();
        let canary = self.canary.min(total);
        let mut reports: Vec<Option<TenantReport>> = vec![None; total];
        let on_done = self.progress.clone().map(|progress| {
            let callback: OnDone<W::Output> = Arc::new(move |tenant, done| {
                progress(&to_report(tenant, stage_of(done.index, canary), done));
            });
            callback
        });
        let mut stopped = None;
        if canary > 0 {
            let done = pool::run(
                &self.template,
                &self.tenants,
                0..canary,
                self.parallel,
                // The whole canary stage runs, so its outcome does not depend on timing:
                // every canary failure is reported, then the run stops.
                false,
                work,
                on_done.clone(),
            )
            .await;
            let failed = self.record(&mut reports, done, canary, to_report);
            if let Some(first) = failed {
                stopped = Some(format!(
                    "canary tenant {first} failed: the other {} tenants were not started",
                    total - canary
                ));
            }
        }
        if stopped.is_none() && canary < total {
            let done = pool::run(
                &self.template,
                &self.tenants,
                canary..total,
                self.parallel,
                self.on_error == OnError::Stop,
                work,
                on_done,
            )
            .await;
            if let Some(first) = self.record(&mut reports, done, canary, to_report)
                && self.on_error == OnError::Stop
            {
                stopped = Some(format!(
                    "tenant {first} failed and --on-error is stop: tenants not yet started were skipped"
                ));
            }
        }
        let why = stopped.clone().unwrap_or_default();
        let tenants = reports
            .into_iter()
            .enumerate()
            .map(|(i, report)| {
                report.unwrap_or_else(|| skipped(&self.tenants[i], stage_of(i, canary), &why))
            })
            .collect();
        (tenants, stopped)
    }

    /// Stores a stage's outcomes; returns the first failed tenant's name.
    fn record<T>(
        &self,
        reports: &mut [Option<TenantReport>],
        done: Vec<Done<T>>,
        canary: usize,
        to_report: fn(&str, Stage, &Done<T>) -> TenantReport,
    ) -> Option<String> {
        let mut first_failed = None;
        for outcome in done {
            let tenant = &self.tenants[outcome.index];
            let report = to_report(tenant, stage_of(outcome.index, canary), &outcome);
            if report.status == TenantState::Failed && first_failed.is_none() {
                first_failed = Some(tenant.clone());
            }
            reports[outcome.index] = Some(report);
        }
        first_failed
    }
}

/// The report of a tenant that was not started.
pub(super) fn skipped(tenant: &str, stage: Stage, why: &str) -> TenantReport {
    TenantReport {
        tenant: tenant.to_owned(),
        status: TenantState::Skipped,
        stage,
        from_version: None,
        to_version: None,
        applied: Vec::new(),
        duration: Duration::ZERO,
        error: Some(why.to_owned()),
    }
}

fn stage_of(index: usize, canary: usize) -> Stage {
    if index < canary {
        Stage::Canary
    } else {
        Stage::Fleet
    }
}

fn report_of(tenant: &str, stage: Stage, done: &Done<MigrateReport>) -> TenantReport {
    match &done.result {
        Ok(report) => TenantReport {
            tenant: tenant.to_owned(),
            status: if report.applied.is_empty() && report.baseline.is_none() {
                TenantState::UpToDate
            } else {
                TenantState::Applied
            },
            stage,
            from_version: report.from_version.clone(),
            to_version: report.to_version.clone(),
            applied: report.applied.iter().map(|f| f.version.clone()).collect(),
            duration: done.duration,
            error: None,
        },
        Err(error) => TenantReport {
            tenant: tenant.to_owned(),
            status: TenantState::Failed,
            stage,
            from_version: None,
            to_version: None,
            applied: Vec::new(),
            duration: done.duration,
            error: Some(one_line(&error.to_string())),
        },
    }
}
