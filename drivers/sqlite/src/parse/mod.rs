//! Reading the `CREATE` statements SQLite stores in `sqlite_schema`.

pub(crate) mod lexer;
mod objects;
mod table;

pub(crate) use objects::{parse_create_index, parse_create_view};
pub(crate) use table::{ParsedTable, ParsedUnique, parse_create_table};

#[cfg(test)]
mod tests {
    use super::*;

    /// Every prefix of every test schema (truncated statements, unbalanced quotes and
    /// parentheses) parses without panicking.
    #[test]
    fn truncated_input_never_panics() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas");
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let sql = std::fs::read_to_string(entry.path()).unwrap_or_default();
            for (at, _) in sql.char_indices() {
                let prefix = &sql[..at];
                let _ = parse_create_table(prefix);
                let _ = parse_create_index(prefix);
                let _ = parse_create_view(prefix);
                let _ = crate::types::parse_type(prefix);
                let _ = crate::types::parse_default(prefix);
                let _ = crate::types::strip_outer_parens(prefix);
            }
        }
    }
}
