//! `embed_migrations!` must fail the build when a directory does not match its `atlas.sum`.

#[test]
fn mismatching_directories_fail_the_build() {
    // trybuild compiles the cases in a generated crate elsewhere; point the macro back here.
    // SAFETY: this is the only test in this binary, so no other thread reads the environment.
    unsafe {
        std::env::set_var("MERCATOR_EMBED_BASE_DIR", env!("CARGO_MANIFEST_DIR"));
    }
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
