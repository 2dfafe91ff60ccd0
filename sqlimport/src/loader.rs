//! Reading a project's files: the root file or directory, then `atlas:import` directives,
//! depth first, each file once.
//!
//! Files are identified by their canonical path, so `../common.sql` and `./common.sql` (or a
//! symlink) are the same file. Paths shown to users are relative to the root directory and
//! lexically normalized, which keeps them stable and short.
//!
//! The walk keeps its own stack instead of recursing, so a chain of imports thousands of files
//! deep cannot overflow the thread's stack. Unless allowed, every file read must resolve
//! (symlinks included) to a path inside the project root.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use crate::directives::{self, Import};
use crate::error::ImportError;
use crate::read::{Named, read_text};
use crate::{DialectKind, LoadOptions, Location, Statement, scan};

/// The files of a project in load order and their statements in that order.
#[derive(Debug)]
pub(crate) struct Loaded {
    pub root: PathBuf,
    pub files: Vec<PathBuf>,
    pub statements: Vec<Statement>,
    pub renames: Vec<crate::RenameDirective>,
}

/// A file to load: where to read it and how to show it.
struct FileRef {
    real: PathBuf,
    shown: PathBuf,
}

/// Work in progress on the walk's stack.
enum Frame {
    /// A file whose imports are being followed; its statements come once they are done.
    File {
        canonical: PathBuf,
        file: FileRef,
        text: String,
        imports: Vec<Import>,
        /// The next import to follow.
        next: usize,
    },
    /// A directory whose files are being loaded in name order.
    Dir {
        files: Vec<FileRef>,
        next: usize,
        /// The directive importing the directory, if any.
        via: Option<Location>,
    },
}

/// How a file is reached.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// Given to `load`: trusted, wherever it resolves to.
    Given,
    /// Named by an import directive.
    Import,
    /// Listed in a loaded directory.
    Listed,
}

struct Loader<'o> {
    dialect: DialectKind,
    options: &'o LoadOptions,
    /// The canonical root every file must resolve into (unless allowed), if it exists.
    fence: Option<PathBuf>,
    done: HashSet<PathBuf>,
    /// Files on the stack, by canonical path: an import of one of them is a cycle.
    open: HashMap<PathBuf, usize>,
    stack: Vec<Frame>,
    loaded: Loaded,
}

/// Loads a `.sql` file or every `.sql` file of a directory, with their imports.
pub(crate) fn load_path(
    path: &Path,
    dialect: DialectKind,
    options: &LoadOptions,
) -> Result<Loaded, ImportError> {
    let meta = fs::metadata(path).map_err(|source| ImportError::Unreadable {
        path: path.to_path_buf(),
        source,
    })?;
    if meta.is_dir() {
        let mut loader = Loader::new(path.to_path_buf(), dialect, options);
        let frame = loader.directory(path, Path::new(""), None)?;
        loader.run(frame)?;
        return Ok(loader.loaded);
    }
    if !is_sql(path) {
        return Err(ImportError::NotSql {
            path: path.to_path_buf(),
            at: None,
        });
    }
    let (root, shown) = split_root(path);
    let mut loader = Loader::new(root, dialect, options);
    let file = FileRef {
        real: path.to_path_buf(),
        shown,
    };
    if let Some(frame) = loader.file(file, None, Reach::Given)? {
        loader.run(frame)?;
    }
    Ok(loader.loaded)
}

