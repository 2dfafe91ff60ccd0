//! Reviewed plans: a declarative migration written down (Atlas's `*.plan.hcl` shape), checked
//! when edited, and applied only to the exact state it was planned against.
//!
//! - [`SchemaApply::reviewed`] turns a computed plan into a [`ReviewedPlan`] (name,
//!   fingerprints, migration SQL in the migration-file layout).
//! - [`SchemaApply::check_edited`] replays the current state and an edited SQL on the dev
//!   database and tells whether it reaches the desired state; if not, the [`EditCheck`]
//!   holds a unified diff of the schema it reaches against the desired one.
//! - [`apply_reviewed`] runs a reviewed plan under [`SCHEMA_APPLY_LOCK`] only when the
//!   database's fingerprint equals the plan's `from`, and verifies `to` afterwards.

use std::time::Duration;

use mercator_driver::{Driver, DriverError, InspectOptions, exec};
use mercator_migrate_dir::{Change, MigrationFile, RenderOptions, render_file};
use schema_diff::{DialectExt, DiffOptions, Plan};
use schema_model::{DialectKind, Realm, fingerprint, same_fingerprint};

use crate::apply::SCHEMA_APPLY_LOCK;
use crate::binding::{adopt_attributes, bind};
use crate::dev::Dev;
use crate::{MigrateError, PlannedMigration, SchemaApply, open, realm_sql};

/// A plan as it is reviewed and stored: what it is called, the fingerprints of the state it
/// starts from and the state it produces, and its SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewedPlan {
    /// The plan's name.
    pub name: String,
    /// Fingerprint of the database's schema the plan applies to.
    pub from: String,
    /// Fingerprint of the schema it produces.
    pub to: String,
    /// The SQL, laid out as a migration file (directives, `-- comment`, `statement;`).
    pub migration: String,
}

/// Why a reviewed plan was not applied, or did not do what it said.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReviewedPlanError {
    /// The database is not in the state the plan was made against.
    #[error(
        "plan {name:?} was made against schema {expected} but the database is at {found}: {description}; plan again"
    )]
    NotFrom {
        /// The plan's name.
        name: String,
        /// The plan's `from`.
        expected: String,
        /// The database's fingerprint.
        found: String,
        /// How the database differs, in a few words.
        description: String,
    },
    /// The plan ran, but the database did not end up at its `to`.
    #[error(
        "plan {name:?} was applied but the database is at {found}, not the plan's target {expected}: the plan's SQL does not produce the state it names"
    )]
    NotTo {
        /// The plan's name.
        name: String,
        /// The plan's `to`.
        expected: String,
        /// The database's fingerprint after the run.
        found: String,
    },
    /// The plan's `from` or `to` cannot be compared with this Mercator's fingerprints.
    #[error("plan {name:?}: {source}")]
    Fingerprint {
        /// The plan's name.
        name: String,
        /// The fingerprint problem.
        #[source]
        source: schema_model::UnknownFingerprint,
    },
    /// The plan's SQL cannot be read as a migration file.
    #[error("plan {name:?}: {source}")]
    Sql {
        /// The plan's name.
        name: String,
        /// Where and what.
        #[source]
        source: mercator_migrate_dir::FileError,
    },
    /// A statement of the plan's SQL failed.
    #[error("plan {name:?}, line {line}: {message}")]
    Statement {
        /// The plan's name.
        name: String,
        /// The statement's line in the plan's SQL.
        line: usize,
        /// The database's answer.
        message: String,
    },
}

/// The outcome of [`SchemaApply::check_edited`].
#[derive(Debug, Clone)]
pub struct EditCheck {
    /// Whether the edited SQL, run on the current state, reaches the desired state.
    pub reaches_desired: bool,
    /// The schema the edited SQL reaches.
    pub reached: Realm,
    /// When it does not reach it: a unified diff of the desired schema (`---`) against the
    /// reached one (`+++`), both written as SQL. Empty otherwise.
    pub diff: String,
}

