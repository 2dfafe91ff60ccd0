//! Pre-flight data checks for `migrate apply`: before the first pending statement runs,
//! the pending files are analyzed on a dev database as one unit (what any of them
//! creates holds no rows yet), and the read-only queries of their data-dependent
//! findings (MF101–MF104, MY101, LT101, MC101–MC103, enum/set value removals) run on the
//! target. Any that find rows stop the run with the table and a sample of offending keys,
//! before anything is applied — which matters most on MySQL and MariaDB, whose DDL is not
//! transactional.

use mercator_driver::Driver;
use mercator_migrate_dir::{MigrationDir, MigrationFile};
use schema_model::DialectKind;

use super::VersionedError;
use crate::lint::{LintSelection, MigrateLint, run_preflight};

/// What the pre-flight step of a run did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum PreflightRun {
    /// Turned off (`--skip-preflight`), or nothing was pending.
    Off,
    /// Not possible: no dev database to analyze the pending files on.
    Skipped {
        /// Why.
        reason: String,
    },
    /// The checks ran and passed.
    Passed {
        /// Queries run on the target.
        checks: usize,
    },
}

/// Whether a statement can make a change whose success depends on existing rows: only
/// `ALTER …` (columns, constraints, enum types; SQLite's table rebuild ends with one) and
/// `CREATE UNIQUE INDEX` can. Runs without any skip the dev-database analysis, so a first
/// apply of `CREATE TABLE`s costs nothing extra.
pub(crate) fn may_depend_on_data(sql: &str) -> bool {
    let mut words = sql
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("--") && !l.starts_with('#'))
        .flat_map(str::split_whitespace)
        .map(str::to_ascii_uppercase);
    match words.next().as_deref() {
        Some("ALTER") => true,
        Some("CREATE") => words.next().as_deref() == Some("UNIQUE"),
        // Comments in other spellings, or anything unrecognized: analyze to be safe.
        Some(w) => w.starts_with("/*"),
        None => false,
    }
}

/// Analyzes `pending` (in order; `files` is the whole directory) on the dev database and
/// runs the resulting checks on `target`. Fails with [`VersionedError::PreflightFailed`]
/// when existing rows break a change.
pub(crate) async fn check_pending(
    target: &dyn Driver,
    files: &[MigrationFile],
    pending: &[&MigrationFile],
    dev_url: Option<&str>,
) -> Result<PreflightRun, VersionedError> {
    let (Some(first), Some(last)) = (pending.first(), pending.last()) else {
        return Ok(PreflightRun::Off);
    };
    if dev_url.is_none() && target.kind() != DialectKind::Sqlite {
        return Ok(PreflightRun::Skipped {
            reason: "no --dev-url to analyze the pending files on".into(),
        });
    }
    let position = |f: &MigrationFile| files.iter().position(|g| g.name() == f.name());
    let (Some(from), Some(to)) = (position(first), position(last)) else {
        return Ok(PreflightRun::Skipped {
            reason: "pending files are not in the directory".into(),
        });
    };
    // The files before the first pending one are the state the target is at; the pending
    // ones (and any already-applied file between them, which is harmless to re-check) are
    // analyzed as one unit.
    let mut dir = MigrationDir::default();
    for file in &files[..=to] {
        dir.add_file(file.clone())?;
    }
    // No cache: an apply must not leave snapshots on the dev server or in the user's
    // cache directory.
    let mut lint = MigrateLint::builder(dir)
        .selection(LintSelection::Latest(to + 1 - from))
        .no_cache()
        .one_unit();
    if let Some(url) = dev_url {
        lint = lint.dev_url(url);
    }
    // The queries run on the target: name its schema, not the dev database's.
    if let Some(schema) = target.bound_schema() {
        lint = lint.schema_label(schema);
    }
    let analysis = async {
        let outcome = lint.build()?.run().await?;
        let checks = outcome
            .report
            .diagnostics
            .iter()
            .filter(|d| d.analyzer != "destructive" && d.preflight.is_some())
            .count();
        let failures = run_preflight(target, &outcome.report).await?;
        Ok::<_, crate::lint::LintError>((checks, failures))
    };
    // The checks are a safety net, not a gate of their own: when the analysis cannot run
    // (a statement fails on the dev database, a query on the target), the apply goes on
    // and reports the real outcome, and the report says why nothing was checked.
    let (checks, failures) = match analysis.await {
        Ok(found) => found,
        Err(error) => {
            tracing::warn!(%error, "pre-flight analysis failed; applying without checks");
            return Ok(PreflightRun::Skipped {
                reason: format!("the analysis failed: {error}"),
            });
        }
    };
    if failures.is_empty() {
        Ok(PreflightRun::Passed { checks })
    } else {
        Err(VersionedError::PreflightFailed { failures })
    }
}

#[cfg(test)]
mod tests {
    use super::may_depend_on_data;

    #[test]
    fn only_alters_and_unique_indexes_need_the_analysis() {
        for sql in [
            "ALTER TABLE t ADD COLUMN c int NOT NULL",
            "-- note\ncreate unique index i on t (c)",
            "/* x */ CREATE TABLE t (id int)",
        ] {
            assert!(may_depend_on_data(sql), "{sql}");
        }
        for sql in [
            "CREATE TABLE t (id int)",
            "CREATE INDEX i ON t (c)",
            "INSERT INTO t VALUES (1)",
            "DROP TABLE t",
        ] {
            assert!(!may_depend_on_data(sql), "{sql}");
        }
    }
}
