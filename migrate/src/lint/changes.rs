//! Building a change set with positions: each statement of a linted file runs on the dev
//! space, and the schema before and after it is diffed, so every change is tied to the
//! statement (file, line) that made it.

use mercator_driver::Driver;
use mercator_migrate_dir::{MigrationFile, TxMode};
use schema_diff::{DialectExt, DiffOptions};
use schema_lint::{MigrationFile as LintFile, Statement, Suppression, rename_hints};
use schema_model::{DialectKind, Realm};

use super::error::LintError;
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
/// file as lint sees it; `state` becomes the schema after the file.
pub(crate) async fn analyze_file(
    file: &MigrationFile,
    space: &Workspace,
    state: &mut Realm,
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
        let changes = if changes_no_schema(&statement.text) {
            Vec::new()
        } else {
            let after = space.inspect().await?;
            let options = DiffOptions {
                renames: rename_hints(&statement.text, &default_schema),
                ..DiffOptions::default()
            };
            let mut changes = driver.dialect().diff(state, &after, &options);
            if kind == DialectKind::Sqlite {
                changes = super::rebuild::collapse(
                    driver.dialect(),
                    &mut out.statements,
                    changes,
                    &after,
                );
            }
            *state = after;
            changes
        };
        let mut lint_statement = Statement::new(statement.line, statement.text.clone(), changes);
        for nolint in statement.nolint() {
            lint_statement = lint_statement.suppress(Suppression::only(nolint.args));
        }
        out.statements.push(lint_statement);
    }
    Ok(out)
}

/// Whether a statement cannot change the schema (data statements, session settings), so the
/// inspection after it can be skipped. Anything not recognized is inspected, including
/// `SELECT`, which can call a function that runs DDL.
pub(crate) fn changes_no_schema(sql: &str) -> bool {
    let first = first_word(sql);
    matches!(
        first.as_str(),
        "INSERT" | "UPDATE" | "DELETE" | "REPLACE" | "TRUNCATE" | "ANALYZE" | "SET"
    )
}

/// The first word of a statement after leading comments, upper-cased.
fn first_word(sql: &str) -> String {
    let mut rest = sql.trim_start();
    loop {
        if let Some(after) = rest.strip_prefix("--").or_else(|| rest.strip_prefix('#')) {
            rest = after.split_once('\n').map_or("", |(_, r)| r).trim_start();
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, r)| r).trim_start();
        } else {
            break;
        }
    }
    rest.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect::<String>()
        .to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::changes_no_schema;

    #[test]
    fn only_data_statements_skip_inspection() {
        for sql in [
            "INSERT INTO t VALUES (1);",
            "-- seed\nupdate t set a = 1;",
            "/* x */ DELETE FROM t;",
            "SET search_path = app;",
        ] {
            assert!(changes_no_schema(sql), "{sql}");
        }
        for sql in [
            "CREATE TABLE t (a int);",
            "-- INSERT\nDROP TABLE t;",
            "WITH x AS (SELECT 1) SELECT * FROM x;",
            "SELECT create_partitions('t');",
            "DO $$ BEGIN EXECUTE 'DROP TABLE t'; END $$;",
            "COMMENT ON TABLE t IS 'x';",
        ] {
            assert!(!changes_no_schema(sql), "{sql}");
        }
    }
}
