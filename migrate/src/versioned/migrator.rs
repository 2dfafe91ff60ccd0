//! [`Migrator`]: applies a migration directory's pending files to a database under a lock,
//! and reports or changes what the revisions table records (status, set).

use std::time::Duration;

use mercator_driver::{Driver, InspectOptions, Revision, RevisionKind, RevisionsTable, Session};
use mercator_migrate_dir::{MigrationDir, MigrationFile, TxMode};
use schema_model::{DialectKind, Realm};
use serde::Serialize;
use tracing::Instrument;

use super::VersionedError;
use super::execute::{AppliedFile, FileRun, OPERATOR_VERSION, run_file};
use super::pending::{ExecOrder, Selection, pending_after, select};
use super::preflight::{PreflightRun, check_pending, may_depend_on_data};
use super::revisions::read_revisions;
use crate::open;

/// The advisory lock every applier of one database takes (Atlas's name, so Atlas and
/// Mercator appliers exclude each other).
pub const MIGRATE_LOCK: &str = "atlas_migrate_execute";

/// Settings for a [`Migrator`]; see [`Migrator::builder`].
#[derive(Debug, Clone)]
pub struct MigratorBuilder {
    dir: MigrationDir,
    lock_timeout: Duration,
    baseline: Option<String>,
    revisions_schema: Option<String>,
    exec_order: ExecOrder,
    to_version: Option<String>,
    limit: Option<usize>,
    allow_dirty: bool,
    dry_run: bool,
    tx_mode: TxMode,
    preflight: bool,
    dev_url: Option<String>,
}

impl MigratorBuilder {
    /// Turns the pre-flight data checks off (`--skip-preflight`). They are on by default:
    /// before the first pending statement runs, the pending files are analyzed on a dev
    /// database and read-only queries prove the existing rows fit their data-dependent
    /// changes (unique indexes, NOT NULL, checks, foreign keys, narrowed types); a run
    /// whose data does not fit stops with nothing applied
    /// ([`VersionedError::PreflightFailed`]).
    pub fn skip_preflight(mut self, skip: bool) -> Self {
        self.preflight = !skip;
        self
    }

    /// The dev database the pre-flight analysis runs the pending files on. SQLite uses a
    /// private in-memory database without one; PostgreSQL and MySQL skip the checks
    /// without one ([`PreflightRun::Skipped`]).
    pub fn dev_url(mut self, url: impl Into<String>) -> Self {
        self.dev_url = Some(url.into());
        self
    }

    /// How long to wait for another applier to finish (default 10 s).
    pub fn lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    /// On a database without revisions, mark this version as the baseline (its schema is
    /// already there) and apply only the files after it.
    pub fn baseline(mut self, version: impl Into<String>) -> Self {
        self.baseline = Some(version.into());
        self
    }

    /// The schema (MySQL database) holding the revisions table.
    pub fn revisions_schema(mut self, schema: impl Into<String>) -> Self {
        self.revisions_schema = Some(schema.into());
        self
    }

    /// What to do with unapplied files older than the last revision (default: error).
    pub fn exec_order(mut self, order: ExecOrder) -> Self {
        self.exec_order = order;
        self
    }

    /// Apply files up to and including this version only.
    pub fn to_version(mut self, version: impl Into<String>) -> Self {
        self.to_version = Some(version.into());
        self
    }

    /// Apply at most `n` files.
    pub fn limit(mut self, n: usize) -> Self {
        self.limit = Some(n);
        self
    }

    /// Allow a first run on a database that already holds objects.
    pub fn allow_dirty(mut self, allow: bool) -> Self {
        self.allow_dirty = allow;
        self
    }

    /// Report what would run without running it (nothing is written, not even the
    /// revisions table).
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    /// The run-wide transaction mode (default `file`); a file's `atlas:txmode` wins.
    pub fn tx_mode(mut self, mode: TxMode) -> Self {
        self.tx_mode = mode;
        self
    }

    /// Checks the directory against its `atlas.sum` and returns the migrator.
    pub fn build(self) -> Result<Migrator, VersionedError> {
        self.dir.validate()?;
        if let Some(version) = &self.baseline
            && self.dir.file_by_version(version).is_none()
        {
            return Err(VersionedError::UnknownVersion {
                version: version.clone(),
                what: "baseline",
            });
        }
        Ok(Migrator { settings: self })
    }
}

