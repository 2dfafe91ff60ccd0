//! Fleets: one migration directory applied to many tenants — PostgreSQL schemas or MySQL
//! databases named by a URL template with a `{tenant}` placeholder, or one database per
//! tenant — with bounded concurrency, a canary stage and an error policy, and a fleet-wide
//! status that finds the tenants whose schema drifted.
//!
//! - [`Fleet::builder`] takes the template and the [`Tenants`] (a list, a file, or a query
//!   on the control URL: the template with the placeholder left out); [`Fleet::from_urls`]
//!   takes one URL per tenant (database per tenant, or Atlas's `for_each` envs).
//! - [`Fleet::apply`] runs a [`MigratorBuilder`]'s directory on every tenant: each tenant
//!   keeps its own revisions table and lock, so a rerun does exactly the tenants that are
//!   not done and a fleet run never races a run of the same tenant through the fleet API.
//! - [`Fleet::status`] reads every tenant's revision and inspects all tenant schemas in a
//!   few catalog passes, grouping tenants by schema fingerprint.
//! - [`Fleet::schema_apply`] brings every tenant to a desired schema: loaded once, each
//!   distinct current state planned and reviewed once, applied per tenant under its lock.
//!
//! Where the template names a PostgreSQL `search_path` or a MySQL database, a worker keeps
//! one connection and moves it between tenants; otherwise each tenant gets its own
//! connection, at most `parallel` at a time.
//!
//! ```
//! use mercator_migrate::fleet::{Fleet, Tenants};
//! use mercator_migrate::{Migrator, dir::{MigrationDir, MigrationFile}};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let mut dir = MigrationDir::default();
//! dir.add_file(MigrationFile::new("1_users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY);\n"))?;
//! let root = std::env::temp_dir().join(format!("mercator-doc-fleet-{}", std::process::id()));
//! std::fs::create_dir_all(&root)?;
//!
//! let fleet = Fleet::builder(format!("sqlite://{}/{{tenant}}.db", root.display()))
//!     .tenants(Tenants::List(vec!["acme".into(), "globex".into()]))
//!     .parallel(2)
//!     .build()
//!     .await?;
//! let report = fleet.apply(&Migrator::builder(dir)).await?;
//! assert!(report.is_success());
//! assert_eq!(report.tenants[1].applied, ["1"]);
//! # std::fs::remove_dir_all(&root)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```

mod apply;
mod clean;
mod conn;
mod describe;
mod error;
mod pool;
mod schema;
mod status;
mod template;
mod tenants;

use std::sync::Arc;

pub use apply::{FleetReport, Stage, TenantReport, TenantState};
pub use error::FleetError;
pub use schema::{FleetSchemaOptions, FleetSchemaReport, PlanGroup};
pub use status::{DriftGroup, FleetStatus, TenantStatus};
pub use template::{PLACEHOLDER, Reach, UrlTemplate};
pub use tenants::Tenants;

use crate::MigratorBuilder;

/// What to do when a tenant fails after the canary stage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OnError {
    /// Start no more tenants (those running finish); the rest are reported skipped.
    #[default]
    Stop,
    /// Go on with every other tenant and report the failures.
    Continue,
}

/// Called as each tenant finishes, for progress output. Must not block.
pub type Progress = Arc<dyn Fn(&TenantReport) + Send + Sync>;

/// Settings for a [`Fleet`]; see [`Fleet::builder`].
#[derive(Clone)]
pub struct FleetBuilder {
    template: String,
    urls: Option<Vec<String>>,
    tenants: Tenants,
    parallel: usize,
    canary: usize,
    on_error: OnError,
    progress: Option<Progress>,
}

impl std::fmt::Debug for FleetBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FleetBuilder")
            .field("template", &mercator_driver::redact_url(&self.template))
            .field("tenants", &self.tenants)
            .field("parallel", &self.parallel)
            .field("canary", &self.canary)
            .field("on_error", &self.on_error)
            .finish_non_exhaustive()
    }
}

impl FleetBuilder {
    /// Where the tenant names come from (required).
    pub fn tenants(mut self, tenants: Tenants) -> Self {
        self.tenants = tenants;
        self
    }

    /// How many tenants run at once, each on its own connection (default 4).
    pub fn parallel(mut self, n: usize) -> Self {
        self.parallel = n;
        self
    }

    /// Run the first `k` tenants first and stop if any of them fails (default 0: none).
    pub fn canary(mut self, k: usize) -> Self {
        self.canary = k;
        self
    }

    /// What a failure after the canary stage does (default [`OnError::Stop`]).
    pub fn on_error(mut self, policy: OnError) -> Self {
        self.on_error = policy;
        self
    }

    /// Called as each tenant finishes.
    pub fn progress(mut self, progress: Progress) -> Self {
        self.progress = Some(progress);
        self
    }

    /// Parses the template and reads the tenant names (running the query, if any).
    pub async fn build(self) -> Result<Fleet, FleetError> {
        if self.parallel == 0 {
            return Err(FleetError::Settings("--parallel must be at least 1".into()));
        }
        let (template, tenants) = match &self.urls {
            Some(urls) => {
                if self.tenants != Tenants::List(Vec::new()) {
                    return Err(FleetError::Settings(
                        "a list of URLs names its tenants itself: --tenant, --tenants-file and --tenants-query do not apply".into(),
                    ));
                }
                UrlTemplate::from_urls(urls)?
            }
            None => {
                let template = UrlTemplate::parse(&self.template)?;
                let tenants = self.tenants.resolve(&template.control_url()).await?;
                (template, tenants)
            }
        };
        Ok(Fleet {
            template,
            tenants: Arc::new(tenants),
            parallel: self.parallel,
            canary: self.canary,
            on_error: self.on_error,
            progress: self.progress,
        })
    }
}

/// A set of tenants reached through one URL template.
#[derive(Clone)]
pub struct Fleet {
    template: UrlTemplate,
    tenants: Arc<Vec<String>>,
    parallel: usize,
    canary: usize,
    on_error: OnError,
    progress: Option<Progress>,
}

impl std::fmt::Debug for Fleet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fleet")
            .field("template", &self.template.redacted())
            .field("tenants", &self.tenants.len())
            .finish_non_exhaustive()
    }
}

impl Fleet {
    /// Starts configuring a fleet of one database (or schema) per URL: each tenant is
    /// named after what its URL selects (see [`UrlTemplate::from_urls`]).
    pub fn from_urls(urls: Vec<String>) -> FleetBuilder {
        FleetBuilder {
            urls: Some(urls),
            ..Fleet::builder(String::new())
        }
    }

    /// Starts configuring a fleet for a URL template holding `{tenant}` once.
    pub fn builder(template: impl Into<String>) -> FleetBuilder {
        FleetBuilder {
            template: template.into(),
            urls: None,
            tenants: Tenants::List(Vec::new()),
            parallel: 4,
            canary: 0,
            on_error: OnError::Stop,
            progress: None,
        }
    }

    /// The tenant names, in run order.
    pub fn tenants(&self) -> &[String] {
        &self.tenants
    }

    /// The parsed template.
    pub fn template(&self) -> &UrlTemplate {
        &self.template
    }

    /// Each tenant's migrator settings: its revisions table in its own schema where one
    /// connection serves several tenants. A revisions schema shared by all is refused.
    fn check_builder(&self, builder: &MigratorBuilder) -> Result<(), FleetError> {
        let migrator = builder.clone().build()?;
        if let Some(schema) = migrator.revisions_table().schema {
            return Err(FleetError::SharedRevisions { schema });
        }
        Ok(())
    }
}
