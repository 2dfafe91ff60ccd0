//! The dev database space a lint run executes statements in: a scratch database of the
//! run's own where the dev server can make one, else the dev database itself (which must be
//! clean and is emptied afterwards), or a private in-memory SQLite database.

use mercator_driver::{Driver, InspectOptions, Scratch};
use schema_model::{DialectKind, Realm};

use crate::MigrateError;
use crate::binding::bind;
use crate::dev::Dev;

/// An open dev space.
pub(crate) enum Workspace {
    /// A scratch space made on the dev server; dropped on close.
    Scratch {
        /// The dev database's connection.
        dev: Box<dyn Driver>,
        /// The space.
        scratch: Scratch,
    },
    /// The dev database itself (the server cannot make scratch spaces); reset on close.
    Shared {
        /// The dev database's connection.
        dev: Box<dyn Driver>,
    },
    /// A private database (SQLite in memory); discarded on close.
    Private {
        /// Its connection.
        driver: Box<dyn Driver>,
    },
}

impl Workspace {
    /// Opens a space on `dev_url` (or a private in-memory database for `kind`).
    pub(crate) async fn open(
        dev_url: Option<&str>,
        kind: DialectKind,
    ) -> Result<Self, MigrateError> {
        Ok(match Dev::choose(dev_url, kind).await? {
            Dev::Url(dev) => match dev.create_scratch().await? {
                Some(scratch) => Workspace::Scratch { dev, scratch },
                None => {
                    dev.check_clean().await?;
                    Workspace::Shared { dev }
                }
            },
            Dev::Scratch { open, .. } => Workspace::Private { driver: open()? },
        })
    }

    /// The driver statements run on.
    pub(crate) fn driver(&self) -> &dyn Driver {
        match self {
            Workspace::Scratch { scratch, .. } => scratch.driver.as_ref(),
            Workspace::Shared { dev } => dev.as_ref(),
            Workspace::Private { driver } => driver.as_ref(),
        }
    }

    /// The schema name users know the dev database by (its URL's schema), which realms
    /// are reported under even when the run works in a scratch space of another name.
    pub(crate) fn label(&self) -> Option<&str> {
        match self {
            Workspace::Scratch { dev, .. } | Workspace::Shared { dev } => dev.bound_schema(),
            Workspace::Private { driver } => driver.bound_schema(),
        }
    }

    /// The schema unqualified names resolve to, for rename hints.
    pub(crate) fn default_schema(&self) -> String {
        match (self.label(), self.driver().kind()) {
            (Some(label), _) => label.to_owned(),
            (None, DialectKind::Postgres) => "public".into(),
            (None, DialectKind::Sqlite) => "main".into(),
            (None, _) => String::new(),
        }
    }

    /// Inspects the space, named as the user's dev URL names it.
    pub(crate) async fn inspect(&self) -> Result<Realm, MigrateError> {
        let realm = self.driver().inspect(&InspectOptions::default()).await?;
        self.labelled(realm)
    }

    /// `realm` with its schema renamed to the label when the space is bound to another name.
    pub(crate) fn labelled(&self, realm: Realm) -> Result<Realm, MigrateError> {
        match (self.label(), self.driver().bound_schema()) {
            (Some(label), Some(actual)) if label != actual => bind(realm, label),
            _ => Ok(realm),
        }
    }

    /// Empties the space.
    pub(crate) async fn reset(&self) -> Result<(), MigrateError> {
        Ok(self.driver().reset().await?)
    }

    /// Releases the space and the dev connection.
    pub(crate) async fn close(self) -> Result<(), MigrateError> {
        match self {
            Workspace::Scratch { dev, scratch } => {
                // A failed drop is reclaimed by a later run; still report it after closing.
                let dropped = dev.drop_scratch(scratch).await;
                let closed = dev.close().await;
                dropped?;
                closed?;
            }
            Workspace::Shared { dev } => {
                let reset = dev.reset().await;
                let closed = dev.close().await;
                reset?;
                closed?;
            }
            Workspace::Private { driver } => driver.close().await?,
        }
        Ok(())
    }
}
