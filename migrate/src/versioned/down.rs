//! `migrate down`: reverting applied files, computed from the database's current state (never
//! from stored down files). The directory is replayed up to the target version on the dev
//! database, the database is diffed against that, and the plan runs only when every table or
//! column it drops holds no data.

use std::time::Duration;

use mercator_driver::{Driver, InspectOptions, REVISIONS_TABLE, RevisionsTable, exec};
use schema_diff::{Change, DialectExt, DiffOptions, PlanOptions, TableChange};
use schema_model::{DialectKind, Realm};
use serde::Serialize;

use super::VersionedError;
use super::migrator::locked;
use super::revisions::read_revisions;
use crate::binding::{adopt_attributes, bind};
use crate::dev::Dev;
use crate::open;

/// How far `migrate down` goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DownTarget {
    /// Revert the last `n` applied files.
    Steps(usize),
    /// Revert every file above this version.
    Version(String),
}

/// What [`migrate_down`] did (or, for a dry run, would do).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DownReport {
    /// The version the database is at afterwards (`None`: no revision left).
    pub target: Option<String>,
    /// The reverted versions, newest first.
    pub reverted: Vec<String>,
    /// The statements of the reverting plan.
    pub statements: Vec<String>,
    /// The pre-migration checks that ran (each must hold).
    pub checks: Vec<String>,
    /// Whether the plan was applied.
    pub applied: bool,
}

/// Options of [`migrate_down`].
#[derive(Debug, Clone)]
pub struct DownOptions {
    /// How far to go.
    pub target: DownTarget,
    /// The dev database (optional for SQLite).
    pub dev_url: Option<String>,
    /// Plan and check only.
    pub dry_run: bool,
    /// Lock wait.
    pub lock_timeout: Duration,
    /// Where the revisions table lives.
    pub revisions: RevisionsTable,
}

/// Reverts applied files of `dir` on the database at `url` (see the module docs).
pub async fn migrate_down(
    dir: &mercator_migrate_dir::MigrationDir,
    url: &str,
    options: &DownOptions,
) -> Result<DownReport, VersionedError> {
    dir.validate()?;
    let driver = open(url).await?;
    let outcome = locked(
        driver.as_ref(),
        options.lock_timeout,
        down_on(dir, driver.as_ref(), options),
    )
    .await;
    let closed = driver.close().await;
    let report = outcome?;
    closed?;
    Ok(report)
}

async fn down_on(
    dir: &mercator_migrate_dir::MigrationDir,
    driver: &dyn Driver,
    options: &DownOptions,
) -> Result<DownReport, VersionedError> {
    let table = &options.revisions;
    let revisions = read_revisions(driver.session().await?.as_mut(), table).await?;
    let versions: Vec<&str> = revisions.iter().map(|r| r.version.as_str()).collect();
    let target: Option<String> = match &options.target {
        DownTarget::Steps(n) => versions
            .len()
            .checked_sub(n + 1)
            .map(|i| versions[i].to_owned()),
        DownTarget::Version(v) => {
            if !versions.contains(&v.as_str()) {
                return Err(VersionedError::UnknownVersion {
                    version: v.clone(),
                    what: "migrate down --to-version (not applied)",
                });
            }
            Some(v.clone())
        }
    };
    let reverted: Vec<String> = versions
        .iter()
        .rev()
        .filter(|v| target.as_deref().is_none_or(|t| **v > t))
        .map(|v| (*v).to_owned())
        .collect();
    let mut report = DownReport {
        target: target.clone(),
        reverted,
        statements: Vec::new(),
        checks: Vec::new(),
        applied: false,
    };
    if report.reverted.is_empty() {
        return Ok(report);
    }
    let kind = driver.kind();
    let dev = Dev::choose(options.dev_url.as_deref(), kind).await?;
    let desired = desired_at(dir, &dev, kind, target.as_deref()).await;
    let closed = dev.close().await;
    let desired = desired?;
    closed?;
    let mut current = driver.inspect(&InspectOptions::default()).await?;
    drop_revisions_table(&mut current);
    let bound = driver.bound_schema().map(str::to_owned);
    let mut desired = match &bound {
        Some(schema) => bind(desired, schema)?,
        None => desired,
    };
    if bound.is_some() {
        adopt_attributes(&mut desired, &current);
    }
    let dialect = driver.dialect();
    let changes = dialect.diff_in_place(&mut current, &mut desired, &DiffOptions::default());
    let plan = dialect
        .plan(
            &changes,
            &PlanOptions {
                unqualified_schema: bound.clone(),
                ..PlanOptions::default()
            },
        )
        .map_err(|e| VersionedError::Driver(Box::new(e.into())))?;
    report.statements = plan.statements.iter().map(|s| s.sql.clone()).collect();
    let checks = data_checks(&changes, kind, bound.is_some());
    {
        let mut session = driver.session().await?;
        for (object, sql) in &checks {
            let empty = session
                .query(sql)
                .await?
                .scalar()
                .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "t" | "true" | "1"));
            if !empty {
                return Err(VersionedError::HoldsData {
                    object: object.clone(),
                });
            }
        }
        report.checks = checks.into_iter().map(|(_, sql)| sql).collect();
        if options.dry_run {
            return Ok(report);
        }
        exec::apply_plan(session.as_mut(), &plan).await?;
        for version in &report.reverted {
            session.delete_revision(table, version).await?;
        }
    }
    report.applied = true;
    Ok(report)
}

