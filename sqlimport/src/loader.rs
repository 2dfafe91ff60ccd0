//! Reading a project's files: the root file or directory, then `atlas:import` directives,
//! depth first, each file once.
//!
//! Files are identified by their canonical path, so `../common.sql` and `./common.sql` (or a
//! symlink) are the same file. Paths shown to users are relative to the root directory and
//! lexically normalized, which keeps them stable and short.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use crate::directives::{self, Import};
use crate::error::ImportError;
use crate::{Dialect, Location, Statement, scan};

/// The files of a project in load order and their statements in that order.
#[derive(Debug)]
pub(crate) struct Loaded {
    pub root: PathBuf,
    pub files: Vec<PathBuf>,
    pub statements: Vec<Statement>,
}

/// A file to load: where to read it and how to show it.
struct FileRef {
    real: PathBuf,
    shown: PathBuf,
}

/// A file being loaded, with the line of the import directive it is following.
struct Open {
    canonical: PathBuf,
    shown: PathBuf,
    line: usize,
}

struct Loader {
    dialect: Dialect,
    done: HashSet<PathBuf>,
    stack: Vec<Open>,
    loaded: Loaded,
}

/// Loads a `.sql` file or every `.sql` file of a directory, with their imports.
pub(crate) fn load_path(path: &Path, dialect: Dialect) -> Result<Loaded, ImportError> {
    let meta = fs::metadata(path).map_err(|source| ImportError::Unreadable {
        path: path.to_path_buf(),
        source,
    })?;
    if meta.is_dir() {
        let mut loader = Loader::new(path.to_path_buf(), dialect);
        loader.directory(path, Path::new(""))?;
        return Ok(loader.loaded);
    }
    if !is_sql(path) {
        return Err(ImportError::NotSql {
            path: path.to_path_buf(),
            at: None,
        });
    }
    let (root, shown) = split_root(path);
    let mut loader = Loader::new(root, dialect);
    loader.file(
        FileRef {
            real: path.to_path_buf(),
            shown,
        },
        None,
    )?;
    Ok(loader.loaded)
}

/// Loads SQL text as if it were the file `name` (imports resolve relative to its directory).
pub(crate) fn load_source(sql: &str, name: &Path, dialect: Dialect) -> Result<Loaded, ImportError> {
    let (root, shown) = split_root(name);
    let canonical = fs::canonicalize(name)
        .or_else(|_| std::path::absolute(name))
        .unwrap_or_else(|_| name.to_path_buf());
    let mut loader = Loader::new(root, dialect);
    loader.text(
        canonical,
        FileRef {
            real: name.to_path_buf(),
            shown,
        },
        sql,
    )?;
    Ok(loader.loaded)
}

/// The directory of `file` and the file's name within it.
fn split_root(file: &Path) -> (PathBuf, PathBuf) {
    let root = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let shown = file
        .file_name()
        .map_or_else(|| file.to_path_buf(), PathBuf::from);
    (root, shown)
}

fn is_sql(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "sql")
}

