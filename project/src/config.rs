//! The typed configuration an `atlas.hcl` env resolves to.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use hcl::Value;
use serde::Serialize;

use crate::Location;

/// One resolved environment: what `--env NAME` selects. An env with `for_each` resolves to
/// one `EnvConfig` per item, each with its [`EnvInstance`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnvConfig {
    /// The env's name (its label, or the `name` attribute of an unlabeled env).
    pub name: String,
    /// The `for_each` item this config was computed for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<EnvInstance>,
    /// The `env` block.
    pub location: Location,
    /// `url`: the target database.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// `dev`: the dev database used to normalize and plan.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dev: Option<String>,
    /// `src` (a string or a list; also read from a `schema { src = … }` block): the desired
    /// schema's URLs.
    pub src: Vec<String>,
    /// `schemas`: the schemas the env manages; empty means what the URL selects.
    pub schemas: Vec<String>,
    /// `exclude`: glob patterns of objects to leave out of inspection.
    pub exclude: Vec<String>,
    /// The `migration` block.
    pub migration: MigrationConfig,
    /// The `diff` policy, with the top-level `diff` block applied.
    pub diff: DiffPolicy,
    /// The `lint` policy, with the top-level `lint` block applied.
    pub lint: LintPolicy,
    /// The `format` block (formerly `log`): output templates per command.
    pub format: FormatConfig,
    /// The `test` block: which test files `schema test` and `migrate test` run.
    pub test: TestConfig,
}

/// The `for_each` item an env instance was computed for (`each.key`, `each.value`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnvInstance {
    /// `each.key`: the map key, or the set element.
    pub key: String,
    /// `each.value`.
    pub value: Value,
}

/// Order in which `migrate apply` runs files (`migration { exec_order = … }`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExecOrder {
    /// Files strictly after the last applied version; unapplied older files are an error.
    #[default]
    Linear,
    /// Like `Linear`, but unapplied older files are skipped.
    LinearSkip,
    /// Unapplied older files are applied too.
    NonLinear,
}

impl ExecOrder {
    /// Reads Atlas's keyword (case-insensitive).
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_uppercase().as_str() {
            "LINEAR" => Some(ExecOrder::Linear),
            "LINEAR_SKIP" => Some(ExecOrder::LinearSkip),
            "NON_LINEAR" => Some(ExecOrder::NonLinear),
            _ => None,
        }
    }
}

/// The `migration` block of an env.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct MigrationConfig {
    /// `dir`: URL of the migration directory (`file://migrations`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dir: Option<String>,
    /// `format`: the directory's format; Mercator reads `atlas` directories only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// `exclude`: glob patterns of files to leave out of the directory.
    pub exclude: Vec<String>,
    /// `baseline`: the version an existing database starts its history from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
    /// `exec_order`.
    pub exec_order: ExecOrder,
    /// `lock_timeout` (Go duration syntax, `10s` by default in Atlas).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lock_timeout: Option<Duration>,
    /// `revisions_schema`: where `atlas_schema_revisions` lives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revisions_schema: Option<String>,
}

macro_rules! skip_changes {
    ($($variant:ident => $name:literal),* $(,)?) => {
        /// A kind of change `diff { skip { … } }` can leave out of plans (Atlas's list).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum SkipChange {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant,
            )*
        }

        impl SkipChange {
            /// Every kind, in Atlas's order.
            pub const ALL: &'static [SkipChange] = &[$(SkipChange::$variant),*];

            /// The attribute name in `skip { … }`.
            pub fn name(self) -> &'static str {
                match self {
                    $(SkipChange::$variant => $name,)*
                }
            }

            /// The kind an attribute name stands for.
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($name => Some(SkipChange::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

skip_changes! {
    AddSchema => "add_schema", DropSchema => "drop_schema", ModifySchema => "modify_schema",
    AddTable => "add_table", DropTable => "drop_table", ModifyTable => "modify_table",
    RenameTable => "rename_table", AddColumn => "add_column", DropColumn => "drop_column",
    ModifyColumn => "modify_column", AddIndex => "add_index", DropIndex => "drop_index",
    ModifyIndex => "modify_index", AddForeignKey => "add_foreign_key",
    DropForeignKey => "drop_foreign_key", ModifyForeignKey => "modify_foreign_key",
    AddView => "add_view", DropView => "drop_view", ModifyView => "modify_view",
    RenameView => "rename_view", AddFunc => "add_func", DropFunc => "drop_func",
    ModifyFunc => "modify_func", RenameFunc => "rename_func", AddProc => "add_proc",
    DropProc => "drop_proc", ModifyProc => "modify_proc", RenameProc => "rename_proc",
    AddTrigger => "add_trigger", DropTrigger => "drop_trigger",
    ModifyTrigger => "modify_trigger", RenameTrigger => "rename_trigger",
}

/// `diff { concurrent_index { create, drop } }`: build and drop PostgreSQL indexes
/// `CONCURRENTLY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ConcurrentIndex {
    /// `create`.
    pub create: bool,
    /// `drop`.
    pub drop: bool,
}

/// The `diff` policy.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct DiffPolicy {
    /// `skip { … }`: the kinds set to `true`. `None` when no `skip` block was written (so a
    /// top-level block applies).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip: Option<BTreeSet<SkipChange>>,
    /// `concurrent_index { … }`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concurrent_index: Option<ConcurrentIndex>,
}

