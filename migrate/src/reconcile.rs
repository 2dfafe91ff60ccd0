//! Reconcile a live database to a target — a desired state, or a migration directory at a
//! version — the way an operator would: compare states, decide whether this goes up or
//! down, plan from the real database (never from stored down files), check that nothing it
//! drops holds data, apply, and record what was done.
//!
//! Declarative runs are recorded in the table [`HISTORY_TABLE`] (created on first use and
//! left out of every comparison reconcile makes); versioned runs are recorded in Atlas's
//! revisions table, as `migrate apply` and `migrate down` do.

use std::time::Duration;

use mercator_driver::{Driver, exec};
use mercator_migrate_dir::MigrationDir;
use schema_diff::{Change, TableChange};
use schema_model::{fingerprint, same_fingerprint};
use serde::Serialize;

use crate::apply::SCHEMA_APPLY_LOCK;
use crate::versioned::data_checks;
use crate::{
    DownOptions, DownTarget, MigrateError, Migrator, PlannedMigration, SchemaApply, Source,
    VersionedError, migrate_down,
};

/// The table declarative reconcile runs are recorded in.
pub const HISTORY_TABLE: &str = "mercator_reconcile_history";

/// Where to take the database.
#[derive(Debug, Clone)]
pub enum ReconcileTarget {
    /// A desired state (SQL files, SQL text or another database).
    State(Source),
    /// A migration directory at a version (`None`: before its first file).
    Version {
        /// The directory.
        dir: MigrationDir,
        /// The version to end at.
        version: Option<String>,
    },
}

/// Which way a reconcile goes, decided by comparing the states (or versions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Nothing to do.
    InSync,
    /// Only additions and in-place changes: moving forward.
    Up,
    /// Only removals (for a directory: to an older version): going back.
    Down,
    /// Both additions and removals.
    Mixed,
}

impl std::fmt::Display for Direction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Direction::InSync => "in sync",
            Direction::Up => "up",
            Direction::Down => "down",
            Direction::Mixed => "mixed",
        })
    }
}

/// A pre-migration check: a query that is true when the object about to be dropped holds
/// no data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DataCheck {
    /// The table or column.
    pub object: String,
    /// The query.
    pub sql: String,
    /// Whether the object holds data (the check failed).
    pub holds_data: bool,
}

/// What [`Reconciler::run`] decided and did.
#[derive(Debug, Clone, Serialize)]
pub struct ReconcileReport {
    /// Up, down, mixed or in sync.
    pub direction: Direction,
    /// The statements planned from the live database.
    pub statements: Vec<String>,
    /// One line per change (`drop table "posts"`).
    pub summary: Vec<String>,
    /// The data checks run before applying.
    pub checks: Vec<DataCheck>,
    /// Whether the plan was applied.
    pub applied: bool,
    /// Fingerprint before.
    pub from: String,
    /// Fingerprint after (the target's).
    pub to: String,
}

/// Why a reconcile stopped without changing anything.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReconcileError {
    /// Objects the plan would drop hold data.
    #[error(
        "reconcile ({direction}) stopped, nothing was changed: it would drop {} that hold(s) data; move or delete the data first, or keep them in the target",
        objects.join(", ")
    )]
    HoldsData {
        /// Which way it was going.
        direction: Direction,
        /// The tables and columns holding data.
        objects: Vec<String>,
    },
}

/// Settings and connections of a reconcile; see [`Reconciler::builder`].
#[derive(Debug, Clone)]
pub struct ReconcilerBuilder {
    url: Option<String>,
    target: Option<ReconcileTarget>,
    dev_url: Option<String>,
    schemas: Vec<String>,
    lock_timeout: Duration,
    dry_run: bool,
}

