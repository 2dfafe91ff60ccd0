//! Statements that control the transaction they run in (`BEGIN`, `COMMIT`, `ROLLBACK`,
//! savepoints): a caller running a file's statements inside a transaction of its own
//! (to roll them all back after) must not run these, or the file would end that
//! transaction for it.

use crate::DialectKind;
use crate::lexer::{self, Kind};

/// Heads that start, end or split a transaction, in every dialect this crate reads.
const CONTROL_HEADS: &[&str] = &[
    "BEGIN",
    "START",
    "COMMIT",
    "END",
    "ROLLBACK",
    "ABORT",
    "SAVEPOINT",
    "RELEASE",
];

/// Whether `sql` (one statement) starts, ends or splits a transaction. A statement that
/// cannot be read counts as one: callers use this to keep a transaction of theirs intact.
///
/// ```
/// use sqlimport::{DialectKind, controls_transaction};
///
/// assert!(controls_transaction("COMMIT;", DialectKind::Postgres));
/// assert!(controls_transaction("PREPARE TRANSACTION 'x'", DialectKind::Postgres));
/// assert!(!controls_transaction("CREATE TABLE t (id int)", DialectKind::Postgres));
/// // A statement block is no transaction (in PostgreSQL a procedure it calls cannot
/// // commit inside one; the server refuses).
/// assert!(!controls_transaction("DO $$ BEGIN PERFORM 1; END $$", DialectKind::Postgres));
/// ```
pub fn controls_transaction(sql: &str, dialect: DialectKind) -> bool {
    let Ok(tokens) = lexer::tokens(sql, dialect) else {
        return true;
    };
    // Comments are not tokens.
    let word = |i: usize| {
        tokens
            .get(i)
            .filter(|t| t.kind == Kind::Word)
            .map(|t| t.text(sql).to_ascii_uppercase())
    };
    match word(0).as_deref() {
        Some(head) if CONTROL_HEADS.contains(&head) => true,
        // `PREPARE name AS …` is a prepared statement; `PREPARE TRANSACTION` ends one.
        Some("PREPARE") => word(1).as_deref() == Some("TRANSACTION"),
        // `XA START`, `XA COMMIT`: MySQL's distributed transactions.
        Some("XA") => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognizes_transaction_control_behind_comments() {
        let pg = DialectKind::Postgres;
        for sql in [
            "begin",
            "BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE",
            "start transaction",
            "-- done\nCOMMIT",
            "/* x */ end;",
            "ROLLBACK TO SAVEPOINT a",
            "rollback prepared 'x'",
            "savepoint a",
            "RELEASE a",
            "abort",
        ] {
            assert!(controls_transaction(sql, pg), "{sql}");
        }
        for sql in [
            "PREPARE q AS SELECT 1",
            "CREATE TABLE begin_log (id int)",
            "INSERT INTO t VALUES ('COMMIT')",
            "SET TRANSACTION ISOLATION LEVEL READ COMMITTED",
            "CREATE INDEX CONCURRENTLY i ON t (a)",
        ] {
            assert!(!controls_transaction(sql, pg), "{sql}");
        }
        assert!(controls_transaction("XA START 'x'", DialectKind::Mysql));
        assert!(controls_transaction(
            "START TRANSACTION",
            DialectKind::Mysql
        ));
    }
}
