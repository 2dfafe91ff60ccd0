//! Safety analysis wired to databases: `migrate lint` over a migration directory, the
//! review gate of declarative applies, pre-flight data checks, table sizes from the
//! catalog and whole-schema rules (`schema lint`). The analyzers themselves are
//! `schema-lint`'s.
//!
//! [`MigrateLint`] replays the files before the linted ones on a dev database (or restores
//! their schema from a [`StateCache`]), then runs each statement of the linted files and
//! inspects after it, so every change carries its file and line, renames are renames and
//! `CONCURRENTLY` is seen.

mod cache;
mod changes;
mod error;
mod gate;
mod preflight;
mod rebuild;
mod schema;
mod scoped;
mod select;
mod sizes;
mod workspace;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mercator_migrate_dir::{MigrationDir, MigrationFile};
use schema_lint::{Analyzer, ChangeSet, LintConfig, Linter, Report};
use schema_model::{DialectKind, Realm};

pub use cache::StateCache;
use cache::snapshot_key;
pub use error::LintError;
pub use gate::{Review, ReviewSettings, SharedAnalyzer, reviewed_linter};
pub use preflight::{PreflightFailure, run_preflight};
pub use schema::{SchemaLintReport, schema_lint};
pub use select::LintSelection;
pub use sizes::table_sizes;

use workspace::{SnapshotWish, Workspace};

use crate::VersionedError;
use crate::open::dialect_of;

/// How the state before the linted files was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheUse {
    /// No cache was configured.
    Disabled,
    /// Nothing usable was cached: the prefix was replayed (and cached).
    Miss,
    /// The state after the first `files` files was restored from the cache; only the files
    /// after them were replayed.
    Hit {
        /// Files whose replay the cache saved.
        files: usize,
    },
}

/// What [`MigrateLint::run`] found, with timings.
#[derive(Debug, Clone)]
pub struct LintOutcome {
    /// The findings; [`Report::has_errors`] decides the exit status.
    pub report: Report,
    /// Files before the linted ones (their state was replayed or restored).
    pub prefix_files: usize,
    /// Files actually replayed statement by statement.
    pub replayed_files: usize,
    /// Whether the cache helped.
    pub cache: CacheUse,
    /// Whether the run worked in a saved dev-state snapshot itself, lent inside one
    /// transaction that was rolled back after (no copy made; PostgreSQL, when every linted
    /// statement can run in a transaction). Bound to a schema, a run that makes the
    /// snapshot also borrows it for the linted files.
    pub borrowed: bool,
    /// Time to reach the state before the linted files (replay or restore).
    pub replay_time: Duration,
    /// Time to run, inspect and analyze the linted files.
    pub analysis_time: Duration,
}

/// Lints migration files (Atlas's `migrate lint`).
///
/// ```
/// use mercator_migrate::dir::{MigrationDir, MigrationFile};
/// use mercator_migrate::lint::{LintSelection, MigrateLint};
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let mut dir = MigrationDir::default();
/// dir.add_file(MigrationFile::new("1_t.sql", "CREATE TABLE t1 (id int);\n"))?;
/// dir.add_file(MigrationFile::new("2_drop.sql", "DROP TABLE t1;\n"))?;
/// let outcome = MigrateLint::builder(dir)
///     .selection(LintSelection::Latest(1))
///     .no_cache()
///     .build()?
///     .run()
///     .await?;
/// assert_eq!(outcome.report.diagnostics[0].code, "DS102");
/// assert_eq!(outcome.report.diagnostics[0].line, Some(1));
/// assert!(outcome.report.has_errors());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
pub struct MigrateLint {
    dir: MigrationDir,
    dev_url: Option<String>,
    selection: LintSelection,
    config: LintConfig,
    analyzers: Vec<Arc<dyn Analyzer>>,
    cache: Option<StateCache>,
    dir_label: Option<String>,
    one_unit: bool,
    schema_label: Option<String>,
    verify_scoped_reads: bool,
}