/// Reconciles a database to a target (see the module docs).
///
/// ```
/// use mercator_migrate::{Source, reconcile::{Direction, Reconciler, ReconcileTarget}};
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let dir = std::env::temp_dir().join(format!("mercator-doc-reconcile-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let url = format!("sqlite://{}", dir.join("app.db").display());
/// let v1 = Source::sql("v1.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY);");
/// let v2 = Source::sql("v2.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);");
///
/// let up = Reconciler::builder().url(&url).target(ReconcileTarget::State(v1.clone())).build().run().await?;
/// assert_eq!(up.direction, Direction::Up);
/// let up = Reconciler::builder().url(&url).target(ReconcileTarget::State(v2)).build().run().await?;
/// assert_eq!(up.direction, Direction::Up);
/// // Back to v1: email holds no data, so the column is dropped.
/// let down = Reconciler::builder().url(&url).target(ReconcileTarget::State(v1)).build().run().await?;
/// assert_eq!(down.direction, Direction::Down);
/// assert!(down.applied && down.checks.iter().all(|c| !c.holds_data));
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), mercator_migrate::MigrateError>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct Reconciler {
    settings: ReconcilerBuilder,
}

impl ReconcilerBuilder {
    /// The database to reconcile (required).
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// Where to take it (required).
    pub fn target(mut self, target: ReconcileTarget) -> Self {
        self.target = Some(target);
        self
    }

    /// The dev database (optional for SQLite).
    pub fn dev_url(mut self, url: impl Into<String>) -> Self {
        self.dev_url = Some(url.into());
        self
    }

    /// Schemas to manage (default: the URL's, or all).
    pub fn schemas(mut self, schemas: Vec<String>) -> Self {
        self.schemas = schemas;
        self
    }

    /// How long to wait for another run on the same database.
    pub fn lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    /// Decide, plan and check, but change nothing.
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    /// The reconciler.
    pub fn build(self) -> Reconciler {
        Reconciler { settings: self }
    }
}

fn versioned(error: VersionedError) -> MigrateError {
    match error {
        VersionedError::Migrate(inner) => *inner,
        other => MigrateError::Versioned(Box::new(other)),
    }
}

/// Up, down, mixed or in sync, from the changes that lead from the database to the target.
pub fn direction_of(changes: &[Change]) -> Direction {
    let mut adds = false;
    let mut drops = false;
    for change in changes {
        match change {
            Change::ModifyTable { changes, .. } => {
                for tc in changes {
                    match tc {
                        TableChange::DropColumn { .. }
                        | TableChange::DropIndex { .. }
                        | TableChange::DropForeignKey { .. }
                        | TableChange::DropCheck { .. }
                        | TableChange::DropPrimaryKey { .. }
                        | TableChange::DropExclusion { .. }
                        | TableChange::DropPolicy { .. } => drops = true,
                        _ => adds = true,
                    }
                }
            }
            c if c.is_drop() => drops = true,
            _ => adds = true,
        }
    }
    match (adds, drops) {
        (false, false) => Direction::InSync,
        (true, false) => Direction::Up,
        (false, true) => Direction::Down,
        (true, true) => Direction::Mixed,
    }
}

impl Reconciler {
    /// Starts configuring a reconcile.
    pub fn builder() -> ReconcilerBuilder {
        ReconcilerBuilder {
            url: None,
            target: None,
            dev_url: None,
            schemas: Vec::new(),
            lock_timeout: Duration::from_secs(10),
            dry_run: false,
        }
    }

    /// Decides, plans, checks, applies and records. When anything it would drop holds data
    /// it stops with [`ReconcileError::HoldsData`] before changing anything.
    pub async fn run(&self) -> Result<ReconcileReport, MigrateError> {
        let s = &self.settings;
        let url = s
            .url
            .as_deref()
            .ok_or(MigrateError::Missing("the database URL"))?;
        match s
            .target
            .as_ref()
            .ok_or(MigrateError::Missing("the reconcile target"))?
        {
            ReconcileTarget::State(source) => self.to_state(url, source).await,
            ReconcileTarget::Version { dir, version } => {
                self.to_version(url, dir, version.as_deref()).await
            }
        }
    }

    async fn to_state(&self, url: &str, source: &Source) -> Result<ReconcileReport, MigrateError> {
        let s = &self.settings;
        let mut builder = SchemaApply::builder()
            .url(url)
            .to(source.clone())
            .schemas(s.schemas.clone())
            .exclude_tables([HISTORY_TABLE])
            .lock_timeout(s.lock_timeout);
        if let Some(dev) = &s.dev_url {
            builder = builder.dev_url(dev);
        }
        let apply = builder.build().await?;
        let target = apply.driver();
        let outcome = async {
            target.lock(SCHEMA_APPLY_LOCK, s.lock_timeout).await?;
            let outcome = self.state_locked(&apply, source).await;
            let unlocked = target.unlock(SCHEMA_APPLY_LOCK).await;
            let report = outcome?;
            unlocked?;
            Ok::<_, MigrateError>(report)
        }
        .await;
        let closed = apply.close().await;
        let report = outcome?;
        closed?;
        Ok(report)
    }

    async fn state_locked(
        &self,
        apply: &SchemaApply,
        source: &Source,
    ) -> Result<ReconcileReport, MigrateError> {
        let planned = apply.plan().await?;
        let direction = direction_of(&planned.changes);
        let driver = apply.driver();
        let checks = run_checks(driver, &planned, apply.bound().is_some()).await?;
        let mut report = report_of(direction, &planned, checks, apply.bound());
        let holding: Vec<String> = report
            .checks
            .iter()
            .filter(|c| c.holds_data)
            .map(|c| c.object.clone())
            .collect();
        if !holding.is_empty() {
            return Err(MigrateError::Reconcile(ReconcileError::HoldsData {
                direction,
                objects: holding,
            }));
        }
        if self.settings.dry_run || planned.is_empty() {
            return Ok(report);
        }
        {
            let mut session = driver.session().await?;
            exec::apply_plan(session.as_mut(), &planned.plan).await?;
        }
        // The run is recorded only once the database is verifiably at the target.
        let after = apply.plan().await?;
        if !after.is_empty()
            || !same_fingerprint(&planned.to_fingerprint, &after.from_fingerprint).unwrap_or(false)
        {
            return Err(MigrateError::Drift {
                expected: planned.to_fingerprint.clone(),
                found: after.from_fingerprint,
            });
        }
        record(driver, direction, &planned, source).await?;
        report.applied = true;
        Ok(report)
    }

    async fn to_version(
        &self,
        url: &str,
        dir: &MigrationDir,
        version: Option<&str>,
    ) -> Result<ReconcileReport, MigrateError> {
        let s = &self.settings;
        let status = Migrator::builder(dir.clone())
            .build()
            .map_err(versioned)?
            .status(url)
            .await
            .map_err(versioned)?;
        let current = status.current.clone();
        let before = fingerprint(&crate::inspect(url, &s.schemas).await?)?;
        let direction = match (current.as_deref(), version) {
            (a, b) if a == b => Direction::InSync,
            (None, Some(_)) => Direction::Up,
            (Some(_), None) => Direction::Down,
            (Some(a), Some(b)) if b > a => Direction::Up,
            _ => Direction::Down,
        };
        let mut report = ReconcileReport {
            direction,
            statements: Vec::new(),
            summary: Vec::new(),
            checks: Vec::new(),
            applied: false,
            from: before.clone(),
            to: before,
        };
        match direction {
            Direction::InSync | Direction::Mixed => return Ok(report),
            Direction::Up => {
                let mut builder = Migrator::builder(dir.clone())
                    .lock_timeout(s.lock_timeout)
                    .dry_run(s.dry_run);
                if let Some(v) = version {
                    builder = builder.to_version(v);
                }
                let applied = builder
                    .build()
                    .map_err(versioned)?
                    .apply(url)
                    .await
                    .map_err(versioned)?;
                report.summary = applied
                    .applied
                    .iter()
                    .map(|f| format!("apply version {}", f.version))
                    .collect();
                report.statements = applied
                    .planned
                    .iter()
                    .flat_map(|f| f.statements.clone())
                    .collect();
                report.applied = !s.dry_run;
            }
            Direction::Down => {
                let options = DownOptions {
                    target: match version {
                        Some(v) => DownTarget::Version(v.to_owned()),
                        None => DownTarget::Steps(status.revisions),
                    },
                    dev_url: s.dev_url.clone(),
                    dry_run: s.dry_run,
                    lock_timeout: s.lock_timeout,
                    revisions: Default::default(),
                };
                let down = migrate_down(dir, url, &options)
                    .await
                    .map_err(|e| match e {
                        VersionedError::HoldsData { object } => {
                            MigrateError::Reconcile(ReconcileError::HoldsData {
                                direction,
                                objects: vec![object],
                            })
                        }
                        other => versioned(other),
                    })?;
                report.summary = down
                    .reverted
                    .iter()
                    .map(|v| format!("revert version {v}"))
                    .collect();
                report.statements = down.statements;
                report.checks = down
                    .checks
                    .into_iter()
                    .map(|sql| DataCheck {
                        object: String::new(),
                        sql,
                        holds_data: false,
                    })
                    .collect();
                report.applied = down.applied;
            }
        }
        report.to = fingerprint(&crate::inspect(url, &s.schemas).await?)?;
        Ok(report)
    }
}

fn report_of(
    direction: Direction,
    planned: &PlannedMigration,
    checks: Vec<DataCheck>,
    bound: Option<&str>,
) -> ReconcileReport {
    ReconcileReport {
        direction,
        statements: planned
            .plan
            .statements
            .iter()
            .map(|s| s.sql.clone())
            .collect(),
        summary: crate::describe_changes(&planned.changes, bound),
        checks,
        applied: false,
        from: planned.from_fingerprint.clone(),
        to: planned.to_fingerprint.clone(),
    }
}

/// Runs a no-data check for every table and column the plan drops.
async fn run_checks(
    driver: &dyn Driver,
    planned: &PlannedMigration,
    bound: bool,
) -> Result<Vec<DataCheck>, MigrateError> {
    let mut out = Vec::new();
    let mut session = driver.session().await?;
    for (object, sql) in data_checks(&planned.changes, driver.kind(), bound) {
        let empty = session
            .query(&sql)
            .await?
            .scalar()
            .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "t" | "true" | "1"));
        out.push(DataCheck {
            object,
            sql,
            holds_data: !empty,
        });
    }
    Ok(out)
}

/// Appends the run to [`HISTORY_TABLE`], creating it on first use.
async fn record(
    driver: &dyn Driver,
    direction: Direction,
    planned: &PlannedMigration,
    source: &Source,
) -> Result<(), MigrateError> {
    let literal = |text: &str| format!("'{}'", text.replace('\'', "''"));
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut session = driver.session().await?;
    session
        .execute(&format!(
            "CREATE TABLE IF NOT EXISTS {HISTORY_TABLE} (executed_at varchar(32) NOT NULL, direction varchar(8) NOT NULL, from_fingerprint varchar(64) NOT NULL, to_fingerprint varchar(64) NOT NULL, statements int NOT NULL, target varchar(1024) NOT NULL)"
        ))
        .await?;
    let target: String = source.to_string().chars().take(1024).collect();
    session
        .execute(&format!(
            "INSERT INTO {HISTORY_TABLE} (executed_at, direction, from_fingerprint, to_fingerprint, statements, target) VALUES ({}, {}, {}, {}, {}, {})",
            literal(&now),
            literal(&direction.to_string()),
            literal(&planned.from_fingerprint),
            literal(&planned.to_fingerprint),
            planned.plan.statements.len(),
            literal(&target),
        ))
        .await?;
    Ok(())
}