/// What [`apply_reviewed`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewedReport {
    /// How many statements ran.
    pub statements: usize,
    /// The database's fingerprint before (the plan's `from`).
    pub from: String,
    /// The database's fingerprint after (the plan's `to`).
    pub to: String,
}

/// Settings of [`apply_reviewed`].
#[derive(Clone)]
pub struct ReviewedOptions<'a> {
    /// Schemas the plan manages (as given when it was planned; empty: the URL's).
    pub schemas: Vec<String>,
    /// Tables left out of the comparison (as when it was planned).
    pub exclude_tables: Vec<String>,
    /// How long to wait for another apply.
    pub lock_timeout: Duration,
    /// Check `from` and stop: nothing is run.
    pub dry_run: bool,
    /// The plan's desired state, when known (a [`SchemaApply`] for the same database): with
    /// it, a refusal says how the database moved, found by replaying the plan on the
    /// database's current state on the dev database.
    pub desired: Option<&'a SchemaApply>,
}

impl Default for ReviewedOptions<'_> {
    fn default() -> Self {
        ReviewedOptions {
            schemas: Vec::new(),
            exclude_tables: Vec::new(),
            lock_timeout: Duration::from_secs(10),
            dry_run: false,
            desired: None,
        }
    }
}

/// Lays a plan out as a migration file: `-- comment` above each `statement;`, and
/// `-- atlas:txmode none` when a statement cannot run in a transaction (e.g. `CREATE INDEX
/// CONCURRENTLY`), so the text reads back with the same statements and transaction mode.
pub fn migration_text(plan: &Plan) -> String {
    let mut options = RenderOptions::default();
    if plan.statements.iter().any(|s| !s.transactional) {
        options.directives.push(("txmode".into(), "none".into()));
    }
    let changes: Vec<Change> = plan
        .statements
        .iter()
        .map(|s| Change::new(s.comment.clone(), s.sql.clone()))
        .collect();
    render_file(&options, &changes)
}

/// The statements of a plan's SQL with their lines.
pub(crate) fn statements_of(
    name: &str,
    sql: &str,
    kind: DialectKind,
) -> Result<Vec<(String, usize)>, MigrateError> {
    let parsed = MigrationFile::new(format!("{name}.plan.hcl"), sql.as_bytes().to_vec())
        .parse(kind)
        .map_err(|source| ReviewedPlanError::Sql {
            name: name.to_owned(),
            source,
        })?;
    Ok(parsed
        .statements
        .into_iter()
        .map(|s| (s.text, s.line))
        .collect())
}

/// Reports a failing statement of the plan's SQL by its line (statements before `offset`
/// are not the plan's own).
fn statement_error(name: &str, lines: &[usize], offset: usize, error: DriverError) -> MigrateError {
    if let DriverError::Exec { index, message, .. } = &error
        && let Some(line) = index.checked_sub(offset).and_then(|i| lines.get(i))
    {
        return ReviewedPlanError::Statement {
            name: name.to_owned(),
            line: *line,
            message: message
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(" "),
        }
        .into();
    }
    error.into()
}

impl SchemaApply {
    /// The plan, named `name`, in the form it is reviewed and stored.
    pub fn reviewed(&self, name: &str, planned: &PlannedMigration) -> ReviewedPlan {
        ReviewedPlan {
            name: name.to_owned(),
            from: planned.from_fingerprint.clone(),
            to: planned.to_fingerprint.clone(),
            migration: migration_text(&planned.plan),
        }
    }

    /// Replays the state `planned` was made against, then `sql` (an edited plan), on a
    /// private space of the dev database, and compares what it reaches with the desired
    /// state. Nothing is run on the target database.
    pub async fn check_edited(
        &self,
        planned: &PlannedMigration,
        sql: &str,
    ) -> Result<EditCheck, MigrateError> {
        // A desired state read from a database needs no dev database to plan, but a replay
        // does: the driver's scratch database (SQLite), else --dev-url is required.
        let owned = match self.dev_db() {
            Some(_) => None,
            None => Some(Dev::choose(None, self.driver().kind()).await?),
        };
        let outcome = match (self.dev_db(), &owned) {
            (Some(dev), _) | (None, Some(dev)) => self.replay_edited(dev, planned, sql).await,
            (None, None) => Err(MigrateError::Missing("a dev database URL (--dev-url)")),
        };
        if let Some(dev) = owned {
            dev.close().await?;
        }
        outcome
    }

