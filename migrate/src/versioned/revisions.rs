//! Reading the revisions table with Atlas's meaning of its values.
//!
//! Atlas writes its rows through an ORM whose optional text columns are plain strings: a
//! revision without error has `error = ''` and `error_stmt = ''`, not NULL (and
//! `partial_hashes` the JSON `null`). Mercator writes NULL. Both mean "no error"; every
//! workflow reads revisions through [`read_revisions`] so an empty error never counts as
//! a failure, which would make every file Atlas applied look pending again.

use mercator_driver::{Revision, RevisionsTable, Session};

use super::VersionedError;

/// Every revision of `table` (ordered by version, Atlas Cloud's identifier row left out),
/// with Atlas's empty `error` and `error_stmt` read as none.
pub(crate) async fn read_revisions(
    session: &mut dyn Session,
    table: &RevisionsTable,
) -> Result<Vec<Revision>, VersionedError> {
    let mut revisions = session.read_revisions(table).await?;
    for revision in &mut revisions {
        normalize(revision);
    }
    Ok(revisions)
}

fn normalize(revision: &mut Revision) {
    if revision.error.as_deref().is_some_and(str::is_empty) {
        revision.error = None;
    }
    if revision.error_stmt.as_deref().is_some_and(str::is_empty) {
        revision.error_stmt = None;
    }
    if revision.partial_hashes.as_ref().is_some_and(Vec::is_empty) {
        revision.partial_hashes = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mercator_driver::RevisionKind;

    fn atlas_row(error: &str, error_stmt: &str) -> Revision {
        Revision {
            version: "2".into(),
            description: "posts".into(),
            kind: RevisionKind::EXECUTE,
            applied: 1,
            total: 1,
            executed_at: chrono::Utc::now(),
            execution_time: std::time::Duration::from_millis(3),
            error: Some(error.into()),
            error_stmt: Some(error_stmt.into()),
            hash: "x".into(),
            partial_hashes: Some(Vec::new()),
            operator_version: "Atlas CLI v0.28.0".into(),
        }
    }

    #[test]
    fn atlas_empty_error_is_no_error() {
        let mut revision = atlas_row("", "");
        assert!(!revision.is_complete());
        normalize(&mut revision);
        assert!(revision.is_complete(), "{revision:?}");
        assert_eq!(revision.error_stmt, None);
        assert_eq!(revision.partial_hashes, None);
    }

    #[test]
    fn a_real_error_is_kept() {
        let mut revision = atlas_row("table exists", "CREATE TABLE t (id int);");
        normalize(&mut revision);
        assert_eq!(revision.error.as_deref(), Some("table exists"));
        assert_eq!(
            revision.error_stmt.as_deref(),
            Some("CREATE TABLE t (id int);")
        );
        assert!(!revision.is_complete());
    }
}
