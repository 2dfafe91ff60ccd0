//! Spreading statements over a random project, to test that ordering recovers an executable
//! order however a schema is split across files.
//!
//! [`scatter`] shuffles the statements, deals them out to files, and joins the files with a
//! random acyclic graph of `-- atlas:import` directives in which every file is reachable from
//! `main.sql`: some files live in subdirectories and are imported as a directory (`dir/`), the
//! same file may be imported under different spellings (`x.sql`, `./x.sql`, `../d0/x.sql`), and
//! files holding `;` inside statements may switch to a custom delimiter (`-- atlas:delimiter`
//! or the mysql client's `DELIMITER`). The same seed always writes the same project.
//!
//! This module is a test utility behind the non-default cargo feature `scatter`.
//!
//! ```
//! use std::path::Path;
//! use sqlimport::{DialectKind, load, scatter::scatter, split};
//!
//! let statements = split(
//!     "CREATE TABLE a (id int); CREATE VIEW v AS SELECT * FROM a; CREATE INDEX i ON a (id);",
//!     Path::new("schema.sql"),
//!     DialectKind::Sqlite,
//! )?;
//! let dir = std::env::temp_dir().join(format!("sqlimport-scatter-doc-{}", std::process::id()));
//! # let _ = std::fs::remove_dir_all(&dir);
//! let root = scatter(&statements, 7, 3, &dir).expect("writes files");
//! let project = load(&root, DialectKind::Sqlite)?;
//! assert_eq!(project.statements.len(), 3);
//! assert!(project.statements[0].sql.starts_with("CREATE TABLE a"));
//! # std::fs::remove_dir_all(&dir).expect("cleans up");
//! # Ok::<(), sqlimport::ImportError>(())
//! ```

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng as _, SeedableRng};

use crate::Statement;

/// The random choices of one project. A seeded [`StdRng`] gives the same project for the same
/// seed with the same version of `rand`, which is what reproducing a failed test needs.
struct Rng(StdRng);

impl Rng {
    /// A number in `0..n` (`0` when `n` is `0`).
    fn below(&mut self, n: usize) -> usize {
        self.0.random_range(0..n.max(1))
    }

    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }
}

/// Where one generated file lives: in the root or in directory `d<k>`.
struct Slot {
    dir: Option<usize>,
    name: String,
    imports: Vec<String>,
    statements: Vec<String>,
}

impl Slot {
    fn path(&self) -> PathBuf {
        match self.dir {
            Some(d) => PathBuf::from(format!("d{d}")).join(&self.name),
            None => PathBuf::from(&self.name),
        }
    }
}

/// Writes `statements` in random order across `files` files under `dir` (created if missing,
/// and expected to be empty) joined by a random acyclic import graph, and returns the path of
/// the root file, `dir/main.sql`.
///
/// # Errors
///
/// Any I/O error, or [`io::ErrorKind::AlreadyExists`] if `dir` is not empty (stale files would
/// join the project through directory imports).
pub fn scatter(
    statements: &[Statement],
    seed: u64,
    files: usize,
    dir: &Path,
) -> io::Result<PathBuf> {
    fs::create_dir_all(dir)?;
    if fs::read_dir(dir)?.next().is_some() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} is not empty", dir.display()),
        ));
    }
    let mut rng = Rng(StdRng::seed_from_u64(seed));
    let mut slots = layout(&mut rng, files.max(1));
    link(&mut rng, &mut slots);
    let mut order: Vec<&Statement> = statements.iter().collect();
    order.shuffle(&mut rng.0);
    for statement in order {
        let at = rng.below(slots.len());
        slots[at].statements.push(statement.sql.clone());
    }
    for slot in &slots {
        let path = dir.join(slot.path());
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(path, render(&mut rng, slot))?;
    }
    Ok(dir.join("main.sql"))
}

/// `main.sql` and `count - 1` more files, some of them grouped in directories.
fn layout(rng: &mut Rng, count: usize) -> Vec<Slot> {
    let dirs = rng.below(count / 3 + 1);
    (0..count)
        .map(|i| Slot {
            dir: (i > 0 && dirs > 0 && rng.one_in(2)).then(|| rng.below(dirs)),
            name: if i == 0 {
                "main.sql".to_string()
            } else {
                format!("f{:04}_{i:04}.sql", rng.below(10_000))
            },
            imports: Vec::new(),
            statements: Vec::new(),
        })
        .collect()
}

/// Adds imports: every file gets a parent earlier in the list (sometimes through an import of
/// its whole directory), plus a few extra imports of later files. Imports only point to later
/// files, so there is no cycle, and by induction every file is reachable from `main.sql`.
fn link(rng: &mut Rng, slots: &mut [Slot]) {
    let n = slots.len();
    let mut dirs_imported = Vec::new();
    for i in 1..n {
        let parent = rng.below(i);
        if let Some(d) = slots[i].dir {
            // The first file of a directory: every other file of it comes later.
            let first = slots[..i].iter().all(|s| s.dir != Some(d));
            if first && rng.one_in(2) {
                let path = relative(slots[parent].dir, Some(d), "", rng);
                slots[parent].imports.push(path);
                dirs_imported.push(d);
            }
        }
        let reached = slots[i].dir.is_some_and(|d| dirs_imported.contains(&d));
        if !reached || rng.one_in(3) {
            let path = relative(slots[parent].dir, slots[i].dir, &slots[i].name, rng);
            slots[parent].imports.push(path);
        }
        if i + 1 < n && rng.one_in(3) {
            let extra = i + 1 + rng.below(n - i - 1);
            let path = relative(slots[i].dir, slots[extra].dir, &slots[extra].name, rng);
            slots[i].imports.push(path);
        }
    }
}

/// A path from a file in `from` to `name` in `to` (a directory import when `name` is empty),
/// in one of its equivalent spellings.
fn relative(from: Option<usize>, to: Option<usize>, name: &str, rng: &mut Rng) -> String {
    let dir = |d: usize| format!("d{d}/");
    let target = match to {
        Some(d) => format!("{}{name}", dir(d)),
        None => name.to_string(),
    };
    match (from, to) {
        (None, _) if rng.one_in(2) => format!("./{target}"),
        (None, _) => target,
        (Some(f), Some(t)) if f == t && !name.is_empty() && rng.one_in(2) => name.to_string(),
        (Some(_), _) => format!("../{target}"),
    }
}

/// The text of one file: import directives, then the statements with a delimiter that none of
/// them contains.
fn render(rng: &mut Rng, slot: &Slot) -> String {
    let mut out = String::new();
    let needs_custom = slot.statements.iter().any(|s| s.contains(';'));
    let custom = ["//", "$$", "@@", ";;"]
        .into_iter()
        .find(|d| slot.statements.iter().all(|s| !s.contains(d)));
    // 0: `;` (the splitter must see through bodies), 1: `atlas:delimiter`, 2: `DELIMITER`.
    let (style, delimiter) = match custom {
        Some(d) if needs_custom || rng.one_in(4) => match rng.below(3) {
            0 => (0, ";"),
            style => (style, d),
        },
        _ => (0, ";"),
    };
    if style == 1 {
        let _ = writeln!(out, "-- atlas:delimiter {delimiter}");
    }
    for import in &slot.imports {
        let _ = writeln!(out, "-- atlas:import {import}");
    }
    out.push('\n');
    if style == 2 {
        let _ = writeln!(out, "DELIMITER {delimiter}");
    }
    for statement in &slot.statements {
        let _ = write!(out, "{statement}{delimiter}\n\n");
    }
    if style == 2 {
        out.push_str("DELIMITER ;\n");
    }
    out
}
