//! Running migration files on one session, keeping the revisions table as Atlas does.
//!
//! Transactions follow the file's `atlas:txmode` (default: one per file). Where DDL is not
//! transactional (MySQL, MariaDB) a transaction would not protect anything — every DDL
//! statement commits on its own, and with it any pending revision write — so files run
//! statement by statement there, with the revision row updated after each statement. That is
//! what makes a failed or killed file resume right after its last applied statement.

use std::time::{Duration, Instant};

use chrono::Utc;
use mercator_driver::{Revision, RevisionKind, RevisionsTable, Session, TxOptions};
use mercator_migrate_dir::{MigrationFile, ParsedFile, TxMode};
use serde::Serialize;

use super::VersionedError;
use crate::dev::one_line;

/// The value written to the `operator_version` column.
pub const OPERATOR_VERSION: &str = concat!("Mercator v", env!("CARGO_PKG_VERSION"));

/// One file that ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppliedFile {
    /// The file name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Its description.
    pub description: String,
    /// Statements executed by this run.
    pub statements: usize,
    /// Statements that had run before (a resumed file), skipped this time.
    pub resumed_after: usize,
    /// How long the file took.
    #[serde(with = "nanos")]
    pub execution_time: Duration,
}

mod nanos {
    use std::time::Duration;

    pub fn serialize<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u128(d.as_nanos())
    }
}

/// A pending file, parsed, with what the database knows about it.
pub(crate) struct FileRun<'a> {
    pub file: &'a MigrationFile,
    pub parsed: ParsedFile,
    /// Its `atlas.sum` entry (empty for `atlas:sum ignore` files).
    pub hash: String,
    /// Its revision row when it failed or was partly applied before.
    pub previous: Option<Revision>,
}

impl FileRun<'_> {
    fn revision(&self, applied: usize, started: Instant) -> Revision {
        let hashes = self.parsed.partial_hashes();
        Revision {
            version: self.file.version().to_owned(),
            description: self.file.description().to_owned(),
            kind: self.previous.as_ref().map_or(RevisionKind::EXECUTE, |p| {
                p.kind.with(RevisionKind::EXECUTE)
            }),
            applied: applied as i64,
            total: self.parsed.statements.len() as i64,
            executed_at: Utc::now(),
            execution_time: started.elapsed(),
            error: None,
            error_stmt: None,
            hash: self.hash.clone(),
            partial_hashes: (applied > 0 && applied < hashes.len())
                .then(|| hashes[..applied].to_vec()),
            operator_version: OPERATOR_VERSION.to_owned(),
        }
    }

    /// Where a resumed file continues: after the statements that ran before, provided they
    /// are unchanged.
    fn resume_point(&self) -> Result<usize, VersionedError> {
        let Some(previous) = &self.previous else {
            return Ok(0);
        };
        let applied = usize::try_from(previous.applied).unwrap_or(0);
        if applied == 0 {
            return Ok(0);
        }
        let now = self.parsed.partial_hashes();
        let stored = previous.partial_hashes.clone().unwrap_or_default();
        for k in 0..applied {
            if stored.get(k) != now.get(k) {
                return Err(VersionedError::HistoryChanged {
                    file: self.file.name().to_owned(),
                    applied: previous.applied,
                    statement: k + 1,
                });
            }
        }
        Ok(applied)
    }

    /// The transaction mode: the file's directive, else the run's.
    fn txmode(&self, run_mode: TxMode) -> TxMode {
        match (self.parsed.directives.txmode, run_mode) {
            (Some(mode), _) => mode,
            (None, mode) => mode,
        }
    }
}

/// Runs the pre-migration checks of a file; the first that does not return a true value
/// stops everything before anything was written.
pub(crate) async fn run_checks(
    session: &mut dyn Session,
    run: &FileRun<'_>,
) -> Result<(), VersionedError> {
    for check in &run.parsed.checks {
        let rows = session.query(&check.sql).await?;
        let holds = rows
            .scalar()
            .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "t" | "true" | "1"));
        if !holds {
            return Err(VersionedError::CheckFailed {
                file: run.file.name().to_owned(),
                line: check.line,
                message: check.message.clone(),
            });
        }
    }
    Ok(())
}

