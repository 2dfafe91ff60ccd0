//! Lexical name lookup in SQL text (view definitions, routine bodies), used to find
//! dependencies between objects whose definitions are kept as text.

use std::collections::HashSet;

/// Lower-cased identifiers and quoted identifiers appearing in `sql` (string literals and
/// comments skipped). Qualified names contribute each part.
pub(crate) fn identifiers(sql: &str) -> HashSet<String> {
    let mut out = HashSet::new();
    let chars: Vec<char> = sql.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            i = skip_quoted(&chars, i, '\'');
        } else if c == '"' || c == '`' || c == '[' {
            let close = if c == '[' { ']' } else { c };
            let end = skip_quoted(&chars, i, close);
            let inner: String = chars[i + 1..end.saturating_sub(1).max(i + 1)]
                .iter()
                .collect();
            out.insert(inner.to_lowercase());
            i = end;
        } else if c == '-' && chars.get(i + 1) == Some(&'-') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            i += 2;
            while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
            {
                i += 1;
            }
            out.insert(chars[start..i].iter().collect::<String>().to_lowercase());
        } else {
            i += 1;
        }
    }
    out
}

/// Index just past the closing quote of the quoted run starting at `start`; doubled quotes
/// are escapes.
fn skip_quoted(chars: &[char], start: usize, close: char) -> usize {
    let mut i = start + 1;
    while i < chars.len() {
        if chars[i] == close {
            if chars.get(i + 1) == Some(&close) && close != ']' {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    chars.len()
}

#[cfg(test)]
mod tests {
    use super::identifiers;

    #[test]
    fn finds_identifiers_outside_literals() {
        let ids = identifiers("SELECT a.\"Name\" FROM public.users a -- orders\nWHERE x = 'items'");
        assert!(ids.contains("users"));
        assert!(ids.contains("name"));
        assert!(ids.contains("public"));
        assert!(!ids.contains("orders"));
        assert!(!ids.contains("items"));
    }
}
