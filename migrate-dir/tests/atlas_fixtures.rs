//! Atlas's own migration directories and scanner test data (see `fixtures/SOURCE.md`).

use std::fs;
use std::path::{Path, PathBuf};

use mercator_migrate_dir::{
    FileErrorKind, MigrationDir, MigrationFile, Reason, ScannerOptions, SumError, TxMode, scan_with,
};
use schema_model::DialectKind;

fn fixtures(group: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(group)
}

fn atlas_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<_> = fs::read_dir(fixtures("atlas"))
        .expect("fixtures exist")
        .map(|e| e.expect("entry").path())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 10, "fixtures missing: {dirs:?}");
    dirs
}

/// Copies a fixture into a temporary directory that a test may change.
fn scratch(name: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    for entry in fs::read_dir(fixtures("atlas").join(name)).expect("fixture") {
        let entry = entry.expect("entry");
        if entry.file_type().expect("type").is_file() {
            fs::copy(entry.path(), tmp.path().join(entry.file_name())).expect("copy");
        }
    }
    tmp
}

#[test]
fn hashing_reproduces_every_atlas_sum_byte_for_byte() {
    for dir in atlas_dirs() {
        let recorded = fs::read(dir.join("atlas.sum")).expect("atlas.sum");
        let migrations = MigrationDir::open(&dir).expect("opens");
        assert_eq!(
            migrations.compute_sum().render().as_bytes(),
            recorded.as_slice(),
            "{}",
            dir.display()
        );
        migrations.validate().expect("valid");
        let parsed = migrations.recorded_sum().expect("parses").expect("present");
        assert_eq!(parsed, migrations.compute_sum());
    }
}

#[test]
fn only_top_level_sql_files_count() {
    // `sql/migrate/testdata/migrate` has a `sub` folder in Atlas; ours has `.up.sql` names.
    let dir = MigrationDir::open(fixtures("atlas").join("sql-migrate-sub")).expect("opens");
    let names: Vec<_> = dir.files().iter().map(MigrationFile::name).collect();
    assert_eq!(
        names,
        [
            "1.a_sub.up.sql",
            "2.10.x-20_description.sql",
            "3_partly.sql"
        ]
    );
    assert_eq!(dir.files()[0].version(), "1.a");
    assert_eq!(dir.files()[0].description(), "sub.up");

    let tmp = scratch("cmdapi-sqlite");
    fs::create_dir(tmp.path().join("nested.sql")).expect("mkdir");
    fs::write(tmp.path().join("nested.sql/9.sql"), "SELECT 1;").expect("write");
    fs::write(tmp.path().join("README.md"), "notes").expect("write");
    let dir = MigrationDir::open(tmp.path()).expect("opens");
    assert_eq!(dir.files().len(), 2);
    dir.validate().expect("other files do not matter");
}

#[test]
fn editing_a_file_is_reported_at_its_sum_line() {
    let tmp = scratch("cmdapi-sqlitetx");
    let path = tmp.path().join("20220925094021_second.sql");
    let mut bytes = fs::read(&path).expect("read");
    bytes.extend_from_slice(b"-- one more line\n");
    fs::write(&path, bytes).expect("write");
    let err = MigrationDir::open(tmp.path())
        .expect("opens")
        .validate()
        .unwrap_err();
    assert_eq!(
        err,
        SumError::Mismatch {
            line: 3,
            file: "20220925094021_second.sql".into(),
            reason: Reason::Edited
        }
    );
    assert!(err.to_string().contains("mercator migrate hash"), "{err}");
}

