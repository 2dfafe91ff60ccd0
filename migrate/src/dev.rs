//! The one path from a [`Source`] to a [`Realm`]: databases are inspected, SQL is loaded
//! with `sqlimport`, executed on a dev database and inspected there.

use std::path::Path;

use mercator_driver::{Driver, DriverError, InspectOptions, OpenOptions, Scratch, exec};
use schema_model::{DialectKind, Realm};
use tracing::Instrument;

use crate::binding::bind;
use crate::open::{ensure_same, open, open_with, scratch_of};
use crate::{MigrateError, Source};

/// The dev database SQL sources are loaded on.
pub(crate) enum Dev {
    /// A database the user named (`--dev-url`): it must be clean, and is reset after each
    /// load.
    Url(Box<dyn Driver>),
    /// A private scratch database for each load (SQLite in memory), simply discarded
    /// afterwards: nothing to clean, and concurrent loads never meet.
    Scratch {
        open: mercator_driver::ScratchOpener,
        kind: DialectKind,
        bound: Option<String>,
    },
}

impl Dev {
    /// The dev database for `kind`: `dev_url` when given (it must be of the same kind),
    /// else the driver's scratch database where it has one.
    pub(crate) async fn choose(
        dev_url: Option<&str>,
        kind: DialectKind,
    ) -> Result<Dev, MigrateError> {
        if let Some(url) = dev_url {
            let driver = open(url).await?;
            ensure_same(kind, driver.kind())?;
            return Ok(Dev::Url(driver));
        }
        let open = scratch_of(kind).ok_or(MigrateError::DevUrlRequired { dialect: kind })?;
        let probe = open()?;
        let bound = probe.bound_schema().map(str::to_owned);
        Ok(Dev::Scratch { open, kind, bound })
    }

    /// The dev database's family.
    pub(crate) fn kind(&self) -> DialectKind {
        match self {
            Dev::Url(driver) => driver.kind(),
            Dev::Scratch { kind, .. } => *kind,
        }
    }

    /// The schema the dev database is bound to.
    pub(crate) fn bound_schema(&self) -> Option<&str> {
        match self {
            Dev::Url(driver) => driver.bound_schema(),
            Dev::Scratch { bound, .. } => bound.as_deref(),
        }
    }

    /// Loads a SQL source: its statements in import order, executed and inspected.
    pub(crate) async fn load(&self, source: &Source) -> Result<Realm, MigrateError> {
        let loaded = Loaded::read(source, self.kind())?;
        match self.isolated(&loaded).await? {
            Some(realm) => Ok(realm),
            None => self.shared(&loaded).await,
        }
    }

    /// Loads a SQL source in a space of this run's own (a scratch database, or the
    /// in-memory scratch database), which concurrent runs never share; `None` when the dev
    /// server cannot make one, so the load must use the shared dev database, one run at a
    /// time ([`Dev::load`] does that).
    pub(crate) async fn load_isolated(
        &self,
        source: &Source,
    ) -> Result<Option<Realm>, MigrateError> {
        self.isolated(&Loaded::read(source, self.kind())?).await
    }

    async fn isolated(&self, loaded: &Loaded) -> Result<Option<Realm>, MigrateError> {
        let Loaded {
            project,
            statements,
        } = loaded;
        match self {
            Dev::Url(dev) => match dev.create_scratch().await? {
                Some(scratch) => {
                    let outcome =
                        load_in_scratch(dev.as_ref(), &scratch, project, statements).await;
                    // A failed clean-up must not hide the load's own error.
                    let dropped = dev.drop_scratch(scratch).await;
                    let realm = outcome?;
                    dropped?;
                    match dev.bound_schema() {
                        Some(bound) => bind(realm, bound).map(Some),
                        None => Ok(Some(realm)),
                    }
                }
                None => Ok(None),
            },
            Dev::Scratch { open, .. } => {
                let dev = open()?;
                run_and_inspect(dev.as_ref(), project, statements)
                    .await
                    .map(Some)
            }
        }
    }

    /// Runs `work` where no other run can meet it — a scratch space of this run's own, or
    /// the in-memory scratch database — and returns the realm it inspects, bound to the
    /// dev URL's schema. Where the dev server cannot make a scratch space, `work` runs on
    /// the dev database itself, which must be clean and is emptied after.
    pub(crate) async fn in_private_space(
        &self,
        work: impl AsyncFn(&dyn Driver) -> Result<Realm, MigrateError>,
    ) -> Result<Realm, MigrateError> {
        match self {
            Dev::Url(driver) => match driver.create_scratch().await? {
                Some(scratch) => {
                    let outcome = work(scratch.driver.as_ref()).await;
                    // A failed clean-up must not hide the work's own error.
                    let dropped = driver.drop_scratch(scratch).await;
                    let realm = outcome?;
                    dropped?;
                    match driver.bound_schema() {
                        Some(bound) => bind(realm, bound),
                        None => Ok(realm),
                    }
                }
                None => {
                    driver.check_clean().await?;
                    let outcome = work(driver.as_ref()).await;
                    let reset = driver.reset().await;
                    let realm = outcome?;
                    reset?;
                    Ok(realm)
                }
            },
            Dev::Scratch { open, .. } => {
                let driver = open()?;
                work(driver.as_ref()).await
            }
        }
    }

