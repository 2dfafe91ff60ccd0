//! Running pre-flight data checks: the read-only queries data-dependent findings carry,
//! executed on the target before the first statement of a plan, so a change that existing
//! rows break (MySQL's DDL is not transactional) stops before anything is applied.

use std::fmt;

use mercator_driver::{Driver, Rows};
use schema_lint::{Report, TableRef};
use schema_model::DialectKind;
use serde::Serialize;

use super::error::LintError;

/// A pre-flight check that existing rows fail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreflightFailure {
    /// The finding's code (`MF101`, …).
    pub code: String,
    /// The table the change is about.
    pub table: Option<TableRef>,
    /// What a returned row means.
    pub description: String,
    /// The query that was run.
    pub sql: String,
    /// Columns of the sample.
    pub columns: Vec<String>,
    /// The offending keys (at most the configured sample size).
    pub sample: Vec<Vec<Option<String>>>,
}

impl fmt::Display for PreflightFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let table = self
            .table
            .as_ref()
            .map(|t| format!("table {:?}", t.name))
            .unwrap_or_else(|| "the data".into());
        write!(
            f,
            "{}: {table} does not fit the change: {} (sample: ",
            self.code, self.description
        )?;
        let rows: Vec<String> = self
            .sample
            .iter()
            .map(|row| {
                let values: Vec<String> = self
                    .columns
                    .iter()
                    .zip(row)
                    .map(|(c, v)| format!("{c}={}", v.as_deref().unwrap_or("NULL")))
                    .collect();
                format!("({})", values.join(", "))
            })
            .collect();
        write!(f, "{})", rows.join(", "))
    }
}

/// Runs the pre-flight queries of `report`'s findings (those written for the driver's
/// dialect; destructive findings' "table is empty" checks are left to the reviewer) in a
/// read-only transaction where the database has one, and returns those that found rows.
pub async fn run_preflight(
    driver: &dyn Driver,
    report: &Report,
) -> Result<Vec<PreflightFailure>, LintError> {
    let kind = driver.kind();
    let checks: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.analyzer != "destructive")
        .filter_map(|d| d.preflight.as_ref().map(|p| (d, p)))
        .filter(|(_, p)| p.dialect == kind)
        .collect();
    if checks.is_empty() {
        return Ok(Vec::new());
    }
    let mut session = driver.session().await?;
    let read_only = kind != DialectKind::Sqlite;
    if read_only {
        // Statements of our own making, but the transaction makes "read-only" a promise
        // the server keeps.
        session.execute("START TRANSACTION READ ONLY").await?;
    }
    let mut failures = Vec::new();
    let mut outcome = Ok(());
    for (diagnostic, check) in checks {
        match session.query(&check.sql).await {
            Ok(Rows { rows, .. }) if rows.is_empty() => {}
            Ok(Rows { rows, .. }) => failures.push(PreflightFailure {
                code: diagnostic.code.clone(),
                table: diagnostic.table.clone(),
                description: check.description.clone(),
                sql: check.sql.clone(),
                columns: check.columns.clone(),
                sample: rows,
            }),
            Err(error) => {
                outcome = Err(error);
                break;
            }
        }
    }
    if read_only {
        let ended = session.execute("ROLLBACK").await;
        outcome = outcome.and(ended);
    }
    outcome?;
    Ok(failures)
}
