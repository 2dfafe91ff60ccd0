//! Migrations with rows on a real server: load the current state and rows, plan to the
//! desired state (loaded in a second database), apply, and require that a second plan is
//! empty and that the rows are still there.

use mercator_driver::DriverExt;
use mercator_postgres::{PostgresDialect, PostgresDriver};
use schema_diff::{Dialect, DialectExt, DiffOptions, Plan, PlanOptions};

use super::*;

/// One migration: `current` plus `rows` is migrated to `desired`; `checks` are SQL
/// conditions (e.g. `(SELECT count(*) FROM t) = 3`) that must hold afterwards.
pub struct Case<'a> {
    pub current: &'a str,
    pub rows: &'a str,
    pub desired: &'a str,
    pub checks: &'a [&'a str],
}

/// Runs the case on two open databases (emptied first); returns the plan that was
/// applied, or what went wrong.
pub async fn check_migration(
    current: &PostgresDriver,
    desired: &PostgresDriver,
    case: &Case<'_>,
) -> Result<Plan, String> {
    reset(current).await;
    reset(desired).await;
    load(current, case.current)
        .await
        .map_err(|e| format!("loading current: {e}"))?;
    load(current, case.rows)
        .await
        .map_err(|e| format!("inserting rows: {e}"))?;
    load(desired, case.desired)
        .await
        .map_err(|e| format!("loading desired: {e}"))?;
    let before = inspect(current).await;
    let target = inspect(desired).await;
    let dialect = PostgresDialect;
    let changes = dialect.diff(&before, &target, &DiffOptions::default());
    let plan = dialect
        .plan(&changes, &PlanOptions::default())
        .map_err(|e| format!("plan: {e}"))?;
    if let Err(e) = current.apply(&plan).await {
        return Err(format!("apply failed: {e}\nplan:\n{}", plan.to_sql()));
    }
    let after = inspect(current).await;
    let again = dialect.diff(&after, &target, &DiffOptions::default());
    if !again.is_empty() {
        return Err(format!(
            "second plan not empty:\n{}\nfirst plan:\n{}",
            dialect
                .plan(&again, &PlanOptions::default())
                .map(|p| p.to_sql())
                .unwrap_or_default(),
            plan.to_sql()
        ));
    }
    for check in case.checks {
        let sql =
            format!("DO $$ BEGIN IF NOT ({check}) THEN RAISE EXCEPTION 'failed'; END IF; END $$");
        if let Err(e) = current.execute(&[sql]).await {
            return Err(format!(
                "check {check} failed after the plan: {e}\nplan:\n{}",
                plan.to_sql()
            ));
        }
    }
    Ok(plan)
}

/// Runs the case in two fresh databases; returns the plan that was applied (`None` when
/// the server is unreachable and the test skips).
pub async fn migrate(case: &Case<'_>) -> Option<Plan> {
    admin().await?;
    let current_db = TestDb::create().await;
    let desired_db = TestDb::create().await;
    let current = current_db.open().await;
    let desired = desired_db.open().await;
    let outcome = check_migration(&current, &desired, case).await;
    drop(current);
    drop(desired);
    current_db.drop_db().await;
    desired_db.drop_db().await;
    match outcome {
        Ok(plan) => Some(plan),
        Err(e) => panic!("{e}"),
    }
}

pub fn count(plan: &Plan, needle: &str) -> usize {
    plan.statements
        .iter()
        .filter(|s| s.sql.contains(needle))
        .count()
}
