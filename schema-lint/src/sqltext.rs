//! A tiny lexical view of a statement's text, for the few rules that depend on how a
//! statement was written rather than on what it changed (`CONCURRENTLY`, `NOT VALID`,
//! MySQL's ignored inline `REFERENCES`).
//!
//! It never rejects input: string literals and comments are skipped, quoted identifiers
//! become words, everything else is a word or a single punctuation character.

/// One token of a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Token {
    /// A keyword or identifier; quoted identifiers keep their inner text.
    Word(String),
    /// A punctuation character (`(`, `)`, `,`, `;`, …).
    Punct(char),
}

impl Token {
    /// Whether the token is the keyword `kw` (case-insensitive; quoted words never match
    /// because their text keeps its case only when the caller compares exactly).
    pub(crate) fn is(&self, kw: &str) -> bool {
        matches!(self, Token::Word(w) if w.eq_ignore_ascii_case(kw))
    }
}

/// Splits `sql` into tokens, skipping literals and comments.
pub(crate) fn tokens(sql: &str) -> Vec<Token> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '-' if chars.get(i + 1) == Some(&'-') => i = skip_line(&chars, i),
            '#' => i = skip_line(&chars, i),
            '/' if chars.get(i + 1) == Some(&'*') => {
                i += 2;
                while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                    i += 1;
                }
                i += 2;
            }
            '\'' => i = skip_quoted(&chars, i, '\'').0,
            '"' | '`' => {
                let (next, text) = skip_quoted(&chars, i, c);
                out.push(Token::Word(text));
                i = next;
            }
            '$' if dollar_tag(&chars, i).is_some() => {
                let tag = dollar_tag(&chars, i).unwrap_or_default();
                i += tag.len();
                while i < chars.len() && !chars[i..].starts_with(&tag) {
                    i += 1;
                }
                i += tag.len();
            }
            c if c.is_alphanumeric() || c == '_' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '$'))
                {
                    i += 1;
                }
                out.push(Token::Word(chars[start..i].iter().collect()));
            }
            c => {
                out.push(Token::Punct(c));
                i += 1;
            }
        }
    }
    out
}

fn skip_line(chars: &[char], mut i: usize) -> usize {
    while i < chars.len() && chars[i] != '\n' {
        i += 1;
    }
    i
}

/// Skips a quoted run starting at `i`; a doubled quote stands for itself. Returns the
/// position after the closing quote and the inner text.
fn skip_quoted(chars: &[char], mut i: usize, quote: char) -> (usize, String) {
    let mut text = String::new();
    i += 1;
    while i < chars.len() {
        if chars[i] == '\\' && quote == '\'' {
            // Backslash escapes (MySQL, PostgreSQL E'' strings): the next char is literal.
            i += 2;
            continue;
        }
        if chars[i] == quote {
            if chars.get(i + 1) == Some(&quote) {
                text.push(quote);
                i += 2;
                continue;
            }
            return (i + 1, text);
        }
        text.push(chars[i]);
        i += 1;
    }
    (i, text)
}

/// A PostgreSQL dollar-quote opener (`$$` or `$tag$`) at `i`.
fn dollar_tag(chars: &[char], i: usize) -> Option<Vec<char>> {
    let mut j = i + 1;
    while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
        j += 1;
    }
    (chars.get(j) == Some(&'$')).then(|| chars[i..=j].to_vec())
}

/// Whether the keywords appear consecutively anywhere in the tokens.
pub(crate) fn has_sequence(tokens: &[Token], words: &[&str]) -> bool {
    tokens
        .windows(words.len())
        .any(|w| w.iter().zip(words).all(|(t, kw)| t.is(kw)))
}

/// Splits tokens at top-level commas (parenthesis depth `depth`), dropping the commas.
pub(crate) fn split_commas(tokens: &[Token]) -> Vec<&[Token]> {
    let mut parts = Vec::new();
    let mut level = 0i32;
    let mut start = 0;
    for (i, t) in tokens.iter().enumerate() {
        match t {
            Token::Punct('(') => level += 1,
            Token::Punct(')') => level -= 1,
            Token::Punct(',') if level == 0 => {
                parts.push(&tokens[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&tokens[start..]);
    parts
}

/// The tokens inside the first top-level parenthesis group, if any.
pub(crate) fn first_group(tokens: &[Token]) -> Option<&[Token]> {
    let open = tokens.iter().position(|t| *t == Token::Punct('('))?;
    let mut level = 0i32;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        match t {
            Token::Punct('(') => level += 1,
            Token::Punct(')') => {
                level -= 1;
                if level == 0 {
                    return Some(&tokens[open + 1..i]);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_literals_and_comments() {
        let t = tokens(
            "-- CONCURRENTLY\nCREATE INDEX /* NOT VALID */ i ON t ('CONCURRENTLY', $$x$$, \"Col\")",
        );
        assert!(!has_sequence(&t, &["CONCURRENTLY"]));
        assert!(!has_sequence(&t, &["NOT", "VALID"]));
        assert!(t.contains(&Token::Word("Col".into())));
        assert!(has_sequence(
            &tokens("create index concurrently i on t(a)"),
            &["CREATE", "INDEX", "CONCURRENTLY"]
        ));
    }

    #[test]
    fn splits_on_top_level_commas() {
        let t = tokens("a int, b numeric(10, 2), c int");
        assert_eq!(split_commas(&t).len(), 3);
        let t = tokens("CREATE TABLE t (a int, b int) ENGINE = x");
        assert_eq!(split_commas(first_group(&t).unwrap_or_default()).len(), 2);
        assert!(first_group(&tokens("CREATE TABLE t (a int")).is_none());
    }
}