    async fn replay_edited(
        &self,
        dev: &Dev,
        planned: &PlannedMigration,
        sql: &str,
    ) -> Result<EditCheck, MigrateError> {
        let dialect = self.driver().dialect();
        let bound = self.bound().map(str::to_owned);
        // The current state, built from nothing the way `schema inspect` writes it.
        let empty = match &bound {
            Some(b) => Realm::new(vec![schema_model::Schema::new(b)]),
            None => dialect.empty_database(),
        };
        let setup_changes = dialect.diff(&empty, &planned.current, &DiffOptions::default());
        let setup = dialect.plan(
            &setup_changes,
            &schema_diff::PlanOptions {
                unqualified_schema: bound.clone(),
                ..schema_diff::PlanOptions::default()
            },
        )?;
        let edited = statements_of("edited", sql, self.driver().kind())?;
        let mut statements: Vec<String> = setup.statements.iter().map(|s| s.sql.clone()).collect();
        let offset = statements.len();
        statements.extend(edited.iter().map(|(s, _)| s.clone()));
        let lines: Vec<usize> = edited.iter().map(|(_, l)| *l).collect();
        let reached = replay_on_dev(dev, &statements).await.map_err(|e| match e {
            MigrateError::Driver(d) => statement_error("edited", &lines, offset, d),
            other => other,
        })?;
        let mut reached = match &bound {
            Some(b) => bind(reached, b)?,
            None => reached,
        };
        if bound.is_some() {
            adopt_attributes(&mut reached, &planned.current);
        }
        let (mut left, mut right) = (reached.clone(), planned.desired.clone());
        let changes = dialect.diff_in_place(&mut left, &mut right, &DiffOptions::default());
        if changes.is_empty() {
            return Ok(EditCheck {
                reaches_desired: true,
                reached,
                diff: String::new(),
            });
        }
        let want = realm_sql(&planned.desired, dialect, bound.as_deref())?;
        let got = realm_sql(&reached, dialect, bound.as_deref())?;
        let diff = similar::TextDiff::from_lines(&want, &got)
            .unified_diff()
            .context_radius(3)
            .header("desired", "edited plan")
            .to_string();
        Ok(EditCheck {
            reaches_desired: false,
            reached,
            diff,
        })
    }
}

/// Runs `statements` in a space of the dev database nobody else uses (a scratch space, or
/// the dev database itself when it cannot make one: then it must be clean and is emptied
/// after), and inspects the result.
async fn replay_on_dev(dev: &Dev, statements: &[String]) -> Result<Realm, MigrateError> {
    dev.in_private_space(async |driver| run_and_inspect(driver, statements).await)
        .await
}

async fn run_and_inspect(
    driver: &dyn Driver,
    statements: &[String],
) -> Result<Realm, MigrateError> {
    {
        let mut session = driver.session().await?;
        exec::execute_all(session.as_mut(), statements).await?;
    }
    Ok(driver.inspect(&InspectOptions::default()).await?)
}

/// Applies a reviewed plan to the database at `url`, under [`SCHEMA_APPLY_LOCK`]: only when
/// the database's fingerprint equals the plan's `from` (else
/// [`ReviewedPlanError::NotFrom`], which says how the database differs), and checks
/// afterwards that it equals `to` ([`ReviewedPlanError::NotTo`]).
pub async fn apply_reviewed(
    url: &str,
    plan: &ReviewedPlan,
    options: &ReviewedOptions<'_>,
) -> Result<ReviewedReport, MigrateError> {
    let target = open(url).await?;
    let outcome = apply_on(target.as_ref(), plan, options).await;
    let closed = target.close().await;
    let report = outcome?;
    closed?;
    Ok(report)
}

