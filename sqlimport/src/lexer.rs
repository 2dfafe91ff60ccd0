//! A small SQL lexer: just enough to know where strings, quoted identifiers, dollar-quoted bodies
//! and comments begin and end in each dialect, and to hand out words and punctuation.
//!
//! It never interprets text; the splitter and the name scanner build on its tokens.

use crate::DialectKind;

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An unquoted word: keyword or identifier.
    Word,
    /// A quoted identifier: `"x"`, `` `x` `` or (SQLite) `[x]`.
    Quoted,
    /// A string literal, including PostgreSQL `E'…'` and MySQL `"…"` strings.
    Str,
    /// A PostgreSQL dollar-quoted string: `$tag$ … $tag$`.
    Dollar,
    /// A number.
    Number,
    /// One punctuation character.
    Punct,
    /// A MySQL executable comment (`/*! … */`, `/*+ … */`): comment syntax, statement meaning.
    Hint,
    /// `-- …` or (MySQL) `# …`, without the line break.
    LineComment,
    /// `/* … */`.
    BlockComment,
}

impl Kind {
    pub(crate) fn is_comment(self) -> bool {
        matches!(self, Kind::LineComment | Kind::BlockComment)
    }
}

/// A token: its kind, byte range in the source and the line it starts on (1-based).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Token {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
    pub line: usize,
}

impl Token {
    pub(crate) fn text<'a>(&self, src: &'a str) -> &'a str {
        &src[self.start..self.end]
    }

    /// Whether this is the unquoted word `kw` (ASCII case-insensitive).
    pub(crate) fn is_kw(&self, src: &str, kw: &str) -> bool {
        self.kind == Kind::Word && self.text(src).eq_ignore_ascii_case(kw)
    }

    /// Whether this is the punctuation character `c`.
    pub(crate) fn is_punct(&self, src: &str, c: u8) -> bool {
        self.kind == Kind::Punct && src.as_bytes()[self.start] == c
    }
}

/// A lexing failure: an unterminated literal or comment, with the line it starts on.
#[derive(Debug)]
pub(crate) struct LexError {
    pub line: usize,
    pub message: &'static str,
}

/// A cursor over SQL text. Copying it saves a position to come back to.
#[derive(Clone, Copy)]
pub(crate) struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    line: usize,
    dialect: DialectKind,
}

fn is_word_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

