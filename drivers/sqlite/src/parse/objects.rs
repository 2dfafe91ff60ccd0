//! Stored `CREATE INDEX` and `CREATE VIEW` statements.

use super::lexer::{Kind, Token, span, split_group, tokenize};

/// One key part of an index, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParsedPart {
    /// The column or expression text, without `COLLATE` and direction.
    pub text: String,
    /// Explicit `COLLATE`.
    pub collation: Option<String>,
    /// `DESC`.
    pub desc: bool,
}

/// A stored `CREATE INDEX`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ParsedIndex {
    /// Key parts in order.
    pub parts: Vec<ParsedPart>,
    /// The `WHERE` predicate.
    pub predicate: Option<String>,
}

/// Parses `CREATE [UNIQUE] INDEX … ON t (parts) [WHERE expr]`.
pub(crate) fn parse_create_index(sql: &str) -> ParsedIndex {
    let tokens = tokenize(sql);
    let mut parsed = ParsedIndex::default();
    let Some(on) = tokens.iter().position(|t| t.is("ON")) else {
        return parsed;
    };
    let Some(open) = tokens
        .iter()
        .skip(on)
        .position(|t| t.kind == Kind::Open)
        .map(|p| p + on)
    else {
        return parsed;
    };
    let (parts, close) = split_group(&tokens, open);
    parsed.parts = parts.iter().map(|p| part(sql, p)).collect();
    if let Some(where_at) = tokens.iter().skip(close).position(|t| t.is("WHERE")) {
        let rest = &tokens[close + where_at + 1..];
        let rest = match rest.last() {
            Some(t) if t.kind == Kind::Semi => &rest[..rest.len() - 1],
            _ => rest,
        };
        let text = span(sql, rest).trim();
        if !text.is_empty() {
            parsed.predicate = Some(text.to_owned());
        }
    }
    parsed
}

fn part(sql: &str, tokens: &[Token]) -> ParsedPart {
    let mut end = tokens.len();
    let mut desc = false;
    let mut collation = None;
    if end > 0 && (tokens[end - 1].is("DESC") || tokens[end - 1].is("ASC")) {
        desc = tokens[end - 1].is("DESC");
        end -= 1;
    }
    if end >= 2 && tokens[end - 2].is("COLLATE") {
        collation = Some(tokens[end - 1].value.clone());
        end -= 2;
    }
    let body = &tokens[..end];
    let text = match body {
        [single] if single.is_name() => single.value.clone(),
        _ => span(sql, body).to_owned(),
    };
    ParsedPart {
        text,
        collation,
        desc,
    }
}

/// Splits a stored `CREATE VIEW` into its explicit column names and its query text.
pub(crate) fn parse_create_view(sql: &str) -> (Vec<String>, String) {
    let tokens = tokenize(sql);
    let Some(as_at) = tokens.iter().position(|t| t.is("AS")) else {
        return (Vec::new(), sql.to_owned());
    };
    let mut columns = Vec::new();
    if let Some(open) = tokens[..as_at].iter().position(|t| t.kind == Kind::Open) {
        let (items, _) = split_group(&tokens[..as_at], open);
        columns = items
            .iter()
            .filter_map(|i| i.first().map(|t| t.value.clone()))
            .collect();
    }
    let query = sql.get(tokens[as_at].end..).unwrap_or_default().trim();
    (columns, query.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_parts_and_predicate() {
        let parsed = parse_create_index(
            "CREATE UNIQUE INDEX i ON \"t x\" (b DESC, c COLLATE nocase, (c + 1), lower(d) ASC) WHERE c > 1",
        );
        let texts: Vec<_> = parsed.parts.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts, ["b", "c", "(c + 1)", "lower(d)"]);
        assert!(parsed.parts[0].desc);
        assert_eq!(parsed.parts[1].collation.as_deref(), Some("nocase"));
        assert_eq!(parsed.predicate.as_deref(), Some("c > 1"));
    }

    #[test]
    fn view_columns_and_query() {
        let (cols, query) = parse_create_view("CREATE VIEW v(x, \"y\") AS select a AS x, b from t");
        assert_eq!(cols, ["x", "y"]);
        assert_eq!(query, "select a AS x, b from t");
    }
}
