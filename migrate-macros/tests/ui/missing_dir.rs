static MIGRATIONS: mercator_migrate_dir::EmbeddedDir =
    mercator_macros::embed_migrations!("tests/ui/does-not-exist", crate = mercator_migrate_dir);

fn main() {
    let _ = MIGRATIONS;
}
