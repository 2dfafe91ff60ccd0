//! A small SQL tokenizer for the statements SQLite keeps in `sqlite_schema`.
//!
//! SQLite stores `CREATE` statements verbatim, and the pragmas leave out check
//! constraints, generation expressions, explicit collations and deferrability; those are
//! read back from the text. Tokens keep their byte spans so expressions can be copied out
//! exactly as written, which is what makes rendering and re-inspection agree.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A bare word: keyword or unquoted identifier.
    Word,
    /// A quoted identifier: `"x"`, `` `x` `` or `[x]`.
    Quoted,
    /// A string literal `'x'` (also usable as an identifier in SQLite).
    Str,
    /// A numeric literal.
    Number,
    /// `(`.
    Open,
    /// `)`.
    Close,
    /// `,`.
    Comma,
    /// `;`.
    Semi,
    /// Any other operator or punctuation character.
    Punct,
}

/// A token with its byte span in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    /// Kind.
    pub kind: Kind,
    /// Start offset (inclusive).
    pub start: usize,
    /// End offset (exclusive).
    pub end: usize,
    /// The identifier or literal value with quotes removed; the text for other tokens.
    pub value: String,
}

impl Token {
    /// Whether the token is the bare keyword `word` (case-insensitive).
    pub fn is(&self, word: &str) -> bool {
        self.kind == Kind::Word && self.value.eq_ignore_ascii_case(word)
    }

    /// Whether the token can name something (identifier, quoted identifier, string).
    pub fn is_name(&self) -> bool {
        matches!(self.kind, Kind::Word | Kind::Quoted | Kind::Str)
    }
}

/// Splits `sql` into tokens, skipping whitespace and comments. Unterminated quotes and
/// comments run to the end of the input instead of failing: the text came from SQLite,
/// which already accepted it.
pub(crate) fn tokenize(sql: &str) -> Vec<Token> {
    let bytes = sql.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        match c {
            b' ' | b'\t' | b'\n' | b'\r' | 0x0c => i += 1,
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i = (i + 2).min(bytes.len());
            }
            b'\'' | b'"' | b'`' => {
                let (end, value) = quoted(sql, i, c);
                let kind = if c == b'\'' { Kind::Str } else { Kind::Quoted };
                tokens.push(Token {
                    kind,
                    start,
                    end,
                    value,
                });
                i = end;
            }
            b'[' => {
                let end = sql[i..].find(']').map(|p| i + p + 1).unwrap_or(bytes.len());
                let inner_end = if end > i + 1 && bytes[end - 1] == b']' {
                    end - 1
                } else {
                    end
                };
                tokens.push(Token {
                    kind: Kind::Quoted,
                    start,
                    end,
                    value: sql[i + 1..inner_end].to_owned(),
                });
                i = end;
            }
            b'(' | b')' | b',' | b';' => {
                let kind = match c {
                    b'(' => Kind::Open,
                    b')' => Kind::Close,
                    b',' => Kind::Comma,
                    _ => Kind::Semi,
                };
                tokens.push(Token {
                    kind,
                    start,
                    end: i + 1,
                    value: (c as char).to_string(),
                });
                i += 1;
            }
            b'0'..=b'9' => {
                i = number_end(bytes, i);
                tokens.push(token(sql, Kind::Number, start, i));
            }
            b'.' if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                i = number_end(bytes, i);
                tokens.push(token(sql, Kind::Number, start, i));
            }
            _ if c == b'_' || c == b'$' || c.is_ascii_alphabetic() || c >= 0x80 => {
                while i < bytes.len()
                    && (bytes[i] == b'_'
                        || bytes[i] == b'$'
                        || bytes[i].is_ascii_alphanumeric()
                        || bytes[i] >= 0x80)
                {
                    i += 1;
                }
                tokens.push(token(sql, Kind::Word, start, i));
            }
            _ => {
                // Multi-byte operators are irrelevant to the structure we read; one
                // character per token keeps spans exact.
                i += 1;
                tokens.push(token(sql, Kind::Punct, start, i));
            }
        }
    }
    tokens
}

fn token(sql: &str, kind: Kind, start: usize, end: usize) -> Token {
    Token {
        kind,
        start,
        end,
        value: sql[start..end].to_owned(),
    }
}