/// Settings for [`MigrateLint`]; see [`MigrateLint::builder`].
pub struct MigrateLintBuilder {
    lint: MigrateLint,
    selection_set: bool,
}

impl MigrateLint {
    /// Starts configuring a run over `dir`. The cache defaults to
    /// [`StateCache::default_dir`].
    pub fn builder(dir: impl Into<MigrationDir>) -> MigrateLintBuilder {
        MigrateLintBuilder {
            lint: MigrateLint {
                dir: dir.into(),
                dev_url: None,
                selection: LintSelection::All,
                config: LintConfig::default(),
                analyzers: Vec::new(),
                cache: StateCache::default_dir().map(StateCache::new),
                dir_label: None,
                one_unit: false,
                schema_label: None,
                verify_scoped_reads: false,
            },
            selection_set: false,
        }
    }
}

impl MigrateLintBuilder {
    /// The dev database (required for PostgreSQL and MySQL; SQLite uses a private
    /// in-memory database without it).
    pub fn dev_url(mut self, url: impl Into<String>) -> Self {
        self.lint.dev_url = Some(url.into());
        self
    }

    /// Which files to lint (required: [`LintSelection::All`] lints every file).
    pub fn selection(mut self, selection: LintSelection) -> Self {
        self.lint.selection = selection;
        self.selection_set = true;
        self
    }

    /// Analyzer settings (`lint { … }` of `atlas.hcl`).
    pub fn config(mut self, config: LintConfig) -> Self {
        self.lint.config = config;
        self
    }

    /// Registers an analyzer of the application's own.
    pub fn analyzer(mut self, analyzer: impl Analyzer + 'static) -> Self {
        self.lint.analyzers.push(Arc::new(analyzer));
        self
    }

    /// Caches dev states in `dir`.
    pub fn cache_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.lint.cache = Some(StateCache::new(dir));
        self
    }

    /// Replays the whole prefix every time.
    pub fn no_cache(mut self) -> Self {
        self.lint.cache = None;
        self
    }

    /// How reports name the directory (default: its path as opened).
    pub fn dir_label(mut self, label: impl Into<String>) -> Self {
        self.lint.dir_label = Some(label.into());
        self
    }

    /// Analyzes the selected files as one unit, as `migrate apply` runs them: what any of
    /// them creates counts as new (holds no rows) for every later statement, and each
    /// file's file-level `nolint` applies to its own statements. Findings are reported
    /// under the first selected file's name.
    pub fn one_unit(mut self) -> Self {
        self.lint.one_unit = true;
        self
    }

    /// The schema name findings (and their pre-flight queries) use for the dev database's
    /// schema (default: the dev URL's). Set it to the target's schema when the queries are
    /// to run there: on MySQL the dev database and the target have different names.
    pub fn schema_label(mut self, schema: impl Into<String>) -> Self {
        self.lint.schema_label = Some(schema.into());
        self
    }

    /// After every statement read narrowly (only the tables it touched), also reads the
    /// whole schema and fails with [`LintError::ScopedRead`] when the two differ. Slower;
    /// meant for testing drivers, including drivers of your own, against your migrations.
    pub fn verify_scoped_reads(mut self) -> Self {
        self.lint.verify_scoped_reads = true;
        self
    }

    /// Checks the settings and the directory against its `atlas.sum`.
    pub fn build(self) -> Result<MigrateLint, LintError> {
        if !self.selection_set {
            return Err(LintError::NoSelection);
        }
        self.lint.dir.validate().map_err(VersionedError::from)?;
        // Misspelled analyzer names fail before any database work.
        self.lint.linter(None)?;
        Ok(self.lint)
    }
}

impl MigrateLint {
    fn linter(&self, dialect: Option<DialectKind>) -> Result<Linter, LintError> {
        let mut linter = Linter::from_config(&self.config)?;
        for analyzer in &self.analyzers {
            linter = linter.with_analyzer(SharedAnalyzer(analyzer.clone()));
        }
        linter.validate()?;
        if let Some(dialect) = dialect {
            linter = linter.dialect(dialect);
        }
        Ok(linter)
    }

