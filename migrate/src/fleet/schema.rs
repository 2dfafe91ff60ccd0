//! [`Fleet::schema_apply`]: the declarative workflow over every tenant. The desired state
//! is loaded once; the tenants' schemas are read in a few catalog passes (one connection
//! per tenant where there is no shared catalog) and grouped by fingerprint; each distinct
//! state is planned and linted once under the review policy of a single `schema apply`;
//! then every tenant not yet at the desired state gets its group's plan under its own lock,
//! after checking that its schema is still the one planned from.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use mercator_driver::{Driver, InspectOptions, exec};
use schema_diff::{DialectExt, Plan};
use schema_lint::{Report, Severity};
use schema_model::{Realm, Schema, fingerprint};
use serde::Serialize;

use super::apply::{Stage, TenantReport, TenantState};
use super::pool::{Done, TenantWork};
use super::status::{Fingerprints, NEUTRAL, normalize};
use super::template::Reach;
use super::{Fleet, FleetError};
use crate::binding::{adopt_attributes, bind, select};
use crate::dev::{Dev, one_line, realm_of};
use crate::lint::{ReviewSettings, reviewed_linter, run_preflight};
use crate::project::{keep_concurrency, plan_options};
use crate::{
    MigrateError, PlannedMigration, SchemaApplyBuilder, Source, VersionedError, describe_changes,
    schema_apply_lock,
};

/// How [`Fleet::schema_apply`] decides.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FleetSchemaOptions {
    /// Plan and lint every group, apply nothing (`--dry-run`).
    pub dry_run: bool,
    /// Apply plans the review policy would hold for a human (`--override-review`).
    pub override_review: bool,
}

/// One distinct current state of the fleet and its plan to the desired state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanGroup {
    /// The fingerprint of the tenants' schema (under the neutral name `tenant`).
    pub fingerprint: String,
    /// The tenants in this state, in tenant order.
    pub tenants: Vec<String>,
    /// The changes, in words.
    pub changes: Vec<String>,
    /// The plan's statements (unqualified: each runs in its tenant's schema).
    pub statements: Vec<String>,
    /// Lint findings of the plan, `CODE: message` (severity first).
    pub findings: Vec<String>,
    /// Whether the review policy requires a human's approval for this plan.
    pub needs_review: bool,
}

/// What [`Fleet::schema_apply`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FleetSchemaReport {
    /// The desired state's fingerprint (under the neutral name `tenant`).
    pub desired: String,
    /// The distinct current states, the largest first.
    pub groups: Vec<PlanGroup>,
    /// Every tenant, in tenant order: `from_version` is its schema's fingerprint,
    /// `applied` the statements run on it.
    pub tenants: Vec<TenantReport>,
    /// Why the run stopped early (a canary failed, the review policy held a plan), if so.
    pub stopped: Option<String>,
    /// Whether this was a dry run.
    pub dry_run: bool,
    /// How many catalog passes read the tenants' schemas (0: one inspection per tenant).
    pub inspect_passes: usize,
    /// The whole run's duration.
    #[serde(rename = "duration_ms", serialize_with = "millis")]
    pub duration: Duration,
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_millis().try_into().unwrap_or(u64::MAX))
}

impl FleetSchemaReport {
    /// How many tenants ended in `state`.
    pub fn count(&self, state: TenantState) -> usize {
        self.tenants.iter().filter(|t| t.status == state).count()
    }

    /// Whether every tenant is at the desired state (or, for a dry run, was planned).
    pub fn is_success(&self) -> bool {
        self.stopped.is_none()
            && self.tenants.iter().all(|t| {
                matches!(
                    t.status,
                    TenantState::Applied | TenantState::UpToDate | TenantState::Planned
                )
            })
    }
}

/// A group's plan, as the workers use it.
struct GroupPlan {
    plan: Plan,
    report: Report,
}

/// Each group's plan, by the fingerprint of the state it starts from.
type Plans = HashMap<String, Arc<GroupPlan>>;

/// Applies a tenant's group plan under the tenant's lock.
struct SchemaWork {
    /// Each tenant's fingerprint when planned, by name.
    planned_from: HashMap<String, String>,
    /// Plans by fingerprint.
    plans: Plans,
    desired: String,
    exclude_tables: Vec<String>,
    lock_timeout: Duration,
    review: ReviewSettings,
    dry_run: bool,
}

/// One tenant's outcome: its fingerprint, the desired one, and the statements run (none:
/// it was already there).
struct Outcome {
    from: String,
    to: String,
    statements: Vec<String>,
}