/// `path` with `.` and `dir/..` removed, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                let last_is_name =
                    matches!(out.components().next_back(), Some(Component::Normal(_)));
                if last_is_name {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

impl Loader {
    fn new(root: PathBuf, dialect: Dialect) -> Self {
        Loader {
            dialect,
            done: HashSet::new(),
            stack: Vec::new(),
            loaded: Loaded {
                root,
                files: Vec::new(),
                statements: Vec::new(),
            },
        }
    }

    /// Loads every `.sql` file directly in `real` in byte order of their names.
    fn directory(&mut self, real: &Path, shown: &Path) -> Result<(), ImportError> {
        let unreadable = |source: io::Error| ImportError::Unreadable {
            path: if shown.as_os_str().is_empty() {
                real.to_path_buf()
            } else {
                shown.to_path_buf()
            },
            source,
        };
        let mut names = Vec::new();
        for entry in fs::read_dir(real).map_err(unreadable)? {
            let entry = entry.map_err(unreadable)?;
            let name = entry.file_name();
            let is_dir = fs::metadata(entry.path()).is_ok_and(|m| m.is_dir());
            if is_sql(Path::new(&name)) && !is_dir {
                names.push(name);
            }
        }
        names.sort();
        for name in names {
            let file = FileRef {
                real: real.join(&name),
                shown: shown.join(&name),
            };
            self.file(file, None)?;
        }
        Ok(())
    }

    /// Loads one file (unless already loaded) after its imports.
    fn file(&mut self, file: FileRef, via: Option<&Location>) -> Result<(), ImportError> {
        let unreadable = |source| ImportError::Unreadable {
            path: file.shown.clone(),
            source,
        };
        let canonical = fs::canonicalize(&file.real).map_err(unreadable)?;
        if self.done.contains(&canonical) {
            return Ok(());
        }
        if via.is_some() && !is_sql(&file.real) {
            return Err(ImportError::NotSql {
                path: file.shown,
                at: via.cloned(),
            });
        }
        let text = fs::read_to_string(&file.real).map_err(unreadable)?;
        self.text(canonical, file, &text)
    }

    fn check_cycle(&self, canonical: &Path) -> Result<(), ImportError> {
        match self
            .stack
            .iter()
            .position(|open| open.canonical == canonical)
        {
            Some(from) => Err(ImportError::Cycle {
                chain: self.stack[from..]
                    .iter()
                    .map(|open| (open.shown.clone(), open.line))
                    .collect(),
            }),
            None => Ok(()),
        }
    }

    /// Loads the imports of a file whose text is `text`, then its statements.
    fn text(&mut self, canonical: PathBuf, file: FileRef, text: &str) -> Result<(), ImportError> {
        self.check_cycle(&canonical)?;
        let header = directives::header(text, self.dialect);
        self.stack.push(Open {
            canonical: canonical.clone(),
            shown: file.shown.clone(),
            line: 0,
        });
        for import in &header.imports {
            if let Some(open) = self.stack.last_mut() {
                open.line = import.line;
            }
            self.import(&file, import)?;
        }
        self.stack.pop();
        let statements = scan::split_source(text, &file.shown, self.dialect)?;
        self.done.insert(canonical);
        self.loaded.files.push(file.shown);
        self.loaded.statements.extend(statements);
        Ok(())
    }

    /// Follows one `atlas:import` directive of `from`.
    fn import(&mut self, from: &FileRef, import: &Import) -> Result<(), ImportError> {
        let at = Location {
            file: from.shown.clone(),
            line: import.line,
        };
        let base = |p: &Path| p.parent().map(Path::to_path_buf).unwrap_or_default();
        let real = base(&from.real).join(&import.target);
        let shown = normalize(&base(&from.shown).join(&import.target));
        let wants_dir = import.target.ends_with('/') || import.target.ends_with('\\');
        match fs::metadata(&real) {
            Ok(meta) if wants_dir && meta.is_dir() => self.directory(&real, &shown),
            Ok(_) if !wants_dir => self.file(FileRef { real, shown }, Some(&at)),
            Ok(_) => Err(ImportError::MissingImport { at, target: shown }),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                ) =>
            {
                Err(ImportError::MissingImport { at, target: shown })
            }
            Err(source) => Err(ImportError::Unreadable {
                path: shown,
                source,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_lexically() {
        assert_eq!(
            normalize(Path::new("crm/../common.sql")),
            PathBuf::from("common.sql")
        );
        assert_eq!(
            normalize(Path::new("./a/./b/../c.sql")),
            PathBuf::from("a/c.sql")
        );
        assert_eq!(normalize(Path::new("../x.sql")), PathBuf::from("../x.sql"));
    }

    #[test]
    fn splits_root() {
        assert_eq!(
            split_root(Path::new("schema.sql")),
            (PathBuf::from("."), PathBuf::from("schema.sql"))
        );
        assert_eq!(
            split_root(Path::new("/p/q.sql")),
            (PathBuf::from("/p"), PathBuf::from("q.sql"))
        );
    }
}
