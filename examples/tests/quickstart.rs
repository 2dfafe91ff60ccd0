//! The quickstart and embedding binaries run as documented.

use std::process::Command;

fn temp_db(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("mercator-examples-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("app.db")
}

#[test]
fn quickstart_applies_then_reports_synced() {
    let db = temp_db("quickstart");
    let out = Command::new(env!("CARGO_BIN_EXE_quickstart"))
        .arg(&db)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("Run 1: planned"), "{text}");
    assert!(text.contains("CREATE TABLE \"users\""), "{text}");
    assert!(text.contains("Run 2: schema is synced"), "{text}");
    let _ = std::fs::remove_dir_all(db.parent().unwrap());
}

#[test]
fn embed_is_idempotent() {
    let db = temp_db("embed");
    for expected in ["2 change(s) applied", "0 change(s) applied"] {
        let out = Command::new(env!("CARGO_BIN_EXE_embed"))
            .arg(&db)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.contains(expected), "{text}");
    }
    let _ = std::fs::remove_dir_all(db.parent().unwrap());
}