#[async_trait]
impl TenantWork for SchemaWork {
    type Output = Outcome;

    async fn run(&self, tenant: &str, driver: &dyn Driver) -> Result<Outcome, VersionedError> {
        let from = self.planned_from.get(tenant).cloned().ok_or_else(|| {
            VersionedError::Invalid(format!(
                "the schema of tenant {tenant} does not exist: create it first"
            ))
        })?;
        let Some(group) = self.plans.get(&from) else {
            return Err(VersionedError::Invalid(format!(
                "tenant {tenant}: no plan for its state"
            )));
        };
        if group.plan.is_empty() || self.dry_run {
            let statements = match self.dry_run {
                true => group
                    .plan
                    .statements
                    .iter()
                    .map(|s| s.sql.clone())
                    .collect(),
                false => Vec::new(),
            };
            return Ok(Outcome {
                from,
                to: self.desired.clone(),
                statements,
            });
        }
        let lock = schema_apply_lock(driver.bound_schema().unwrap_or(tenant));
        driver.lock(&lock, self.lock_timeout).await?;
        let outcome = self.apply_locked(tenant, driver, &from, group).await;
        // The lock also ends with the connection; the outcome matters more.
        let unlocked = driver.unlock(&lock).await;
        let outcome = outcome?;
        unlocked?;
        Ok(outcome)
    }
}

impl SchemaWork {
    async fn apply_locked(
        &self,
        tenant: &str,
        driver: &dyn Driver,
        from: &str,
        group: &GroupPlan,
    ) -> Result<Outcome, VersionedError> {
        // Planned from a catalog pass: the tenant must still be in that state.
        let options = InspectOptions {
            schemas: Vec::new(),
            exclude_tables: self.exclude_tables.clone(),
            only_tables: None,
        };
        let realm = driver.inspect(&options).await?;
        let schema = realm
            .schemas
            .into_iter()
            .next()
            .unwrap_or_else(|| Schema::new(tenant));
        let now = fingerprint(&normalize(schema, tenant)?).map_err(MigrateError::from)?;
        if now == self.desired {
            return Ok(Outcome {
                from: now,
                to: self.desired.clone(),
                statements: Vec::new(),
            });
        }
        if now != from {
            return Err(VersionedError::Invalid(format!(
                "the schema changed since it was planned (now {now}, planned from {from}); nothing was applied: run again to plan its new state"
            )));
        }
        if self.review.preflight {
            let failed = run_preflight(driver, &unqualified_checks(&group.report))
                .await
                .map_err(|e| VersionedError::Invalid(e.to_string()))?;
            if let Some(first) = failed.first() {
                return Err(VersionedError::Invalid(format!(
                    "{} pre-flight data check(s) failed, nothing was applied: {first}",
                    failed.len()
                )));
            }
        }
        let mut session = driver.session().await?;
        exec::apply_plan(session.as_mut(), &group.plan).await?;
        Ok(Outcome {
            from: from.to_owned(),
            to: self.desired.clone(),
            statements: group
                .plan
                .statements
                .iter()
                .map(|s| s.sql.clone())
                .collect(),
        })
    }
}

/// The report with its pre-flight queries made unqualified: they were written for the
/// neutral schema name the group was planned under, and run where the tenant's connection
/// is bound (its `search_path` or database), as the plan's statements do.
fn unqualified_checks(report: &Report) -> Report {
    let mut report = report.clone();
    for diagnostic in &mut report.diagnostics {
        if let Some(check) = &mut diagnostic.preflight {
            check.sql = check
                .sql
                .replace(&format!("\"{NEUTRAL}\"."), "")
                .replace(&format!("`{NEUTRAL}`."), "");
        }
    }
    report
}

/// Reads one tenant's schema through a connection of its own (no shared catalog).
struct InspectWork {
    exclude_tables: Vec<String>,
}

#[async_trait]
impl TenantWork for InspectWork {
    type Output = Realm;

    async fn run(&self, tenant: &str, driver: &dyn Driver) -> Result<Realm, VersionedError> {
        let options = InspectOptions {
            schemas: Vec::new(),
            exclude_tables: self.exclude_tables.clone(),
            only_tables: None,
        };
        let realm = driver.inspect(&options).await?;
        let schema = realm
            .schemas
            .into_iter()
            .next()
            .unwrap_or_else(|| Schema::new(tenant));
        Ok(normalize(schema, tenant)?)
    }
}

