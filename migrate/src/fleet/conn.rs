//! Connections of a fleet run. Where the template allows it (PostgreSQL schemas, MySQL
//! databases) a worker keeps one connection to the control URL and moves it from tenant to
//! tenant (`SET search_path`, `USE`); otherwise it opens each tenant's URL in turn. Either
//! way a worker hands the workflows a [`TenantDriver`] bound to the tenant.

use std::time::Duration;

use async_trait::async_trait;
use mercator_driver::{
    DevDatabase, Driver, DriverError, InspectOptions, Inspector, Locker, Session,
};
use schema_diff::Dialect;
use schema_model::Realm;

use super::template::{Reach, UrlTemplate};
use crate::VersionedError;
use crate::versioned::MIGRATE_LOCK;

/// One worker's connection: kept across tenants where the template allows it.
pub(crate) struct Connection {
    template: UrlTemplate,
    shared: Option<Box<dyn Driver>>,
}

/// A driver bound to one tenant: the worker's shared connection switched to the tenant, or
/// a connection of the tenant's own (closed by [`Bound::finish`]).
pub(crate) enum Bound<'c> {
    Shared(TenantDriver<'c>),
    Own(Box<dyn Driver>),
}

impl Bound<'_> {
    /// The driver to run the workflow on.
    pub(crate) fn driver(&self) -> &dyn Driver {
        match self {
            Bound::Shared(driver) => driver,
            Bound::Own(driver) => driver.as_ref(),
        }
    }

    /// Closes a tenant's own connection; a shared one stays open for the next tenant.
    pub(crate) async fn finish(self) -> Result<(), DriverError> {
        match self {
            Bound::Shared(_) => Ok(()),
            Bound::Own(driver) => driver.close().await,
        }
    }
}

impl Connection {
    pub(crate) fn new(template: UrlTemplate) -> Self {
        Connection {
            template,
            shared: None,
        }
    }

    /// A driver bound to `tenant`, opening the shared connection on first use.
    pub(crate) async fn bind(&mut self, tenant: &str) -> Result<Bound<'_>, VersionedError> {
        let reach = self.template.reach();
        if reach == Reach::Connect {
            return Ok(Bound::Own(
                crate::open(&self.template.url_for(tenant)).await?,
            ));
        }
        if self.shared.is_none() {
            self.shared = Some(crate::open(&self.template.control_url()).await?);
        }
        let Some(shared) = self.shared.as_deref() else {
            return Err(DriverError::Unsupported("no shared connection".into()).into());
        };
        switch(shared, reach, tenant).await?;
        Ok(Bound::Shared(TenantDriver::new(
            shared,
            tenant,
            &self.template,
        )))
    }

    /// After a tenant failed: a shared connection that no longer answers is dropped, so the
    /// next tenant opens a new one instead of failing too.
    pub(crate) async fn after_failure(&mut self) {
        let dead = match self.shared.as_deref() {
            Some(shared) => !alive(shared).await,
            None => false,
        };
        if dead && let Some(broken) = self.shared.take() {
            let _ = broken.close().await;
        }
    }

    /// Closes the shared connection, if any.
    pub(crate) async fn close(self) -> Result<(), DriverError> {
        match self.shared {
            Some(driver) => driver.close().await,
            None => Ok(()),
        }
    }
}

/// Points the connection at the tenant: later unqualified names resolve in its schema.
async fn switch(driver: &dyn Driver, reach: Reach, tenant: &str) -> Result<(), DriverError> {
    // Tenant names are checked to be plain identifiers; quoting still keeps case.
    let sql = match reach {
        Reach::PostgresSchema => format!("SET search_path TO \"{tenant}\""),
        Reach::MysqlDatabase => format!("USE `{tenant}`"),
        Reach::Connect => return Ok(()),
    };
    let mut session = driver.session().await?;
    if session.in_transaction() {
        session.rollback().await?;
    }
    session.execute(&sql).await
}

/// Whether the connection still answers.
async fn alive(driver: &dyn Driver) -> bool {
    match driver.session().await {
        Ok(mut session) => session.query("SELECT 1").await.is_ok(),
        Err(_) => false,
    }
}

/// A connection presented as bound to one tenant: inspection defaults to the tenant's
/// schema and locks are the tenant's own. Not a dev database.
pub(crate) struct TenantDriver<'a> {
    inner: &'a dyn Driver,
    schema: String,
    url: String,
    /// Whether the server's locks reach past this tenant (a PostgreSQL database holding every
    /// tenant schema, a MySQL server): then the database-wide migration lock is not taken.
    shared_lock_scope: bool,
}

impl<'a> TenantDriver<'a> {
    pub(crate) fn new(inner: &'a dyn Driver, tenant: &str, template: &UrlTemplate) -> Self {
        TenantDriver {
            inner,
            schema: tenant.to_owned(),
            url: mercator_driver::redact_url(&template.url_for(tenant)),
            shared_lock_scope: matches!(
                template.reach(),
                Reach::PostgresSchema | Reach::MysqlDatabase
            ),
        }
    }

    /// Whether a lock of this name is skipped. Tenants sharing a lock scope must not
    /// serialize on the database-wide [`MIGRATE_LOCK`]; the migrator also takes the tenant
    /// schema's own lock (`atlas_migrate_execute.<tenant>`), which still excludes two runs
    /// of one tenant, fleet or single.
    fn skips(&self, name: &str) -> bool {
        self.shared_lock_scope && name == MIGRATE_LOCK
    }
}

#[async_trait]
impl Inspector for TenantDriver<'_> {
    async fn inspect(&self, options: &InspectOptions) -> Result<Realm, DriverError> {
        if options.schemas.is_empty() {
            let mut options = options.clone();
            options.schemas = vec![self.schema.clone()];
            self.inner.inspect(&options).await
        } else {
            self.inner.inspect(options).await
        }
    }
}

#[async_trait]
impl Locker for TenantDriver<'_> {
    async fn lock(&self, name: &str, timeout: Duration) -> Result<(), DriverError> {
        if self.skips(name) {
            return Ok(());
        }
        self.inner.lock(name, timeout).await
    }

    async fn unlock(&self, name: &str) -> Result<(), DriverError> {
        if self.skips(name) {
            return Ok(());
        }
        self.inner.unlock(name).await
    }
}

#[async_trait]
impl DevDatabase for TenantDriver<'_> {
    async fn check_clean(&self) -> Result<(), DriverError> {
        Err(not_dev())
    }

    async fn reset(&self) -> Result<(), DriverError> {
        Err(not_dev())
    }
}

fn not_dev() -> DriverError {
    DriverError::Unsupported("a tenant of a fleet cannot serve as a dev database".into())
}

#[async_trait]
impl Driver for TenantDriver<'_> {
    fn dialect(&self) -> &dyn Dialect {
        self.inner.dialect()
    }

    fn bound_schema(&self) -> Option<&str> {
        Some(&self.schema)
    }

    fn url(&self) -> &str {
        &self.url
    }

    async fn session(&self) -> Result<Box<dyn Session + '_>, DriverError> {
        self.inner.session().await
    }
}
