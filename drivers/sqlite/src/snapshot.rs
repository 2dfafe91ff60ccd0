//! Dev-state snapshots for SQLite: database files written with `VACUUM INTO` into the
//! caller's store directory, restored into a new in-memory database with SQLite's
//! backup API. Only the [`SNAPSHOTS_KEPT`] most recently written files are kept.

use std::path::{Path, PathBuf};

use mercator_driver::{DriverError, SNAPSHOTS_KEPT, Scratch, source};

use crate::SqliteDriver;

const PREFIX: &str = "sqlite-";
const SUFFIX: &str = ".db";

fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 64
        && key
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
}

fn path_of(store: &Path, key: &str) -> PathBuf {
    store.join(format!("{PREFIX}{key}{SUFFIX}"))
}

fn io_error(path: &Path, e: std::io::Error) -> DriverError {
    DriverError::Exec {
        index: 0,
        sql: format!("snapshot {}", path.display()),
        message: e.to_string(),
        code: None,
        applied: Vec::new(),
        source: Some(source(e)),
    }
}

/// Writes the scratch's database to the store as snapshot `key`: written aside and
/// renamed, so a concurrent reader never sees half a file.
pub(crate) async fn save(scratch: &Scratch, key: &str, store: &Path) -> Result<bool, DriverError> {
    if !valid_key(key) {
        return Ok(false);
    }
    let path = path_of(store, key);
    if path.exists() {
        return Ok(true);
    }
    std::fs::create_dir_all(store).map_err(|e| io_error(store, e))?;
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    let Some(tmp_text) = tmp.to_str() else {
        return Ok(false);
    };
    {
        let mut session = scratch.driver.session().await?;
        session
            .execute(&format!("VACUUM INTO '{}'", tmp_text.replace('\'', "''")))
            .await?;
    }
    std::fs::rename(&tmp, &path).map_err(|e| io_error(&path, e))?;
    reclaim(store, SNAPSHOTS_KEPT);
    Ok(true)
}

/// Removes all but the newest `keep` snapshot files; failures only cost disk space.
/// Returns how many went.
pub(crate) fn reclaim(store: &Path, keep: usize) -> usize {
    let Ok(entries) = std::fs::read_dir(store) else {
        return 0;
    };
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with(PREFIX) && name.ends_with(SUFFIX)
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    files.sort_by_key(|f| std::cmp::Reverse(f.0));
    files
        .into_iter()
        .skip(keep)
        .filter(|(_, path)| std::fs::remove_file(path).is_ok())
        .count()
}

/// A new in-memory database holding snapshot `key`.
pub(crate) async fn restore(key: &str, store: &Path) -> Result<Option<Scratch>, DriverError> {
    if !valid_key(key) {
        return Ok(None);
    }
    let path = path_of(store, key);
    if !path.exists() {
        return Ok(None);
    }
    let driver = SqliteDriver::in_memory();
    // Copying a local file is quick; SQLite calls of this driver run inline elsewhere too.
    let restored = driver.with_connection(|conn| {
        conn.restore(
            rusqlite::MAIN_DB,
            &path,
            None::<fn(rusqlite::backup::Progress)>,
        )
    });
    match restored {
        Ok(()) => Ok(Some(Scratch {
            name: format!("snapshot {key}"),
            driver: Box::new(driver),
        })),
        Err(error) => {
            // A damaged or foreign file is no snapshot: forget it.
            tracing::warn!(path = %path.display(), %error, "ignoring unreadable SQLite snapshot");
            let _ = std::fs::remove_file(&path);
            Ok(None)
        }
    }
}

/// The keys of the snapshots in the store.
pub(crate) fn keys(store: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(store) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_prefix(PREFIX)?
                .strip_suffix(SUFFIX)
                .filter(|k| valid_key(k))
                .map(str::to_owned)
        })
        .collect()
}