/// The schema the directory describes at `target`: its files up to that version replayed on
/// the dev database.
async fn desired_at(
    dir: &mercator_migrate_dir::MigrationDir,
    dev: &Dev,
    kind: DialectKind,
    target: Option<&str>,
) -> Result<Realm, VersionedError> {
    let files: Vec<_> = dir
        .files()
        .iter()
        .filter(|f| target.is_some_and(|t| f.version() <= t))
        .cloned()
        .collect();
    let upto = mercator_migrate_dir::MigrationDir::from_files(files, None);
    match dev {
        Dev::Url(driver) => {
            driver.check_clean().await?;
            let realm = super::diff::replay_and_inspect(&upto, driver.as_ref(), kind).await;
            let reset = driver.reset().await;
            let realm = realm?;
            reset?;
            Ok(realm)
        }
        Dev::Scratch { open, .. } => {
            let driver = open()?;
            super::diff::replay_and_inspect(&upto, driver.as_ref(), kind).await
        }
    }
}

fn drop_revisions_table(realm: &mut Realm) {
    for schema in &mut realm.schemas {
        schema.tables.retain(|t| t.name != REVISIONS_TABLE);
    }
}

/// For every dropped table and column, a query that is true when it holds no data, with the
/// object's description for the error.
pub(crate) fn data_checks(
    changes: &[Change],
    kind: DialectKind,
    bound: bool,
) -> Vec<(String, String)> {
    let table_ref = |schema: &str, table: &str| {
        if bound {
            quote(kind, table)
        } else {
            format!("{}.{}", quote(kind, schema), quote(kind, table))
        }
    };
    let mut checks = Vec::new();
    for change in changes {
        match change {
            Change::DropTable { schema, table } => checks.push((
                format!("table {:?}", table.name),
                format!(
                    "SELECT NOT EXISTS (SELECT 1 FROM {})",
                    table_ref(schema, &table.name)
                ),
            )),
            Change::ModifyTable {
                schema,
                from,
                changes,
                ..
            } => {
                for tc in changes {
                    if let TableChange::DropColumn { column } = tc {
                        checks.push((
                            format!("column {:?} of table {:?}", column.name, from.name),
                            format!(
                                "SELECT NOT EXISTS (SELECT 1 FROM {} WHERE {} IS NOT NULL)",
                                table_ref(schema, &from.name),
                                quote(kind, &column.name)
                            ),
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    checks
}

/// Quotes an identifier for the checks (MySQL uses backticks, the others double quotes).
fn quote(kind: DialectKind, name: &str) -> String {
    match kind {
        DialectKind::Mysql => format!("`{}`", name.replace('`', "``")),
        _ => format!("\"{}\"", name.replace('"', "\"\"")),
    }
}
