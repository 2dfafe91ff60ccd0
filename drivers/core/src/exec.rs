//! Running plans and statement lists through a [`Session`]: the one place that decides
//! which statements share a transaction, so every driver behaves the same way.

use std::time::Instant;

use schema_diff::Plan;
use tracing::Instrument;

use crate::{DriverError, Session, TxOptions};

/// Runs a plan. Where the database runs DDL in transactions and the plan allows it, each
/// run of consecutive transactional statements commits or rolls back as a whole, and the
/// statements that cannot run in a transaction (e.g. `CREATE INDEX CONCURRENTLY`) run on
/// their own in between. Elsewhere (MySQL) every statement commits on its own.
///
/// On failure the error names the failing statement's position in the plan and lists the
/// statements that had taken effect before it.
pub async fn apply_plan(session: &mut dyn Session, plan: &Plan) -> Result<(), DriverError> {
    let statements: Vec<(&str, bool)> = plan
        .statements
        .iter()
        .map(|s| (s.sql.as_str(), s.transactional && plan.transactional))
        .collect();
    run(session, &statements, TxOptions::for_plan())
        .instrument(tracing::info_span!(
            "apply_plan",
            statements = statements.len()
        ))
        .await
}

/// Runs raw statements in order (e.g. a schema file on a dev database), stopping at the
/// first failure. Where the database runs DDL in transactions they share one, so a failure
/// leaves nothing behind, unless one of them manages transactions itself or cannot run
/// inside one; then each runs on its own.
pub async fn execute_all(
    session: &mut dyn Session,
    statements: &[String],
) -> Result<(), DriverError> {
    let together = !statements.iter().any(|s| runs_outside_transaction(s));
    let list: Vec<(&str, bool)> = statements.iter().map(|s| (s.as_str(), together)).collect();
    run(session, &list, TxOptions::default())
        .instrument(tracing::info_span!("execute", statements = list.len()))
        .await
}

async fn run(
    session: &mut dyn Session,
    statements: &[(&str, bool)],
    options: TxOptions,
) -> Result<(), DriverError> {
    if session.in_transaction() {
        session.rollback().await?;
    }
    let transactional = session.transactional_ddl();
    let mut applied: Vec<String> = Vec::new();
    let mut i = 0;
    while i < statements.len() {
        if !transactional || !statements[i].1 {
            let (sql, _) = statements[i];
            execute_one(session, i, sql)
                .await
                .map_err(|e| e.at_statement(i, &applied))?;
            applied.push(sql.to_owned());
            i += 1;
            continue;
        }
        // A run of transactional statements: all or nothing.
        let start = i;
        while i < statements.len() && statements[i].1 {
            i += 1;
        }
        session
            .begin(options)
            .await
            .map_err(|e| e.at_statement(start, &applied))?;
        for (offset, (sql, _)) in statements[start..i].iter().enumerate() {
            if let Err(error) = execute_one(session, start + offset, sql).await {
                // The statement's error is what matters; a failed rollback ends with the
                // connection anyway.
                let _ = session.rollback().await;
                return Err(error.at_statement(start + offset, &applied));
            }
        }
        session
            .commit()
            .await
            .map_err(|e| e.at_statement(i - 1, &applied))?;
        applied.extend(
            statements[start..i]
                .iter()
                .map(|(sql, _)| (*sql).to_owned()),
        );
    }
    Ok(())
}

async fn execute_one(
    session: &mut dyn Session,
    index: usize,
    sql: &str,
) -> Result<(), DriverError> {
    let started = Instant::now();
    let span = tracing::debug_span!("statement", index, sql = first_line(sql));
    let outcome = session.execute(sql).instrument(span).await;
    tracing::debug!(
        index,
        elapsed_ms = started.elapsed().as_secs_f64() * 1e3,
        ok = outcome.is_ok(),
        "statement done"
    );
    outcome
}

fn first_line(sql: &str) -> &str {
    sql.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default()
}

/// Whether a statement manages transactions itself (`BEGIN`, `COMMIT`, `SAVEPOINT`, …),
/// cannot run inside one (`VACUUM`, `… CONCURRENTLY`, `CREATE DATABASE`), or changes
/// SQLite's foreign-key enforcement, which SQLite ignores inside a transaction.
pub fn runs_outside_transaction(sql: &str) -> bool {
    let words = leading_words(sql, 4);
    let first = words.first().map(String::as_str).unwrap_or_default();
    let controls = matches!(
        first,
        "BEGIN" | "START" | "COMMIT" | "END" | "ROLLBACK" | "SAVEPOINT" | "RELEASE" | "VACUUM"
    );
    let outside = matches!(
        (first, words.get(1).map(String::as_str)),
        ("CREATE" | "DROP", Some("DATABASE")) | ("ALTER", Some("SYSTEM"))
    ) || words.iter().any(|w| w == "CONCURRENTLY")
        || (first == "PRAGMA" && words.get(1).is_some_and(|w| w.starts_with("FOREIGN_KEYS")));
    controls || outside
}

/// The first `n` words of a statement, upper-cased, after leading comments.
fn leading_words(sql: &str, n: usize) -> Vec<String> {
    let mut rest = sql.trim_start();
    loop {
        if let Some(after) = rest.strip_prefix("--") {
            rest = after.split_once('\n').map_or("", |(_, r)| r).trim_start();
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, r)| r).trim_start();
        } else {
            break;
        }
    }
    rest.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .take(n)
        .map(str::to_ascii_uppercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::runs_outside_transaction;

    #[test]
    fn recognizes_statements_that_cannot_share_a_transaction() {
        for sql in [
            "BEGIN",
            "-- note\ncommit;",
            "/* x */ SAVEPOINT a",
            "CREATE INDEX CONCURRENTLY i ON t (a)",
            "drop index concurrently i",
            "PRAGMA foreign_keys = off",
            "CREATE DATABASE x",
            "VACUUM",
        ] {
            assert!(runs_outside_transaction(sql), "{sql}");
        }
        for sql in [
            "CREATE TABLE begin_log (id int)",
            "CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1; END",
            "PRAGMA user_version = 3",
            "INSERT INTO t VALUES ('COMMIT')",
        ] {
            assert!(!runs_outside_transaction(sql), "{sql}");
        }
    }
}