fn number_end(bytes: &[u8], mut i: usize) -> usize {
    if bytes[i] == b'0' && matches!(bytes.get(i + 1), Some(b'x' | b'X')) {
        i += 2;
        while i < bytes.len() && bytes[i].is_ascii_hexdigit() {
            i += 1;
        }
        return i;
    }
    while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
        i += 1;
    }
    if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
        let mut j = i + 1;
        if j < bytes.len() && (bytes[j] == b'+' || bytes[j] == b'-') {
            j += 1;
        }
        if j < bytes.len() && bytes[j].is_ascii_digit() {
            i = j;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
        }
    }
    i
}

/// End offset and unescaped value of the quoted run starting at `start`; a doubled quote
/// is an escaped quote.
fn quoted(sql: &str, start: usize, quote: u8) -> (usize, String) {
    let bytes = sql.as_bytes();
    let mut value = String::new();
    let mut i = start + 1;
    let mut run = i;
    while i < bytes.len() {
        if bytes[i] == quote {
            value.push_str(&sql[run..i]);
            if bytes.get(i + 1) == Some(&quote) {
                value.push(quote as char);
                i += 2;
                run = i;
                continue;
            }
            return (i + 1, value);
        }
        i += 1;
    }
    value.push_str(&sql[run..]);
    (bytes.len(), value)
}

/// Splits the tokens between an opening parenthesis at `open` and its match into
/// top-level comma-separated items. Returns the items and the index of the closing
/// parenthesis (or the token count when it is missing).
pub(crate) fn split_group(tokens: &[Token], open: usize) -> (Vec<&[Token]>, usize) {
    let mut items = Vec::new();
    let mut depth = 0usize;
    let mut item_start = open + 1;
    let mut i = open + 1;
    while i < tokens.len() {
        match tokens[i].kind {
            Kind::Open => depth += 1,
            Kind::Close if depth == 0 => {
                if item_start < i {
                    items.push(&tokens[item_start..i]);
                }
                return (items, i);
            }
            Kind::Close => depth -= 1,
            Kind::Comma if depth == 0 => {
                items.push(&tokens[item_start..i]);
                item_start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if item_start < tokens.len() {
        items.push(&tokens[item_start..]);
    }
    (items, tokens.len())
}

/// Index of the parenthesis closing the one at `open` (or the token count).
pub(crate) fn matching_close(tokens: &[Token], open: usize) -> usize {
    let mut depth = 0usize;
    for (i, token) in tokens.iter().enumerate().skip(open) {
        match token.kind {
            Kind::Open => depth += 1,
            Kind::Close => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    tokens.len()
}

/// The source text spanned by `tokens` (from the first token's start to the last one's
/// end), or an empty string.
pub(crate) fn span<'a>(sql: &'a str, tokens: &[Token]) -> &'a str {
    match (tokens.first(), tokens.last()) {
        (Some(first), Some(last)) => sql.get(first.start..last.end).unwrap_or_default(),
        _ => "",
    }
}

/// Lower-cased names mentioned in `sql` (words and quoted identifiers, not strings).
pub(crate) fn mentioned_names(sql: &str) -> Vec<String> {
    tokenize(sql)
        .into_iter()
        .filter(|t| matches!(t.kind, Kind::Word | Kind::Quoted))
        .map(|t| t.value.to_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_keep_spans_and_unquote() {
        let sql = "CREATE TABLE \"a \"\"b\" ( x [my col] -- c\n, 'it''s' /* z */ 1.5e3 )";
        let tokens = tokenize(sql);
        let values: Vec<&str> = tokens.iter().map(|t| t.value.as_str()).collect();
        assert_eq!(
            values,
            [
                "CREATE", "TABLE", "a \"b", "(", "x", "my col", ",", "it's", "1.5e3", ")"
            ]
        );
        assert_eq!(&sql[tokens[2].start..tokens[2].end], "\"a \"\"b\"");
        let (items, close) = split_group(&tokens, 3);
        assert_eq!(items.len(), 2);
        assert_eq!(close, 9);
        assert_eq!(span(sql, items[1]), "'it''s' /* z */ 1.5e3");
    }

    #[test]
    fn unterminated_input_does_not_panic() {
        for sql in [
            "'abc", "\"abc", "[abc", "/* abc", "-- x", "(((", "0x", "1e+",
        ] {
            let tokens = tokenize(sql);
            let _ = split_group(&tokens, 0);
            let _ = matching_close(&tokens, 0);
        }
    }
}
