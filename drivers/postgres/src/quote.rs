//! Quoting of identifiers and literals.

/// `"name"` with embedded quotes doubled. Every identifier is quoted so names that are
/// keywords or carry upper case survive unchanged.
pub(crate) fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `'text'` with embedded quotes doubled.
pub(crate) fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// An object name, qualified with its schema unless that schema is the one the plan is
/// rendered for without qualifiers.
pub(crate) fn qualified(schema: &str, name: &str, unqualified: Option<&str>) -> String {
    if unqualified == Some(schema) {
        ident(name)
    } else {
        format!("{}.{}", ident(schema), ident(name))
    }
}

/// Reverses [`ident`] for names the server prints (quoted only when needed).
pub(crate) fn unquote(text: &str) -> String {
    let text = text.trim();
    if text.len() >= 2 && text.starts_with('"') && text.ends_with('"') {
        text[1..text.len() - 1].replace("\"\"", "\"")
    } else {
        text.to_owned()
    }
}

/// Whether `text` is a single identifier as the server prints it (bare lower-case or quoted).
pub(crate) fn is_identifier(text: &str) -> bool {
    let text = text.trim();
    if text.len() >= 2 && text.starts_with('"') && text.ends_with('"') {
        return !text[1..text.len() - 1].replace("\"\"", "").contains('"');
    }
    let mut chars = text.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$')
}

/// Splits `text` on commas outside parentheses and quotes.
pub(crate) fn split_top_level(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match quote {
            Some(q) => {
                if c == q {
                    quote = None;
                }
            }
            None => match c {
                '\'' | '"' => quote = Some(c),
                '(' | '[' => depth += 1,
                ')' | ']' => depth -= 1,
                ',' if depth == 0 => {
                    parts.push(current.trim().to_owned());
                    current.clear();
                    continue;
                }
                _ => {}
            },
        }
        current.push(c);
    }
    if !current.trim().is_empty() {
        parts.push(current.trim().to_owned());
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(literal("it's"), "'it''s'");
        assert_eq!(qualified("public", "t", Some("public")), "\"t\"");
        assert_eq!(qualified("s", "t", Some("public")), "\"s\".\"t\"");
        assert_eq!(unquote("\"A\"\"b\""), "A\"b");
        assert!(is_identifier("created_at"));
        assert!(is_identifier("\"Mixed\""));
        assert!(!is_identifier("lower(name)"));
        assert_eq!(
            split_top_level("a, f(b, c), 'x,y'"),
            ["a", "f(b, c)", "'x,y'"]
        );
    }
}
