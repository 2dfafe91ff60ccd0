//! The custom-analyzer example reports its own code next to the built-in ones and gates the
//! declarative apply.

use std::process::Command;

#[test]
fn custom_analyzer_reports_and_gates() {
    let out = Command::new(env!("CARGO_BIN_EXE_custom_lint"))
        .output()
        .expect("run example");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("-- tables without created_at detected:"),
        "{stdout}"
    );
    assert!(
        stdout.contains("-- L1: Table \"events\" has no created_at column"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Table \"audit\" has no created_at column"),
        "{stdout}"
    );
    assert!(!stdout.contains("Table \"users\""), "{stdout}");
    assert!(
        stdout.contains("declarative plan applied: false"),
        "{stdout}"
    );
}
