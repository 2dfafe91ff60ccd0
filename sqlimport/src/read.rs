//! Reading one project file, safely: only regular files, never more than the size limit, and
//! without blocking on a named pipe.
//!
//! A `.sql` name says nothing about what is behind it: a symlink to `/dev/zero` never ends, a
//! FIFO blocks the first read (and, on Linux, the open) until someone writes, and `/proc` files
//! report a size of zero whatever they hold. So the file is opened without blocking, checked
//! through the open handle (the path could be swapped in between), and read through a limit
//! whatever its reported size.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

use crate::Location;
use crate::error::ImportError;

/// Where a file was named, for errors: its path as shown and the directive naming it.
pub(crate) struct Named<'a> {
    pub shown: &'a Path,
    pub at: Option<&'a Location>,
}

impl Named<'_> {
    fn unreadable(&self, source: io::Error) -> ImportError {
        ImportError::Unreadable {
            path: self.shown.to_path_buf(),
            source,
        }
    }

    fn check_kind(&self, meta: &fs::Metadata) -> Result<(), ImportError> {
        if meta.is_file() {
            return Ok(());
        }
        if meta.is_dir() {
            return Err(self.unreadable(io::Error::from(io::ErrorKind::IsADirectory)));
        }
        Err(ImportError::NotAFile {
            path: self.shown.to_path_buf(),
            at: self.at.cloned(),
            kind: kind_of(meta),
        })
    }

    fn too_large(&self, limit: u64) -> ImportError {
        ImportError::TooLarge {
            path: self.shown.to_path_buf(),
            at: self.at.cloned(),
            limit,
        }
    }
}

/// Reads the regular file at `real` as UTF-8 text of at most `limit` bytes.
pub(crate) fn read_text(real: &Path, named: &Named<'_>, limit: u64) -> Result<String, ImportError> {
    // Checked before opening too: opening a FIFO may block, and a clear error beats a handle.
    let meta = fs::metadata(real).map_err(|e| named.unreadable(e))?;
    named.check_kind(&meta)?;
    let file = open_nonblocking(real).map_err(|e| named.unreadable(e))?;
    let meta = file.metadata().map_err(|e| named.unreadable(e))?;
    named.check_kind(&meta)?;
    if meta.len() > limit {
        return Err(named.too_large(limit));
    }
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| named.unreadable(e))?;
    if bytes.len() as u64 > limit {
        return Err(named.too_large(limit));
    }
    String::from_utf8(bytes)
        .map_err(|e| named.unreadable(io::Error::new(io::ErrorKind::InvalidData, e)))
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    // Without O_NONBLOCK, opening a FIFO for reading waits for a writer. It changes nothing
    // for regular files, the only kind read.
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    OpenOptions::new().read(true).open(path)
}

/// A name for what a non-regular file is.
fn kind_of(meta: &fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "named pipe";
        }
        if t.is_char_device() {
            return "character device";
        }
        if t.is_block_device() {
            return "block device";
        }
        if t.is_socket() {
            return "socket";
        }
    }
    let _ = meta;
    "special file"
}