impl Fleet {
    /// Brings every tenant to the desired state `builder` describes (its `to`, `dev_url`,
    /// schemas, excluded tables, diff policies, lock timeout and review settings; its URL
    /// is not used). Tenants already in the desired state are left alone, so a rerun does
    /// exactly the ones that are not. Plans the review policy holds stop the run before
    /// anything is applied unless `options.override_review`.
    pub async fn schema_apply(
        &self,
        builder: &SchemaApplyBuilder,
        options: FleetSchemaOptions,
    ) -> Result<FleetSchemaReport, FleetError> {
        let started = Instant::now();
        let desired = self.desired(builder).await?;
        let desired_print = fingerprint(&desired).map_err(MigrateError::from)?;
        let (prints, passes) = self.current_states(&builder.exclude_tables).await?;

        let probe_url = match self.template.reach() {
            Reach::Connect => self.template.url_for(&self.tenants[0]),
            _ => self.template.control_url(),
        };
        let probe = crate::open(&probe_url).await?;
        let planned = plan_groups(probe.as_ref(), builder, &desired, &prints, &self.tenants);
        let closed = probe.close().await;
        let (plans, groups) = planned?;
        closed?;

        let held: Vec<usize> = groups
            .iter()
            .enumerate()
            .filter(|(_, g)| g.needs_review && !g.statements.is_empty())
            .map(|(i, _)| i)
            .collect();
        let mut report = FleetSchemaReport {
            desired: desired_print.clone(),
            groups,
            tenants: Vec::new(),
            stopped: None,
            dry_run: options.dry_run,
            inspect_passes: passes,
            duration: Duration::ZERO,
        };
        if !options.dry_run && !options.override_review && !held.is_empty() {
            let why = format!(
                "review policy {:?} requires approval for the plan of group(s) {}: nothing was applied; review with --dry-run and pass --override-review to apply anyway",
                builder.review.review_policy(),
                held.iter()
                    .map(|i| format!("#{}", i + 1))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            report.tenants = self
                .tenants
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let stage = if i < self.canary {
                        Stage::Canary
                    } else {
                        Stage::Fleet
                    };
                    super::apply::skipped(t, stage, &why)
                })
                .collect();
            report.stopped = Some(why);
            report.duration = started.elapsed();
            return Ok(report);
        }

        let planned_from = self
            .tenants
            .iter()
            .zip(&prints.per_tenant)
            .filter_map(|(t, fp)| fp.clone().map(|fp| (t.clone(), fp)))
            .collect();
        let work = Arc::new(SchemaWork {
            planned_from,
            plans,
            desired: desired_print,
            exclude_tables: builder.exclude_tables.clone(),
            lock_timeout: builder.lock_timeout,
            review: builder.review.clone(),
            dry_run: options.dry_run,
        });
        let to_report = if options.dry_run {
            planned_report
        } else {
            applied_report
        };
        let (tenants, stopped) = self.run_stages(&work, to_report).await;
        report.tenants = tenants;
        report.stopped = stopped;
        report.duration = started.elapsed();
        Ok(report)
    }

    /// The desired state, loaded once and named `tenant` like every tenant's schema.
    async fn desired(&self, builder: &SchemaApplyBuilder) -> Result<Realm, FleetError> {
        let to = builder
            .to
            .as_ref()
            .ok_or(MigrateError::Missing("the desired schema source"))?;
        let dev = match to {
            Source::Database(_) => None,
            _ => Some(Dev::choose(builder.dev_url.as_deref(), self.template.kind()).await?),
        };
        let loaded = realm_of(to, dev.as_ref(), &InspectOptions::default()).await;
        if let Some(dev) = dev {
            dev.close().await?;
        }
        let mut realm = select(loaded?, &builder.schemas);
        for schema in &mut realm.schemas {
            schema
                .tables
                .retain(|t| !builder.exclude_tables.contains(&t.name));
        }
        Ok(bind(realm, NEUTRAL)?)
    }

    /// Every tenant's fingerprint and one schema per fingerprint: catalog passes over many
    /// tenants where one connection reaches them all, otherwise one inspection per tenant.
    async fn current_states(
        &self,
        exclude_tables: &[String],
    ) -> Result<(Fingerprints, usize), FleetError> {
        let mut prints = Fingerprints::new(self.tenants.len());
        if self.template.reach() != Reach::Connect {
            let passes = self.inspect_together(&mut prints, exclude_tables).await?;
            return Ok((prints, passes));
        }
        let work = Arc::new(InspectWork {
            exclude_tables: exclude_tables.to_vec(),
        });
        let all = 0..self.tenants.len();
        let done = super::pool::run(
            &self.template,
            &self.tenants,
            all,
            self.parallel,
            false,
            &work,
            None,
        )
        .await;
        for outcome in done {
            let tenant = &self.tenants[outcome.index];
            let realm = outcome.result.map_err(|e| {
                FleetError::Settings(format!(
                    "inspecting tenant {tenant}: {}",
                    one_line(&e.to_string())
                ))
            })?;
            prints.record(outcome.index, realm, tenant)?;
        }
        Ok((prints, 0))
    }
}