    /// Replays (or restores) the files before the selection, runs the selected files
    /// statement by statement and analyzes their changes.
    pub async fn run(&self) -> Result<LintOutcome, LintError> {
        let kind = match &self.dev_url {
            Some(url) => dialect_of(url)?,
            None => DialectKind::Sqlite,
        };
        let files = self.dir.files();
        let first = self.selection.first(files, self.dir.path())?;
        let sums = self.dir.compute_sum();
        let start = checkpoint_start(&files[..first])?;
        // Snapshots of the prefix states, longest prefix first.
        let wanted: Vec<(usize, String)> = match &self.cache {
            Some(_) => (start + 1..=first)
                .rev()
                .filter_map(|covered| {
                    let sum = sums.hash_of(files[covered - 1].name())?;
                    Some((covered, snapshot_key(kind, sum)))
                })
                .collect(),
            None => Vec::new(),
        };
        let keys: Vec<String> = wanted.iter().map(|(_, k)| k.clone()).collect();
        let store = self.cache.as_ref().map(StateCache::snapshot_dir);
        // Linting the files after an exact snapshot needs no copy of it when every
        // statement can be rolled back: the run borrows the snapshot itself.
        let mut borrow = rolls_back(&files[first..], kind);
        loop {
            let started = Instant::now();
            let wish = store.as_deref().map(|store| SnapshotWish {
                store,
                keys: &keys,
                borrow_best: borrow,
            });
            let (mut space, restored) = Workspace::open(
                self.dev_url.as_deref(),
                kind,
                wish,
                self.schema_label.as_deref(),
            )
            .await?;
            let restored = restored.map(|i| wanted[i].0);
            let outcome = self
                .run_in(&mut space, kind, files, first, start, restored, started)
                .await;
            // Asked after the run: a space can become a lent snapshot during it.
            let borrowed = space.is_borrowed();
            // The run's own error matters more than a failure to clean up.
            let closed = space.close().await;
            match outcome {
                // A statement the transaction refused runs on a copy, as it would in a
                // migration of its own.
                Err(LintError::Statement { source, .. })
                    if borrowed && source.is_refused_in_transaction() =>
                {
                    closed?;
                    borrow = false;
                }
                outcome => {
                    let outcome = outcome?;
                    closed?;
                    return Ok(outcome);
                }
            }
        }
    }

    /// Drops the dev-state snapshots this run's dev database keeps (on its server, or in
    /// the cache directory); returns how many went. The schema models in the cache stay.
    pub async fn drop_snapshots(&self) -> Result<usize, LintError> {
        let Some(cache) = &self.cache else {
            return Ok(0);
        };
        let kind = match &self.dev_url {
            Some(url) => dialect_of(url)?,
            None => DialectKind::Sqlite,
        };
        let dev = match crate::dev::Dev::choose(self.dev_url.as_deref(), kind).await? {
            crate::dev::Dev::Url(dev) => dev,
            crate::dev::Dev::Scratch { open, .. } => open()?,
        };
        let dropped = dev.drop_snapshots(&cache.snapshot_dir()).await;
        let closed = dev.close().await;
        let dropped = dropped?;
        closed?;
        Ok(dropped)
    }

