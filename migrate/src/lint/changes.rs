//! Building a change set with positions: each statement of a linted file runs on the dev
//! space, and the schema before and after it is diffed, so every change is tied to the
//! statement (file, line) that made it.

use mercator_driver::Driver;
use mercator_migrate_dir::{MigrationFile, TxMode};
use schema_diff::{DialectExt, DiffOptions};
use schema_lint::{MigrationFile as LintFile, Statement, Suppression, rename_hints};
use schema_model::{DialectKind, Realm};

use super::error::LintError;
use super::scoped::{self, Reading, ReadingPlanner};
use super::workspace::Workspace;
use crate::VersionedError;
use crate::dev::one_line;

/// Runs every statement of `files` on `driver`, in order, without inspecting.
pub(crate) async fn replay(files: &[MigrationFile], driver: &dyn Driver) -> Result<(), LintError> {
    let kind = driver.kind();
    let mut session = driver.session().await?;
    for file in files {
        let parsed = file.parse(kind).map_err(VersionedError::from)?;
        let total = parsed.statements.len();
        for (i, statement) in parsed.statements.iter().enumerate() {
            session.execute(&statement.text).await.map_err(|error| {
                LintError::Versioned(VersionedError::Statement {
                    file: file.name().to_owned(),
                    line: statement.line,
                    index: i + 1,
                    total,
                    message: one_line(&error.to_string()),
                    source: Box::new(error),
                })
            })?;
        }
    }
    Ok(())
}

/// Runs `file` statement by statement on the space whose schema is `state`, and returns the
/// file as lint sees it; `state` becomes the schema after the file. After each statement
/// only the tables it touched are read again where its head tells them (see
/// [`super::scoped`]); with `verify_scoped_reads` the whole schema is read as well and must
/// agree.
pub(crate) async fn analyze_file(
    file: &MigrationFile,
    space: &Workspace,
    state: &mut Realm,
    verify_scoped_reads: bool,
) -> Result<LintFile, LintError> {
    let driver = space.driver();
    let kind = driver.kind();
    let parsed = file.parse(kind).map_err(VersionedError::from)?;
    let mut out = LintFile::new(file.name());
    out.txmode_none = parsed.directives.txmode == Some(TxMode::None);
    out.suppressions = parsed
        .directives
        .nolint
        .iter()
        .map(|n| Suppression::only(n.args.clone()))
        .collect();
    let default_schema = space.default_schema();
    let mut planner = ReadingPlanner::new(space);
    for statement in &parsed.statements {
        {
            let mut session = driver.session().await?;
            session
                .execute(&statement.text)
                .await
                .map_err(|error| LintError::Statement {
                    file: file.name().to_owned(),
                    line: statement.line,
                    message: one_line(&error.to_string()),
                    source: Box::new(error),
                })?;
        }
        // Rename hints are read only for statements that are diffed.
        let options = || DiffOptions {
            renames: rename_hints(&statement.text, &default_schema),
            ..DiffOptions::default()
        };
        let dialect = driver.dialect();
        let mut changes = match planner.reading(&statement.text, state) {
            Reading::Unchanged => Vec::new(),
            Reading::Whole => {
                let after = space.inspect().await?;
                let changes = dialect.diff(state, &after, &options());
                *state = after;
                changes
            }
            Reading::Tables(tables) => {
                // Only the touched tables differ between the two models: diffing just
                // them keeps the cost of a statement independent of the schema's size.
                let before = scoped::narrowed(state, &tables);
                scoped::read_tables(space, state, &tables).await?;
                if verify_scoped_reads && !scoped::same_model(state, &space.inspect().await?) {
                    return Err(LintError::ScopedRead {
                        file: file.name().to_owned(),
                        line: statement.line,
                        tables: tables.iter().flat_map(|(_, t)| t.clone()).collect(),
                    });
                }
                dialect.diff(&before, &scoped::narrowed(state, &tables), &options())
            }
        };
        if kind == DialectKind::Sqlite && !changes.is_empty() {
            changes = super::rebuild::collapse(dialect, &mut out.statements, changes, state);
        }
        let mut lint_statement = Statement::new(statement.line, statement.text.clone(), changes);
        for nolint in statement.nolint() {
            lint_statement = lint_statement.suppress(Suppression::only(nolint.args));
        }
        out.statements.push(lint_statement);
    }
    Ok(out)
}
