//! `atlas.hcl` diff policies turned into planning settings: `diff { skip { … } }` into
//! [`DiffOptions`], `diff { concurrent_index { … } }` into [`ConcurrentIndexes`].
//!
//! ```
//! use mercator_migrate::project::{concurrent_indexes, diff_options, skip_from_name};
//! use mercator_project::{ConcurrentIndex, DiffPolicy, SkipChange};
//! use schema_diff::ObjectKind;
//!
//! let policy = DiffPolicy {
//!     skip: Some([SkipChange::DropTable, SkipChange::AddTable].into()),
//!     concurrent_index: Some(ConcurrentIndex { create: true, drop: false }),
//! };
//! let (options, unsupported) = diff_options(&policy);
//! assert!(options.skip_drops.contains(&ObjectKind::Table));
//! assert_eq!(unsupported, vec![SkipChange::AddTable]);
//! assert!(concurrent_indexes(&policy).create);
//! assert_eq!(skip_from_name("drop_column"), Some(SkipChange::DropColumn));
//! ```

use mercator_project::{DiffPolicy, SkipChange};
pub use schema_diff::DiffOptions;
use schema_diff::{ObjectKind, Plan, PlanOptions};

/// `concurrent_index { create, drop }`: which index statements on existing PostgreSQL tables
/// are written `CONCURRENTLY` (and so run outside the plan's transaction). Other databases
/// ignore it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConcurrentIndexes {
    /// `CREATE INDEX CONCURRENTLY`.
    pub create: bool,
    /// `DROP INDEX CONCURRENTLY`.
    pub drop: bool,
}

/// The object kind whose drops a `skip` attribute leaves out, for the kinds the differ
/// can skip.
fn dropped_kind(skip: SkipChange) -> Option<ObjectKind> {
    Some(match skip {
        SkipChange::DropSchema => ObjectKind::Schema,
        SkipChange::DropTable => ObjectKind::Table,
        SkipChange::DropColumn => ObjectKind::Column,
        SkipChange::DropIndex => ObjectKind::Index,
        SkipChange::DropForeignKey => ObjectKind::ForeignKey,
        SkipChange::DropView => ObjectKind::View,
        SkipChange::DropFunc | SkipChange::DropProc => ObjectKind::Routine,
        SkipChange::DropTrigger => ObjectKind::Trigger,
        _ => return None,
    })
}

/// The diff options a `diff` policy asks for, and the `skip` kinds Mercator cannot leave
/// out (only drops can be skipped), for the caller to warn about.
pub fn diff_options(policy: &DiffPolicy) -> (DiffOptions, Vec<SkipChange>) {
    let mut options = DiffOptions::default();
    let mut unsupported = Vec::new();
    for skip in policy.skip.iter().flatten() {
        match dropped_kind(*skip) {
            Some(kind) => {
                options.skip_drops.insert(kind);
            }
            None => unsupported.push(*skip),
        }
    }
    (options, unsupported)
}

/// Reads a `skip` attribute name as given on the command line (`drop_table`).
pub fn skip_from_name(name: &str) -> Option<SkipChange> {
    SkipChange::from_name(name)
}

/// The `concurrent_index` part of a `diff` policy.
pub fn concurrent_indexes(policy: &DiffPolicy) -> ConcurrentIndexes {
    policy
        .concurrent_index
        .map(|c| ConcurrentIndexes {
            create: c.create,
            drop: c.drop,
        })
        .unwrap_or_default()
}

/// Plan options with the concurrency asked for: the dialect writes creation and removal
/// `CONCURRENTLY` together, so it is asked for both when either is wanted and
/// [`keep_concurrency`] takes it back from the other.
pub(crate) fn plan_options(bound: Option<String>, concurrent: ConcurrentIndexes) -> PlanOptions {
    PlanOptions {
        unqualified_schema: bound,
        concurrent_indexes: concurrent.create || concurrent.drop,
    }
}

/// Writes the index statements of the side that was not asked for without `CONCURRENTLY`,
/// back inside the transaction.
pub(crate) fn keep_concurrency(plan: &mut Plan, concurrent: ConcurrentIndexes) {
    if concurrent.create == concurrent.drop {
        return;
    }
    for statement in &mut plan.statements {
        let words: Vec<&str> = statement.sql.split_whitespace().take(4).collect();
        let is_create = matches!(
            words.as_slice(),
            ["CREATE", "INDEX", "CONCURRENTLY", ..] | ["CREATE", "UNIQUE", "INDEX", "CONCURRENTLY"]
        );
        let is_drop = matches!(words.as_slice(), ["DROP", "INDEX", "CONCURRENTLY", ..]);
        let unwanted = (is_create && !concurrent.create) || (is_drop && !concurrent.drop);
        if unwanted {
            statement.sql = statement.sql.replacen("CONCURRENTLY ", "", 1);
            statement.transactional = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use schema_diff::PlannedStatement;

    fn statement(sql: &str) -> PlannedStatement {
        PlannedStatement {
            sql: sql.to_owned(),
            comment: String::new(),
            change: 0,
            reverse: None,
            transactional: false,
        }
    }

    #[test]
    fn only_the_asked_side_stays_concurrent() {
        let mut plan = Plan {
            statements: vec![
                statement("CREATE INDEX CONCURRENTLY \"i\" ON \"t\" (\"a\")"),
                statement("CREATE UNIQUE INDEX CONCURRENTLY \"u\" ON \"t\" (\"b\")"),
                statement("DROP INDEX CONCURRENTLY \"j\""),
            ],
            transactional: true,
        };
        keep_concurrency(
            &mut plan,
            ConcurrentIndexes {
                create: false,
                drop: true,
            },
        );
        assert_eq!(
            plan.statements[0].sql,
            "CREATE INDEX \"i\" ON \"t\" (\"a\")"
        );
        assert!(plan.statements[0].transactional);
        assert_eq!(
            plan.statements[1].sql,
            "CREATE UNIQUE INDEX \"u\" ON \"t\" (\"b\")"
        );
        assert_eq!(plan.statements[2].sql, "DROP INDEX CONCURRENTLY \"j\"");
        assert!(!plan.statements[2].transactional);
    }
}
