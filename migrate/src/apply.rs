//! The declarative workflow: plan the changes that bring a database to a desired schema,
//! then apply them under a lock, refusing when the database moved in between.

use std::time::Duration;

use mercator_driver::{Driver, InspectOptions};
use schema_diff::{Change, DiffOptions, Plan, PlanOptions};
use schema_model::{Realm, fingerprint};

use crate::binding::{adopt_attributes, bind, select};
use crate::desired::load_sql;
use crate::open::sqlite_in_memory;
use crate::{DatabaseKind, MigrateError, Source, open};

/// The advisory lock held while a declarative plan is applied.
pub const SCHEMA_APPLY_LOCK: &str = "mercator_schema_apply";

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
}

/// Settings for [`SchemaApply`]; see [`SchemaApply::builder`].
#[derive(Debug, Clone)]
pub struct SchemaApplyBuilder {
    url: Option<String>,
    to: Option<Source>,
    dev_url: Option<String>,
    schemas: Vec<String>,
    exclude_tables: Vec<String>,
    diff_options: DiffOptions,
    lock_timeout: Duration,
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
        let kind = DatabaseKind::of_url(&url)?;
        if let Source::Database(other) = &to {
            kind.ensure_same(DatabaseKind::of_url(other)?)?;
        }
        let dev_kind = match &self.dev_url {
            Some(dev_url) => Some(DatabaseKind::of_url(dev_url)?),
            None => None,
        };
        if let Some(dev_kind) = dev_kind {
            kind.ensure_same(dev_kind)?;
        }
        if to.is_sql() && self.dev_url.is_none() && kind != DatabaseKind::Sqlite {
            return Err(MigrateError::DevUrlRequired {
                dialect: kind.name().into(),
            });
        }
        let target = open(&url).await?;
        let dev = match (&to, &self.dev_url) {
            (Source::Database(_), _) => None,
            (_, Some(dev_url)) => Some(open(dev_url).await?),
            (_, None) => Some(sqlite_in_memory()),
        };
        if let Some(dev) = &dev {
            check_dev_binding(target.as_ref(), dev.as_ref())?;
        }
        Ok(SchemaApply {
            target,
            dev,
            to,
            schemas: self.schemas,
            exclude_tables: self.exclude_tables,
            diff_options: self.diff_options,
            lock_timeout: self.lock_timeout,
        })
    }
}

/// An unbound target needs an unbound dev database (see [`MigrateError::DevBinding`]).
/// In-memory SQLite dev databases are always bound to `main`, like SQLite targets.
pub(crate) fn check_dev_binding(target: &dyn Driver, dev: &dyn Driver) -> Result<(), MigrateError> {
    match (target.bound_schema(), dev.bound_schema()) {
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
    dev: Option<Box<dyn Driver>>,
    to: Source,
    schemas: Vec<String>,
    exclude_tables: Vec<String>,
    diff_options: DiffOptions,
    lock_timeout: Duration,
}

impl SchemaApply {
    /// Starts configuring an apply.
    pub fn builder() -> SchemaApplyBuilder {
        SchemaApplyBuilder::default()
    }

    /// The target database's driver.
    pub fn driver(&self) -> &dyn Driver {
        self.target.as_ref()
    }

    /// The schema names are compared under: the target's bound schema unless schemas were
    /// chosen explicitly.
    fn bound(&self) -> Option<&str> {
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
        }
    }

    async fn current(&self) -> Result<Realm, MigrateError> {
        Ok(self.target.inspect(&self.inspect_options()).await?)
    }

    async fn desired(&self) -> Result<Realm, MigrateError> {
        let realm = match (&self.to, &self.dev) {
            (Source::Database(url), _) => {
                let source = open(url).await?;
                let realm = source.inspect(&self.inspect_options()).await;
                let closed = source.close().await;
                let realm = realm?;
                closed?;
                realm
            }
            (sql, Some(dev)) => load_sql(sql, dev.as_ref()).await?,
            (_, None) => {
                return Err(MigrateError::DevUrlRequired {
                    dialect: self.target.dialect().name().into(),
                });
            }
        };
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

    /// Computes the changes from the database's current schema to the desired one.
    pub async fn plan(&self) -> Result<PlannedMigration, MigrateError> {
        let current = self.current().await?;
        let mut desired = self.desired().await?;
        if self.bound().is_some() {
            adopt_attributes(&mut desired, &current);
        }
        let dialect = self.target.dialect();
        let changes = dialect.diff(&current, &desired, &self.diff_options);
        let plan = dialect.plan(
            &changes,
            &PlanOptions {
                unqualified_schema: self.bound().map(str::to_owned),
                ..PlanOptions::default()
            },
        )?;
        Ok(PlannedMigration {
            changes,
            plan,
            from_fingerprint: fingerprint(&current),
            to_fingerprint: fingerprint(&desired),
            current,
            desired,
        })
    }

    /// Applies a plan made by [`SchemaApply::plan`], under the advisory lock
    /// [`SCHEMA_APPLY_LOCK`]. Refuses with [`MigrateError::Drift`] when the database's
    /// schema is no longer the one the plan was made against.
    pub async fn apply(&self, planned: &PlannedMigration) -> Result<(), MigrateError> {
        if planned.plan.is_empty() {
            return Ok(());
        }
        self.target
            .lock(SCHEMA_APPLY_LOCK, self.lock_timeout)
            .await?;
        let outcome = self.apply_locked(planned).await;
        // The lock also ends with the connection; an unlock failure must not hide the
        // outcome of the apply itself.
        let unlocked = self.target.unlock(SCHEMA_APPLY_LOCK).await;
        outcome?;
        unlocked?;
        Ok(())
    }

    async fn apply_locked(&self, planned: &PlannedMigration) -> Result<(), MigrateError> {
        let found = fingerprint(&self.current().await?);
        if found != planned.from_fingerprint {
            return Err(MigrateError::Drift {
                expected: planned.from_fingerprint.clone(),
                found,
            });
        }
        self.target.apply(&planned.plan).await?;
        Ok(())
    }

    /// Closes the connections.
    pub async fn close(self) -> Result<(), MigrateError> {
        if let Some(dev) = &self.dev {
            dev.close().await?;
        }
        self.target.close().await?;
        Ok(())
    }
}
