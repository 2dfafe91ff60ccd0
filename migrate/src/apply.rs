//! The declarative workflow: plan the changes that bring a database to a desired schema,
//! then apply them under a lock, refusing when the database moved in between.

use std::time::Duration;

use mercator_driver::{Driver, InspectOptions, exec};
use schema_diff::{Change, DialectExt, DiffOptions, Plan};
use schema_model::{Realm, fingerprint};
use tracing::Instrument;

use crate::binding::{adopt_attributes, bind, select};
use crate::dev::{Dev, realm_of};
use crate::open::{dialect_of, ensure_same};
use crate::{MigrateError, Source, open};

/// The advisory lock held while a declarative plan is applied.
pub const SCHEMA_APPLY_LOCK: &str = "mercator_schema_apply";

/// The lock a declarative apply holds on one schema (besides [`SCHEMA_APPLY_LOCK`] for a
/// single run): `mercator_schema_apply.<schema>`.
pub fn schema_apply_lock(schema: &str) -> String {
    format!("{SCHEMA_APPLY_LOCK}.{schema}")
}

/// What a plan does and the states it goes between.
#[derive(Debug, Clone)]
pub struct PlannedMigration {
    /// The changes, in the order they are applied.
    pub changes: Vec<Change>,
    /// The SQL that carries them out.
    pub plan: Plan,
    /// Fingerprint of the database's schema the plan was made against.
    pub from_fingerprint: String,
    /// Fingerprint of the desired schema.
    pub to_fingerprint: String,
    /// The database's schema when planned.
    pub current: Realm,
    /// The desired schema, named as in the database.
    pub desired: Realm,
}

impl PlannedMigration {
    /// Whether the database already has the desired schema.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Drops and adds in this plan that may be renames (a column or table dropped and one
    /// of the same shape added): ask about them, and plan again with the confirmed ones
    /// ([`SchemaApply::with_renames`]) so the data is kept.
    pub fn rename_candidates(&self) -> Vec<schema_diff::RenameHint> {
        schema_diff::rename_candidates(&self.changes)
    }
}

/// What [`SchemaApply::run`] did.
#[derive(Debug, Clone)]
pub struct ApplyReport {
    /// The plan made under the lock.
    pub planned: PlannedMigration,
    /// Whether it was applied (false when there was nothing to do or it was not approved).
    pub applied: bool,
}

/// Settings for [`SchemaApply`]; see [`SchemaApply::builder`].
#[derive(Debug, Clone)]
pub struct SchemaApplyBuilder {
    url: Option<String>,
    // The rest is also read by a fleet's declarative apply (`fleet/schema.rs`), which
    // takes the same settings for every tenant.
    pub(crate) to: Option<Source>,
    pub(crate) dev_url: Option<String>,
    pub(crate) schemas: Vec<String>,
    pub(crate) exclude_tables: Vec<String>,
    pub(crate) diff_options: DiffOptions,
    pub(crate) lock_timeout: Duration,
    // `diff { concurrent_index }` (project.rs).
    pub(crate) concurrent: crate::project::ConcurrentIndexes,
    // lint: how plans are reviewed (see `crate::lint::gate`).
    pub(crate) review: crate::lint::ReviewSettings,
}

impl Default for SchemaApplyBuilder {
    fn default() -> Self {
        SchemaApplyBuilder {
            url: None,
            to: None,
            dev_url: None,
            schemas: Vec::new(),
            exclude_tables: Vec::new(),
            diff_options: DiffOptions::default(),
            lock_timeout: Duration::from_secs(10),
            concurrent: crate::project::ConcurrentIndexes::default(),
            review: crate::lint::ReviewSettings::default(),
        }
    }
}

impl SchemaApplyBuilder {
    /// The database to migrate (required).
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// The desired schema (required).
    pub fn to(mut self, source: Source) -> Self {
        self.to = Some(source);
        self
    }

    /// The dev database that turns SQL files into a schema. Optional for SQLite targets
    /// (an in-memory database is used), required for PostgreSQL and MySQL when the desired
    /// schema is given as files.
    pub fn dev_url(mut self, url: impl Into<String>) -> Self {
        self.dev_url = Some(url.into());
        self
    }

