//! [`TimedDriver`]: a driver wrapper that adds up the wall time spent inside the wrapped
//! driver's calls (sessions, statements, revisions, locks, inspection), so a benchmark
//! can tell how much of a workflow is the database's and how much is Mercator's own.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use mercator_driver::{
    DevDatabase, Driver, DriverError, InspectOptions, Inspector, Locker, Revision, RevisionStore,
    RevisionsTable, Rows, Scratch, Session, TxOptions,
};
use schema_diff::Dialect;
use schema_model::Realm;

/// Time spent in driver calls and how many there were; shared by a driver and its
/// sessions.
#[derive(Debug, Clone, Default)]
pub struct DriverClock {
    nanos: Arc<AtomicU64>,
    calls: Arc<AtomicU64>,
}

impl DriverClock {
    /// The total time inside driver calls so far.
    pub fn elapsed(&self) -> Duration {
        Duration::from_nanos(self.nanos.load(Ordering::Relaxed))
    }

    /// The number of driver calls so far.
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    /// Starts counting from zero.
    pub fn reset(&self) {
        self.nanos.store(0, Ordering::Relaxed);
        self.calls.store(0, Ordering::Relaxed);
    }

    /// Adds `elapsed` as one call.
    pub fn add(&self, elapsed: Duration) {
        let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        self.nanos.fetch_add(nanos, Ordering::Relaxed);
        self.calls.fetch_add(1, Ordering::Relaxed);
    }

    /// Awaits `call`, counting its time.
    pub async fn time<T>(&self, call: impl Future<Output = T>) -> T {
        let started = Instant::now();
        let out = call.await;
        self.add(started.elapsed());
        out
    }
}

/// A driver whose every call is timed on a [`DriverClock`].
pub struct TimedDriver {
    inner: Box<dyn Driver>,
    clock: DriverClock,
}

impl TimedDriver {
    /// Wraps `inner`; its calls are added to `clock`.
    pub fn new(inner: Box<dyn Driver>, clock: DriverClock) -> TimedDriver {
        TimedDriver { inner, clock }
    }
}

#[async_trait]
impl Inspector for TimedDriver {
    async fn inspect(&self, options: &InspectOptions) -> Result<Realm, DriverError> {
        self.clock.time(self.inner.inspect(options)).await
    }
}

#[async_trait]
impl Locker for TimedDriver {
    async fn lock(&self, name: &str, timeout: Duration) -> Result<(), DriverError> {
        self.clock.time(self.inner.lock(name, timeout)).await
    }

    async fn unlock(&self, name: &str) -> Result<(), DriverError> {
        self.clock.time(self.inner.unlock(name)).await
    }
}

#[async_trait]
impl DevDatabase for TimedDriver {
    async fn check_clean(&self) -> Result<(), DriverError> {
        self.clock.time(self.inner.check_clean()).await
    }

    async fn reset(&self) -> Result<(), DriverError> {
        self.clock.time(self.inner.reset()).await
    }

    async fn create_scratch(&self) -> Result<Option<Scratch>, DriverError> {
        self.clock.time(self.inner.create_scratch()).await
    }

    async fn drop_scratch(&self, scratch: Scratch) -> Result<(), DriverError> {
        self.clock.time(self.inner.drop_scratch(scratch)).await
    }

    async fn schemas_outside(&self) -> Result<Vec<String>, DriverError> {
        self.clock.time(self.inner.schemas_outside()).await
    }

    async fn drop_schemas_outside(&self, schemas: &[String]) -> Result<(), DriverError> {
        self.clock
            .time(self.inner.drop_schemas_outside(schemas))
            .await
    }
}

#[async_trait]
impl Driver for TimedDriver {
    fn dialect(&self) -> &dyn Dialect {
        self.inner.dialect()
    }

    fn bound_schema(&self) -> Option<&str> {
        self.inner.bound_schema()
    }

    fn url(&self) -> &str {
        self.inner.url()
    }

    async fn session(&self) -> Result<Box<dyn Session + '_>, DriverError> {
        let inner = self.clock.time(self.inner.session()).await?;
        Ok(Box::new(TimedSession {
            inner,
            clock: self.clock.clone(),
        }))
    }

    async fn close(&self) -> Result<(), DriverError> {
        self.clock.time(self.inner.close()).await
    }
}

struct TimedSession<'a> {
    inner: Box<dyn Session + 'a>,
    clock: DriverClock,
}

#[async_trait]
impl RevisionStore for TimedSession<'_> {
    async fn ensure_revisions_table(&mut self, table: &RevisionsTable) -> Result<(), DriverError> {
        self.clock
            .time(self.inner.ensure_revisions_table(table))
            .await
    }

    async fn read_revisions(
        &mut self,
        table: &RevisionsTable,
    ) -> Result<Vec<Revision>, DriverError> {
        self.clock.time(self.inner.read_revisions(table)).await
    }

    async fn write_revision(
        &mut self,
        table: &RevisionsTable,
        revision: &Revision,
    ) -> Result<(), DriverError> {
        self.clock
            .time(self.inner.write_revision(table, revision))
            .await
    }

    async fn delete_revision(
        &mut self,
        table: &RevisionsTable,
        version: &str,
    ) -> Result<(), DriverError> {
        self.clock
            .time(self.inner.delete_revision(table, version))
            .await
    }
}

#[async_trait]
impl Session for TimedSession<'_> {
    fn transactional_ddl(&self) -> bool {
        self.inner.transactional_ddl()
    }

    fn in_transaction(&self) -> bool {
        self.inner.in_transaction()
    }

    async fn begin(&mut self, options: TxOptions) -> Result<(), DriverError> {
        self.clock.time(self.inner.begin(options)).await
    }

    async fn execute(&mut self, sql: &str) -> Result<(), DriverError> {
        self.clock.time(self.inner.execute(sql)).await
    }

    async fn query(&mut self, sql: &str) -> Result<Rows, DriverError> {
        self.clock.time(self.inner.query(sql)).await
    }

    async fn commit(&mut self) -> Result<(), DriverError> {
        self.clock.time(self.inner.commit()).await
    }

    async fn rollback(&mut self) -> Result<(), DriverError> {
        self.clock.time(self.inner.rollback()).await
    }
}