impl DiffPolicy {
    /// Whether changes of that kind are left out.
    pub fn skips(&self, change: SkipChange) -> bool {
        self.skip.as_ref().is_some_and(|s| s.contains(&change))
    }

    /// The env's policy over the top-level one: each part the env does not set is taken
    /// from the top level. (Atlas inherits only `skip`; inheriting `concurrent_index` too is
    /// Mercator's choice, so one top-level block can switch it on everywhere.)
    pub fn extend(self, global: &DiffPolicy) -> DiffPolicy {
        DiffPolicy {
            skip: self.skip.or_else(|| global.skip.clone()),
            concurrent_index: self.concurrent_index.or(global.concurrent_index),
        }
    }
}

/// `lint { review = … }`: when a declarative apply asks for approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReviewPolicy {
    /// Always ask (Atlas's default).
    Always,
    /// Ask when any diagnostic was reported.
    Warning,
    /// Ask when an error-level diagnostic was reported.
    Error,
}

impl ReviewPolicy {
    /// Reads Atlas's keyword (case-insensitive).
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_uppercase().as_str() {
            "ALWAYS" => Some(ReviewPolicy::Always),
            "WARNING" => Some(ReviewPolicy::Warning),
            "ERROR" => Some(ReviewPolicy::Error),
            _ => None,
        }
    }
}

/// `lint { git { base, dir } }`: lint the files changed against a git branch.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct GitConfig {
    /// `base`: the branch to compare with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
    /// `dir`: the repository's working directory (`git -C`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dir: Option<String>,
}

/// One analyzer's block inside `lint`, e.g. `destructive { error = false }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct AnalyzerConfig {
    /// `error`: whether the analyzer's findings fail the run; `None` keeps its default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<bool>,
}

/// The analyzers whose block holds only `error`, by their Atlas names.
pub const ANALYZERS: &[&str] = &["destructive", "data_depend", "condrop", "incompatible"];

/// `lint { concurrent_index { … } }` (PostgreSQL, PG101–PG103).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ConcurrentIndexLint {
    /// `error`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<bool>,
    /// `check_create`: report indexes created without `CONCURRENTLY` (default true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check_create: Option<bool>,
    /// `check_drop`: report indexes dropped without `CONCURRENTLY` (default true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check_drop: Option<bool>,
    /// `check_txmode`: report concurrent index changes in a transactional file (default true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check_txmode: Option<bool>,
}

/// A naming rule: `match` (a regular expression, checked when read) and `message`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct NamingRule {
    /// `match`.
    #[serde(rename = "match", skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// `message`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// The object kinds a `naming` block can hold a rule for, as Atlas names the blocks.
pub const NAMING_KINDS: &[&str] = &["schema", "table", "column", "index", "foreign_key", "check"];

/// `lint { naming { … } }` (NM101–NM106).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct NamingLint {
    /// `error`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<bool>,
    /// `match` and `message` for every kind.
    pub all: NamingRule,
    /// Rules per kind (see [`NAMING_KINDS`]).
    pub kinds: BTreeMap<String, NamingRule>,
}

/// The `lint` policy.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct LintPolicy {
    /// `format` (formerly `log`): output template for `migrate lint`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// `latest`: lint the last N files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest: Option<u64>,
    /// `git { … }`.
    pub git: GitConfig,
    /// `review`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review: Option<ReviewPolicy>,
    /// Analyzer blocks holding only `error`, by name (see [`ANALYZERS`]).
    pub analyzers: BTreeMap<String, AnalyzerConfig>,
    /// `concurrent_index { … }`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concurrent_index: Option<ConcurrentIndexLint>,
    /// `naming { … }`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub naming: Option<NamingLint>,
    /// Where each attribute set in the block is written, by its dotted path inside `lint`
    /// (`latest`, `git.dir`, `destructive.error`, `naming.index.match`): for warnings about
    /// what a command does not use.
    #[serde(skip)]
    pub locations: BTreeMap<String, Location>,
}

impl LintPolicy {
    /// Whether any analyzer block is set.
    fn has_analyzers(&self) -> bool {
        !self.analyzers.is_empty() || self.concurrent_index.is_some() || self.naming.is_some()
    }

