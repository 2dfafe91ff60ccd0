//! Which files a lint run analyzes: the last N, or those changed since a git branch.

use std::collections::HashSet;
use std::path::Path;
use std::process::Command;

use mercator_migrate_dir::MigrationFile;

use super::error::LintError;

/// Which files of the directory to lint; the files before them are replayed (or restored
/// from the cache).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LintSelection {
    /// The last N files (`--latest N`).
    Latest(usize),
    /// Every file from the first one added or changed since the git revision `base`
    /// (`--git-base BRANCH`), including files git does not track yet.
    GitBase(String),
    /// Every file.
    All,
}

impl LintSelection {
    /// The index of the first file to lint.
    pub(crate) fn first(
        &self,
        files: &[MigrationFile],
        dir: Option<&Path>,
    ) -> Result<usize, LintError> {
        match self {
            LintSelection::Latest(n) => Ok(files.len().saturating_sub(*n)),
            LintSelection::All => Ok(0),
            LintSelection::GitBase(base) => {
                let dir = dir.ok_or_else(|| LintError::Git {
                    base: base.clone(),
                    message: "the migration directory is not on disk".into(),
                })?;
                let changed = changed_since(dir, base)?;
                Ok(files
                    .iter()
                    .position(|f| changed.contains(f.name()))
                    .unwrap_or(files.len()))
            }
        }
    }
}

/// Names (relative to `dir`) of the files changed since `base`, plus untracked ones.
fn changed_since(dir: &Path, base: &str) -> Result<HashSet<String>, LintError> {
    if base.starts_with('-') || base.is_empty() {
        return Err(LintError::Git {
            base: base.to_owned(),
            message: "not a branch or revision name".into(),
        });
    }
    let git = |args: &[&str]| -> Result<String, LintError> {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .map_err(|e| LintError::Git {
                base: base.to_owned(),
                message: format!("cannot run git: {e}"),
            })?;
        if !out.status.success() {
            return Err(LintError::Git {
                base: base.to_owned(),
                message: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
            });
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let changed = git(&["diff", "--name-only", "--relative", base, "--", "."])?;
    let untracked = git(&["ls-files", "--others", "--exclude-standard", "--", "."])?;
    Ok(changed
        .lines()
        .chain(untracked.lines())
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.contains('/'))
        .map(str::to_owned)
        .collect())
}