/// What [`Migrator::apply`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MigrateReport {
    /// The database's version before the run (`None`: no revision yet).
    pub from_version: Option<String>,
    /// The version after the run (for a dry run, the version it would reach).
    pub to_version: Option<String>,
    /// The baseline written by this run, if any.
    pub baseline: Option<String>,
    /// The files that ran, in order (for a dry run: would run, with no statements counted).
    pub applied: Vec<AppliedFile>,
    /// For a dry run, the statements each pending file would execute.
    pub planned: Vec<PlannedFile>,
    /// Whether this was a dry run.
    pub dry_run: bool,
    /// What the pre-flight data checks did.
    pub preflight: PreflightRun,
}

/// A file a dry run would execute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedFile {
    /// The file name.
    pub name: String,
    /// The statements it would run (after any already applied).
    pub statements: Vec<String>,
}

/// The state of a database against a directory (`migrate status`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MigrateStatus {
    /// `OK` (nothing pending), `PENDING` or `FAILED` (the last file failed).
    pub status: &'static str,
    /// The last fully applied version.
    pub current: Option<String>,
    /// The next file's version.
    pub next: Option<String>,
    /// The pending files' names.
    pub pending: Vec<String>,
    /// Revisions in the database.
    pub revisions: usize,
    /// The last failure, if the last revision failed.
    pub error: Option<RevisionError>,
}

/// A failed revision's error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RevisionError {
    /// The file's version.
    pub version: String,
    /// The database's message.
    pub message: String,
    /// The statement that failed.
    pub statement: Option<String>,
}

/// What [`Migrator::set`] changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SetReport {
    /// Versions marked applied.
    pub marked: Vec<String>,
    /// Versions whose revision was removed.
    pub removed: Vec<String>,
}

/// Applies a migration directory — from disk, or embedded with
/// [`embed_migrations!`](crate::embed_migrations) — to any database URL: the pending files
/// run under the lock [`MIGRATE_LOCK`], each recorded in Atlas's revisions table. No dev
/// database is needed.
///
/// ```
/// use mercator_migrate::{Migrator, dir::{MigrationDir, MigrationFile}};
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let mut dir = MigrationDir::default();
/// dir.add_file(MigrationFile::new("1_users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY);\n"))?;
/// dir.add_file(MigrationFile::new("2_posts.sql", "CREATE TABLE posts (id INTEGER PRIMARY KEY);\n"))?;
/// let db = std::env::temp_dir().join(format!("mercator-doc-migrator-{}.db", std::process::id()));
/// let url = format!("sqlite://{}", db.display());
///
/// let migrator = Migrator::builder(dir).build()?;
/// let report = migrator.apply(&url).await?;
/// assert_eq!(report.applied.len(), 2);
/// assert_eq!(report.to_version.as_deref(), Some("2"));
/// assert!(migrator.apply(&url).await?.applied.is_empty());
/// # std::fs::remove_file(&db).ok();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct Migrator {
    settings: MigratorBuilder,
}

impl Migrator {
    /// Starts configuring a migrator for `dir` (a [`MigrationDir`] or an embedded one).
    pub fn builder(dir: impl Into<MigrationDir>) -> MigratorBuilder {
        MigratorBuilder {
            dir: dir.into(),
            lock_timeout: Duration::from_secs(10),
            baseline: None,
            revisions_schema: None,
            exec_order: ExecOrder::Linear,
            to_version: None,
            limit: None,
            allow_dirty: false,
            dry_run: false,
            tx_mode: TxMode::File,
            preflight: true,
            dev_url: None,
        }
    }

    /// The directory.
    pub fn dir(&self) -> &MigrationDir {
        &self.settings.dir
    }

    /// Where the revisions table lives.
    pub fn revisions_table(&self) -> RevisionsTable {
        match &self.settings.revisions_schema {
            Some(schema) => RevisionsTable::in_schema(schema.clone()),
            None => RevisionsTable::default(),
        }
    }

    /// Connects to `url`, applies the pending files and closes the connection.
    pub async fn apply(&self, url: &str) -> Result<MigrateReport, VersionedError> {
        let driver = open(url).await?;
        let report = self.apply_on(driver.as_ref()).await;
        let closed = driver.close().await;
        let report = report?;
        closed?;
        Ok(report)
    }

