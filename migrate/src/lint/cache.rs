//! The dev-state cache: the schema a dev database reaches after an unchanged prefix of a
//! migration directory, stored as the model (JSON) and keyed by the `atlas.sum` entry of the
//! prefix's last file. That entry is a running hash over every file name and byte up to
//! that file, so any edit, insertion or removal in the prefix changes it.
//!
//! A later run restores the state by creating the stored model on the dev space (one
//! batch, however many files the prefix has) instead of replaying every file, then
//! inspects the result and compares it with the stored model: a state the model cannot
//! express exactly is never used (the entry is removed and the prefix replayed). Data
//! rows the prefix inserted are not restored: only the schema is.
//!
//! Where the dev database can keep snapshots (SQLite files, PostgreSQL template databases
//! for dev URLs bound to no schema), the state is also saved as a snapshot under
//! [`snapshot_key`], and a later run starts as a copy of it: no statement is executed and
//! data rows survive. The model above then only supplies the inspected state.

use std::path::{Path, PathBuf};

use mercator_driver::exec;
use schema_diff::{DialectExt, DiffOptions, PlanOptions};
use schema_model::{DialectKind, Realm, Schema};
use serde::{Deserialize, Serialize};

use super::error::LintError;
use super::workspace::Workspace;
use crate::binding::bind;

/// Bumped when the stored form changes, so old entries are ignored.
const FORMAT: u32 = 1;

/// A directory of cached dev states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateCache {
    dir: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    format: u32,
    mercator: String,
    dialect: DialectKind,
    /// The last file of the prefix and its `atlas.sum` entry.
    file: String,
    sum: String,
    realm: Realm,
}

impl StateCache {
    /// A cache in `dir` (created when first written).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        StateCache { dir: dir.into() }
    }

    /// The default location: `$MERCATOR_CACHE_DIR`, else the OS cache directory
    /// (`$XDG_CACHE_HOME` or `~/.cache` on Linux, `~/Library/Caches` on macOS,
    /// `%LOCALAPPDATA%` on Windows) followed by `mercator/lint`. `None` when the
    /// environment names none of them.
    pub fn default_dir() -> Option<PathBuf> {
        if let Some(dir) = std::env::var_os("MERCATOR_CACHE_DIR").filter(|d| !d.is_empty()) {
            return Some(PathBuf::from(dir).join("lint"));
        }
        let base = if cfg!(windows) {
            std::env::var_os("LOCALAPPDATA").map(PathBuf::from)
        } else if cfg!(target_os = "macos") {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join("Library/Caches"))
        } else {
            std::env::var_os("XDG_CACHE_HOME")
                .filter(|d| !d.is_empty())
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        };
        base.map(|b| b.join("mercator").join("lint"))
    }

    /// The cache's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where drivers that keep dev-state snapshots as files (SQLite) put them; server
    /// drivers keep theirs on the dev server.
    pub fn snapshot_dir(&self) -> PathBuf {
        self.dir.join("snapshots")
    }

    fn path(&self, kind: DialectKind, label: Option<&str>, sum: &str) -> PathBuf {
        // The sum entry is base64: `/` and `+` are not safe in every file system.
        let sum: String = sum
            .chars()
            .map(|c| match c {
                '/' => '_',
                '+' => '-',
                '=' => '.',
                c => c,
            })
            .collect();
        let label: String = label
            .unwrap_or("_")
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' {
                    c
                } else {
                    '~'
                }
            })
            .collect();
        self.dir
            .join(format!("v{FORMAT}-{}-{label}-{sum}.json", kind.name()))
    }

    /// The state stored for the prefix ending with the entry `sum`, if any. Unreadable
    /// entries count as missing.
    pub(crate) fn load(&self, kind: DialectKind, label: Option<&str>, sum: &str) -> Option<Realm> {
        let path = self.path(kind, label, sum);
        let bytes = std::fs::read(&path).ok()?;
        match serde_json::from_slice::<Entry>(&bytes) {
            Ok(entry) if entry.format == FORMAT && entry.sum == sum && entry.dialect == kind => {
                Some(entry.realm)
            }
            Ok(_) => None,
            Err(error) => {
                tracing::warn!(path = %path.display(), %error, "ignoring unreadable lint cache entry");
                None
            }
        }
    }

    /// Stores the state reached after `file` (whose `atlas.sum` entry is `sum`). Failing to
    /// write only costs a later replay, so it is logged, not returned.
    pub(crate) fn store(
        &self,
        kind: DialectKind,
        label: Option<&str>,
        file: &str,
        sum: &str,
        realm: &Realm,
    ) {
        let entry = Entry {
            format: FORMAT,
            mercator: env!("CARGO_PKG_VERSION").to_owned(),
            dialect: kind,
            file: file.to_owned(),
            sum: sum.to_owned(),
            realm: realm.clone(),
        };
        let path = self.path(kind, label, sum);
        // The key is a running hash of the whole prefix: an existing entry holds the same
        // state, and rewriting it would cost every warm run a serialization.
        if path.exists() {
            return;
        }
        let written = (|| -> std::io::Result<()> {
            std::fs::create_dir_all(&self.dir)?;
            let bytes = serde_json::to_vec(&entry).map_err(std::io::Error::other)?;
            // Written aside and renamed: a concurrent reader never sees half an entry.
            let tmp = path.with_extension(format!("tmp{}", std::process::id()));
            std::fs::write(&tmp, bytes)?;
            std::fs::rename(&tmp, &path)
        })();
        if let Err(error) = written {
            tracing::warn!(path = %path.display(), %error, "cannot write lint cache entry");
        }
    }

    /// Forgets an entry that did not restore faithfully.
    pub(crate) fn remove(&self, kind: DialectKind, label: Option<&str>, sum: &str) {
        let _ = std::fs::remove_file(self.path(kind, label, sum));
    }
}