    /// The env's policy over the top-level one, as Atlas's `Lint.Extend`: `review` and
    /// `format` are inherited when unset; analyzer blocks are inherited as a whole when the
    /// env has none; the change detector (`git` or `latest`) is inherited unless the env
    /// sets `latest` or both `git` attributes.
    pub fn extend(mut self, global: &LintPolicy) -> LintPolicy {
        let inherit = |own: &mut BTreeMap<String, Location>, prefix: &str| {
            for (key, at) in &global.locations {
                if key == prefix || key.starts_with(&format!("{prefix}.")) {
                    own.entry(key.clone()).or_insert_with(|| at.clone());
                }
            }
        };
        if self.review.is_none() {
            self.review = global.review;
            inherit(&mut self.locations, "review");
        }
        if self.format.is_none() {
            self.format.clone_from(&global.format);
            inherit(&mut self.locations, "format");
        }
        if !self.has_analyzers() {
            self.analyzers.clone_from(&global.analyzers);
            self.concurrent_index = global.concurrent_index;
            self.naming.clone_from(&global.naming);
            for name in ANALYZERS.iter().chain(&["concurrent_index", "naming"]) {
                inherit(&mut self.locations, name);
            }
        }
        let env_detects =
            (self.git.dir.is_some() && self.git.base.is_some()) || self.latest.is_some();
        if !env_detects {
            if global.git.dir.is_some() || global.git.base.is_some() {
                if global.git.dir.is_some() {
                    self.git.dir.clone_from(&global.git.dir);
                    inherit(&mut self.locations, "git.dir");
                }
                if global.git.base.is_some() {
                    self.git.base.clone_from(&global.git.base);
                    inherit(&mut self.locations, "git.base");
                }
            } else if global.latest.is_some() {
                self.latest = global.latest;
                inherit(&mut self.locations, "latest");
            }
        }
        self
    }

    /// Whether the analyzer's findings fail the run, given its built-in default.
    pub fn analyzer_errors(&self, analyzer: &str, default: bool) -> bool {
        let error = match analyzer {
            "concurrent_index" => self.concurrent_index.and_then(|c| c.error),
            "naming" => self.naming.as_ref().and_then(|n| n.error),
            _ => self.analyzers.get(analyzer).and_then(|a| a.error),
        };
        error.unwrap_or(default)
    }

    /// Whether the block sets anything.
    pub fn is_empty(&self) -> bool {
        *self == LintPolicy::default()
    }
}

/// `format { migrate { … } }`: output templates of `migrate` commands.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct MigrateFormats {
    /// `apply`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub apply: Option<String>,
    /// `down`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub down: Option<String>,
    /// `diff`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
    /// `lint`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lint: Option<String>,
    /// `status`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// `format { schema { … } }`: output templates of `schema` commands.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct SchemaFormats {
    /// `apply`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub apply: Option<String>,
    /// `diff`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
    /// `inspect`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inspect: Option<String>,
    /// `clean`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clean: Option<String>,
    /// `push`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub push: Option<String>,
}

/// The `format` block of an env.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct FormatConfig {
    /// `migrate { … }`.
    pub migrate: MigrateFormats,
    /// `schema { … }`.
    pub schema: SchemaFormats,
}

/// `test { schema { … } }` or `test { migrate { … } }`: the test files of one command.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct TestSuiteConfig {
    /// `src`: test file paths or directories.
    pub src: Vec<String>,
    /// `vars`: values for the test files' variables.
    pub vars: BTreeMap<String, Value>,
}

/// The `test` block of an env (or the top level).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct TestConfig {
    /// For `schema test`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<TestSuiteConfig>,
    /// For `migrate test`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub migrate: Option<TestSuiteConfig>,
}

impl TestConfig {
    /// The env's block, or the top-level one when the env has none (as Atlas).
    pub fn extend(self, global: &TestConfig) -> TestConfig {
        if self.schema.is_none() && self.migrate.is_none() {
            global.clone()
        } else {
            self
        }
    }
}

/// Parses a Go duration (`10s`, `1m30s`, `250ms`, `1.5h`).
pub fn parse_go_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    if s == "0" {
        return Some(Duration::ZERO);
    }
    let mut rest = s;
    let mut total = 0f64;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if digits == 0 {
            return None;
        }
        let number: f64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let seconds = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total += number * seconds;
    }
    Some(Duration::from_secs_f64(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        assert_eq!(parse_go_duration("10s"), Some(Duration::from_secs(10)));
        assert_eq!(parse_go_duration("1m30s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_go_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_go_duration("1.5h"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_go_duration("10"), None);
        assert_eq!(parse_go_duration("s"), None);
        assert_eq!(parse_go_duration("5 minutes"), None);
    }

    #[test]
    fn lint_extend_follows_atlas() {
        let global = LintPolicy {
            review: Some(ReviewPolicy::Error),
            latest: Some(3),
            analyzers: [(
                "destructive".to_owned(),
                AnalyzerConfig { error: Some(false) },
            )]
            .into(),
            ..LintPolicy::default()
        };
        let env = LintPolicy {
            git: GitConfig {
                base: Some("main".into()),
                dir: None,
            },
            ..LintPolicy::default()
        };
        let merged = env.extend(&global);
        assert_eq!(merged.review, Some(ReviewPolicy::Error));
        // Only one git attribute set: the global detector (latest) applies.
        assert_eq!(merged.latest, Some(3));
        assert!(!merged.analyzer_errors("destructive", true));

        let own = LintPolicy {
            latest: Some(1),
            ..LintPolicy::default()
        }
        .extend(&global);
        assert_eq!(own.latest, Some(1));
    }
}
