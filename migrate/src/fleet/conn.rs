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
    lock_suffix: Option<String>,
}

impl<'a> TenantDriver<'a> {
    pub(crate) fn new(inner: &'a dyn Driver, tenant: &str, template: &UrlTemplate) -> Self {
        TenantDriver {
            inner,
            schema: tenant.to_owned(),
            url: mercator_driver::redact_url(&template.url_for(tenant)),
            lock_suffix: lock_suffix(template.reach(), tenant),
        }
    }

    fn lock_name(&self, name: &str) -> String {
        match &self.lock_suffix {
            Some(suffix) => scoped_lock(name, suffix),
            None => name.to_owned(),
        }
    }
}

/// Locks whose scope is wider than a tenant (a PostgreSQL database holding every tenant
/// schema, a MySQL server) get the tenant in their name, so tenants run side by side while
/// two runs of one tenant still exclude each other.
pub(crate) fn lock_suffix(reach: Reach, tenant: &str) -> Option<String> {
    match reach {
        Reach::PostgresSchema | Reach::MysqlDatabase => Some(tenant.to_owned()),
        Reach::Connect => None,
    }
}

/// `name.tenant`, shortened to MySQL's 64-character limit by hashing the tenant.
pub(crate) fn scoped_lock(name: &str, tenant: &str) -> String {
    let full = format!("{name}.{tenant}");
    if full.len() <= 64 {
        return full;
    }
    let hash = tenant.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("{name}.{hash:016x}")
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
        self.inner.lock(&self.lock_name(name), timeout).await
    }

    async fn unlock(&self, name: &str) -> Result<(), DriverError> {
        self.inner.unlock(&self.lock_name(name)).await
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scoped_locks_fit_mysql() {
        assert_eq!(
            scoped_lock("atlas_migrate_execute", "t1"),
            "atlas_migrate_execute.t1"
        );
        let long = scoped_lock("atlas_migrate_execute", &"x".repeat(64));
        assert!(long.len() <= 64, "{long}");
        assert_ne!(long, scoped_lock("atlas_migrate_execute", &"y".repeat(64)));
    }
}
