//! Quoting and the names SQLite does not keep.

/// `name` as a double-quoted identifier, embedded quotes doubled.
pub fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The name given to a foreign key declared without `CONSTRAINT name`: SQLite keeps none,
/// and the name must not depend on declaration order so re-inspection finds the same one.
pub fn foreign_key_name(table: &str, columns: &[String]) -> String {
    format!("{table}_{}_fkey", columns.join("_"))
}

/// The name given to a `UNIQUE` constraint declared without a name (SQLite names its
/// backing index `sqlite_autoindex_<table>_<n>`, which shifts as constraints change).
pub fn unique_name(table: &str, columns: &[String]) -> String {
    format!("{table}_{}_key", columns.join("_"))
}

/// `name`, or `name_2`, `name_3`, … when an earlier object took it.
pub(crate) fn dedup(name: String, taken: &mut std::collections::HashSet<String>) -> String {
    if taken.insert(name.clone()) {
        return name;
    }
    let mut n = 2;
    loop {
        let candidate = format!("{name}_{n}");
        if taken.insert(candidate.clone()) {
            return candidate;
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_doubles_quotes() {
        assert_eq!(quote("a \"b\""), "\"a \"\"b\"\"\"");
    }
}