/// The key of the dev-state snapshot after the prefix whose last `atlas.sum` entry is
/// `sum`: 16 hex digits of an FNV-1a hash of the dialect, the format and the entry (the
/// entry is already a running hash over the whole prefix; snapshot names must be short
/// and plain).
pub(crate) fn snapshot_key(kind: DialectKind, sum: &str) -> String {
    let text = format!("{}/{FORMAT}/{sum}", kind.name());
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("{hash:016x}")
}

/// Creates `realm` on the (empty) dev space and checks, by inspecting it, that the space now
/// holds exactly that schema. Returns the inspected state, or `None` when it differs.
pub(crate) async fn restore(space: &Workspace, realm: &Realm) -> Result<Option<Realm>, LintError> {
    let driver = space.driver();
    let dialect = driver.dialect();
    let bound = driver.bound_schema().map(str::to_owned);
    let target = match &bound {
        Some(b) => bind(realm.clone(), b)?,
        None => realm.clone(),
    };
    let empty = match &bound {
        // A bound space's schema exists already and cannot be created by its own statements.
        Some(_) => Realm::new(target.schemas.iter().map(attributes_only).collect()),
        None => dialect.empty_database(),
    };
    let changes = dialect.diff(&empty, &target, &DiffOptions::default());
    let plan = dialect
        .plan(
            &changes,
            &PlanOptions {
                unqualified_schema: bound,
                ..PlanOptions::default()
            },
        )
        .map_err(crate::MigrateError::from)?;
    {
        let mut session = driver.session().await?;
        let batch =
            driver.kind() != DialectKind::Mysql && plan.statements.iter().all(|s| s.transactional);
        if batch {
            // One round trip for the whole schema: this is what makes a hit cheap.
            let sql: String = plan
                .statements
                .iter()
                .map(|s| format!("{};\n", s.sql))
                .collect();
            if !sql.is_empty() {
                session.execute(&sql).await?;
            }
        } else {
            let statements: Vec<String> = plan.statements.iter().map(|s| s.sql.clone()).collect();
            exec::execute_all(session.as_mut(), &statements).await?;
        }
    }
    let after = space.inspect().await?;
    let expected = space.labelled(target)?;
    if dialect
        .diff(&expected, &after, &DiffOptions::default())
        .is_empty()
    {
        Ok(Some(after))
    } else {
        Ok(None)
    }
}

fn attributes_only(schema: &Schema) -> Schema {
    let mut empty = Schema::new(&schema.name);
    empty.comment = schema.comment.clone();
    empty.mysql = schema.mysql.clone();
    empty
}
