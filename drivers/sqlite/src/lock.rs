//! Advisory locks as OS file locks on files in the temporary directory: SQLite has no
//! named locks. The kernel releases a file lock when its holder closes the file or dies,
//! so a killed process never leaves a stale lock behind.

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

/// Opens the lock file and locks it exclusively, retrying until `timeout`. The lock lasts
/// as long as the returned file is open.
pub(crate) async fn acquire(
    path: &Path,
    name: &str,
    timeout: Duration,
) -> Result<File, DriverError> {
    let failed = |message: String, e: std::io::Error| DriverError::Lock {
        name: name.to_owned(),
        message,
        source: Some(source(e)),
    };
    let file = File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| failed(format!("cannot open lock file {}", path.display()), e))?;
    let started = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
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
