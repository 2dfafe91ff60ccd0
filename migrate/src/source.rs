//! Where a schema comes from: a live database or SQL files.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use mercator_driver::redact_url;
use sqlimport::LoadOptions;

use crate::MigrateError;
use crate::open::{driver_for, scheme_of};

/// A schema source, as given to `--from` / `--to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A database URL (`sqlite://…`, `postgres://…`, `mysql://…`): its current schema.
    Database(String),
    /// A `.sql` file or a directory of them (`file://path`), loaded with `sqlimport` and
    /// executed on a dev database to obtain the schema it describes.
    Files {
        /// The file or directory; it is also the project root imports must stay inside.
        path: PathBuf,
        /// How the files are read (size limit, imports outside the root).
        options: LoadOptions,
    },
    /// SQL text held in memory (e.g. `include_str!`), loaded with `sqlimport` as if it
    /// were the file `name` (imports resolve relative to it) and executed on a dev
    /// database like [`Source::Files`].
    Sql {
        /// The file name the text is reported under (and imports resolve from).
        name: PathBuf,
        /// The SQL text.
        sql: String,
        /// How imported files are read.
        options: LoadOptions,
    },
}

impl Source {
    /// Reads a source from its URL form. `file://` paths are relative to the current
    /// directory unless absolute (`file:///abs/path`).
    ///
    /// ```
    /// use mercator_migrate::Source;
    /// use std::path::PathBuf;
    ///
    /// assert_eq!(Source::parse("file://schema.sql").unwrap(), Source::file("schema.sql"));
    /// assert!(matches!(Source::parse("sqlite://app.db").unwrap(), Source::Database(_)));
    /// assert!(Source::parse("ftp://x").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Self, MigrateError> {
        let scheme = scheme_of(text)?;
        if scheme.eq_ignore_ascii_case("file") {
            let path = &text[scheme.len() + 3..];
            if path.is_empty() {
                return Err(MigrateError::InvalidUrl {
                    url: text.to_owned(),
                    reason: "file:// needs a path, e.g. file://schema.sql".into(),
                });
            }
            return Ok(Source::file(path));
        }
        driver_for(text)?;
        Ok(Source::Database(text.to_owned()))
    }

    /// A source of SQL files.
    pub fn file(path: impl AsRef<Path>) -> Self {
        Source::Files {
            path: path.as_ref().to_path_buf(),
            options: LoadOptions::default(),
        }
    }

    /// A source of SQL text, reported as the file `name`.
    pub fn sql(name: impl AsRef<Path>, sql: impl Into<String>) -> Self {
        Source::Sql {
            name: name.as_ref().to_path_buf(),
            sql: sql.into(),
            options: LoadOptions::default(),
        }
    }

    /// The same source, its SQL files read with `options` (a database source is returned
    /// unchanged: it has no files). For example, allowing imports outside the project root:
    ///
    /// ```
    /// use mercator_migrate::{LoadOptions, Source};
    ///
    /// let source = Source::file("schema")
    ///     .with_load_options(LoadOptions::default().allow_outside_root(true));
    /// assert!(source.load_options().is_some_and(|o| o.allow_outside_root));
    /// ```
    #[must_use]
    pub fn with_load_options(mut self, new: LoadOptions) -> Self {
        if let Source::Files { options, .. } | Source::Sql { options, .. } = &mut self {
            *options = new;
        }
        self
    }

    /// How the source's SQL files are read; `None` for a database.
    pub fn load_options(&self) -> Option<&LoadOptions> {
        match self {
            Source::Files { options, .. } | Source::Sql { options, .. } => Some(options),
            Source::Database(_) => None,
        }
    }

    /// Whether the source is SQL (files or text) that needs a dev database to be read.
    pub fn is_sql(&self) -> bool {
        !matches!(self, Source::Database(_))
    }

    /// A database source.
    pub fn database(url: impl Into<String>) -> Self {
        Source::Database(url.into())
    }
}

impl FromStr for Source {
    type Err = MigrateError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Source::parse(text)
    }
}

impl fmt::Display for Source {
    /// The URL form, with any password masked.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Database(url) => f.write_str(&redact_url(url)),
            Source::Files { path, .. } => write!(f, "file://{}", path.display()),
            Source::Sql { name, .. } => write!(f, "SQL text {}", name.display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sources() {
        assert_eq!(
            Source::parse("file:///abs/dir").unwrap(),
            Source::file(PathBuf::from("/abs/dir"))
        );
        assert_eq!(
            Source::parse("mysql://root@localhost/app").unwrap(),
            Source::Database("mysql://root@localhost/app".into())
        );
        assert!(matches!(
            Source::parse("file://"),
            Err(MigrateError::InvalidUrl { .. })
        ));
        assert!(matches!(
            Source::parse("schema.sql"),
            Err(MigrateError::InvalidUrl { .. })
        ));
    }

    #[test]
    fn display_hides_passwords() {
        let source = Source::parse("postgres://app:s3cret@db/app").unwrap();
        assert_eq!(source.to_string(), "postgres://app:xxxxx@db/app");
        let err = Source::parse("redis://app:s3cret@db").unwrap_err();
        assert!(!err.to_string().contains("s3cret"), "{err}");
    }
}