fn is_tag_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(src: &'a str, dialect: DialectKind) -> Self {
        Lexer {
            src,
            pos: 0,
            line: 1,
            dialect,
        }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn line(&self) -> usize {
        self.line
    }

    pub(crate) fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    fn byte(&self, at: usize) -> Option<u8> {
        self.src.as_bytes().get(at).copied()
    }

    /// Moves to `pos` (forward, on a character boundary), counting the line breaks passed.
    pub(crate) fn advance_to(&mut self, pos: usize) {
        let pos = pos.min(self.src.len());
        self.line += self.src.as_bytes()[self.pos..pos]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.pos = pos;
    }

    /// Consumes one whitespace byte if there is one.
    pub(crate) fn eat_whitespace_byte(&mut self) -> bool {
        match self.byte(self.pos) {
            Some(b) if b.is_ascii_whitespace() => {
                self.advance_to(self.pos + 1);
                true
            }
            _ => false,
        }
    }

    /// The next token, comments included, after any whitespace; `None` at the end.
    pub(crate) fn next_raw(&mut self) -> Result<Option<Token>, LexError> {
        self.next_raw_until(None)
    }

    /// [`next_raw`](Lexer::next_raw), but a word or number ends where `stop` begins (a
    /// custom delimiter touching a word, as in MySQL's `END$$`). Stopping while scanning, not
    /// cutting the token afterwards, keeps a long word full of delimiters linear.
    pub(crate) fn next_raw_until(&mut self, stop: Option<&str>) -> Result<Option<Token>, LexError> {
        while self.eat_whitespace_byte() {}
        let Some(b) = self.byte(self.pos) else {
            return Ok(None);
        };
        let start = self.pos;
        let line = self.line;
        let next = self.byte(start + 1);
        let mysql = self.dialect == DialectKind::Mysql;
        let (kind, end) = match b {
            b'-' if next == Some(b'-') && (!mysql || self.mysql_dash_comment(start)) => {
                (Kind::LineComment, self.line_end(start))
            }
            b'#' if mysql => (Kind::LineComment, self.line_end(start)),
            b'/' if next == Some(b'*') => self.block_comment(start, line)?,
            b'\'' => (Kind::Str, self.quoted(start, b'\'', mysql, line)?),
            b'E' | b'e' if next == Some(b'\'') && self.dialect == DialectKind::Postgres => {
                (Kind::Str, self.quoted(start + 1, b'\'', true, line)?)
            }
            b'"' if mysql => (Kind::Str, self.quoted(start, b'"', true, line)?),
            b'"' => (Kind::Quoted, self.quoted(start, b'"', false, line)?),
            b'`' if self.dialect != DialectKind::Postgres => {
                (Kind::Quoted, self.quoted(start, b'`', false, line)?)
            }
            b'[' if self.dialect == DialectKind::Sqlite => match self.src[start..].find(']') {
                Some(off) => (Kind::Quoted, start + off + 1),
                None => return Err(unterminated(line, "unterminated quoted identifier")),
            },
            b'$' if self.dialect == DialectKind::Postgres => match self.dollar(start, line)? {
                Some(end) => (Kind::Dollar, end),
                None => (Kind::Punct, start + 1),
            },
            b if b.is_ascii_digit() => (Kind::Number, self.run(start, is_word_byte, stop)),
            b if is_word_start(b) => (Kind::Word, self.run(start, is_word_byte, stop)),
            _ => (Kind::Punct, start + 1),
        };
        self.advance_to(end);
        Ok(Some(Token {
            kind,
            start,
            end,
            line,
        }))
    }

    /// The next token that is not a comment; `None` at the end.
    pub(crate) fn next_token(&mut self) -> Result<Option<Token>, LexError> {
        loop {
            match self.next_raw()? {
                Some(t) if t.kind.is_comment() => continue,
                other => return Ok(other),
            }
        }
    }

    fn run(&self, start: usize, keep: fn(u8) -> bool, stop: Option<&str>) -> usize {
        let bytes = self.src.as_bytes();
        let stop = stop.map(str::as_bytes).filter(|s| !s.is_empty());
        let mut i = start + 1;
        while i < bytes.len() && keep(bytes[i]) {
            if stop.is_some_and(|s| bytes[i..].starts_with(s)) {
                break;
            }
            i += 1;
        }
        i
    }

    fn line_end(&self, start: usize) -> usize {
        self.src[start..]
            .find('\n')
            .map_or(self.src.len(), |off| start + off)
    }

    /// MySQL only treats `--` as a comment when a space or control character follows it.
    fn mysql_dash_comment(&self, start: usize) -> bool {
        match self.byte(start + 2) {
            None => true,
            Some(b) => b <= b' ',
        }
    }

    fn block_comment(&self, start: usize, line: usize) -> Result<(Kind, usize), LexError> {
        let bytes = self.src.as_bytes();
        let kind = match (self.dialect, bytes.get(start + 2)) {
            (DialectKind::Mysql, Some(b'!' | b'+')) => Kind::Hint,
            _ => Kind::BlockComment,
        };
        // PostgreSQL block comments nest; MySQL and SQLite end at the first `*/`.
        let nests = self.dialect == DialectKind::Postgres;
        let mut depth = 1;
        let mut i = start + 2;
        while i + 1 < bytes.len() {
            match (bytes[i], bytes[i + 1]) {
                (b'*', b'/') => {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        return Ok((kind, i));
                    }
                }
                (b'/', b'*') if nests => {
                    depth += 1;
                    i += 2;
                }
                _ => i += 1,
            }
        }
        Err(unterminated(line, "unterminated block comment"))
    }

    /// The end of a literal quoted with `quote` that starts at `start`; a doubled quote stands for
    /// itself and, with `backslash`, `\` escapes the next byte.
    fn quoted(
        &self,
        start: usize,
        quote: u8,
        backslash: bool,
        line: usize,
    ) -> Result<usize, LexError> {
        let bytes = self.src.as_bytes();
        let mut i = start + 1;
        while i < bytes.len() {
            let b = bytes[i];
            if backslash && b == b'\\' {
                i += 2;
            } else if b == quote {
                if bytes.get(i + 1) == Some(&quote) {
                    i += 2;
                } else {
                    return Ok(i + 1);
                }
            } else {
                i += 1;
            }
        }
        let message = match quote {
            b'\'' => "unterminated string literal",
            b'"' if self.dialect == DialectKind::Mysql => "unterminated string literal",
            _ => "unterminated quoted identifier",
        };
        Err(unterminated(line, message))
    }

    /// A dollar-quoted string starting at `start`, if `$` opens one there (`$1` does not).
    fn dollar(&self, start: usize, line: usize) -> Result<Option<usize>, LexError> {
        let bytes = self.src.as_bytes();
        let mut i = start + 1;
        if bytes.get(i).is_some_and(|b| b.is_ascii_digit()) {
            return Ok(None);
        }
        while i < bytes.len() && is_tag_byte(bytes[i]) {
            i += 1;
        }
        if bytes.get(i) != Some(&b'$') {
            return Ok(None);
        }
        let tag = &self.src[start..=i];
        match self.src[i + 1..].find(tag) {
            Some(off) => Ok(Some(i + 1 + off + tag.len())),
            None => Err(unterminated(line, "unterminated dollar-quoted string")),
        }
    }
}