    /// Restrict the comparison to these schemas (default: the URL's schema when it is
    /// bound to one, otherwise all of them).
    pub fn schemas<I, S>(mut self, schemas: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.schemas = schemas.into_iter().map(Into::into).collect();
        self
    }

    /// Leave tables of these names out of the comparison.
    pub fn exclude_tables<I, S>(mut self, tables: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.exclude_tables = tables.into_iter().map(Into::into).collect();
        self
    }

    /// Diff policies (skipped drops, rename hints).
    pub fn diff_options(mut self, options: DiffOptions) -> Self {
        self.diff_options = options;
        self
    }

    /// Create and/or drop PostgreSQL indexes on existing tables `CONCURRENTLY`, outside the
    /// plan's transaction (`diff { concurrent_index { … } }`).
    pub fn concurrent_indexes(mut self, concurrent: crate::project::ConcurrentIndexes) -> Self {
        self.concurrent = concurrent;
        self
    }

    /// How long to wait for another apply to finish (default 10 s).
    pub fn lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    /// Connects to the target (and dev) database.
    pub async fn build(self) -> Result<SchemaApply, MigrateError> {
        let url = self.url.ok_or(MigrateError::Missing("the database URL"))?;
        let to = self
            .to
            .ok_or(MigrateError::Missing("the desired schema source"))?;
        let kind = dialect_of(&url)?;
        if let Source::Database(other) = &to {
            ensure_same(kind, dialect_of(other)?)?;
        }
        if let Some(dev_url) = &self.dev_url {
            ensure_same(kind, dialect_of(dev_url)?)?;
        }
        let dev = match &to {
            Source::Database(_) => None,
            _ => Some(Dev::choose(self.dev_url.as_deref(), kind).await?),
        };
        // Read before connecting: a misplaced directive is the SQL's fault, found first.
        let sql_renames = crate::renames::read(&to, kind)?;
        let target = open(&url).await?;
        if let Some(dev) = &dev {
            check_dev_binding(target.bound_schema(), dev.bound_schema())?;
        }
        Ok(SchemaApply {
            target,
            dev,
            to,
            sql_renames,
            schemas: self.schemas,
            exclude_tables: self.exclude_tables,
            diff_options: self.diff_options,
            lock_timeout: self.lock_timeout,
            concurrent: self.concurrent,
            review: self.review,
        })
    }
}

/// An unbound target needs an unbound dev database (see [`MigrateError::DevBinding`]).
/// In-memory SQLite dev databases are always bound to `main`, like SQLite targets.
pub(crate) fn check_dev_binding(
    target: Option<&str>,
    dev: Option<&str>,
) -> Result<(), MigrateError> {
    match (target, dev) {
        (None, Some(dev_schema)) => Err(MigrateError::DevBinding {
            dev_schema: dev_schema.to_owned(),
        }),
        _ => Ok(()),
    }
}

/// Brings a database to a desired schema (Atlas's `schema apply`).
///
/// ```
/// use mercator_migrate::{SchemaApply, Source};
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let dir = std::env::temp_dir().join(format!("mercator-doc-apply-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// std::fs::write(dir.join("schema.sql"), "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);").unwrap();
/// let url = format!("sqlite://{}", dir.join("app.db").display());
///
/// let apply = SchemaApply::builder()
///     .url(&url)
///     .to(Source::file(dir.join("schema.sql")))
///     .build()
///     .await?;
/// let planned = apply.plan().await?;
/// assert!(planned.plan.to_sql().contains("CREATE TABLE"));
/// apply.apply(&planned).await?;
/// assert!(apply.plan().await?.is_empty());
/// apply.close().await?;
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), mercator_migrate::MigrateError>(())
/// # }).unwrap();
/// ```
pub struct SchemaApply {
    target: Box<dyn Driver>,
    dev: Option<Dev>,
    to: Source,
    // `-- mercator:renamed-from` directives of the desired SQL (renames.rs).
    sql_renames: Vec<sqlimport::RenameDirective>,
    schemas: Vec<String>,
    exclude_tables: Vec<String>,
    diff_options: DiffOptions,
    lock_timeout: Duration,
    concurrent: crate::project::ConcurrentIndexes,
    // lint: how plans are reviewed (see `crate::lint::gate`).
    pub(crate) review: crate::lint::ReviewSettings,
}

