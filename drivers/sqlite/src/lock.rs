//! Advisory locks as files in the temporary directory: SQLite has no named locks, and a
//! file created with `create_new` is atomic across processes.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mercator_driver::DriverError;

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

/// Creates the lock file, retrying until `timeout`.
pub(crate) async fn acquire(path: &Path, name: &str, timeout: Duration) -> Result<(), DriverError> {
    let started = Instant::now();
    loop {
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
        {
            Ok(_) => return Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                if started.elapsed() >= timeout {
                    return Err(DriverError::Locked {
                        name: name.to_owned(),
                        timeout_secs: timeout.as_secs(),
                    });
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => {
                return Err(DriverError::Unsupported(format!(
                    "cannot create lock file {}: {e}",
                    path.display()
                )));
            }
        }
    }
}

/// Removes the lock file.
pub(crate) fn release(path: &Path) -> Result<(), DriverError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(DriverError::Unsupported(format!(
            "cannot remove lock file {}: {e}",
            path.display()
        ))),
    }
}
