//! Property tests: the `atlas.sum` parser, directive reader, txtar reader and statement scanner
//! never panic or hang on arbitrary input, and keep their invariants.
//!
//! `PROPTEST_CASES` raises the case count (development runs used 100 000+ per property);
//! inputs that ever failed are kept as plain tests in `found` below.

use mercator_migrate_dir::{MigrationFile, ScannerOptions, SumFile, file_directives, scan_with};
use proptest::prelude::*;
use schema_model::DialectKind;

/// SQL-ish fragments that exercise every scanner path when glued together at random.
fn sqlish() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just(";".to_owned()),
        Just("(".to_owned()),
        Just(")".to_owned()),
        Just("'".to_owned()),
        Just("\"".to_owned()),
        Just("`".to_owned()),
        Just("\\".to_owned()),
        Just("E'".to_owned()),
        Just("$$".to_owned()),
        Just("$tag$".to_owned()),
        Just("$1".to_owned()),
        Just("--".to_owned()),
        Just("-- atlas:nolint DS103\n".to_owned()),
        Just("#".to_owned()),
        Just("/*".to_owned()),
        Just("*/".to_owned()),
        Just("\n".to_owned()),
        Just("\n\n".to_owned()),
        Just("\r\n".to_owned()),
        Just(" ".to_owned()),
        Just("BEGIN ".to_owned()),
        Just("begin\n".to_owned()),
        Just("BEGIN ATOMIC ".to_owned()),
        Just("END".to_owned()),
        Just("END;".to_owned()),
        Just("END IF;".to_owned()),
        Just("DELIMITER //\n".to_owned()),
        Just("DELIMITER ;\n".to_owned()),
        Just("delimiter ''\n".to_owned()),
        Just("//".to_owned()),
        Just("-- atlas:delimiter //\n".to_owned()),
        Just("-- atlas:txmode none\n".to_owned()),
        Just("SELECT 1".to_owned()),
        Just("é".to_owned()),
        Just("È".to_owned()),
        "[a-zA-Z0-9_ ]{0,6}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(token, 0..120).prop_map(|t| t.concat())
}

fn options() -> impl Strategy<Value = ScannerOptions> {
    prop::array::uniform6(any::<bool>()).prop_map(|b| ScannerOptions {
        match_begin: b[0],
        match_begin_atomic: b[1],
        match_dollar_quote: b[2],
        backslash_escapes: b[3],
        escaped_string_ext: b[4],
        hash_comments: b[5],
    })
}

fn check_statements(input: &str, options: ScannerOptions) {
    let Ok(stmts) = scan_with(input, options) else {
        return;
    };
    let mut last = 0;
    for s in &stmts {
        assert!(s.pos >= last, "positions increase: {input:?}");
        assert!(s.pos <= input.len(), "{input:?}");
        assert!(input.is_char_boundary(s.pos), "{input:?}");
        assert_eq!(
            s.line,
            1 + input[..s.pos].matches('\n').count(),
            "{input:?}"
        );
        // The text starts where `pos` says (custom delimiters are only cut at the end).
        let head: String = s.text.chars().take(8).collect();
        assert!(input[s.pos..].starts_with(&head), "{input:?}: {s:?}");
        assert_eq!(s.comments.len(), s.comment_lines.len());
        assert!(s.comment_lines.iter().all(|&l| l <= s.line), "{input:?}");
        let _ = s.nolint();
        last = s.pos;
    }
}

proptest! {
    #[test]
    fn sum_parser_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = SumFile::parse(&bytes);
    }

    #[test]
    fn sum_parser_on_sum_like_text(
        lines in prop::collection::vec("[ -~]{0,20}( h1:[A-Za-z0-9+/=]{0,46})?\r?", 0..8)
    ) {
        let text = lines.join("\n");
        let _ = SumFile::parse(text.as_bytes());
    }

    #[test]
    fn rendered_sums_parse_back(
        files in prop::collection::vec(("[a-z0-9_.]{1,12}\\.sql", prop::collection::vec(any::<u8>(), 0..64)), 0..6)
    ) {
        let sum = SumFile::compute(files.iter().map(|(n, b)| (n.as_str(), b.as_slice())));
        let text = sum.render();
        prop_assert_eq!(SumFile::parse(text.as_bytes()), Ok(sum.clone()));
        prop_assert_eq!(SumFile::verify(&sum, Some(text.as_bytes()), files.len()), Ok(()));
    }

    #[test]
    fn directives_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = file_directives(&bytes);
    }

    #[test]
    fn scanner_never_panics_on_any_text(input in any::<String>(), options in options()) {
        check_statements(&input, options);
    }

    #[test]
    fn scanner_never_panics_on_sqlish_text(input in sqlish(), options in options()) {
        check_statements(&input, options);
    }

    #[test]
    fn file_parse_never_panics(body in sqlish(), txtar in any::<bool>(), d in 0..3usize) {
        let text = if txtar {
            format!("-- atlas:txtar\n\n-- checks.sql --\n{body}\n-- migration.sql --\n{body}")
        } else {
            body
        };
        let file = MigrationFile::new("1_x.sql", text);
        let _ = file.parse([DialectKind::Sqlite, DialectKind::Postgres, DialectKind::Mysql][d]);
    }
}

/// Edge cases next to what the properties explore, and inputs they found.
mod found {
    use super::*;

    const ALL: ScannerOptions = ScannerOptions {
        match_begin: true,
        match_begin_atomic: true,
        match_dollar_quote: true,
        backslash_escapes: true,
        escaped_string_ext: true,
        hash_comments: true,
    };

    #[test]
    fn lone_quote_delimiter_command() {
        // `delimiter '` is one quote character, not an empty quoted delimiter.
        assert!(scan_with("delimiter '\nSELECT 1;", ALL).is_ok());
    }
}
