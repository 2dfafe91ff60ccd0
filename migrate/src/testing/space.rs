//! Each case's own database: a scratch space on the dev server (a database, or a schema
//! when the dev URL is bound to one), or for SQLite a fresh database file in a temporary
//! directory, so an external program can open it too. Created clean before the case and
//! removed after it, whatever its result.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use mercator_driver::{Driver, Scratch, redact_url};
use schema_model::DialectKind;

use super::TestError;
use crate::open;

/// Where the spaces come from.
pub(crate) enum Spaces {
    /// Database files in a temporary directory removed with the run.
    Sqlite {
        dir: tempfile::TempDir,
        next: AtomicUsize,
    },
    /// Scratch spaces on the dev server.
    Server {
        /// The dev URL as given (with its password).
        url: String,
    },
}

/// One case's database.
pub(crate) struct Space {
    /// Its URL, password included, for external programs.
    pub(crate) url: String,
    /// The schema the dev URL is bound to: the space's schema is compared under this name
    /// (plan fingerprints), and for PostgreSQL schema spaces the revisions table lives in
    /// the space itself.
    pub(crate) bound: Option<String>,
    /// The space's schema name when it is a schema of the dev database (PostgreSQL).
    pub(crate) schema_space: Option<String>,
    owner: Owner,
}

enum Owner {
    /// A database file and the connection to it.
    File {
        path: PathBuf,
        driver: Box<dyn Driver>,
    },
    /// A scratch space and the dev connection that made it. Each case has a dev connection
    /// of its own: a scratch space is owned through a lock its dev connection holds, and a
    /// connection sees its own locks as free, so spaces made through one shared connection
    /// would reclaim each other.
    Scratch {
        dev: Box<dyn Driver>,
        scratch: Scratch,
    },
}

impl Space {
    /// A connection to the space (the case's only one: session state such as `SET ROLE`
    /// carries from one command to the next).
    pub(crate) fn driver(&self) -> &dyn Driver {
        match &self.owner {
            Owner::File { driver, .. } => driver.as_ref(),
            Owner::Scratch { scratch, .. } => scratch.driver.as_ref(),
        }
    }
}

impl Spaces {
    /// Opens the dev database (server drivers) or makes the temporary directory (SQLite).
    pub(crate) async fn open(
        kind: DialectKind,
        dev_url: Option<&str>,
    ) -> Result<Spaces, TestError> {
        if kind == DialectKind::Sqlite {
            let dir = tempfile::Builder::new()
                .prefix("mercator-test-")
                .tempdir()
                .map_err(TestError::TempDir)?;
            return Ok(Spaces::Sqlite {
                dir,
                next: AtomicUsize::new(0),
            });
        }
        let url = dev_url.ok_or(TestError::Missing(
            "a dev database URL (--dev-url) to run the tests on",
        ))?;
        // Checked once, so a wrong dev URL stops the run before any case.
        let dev = open(url).await?;
        let found = dev.kind();
        dev.close().await?;
        if found != kind {
            return Err(TestError::DialectMismatch {
                dev: found,
                expected: kind,
            });
        }
        Ok(Spaces::Server {
            url: url.to_owned(),
        })
    }

    /// A new, empty space.
    pub(crate) async fn create(&self) -> Result<Space, TestError> {
        match self {
            Spaces::Sqlite { dir, next } => {
                let n = next.fetch_add(1, Ordering::SeqCst);
                let path = dir.path().join(format!("case-{n}.db"));
                let url = format!("sqlite://{}", path.display());
                let driver = open(&url).await?;
                Ok(Space {
                    url,
                    bound: Some("main".to_owned()),
                    schema_space: None,
                    owner: Owner::File { path, driver },
                })
            }
            Spaces::Server { url } => {
                let dev = open(url).await?;
                match Self::scratch_on(dev.as_ref(), url).await {
                    Ok((scratch, space_url, bound, schema_space)) => Ok(Space {
                        url: space_url,
                        bound,
                        schema_space,
                        owner: Owner::Scratch { dev, scratch },
                    }),
                    Err(e) => {
                        let _ = dev.close().await;
                        Err(e)
                    }
                }
            }
        }
    }

    /// Makes a scratch space through `dev`; returns it with its URL, the dev URL's bound
    /// schema and, for a PostgreSQL schema space, its schema.
    async fn scratch_on(
        dev: &dyn Driver,
        url: &str,
    ) -> Result<(Scratch, String, Option<String>, Option<String>), TestError> {
        let scratch = dev
            .create_scratch()
            .await?
            .ok_or_else(|| TestError::NoScratch {
                url: redact_url(url),
                why: "the user may not create databases or schemas, or the URL names no database"
                    .to_owned(),
            })?;
        let bound = dev.bound_schema().map(str::to_owned);
        let schema_space =
            (dev.kind() == DialectKind::Postgres && bound.is_some()).then(|| scratch.name.clone());
        let Some(space_url) = space_url(url, dev.kind(), schema_space.is_some(), &scratch.name)
        else {
            let _ = dev.drop_scratch(scratch).await;
            return Err(TestError::NoScratch {
                url: redact_url(url),
                why: "its URL cannot be parsed".to_owned(),
            });
        };
        let bound = bound.or_else(|| Some("public".to_owned()));
        Ok((scratch, space_url, bound, schema_space))
    }

    /// Removes a space and everything in it.
    pub(crate) async fn remove(&self, space: Space) -> Result<(), TestError> {
        match space.owner {
            Owner::File { path, driver } => {
                let closed = driver.close().await;
                for suffix in ["", "-wal", "-shm", "-journal"] {
                    let mut file = path.clone().into_os_string();
                    file.push(suffix);
                    let _ = std::fs::remove_file(file);
                }
                closed?;
            }
            Owner::Scratch { dev, scratch } => {
                let dropped = dev.drop_scratch(scratch).await;
                let dev_closed = dev.close().await;
                dropped?;
                dev_closed?;
            }
        }
        Ok(())
    }
}

/// The URL of a scratch space: the dev URL pointed at the database (or, for a PostgreSQL
/// schema space, with `search_path` set to it), credentials and other parameters kept.
fn space_url(dev_url: &str, kind: DialectKind, schema: bool, name: &str) -> Option<String> {
    let mut url = url::Url::parse(dev_url).ok()?;
    if kind == DialectKind::Postgres && schema {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| k != "search_path")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        url.query_pairs_mut()
            .clear()
            .extend_pairs(pairs)
            .append_pair("search_path", name);
    } else {
        url.set_path(&format!("/{name}"));
    }
    Some(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn space_urls_keep_credentials_and_parameters() {
        assert_eq!(
            space_url(
                "postgres://u:p@h:5432/dev?sslmode=disable&search_path=public",
                DialectKind::Postgres,
                true,
                "mercator_dev_x"
            )
            .as_deref(),
            Some("postgres://u:p@h:5432/dev?sslmode=disable&search_path=mercator_dev_x")
        );
        assert_eq!(
            space_url("postgres://u@h/dev", DialectKind::Postgres, false, "s1").as_deref(),
            Some("postgres://u@h/s1")
        );
        assert_eq!(
            space_url(
                "mysql://root:pw@h:3306/dev?x=1",
                DialectKind::Mysql,
                false,
                "s2"
            )
            .as_deref(),
            Some("mysql://root:pw@h:3306/s2?x=1")
        );
    }
}
