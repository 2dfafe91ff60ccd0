//! Which server we talk to: MySQL or MariaDB, and which version. Rendering and
//! inspection differ between them, so every difference is decided here by a version check.

use std::fmt;

/// The server family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flavor {
    /// Oracle MySQL.
    Mysql,
    /// MariaDB.
    Mariadb,
}

/// A server family and version (`major.minor.patch`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ServerVersion {
    /// Family.
    pub flavor: Flavor,
    /// `(major, minor, patch)`.
    pub version: (u32, u32, u32),
}

impl ServerVersion {
    /// Parses the answer of `SELECT VERSION()`, e.g. `10.11.19-MariaDB-0+deb12u1` or `8.0.36`.
    pub fn parse(text: &str) -> ServerVersion {
        let flavor = if text.to_ascii_lowercase().contains("mariadb") {
            Flavor::Mariadb
        } else {
            Flavor::Mysql
        };
        // MariaDB 10 once advertised itself as `5.5.5-10.x` for old clients.
        let text = text.strip_prefix("5.5.5-").unwrap_or(text);
        let mut parts = text
            .split(|c: char| !c.is_ascii_digit())
            .filter(|p| !p.is_empty())
            .map(|p| p.parse::<u32>().unwrap_or(0));
        let major = parts.next().unwrap_or(0);
        let minor = parts.next().unwrap_or(0);
        let patch = parts.next().unwrap_or(0);
        ServerVersion {
            flavor,
            version: (major, minor, patch),
        }
    }

    /// Whether this is MariaDB.
    pub fn is_mariadb(&self) -> bool {
        self.flavor == Flavor::Mariadb
    }

    /// Whether the version is at least `major.minor.patch` (family not checked).
    pub fn at_least(&self, major: u32, minor: u32, patch: u32) -> bool {
        self.version >= (major, minor, patch)
    }

    /// Descending index parts are stored (MySQL 8.0; MariaDB 10.8). Older servers parse
    /// `DESC` and ignore it.
    pub fn supports_desc_index(&self) -> bool {
        match self.flavor {
            Flavor::Mysql => self.at_least(8, 0, 0),
            Flavor::Mariadb => self.at_least(10, 8, 0),
        }
    }

    /// Indexes can be hidden from the optimizer (MySQL 8 `INVISIBLE`, MariaDB 10.6 `IGNORED`).
    pub fn supports_invisible_index(&self) -> bool {
        match self.flavor {
            Flavor::Mysql => self.at_least(8, 0, 0),
            Flavor::Mariadb => self.at_least(10, 6, 0),
        }
    }

    /// `JSON` is a real type (MySQL) rather than an alias of `LONGTEXT` with a
    /// `json_valid` check (MariaDB).
    pub fn native_json(&self) -> bool {
        self.flavor == Flavor::Mysql
    }

    /// `CHECK … NOT ENFORCED` exists (MySQL 8.0.16).
    pub fn supports_not_enforced(&self) -> bool {
        self.flavor == Flavor::Mysql && self.at_least(8, 0, 16)
    }

    /// The native `UUID` type (MariaDB 10.7).
    pub fn supports_uuid(&self) -> bool {
        self.flavor == Flavor::Mariadb && self.at_least(10, 7, 0)
    }

    /// Index parts may be expressions (MySQL 8.0.13; MariaDB has none).
    pub fn supports_expression_index(&self) -> bool {
        self.flavor == Flavor::Mysql && self.at_least(8, 0, 13)
    }

    /// Generated columns may be declared `NOT NULL` (MySQL; MariaDB refuses).
    pub fn generated_not_null(&self) -> bool {
        self.flavor == Flavor::Mysql
    }
}

impl fmt::Display for ServerVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (a, b, c) = self.version;
        let name = match self.flavor {
            Flavor::Mysql => "MySQL",
            Flavor::Mariadb => "MariaDB",
        };
        write!(f, "{name} {a}.{b}.{c}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_versions() {
        let maria = ServerVersion::parse("10.11.19-MariaDB-0+deb12u1");
        assert_eq!(maria.flavor, Flavor::Mariadb);
        assert_eq!(maria.version, (10, 11, 19));
        assert!(maria.supports_desc_index() && maria.supports_invisible_index());
        assert!(!maria.native_json() && !maria.supports_not_enforced());
        let old = ServerVersion::parse("5.5.5-10.5.2-MariaDB");
        assert_eq!(old.version, (10, 5, 2));
        assert!(!old.supports_desc_index() && !old.supports_invisible_index());
        let mysql = ServerVersion::parse("8.0.36");
        assert_eq!(mysql.flavor, Flavor::Mysql);
        assert!(mysql.native_json() && mysql.supports_not_enforced());
        assert!(!ServerVersion::parse("5.7.44-log").supports_desc_index());
    }
}