    #[allow(clippy::too_many_arguments)]
    async fn run_in(
        &self,
        space: &mut Workspace,
        kind: DialectKind,
        files: &[MigrationFile],
        first: usize,
        start: usize,
        restored: Option<usize>,
        started: Instant,
    ) -> Result<LintOutcome, LintError> {
        let sums = self.dir.compute_sum();
        let sum_of = |file: &MigrationFile| sums.hash_of(file.name()).map(str::to_owned);
        let (before, cache, replayed) = match restored {
            Some(covered) => {
                self.restored_prefix_state(space, kind, &files[..first], start, covered, &sum_of)
                    .await?
            }
            None => {
                let reached = self
                    .prefix_state(space, kind, &files[..first], start, &sum_of)
                    .await?;
                self.snapshot(space, kind, &files[..first], &sum_of).await?;
                reached
            }
        };
        let replay_time = started.elapsed();

        let analysis_started = Instant::now();
        let mut state = before.clone();
        let mut linted = Vec::new();
        let mut durations = Vec::new();
        for file in &files[first..] {
            let t = Instant::now();
            linted.push(
                changes::analyze_file(file, &*space, &mut state, self.verify_scoped_reads).await?,
            );
            durations.push(t.elapsed());
        }
        // The state after the linted files is the next run's prefix: cache it too.
        if let (Some(store), Some(last)) = (&self.cache, files[first..].last())
            && let Some(sum) = sum_of(last)
        {
            store.store(kind, space.label(), last.name(), &sum, &state);
        }
        if self.one_unit && linted.len() > 1 {
            linted = vec![merged(linted)];
            durations = vec![durations.iter().sum()];
        }
        let mut set = ChangeSet::new(linted);
        if first > 0 {
            set = set.with_base_version(files[first - 1].version());
        }
        if let Some(label) = self
            .dir_label
            .clone()
            .or_else(|| self.dir.path().map(|p| p.display().to_string()))
        {
            set = set.with_dir(label);
        }
        let linter = self.linter(Some(kind))?;
        let mut report = linter.run(&set, Some(&before));
        for (i, d) in durations.into_iter().enumerate() {
            report.set_duration(i, d);
        }
        Ok(LintOutcome {
            report,
            prefix_files: first,
            replayed_files: replayed,
            cache,
            borrowed: space.is_borrowed(),
            replay_time,
            analysis_time: analysis_started.elapsed(),
        })
    }

    /// The schema after `prefix` on a space copied from the snapshot of its first
    /// `covered` files: the files after them are replayed (and the longer prefix
    /// snapshotted for the next run).
    async fn restored_prefix_state(
        &self,
        space: &mut Workspace,
        kind: DialectKind,
        prefix: &[MigrationFile],
        start: usize,
        covered: usize,
        sum_of: &impl Fn(&MigrationFile) -> Option<String>,
    ) -> Result<(Realm, CacheUse, usize), LintError> {
        let label = space.label().map(str::to_owned);
        let stored = match (&self.cache, sum_of(&prefix[covered - 1])) {
            (Some(store), Some(sum)) if covered == prefix.len() => {
                store.load(kind, label.as_deref(), &sum)
            }
            _ => None,
        };
        changes::replay(&prefix[covered..], space.driver()).await?;
        let state = match stored {
            Some(state) => state,
            None => {
                let state = space.inspect().await?;
                self.remember(kind, label.as_deref(), prefix, sum_of, &state);
                state
            }
        };
        if covered < prefix.len() {
            self.snapshot(space, kind, prefix, sum_of).await?;
        }
        Ok((
            state,
            CacheUse::Hit {
                files: covered - start,
            },
            prefix.len() - covered,
        ))
    }

    /// Saves the space, holding the state after `prefix`, as that prefix's snapshot.
    async fn snapshot(
        &self,
        space: &mut Workspace,
        kind: DialectKind,
        prefix: &[MigrationFile],
        sum_of: &impl Fn(&MigrationFile) -> Option<String>,
    ) -> Result<(), LintError> {
        if let (Some(store), Some(last)) = (&self.cache, prefix.last())
            && let Some(sum) = sum_of(last)
        {
            space
                .save_snapshot(&snapshot_key(kind, &sum), &store.snapshot_dir())
                .await?;
        }
        Ok(())
    }