/// Runs one file. `outer_tx`: a run-wide transaction (`--tx-mode all`) is open around it.
pub(crate) async fn run_file(
    session: &mut dyn Session,
    table: &RevisionsTable,
    run: &FileRun<'_>,
    run_mode: TxMode,
    outer_tx: bool,
) -> Result<AppliedFile, VersionedError> {
    let started = Instant::now();
    let start = run.resume_point()?;
    let mode = run.txmode(run_mode);
    if outer_tx && mode == TxMode::None {
        return Err(VersionedError::Invalid(format!(
            "{}: `atlas:txmode none` cannot run inside a run-wide transaction (--tx-mode all)",
            run.file.name()
        )));
    }
    run_checks(session, run).await?;
    let in_tx = mode != TxMode::None && session.transactional_ddl();
    if in_tx && !outer_tx {
        session.begin(TxOptions::default()).await?;
    }
    let statements = &run.parsed.statements;
    let outcome = async {
        if in_tx {
            // Inside the file's transaction nobody sees a row before the commit, and on
            // failure it is rolled back and the failed row written after: only the final
            // row matters, so the statements go out together, then that row.
            let texts: Vec<&str> = statements[start..]
                .iter()
                .map(|s| s.text.as_str())
                .collect();
            session
                .execute_in_transaction(&texts)
                .await
                .map_err(|(i, e)| (start + i, e))?;
            let done = run.revision(statements.len(), started);
            return session
                .write_revision(table, &done)
                .await
                .map_err(|e| (usize::MAX, e));
        }
        session
            .write_revision(table, &run.revision(start, started))
            .await
            .map_err(|e| (usize::MAX, e))?;
        for (i, statement) in statements.iter().enumerate().skip(start) {
            if let Err(error) = session.execute(&statement.text).await {
                return Err((i, error));
            }
            // Without a transaction each statement stays done: record it at once.
            session
                .write_revision(table, &run.revision(i + 1, started))
                .await
                .map_err(|e| (usize::MAX, e))?;
        }
        let done = run.revision(statements.len(), started);
        session
            .write_revision(table, &done)
            .await
            .map_err(|e| (usize::MAX, e))?;
        Ok(())
    }
    .await;
    match outcome {
        Ok(()) => {
            if in_tx && !outer_tx {
                session.commit().await?;
            }
            Ok(AppliedFile {
                name: run.file.name().to_owned(),
                version: run.file.version().to_owned(),
                description: run.file.description().to_owned(),
                statements: statements.len() - start,
                resumed_after: start,
                execution_time: started.elapsed(),
            })
        }
        Err((usize::MAX, error)) => {
            if in_tx {
                let _ = session.rollback().await;
            }
            Err(error.into())
        }
        Err((i, error)) => {
            if in_tx {
                // The statement's error is what matters; a failed rollback ends with the
                // connection anyway.
                let _ = session.rollback().await;
            }
            // In a transaction everything since `start` was rolled back; otherwise the
            // statements before the failing one took effect.
            let applied = if in_tx { start } else { i };
            let message = one_line(&driver_message(&error));
            let mut failed = run.revision(applied, started);
            failed.error = Some(message.clone());
            failed.error_stmt = Some(statements[i].text.clone());
            failed.partial_hashes =
                (applied > 0).then(|| run.parsed.partial_hashes()[..applied].to_vec());
            session.write_revision(table, &failed).await?;
            Err(VersionedError::Statement {
                file: run.file.name().to_owned(),
                line: statements[i].line,
                index: i + 1,
                total: statements.len(),
                message,
                source: Box::new(error),
            })
        }
    }
}

fn driver_message(error: &mercator_driver::DriverError) -> String {
    match error {
        mercator_driver::DriverError::Exec { message, .. } => message.clone(),
        other => other.to_string(),
    }
}