#[test]
fn crlf_conversion_counts_as_an_edit() {
    let tmp = scratch("cmdapi-sqlite");
    let path = tmp.path().join("20220318104614_initial.sql");
    let text = fs::read_to_string(&path)
        .expect("read")
        .replace('\n', "\r\n");
    fs::write(&path, text).expect("write");
    let err = MigrationDir::open(tmp.path())
        .expect("opens")
        .validate()
        .unwrap_err();
    assert!(
        matches!(
            err,
            SumError::Mismatch {
                line: 2,
                reason: Reason::Edited,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn adding_files_is_reported() {
    // Appended after the last file.
    let tmp = scratch("sql-partial-checkpoint");
    fs::write(tmp.path().join("7_seventh.sql"), "SELECT 7;\n").expect("write");
    let err = MigrationDir::open(tmp.path())
        .expect("opens")
        .validate()
        .unwrap_err();
    assert_eq!(
        err,
        SumError::Mismatch {
            line: 8,
            file: "7_seventh.sql".into(),
            reason: Reason::Added
        }
    );
    // Inserted in the middle: the new file takes the place of the next recorded one.
    let tmp = scratch("sql-partial-checkpoint");
    fs::write(tmp.path().join("2a_between.sql"), "SELECT 2;\n").expect("write");
    let err = MigrationDir::open(tmp.path())
        .expect("opens")
        .validate()
        .unwrap_err();
    assert_eq!(
        err,
        SumError::Mismatch {
            line: 4,
            file: "2a_between.sql".into(),
            reason: Reason::Added
        }
    );
}

#[test]
fn removing_a_file_is_reported() {
    let tmp = scratch("migrate-broken");
    fs::remove_file(tmp.path().join("2.sql")).expect("rm");
    let err = MigrationDir::open(tmp.path())
        .expect("opens")
        .validate()
        .unwrap_err();
    assert_eq!(
        err,
        SumError::Mismatch {
            line: 3,
            file: "2.sql".into(),
            reason: Reason::Removed
        }
    );
}

#[test]
fn missing_and_hand_edited_sum_files() {
    let tmp = scratch("integration-mysql");
    let sum_path = tmp.path().join("atlas.sum");
    let original = fs::read_to_string(&sum_path).expect("read");
    fs::remove_file(&sum_path).expect("rm");
    let err = MigrationDir::open(tmp.path())
        .expect("opens")
        .validate()
        .unwrap_err();
    assert_eq!(err, SumError::NotFound);
    assert!(err.to_string().starts_with("checksum file not found"));
    // An empty directory needs no sum file.
    let empty = tempfile::tempdir().expect("tempdir");
    MigrationDir::open(empty.path())
        .expect("opens")
        .validate()
        .expect("empty is fine");

    fs::write(
        &sum_path,
        original.replace("1_initial.sql h1:", "1_initial.sql h1:x"),
    )
    .expect("write");
    let err = MigrationDir::open(tmp.path())
        .expect("opens")
        .validate()
        .unwrap_err();
    assert_eq!(err, SumError::TotalMismatch);
}

#[test]
fn hash_rewrites_the_sum_after_an_intended_change() {
    let tmp = scratch("atlasexec-migrations");
    let mut dir = MigrationDir::open(tmp.path()).expect("opens");
    let before = dir.sum_bytes().expect("sum").to_vec();
    dir.add_file(MigrationFile::new(
        "20240101000000_more.sql",
        "CREATE TABLE more (id int);\n",
    ))
    .expect("adds");
    let reread = MigrationDir::open(tmp.path()).expect("opens");
    reread.validate().expect("consistent on disk");
    let text = String::from_utf8(reread.sum_bytes().expect("sum").to_vec()).expect("utf8");
    // Only the total and the new last line change.
    let old_lines: Vec<_> = std::str::from_utf8(&before)
        .expect("utf8")
        .lines()
        .skip(1)
        .collect();
    let new_lines: Vec<_> = text.lines().skip(1).collect();
    assert_eq!(&new_lines[..old_lines.len()], old_lines.as_slice());
    assert!(new_lines[old_lines.len()].starts_with("20240101000000_more.sql h1:"));

    let name = dir
        .create_file("add_pets", "CREATE TABLE pets (id int);\n")
        .expect("creates");
    assert!(name.len() == "yyyyMMddHHmmss_add_pets.sql".len() && name.ends_with("_add_pets.sql"));
    assert_eq!(
        dir.files().last().map(MigrationFile::name),
        Some(name.as_str())
    );
    MigrationDir::open(tmp.path())
        .expect("opens")
        .validate()
        .expect("consistent on disk");
}

#[test]
fn directives_from_atlas_files() {
    let dir = MigrationDir::open(fixtures("atlas").join("cmdapi-sqlitetx3")).expect("opens");
    let d = dir.files()[1].directives().expect("valid");
    assert_eq!(d.txmode, Some(TxMode::None));
    let parsed = dir.files()[1].parse(DialectKind::Sqlite).expect("parses");
    assert_eq!(parsed.statements.len(), 2);
    assert_eq!(parsed.statements[0].comments, ["-- Create a table.\n"]);
    assert_eq!(parsed.statements[0].line, 4);
    assert_eq!(parsed.statements[1].line, 7);
    assert_eq!(dir.files()[0].directives().expect("valid").txmode, None);

    let dir = MigrationDir::open(fixtures("atlas").join("cmdapi-sqlitetx4")).expect("opens");
    let err = dir.files()[1].parse(DialectKind::Sqlite).unwrap_err();
    assert_eq!(err.file, "20220925094021_second.sql");
    assert_eq!(err.line, 1);
    assert!(matches!(err.kind, FileErrorKind::Directive(_)));
    assert_eq!(
        err.to_string(),
        "20220925094021_second.sql:1: unknown atlas:txmode \"unknown\": expected none or file"
    );
}

#[test]
fn checkpoints_from_atlas_files() {
    let dir = MigrationDir::open(fixtures("atlas").join("sql-partial-checkpoint")).expect("opens");
    assert_eq!(dir.last_checkpoint().expect("valid"), Some(4));
    let names: Vec<_> = dir
        .files_from_last_checkpoint()
        .expect("valid")
        .iter()
        .map(MigrationFile::name)
        .collect();
    assert_eq!(names, ["5_checkpoint.sql", "6_sixth.sql"]);
    let d = dir.files()[2].directives().expect("valid");
    assert_eq!(d.checkpoint.map(|c| (c.tag, c.line)), Some((None, 1)));
}

#[test]
fn every_atlas_file_scans_for_its_dialect() {
    for dir in atlas_dirs() {
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let dialect = if name.contains("postgres") {
            DialectKind::Postgres
        } else if name.contains("mysql") {
            DialectKind::Mysql
        } else {
            DialectKind::Sqlite
        };
        for file in MigrationDir::open(&dir).expect("opens").files() {
            if name == "cmdapi-sqlitetx4" && file.name().contains("second") {
                continue; // deliberately invalid directive, tested above
            }
            let parsed = file
                .parse(dialect)
                .unwrap_or_else(|e| panic!("{name}/{}: {e}", file.name()));
            assert!(!parsed.statements.is_empty(), "{name}/{}", file.name());
            for s in &parsed.statements {
                assert!(s.text.ends_with(';') || !s.text.contains(';'), "{}", s.text);
                let at = &file.text().expect("utf8")[s.pos..];
                assert!(
                    at.starts_with(&s.text[..s.text.len().min(10)]),
                    "{name}: pos of {}",
                    s.text
                );
            }
        }
    }
}

/// Atlas's golden files: statements joined by `\n-- end --\n`.
fn check_goldens(group: &str, options: impl Fn(&str) -> ScannerOptions) -> usize {
    let mut checked = 0;
    let mut names: Vec<_> = fs::read_dir(fixtures("atlas-lex").join(group))
        .expect("fixtures")
        .map(|e| e.expect("entry").file_name().into_string().expect("utf8"))
        .filter(|n| n.ends_with(".sql"))
        .collect();
    names.sort();
    for name in names {
        let dir = fixtures("atlas-lex").join(group);
        let input = fs::read_to_string(dir.join(&name)).expect("read");
        let golden = fs::read_to_string(dir.join(format!("{name}.golden"))).expect("golden");
        let stmts = scan_with(&input, options(&name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        // Their directives are valid file directives too.
        mercator_migrate_dir::file_directives(input.as_bytes())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let got: Vec<_> = stmts.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(got.join("\n-- end --\n"), golden, "{group}/{name}");
        for s in &stmts {
            let line = 1 + input[..s.pos].matches('\n').count();
            assert_eq!(s.line, line, "{group}/{name}");
        }
        checked += 1;
    }
    checked
}

#[test]
fn scanner_matches_atlas_lex_goldens() {
    // Atlas's own test turns every option on, and `#` comments off for `_pg` files.
    let n = check_goldens("lex", |name| ScannerOptions {
        match_begin: true,
        match_begin_atomic: true,
        match_dollar_quote: true,
        backslash_escapes: true,
        escaped_string_ext: true,
        hash_comments: !name.contains("_pg"),
    });
    assert_eq!(n, 18);
    // The comparison is sharp: without dollar quotes the same file splits differently.
    let dollar = fixtures("atlas-lex").join("lex/15_dollar_quote.sql");
    let input = fs::read_to_string(dollar).expect("read");
    let golden = fs::read_to_string(fixtures("atlas-lex").join("lex/15_dollar_quote.sql.golden"))
        .expect("read");
    let plain = scan_with(&input, ScannerOptions::for_dialect(DialectKind::Sqlite)).map(|s| {
        s.iter()
            .map(|s| s.text.clone())
            .collect::<Vec<_>>()
            .join("\n-- end --\n")
    });
    assert_ne!(plain.as_deref(), Ok(golden.as_str()));
}

#[test]
fn scanner_matches_atlas_group_goldens() {
    let n = check_goldens("lexgroup", |_| ScannerOptions {
        match_begin: true,
        ..ScannerOptions::default()
    });
    assert_eq!(n, 3);
}

#[test]
fn scanner_matches_atlas_escape_goldens() {
    let n = check_goldens("lexescaped", |name| {
        if name.contains(".my.") {
            ScannerOptions::for_dialect(DialectKind::Mysql)
        } else {
            ScannerOptions::for_dialect(DialectKind::Postgres)
        }
    });
    assert_eq!(n, 2);
    // MySQL escapes break standard PostgreSQL strings, as in Atlas's test.
    let pg = fs::read_to_string(fixtures("atlas-lex").join("lexescaped/2.pg.sql")).expect("read");
    let err = scan_with(&pg, ScannerOptions::for_dialect(DialectKind::Mysql)).unwrap_err();
    assert_eq!(
        (err.line, err.message.as_str()),
        (4, "unclosed quote '\\''")
    );
}
