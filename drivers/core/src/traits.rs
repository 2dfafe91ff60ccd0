//! The driver traits.

use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use schema_diff::{Dialect, Plan};
use schema_model::{DialectKind, Realm};

use crate::{DriverError, Session, exec};

/// What to inspect.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InspectOptions {
    /// Schemas to read; empty means the connection's schema when the URL is bound to one,
    /// otherwise every user schema.
    pub schemas: Vec<String>,
    /// Tables (by name, any schema) to leave out. The revisions table is always left out.
    pub exclude_tables: Vec<String>,
    /// A scoped read: only the tables of these names in the selected schemas, with what
    /// belongs to them (columns, keys, indexes, foreign keys, checks, exclusions, policies,
    /// partitioning and comments), and the triggers and rules on relations of these names.
    /// Nothing else is read: no views, routines, types, sequences or extensions, and names
    /// that match no table give nothing. `None` reads everything.
    ///
    /// A caller that knows which tables a statement touched (as `migrate lint` does after
    /// `ALTER TABLE t …`) splices the result into its earlier model instead of reading the
    /// whole schema again, so the cost follows the statement, not the schema's size.
    pub only_tables: Option<Vec<String>>,
}

impl InspectOptions {
    /// Options reading these schemas (all, or the bound one, when empty).
    pub fn schemas(schemas: &[String]) -> InspectOptions {
        InspectOptions {
            schemas: schemas.to_vec(),
            exclude_tables: Vec::new(),
            only_tables: None,
        }
    }

    /// Read only these tables (see [`InspectOptions::only_tables`]).
    pub fn only_tables(mut self, tables: &[String]) -> InspectOptions {
        self.only_tables = Some(tables.to_vec());
        self
    }

    /// Also leave out tables of these names.
    pub fn excluding(mut self, tables: &[String]) -> InspectOptions {
        self.exclude_tables = tables.to_vec();
        self
    }
}

/// Reads a database's schema from its catalog. Never reads user rows. Every inspector
/// leaves out the revisions table (`atlas_schema_revisions`).
#[async_trait]
pub trait Inspector: Send + Sync {
    /// Inspects the schemas selected by `options`.
    async fn inspect(&self, options: &InspectOptions) -> Result<Realm, DriverError>;
}

/// A named advisory lock, held until [`Locker::unlock`] (or the connection, or for file
/// locks the process, ends).
#[async_trait]
pub trait Locker: Send + Sync {
    /// Takes the lock, waiting at most `timeout`.
    async fn lock(&self, name: &str, timeout: Duration) -> Result<(), DriverError>;
    /// Releases the lock.
    async fn unlock(&self, name: &str) -> Result<(), DriverError>;
}

/// A private scratch space a dev server made for one run, with a driver bound to it.
pub struct Scratch {
    /// The space's name (`mercator_dev_…`).
    pub name: String,
    /// A connection to it.
    pub driver: Box<dyn Driver>,
}

impl std::fmt::Debug for Scratch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scratch")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// A dev database: scratch space used to turn SQL into a realm (execute, then inspect).
#[async_trait]
pub trait DevDatabase: Send + Sync {
    /// Fails with [`DriverError::NotClean`] when the scratch space holds any object.
    async fn check_clean(&self) -> Result<(), DriverError>;
    /// Removes everything from the scratch space.
    async fn reset(&self) -> Result<(), DriverError>;

    /// Creates a space of this run's own on the dev server (a database, or a schema when
    /// the dev URL is bound to one, named `mercator_dev_…`), first dropping the spaces
    /// that runs which died left behind, and returns a driver bound to it. Concurrent runs
    /// never share one, and a killed run cannot leave the dev database dirty. `Ok(None)`
    /// where the credentials cannot create one; callers then use the dev database itself
    /// ([`DevDatabase::check_clean`], [`DevDatabase::reset`]).
    async fn create_scratch(&self) -> Result<Option<Scratch>, DriverError> {
        Ok(None)
    }

    /// Drops a space made by [`DevDatabase::create_scratch`].
    async fn drop_scratch(&self, scratch: Scratch) -> Result<(), DriverError> {
        scratch.driver.close().await
    }

    /// Schemas on the server outside the dev database and its scratch spaces, where SQL
    /// loaded into a scratch space could still create objects (MySQL's `CREATE SCHEMA` makes
    /// a server-wide database). Empty where everything a load creates stays inside.
    async fn schemas_outside(&self) -> Result<Vec<String>, DriverError> {
        Ok(Vec::new())
    }

    /// Drops schemas found by [`DevDatabase::schemas_outside`] that a load created.
    async fn drop_schemas_outside(&self, schemas: &[String]) -> Result<(), DriverError> {
        let _ = schemas;
        Ok(())
    }

    /// Keeps the current contents of `scratch` (a space made by
    /// [`DevDatabase::create_scratch`] or [`DevDatabase::restore_snapshot`] on this dev
    /// database) as the snapshot `key`, kept between runs so a later run can start from it
    /// in one step instead of rebuilding it. `store` is a directory drivers without
    /// server-side copies keep their snapshots in. The scratch stays usable (a driver may
    /// reconnect it). `Ok(false)` where the driver cannot snapshot this kind of space; a
    /// snapshot of the same key saved concurrently by another run counts as saved.
    ///
    /// Keys are chosen by the caller and must be short lower-case hex or ASCII
    /// alphanumerics; the caller guarantees that equal keys mean equal contents.
    async fn save_snapshot(
        &self,
        scratch: &mut Scratch,
        key: &str,
        store: &Path,
    ) -> Result<bool, DriverError> {
        let _ = (scratch, key, store);
        Ok(false)
    }

