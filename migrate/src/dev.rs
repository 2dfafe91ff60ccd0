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
        open: fn() -> Result<Box<dyn Driver>, DriverError>,
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
        let project = import(source, self.kind())?;
        let statements: Vec<String> = project.statements.iter().map(|s| s.sql.clone()).collect();
        match self {
            Dev::Url(dev) => match dev.create_scratch().await? {
                Some(scratch) => {
                    let outcome =
                        load_in_scratch(dev.as_ref(), &scratch, &project, &statements).await;
                    // A failed clean-up must not hide the load's own error.
                    let dropped = dev.drop_scratch(scratch).await;
                    let realm = outcome?;
                    dropped?;
                    match dev.bound_schema() {
                        Some(bound) => bind(realm, bound),
                        None => Ok(realm),
                    }
                }
                None => {
                    // The credentials cannot create a space: the dev database itself is the
                    // scratch space, so it must be clean, and is emptied after.
                    dev.check_clean().await?;
                    let outcome = run_and_inspect(dev.as_ref(), &project, &statements).await;
                    let reset = dev.reset().await;
                    let realm = outcome?;
                    reset?;
                    Ok(realm)
                }
            },
            Dev::Scratch { open, .. } => {
                let dev = open()?;
                run_and_inspect(dev.as_ref(), &project, &statements).await
            }
        }
    }

    /// Closes the dev database's connection.
    pub(crate) async fn close(self) -> Result<(), MigrateError> {
        if let Dev::Url(driver) = self {
            driver.close().await?;
        }
        Ok(())
    }
}

/// The `sqlimport` dialect of a database family.
pub(crate) fn import_dialect(kind: DialectKind) -> sqlimport::Dialect {
    match kind {
        DialectKind::Postgres => sqlimport::Dialect::Postgres,
        DialectKind::Mysql => sqlimport::Dialect::Mysql,
        _ => sqlimport::Dialect::Sqlite,
    }
}

fn import(source: &Source, kind: DialectKind) -> Result<sqlimport::Project, MigrateError> {
    let dialect = import_dialect(kind);
    match source {
        Source::Files(path) => Ok(sqlimport::load(path, dialect)?),
        Source::Sql { name, sql } => Ok(sqlimport::load_str(sql, name, dialect)?),
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
    let created: Vec<String> = dev
        .schemas_outside()
        .await?
        .into_iter()
        .filter(|s| !before.contains(s))
        .collect();
    if created.is_empty() {
        return outcome;
    }
    dev.drop_schemas_outside(&created).await?;
    Err(MigrateError::OutsideDev { schemas: created })
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

/// Database messages may carry detail lines; a located error stays on one line.
fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