async fn apply_on(
    target: &dyn Driver,
    plan: &ReviewedPlan,
    options: &ReviewedOptions<'_>,
) -> Result<ReviewedReport, MigrateError> {
    let fingerprint_error = |source| ReviewedPlanError::Fingerprint {
        name: plan.name.clone(),
        source,
    };
    // Both fingerprints must be comparable before anything runs.
    for stored in [&plan.from, &plan.to] {
        schema_model::fingerprint_version(stored).map_err(fingerprint_error)?;
    }
    let statements = statements_of(&plan.name, &plan.migration, target.kind())?;
    let inspect = InspectOptions {
        schemas: options.schemas.clone(),
        exclude_tables: options.exclude_tables.clone(),
        only_tables: None,
    };
    target.lock(SCHEMA_APPLY_LOCK, options.lock_timeout).await?;
    let outcome = async {
        let found = fingerprint(&target.inspect(&inspect).await?)?;
        if !same_fingerprint(&plan.from, &found).map_err(fingerprint_error)? {
            let description = describe(plan, &found, options.desired)
                .await
                .map_err(fingerprint_error)?;
            return Err(ReviewedPlanError::NotFrom {
                name: plan.name.clone(),
                expected: plan.from.clone(),
                found,
                description,
            }
            .into());
        }
        let sql: Vec<String> = statements.iter().map(|(s, _)| s.clone()).collect();
        let lines: Vec<usize> = statements.iter().map(|(_, l)| *l).collect();
        if options.dry_run {
            return Ok(ReviewedReport {
                statements: 0,
                from: found.clone(),
                to: found,
            });
        }
        {
            let mut session = target.session().await?;
            exec::execute_all(session.as_mut(), &sql)
                .await
                .map_err(|e| statement_error(&plan.name, &lines, 0, e))?;
        }
        let after = fingerprint(&target.inspect(&inspect).await?)?;
        if !same_fingerprint(&plan.to, &after).map_err(fingerprint_error)? {
            return Err(ReviewedPlanError::NotTo {
                name: plan.name.clone(),
                expected: plan.to.clone(),
                found: after,
            }
            .into());
        }
        Ok::<_, MigrateError>(ReviewedReport {
            statements: sql.len(),
            from: found,
            to: after,
        })
    }
    .await;
    // The lock also ends with the connection; the outcome matters more than an unlock error.
    let unlocked = target.unlock(SCHEMA_APPLY_LOCK).await;
    let report = outcome?;
    unlocked?;
    Ok(report)
}

/// A few words on how the database differs from the state the plan was made against: the
/// plan is replayed on the database's current state (on the dev database), and what still
/// separates the result from the plan's target is what changed by hand.
async fn describe(
    plan: &ReviewedPlan,
    found: &str,
    desired: Option<&SchemaApply>,
) -> Result<String, schema_model::UnknownFingerprint> {
    if same_fingerprint(&plan.to, found)? {
        return Ok(
            "the database is already at the plan's target state (was the plan applied already?)"
                .to_owned(),
        );
    }
    let Some(apply) = desired else {
        return Ok(
            "its schema changed since the plan was made (give the desired state, --to, to see how)"
                .to_owned(),
        );
    };
    let planned = match apply.plan().await {
        Ok(planned) => planned,
        Err(e) => return Ok(format!("its schema changed since the plan was made ({e})")),
    };
    let check = match apply.check_edited(&planned, &plan.migration).await {
        Ok(check) => check,
        Err(e) => {
            return Ok(format!(
                "the plan's SQL fails on the database as it is now ({e})"
            ));
        }
    };
    if check.reaches_desired {
        return Ok(
            "its schema changed since the plan was made, in a way the plan would absorb".to_owned(),
        );
    }
    let dialect = apply.driver().dialect();
    let (mut reached, mut target) = (check.reached, planned.desired);
    let changes = dialect.diff_in_place(&mut reached, &mut target, &DiffOptions::default());
    let lines = crate::describe::describe_changes(&changes, apply.bound());
    Ok(format!(
        "it changed since the plan was made; after the plan it would still need: {}",
        lines.join(", ")
    ))
}
