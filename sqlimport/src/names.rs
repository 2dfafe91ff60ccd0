//! Object names: folding identifiers the way each database compares them, and reading dotted
//! names from tokens.
//!
//! PostgreSQL folds unquoted identifiers to lower case and compares quoted ones exactly; MySQL
//! (object names here) and SQLite compare case-insensitively, quoted or not.

use crate::DialectKind;
use crate::lexer::{Kind, Token, unquote};

/// The kinds of names that live in one namespace: a reference is looked up in one or more.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Ns {
    Schema,
    /// Tables, views, sequences, indexes and types share PostgreSQL's relation/type namespace.
    Relation,
    /// Functions, procedures and aggregates.
    Routine,
    Trigger,
    Extension,
    Role,
    Constraint,
}

/// A set of namespaces to look a name up in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct NsSet(u8);

impl NsSet {
    pub(crate) const fn of(ns: Ns) -> Self {
        NsSet(1 << ns as u8)
    }

    pub(crate) const fn with(self, ns: Ns) -> Self {
        NsSet(self.0 | 1 << ns as u8)
    }

    pub(crate) fn contains(self, ns: Ns) -> bool {
        self.0 & (1 << ns as u8) != 0
    }
}

/// A folded, possibly schema-qualified name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Name {
    pub schema: Option<String>,
    pub name: String,
}

impl Name {
    pub(crate) fn bare(name: String) -> Self {
        Name { schema: None, name }
    }

    /// The object named by the last part of `parts`, in the schema named by the part before it.
    pub(crate) fn from_parts(parts: &[String]) -> Option<Self> {
        let (name, rest) = parts.split_last()?;
        Some(Name {
            schema: rest.last().cloned(),
            name: name.clone(),
        })
    }
}

/// A named object of some kind.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Obj {
    pub ns: Ns,
    pub name: Name,
}

/// A mention of a name that may refer to an object in any of `ns`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Ref {
    pub ns: NsSet,
    pub name: Name,
}

impl Ref {
    pub(crate) fn to(obj: &Obj) -> Self {
        Ref {
            ns: NsSet::of(obj.ns),
            name: obj.name.clone(),
        }
    }
}

/// Folds an identifier as `dialect` compares it.
pub(crate) fn fold(raw: &str, quoted: bool, dialect: DialectKind) -> String {
    if quoted && dialect == DialectKind::Postgres {
        raw.to_string()
    } else {
        raw.to_lowercase()
    }
}

/// The folded identifier a word or quoted-identifier token stands for.
pub(crate) fn ident(src: &str, token: &Token, dialect: DialectKind) -> Option<String> {
    match token.kind {
        Kind::Word => Some(fold(token.text(src), false, dialect)),
        Kind::Quoted => Some(fold(&unquote(src, token), true, dialect)),
        // MySQL writes `"x"` for strings, but SQLite and ANSI-mode MySQL accept names there too.
        Kind::Str if dialect == DialectKind::Mysql && token.text(src).starts_with('"') => {
            Some(fold(&unquote(src, token), true, dialect))
        }
        _ => None,
    }
}

/// Whether `token` can start or continue a dotted name.
pub(crate) fn is_name_token(token: &Token) -> bool {
    matches!(token.kind, Kind::Word | Kind::Quoted)
}

/// Reads the dotted name starting at `tokens[at]`: its folded parts and the index after it.
pub(crate) fn dotted(
    src: &str,
    tokens: &[Token],
    at: usize,
    dialect: DialectKind,
) -> Option<(Vec<String>, usize)> {
    let first = tokens.get(at).filter(|t| is_name_token(t))?;
    let mut parts = vec![ident(src, first, dialect)?];
    let mut i = at + 1;
    while let (Some(dot), Some(next)) = (tokens.get(i), tokens.get(i + 1)) {
        if !dot.is_punct(src, b'.') || !is_name_token(next) {
            break;
        }
        parts.push(ident(src, next, dialect)?);
        i += 2;
    }
    Some((parts, i))
}

/// Reads a dotted name written inside a string, as in `nextval('public."Seq"')`.
pub(crate) fn dotted_in_string(text: &str, dialect: DialectKind) -> Option<Vec<String>> {
    let tokens = crate::lexer::tokens(text, dialect).ok()?;
    match dotted(text, &tokens, 0, dialect) {
        Some((parts, end)) if end == tokens.len() => Some(parts),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_per_dialect() {
        let src = r#"Public."Users" `Mixed`"#;
        let pg = crate::lexer::tokens(src, DialectKind::Postgres).expect("lexes");
        let (parts, end) = dotted(src, &pg, 0, DialectKind::Postgres).expect("name");
        assert_eq!(parts, vec!["public", "Users"]);
        assert_eq!(end, 3);
        let my = crate::lexer::tokens("`Mixed`.T", DialectKind::Mysql).expect("lexes");
        let (parts, _) = dotted("`Mixed`.T", &my, 0, DialectKind::Mysql).expect("name");
        assert_eq!(parts, vec!["mixed", "t"]);
    }

    #[test]
    fn names_in_strings() {
        assert_eq!(
            dotted_in_string(r#"public."Seq""#, DialectKind::Postgres),
            Some(vec!["public".to_string(), "Seq".to_string()])
        );
        assert_eq!(dotted_in_string("not a name", DialectKind::Postgres), None);
    }
}
