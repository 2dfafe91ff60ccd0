//! `condrop`: CD101, a foreign key dropped while its columns stay (the data is no longer
//! guarded).

use schema_diff::TableChange;

use crate::context::modify_table;
use crate::{Analyzer, Context, Diagnostic};

/// CD101.
pub struct ConstraintDeletion;

impl Analyzer for ConstraintDeletion {
    fn name(&self) -> &str {
        "condrop"
    }

    fn title(&self) -> String {
        "constraint deletion detected".into()
    }

    fn analyze(&self, cx: &Context<'_>) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for (f, file, scope) in cx.files() {
            for (at, _, change) in Context::changes_of(f, file) {
                let Some((schema, _, to, inner)) = modify_table(change) else {
                    continue;
                };
                for c in inner {
                    // Atlas skips keys added in the same file and keys whose columns go
                    // too (DS103 reports those).
                    if let TableChange::DropForeignKey { key } = c
                        && !scope.added_foreign_keys.contains(&(
                            schema.to_owned(),
                            to.name.clone(),
                            key.name.clone(),
                        ))
                        && !key
                            .columns
                            .iter()
                            .all(|col| scope.column_dropped(schema, &to.name, col))
                    {
                        out.push(
                            Diagnostic::new(
                                "CD101",
                                at,
                                format!("Dropping foreign-key constraint {:?} of table {:?}", key.name, to.name),
                            )
                            .table(schema, &to.name)
                            .fix("Make sure no application relies on the constraint to keep references valid"),
                        );
                    }
                }
            }
        }
        out
    }
}
