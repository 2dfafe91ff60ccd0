//! Migration directories: read from disk or memory, checked against `atlas.sum`, and written.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::file::{FileError, MigrationFile, file_name, new_version};
use crate::sum::{SUM_FILE_NAME, SumError, SumFile};

/// A migration directory: its `*.sql` files in byte-wise name order and its `atlas.sum` bytes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MigrationDir {
    files: Vec<MigrationFile>,
    sum: Option<Vec<u8>>,
    path: Option<PathBuf>,
}

impl MigrationDir {
    /// Reads a directory: top-level `*.sql` files only (subfolders, other files and
    /// `atlas.sum` are not migrations) and `atlas.sum` if present.
    pub fn open(path: impl AsRef<Path>) -> Result<MigrationDir, DirError> {
        let path = path.as_ref();
        let io_err = |source| DirError::Io {
            path: path.to_owned(),
            source,
        };
        let mut files = Vec::new();
        for entry in fs::read_dir(path).map_err(io_err)? {
            let entry = entry.map_err(io_err)?;
            let file_path = entry.path();
            let name = match entry.file_name().into_string() {
                Ok(name) => name,
                // Not even UTF-8 lossily ends in `.sql`? Then it is no migration.
                Err(raw) if !raw.to_string_lossy().ends_with(".sql") => continue,
                Err(raw) => return Err(DirError::BadName(raw.to_string_lossy().into_owned())),
            };
            if !name.ends_with(".sql") || !entry.file_type().map_err(io_err)?.is_file() {
                continue;
            }
            let bytes = fs::read(&file_path).map_err(|source| DirError::Io {
                path: file_path,
                source,
            })?;
            files.push(MigrationFile::new(name, bytes));
        }
        let sum_path = path.join(SUM_FILE_NAME);
        let sum = match fs::read(&sum_path) {
            Ok(b) => Some(b),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(source) => {
                return Err(DirError::Io {
                    path: sum_path,
                    source,
                });
            }
        };
        let mut dir = MigrationDir::from_files(files, sum);
        dir.path = Some(path.to_owned());
        Ok(dir)
    }

    /// A directory held in memory. Files are sorted by name; names that are not top-level
    /// `*.sql` files are left out, as on disk.
    pub fn from_files(
        files: impl IntoIterator<Item = MigrationFile>,
        sum: Option<Vec<u8>>,
    ) -> MigrationDir {
        let mut files: Vec<_> = files
            .into_iter()
            .filter(|f| is_migration_name(f.name()))
            .collect();
        files.sort_by(|a, b| a.name().as_bytes().cmp(b.name().as_bytes()));
        MigrationDir {
            files,
            sum,
            path: None,
        }
    }

    /// The files in execution order.
    pub fn files(&self) -> &[MigrationFile] {
        &self.files
    }

    /// The file named `name`.
    pub fn file(&self, name: &str) -> Option<&MigrationFile> {
        self.files.iter().find(|f| f.name() == name)
    }

    /// The first file whose version is `version`.
    pub fn file_by_version(&self, version: &str) -> Option<&MigrationFile> {
        self.files.iter().find(|f| f.version() == version)
    }

    /// The raw `atlas.sum` bytes, if the directory has one.
    pub fn sum_bytes(&self) -> Option<&[u8]> {
        self.sum.as_deref()
    }

    /// The on-disk location, for directories read with [`MigrationDir::open`].
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The sum computed from the files (what `migrate hash` writes).
    pub fn compute_sum(&self) -> SumFile {
        SumFile::compute(self.files.iter().map(|f| (f.name(), f.bytes())))
    }

    /// The recorded `atlas.sum`, parsed (and its total checked).
    pub fn recorded_sum(&self) -> Result<Option<SumFile>, SumError> {
        self.sum.as_deref().map(SumFile::parse).transpose()
    }

    /// Checks the files against `atlas.sum` (Atlas's `migrate validate` integrity part).
    pub fn validate(&self) -> Result<(), SumError> {
        SumFile::verify(&self.compute_sum(), self.sum.as_deref(), self.files.len())
    }

    /// The entry hash of `name` from the computed sum: the `hash` column of the revision row.
    pub fn hash_of(&self, name: &str) -> Option<String> {
        self.compute_sum().hash_of(name).map(str::to_owned)
    }

