//! Advisory locks as OS file locks on files in the temporary directory: SQLite has no
//! named locks. The kernel releases a file lock when its holder closes the file or dies,
//! so a killed process never leaves a stale lock behind.
//!
//! On Unix the holder removes the file before releasing it, so lock files do not pile up
//! (one per database and lock name). That is safe because a lock only counts once its
//! holder has checked that the path still names the file it locked: a waiter that opened
//! the file before it was removed finds the path gone or naming a newer file, and tries
//! again with that one.

use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mercator_driver::{DriverError, source};

/// The lock file for `name` on the database identified by `key`.
pub(crate) fn path(key: &str, name: &str) -> PathBuf {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    std::env::temp_dir().join(format!("mercator-sqlite-{:016x}-{safe}.lock", fnv1a(key)))
}

fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A held lock: released (and its file removed) when dropped.
#[derive(Debug)]
pub(crate) struct HeldLock {
    file: File,
    path: PathBuf,
}

impl Drop for HeldLock {
    fn drop(&mut self) {
        // Removed while still locked, and only if the path still names this file; the
        // lock itself goes when the file closes right after.
        if names_file(&self.path, &self.file) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Whether `path` names the open `file`; `false` where files cannot be told apart (not
/// Unix), so lock files are never removed there.
#[cfg(unix)]
fn names_file(path: &Path, file: &File) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(path), file.metadata()) {
        (Ok(at_path), Ok(open)) => at_path.dev() == open.dev() && at_path.ino() == open.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn names_file(_path: &Path, _file: &File) -> bool {
    false
}

/// Whether a lock on `file` counts: where lock files are removed, the path must still
/// name it.
fn counts(path: &Path, file: &File) -> bool {
    !cfg!(unix) || names_file(path, file)
}

/// Opens the lock file and locks it exclusively, retrying until `timeout`. The lock lasts
/// as long as the returned value lives.
pub(crate) async fn acquire(
    path: &Path,
    name: &str,
    timeout: Duration,
) -> Result<HeldLock, DriverError> {
    let failed = |message: String, e: std::io::Error| DriverError::Lock {
        name: name.to_owned(),
        message,
        source: Some(source(e)),
    };
    let open = || {
        File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| failed(format!("cannot open lock file {}", path.display()), e))
    };
    let mut file = open()?;
    let started = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) if counts(path, &file) => {
                return Ok(HeldLock {
                    file,
                    path: path.to_owned(),
                });
            }
            // The holder before removed the file this one had opened: the lock is on the
            // path's current file, if any.
            Ok(()) => file = open()?,
            Err(TryLockError::WouldBlock) => {
                if started.elapsed() >= timeout {
                    return Err(DriverError::Locked {
                        name: name.to_owned(),
                        timeout_secs: timeout.as_secs(),
                    });
                }
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            Err(TryLockError::Error(e)) => {
                return Err(failed(format!("cannot lock {}", path.display()), e));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn unique_path(label: &str) -> PathBuf {
        path(
            &format!("{label}-{}-{:?}", std::process::id(), Instant::now()),
            "test_lock",
        )
    }

    #[tokio::test]
    async fn a_released_lock_leaves_no_file_behind() {
        let path = unique_path("release");
        let held = acquire(&path, "test_lock", Duration::from_secs(5))
            .await
            .expect("free lock");
        assert!(path.exists());
        drop(held);
        assert_eq!(path.exists(), !cfg!(unix));
    }

    /// Holders come and go while others wait on the file the last one removes: never two
    /// holders at once.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn removing_the_file_never_lets_two_holders_in() {
        let path = Arc::new(unique_path("contended"));
        let inside = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let (path, inside) = (Arc::clone(&path), Arc::clone(&inside));
                tokio::spawn(async move {
                    for _ in 0..15 {
                        let held = acquire(&path, "test_lock", Duration::from_secs(30))
                            .await
                            .expect("lock within the timeout");
                        assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0, "two holders");
                        tokio::time::sleep(Duration::from_millis(2)).await;
                        inside.fetch_sub(1, Ordering::SeqCst);
                        drop(held);
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("task");
        }
        assert_eq!(path.exists(), !cfg!(unix));
    }
}
