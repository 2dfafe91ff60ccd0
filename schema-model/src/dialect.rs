//! Which database a schema, a SQL text or a connection belongs to.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The one identity of a database family, shared by every crate: `sqlimport` lexes SQL by
/// it, drivers report it, workflows compare the two sides of a diff with it.
///
/// MariaDB is the MySQL family: one dialect, told apart at run time by the server version.
///
/// Deliberately exhaustive: adding a database must stop the build at every `match` that
/// has to learn about it.
///
/// ```
/// use schema_model::DialectKind;
///
/// assert_eq!("postgresql".parse::<DialectKind>(), Ok(DialectKind::Postgres));
/// assert_eq!(DialectKind::Mysql.to_string(), "mysql");
/// assert!("oracle".parse::<DialectKind>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DialectKind {
    /// SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
    /// MySQL and MariaDB.
    Mysql,
}

impl DialectKind {
    /// Every dialect, in a stable order.
    pub const ALL: [DialectKind; 3] = [
        DialectKind::Sqlite,
        DialectKind::Postgres,
        DialectKind::Mysql,
    ];

    /// The canonical short name: `sqlite`, `postgres` or `mysql`.
    pub fn name(self) -> &'static str {
        match self {
            DialectKind::Sqlite => "sqlite",
            DialectKind::Postgres => "postgres",
            DialectKind::Mysql => "mysql",
        }
    }
}

impl fmt::Display for DialectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is not one of the known dialects.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown dialect {0:?}: expected sqlite, postgres or mysql")]
pub struct UnknownDialect(pub String);

impl FromStr for DialectKind {
    type Err = UnknownDialect;

    /// Accepts the canonical names and their common aliases (`sqlite3`, `postgresql`,
    /// `mariadb`, `maria`), case-insensitively.
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name.to_ascii_lowercase().as_str() {
            "sqlite" | "sqlite3" => Ok(DialectKind::Sqlite),
            "postgres" | "postgresql" => Ok(DialectKind::Postgres),
            "mysql" | "mariadb" | "maria" => Ok(DialectKind::Mysql),
            _ => Err(UnknownDialect(name.to_owned())),
        }
    }
}
