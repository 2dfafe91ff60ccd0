//! Examples of using Mercator as a library.
//!
//! - `quickstart` (`cargo run -q -p mercator-examples --bin quickstart [DB_PATH]`) applies
//!   `examples/quickstart/schema.sql` to a SQLite file, prints the plan, then runs again to
//!   show that nothing is left to change.
//! - `embed` shows the smallest program that keeps an application's SQLite database at the
//!   schema it ships with, at start-up.
//!
//! The path of the quickstart schema, for programs and tests that want to reuse it:
//!
//! ```
//! assert!(mercator_examples::quickstart_schema().ends_with("quickstart/schema.sql"));
//! assert!(mercator_examples::quickstart_schema().exists());
//! ```

use std::path::PathBuf;

/// The quickstart's schema file, `examples/quickstart/schema.sql`.
pub fn quickstart_schema() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("quickstart")
        .join("schema.sql")
}