    /// The schema after `prefix`, on the space: restored from the longest cached prefix
    /// (then only the files after it replayed), else replayed from the last checkpoint.
    async fn prefix_state(
        &self,
        space: &Workspace,
        kind: DialectKind,
        prefix: &[MigrationFile],
        start: usize,
        sum_of: &impl Fn(&MigrationFile) -> Option<String>,
    ) -> Result<(Realm, CacheUse, usize), LintError> {
        let label = space.label().map(str::to_owned);
        let mut cache_use = match &self.cache {
            Some(_) => CacheUse::Miss,
            None => CacheUse::Disabled,
        };
        if let Some(store) = &self.cache {
            // Longest cached prefix first; a checkpoint resets history, so nothing before
            // it can be a starting point.
            for covered in (start + 1..=prefix.len()).rev() {
                let Some(sum) = sum_of(&prefix[covered - 1]) else {
                    continue;
                };
                let Some(realm) = store.load(kind, label.as_deref(), &sum) else {
                    continue;
                };
                match cache::restore(space, &realm).await? {
                    Some(restored) => {
                        changes::replay(&prefix[covered..], space.driver()).await?;
                        let state = if covered == prefix.len() {
                            restored
                        } else {
                            let state = space.inspect().await?;
                            self.remember(kind, label.as_deref(), prefix, sum_of, &state);
                            state
                        };
                        return Ok((
                            state,
                            CacheUse::Hit {
                                files: covered - start,
                            },
                            prefix.len() - covered,
                        ));
                    }
                    None => {
                        tracing::warn!(
                            file = prefix[covered - 1].name(),
                            "cached lint state does not restore exactly; replaying instead"
                        );
                        store.remove(kind, label.as_deref(), &sum);
                        space.reset().await?;
                        cache_use = CacheUse::Miss;
                        break;
                    }
                }
            }
        }
        changes::replay(&prefix[start..], space.driver()).await?;
        let state = space.inspect().await?;
        self.remember(kind, label.as_deref(), prefix, sum_of, &state);
        Ok((state, cache_use, prefix.len() - start))
    }

    /// Caches the state after `prefix` (when it has files and a sum entry).
    fn remember(
        &self,
        kind: DialectKind,
        label: Option<&str>,
        prefix: &[MigrationFile],
        sum_of: &impl Fn(&MigrationFile) -> Option<String>,
        state: &Realm,
    ) {
        if let (Some(store), Some(last)) = (&self.cache, prefix.last())
            && let Some(sum) = sum_of(last)
        {
            store.store(kind, label, last.name(), &sum, state);
        }
    }
}

/// Whether every statement of `files` can run inside one transaction that is rolled back
/// after: none controls the transaction itself, and no file asks to run outside one.
fn rolls_back(files: &[MigrationFile], kind: DialectKind) -> bool {
    files.iter().all(|file| {
        file.parse(kind).is_ok_and(|parsed| {
            parsed.directives.txmode != Some(mercator_migrate_dir::TxMode::None)
                && parsed
                    .statements
                    .iter()
                    .all(|s| !sqlimport::controls_transaction(&s.text, kind))
        })
    })
}

/// The index of the last file of `prefix` carrying a checkpoint directive (0 without
/// one): history before it is not replayed.
fn checkpoint_start(prefix: &[MigrationFile]) -> Result<usize, LintError> {
    let mut start = 0;
    for (i, file) in prefix.iter().enumerate() {
        if file
            .directives()
            .map_err(VersionedError::from)?
            .checkpoint
            .is_some()
        {
            start = i;
        }
    }
    Ok(start)
}

/// The files as one: statements in order, each carrying its file's file-level
/// suppressions.
fn merged(files: Vec<schema_lint::MigrationFile>) -> schema_lint::MigrationFile {
    let mut files = files.into_iter();
    let Some(mut unit) = files.next() else {
        return schema_lint::MigrationFile::new("");
    };
    unit.statements = std::mem::take(&mut unit.statements)
        .into_iter()
        .map(|s| {
            unit.suppressions
                .iter()
                .cloned()
                .fold(s, |s, n| s.suppress(n))
        })
        .collect();
    unit.suppressions.clear();
    for file in files {
        unit.txmode_none &= file.txmode_none;
        for statement in file.statements {
            unit.statements.push(
                file.suppressions
                    .iter()
                    .cloned()
                    .fold(statement, |s, n| s.suppress(n)),
            );
        }
    }
    unit
}
