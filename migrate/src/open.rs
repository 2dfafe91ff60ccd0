//! Choosing a driver from a URL: the drivers compiled in (one line each, behind their cargo
//! feature) and any an application registers.

use std::sync::{OnceLock, RwLock};

use mercator_driver::{Driver, DriverFactory, OpenOptions, redact_url};
use schema_model::DialectKind;

use crate::MigrateError;

/// The drivers built into this crate, selected by cargo features.
// One `push` per driver, each behind its feature: a `vec![]` literal cannot hold the
// `#[cfg]`s.
#[allow(clippy::vec_init_then_push)]
fn built_in() -> Vec<&'static DriverFactory> {
    #[allow(unused_mut)]
    let mut drivers: Vec<&'static DriverFactory> = Vec::new();
    #[cfg(feature = "sqlite")]
    drivers.push(&mercator_sqlite::FACTORY);
    #[cfg(feature = "postgres")]
    drivers.push(&mercator_postgres::FACTORY);
    #[cfg(feature = "mysql")]
    drivers.push(&mercator_mysql::FACTORY);
    drivers
}

fn registry() -> &'static RwLock<Vec<&'static DriverFactory>> {
    static REGISTRY: OnceLock<RwLock<Vec<&'static DriverFactory>>> = OnceLock::new();
    REGISTRY.get_or_init(|| RwLock::new(built_in()))
}

/// Makes a driver available to every workflow of this process by its URL schemes. A driver
/// registered later wins over an earlier one for the same scheme.
///
/// ```
/// # #[cfg(feature = "sqlite")] {
/// mercator_migrate::register_driver(&mercator_sqlite::FACTORY);
/// assert!(mercator_migrate::drivers().iter().any(|d| d.serves("sqlite")));
/// # }
/// ```
pub fn register_driver(factory: &'static DriverFactory) {
    let mut drivers = registry()
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    drivers.insert(0, factory);
}

/// The drivers available, most recently registered first.
pub fn drivers() -> Vec<&'static DriverFactory> {
    registry()
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .clone()
}

/// The schemes of every available driver, for messages (`sqlite://, postgres://, …`).
fn known_schemes() -> String {
    let mut schemes: Vec<String> = drivers()
        .iter()
        .flat_map(|d| d.schemes.iter().map(|s| format!("{s}://")))
        .collect();
    schemes.dedup();
    schemes.join(", ")
}

/// The scheme of `url` (the text before `://`).
pub(crate) fn scheme_of(url: &str) -> Result<&str, MigrateError> {
    match url.split_once("://") {
        Some((scheme, _)) if !scheme.is_empty() => Ok(scheme),
        _ => Err(MigrateError::InvalidUrl {
            url: redact_url(url),
            reason: format!(
                "expected <scheme>://…, e.g. sqlite://app.db or postgres://user@host/db{}",
                path_hint(url)
            ),
        }),
    }
}

/// A hint for text that looks like a path given where a URL is expected.
fn path_hint(text: &str) -> String {
    let looks_like_path = text.ends_with(".sql")
        || text.ends_with(".db")
        || text.ends_with(".sqlite")
        || text.starts_with('.')
        || text.starts_with('/')
        || std::path::Path::new(text).exists();
    if looks_like_path && !text.contains("://") {
        format!(" (for a file, write file://{text}, or sqlite://{text} for a SQLite database)")
    } else {
        String::new()
    }
}

/// The driver serving a URL, after checking that the URL parses.
pub fn driver_for(url: &str) -> Result<&'static DriverFactory, MigrateError> {
    let scheme = scheme_of(url)?;
    if scheme.eq_ignore_ascii_case("file") {
        return Err(MigrateError::UnexpectedSource {
            source_text: url.to_owned(),
            expected: "a database URL (sqlite://, postgres://, mysql://, maria://)",
        });
    }
    let factory = drivers()
        .into_iter()
        .find(|d| d.serves(scheme))
        .ok_or_else(|| MigrateError::UnknownScheme {
            scheme: scheme.to_owned(),
            url: redact_url(url),
            known: known_schemes(),
        })?;
    if factory.standard_urls {
        url::Url::parse(url).map_err(|e| MigrateError::InvalidUrl {
            url: redact_url(url),
            reason: e.to_string(),
        })?;
    }
    Ok(factory)
}

/// The database family a URL names.
pub fn dialect_of(url: &str) -> Result<DialectKind, MigrateError> {
    Ok(driver_for(url)?.kind)
}

/// Fails with [`MigrateError::DialectMismatch`] unless both are the same database family.
pub(crate) fn ensure_same(a: DialectKind, b: DialectKind) -> Result<(), MigrateError> {
    if a == b {
        Ok(())
    } else {
        Err(MigrateError::DialectMismatch { from: a, to: b })
    }
}

/// Connects to the database a URL names, with any registered driver: `sqlite://` /
/// `sqlite3://`, `postgres://` / `postgresql://`, `mysql://` / `maria://` / `mariadb://`
/// with the default features.
///
/// Errors never contain the URL's password.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let err = mercator_migrate::open("oracle://scott:tiger@db/x").await.err().unwrap();
/// assert!(err.to_string().contains("unknown URL scheme"));
/// assert!(!err.to_string().contains("tiger"));
/// # });
/// ```
pub async fn open(url: &str) -> Result<Box<dyn Driver>, MigrateError> {
    open_with(url, OpenOptions::default()).await
}

/// [`open`] with options (e.g. [`OpenOptions::read_only`] for commands that must not
/// create a SQLite file).
pub async fn open_with(url: &str, options: OpenOptions) -> Result<Box<dyn Driver>, MigrateError> {
    let factory = driver_for(url)?;
    Ok((factory.open)(url, options).await?)
}

/// A private scratch database of `kind` needing no server, if its driver offers one.
pub(crate) fn scratch_of(kind: DialectKind) -> Option<mercator_driver::ScratchOpener> {
    drivers()
        .into_iter()
        .find(|d| d.kind == kind)
        .and_then(|d| d.scratch)
}

/// The dialect of `kind`, for rendering without a connection.
pub fn offline_dialect(kind: DialectKind) -> Option<Box<dyn schema_diff::Dialect>> {
    drivers()
        .into_iter()
        .find(|d| d.kind == kind)
        .map(|d| (d.dialect)())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_get_a_hint() {
        let err = scheme_of("schema.sql").unwrap_err().to_string();
        assert!(err.contains("file://schema.sql"), "{err}");
        let err = scheme_of("postgres:/x").unwrap_err().to_string();
        assert!(!err.contains("file://"), "{err}");
    }
}
