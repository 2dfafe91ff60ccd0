//! Turning SQL files into a realm: import, execute on a dev database, inspect, reset.

use std::path::Path;

use mercator_driver::{Driver, DriverError, InspectOptions};
use schema_model::Realm;

use crate::{MigrateError, Source};

/// The `sqlimport` dialect matching a driver's dialect name.
pub(crate) fn import_dialect(name: &str) -> sqlimport::Dialect {
    match name {
        "postgres" | "postgresql" => sqlimport::Dialect::Postgres,
        "mysql" | "mariadb" => sqlimport::Dialect::Mysql,
        _ => sqlimport::Dialect::Sqlite,
    }
}

/// Loads a SQL source (files or text) with the dev database's dialect, runs its
/// statements in import order on the dev database, and inspects the result. The dev
/// database must be clean; it is reset afterwards, whatever happened.
pub(crate) async fn load_sql(source: &Source, dev: &dyn Driver) -> Result<Realm, MigrateError> {
    let dialect = import_dialect(dev.dialect().name());
    let project = match source {
        Source::Files(path) => sqlimport::load(path, dialect)?,
        Source::Sql { name, sql } => sqlimport::load_str(sql, name, dialect)?,
        Source::Database(_) => {
            return Err(MigrateError::UnexpectedSource {
                source_text: source.to_string(),
                expected: "SQL files or text",
            });
        }
    };
    let statements: Vec<String> = project.statements.iter().map(|s| s.sql.clone()).collect();
    dev.check_clean().await?;
    let outcome = match dev.execute(&statements).await {
        Ok(()) => dev
            .inspect(&InspectOptions::default())
            .await
            .map_err(MigrateError::from),
        Err(DriverError::Exec { index, message, .. }) => Err(match project.statements.get(index) {
            Some(statement) => MigrateError::Statement {
                file: shown_path(&project.root, &statement.location.file),
                line: statement.location.line,
                message: one_line(&message),
            },
            None => MigrateError::Driver(DriverError::Inspect { message }),
        }),
        Err(other) => Err(other.into()),
    };
    // A failed reset must not hide the load error, which is what the user needs to see.
    let reset = dev.reset().await;
    let realm = outcome?;
    reset?;
    Ok(realm)
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