/// Loads SQL text as if it were the file `name` (imports resolve relative to its directory).
pub(crate) fn load_source(
    sql: &str,
    name: &Path,
    dialect: DialectKind,
    options: &LoadOptions,
) -> Result<Loaded, ImportError> {
    let (root, shown) = split_root(name);
    let canonical = fs::canonicalize(name)
        .or_else(|_| std::path::absolute(name))
        .unwrap_or_else(|_| name.to_path_buf());
    let mut loader = Loader::new(root, dialect, options);
    let file = FileRef {
        real: name.to_path_buf(),
        shown,
    };
    let frame = loader.text(canonical, file, sql.to_string());
    loader.run(frame)?;
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

/// Whether a normalized path relative to the root leaves it (`../x`, `/x`).
fn leaves_root(shown: &Path) -> bool {
    matches!(
        shown.components().next(),
        Some(Component::ParentDir | Component::RootDir | Component::Prefix(_))
    )
}

impl<'o> Loader<'o> {
    fn new(root: PathBuf, dialect: DialectKind, options: &'o LoadOptions) -> Self {
        Loader {
            dialect,
            options,
            fence: fs::canonicalize(&root).ok(),
            done: HashSet::new(),
            open: HashMap::new(),
            stack: Vec::new(),
            loaded: Loaded {
                root,
                files: Vec::new(),
                statements: Vec::new(),
                renames: Vec::new(),
            },
        }
    }

    /// Runs the walk from `first` until the stack is empty.
    fn run(&mut self, first: Frame) -> Result<(), ImportError> {
        self.push(first);
        while let Some(top) = self.stack.last_mut() {
            let child = match top {
                Frame::File {
                    file,
                    imports,
                    next,
                    ..
                } if *next < imports.len() => {
                    let import = &imports[*next];
                    *next += 1;
                    let at = Location {
                        file: file.shown.clone(),
                        line: import.line,
                    };
                    let target = import.target.clone();
                    let (real, shown) = (file.real.clone(), file.shown.clone());
                    self.import(&real, &shown, &target, at)?
                }
                Frame::Dir { files, next, via } if *next < files.len() => {
                    let file = std::mem::replace(
                        &mut files[*next],
                        FileRef {
                            real: PathBuf::new(),
                            shown: PathBuf::new(),
                        },
                    );
                    *next += 1;
                    let via = via.clone();
                    self.file(file, via.as_ref(), Reach::Listed)?
                }
                _ => {
                    self.pop()?;
                    None
                }
            };
            if let Some(frame) = child {
                self.push(frame);
            }
        }
        Ok(())
    }

    fn push(&mut self, frame: Frame) {
        if let Frame::File { canonical, .. } = &frame {
            self.open.insert(canonical.clone(), self.stack.len());
        }
        self.stack.push(frame);
    }

    /// Finishes the top frame: a file's statements come after everything it imports.
    fn pop(&mut self) -> Result<(), ImportError> {
        let Some(Frame::File {
            canonical,
            file,
            text,
            ..
        }) = self.stack.pop()
        else {
            return Ok(());
        };
        self.open.remove(&canonical);
        let statements = scan::split_source(&text, &file.shown, self.dialect)?;
        let renames = crate::renames::directives(&text, &file.shown, self.dialect)?;
        self.loaded.renames.extend(renames);
        self.done.insert(canonical);
        self.loaded.files.push(file.shown);
        self.loaded.statements.extend(statements);
        Ok(())
    }

    /// Lists the `.sql` files directly in `real` in byte order of their names.
    fn directory(
        &mut self,
        real: &Path,
        shown: &Path,
        via: Option<Location>,
    ) -> Result<Frame, ImportError> {
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
        let files = names
            .into_iter()
            .map(|name| FileRef {
                real: real.join(&name),
                shown: shown.join(&name),
            })
            .collect();
        Ok(Frame::Dir {
            files,
            next: 0,
            via,
        })
    }

    /// Opens one file (unless already loaded): `None` if it was.
    fn file(
        &mut self,
        file: FileRef,
        via: Option<&Location>,
        reach: Reach,
    ) -> Result<Option<Frame>, ImportError> {
        let canonical = fs::canonicalize(&file.real).map_err(|source| ImportError::Unreadable {
            path: file.shown.clone(),
            source,
        })?;
        if self.done.contains(&canonical) {
            return Ok(None);
        }
        self.check_cycle(&canonical)?;
        if reach == Reach::Import && !is_sql(&file.real) {
            return Err(ImportError::NotSql {
                path: file.shown,
                at: via.cloned(),
            });
        }
        if reach != Reach::Given {
            self.check_inside(&canonical, &file.shown, via)?;
        }
        let named = Named {
            shown: &file.shown,
            at: via,
        };
        let text = read_text(&file.real, &named, self.options.max_file_size)?;
        Ok(Some(self.text(canonical, file, text)))
    }

    fn check_cycle(&self, canonical: &Path) -> Result<(), ImportError> {
        let Some(&from) = self.open.get(canonical) else {
            return Ok(());
        };
        let chain = self.stack[from..]
            .iter()
            .filter_map(|frame| match frame {
                Frame::File {
                    file,
                    imports,
                    next,
                    ..
                } => {
                    let line = next.checked_sub(1).map_or(0, |i| imports[i].line);
                    Some((file.shown.clone(), line))
                }
                Frame::Dir { .. } => None,
            })
            .collect();
        Err(ImportError::Cycle { chain })
    }

    /// Refuses a path resolving outside the project root, unless allowed.
    fn check_inside(
        &self,
        canonical: &Path,
        shown: &Path,
        via: Option<&Location>,
    ) -> Result<(), ImportError> {
        let inside = self
            .fence
            .as_ref()
            .is_some_and(|f| canonical.starts_with(f));
        if inside || self.options.allow_outside_root {
            return Ok(());
        }
        Err(self.outside(shown, via))
    }

    fn outside(&self, shown: &Path, via: Option<&Location>) -> ImportError {
        ImportError::OutsideRoot {
            path: shown.to_path_buf(),
            at: via.cloned(),
            root: self.loaded.root.clone(),
        }
    }

    /// A frame for a file whose text is read: its imports come first.
    fn text(&mut self, canonical: PathBuf, file: FileRef, text: String) -> Frame {
        let imports = directives::header(&text, self.dialect).imports;
        Frame::File {
            canonical,
            file,
            text,
            imports,
            next: 0,
        }
    }

    /// Follows one `atlas:import` directive of the file `from_real` (shown as `from_shown`).
    fn import(
        &mut self,
        from_real: &Path,
        from_shown: &Path,
        target: &str,
        at: Location,
    ) -> Result<Option<Frame>, ImportError> {
        let base = |p: &Path| p.parent().map(Path::to_path_buf).unwrap_or_default();
        let real = base(from_real).join(target);
        let shown = normalize(&base(from_shown).join(target));
        // Refused before the file system is asked, so nothing is learnt about outside paths;
        // symlinks are caught once resolved.
        if leaves_root(&shown) && !self.options.allow_outside_root {
            return Err(self.outside(&shown, Some(&at)));
        }
        let wants_dir = target.ends_with('/') || target.ends_with('\\');
        match fs::metadata(&real) {
            Ok(meta) if wants_dir && meta.is_dir() => {
                let canonical =
                    fs::canonicalize(&real).map_err(|source| ImportError::Unreadable {
                        path: shown.clone(),
                        source,
                    })?;
                self.check_inside(&canonical, &shown, Some(&at))?;
                self.directory(&real, &shown, Some(at)).map(Some)
            }
            Ok(_) if !wants_dir => self.file(FileRef { real, shown }, Some(&at), Reach::Import),
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