    /// A new scratch space holding a copy of snapshot `key` (drop it with
    /// [`DevDatabase::drop_scratch`]), or `None` when there is no such snapshot or the
    /// driver keeps none.
    async fn restore_snapshot(
        &self,
        key: &str,
        store: &Path,
    ) -> Result<Option<Scratch>, DriverError> {
        let _ = (key, store);
        Ok(None)
    }

    /// Snapshot `key` itself, lent to this run for statements that are all rolled back: a
    /// driver bound to it with a transaction open that every statement, session and
    /// inspection on it runs inside, or `None` where there is no such snapshot, it stays
    /// busy, or the driver cannot roll DDL back. No copy is made, so a run starts at once
    /// however large the snapshot is. Give it back with [`DevDatabase::return_snapshot`];
    /// a run that dies leaves the snapshot as it was (the server rolls back).
    ///
    /// The caller must not run statements that end the transaction (`COMMIT`, `BEGIN`, …);
    /// statements that cannot run inside one fail with the server's error, and nothing they
    /// did stays.
    async fn borrow_snapshot(
        &self,
        key: &str,
        store: &Path,
    ) -> Result<Option<Scratch>, DriverError> {
        let _ = (key, store);
        Ok(None)
    }

    /// Ends a borrow made by [`DevDatabase::borrow_snapshot`]: everything run on it is rolled
    /// back and the snapshot is free again. A snapshot whose transaction did not survive
    /// (something ended it) is dropped rather than kept changed.
    async fn return_snapshot(&self, scratch: Scratch) -> Result<(), DriverError> {
        scratch.driver.close().await
    }

    /// Makes `scratch` itself the snapshot `key` and lends it on to the caller, as
    /// [`DevDatabase::borrow_snapshot`] does: how a driver that cannot copy a space
    /// (PostgreSQL schemas) saves one without building the state twice. `Ok(true)`: the
    /// scratch now is the lent snapshot (its name and driver may have changed), everything
    /// run on it from now on is rolled back, and it goes back with
    /// [`DevDatabase::return_snapshot`], not [`DevDatabase::drop_scratch`]. `Ok(false)`:
    /// nothing changed. After an error the scratch may be unusable (dropping it is safe).
    async fn keep_as_snapshot(
        &self,
        scratch: &mut Scratch,
        key: &str,
        store: &Path,
    ) -> Result<bool, DriverError> {
        let _ = (scratch, key, store);
        Ok(false)
    }

    /// The keys of the snapshots saved for this dev database, in any order.
    async fn snapshot_keys(&self, store: &Path) -> Result<Vec<String>, DriverError> {
        let _ = store;
        Ok(Vec::new())
    }

    /// Drops every snapshot saved for this dev database (and, for file-based drivers, in
    /// `store`) that no run is copying; returns how many went.
    async fn drop_snapshots(&self, store: &Path) -> Result<usize, DriverError> {
        let _ = store;
        Ok(0)
    }
}

/// How many snapshots [`DevDatabase::save_snapshot`] keeps per dev database before it
/// reclaims the oldest ones.
pub const SNAPSHOTS_KEPT: usize = 4;

/// The prefix of every scratch space name.
pub const SCRATCH_PREFIX: &str = "mercator_dev_";

/// A new scratch space name: the prefix, a tag shared by every run using the same dev
/// database (so a run only reclaims spaces whose owners it can see), and a random part.
pub fn scratch_name(tag: &str) -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    hasher.write_u32(std::process::id());
    format!(
        "{SCRATCH_PREFIX}{}_{:016x}",
        scratch_tag(tag),
        hasher.finish()
    )
}

/// The tag part of scratch names for a dev database: 8 hex digits of its name's hash.
pub fn scratch_tag(dev_database: &str) -> String {
    let hash = dev_database.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    format!("{hash:08x}")
}

/// A connected database: everything the workflows need.
#[async_trait]
pub trait Driver: Inspector + Locker + DevDatabase {
    /// The SQL dialect (normalization and rendering).
    fn dialect(&self) -> &dyn Dialect;

    /// The database family.
    fn kind(&self) -> DialectKind {
        self.dialect().kind()
    }

    /// The schema the connection is bound to (PostgreSQL `search_path` from the URL, MySQL
    /// database from the URL, SQLite `main`), if any.
    fn bound_schema(&self) -> Option<&str>;

    /// The URL the driver was opened with, password masked, for messages.
    fn url(&self) -> &str;

    /// A session on the driver's connection. Other calls on this driver wait while it
    /// lives.
    async fn session(&self) -> Result<Box<dyn Session + '_>, DriverError>;

    /// Releases the connection. Drivers also clean up on drop; this reports errors.
    async fn close(&self) -> Result<(), DriverError> {
        Ok(())
    }
}

/// Conveniences over [`Driver::session`] for callers that run whole plans or statement
/// lists (see [`exec::apply_plan`] and [`exec::execute_all`]).
#[async_trait]
pub trait DriverExt {
    /// Runs a plan in a new session.
    async fn apply(&self, plan: &Plan) -> Result<(), DriverError>;
    /// Runs raw statements in a new session.
    async fn execute(&self, statements: &[String]) -> Result<(), DriverError>;
}

#[async_trait]
impl<D: Driver + ?Sized> DriverExt for D {
    async fn apply(&self, plan: &Plan) -> Result<(), DriverError> {
        let mut session = self.session().await?;
        exec::apply_plan(session.as_mut(), plan).await
    }

    async fn execute(&self, statements: &[String]) -> Result<(), DriverError> {
        let mut session = self.session().await?;
        exec::execute_all(session.as_mut(), statements).await
    }
}