    /// Applies the pending files through an open driver.
    pub async fn apply_on(&self, driver: &dyn Driver) -> Result<MigrateReport, VersionedError> {
        if self.settings.dry_run {
            return self.apply_locked(driver).await;
        }
        locked(
            driver,
            self.settings.lock_timeout,
            self.apply_locked(driver),
        )
        .await
    }

    async fn apply_locked(&self, driver: &dyn Driver) -> Result<MigrateReport, VersionedError> {
        let s = &self.settings;
        let table = self.revisions_table();
        let revisions = {
            let mut session = driver.session().await?;
            if !s.dry_run {
                session.ensure_revisions_table(&table).await?;
            }
            read_revisions(session.as_mut(), &table).await?
        };
        let files = s.dir.files();
        let from_version = current_version(&revisions);
        let mut baseline = None;
        let pending: Vec<&MigrationFile> = if revisions.is_empty() {
            if let Some(version) = &s.baseline {
                let at = files
                    .iter()
                    .position(|f| f.version() == version)
                    .ok_or_else(|| VersionedError::UnknownVersion {
                        version: version.clone(),
                        what: "baseline",
                    })?;
                baseline = Some(&files[at]);
                files[at + 1..].iter().collect()
            } else {
                if !s.allow_dirty {
                    ensure_clean(&driver.inspect(&InspectOptions::default()).await?, &table)?;
                }
                s.dir.files_from_last_checkpoint()?.iter().collect()
            }
        } else {
            pending_after(files, &revisions, s.exec_order)?
        };
        let selection = Selection {
            to_version: s.to_version.clone(),
            limit: s.limit,
        };
        let pending = select(pending, files, &selection)?;
        let runs = self.parse(driver.kind(), &pending, &revisions)?;
        let to_version = runs
            .last()
            .map(|r| r.file.version().to_owned())
            .or_else(|| baseline.map(|f| f.version().to_owned()))
            .or_else(|| from_version.clone());
        let mut report = MigrateReport {
            from_version,
            to_version,
            baseline: baseline.map(|f| f.version().to_owned()),
            applied: Vec::new(),
            planned: Vec::new(),
            dry_run: s.dry_run,
            preflight: PreflightRun::Off,
        };
        if s.dry_run {
            report.planned = runs
                .iter()
                .map(|run| PlannedFile {
                    name: run.file.name().to_owned(),
                    statements: run
                        .parsed
                        .statements
                        .iter()
                        .skip(
                            run.previous
                                .as_ref()
                                .map_or(0, |p| p.applied.max(0) as usize),
                        )
                        .map(|st| st.text.clone())
                        .collect(),
                })
                .collect();
            return Ok(report);
        }
        let data_dependent = runs.iter().any(|r| {
            r.parsed
                .statements
                .iter()
                .any(|st| may_depend_on_data(&st.text))
        });
        if s.preflight && data_dependent {
            let pending: Vec<&MigrationFile> = runs.iter().map(|r| r.file).collect();
            report.preflight = check_pending(driver, files, &pending, s.dev_url.as_deref()).await?;
        }
        let mut session = driver.session().await?;
        if let Some(file) = baseline {
            session
                .write_revision(&table, &baseline_revision(&s.dir, file))
                .await?;
        }
        let outer_tx = s.tx_mode == TxMode::All && session.transactional_ddl();
        if outer_tx {
            session.begin(mercator_driver::TxOptions::default()).await?;
        }
        for run in &runs {
            let span = tracing::info_span!("migration_file", file = run.file.name());
            match run_file(session.as_mut(), &table, run, s.tx_mode, outer_tx)
                .instrument(span)
                .await
            {
                Ok(applied) => report.applied.push(applied),
                Err(error) => return Err(error),
            }
        }
        if outer_tx {
            session.commit().await?;
        }
        Ok(report)
    }

