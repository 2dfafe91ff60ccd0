//! The dev database space a lint run executes statements in: a scratch space of the
//! run's own (a database or schema the dev server makes, or a private in-memory SQLite
//! database), else the dev database itself (which must be clean and is emptied
//! afterwards). A scratch space may start as a copy of a saved dev-state snapshot
//! ([`mercator_driver::DevDatabase::restore_snapshot`]), or be the snapshot itself, lent
//! for statements that are all rolled back afterwards
//! ([`mercator_driver::DevDatabase::borrow_snapshot`]).

use std::path::Path;

use mercator_driver::{Driver, InspectOptions, Scratch};
use schema_model::{DialectKind, Realm};

use crate::MigrateError;
use crate::binding::bind;
use crate::dev::Dev;

/// An open dev space, and the schema name realms are reported under.
pub(crate) struct Workspace {
    space: Space,
    label: Option<String>,
    /// Everything the run executes can be rolled back: the space may become a lent
    /// snapshot.
    may_lend: bool,
}

/// Where statements run.
enum Space {
    /// A scratch space made on the dev server (or a private in-memory database); dropped
    /// on close.
    Scratch {
        /// The dev database's connection.
        dev: Box<dyn Driver>,
        /// The space.
        scratch: Scratch,
        /// The space is a saved snapshot itself, lent inside a transaction: rolled back
        /// and given back on close instead of dropped.
        lent: bool,
    },
    /// The dev database itself (the server cannot make scratch spaces); reset on close.
    Shared {
        /// The dev database's connection.
        dev: Box<dyn Driver>,
    },
}

/// Snapshots a run may start from: where they are stored and the keys wanted, best first.
pub(crate) struct SnapshotWish<'a> {
    /// The store directory (for drivers keeping snapshots as files).
    pub(crate) store: &'a Path,
    /// Wanted keys, best first.
    pub(crate) keys: &'a [String],
    /// Whether the best key's snapshot may be borrowed rather than copied: everything the
    /// run executes on it can run inside one transaction.
    pub(crate) borrow_best: bool,
}

impl Workspace {
    /// Opens a space on `dev_url` (or a private in-memory database for `kind`). With a
    /// wish, the space is a copy of the first wanted snapshot the dev database holds, and
    /// its index in the wish is returned.
    pub(crate) async fn open(
        dev_url: Option<&str>,
        kind: DialectKind,
        wish: Option<SnapshotWish<'_>>,
        label: Option<&str>,
    ) -> Result<(Self, Option<usize>), MigrateError> {
        let may_lend = wish.as_ref().is_some_and(|w| w.borrow_best);
        let (space, restored) = Space::open(dev_url, kind, wish).await?;
        let label = match label {
            Some(label) => Some(label.to_owned()),
            None => space.dev().bound_schema().map(str::to_owned),
        };
        Ok((
            Workspace {
                space,
                label,
                may_lend,
            },
            restored,
        ))
    }

    /// Whether the space is a borrowed snapshot (its statements are rolled back on close).
    pub(crate) fn is_borrowed(&self) -> bool {
        matches!(self.space, Space::Scratch { lent: true, .. })
    }

    /// Saves the space's current contents as snapshot `key`: a copy, or, where the dev
    /// server cannot copy a space and the rest of the run can be rolled back, the space
    /// itself, lent to the run from then on. `false` where the dev database keeps no
    /// snapshots of this kind of space. A failed copy only costs a later run its
    /// shortcut, so it is logged, not returned; a space that failed to become a snapshot
    /// may be unusable, so that is returned.
    pub(crate) async fn save_snapshot(
        &mut self,
        key: &str,
        store: &Path,
    ) -> Result<bool, MigrateError> {
        let Space::Scratch {
            dev,
            scratch,
            lent: lent @ false,
        } = &mut self.space
        else {
            return Ok(false);
        };
        match dev.save_snapshot(scratch, key, store).await {
            Ok(true) => return Ok(true),
            Ok(false) => {}
            Err(error) => {
                tracing::warn!(%error, "cannot save a dev-state snapshot");
                return Ok(false);
            }
        }
        if !self.may_lend {
            return Ok(false);
        }
        *lent = dev.keep_as_snapshot(scratch, key, store).await?;
        Ok(*lent)
    }

    /// The driver statements run on.
    pub(crate) fn driver(&self) -> &dyn Driver {
        match &self.space {
            Space::Scratch { scratch, .. } => scratch.driver.as_ref(),
            Space::Shared { dev } => dev.as_ref(),
        }
    }

    /// The schema name realms are reported under: the one users know the dev database by
    /// (its URL's schema), or the name the caller chose (the target's, when findings'
    /// queries run there), even when the run works in a scratch space of another name.
    pub(crate) fn label(&self) -> Option<&str> {
        self.label.as_deref()
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
        match self.space {
            Space::Scratch { dev, scratch, lent } => {
                // A failed drop is reclaimed by a later run; still report it after closing.
                let dropped = if lent {
                    dev.return_snapshot(scratch).await
                } else {
                    dev.drop_scratch(scratch).await
                };
                let closed = dev.close().await;
                dropped?;
                closed?;
            }
            Space::Shared { dev } => {
                let reset = dev.reset().await;
                let closed = dev.close().await;
                reset?;
                closed?;
            }
        }
        Ok(())
    }
}

impl Space {
    async fn open(
        dev_url: Option<&str>,
        kind: DialectKind,
        wish: Option<SnapshotWish<'_>>,
    ) -> Result<(Self, Option<usize>), MigrateError> {
        let (dev, fresh) = match Dev::choose(dev_url, kind).await? {
            Dev::Url(dev) => (dev, None),
            Dev::Scratch { open, .. } => {
                let dev = open()?;
                let space = open()?;
                (dev, Some(space))
            }
        };
        if let Some(wish) = wish
            && !wish.keys.is_empty()
        {
            let held = dev.snapshot_keys(wish.store).await?;
            if wish.borrow_best
                && held.contains(&wish.keys[0])
                && let Some(snapshot) = dev.borrow_snapshot(&wish.keys[0], wish.store).await?
            {
                if let Some(unused) = fresh {
                    unused.close().await?;
                }
                return Ok((
                    Space::Scratch {
                        dev,
                        scratch: snapshot,
                        lent: true,
                    },
                    Some(0),
                ));
            }
            for (i, key) in wish.keys.iter().enumerate() {
                if !held.contains(key) {
                    continue;
                }
                if let Some(scratch) = dev.restore_snapshot(key, wish.store).await? {
                    if let Some(unused) = fresh {
                        unused.close().await?;
                    }
                    return Ok((
                        Space::Scratch {
                            dev,
                            scratch,
                            lent: false,
                        },
                        Some(i),
                    ));
                }
            }
        }
        let space = match fresh {
            Some(driver) => Space::Scratch {
                dev,
                scratch: Scratch {
                    name: "memory".into(),
                    driver,
                },
                lent: false,
            },
            None => match dev.create_scratch().await? {
                Some(scratch) => Space::Scratch {
                    dev,
                    scratch,
                    lent: false,
                },
                None => {
                    dev.check_clean().await?;
                    Space::Shared { dev }
                }
            },
        };
        Ok((space, None))
    }

    fn dev(&self) -> &dyn Driver {
        match self {
            Space::Scratch { dev, .. } | Space::Shared { dev } => dev.as_ref(),
        }
    }
}