impl SchemaApply {
    /// Starts configuring an apply.
    pub fn builder() -> SchemaApplyBuilder {
        SchemaApplyBuilder::default()
    }

    /// The same apply, planning these drop-and-add pairs as renames from now on.
    #[must_use]
    pub fn with_renames(
        mut self,
        hints: impl IntoIterator<Item = schema_diff::RenameHint>,
    ) -> Self {
        self.diff_options.renames.extend(hints);
        self
    }

    /// The target database's driver.
    pub fn driver(&self) -> &dyn Driver {
        self.target.as_ref()
    }

    /// The schema names are compared under: the target's bound schema unless schemas were
    /// chosen explicitly.
    pub(crate) fn bound(&self) -> Option<&str> {
        match self.schemas.as_slice() {
            [] => self.target.bound_schema(),
            [only] if self.target.bound_schema() == Some(only.as_str()) => Some(only),
            _ => None,
        }
    }

    fn inspect_options(&self) -> InspectOptions {
        InspectOptions {
            schemas: self.schemas.clone(),
            exclude_tables: self.exclude_tables.clone(),
            only_tables: None,
        }
    }

    pub(crate) async fn current(&self) -> Result<Realm, MigrateError> {
        Ok(self.target.inspect(&self.inspect_options()).await?)
    }

    async fn desired(&self) -> Result<Realm, MigrateError> {
        let realm = realm_of(&self.to, self.dev.as_ref(), &self.inspect_options()).await?;
        self.shape_desired(realm)
    }

    /// The desired state if it can be read without the apply lock: from a database, or
    /// loaded in a space of this run's own. `None` when loading needs the shared dev
    /// database, which only one run may use at a time.
    pub(crate) async fn desired_unlocked(&self) -> Result<Option<Realm>, MigrateError> {
        let realm = match (&self.to, &self.dev) {
            (Source::Database(_), _) => {
                Some(realm_of(&self.to, None, &self.inspect_options()).await?)
            }
            (sql, Some(dev)) => dev.load_isolated(sql).await?,
            (_, None) => return Err(MigrateError::Missing("a dev database URL (--dev-url)")),
        };
        realm.map(|r| self.shape_desired(r)).transpose()
    }

    fn shape_desired(&self, realm: Realm) -> Result<Realm, MigrateError> {
        let mut realm = select(realm, &self.schemas);
        for schema in &mut realm.schemas {
            schema
                .tables
                .retain(|t| !self.exclude_tables.contains(&t.name));
        }
        match self.bound() {
            Some(bound) => bind(realm, bound),
            None => Ok(realm),
        }
    }

    /// Computes the changes from the database's current schema to the desired one. The
    /// database and the desired state are read at the same time.
    pub async fn plan(&self) -> Result<PlannedMigration, MigrateError> {
        let (current, desired) = tokio::try_join!(self.current(), self.desired())?;
        self.plan_between(current, desired)
    }

    pub(crate) fn plan_between(
        &self,
        current: Realm,
        mut desired: Realm,
    ) -> Result<PlannedMigration, MigrateError> {
        if self.bound().is_some() {
            adopt_attributes(&mut desired, &current);
        }
        let from_fingerprint = fingerprint(&current)?;
        let to_fingerprint = fingerprint(&desired)?;
        let dialect = self.target.dialect();
        let options = self.diff_options_for(&current, &desired)?;
        // An inspected realm is already in the dialect's canonical form, so normalizing it
        // in place changes nothing the fingerprint above describes.
        let mut current = current;
        let changes = dialect.diff_in_place(&mut current, &mut desired, &options);
        let mut plan = dialect.plan(
            &changes,
            &crate::project::plan_options(self.bound().map(str::to_owned), self.concurrent),
        )?;
        crate::project::keep_concurrency(&mut plan, self.concurrent);
        Ok(PlannedMigration {
            changes,
            plan,
            from_fingerprint,
            to_fingerprint,
            current,
            desired,
        })
    }

