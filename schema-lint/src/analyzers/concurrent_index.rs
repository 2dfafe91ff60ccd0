//! `concurrent_index` (PostgreSQL): index builds and drops that block writes.
//!
//! PG101 index created without `CONCURRENTLY` on an existing table, PG102 index dropped
//! without `CONCURRENTLY`, PG103 a concurrent index operation in a file without
//! `atlas:txmode none` (PostgreSQL refuses `CONCURRENTLY` inside a transaction).

use schema_diff::TableChange;
use schema_model::DialectKind;

use crate::context::modify_table;
use crate::sqltext;
use crate::{Analyzer, Context, Diagnostic};

/// PG101–PG103.
pub struct ConcurrentIndex;

impl Analyzer for ConcurrentIndex {
    fn name(&self) -> &str {
        "concurrent_index"
    }

    fn title(&self) -> String {
        "concurrent index violations detected".into()
    }

    fn analyze(&self, cx: &Context<'_>) -> Vec<Diagnostic> {
        if cx.dialect != Some(DialectKind::Postgres) {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (f, file, scope) in cx.files() {
            let mut txmode_reported = false;
            for (at, statement, change) in Context::changes_of(f, file) {
                let concurrently = statement.flags.concurrently;
                if concurrently && !file.txmode_none && !txmode_reported {
                    txmode_reported = true;
                    out.push(
                        Diagnostic::new(
                            "PG103",
                            at,
                            "Indexes cannot be created or deleted concurrently within a transaction: the file lacks the atlas:txmode none directive",
                        )
                        .fix("Add the `-- atlas:txmode none` directive to the header of this file"),
                    );
                }
                let Some((schema, _, to, inner)) = modify_table(change) else {
                    continue;
                };
                if scope.created(schema, &to.name) || concurrently {
                    continue;
                }
                // `ADD CONSTRAINT … USING INDEX` turns an index into the constraint's: it
                // is renamed, not dropped, and nothing is built.
                let using_index =
                    sqltext::has_sequence(&sqltext::tokens(&statement.sql), &["USING", "INDEX"]);
                for c in inner {
                    let (created, dropped) = match c {
                        // Constraint-backed indexes (UNIQUE constraints) are PG105's.
                        TableChange::AddIndex { index } if !index.constraint => (Some(index), None),
                        TableChange::DropIndex { index } if !index.constraint && !using_index => {
                            (None, Some(index))
                        }
                        TableChange::ModifyIndex { from, to: index }
                            if !index.constraint && !from.constraint =>
                        {
                            (Some(index), Some(from))
                        }
                        _ => (None, None),
                    };
                    if let Some(index) = dropped {
                        out.push(
                            Diagnostic::new(
                                "PG102",
                                at,
                                format!(
                                    "Dropping index {:?} non-concurrently blocks reads and writes of table {:?} until it is dropped",
                                    index.name, to.name
                                ),
                            )
                            .table(schema, &to.name)
                            .locking()
                            .fix("Drop the index CONCURRENTLY in a file of its own with `-- atlas:txmode none`"),
                        );
                    }
                    if let Some(index) = created {
                        out.push(
                            Diagnostic::new(
                                "PG101",
                                at,
                                format!(
                                    "Creating index {:?} non-concurrently blocks writes to table {:?} while it is built",
                                    index.name, to.name
                                ),
                            )
                            .table(schema, &to.name)
                            .locking()
                            .fix("Create the index CONCURRENTLY in a file of its own with `-- atlas:txmode none`"),
                        );
                    }
                }
            }
        }
        out
    }
}
