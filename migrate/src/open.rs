//! Choosing a driver from a URL.

use mercator_driver::{Driver, redact_url};

use crate::MigrateError;

/// The databases Mercator can connect to, by URL scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseKind {
    /// `sqlite://`, `sqlite3://`.
    Sqlite,
    /// `postgres://`, `postgresql://`.
    Postgres,
    /// `mysql://`, `maria://`, `mariadb://`.
    Mysql,
}

impl DatabaseKind {
    /// The kind a URL scheme names, if any (case-insensitive).
    pub fn from_scheme(scheme: &str) -> Option<Self> {
        match scheme.to_ascii_lowercase().as_str() {
            "sqlite" | "sqlite3" => Some(DatabaseKind::Sqlite),
            "postgres" | "postgresql" => Some(DatabaseKind::Postgres),
            "mysql" | "maria" | "mariadb" => Some(DatabaseKind::Mysql),
            _ => None,
        }
    }

    /// The dialect name: `sqlite`, `postgres` or `mysql`.
    pub fn name(self) -> &'static str {
        match self {
            DatabaseKind::Sqlite => "sqlite",
            DatabaseKind::Postgres => "postgres",
            DatabaseKind::Mysql => "mysql",
        }
    }

    /// Fails with [`MigrateError::DialectMismatch`] unless both are the same database.
    pub fn ensure_same(self, other: DatabaseKind) -> Result<(), MigrateError> {
        if self == other {
            Ok(())
        } else {
            Err(MigrateError::DialectMismatch {
                from: self.name().into(),
                to: other.name().into(),
            })
        }
    }

    /// The kind of database a URL points to, after checking that the URL parses.
    pub fn of_url(url: &str) -> Result<Self, MigrateError> {
        let scheme = scheme_of(url)?;
        if scheme.eq_ignore_ascii_case("file") {
            return Err(MigrateError::UnexpectedSource {
                source_text: url.to_owned(),
                expected: "a database URL (sqlite://, postgres://, mysql://, maria://)",
            });
        }
        let kind =
            DatabaseKind::from_scheme(scheme).ok_or_else(|| MigrateError::UnknownScheme {
                scheme: scheme.to_owned(),
                url: redact_url(url),
            })?;
        // SQLite URLs carry file paths (spaces, `:memory:`) that generic URL parsing
        // rejects; the SQLite driver reads them itself.
        if kind != DatabaseKind::Sqlite {
            url::Url::parse(url).map_err(|e| MigrateError::InvalidUrl {
                url: redact_url(url),
                reason: e.to_string(),
            })?;
        }
        Ok(kind)
    }
}

/// The scheme of `url` (the text before `://`).
pub(crate) fn scheme_of(url: &str) -> Result<&str, MigrateError> {
    match url.split_once("://") {
        Some((scheme, _)) if !scheme.is_empty() => Ok(scheme),
        _ => Err(MigrateError::InvalidUrl {
            url: redact_url(url),
            reason: "expected <scheme>://…, e.g. sqlite://app.db or postgres://user@host/db".into(),
        }),
    }
}

/// Connects to the database a URL names: `sqlite://` / `sqlite3://`, `postgres://` /
/// `postgresql://`, `mysql://` / `maria://` / `mariadb://`.
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
    let driver: Box<dyn Driver> = match DatabaseKind::of_url(url)? {
        DatabaseKind::Sqlite => Box::new(mercator_sqlite::SqliteDriver::open(url)?),
        DatabaseKind::Postgres => Box::new(mercator_postgres::PostgresDriver::open(url).await?),
        DatabaseKind::Mysql => Box::new(mercator_mysql::MysqlDriver::open(url).await?),
    };
    Ok(driver)
}

/// A fresh in-memory SQLite database, the default dev database for SQLite targets.
pub(crate) fn sqlite_in_memory() -> Box<dyn Driver> {
    Box::new(mercator_sqlite::SqliteDriver::in_memory())
}
