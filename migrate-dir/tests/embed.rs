//! `embed_migrations!` (from `mercator-macros`) builds an `EmbeddedDir` equal to the directory.

use mercator_migrate_dir::{EmbeddedDir, MigrationDir};

static SQLITETX: EmbeddedDir = mercator_macros::embed_migrations!(
    "tests/fixtures/atlas/cmdapi-sqlitetx",
    crate = mercator_migrate_dir
);

#[test]
fn embedded_directory_equals_the_one_on_disk() {
    let on_disk = MigrationDir::open(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/atlas/cmdapi-sqlitetx"
    ))
    .expect("opens");
    let embedded = SQLITETX.to_dir();
    assert_eq!(embedded.files(), on_disk.files());
    assert_eq!(embedded.sum_bytes(), on_disk.sum_bytes());
    embedded.validate().expect("valid");
    assert_eq!(SQLITETX.files[0].name, "20220925092817_initial.sql");
}

#[test]
fn every_valid_fixture_embeds() {
    // A local module named like the facade path proves `crate = …` is used verbatim.
    mod facade {
        pub use mercator_migrate_dir::{EmbeddedDir, EmbeddedFile};
    }
    let dir: EmbeddedDir = mercator_macros::embed_migrations!(
        "tests/fixtures/atlas/sql-partial-checkpoint",
        crate = facade
    );
    assert_eq!(dir.files.len(), 6);
    assert_eq!(
        MigrationDir::from(dir).last_checkpoint().expect("valid"),
        Some(4)
    );
}
