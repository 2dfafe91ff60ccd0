//! `destructive`: drops that lose data. DS101 schema, DS102 table, DS103 non-virtual
//! column.

use schema_diff::{Change, TableChange};

use crate::context::modify_table;
use crate::{Analyzer, Context, Diagnostic, Severity};

/// DS101–DS103. Error by default, as in Atlas.
pub struct Destructive;

impl Analyzer for Destructive {
    fn name(&self) -> &str {
        "destructive"
    }

    fn default_severity(&self) -> Severity {
        Severity::Error
    }

    fn title(&self) -> String {
        "destructive changes detected".into()
    }

    fn analyze(&self, cx: &Context<'_>) -> Vec<Diagnostic> {
        let q = cx.queries();
        let mut out = Vec::new();
        for (f, file, scope) in cx.files() {
            for (at, _, change) in Context::changes_of(f, file) {
                match change {
                    // Atlas skips schemas that only lived inside this file.
                    Change::DropSchema { schema }
                        if !scope.created_schemas.contains(&schema.name) =>
                    {
                        out.push(
                        Diagnostic::new(
                            "DS101",
                            at,
                            format!(
                                "Dropping schema {:?} which contains {} tables",
                                schema.name,
                                schema.tables.len()
                            ),
                        )
                        .fix(format!(
                            "Add a pre-migration check that schema {:?} is empty before dropping it",
                            schema.name
                        )),
                        )
                    }
                    // Atlas skips tables whose schema goes too (DS101 covers them) and
                    // tables that only lived inside this file.
                    Change::DropTable { schema, table }
                        if !scope.dropped_schemas.contains(schema)
                            && !scope.created(schema, &table.name) =>
                    {
                        out.push(
                            Diagnostic::new("DS102", at, format!("Dropping table {:?}", table.name))
                                .table(schema, &table.name)
                                .fix(format!(
                                    "Add a pre-migration check that table {:?} is empty before dropping it",
                                    table.name
                                ))
                                .preflight(q.map(|q| q.any_rows(schema, table))),
                        )
                    }
                    _ => {}
                }
                let Some((schema, from, to, inner)) = modify_table(change) else {
                    continue;
                };
                if scope.created(schema, &to.name) {
                    continue;
                }
                for c in inner {
                    // Virtual generated columns hold no data.
                    if let TableChange::DropColumn { column } = c
                        && column.generated.as_ref().is_none_or(|g| g.stored)
                    {
                        out.push(
                            Diagnostic::new(
                                "DS103",
                                at,
                                format!(
                                    "Dropping non-virtual column {:?} of table {:?}",
                                    column.name, to.name
                                ),
                            )
                            .table(schema, &to.name)
                            .fix(format!(
                                "Add a pre-migration check that column {:?} holds only NULLs before dropping it",
                                column.name
                            ))
                            .preflight(q.map(|q| q.non_null(schema, from, &column.name))),
                        );
                    }
                }
            }
        }
        out
    }
}
