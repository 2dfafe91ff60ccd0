//! `atlas.hcl` policies turned into settings: `diff { skip { … } }` into [`DiffOptions`],
//! `diff { concurrent_index { … } }` into [`ConcurrentIndexes`], and the analyzer blocks and
//! `review` of `lint { … }` into a [`LintConfig`] ([`lint_config`]).
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

use mercator_project::{DiffPolicy, LintPolicy, NamingRule, SkipChange};
pub use schema_diff::DiffOptions;
use schema_diff::{ObjectKind, Plan, PlanOptions};
use schema_lint::{AnalyzerSettings, LintConfig, NamePattern, NamingConfig, ReviewPolicy};

/// A `lint` attribute Mercator reads but cannot act on, for the caller to warn about at
/// [`LintPolicy::locations`]`[path]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsupportedLint {
    /// The attribute's dotted path inside `lint` (`concurrent_index.check_txmode`).
    pub path: String,
    /// Why it is not acted on.
    pub reason: &'static str,
}

/// The analyzer settings and review policy of a `lint` block, and the attributes Mercator
/// cannot honour. `latest`, `git` and `format` choose files and output, not analysis: they
/// are the caller's (`migrate lint`'s flags).
///
/// ```
/// use mercator_migrate::project::lint_config;
/// use mercator_project::{AnalyzerConfig, ConcurrentIndexLint, LintPolicy, ReviewPolicy};
///
/// let mut policy = LintPolicy::default();
/// policy.analyzers.insert("destructive".into(), AnalyzerConfig { error: Some(false) });
/// policy.review = Some(ReviewPolicy::Always);
/// policy.concurrent_index = Some(ConcurrentIndexLint { check_txmode: Some(false), ..Default::default() });
/// let (config, unsupported) = lint_config(&policy);
/// assert_eq!(config.settings("destructive").error, Some(false));
/// assert_eq!(config.review, Some(schema_lint::ReviewPolicy::Always));
/// // `check_txmode = false` switches off the code that check reports.
/// assert!(config.skip_codes.contains("PG103"));
/// assert!(unsupported.is_empty());
/// ```
pub fn lint_config(policy: &LintPolicy) -> (LintConfig, Vec<UnsupportedLint>) {
    let mut config = LintConfig::default();
    let mut unsupported = Vec::new();
    for (name, analyzer) in &policy.analyzers {
        let settings = Some(AnalyzerSettings {
            error: analyzer.error,
            enabled: None,
        });
        match name.as_str() {
            "destructive" => config.destructive = settings,
            "data_depend" => config.data_depend = settings,
            "incompatible" => config.incompatible = settings,
            "condrop" => config.condrop = settings,
            _ => unsupported.push(UnsupportedLint {
                path: name.clone(),
                reason: "Mercator has no analyzer of that name",
            }),
        }
    }
    if let Some(ci) = &policy.concurrent_index {
        config.concurrent_index = Some(AnalyzerSettings {
            error: ci.error,
            enabled: None,
        });
        // Each switch turns off the one code Atlas gives that check.
        for (code, on) in [
            ("PG101", ci.check_create),
            ("PG102", ci.check_drop),
            ("PG103", ci.check_txmode),
        ] {
            if on == Some(false) {
                config.skip_codes.insert(code.to_owned());
            }
        }
    }
    if let Some(naming) = &policy.naming {
        let rule = |kind: &str| {
            naming.kinds.get(kind).map(|r: &NamingRule| NamePattern {
                pattern: r.pattern.clone(),
                message: r.message.clone(),
            })
        };
        config.naming = Some(NamingConfig {
            error: naming.error,
            enabled: None,
            pattern: naming.all.pattern.clone(),
            message: naming.all.message.clone(),
            schema: rule("schema"),
            table: rule("table"),
            column: rule("column"),
            index: rule("index"),
            foreign_key: rule("foreign_key"),
            check: rule("check"),
        });
    }
    config.review = policy.review.map(|review| match review {
        mercator_project::ReviewPolicy::Always => ReviewPolicy::Always,
        mercator_project::ReviewPolicy::Warning => ReviewPolicy::Warning,
        mercator_project::ReviewPolicy::Error => ReviewPolicy::Error,
    });
    (config, unsupported)
}

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
