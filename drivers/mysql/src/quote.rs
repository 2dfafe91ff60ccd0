//! Quoting identifiers and literals.

/// Quotes an identifier with backticks, doubling any backtick inside.
pub fn ident(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// `schema`.`name`, or just `name` when the schema is the unqualified one.
pub fn qualified(schema: &str, name: &str, unqualified: Option<&str>) -> String {
    if unqualified == Some(schema) {
        ident(name)
    } else {
        format!("{}.{}", ident(schema), ident(name))
    }
}

/// A single-quoted string literal. Backslashes are doubled because the default SQL mode
/// treats them as escapes.
pub fn string(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes() {
        assert_eq!(ident("a`b"), "`a``b`");
        assert_eq!(qualified("s", "t", None), "`s`.`t`");
        assert_eq!(qualified("s", "t", Some("s")), "`t`");
        assert_eq!(string("it's \\ ok"), "'it''s \\\\ ok'");
    }
}
