//! The commands of plan tests: `schema { url }` gives the plan's starting state, `apply {
//! url }` runs the plan only from its `from` and checks it reaches its `to`.

use std::path::Path;

use mercator_driver::{DriverError, InspectOptions, exec};
use mercator_project::PlanFile;
use schema_model::{fingerprint, same_fingerprint};

use super::{CaseState, Failed, db_message};
use crate::testing::report::FailureKind;

impl CaseState<'_> {
    /// `schema { url }`: the statements of the SQL files (or the inspected database's
    /// schema) run on the case's database.
    pub(super) async fn schema(&self, url: &str) -> Result<(), Failed> {
        let fail = |m: String| Failed::new(FailureKind::Setup, format!("schema {url:?}: {m}"));
        let statements: Vec<String> = match url.strip_prefix("file://") {
            Some(path) => {
                let project =
                    sqlimport::load_with(&self.dir.join(path), self.run.kind, &Default::default())
                        .map_err(|e| fail(e.to_string()))?;
                project.statements.into_iter().map(|s| s.sql).collect()
            }
            None => {
                let realm = crate::dev::inspect_url(url, &InspectOptions::default())
                    .await
                    .map_err(|e| fail(e.to_string()))?;
                let sql =
                    crate::realm_sql(&realm, self.driver().dialect(), self.space.bound.as_deref())
                        .map_err(|e| fail(e.to_string()))?;
                sqlimport::split(&sql, Path::new("schema"), self.run.kind)
                    .map_err(|e| fail(e.to_string()))?
                    .into_iter()
                    .map(|s| s.sql)
                    .collect()
            }
        };
        let mut session = self
            .driver()
            .session()
            .await
            .map_err(|e| fail(db_message(&e)))?;
        exec::execute_all(session.as_mut(), &statements)
            .await
            .map_err(|e| fail(db_message(&e)))
    }

    /// `apply { url }`: the plan file applied only from its `from` state, and checked to
    /// reach its `to`.
    pub(super) async fn apply(&self, url: &str) -> Result<(), Failed> {
        let fail = |m: String| Failed::new(FailureKind::Plan, format!("apply {url:?}: {m}"));
        let path = self.dir.join(url.strip_prefix("file://").unwrap_or(url));
        let plan = PlanFile::load(&path).map_err(|e| fail(e.to_string()))?.plan;
        let found = self.fingerprint().await.map_err(&fail)?;
        let same = |stored: &str, found: &str| {
            same_fingerprint(stored, found).map_err(|e| fail(e.to_string()))
        };
        if !same(&plan.from, &found)? {
            return Err(fail(format!(
                "the database is not at the plan's starting state (from {}, found {found}): the schema block must give the state the plan was made against",
                plan.from
            )));
        }
        let statements = crate::plan::statements_of(&plan.name, &plan.migration, self.run.kind)
            .map_err(|e| fail(e.to_string()))?;
        {
            let mut session = self
                .driver()
                .session()
                .await
                .map_err(|e| fail(db_message(&e)))?;
            let sql: Vec<String> = statements.iter().map(|(s, _)| s.clone()).collect();
            if let Err(e) = exec::execute_all(session.as_mut(), &sql).await {
                let line = match &e {
                    DriverError::Exec { index, .. } => statements.get(*index).map(|(_, l)| *l),
                    _ => None,
                };
                return Err(fail(match line {
                    Some(line) => format!("the plan's SQL, line {line}: {}", db_message(&e)),
                    None => db_message(&e),
                }));
            }
        }
        let after = self.fingerprint().await.map_err(&fail)?;
        if !same(&plan.to, &after)? {
            return Err(fail(format!(
                "the plan ran but the database is not at its target state (to {}, found {after})",
                plan.to
            )));
        }
        Ok(())
    }

    /// The case database's fingerprint, its schema named as the dev URL's.
    async fn fingerprint(&self) -> Result<String, String> {
        let realm = self
            .driver()
            .inspect(&InspectOptions::default())
            .await
            .map_err(|e| db_message(&e))?;
        let realm = match &self.space.bound {
            Some(bound) => crate::binding::bind(realm, bound).map_err(|e| e.to_string())?,
            None => realm,
        };
        fingerprint(&realm).map_err(|e| e.to_string())
    }
}
