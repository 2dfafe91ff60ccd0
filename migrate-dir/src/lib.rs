//! Migration directories in Atlas's layout: files, `atlas.sum`, directives, statement splitting.
//!
//! This crate is the pure, driver-free foundation of versioned migrations: it reads a directory
//! of `*.sql` files (from disk, or embedded at compile time by `mercator-macros`'s
//! `embed_migrations!`), checks it against `atlas.sum` byte for byte as Atlas does, reads the
//! `atlas:` directives, splits files into statements per dialect with 1-based lines, computes
//! the `hash` and `partial_hashes` values of the revisions table, and writes new files with an
//! updated `atlas.sum`. It does no I/O besides reading and writing the directory, and knows
//! nothing of databases: executing files, the revisions table and locks live in
//! `mercator-migrate`, which re-exports this crate as `mercator_migrate::dir`.
//!
//! ```
//! use mercator_migrate_dir::{Change, MigrationDir, MigrationFile, RenderOptions, render_file};
//! use schema_model::DialectKind;
//!
//! // A directory in memory: one generated file, then `atlas.sum` computed for it.
//! let text = render_file(
//!     &RenderOptions::default(),
//!     &[Change::new(r#"create "users" table"#, "CREATE TABLE users (id int)")],
//! );
//! let mut dir = MigrationDir::default();
//! dir.add_file(MigrationFile::new("20240101000000_init.sql", text))?;
//! dir.validate()?;
//!
//! let file = &dir.files()[0];
//! assert_eq!((file.version(), file.description()), ("20240101000000", "init"));
//! let parsed = file.parse(DialectKind::Sqlite)?;
//! assert_eq!(parsed.statements[0].text, "CREATE TABLE users (id int);");
//! assert_eq!(parsed.statements[0].line, 2);
//! assert_eq!(parsed.partial_hashes().len(), 1);
//!
//! // Editing a file without re-hashing is caught, naming the file and the sum-file line.
//! let edited = MigrationDir::from_files(
//!     [MigrationFile::new("20240101000000_init.sql", "DROP TABLE users;")],
//!     dir.sum_bytes().map(<[u8]>::to_vec),
//! );
//! let err = edited.validate().unwrap_err();
//! assert_eq!(
//!     err.to_string(),
//!     "checksum mismatch: atlas.sum:2: file 20240101000000_init.sql was edited; \
//!      if this was intended, run `mercator migrate hash` to update atlas.sum"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Neighbours: `mercator-migrate` runs these files against a database (apply, status, …);
//! `schema-lint` analyses them using [`Statement::nolint`] and [`FileDirectives::nolint`].

#![deny(missing_docs)]

mod dir;
mod directive;
mod file;
mod render;
mod scan;
mod sum;
mod txtar;

pub use dir::{DirError, EmbeddedDir, EmbeddedFile, MigrationDir};
pub use directive::{
    Checkpoint, Directive, DirectiveError, FileDirectives, Nolint, TxMode, escape_delimiter,
    file_directives, is_sum_ignored, unescape_delimiter,
};
pub use file::{
    FileError, FileErrorKind, MigrationFile, ParsedFile, file_name, new_version, partial_hashes,
    version_at,
};
pub use render::{Change, RenderOptions, render_file};
pub use scan::{ScanError, ScannerOptions, Statement, scan, scan_with};
pub use sum::{HASH_COMMAND, Reason, SUM_FILE_NAME, SumEntry, SumError, SumFile};
pub use txtar::PreMigrationCheck;
