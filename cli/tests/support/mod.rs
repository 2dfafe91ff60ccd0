//! Running the `mercator` binary from the CLI's integration tests.

// Each test file uses the part it needs.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs `mercator` with `args`, standard input closed (never a terminal).
pub fn mercator(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mercator"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run mercator")
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The `file://` URL of a path.
pub fn file_url(path: &Path) -> String {
    format!("file://{}", path.display())
}