    /// Parses every pending file before any runs, so a bad directive or an unterminated
    /// statement stops the run with nothing executed.
    fn parse<'a>(
        &self,
        kind: DialectKind,
        pending: &[&'a MigrationFile],
        revisions: &[Revision],
    ) -> Result<Vec<FileRun<'a>>, VersionedError> {
        let sum = self.settings.dir.compute_sum();
        pending
            .iter()
            .map(|file| {
                Ok(FileRun {
                    file,
                    parsed: file.parse(kind)?,
                    hash: sum.hash_of(file.name()).unwrap_or_default().to_owned(),
                    previous: revisions
                        .iter()
                        .find(|r| r.version == file.version())
                        .cloned(),
                })
            })
            .collect()
    }

    /// Connects to `url` and reports its state against the directory. Writes nothing.
    pub async fn status(&self, url: &str) -> Result<MigrateStatus, VersionedError> {
        let driver = open(url).await?;
        let status = self.status_on(driver.as_ref()).await;
        let closed = driver.close().await;
        let status = status?;
        closed?;
        Ok(status)
    }

    /// [`Migrator::status`] through an open driver.
    pub async fn status_on(&self, driver: &dyn Driver) -> Result<MigrateStatus, VersionedError> {
        let table = self.revisions_table();
        let revisions = read_revisions(driver.session().await?.as_mut(), &table).await?;
        let files = self.settings.dir.files();
        let pending: Vec<&MigrationFile> = if revisions.is_empty() {
            self.settings
                .dir
                .files_from_last_checkpoint()?
                .iter()
                .collect()
        } else {
            pending_after(files, &revisions, self.settings.exec_order)?
        };
        let error = revisions.last().and_then(|r| {
            r.error.as_ref().map(|message| RevisionError {
                version: r.version.clone(),
                message: message.clone(),
                statement: r.error_stmt.clone(),
            })
        });
        let status = match (&error, pending.is_empty()) {
            (Some(_), _) => "FAILED",
            (None, true) => "OK",
            (None, false) => "PENDING",
        };
        Ok(MigrateStatus {
            status,
            current: current_version(&revisions),
            next: pending.first().map(|f| f.version().to_owned()),
            pending: pending.iter().map(|f| f.name().to_owned()).collect(),
            revisions: revisions.len(),
            error,
        })
    }

    /// Connects to `url` and makes the revisions table say that exactly the files up to
    /// `version` are applied (none for `None`), without running anything: missing rows are
    /// added as resolved by hand, rows above `version` are removed.
    pub async fn set(&self, url: &str, version: Option<&str>) -> Result<SetReport, VersionedError> {
        let driver = open(url).await?;
        let report = locked(
            driver.as_ref(),
            self.settings.lock_timeout,
            self.set_on(driver.as_ref(), version),
        )
        .await;
        let closed = driver.close().await;
        let report = report?;
        closed?;
        Ok(report)
    }

    async fn set_on(
        &self,
        driver: &dyn Driver,
        version: Option<&str>,
    ) -> Result<SetReport, VersionedError> {
        let dir = &self.settings.dir;
        if let Some(v) = version
            && dir.file_by_version(v).is_none()
        {
            return Err(VersionedError::UnknownVersion {
                version: v.to_owned(),
                what: "migrate set",
            });
        }
        let table = self.revisions_table();
        let mut session = driver.session().await?;
        session.ensure_revisions_table(&table).await?;
        let revisions = read_revisions(session.as_mut(), &table).await?;
        let mut report = SetReport::default();
        for revision in &revisions {
            if version.is_none_or(|v| revision.version.as_str() > v) {
                session.delete_revision(&table, &revision.version).await?;
                report.removed.push(revision.version.clone());
            }
        }
        let Some(version) = version else {
            return Ok(report);
        };
        for file in dir.files().iter().filter(|f| f.version() <= version) {
            let existing = revisions.iter().find(|r| r.version == file.version());
            if existing.is_some_and(Revision::is_complete) {
                continue;
            }
            let total = file
                .parse(driver.kind())
                .map(|p| p.statements.len())
                .unwrap_or(0) as i64;
            let mut revision = baseline_revision(dir, file);
            revision.kind = existing.map_or(RevisionKind::RESOLVED, |r| {
                r.kind.with(RevisionKind::RESOLVED)
            });
            revision.applied = total;
            revision.total = total;
            write(session.as_mut(), &table, &revision).await?;
            report.marked.push(file.version().to_owned());
        }
        Ok(report)
    }
}

async fn write(
    session: &mut dyn Session,
    table: &RevisionsTable,
    revision: &Revision,
) -> Result<(), VersionedError> {
    Ok(session.write_revision(table, revision).await?)
}