    /// Loads on the dev database itself, for dev servers where no scratch space can be
    /// made: it must be clean, and is emptied after.
    async fn shared(&self, loaded: &Loaded) -> Result<Realm, MigrateError> {
        let Dev::Url(dev) = self else {
            return Err(MigrateError::Missing("a dev database URL (--dev-url)"));
        };
        dev.check_clean().await?;
        let outcome = run_and_inspect(dev.as_ref(), &loaded.project, &loaded.statements).await;
        let reset = dev.reset().await;
        let realm = outcome?;
        reset?;
        Ok(realm)
    }

    /// Closes the dev database's connection.
    pub(crate) async fn close(self) -> Result<(), MigrateError> {
        if let Dev::Url(driver) = self {
            driver.close().await?;
        }
        Ok(())
    }
}

/// A SQL source read and ordered, with its statements' text.
struct Loaded {
    project: sqlimport::Project,
    statements: Vec<String>,
}

impl Loaded {
    fn read(source: &Source, dialect: DialectKind) -> Result<Loaded, MigrateError> {
        let project = import(source, dialect)?;
        let statements = project.statements.iter().map(|s| s.sql.clone()).collect();
        Ok(Loaded {
            project,
            statements,
        })
    }
}

pub(crate) fn import(
    source: &Source,
    dialect: DialectKind,
) -> Result<sqlimport::Project, MigrateError> {
    match source {
        Source::Files { path, options } => Ok(sqlimport::load_with(path, dialect, options)?),
        Source::Sql { name, sql, options } => {
            Ok(sqlimport::load_str_with(sql, name, dialect, options)?)
        }
        Source::Database(_) => Err(MigrateError::UnexpectedSource {
            source_text: source.to_string(),
            expected: "SQL files or text",
        }),
    }
}

/// Loads into a scratch space, refusing (and removing) what the SQL created outside it.
async fn load_in_scratch(
    dev: &dyn Driver,
    scratch: &Scratch,
    project: &sqlimport::Project,
    statements: &[String],
) -> Result<Realm, MigrateError> {
    let before = dev.schemas_outside().await?;
    let outcome = run_and_inspect(scratch.driver.as_ref(), project, statements).await;
    // Only a schema a statement names can have been created by this load; others appeared
    // meanwhile, made by other clients, and are not this run's to drop.
    let created: Vec<String> = dev
        .schemas_outside()
        .await?
        .into_iter()
        .filter(|s| !before.contains(s) && mentioned(statements, s))
        .collect();
    if created.is_empty() {
        return outcome;
    }
    dev.drop_schemas_outside(&created).await?;
    Err(MigrateError::OutsideDev { schemas: created })
}

fn mentioned(statements: &[String], schema: &str) -> bool {
    let name = schema.to_lowercase();
    statements.iter().any(|s| s.to_lowercase().contains(&name))
}

async fn run_and_inspect(
    dev: &dyn Driver,
    project: &sqlimport::Project,
    statements: &[String],
) -> Result<Realm, MigrateError> {
    let executed = async {
        let mut session = dev.session().await?;
        exec::execute_all(session.as_mut(), statements).await
    }
    .instrument(tracing::info_span!("load", statements = statements.len()))
    .await;
    match executed {
        Ok(()) => Ok(dev.inspect(&InspectOptions::default()).await?),
        Err(DriverError::Exec { index, message, .. }) => Err(match project.statements.get(index) {
            Some(statement) => MigrateError::Statement {
                file: shown_path(&project.root, &statement.location.file),
                line: statement.location.line,
                message: one_line(&message),
            },
            None => MigrateError::Driver(DriverError::Inspect {
                message,
                code: None,
                source: None,
            }),
        }),
        Err(other) => Err(other.into()),
    }
}

/// Inspects a database source (opened read-only: nothing is created) with `options`.
pub(crate) async fn inspect_url(
    url: &str,
    options: &InspectOptions,
) -> Result<Realm, MigrateError> {
    let driver = open_with(url, OpenOptions::read_only()).await?;
    let realm = driver.inspect(options).await;
    let closed = driver.close().await;
    let realm = realm?;
    closed?;
    Ok(realm)
}

/// The realm a source describes: a database inspected with `options`, SQL loaded on `dev`.
pub(crate) async fn realm_of(
    source: &Source,
    dev: Option<&Dev>,
    options: &InspectOptions,
) -> Result<Realm, MigrateError> {
    match (source, dev) {
        (Source::Database(url), _) => inspect_url(url, options).await,
        (sql, Some(dev)) => dev.load(sql).await,
        (_, None) => Err(MigrateError::Missing(
            "a dev database URL (--dev-url) to load SQL files into",
        )),
    }
}

/// Locations are relative to the project's root; joined to the root as the user gave it,
/// they point at the file from where the command ran.
fn shown_path(root: &Path, file: &Path) -> String {
    if root == Path::new(".") || file.is_absolute() {
        file.display().to_string()
    } else {
        root.join(file).display().to_string()
    }
}

/// Database messages (and errors listing statements) may carry detail lines; a located
/// error, or a report row, stays on one line.
pub(crate) fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