    /// Index of the last checkpoint file (`atlas:checkpoint`), if any: a clean database starts
    /// executing there.
    pub fn last_checkpoint(&self) -> Result<Option<usize>, FileError> {
        let mut last = None;
        for (i, f) in self.files.iter().enumerate() {
            if f.directives()?.checkpoint.is_some() {
                last = Some(i);
            }
        }
        Ok(last)
    }

    /// The files to run on a clean database: from the last checkpoint on, or all of them.
    pub fn files_from_last_checkpoint(&self) -> Result<&[MigrationFile], FileError> {
        Ok(&self.files[self.last_checkpoint()?.unwrap_or(0)..])
    }

    /// Recomputes `atlas.sum` into memory and, for an on-disk directory, writes it
    /// (`migrate hash`). Returns the new sum text.
    pub fn write_sum(&mut self) -> Result<String, DirError> {
        let text = self.compute_sum().render();
        if let Some(path) = &self.path {
            let sum_path = path.join(SUM_FILE_NAME);
            fs::write(&sum_path, &text).map_err(|source| DirError::Io {
                path: sum_path,
                source,
            })?;
        }
        self.sum = Some(text.clone().into_bytes());
        Ok(text)
    }

    /// Creates `<UTC now>_<name>.sql` with `contents` (see [`MigrationDir::add_file`]) and
    /// returns its file name: what `migrate new` and `migrate diff` write.
    pub fn create_file(
        &mut self,
        name: &str,
        contents: impl Into<Vec<u8>>,
    ) -> Result<String, DirError> {
        let file_name = file_name(&new_version(), name);
        self.add_file(MigrationFile::new(file_name.clone(), contents))?;
        Ok(file_name)
    }

    /// Adds (or replaces) a migration file and updates `atlas.sum`; on disk both are written.
    /// The name must be a top-level `*.sql` name.
    pub fn add_file(&mut self, file: MigrationFile) -> Result<(), DirError> {
        if !is_migration_name(file.name()) {
            return Err(DirError::BadName(file.name().to_owned()));
        }
        if let Some(path) = &self.path {
            let file_path = path.join(file.name());
            fs::write(&file_path, file.bytes()).map_err(|source| DirError::Io {
                path: file_path,
                source,
            })?;
        }
        self.files.retain(|f| f.name() != file.name());
        let at = self
            .files
            .partition_point(|f| f.name().as_bytes() < file.name().as_bytes());
        self.files.insert(at, file);
        self.write_sum()?;
        Ok(())
    }
}

/// A top-level `*.sql` name: no path separators, not hidden behind a folder.
fn is_migration_name(name: &str) -> bool {
    name.ends_with(".sql") && !name.contains(['/', '\\'])
}

/// A directory that cannot be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DirError {
    /// An I/O error on `path`.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// A name that is not a top-level `*.sql` file name, or not UTF-8.
    #[error("invalid migration file name {0:?}: expected a top-level, UTF-8 *.sql name")]
    BadName(String),
}

/// One file of an [`EmbeddedDir`], built by `embed_migrations!`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmbeddedFile {
    /// The file name.
    pub name: &'static str,
    /// The file bytes (from `include_bytes!`).
    pub bytes: &'static [u8],
}

/// A migration directory compiled into the binary by `embed_migrations!`, checked against its
/// `atlas.sum` at build time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmbeddedDir {
    /// The files in name order.
    pub files: &'static [EmbeddedFile],
    /// The `atlas.sum` bytes, if the directory had one (only an empty directory may lack it).
    pub sum: Option<&'static [u8]>,
}

impl EmbeddedDir {
    /// An owned [`MigrationDir`] with the embedded files.
    pub fn to_dir(&self) -> MigrationDir {
        MigrationDir::from_files(
            self.files
                .iter()
                .map(|f| MigrationFile::new(f.name, f.bytes)),
            self.sum.map(<[u8]>::to_vec),
        )
    }
}

impl From<EmbeddedDir> for MigrationDir {
    fn from(dir: EmbeddedDir) -> MigrationDir {
        dir.to_dir()
    }
}