/// Runs `work` holding [`MIGRATE_LOCK`] and, on a URL bound to one schema of a server
/// whose locks reach further (a PostgreSQL database, a MySQL server), also that schema's
/// own lock ([`schema_lock`]), releasing both whatever happens.
///
/// [`MIGRATE_LOCK`] is the name Atlas uses, so Atlas and Mercator exclude each other; the
/// schema's lock is the one a fleet run takes per tenant (fleet workers skip the
/// database-wide name so tenants run side by side), so a single-tenant run and a fleet run
/// on the same tenant exclude each other too.
pub(crate) async fn locked<T>(
    driver: &dyn Driver,
    timeout: Duration,
    work: impl std::future::Future<Output = Result<T, VersionedError>>,
) -> Result<T, VersionedError> {
    let mut names = vec![MIGRATE_LOCK.to_owned()];
    if let (DialectKind::Postgres | DialectKind::Mysql, Some(schema)) =
        (driver.kind(), driver.bound_schema())
    {
        names.push(schema_lock(schema));
    }
    let mut held = Vec::new();
    let mut outcome = Ok(());
    for name in &names {
        let taken = driver
            .lock(name, timeout)
            .instrument(tracing::info_span!("lock", name = name.as_str()))
            .await;
        match taken {
            Ok(()) => held.push(name),
            Err(err) => {
                outcome = Err(VersionedError::from(err));
                break;
            }
        }
    }
    let outcome = match outcome {
        Ok(()) => work.await,
        Err(err) => Err(err),
    };
    // The locks also end with the connection; an unlock failure must not hide the outcome.
    let mut unlocked = Ok(());
    for name in held.into_iter().rev() {
        unlocked = unlocked.and(driver.unlock(name).await);
    }
    let value = outcome?;
    unlocked?;
    Ok(value)
}

/// The versioned-apply lock of one schema: `atlas_migrate_execute.<schema>`, with the
/// schema hashed when the name would pass MySQL's 64-character limit on lock names.
pub(crate) fn schema_lock(schema: &str) -> String {
    let full = format!("{MIGRATE_LOCK}.{schema}");
    if full.len() <= 64 {
        return full;
    }
    // FNV-1a: stable across runs and versions, unlike std's hasher.
    let hash = schema.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("{MIGRATE_LOCK}.{hash:016x}")
}

/// The last version whose file fully ran (or was marked).
fn current_version(revisions: &[Revision]) -> Option<String> {
    revisions
        .iter()
        .rev()
        .find(|r| r.is_complete())
        .map(|r| r.version.clone())
}

fn baseline_revision(dir: &MigrationDir, file: &MigrationFile) -> Revision {
    Revision {
        version: file.version().to_owned(),
        description: file.description().to_owned(),
        kind: RevisionKind::BASELINE,
        applied: 0,
        total: 0,
        executed_at: chrono::Utc::now(),
        execution_time: Duration::ZERO,
        error: None,
        error_stmt: None,
        hash: dir.hash_of(file.name()).unwrap_or_default(),
        partial_hashes: None,
        operator_version: OPERATOR_VERSION.to_owned(),
    }
}

/// A first run needs an empty database: it fails naming the first object found. The
/// revisions table itself, just created, does not count.
fn ensure_clean(realm: &Realm, revisions: &RevisionsTable) -> Result<(), VersionedError> {
    for schema in &realm.schemas {
        let found = schema
            .tables
            .iter()
            .find(|t| t.name != revisions.name)
            .map(|t| format!("table {:?}", t.name))
            .or_else(|| schema.views.first().map(|v| format!("view {:?}", v.name)))
            .or_else(|| schema.routines.first().map(|_| "a routine".to_owned()))
            .or_else(|| schema.enums.first().map(|e| format!("type {:?}", e.name)));
        if let Some(found) = found {
            return Err(VersionedError::NotClean {
                found: format!("{found} in schema {:?}", schema.name),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::schema_lock;

    #[test]
    fn schema_locks_fit_mysql() {
        assert_eq!(schema_lock("t1"), "atlas_migrate_execute.t1");
        let long = schema_lock(&"x".repeat(64));
        assert!(long.len() <= 64, "{long}");
        assert_ne!(long, schema_lock(&"y".repeat(64)));
    }
}
