//! The errors a project can fail to load with.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::Location;

/// Why a SQL project could not be loaded, split or ordered.
///
/// Every variant names where the problem is: a file and, where there is one, a line. Paths are
/// shown relative to the root being loaded (the directory given to [`load`](crate::load), or the
/// directory holding the file given to it).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// Files import each other in a circle. `chain` lists each file of the circle with the line of
    /// its import directive, starting and (implicitly) ending with the same file; it is displayed
    /// as `import cycle: a.sql:1 → b.sql:2 → a.sql`.
    #[error("import cycle: {}", CycleChain(chain))]
    Cycle {
        /// The files of the circle, each with the line of the directive importing the next one.
        chain: Vec<(PathBuf, usize)>,
    },
    /// An `atlas:import` directive names a file or directory that does not exist.
    #[error("{at}: imported file not found: {}", target.display())]
    MissingImport {
        /// The directive's file and line.
        at: Location,
        /// The missing target, relative to the root being loaded.
        target: PathBuf,
    },
    /// A file or directory exists (or is named) but cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Unreadable {
        /// The path that could not be read.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// The statement scanner cannot make sense of the text: an unterminated string, quoted
    /// identifier, dollar-quoted body or block comment, or a statement that is not SQL at all.
    #[error("{at}: {message}")]
    Unscannable {
        /// Where the offending text starts.
        at: Location,
        /// What is wrong.
        message: String,
    },
    /// A `-- mercator:renamed-from` directive is malformed or not attached to a table or
    /// column definition.
    #[error("{at}: {message}")]
    RenameDirective {
        /// The directive's file and line.
        at: Location,
        /// What is wrong.
        message: String,
    },
    /// A file named like a `.sql` file is a named pipe, a device or a socket, which could
    /// block or never end; only regular files are read.
    #[error("{}not a regular file: {} is a {kind}", AtPrefix(at), path.display())]
    NotAFile {
        /// The offending path, relative to the root being loaded.
        path: PathBuf,
        /// The import directive naming it (or the directory holding it), if imported.
        at: Option<Location>,
        /// What it is instead: `named pipe`, `character device`, …
        kind: &'static str,
    },
    /// A file is larger than [`LoadOptions::max_file_size`](crate::LoadOptions::max_file_size).
    #[error("{}{} is larger than the limit of {limit} bytes", AtPrefix(at), path.display())]
    TooLarge {
        /// The offending path, relative to the root being loaded.
        path: PathBuf,
        /// The import directive naming it (or the directory holding it), if imported.
        at: Option<Location>,
        /// The limit in bytes.
        limit: u64,
    },
    /// An import reaches outside the project root (with `../`, an absolute path or a symlink)
    /// and [`LoadOptions::allow_outside_root`](crate::LoadOptions::allow_outside_root) is off.
    #[error(
        "{}import outside the project root refused: {} (the root is {})",
        AtPrefix(at),
        path.display(),
        root.display()
    )]
    OutsideRoot {
        /// The target as written, joined to the importing file's directory.
        path: PathBuf,
        /// The import directive (or, for a file of a loaded directory, none).
        at: Option<Location>,
        /// The project root.
        root: PathBuf,
    },
    /// A file given to [`load`](crate::load) or named by an import is not a `.sql` file.
    #[error("{}not a .sql file: {}", AtPrefix(at), path.display())]
    NotSql {
        /// The offending path.
        path: PathBuf,
        /// The import directive naming it, if it was imported.
        at: Option<Location>,
    },
}

impl ImportError {
    pub(crate) fn unscannable(file: &Path, line: usize, message: impl Into<String>) -> Self {
        ImportError::Unscannable {
            at: Location {
                file: file.to_path_buf(),
                line,
            },
            message: message.into(),
        }
    }
}

struct CycleChain<'a>(&'a [(PathBuf, usize)]);

impl fmt::Display for CycleChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (file, line) in self.0 {
            write!(f, "{}:{line} → ", file.display())?;
        }
        match self.0.first() {
            Some((first, _)) => write!(f, "{}", first.display()),
            None => Ok(()),
        }
    }
}

/// `file:line: ` when there is a location.
struct AtPrefix<'a>(&'a Option<Location>);

impl fmt::Display for AtPrefix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(at) => write!(f, "{at}: "),
            None => Ok(()),
        }
    }
}
