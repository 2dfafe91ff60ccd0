//! Printing to standard output that survives a closed pipe (`mercator … | head -1`): the
//! first failed write marks stdout closed and later output is dropped, so the command
//! finishes its work (an apply is never cut short by its reader going away) and exits with
//! its own status, never a panic.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes `text` to stdout as is.
pub fn print(text: &str) {
    if CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        CLOSED.store(true, Ordering::Relaxed);
    }
}

/// Writes `text` and a newline to stdout.
pub fn println(text: &str) {
    print(text);
    print("\n");
}

/// Writes `text` to stdout, ending it with a newline unless it has one.
pub fn print_block(text: &str) {
    print(text);
    if !text.ends_with('\n') {
        print("\n");
    }
}