    /// The diff options with the desired SQL's rename directives that still apply between
    /// these states.
    fn diff_options_for(
        &self,
        current: &Realm,
        desired: &Realm,
    ) -> Result<std::borrow::Cow<'_, DiffOptions>, MigrateError> {
        if self.sql_renames.is_empty() {
            return Ok(std::borrow::Cow::Borrowed(&self.diff_options));
        }
        let mut options = self.diff_options.clone();
        for hint in crate::renames::resolve(&self.sql_renames, current, desired)? {
            if !options.renames.contains(&hint) {
                options.renames.push(hint);
            }
        }
        Ok(std::borrow::Cow::Owned(options))
    }

    /// Applies a plan made by [`SchemaApply::plan`], under the advisory lock
    /// [`SCHEMA_APPLY_LOCK`]. Refuses with [`MigrateError::Drift`] when the database's
    /// schema is no longer the one the plan was made against.
    pub async fn apply(&self, planned: &PlannedMigration) -> Result<(), MigrateError> {
        if planned.plan.is_empty() {
            return Ok(());
        }
        self.locked(async {
            let found = fingerprint(&self.current().await?)?;
            if found != planned.from_fingerprint {
                return Err(MigrateError::Drift {
                    expected: planned.from_fingerprint.clone(),
                    found,
                });
            }
            self.execute(&planned.plan).await
        })
        .await
    }

    /// Locks, then plans, asks `approve`, and applies, all under the lock
    /// [`SCHEMA_APPLY_LOCK`]: of several processes starting at once, the first applies and
    /// the others, once it is done, find nothing left to do.
    ///
    /// `approve` sees the plan (never called when there is nothing to do) and says whether
    /// to apply it.
    pub async fn run(
        &self,
        approve: impl FnOnce(&PlannedMigration) -> bool + Send,
    ) -> Result<ApplyReport, MigrateError> {
        // The desired state does not depend on the target: where it can be loaded in a space
        // of this run's own, replicas load at the same time and only take turns to plan and
        // apply.
        let early = self.desired_unlocked().await?;
        self.locked(async {
            let planned = match early {
                Some(desired) => self.plan_between(self.current().await?, desired)?,
                None => self.plan().await?,
            };
            if planned.is_empty() {
                return Ok(ApplyReport {
                    planned,
                    applied: false,
                });
            }
            if !approve(&planned) {
                return Ok(ApplyReport {
                    planned,
                    applied: false,
                });
            }
            self.execute(&planned.plan).await?;
            Ok(ApplyReport {
                planned,
                applied: true,
            })
        })
        .await
    }

    /// Runs `work` holding the apply lock, releasing it whatever happens. A target bound
    /// to a schema also takes that schema's own lock ([`schema_apply_lock`]), the one a
    /// fleet's declarative apply takes per tenant, so the two never change one tenant at
    /// the same time.
    pub(crate) async fn locked<T>(
        &self,
        work: impl std::future::Future<Output = Result<T, MigrateError>>,
    ) -> Result<T, MigrateError> {
        self.target
            .lock(SCHEMA_APPLY_LOCK, self.lock_timeout)
            .instrument(tracing::info_span!("lock", name = SCHEMA_APPLY_LOCK))
            .await?;
        let own = self.target.bound_schema().map(schema_apply_lock);
        if let Some(name) = &own
            && let Err(e) = self.target.lock(name, self.lock_timeout).await
        {
            let _ = self.target.unlock(SCHEMA_APPLY_LOCK).await;
            return Err(e.into());
        }
        let outcome = work.await;
        // The lock also ends with the connection; an unlock failure must not hide the
        // outcome of the work itself.
        let unlocked_own = match &own {
            Some(name) => self.target.unlock(name).await,
            None => Ok(()),
        };
        let unlocked = self.target.unlock(SCHEMA_APPLY_LOCK).await;
        let value = outcome?;
        unlocked_own?;
        unlocked?;
        Ok(value)
    }

    pub(crate) async fn execute(&self, plan: &Plan) -> Result<(), MigrateError> {
        let mut session = self.target.session().await?;
        exec::apply_plan(session.as_mut(), plan).await?;
        Ok(())
    }

    // --- reviewed plans (plan.rs) and reconcile (reconcile.rs) ---
    /// The dev database SQL sources are loaded on, if any.
    pub(crate) fn dev_db(&self) -> Option<&Dev> {
        self.dev.as_ref()
    }
    // --- end ---

    /// Closes the connections.
    pub async fn close(self) -> Result<(), MigrateError> {
        let dev = match self.dev {
            Some(dev) => dev.close().await,
            None => Ok(()),
        };
        self.target.close().await?;
        dev
    }
}