fn unterminated(line: usize, message: &'static str) -> LexError {
    LexError { line, message }
}

/// Every non-comment token of `src`.
pub(crate) fn tokens(src: &str, dialect: DialectKind) -> Result<Vec<Token>, LexError> {
    let mut lexer = Lexer::new(src, dialect);
    let mut out = Vec::new();
    while let Some(t) = lexer.next_token()? {
        out.push(t);
    }
    Ok(out)
}

/// The content of a string, quoted identifier or dollar-quoted token, quotes removed and doubled
/// quotes undone (backslash escapes are kept as written).
pub(crate) fn unquote<'a>(src: &'a str, token: &Token) -> std::borrow::Cow<'a, str> {
    let text = token.text(src);
    match token.kind {
        Kind::Dollar => {
            let tag_len = text[1..].find('$').map_or(1, |i| i + 2);
            let inner_end = text.len().saturating_sub(tag_len).max(tag_len);
            std::borrow::Cow::Borrowed(&text[tag_len..inner_end])
        }
        Kind::Str | Kind::Quoted => {
            let body = text.trim_start_matches(['E', 'e']);
            let (open, close) = match body.as_bytes().first() {
                Some(b'[') => ('[', ']'),
                Some(&q) => (q as char, q as char),
                None => return std::borrow::Cow::Borrowed(""),
            };
            let inner = body
                .strip_prefix(open)
                .and_then(|b| b.strip_suffix(close))
                .unwrap_or(body);
            if open != '[' && inner.contains(close) {
                let doubled: String = [close, close].iter().collect();
                std::borrow::Cow::Owned(inner.replace(&doubled, &close.to_string()))
            } else {
                std::borrow::Cow::Borrowed(inner)
            }
        }
        _ => std::borrow::Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str, d: DialectKind) -> Vec<(Kind, String)> {
        let mut l = Lexer::new(src, d);
        let mut out = vec![];
        while let Some(t) = l.next_raw().expect("lexes") {
            out.push((t.kind, t.text(src).to_string()));
        }
        out
    }

    #[test]
    fn dollar_quotes_and_params() {
        let k = kinds("$a$ x $$ y $a$ $1 $$z$$", DialectKind::Postgres);
        assert_eq!(k[0], (Kind::Dollar, "$a$ x $$ y $a$".into()));
        assert_eq!(k[1], (Kind::Punct, "$".into()));
        assert_eq!(k[2], (Kind::Number, "1".into()));
        assert_eq!(k[3], (Kind::Dollar, "$$z$$".into()));
    }

    #[test]
    fn escapes_per_dialect() {
        let k = kinds(r"E'a\'b' 'c\' x", DialectKind::Postgres);
        assert_eq!(k[0].0, Kind::Str);
        assert_eq!(k[1], (Kind::Str, r"'c\'".into()));
        let k = kinds(r"'a\'b' x", DialectKind::Mysql);
        assert_eq!(k[0], (Kind::Str, r"'a\'b'".into()));
    }

    #[test]
    fn nested_comments_only_in_postgres() {
        let k = kinds("/* a /* b */ c */ x", DialectKind::Postgres);
        assert_eq!(k.len(), 2);
        let k = kinds("/* a /* b */ c", DialectKind::Sqlite);
        assert_eq!(k[1], (Kind::Word, "c".into()));
    }

    #[test]
    fn unterminated_reports_start_line() {
        let mut l = Lexer::new("x\n'abc\n", DialectKind::Postgres);
        l.next_raw().expect("word");
        let err = l.next_raw().expect_err("unterminated");
        assert_eq!(err.line, 2);
        assert_eq!(err.message, "unterminated string literal");
    }

    #[test]
    fn unquote_handles_doubling_and_tags() {
        let src = r#""a""b" $f$body$f$ [x y]"#;
        let toks = tokens(src, DialectKind::Postgres).expect("lexes");
        assert_eq!(unquote(src, &toks[0]), "a\"b");
        assert_eq!(unquote(src, &toks[1]), "body");
        let toks = tokens("[x y]", DialectKind::Sqlite).expect("lexes");
        assert_eq!(unquote("[x y]", &toks[0]), "x y");
    }
}
