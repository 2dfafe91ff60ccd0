//! Temporary folders.

use std::path::{Path, PathBuf};

/// A folder under the system's temporary directory, removed with everything in it when
/// dropped (also when the test panics).
#[derive(Debug)]
pub struct TempDir(tempfile::TempDir);

impl Default for TempDir {
    fn default() -> Self {
        Self::new()
    }
}

impl TempDir {
    /// Creates the folder. Panics when the temporary directory is not writable: no test
    /// can run then.
    pub fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("mercator-test-")
            .tempdir()
            .unwrap_or_else(|e| panic!("cannot create a temporary folder: {e}"));
        TempDir(dir)
    }

    /// The folder's path.
    pub fn path(&self) -> &Path {
        self.0.path()
    }

    /// Writes a file relative to the folder (creating folders on the way) and returns its
    /// path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .unwrap_or_else(|e| panic!("cannot create {}: {e}", parent.display()));
        }
        std::fs::write(&path, text)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        path
    }

    /// A `sqlite://` URL for a database file of that name in the folder.
    pub fn sqlite_url(&self, name: &str) -> String {
        format!("sqlite://{}", self.path().join(name).display())
    }
}