/// Plans and lints each distinct state once; groups largest first.
fn plan_groups(
    probe: &dyn Driver,
    builder: &SchemaApplyBuilder,
    desired: &Realm,
    prints: &Fingerprints,
    tenants: &[String],
) -> Result<(Plans, Vec<PlanGroup>), FleetError> {
    let linter = reviewed_linter(&builder.review, probe.kind())
        .map_err(|e| FleetError::Settings(e.to_string()))?;
    let policy = builder.review.review_policy();
    let mut members: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, fp) in prints.per_tenant.iter().enumerate() {
        if let Some(fp) = fp {
            members.entry(fp.as_str()).or_default().push(i);
        }
    }
    let mut order: Vec<&String> = prints.order.iter().collect();
    order.sort_by_key(|fp| std::cmp::Reverse(members.get(fp.as_str()).map_or(0, Vec::len)));
    let mut plans = HashMap::new();
    let mut groups = Vec::new();
    for fp in order {
        let Some(sample) = prints.samples.get(fp) else {
            continue;
        };
        let mut current = sample.clone();
        let mut target = desired.clone();
        adopt_attributes(&mut target, &current);
        let changes =
            probe
                .dialect()
                .diff_in_place(&mut current, &mut target, &builder.diff_options);
        let mut plan = probe
            .dialect()
            .plan(
                &changes,
                &plan_options(Some(NEUTRAL.to_owned()), builder.concurrent),
            )
            .map_err(MigrateError::from)?;
        keep_concurrency(&mut plan, builder.concurrent);
        let planned = PlannedMigration {
            changes,
            plan,
            from_fingerprint: fp.clone(),
            to_fingerprint: String::new(),
            current,
            desired: target,
        };
        let report = if planned.is_empty() {
            Report::default()
        } else {
            planned.lint_with(&linter)
        };
        let members_of = members
            .get(fp.as_str())
            .map(|list| list.iter().map(|&i| tenants[i].clone()).collect())
            .unwrap_or_default();
        groups.push(PlanGroup {
            fingerprint: fp.clone(),
            tenants: members_of,
            changes: describe_changes(&planned.changes, Some(NEUTRAL)),
            statements: planned
                .plan
                .statements
                .iter()
                .map(|s| s.sql.clone())
                .collect(),
            findings: report
                .diagnostics
                .iter()
                .map(|d| {
                    let severity = match d.severity {
                        Severity::Error => "error",
                        Severity::Warning => "warning",
                    };
                    format!("{severity} {}: {}", d.code, d.message)
                })
                .collect(),
            needs_review: !policy.allows_without_review(&report),
        });
        plans.insert(
            fp.clone(),
            Arc::new(GroupPlan {
                plan: planned.plan,
                report,
            }),
        );
    }
    Ok((plans, groups))
}

fn applied_report(tenant: &str, stage: Stage, done: &Done<Outcome>) -> TenantReport {
    outcome_report(tenant, stage, done, false)
}

fn planned_report(tenant: &str, stage: Stage, done: &Done<Outcome>) -> TenantReport {
    outcome_report(tenant, stage, done, true)
}

fn outcome_report(tenant: &str, stage: Stage, done: &Done<Outcome>, dry_run: bool) -> TenantReport {
    let base = TenantReport {
        tenant: tenant.to_owned(),
        status: TenantState::Failed,
        stage,
        from_version: None,
        to_version: None,
        applied: Vec::new(),
        duration: done.duration,
        error: None,
    };
    match &done.result {
        Ok(outcome) => TenantReport {
            status: match (outcome.statements.is_empty(), dry_run) {
                (true, _) => TenantState::UpToDate,
                (false, true) => TenantState::Planned,
                (false, false) => TenantState::Applied,
            },
            from_version: Some(outcome.from.clone()),
            to_version: Some(outcome.to.clone()),
            applied: outcome.statements.clone(),
            ..base
        },
        Err(error) => TenantReport {
            error: Some(one_line(&error.to_string())),
            ..base
        },
    }
}
