//! `incompatible`: renames that break clients still using the old names. BC101 table,
//! BC102 column.

use schema_diff::{Change, TableChange};

use crate::context::modify_table;
use crate::{Analyzer, Context, Diagnostic};

/// BC101, BC102.
pub struct BackwardIncompatible;

impl Analyzer for BackwardIncompatible {
    fn name(&self) -> &str {
        "incompatible"
    }

    fn title(&self) -> String {
        "backward incompatible changes detected".into()
    }

    fn analyze(&self, cx: &Context<'_>) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for (f, file, scope) in cx.files() {
            for (at, _, change) in Context::changes_of(f, file) {
                if let Change::RenameTable { schema, from, to } = change {
                    // Renaming a table created in this file breaks no client; neither
                    // does one whose old name comes back (as a view or a table).
                    if !scope.created(schema, from) && !name_restored(cx, f, schema, from) {
                        out.push(
                            Diagnostic::new(
                                "BC101",
                                at,
                                format!("Renaming table {from:?} to {to:?}"),
                            )
                            .table(schema, to)
                            .fix(format!(
                                "Keep the old name available, e.g. with a view {from:?} over {to:?}"
                            )),
                        );
                    }
                    continue;
                }
                let Some((schema, _, table, inner)) = modify_table(change) else {
                    continue;
                };
                if scope.created(schema, &table.name) {
                    continue;
                }
                for c in inner {
                    // Atlas skips the rename when a column with the old name is added
                    // back (e.g. a generated alias), so old clients keep working.
                    if let TableChange::RenameColumn { from, to } = c
                        && !scope.added_columns.contains(&(
                            schema.to_owned(),
                            table.name.clone(),
                            from.clone(),
                        ))
                        && table.column(from).is_none()
                    {
                        out.push(
                            Diagnostic::new("BC102", at, format!("Renaming column {from:?} to {to:?}"))
                                .table(schema, &table.name)
                                .fix(format!("Add a generated column {from:?} that mirrors {to:?} until clients move")),
                        );
                    }
                }
            }
        }
        out
    }
}

/// Whether a table or view named `name` is created in file `file` (after a rename).
fn name_restored(cx: &Context<'_>, file: usize, schema: &str, name: &str) -> bool {
    cx.changes.files[file]
        .statements
        .iter()
        .flat_map(|s| &s.changes)
        .any(|c| match c {
            Change::AddView { schema: s, view } => s == schema && view.name == name,
            Change::AddTable { schema: s, table } => s == schema && table.name == name,
            _ => false,
        })
}
