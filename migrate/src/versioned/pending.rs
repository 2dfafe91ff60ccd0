//! Which files of a directory still have to run, given the revisions a database holds.
//! Pure: no database access, so the rules are tested without a server.

use std::str::FromStr;

use mercator_driver::Revision;
use mercator_migrate_dir::MigrationFile;

use super::VersionedError;

/// What to do with unapplied files that sort before the last applied revision (Atlas's
/// `--exec-order`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExecOrder {
    /// They are an error (the default).
    #[default]
    Linear,
    /// They are skipped and stay unapplied.
    LinearSkip,
    /// They are applied, in file order, with the other pending files.
    NonLinear,
}

impl FromStr for ExecOrder {
    type Err = VersionedError;

    fn from_str(text: &str) -> Result<ExecOrder, VersionedError> {
        match text {
            "linear" => Ok(ExecOrder::Linear),
            "linear-skip" => Ok(ExecOrder::LinearSkip),
            "non-linear" => Ok(ExecOrder::NonLinear),
            other => Err(VersionedError::Invalid(format!(
                "unknown exec order {other:?}: expected linear, linear-skip or non-linear"
            ))),
        }
    }
}

/// Limits on what runs.
#[derive(Debug, Clone, Default)]
pub(crate) struct Selection {
    /// Run files up to and including this version.
    pub to_version: Option<String>,
    /// Run at most this many files.
    pub limit: Option<usize>,
}

/// The pending files of `files` (a directory's files in order) for a database whose
/// revisions are `revisions` (ordered by version, not empty).
///
/// Files sorting before the first revision were covered by a baseline or skipped by a
/// checkpoint. A revision that is not complete (failed, or partly applied) makes its file
/// pending again, to resume. Every revision must name a file of the directory.
pub(crate) fn pending_after<'a>(
    files: &'a [MigrationFile],
    revisions: &[Revision],
    order: ExecOrder,
) -> Result<Vec<&'a MigrationFile>, VersionedError> {
    for revision in revisions {
        if !files.iter().any(|f| f.version() == revision.version) {
            return Err(VersionedError::MissingFile {
                version: revision.version.clone(),
            });
        }
    }
    let (Some(first), Some(last)) = (revisions.first(), revisions.last()) else {
        return Ok(files.iter().collect());
    };
    let mut pending = Vec::new();
    for file in files {
        let version = file.version();
        if version < first.version.as_str() {
            continue;
        }
        match revisions.iter().find(|r| r.version == version) {
            Some(revision) if revision.is_complete() => {}
            Some(_) => pending.push(file),
            None if version > last.version.as_str() => pending.push(file),
            None => match order {
                ExecOrder::Linear => {
                    return Err(VersionedError::OutOfOrder {
                        file: file.name().to_owned(),
                        last: last.version.clone(),
                    });
                }
                ExecOrder::LinearSkip => {}
                ExecOrder::NonLinear => pending.push(file),
            },
        }
    }
    Ok(pending)
}

/// Applies `--to-version` and `N` to a pending list.
pub(crate) fn select<'a>(
    pending: Vec<&'a MigrationFile>,
    all: &[MigrationFile],
    selection: &Selection,
) -> Result<Vec<&'a MigrationFile>, VersionedError> {
    let mut pending = pending;
    if let Some(to) = &selection.to_version {
        if !all.iter().any(|f| f.version() == to) {
            return Err(VersionedError::UnknownVersion {
                version: to.clone(),
                what: "--to-version",
            });
        }
        pending.retain(|f| f.version() <= to.as_str());
    }
    if let Some(limit) = selection.limit {
        pending.truncate(limit);
    }
    Ok(pending)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use mercator_driver::RevisionKind;

    fn files(names: &[&str]) -> Vec<MigrationFile> {
        names
            .iter()
            .map(|n| MigrationFile::new(*n, "SELECT 1;"))
            .collect()
    }

    fn revision(version: &str, applied: i64, total: i64) -> Revision {
        Revision {
            version: version.into(),
            description: String::new(),
            kind: RevisionKind::EXECUTE,
            applied,
            total,
            executed_at: Utc::now(),
            execution_time: std::time::Duration::ZERO,
            error: None,
            error_stmt: None,
            hash: String::new(),
            partial_hashes: None,
            operator_version: String::new(),
        }
    }

    fn names(list: &[&MigrationFile]) -> Vec<String> {
        list.iter().map(|f| f.name().to_owned()).collect()
    }

    #[test]
    fn later_files_and_incomplete_revisions_are_pending() {
        let dir = files(&["1.sql", "2.sql", "3.sql"]);
        let revs = [revision("1", 1, 1), revision("2", 0, 1)];
        let pending = pending_after(&dir, &revs, ExecOrder::Linear).unwrap();
        assert_eq!(names(&pending), ["2.sql", "3.sql"]);
    }

    #[test]
    fn out_of_order_files_follow_the_exec_order() {
        let dir = files(&["1.sql", "2.sql", "3.sql"]);
        let revs = [revision("1", 1, 1), revision("3", 1, 1)];
        let err = pending_after(&dir, &revs, ExecOrder::Linear).unwrap_err();
        assert!(
            err.to_string().contains("2.sql was added out of order"),
            "{err}"
        );
        assert!(
            pending_after(&dir, &revs, ExecOrder::LinearSkip)
                .unwrap()
                .is_empty()
        );
        let pending = pending_after(&dir, &revs, ExecOrder::NonLinear).unwrap();
        assert_eq!(names(&pending), ["2.sql"]);
    }

    #[test]
    fn files_before_the_first_revision_are_covered() {
        let dir = files(&["1.sql", "2.sql", "3.sql"]);
        let pending = pending_after(&dir, &[revision("2", 0, 0)], ExecOrder::Linear).unwrap();
        assert_eq!(names(&pending), ["3.sql"]);
    }

    #[test]
    fn a_revision_without_file_is_an_error() {
        let dir = files(&["1.sql"]);
        let err = pending_after(&dir, &[revision("9", 1, 1)], ExecOrder::Linear).unwrap_err();
        assert!(err.to_string().contains("revision 9"), "{err}");
    }

    #[test]
    fn to_version_and_count_limit_the_run() {
        let dir = files(&["1.sql", "2.sql", "3.sql"]);
        let all: Vec<_> = dir.iter().collect();
        let sel = Selection {
            to_version: Some("2".into()),
            ..Selection::default()
        };
        assert_eq!(
            names(&select(all.clone(), &dir, &sel).unwrap()),
            ["1.sql", "2.sql"]
        );
        let sel = Selection {
            limit: Some(1),
            ..Selection::default()
        };
        assert_eq!(names(&select(all.clone(), &dir, &sel).unwrap()), ["1.sql"]);
        let sel = Selection {
            to_version: Some("7".into()),
            ..Selection::default()
        };
        assert!(select(all, &dir, &sel).is_err());
    }
}
