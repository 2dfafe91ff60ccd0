//! Running one piece of work on many tenants: at most `parallel` workers, each holding one
//! connection (see [`super::conn`]), taking the next tenant in list order until none is left
//! or the run is told to stop.

use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use mercator_driver::Driver;

use super::conn::Connection;
use super::template::UrlTemplate;
use crate::VersionedError;

/// What a fleet does to each tenant.
#[async_trait]
pub(crate) trait TenantWork: Send + Sync + 'static {
    /// The result for one tenant.
    type Output: Send + 'static;
    /// Does the work on a driver bound to `tenant`.
    async fn run(&self, tenant: &str, driver: &dyn Driver) -> Result<Self::Output, VersionedError>;
}

/// One tenant's outcome.
pub(crate) struct Done<T> {
    pub index: usize,
    pub result: Result<T, VersionedError>,
    pub duration: Duration,
}

/// Called as each tenant finishes (for progress output); must not block.
pub(crate) type OnDone<T> = Arc<dyn Fn(&str, &Done<T>) + Send + Sync>;

/// Runs `work` on `tenants[range]` with at most `parallel` connections. With
/// `stop_on_error`, the first failure stops handing out tenants (those running finish);
/// the tenants never started are absent from the result.
pub(crate) async fn run<W: TenantWork>(
    template: &UrlTemplate,
    tenants: &Arc<Vec<String>>,
    range: Range<usize>,
    parallel: usize,
    stop_on_error: bool,
    work: &Arc<W>,
    on_done: Option<OnDone<W::Output>>,
) -> Vec<Done<W::Output>> {
    let next = Arc::new(AtomicUsize::new(range.start));
    let stop = Arc::new(AtomicBool::new(false));
    let workers = parallel.max(1).min(range.len().max(1));
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..workers {
        let (template, tenants, work, next, stop, on_done) = (
            template.clone(),
            Arc::clone(tenants),
            Arc::clone(work),
            Arc::clone(&next),
            Arc::clone(&stop),
            on_done.clone(),
        );
        let end = range.end;
        set.spawn(async move {
            let mut connection = Connection::new(template);
            let mut done = Vec::new();
            while !stop.load(Ordering::SeqCst) {
                let index = next.fetch_add(1, Ordering::SeqCst);
                if index >= end {
                    break;
                }
                let tenant = &tenants[index];
                let started = Instant::now();
                let result = one(&mut connection, tenant, work.as_ref()).await;
                if result.is_err() {
                    connection.after_failure().await;
                    if stop_on_error {
                        stop.store(true, Ordering::SeqCst);
                    }
                }
                let outcome = Done {
                    index,
                    result,
                    duration: started.elapsed(),
                };
                if let Some(callback) = &on_done {
                    callback(tenant, &outcome);
                }
                done.push(outcome);
            }
            // Closing is best effort: every tenant's outcome is already recorded.
            let _ = connection.close().await;
            done
        });
    }
    let mut all = Vec::with_capacity(range.len());
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok(done) => all.extend(done),
            // A panicking worker is a bug; its tenants are reported as not started.
            Err(e) => tracing::error!("fleet worker failed: {e}"),
        }
    }
    all.sort_by_key(|d| d.index);
    all
}

async fn one<W: TenantWork>(
    connection: &mut Connection,
    tenant: &str,
    work: &W,
) -> Result<W::Output, VersionedError> {
    let bound = connection.bind(tenant).await?;
    let outcome = work.run(tenant, bound.driver()).await;
    let finished = bound.finish().await;
    let value = outcome?;
    finished?;
    Ok(value)
}
