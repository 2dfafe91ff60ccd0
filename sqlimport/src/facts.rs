//! What one statement means for ordering, read lexically: what it defines, what it changes, and
//! every name it could be referring to.
//!
//! The head of a statement (`CREATE INDEX i ON t`, `ALTER TABLE t …`, `COMMENT ON COLUMN t.c …`)
//! is recognized exactly; the rest is scanned for dotted names, which are a superset of the
//! statement's real references. [`crate::ast`] narrows that superset with `sqlparser` where it
//! matters.

use crate::DialectKind;
use crate::heads;
use crate::lexer::{self, Kind, LexError, Token};
use crate::names::{Name, Ns, NsSet, Obj, Ref, dotted, dotted_in_string, ident, is_name_token};
use crate::tables::FkClause;
use rustc_hash::FxHashSet;

/// The broad kind of a statement, as far as ordering cares.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum StmtKind {
    Schema,
    Extension,
    Table,
    /// Loading rows: `INSERT`, `REPLACE`, `COPY`.
    Data,
    /// Functions, procedures, triggers and events: their bodies are not checked at creation.
    WithBody,
    #[default]
    Other,
}

/// How a statement changes the objects it targets, as far as other statements care.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Shape {
    /// Nothing others rely on: ownership, comments, checks, foreign keys, plain indexes, rows.
    #[default]
    Kept,
    /// A primary key or unique constraint or index, which foreign keys to the table rely on.
    Keys,
    /// Columns, labels or names: anything using the object may rely on the change.
    Columns,
}

/// The ordering facts of one statement.
#[derive(Clone, Debug, Default)]
pub(crate) struct Facts {
    pub kind: StmtKind,
    /// Objects the statement creates.
    pub defines: Vec<Obj>,
    /// Existing objects the statement changes or attaches something to (`ALTER TABLE t`,
    /// `CREATE INDEX … ON t`, `COMMENT ON t`, `GRANT … ON t`, `INSERT INTO t`).
    pub targets: Vec<Obj>,
    /// What the change to `targets` does that later users of the targets may need.
    pub shape: Shape,
    /// For a [`Shape::Columns`] change, the column names it adds, renames to or retypes, when
    /// they are known: users mentioning none of them do not need the change.
    pub provides: Option<Vec<String>>,
    /// A `DROP`: it touches its targets but needs nothing created first.
    pub drop: bool,
    /// The statement could not be classified: it keeps its place after everything before it.
    pub barrier: bool,
    /// The statement is not recognizable SQL (unless the parser can read it).
    pub unrecognized: bool,
    /// References certain from the statement's head (the table of an index, a trigger's
    /// function, a sequence's owner, foreign keys in `ALTER TABLE`).
    pub hard: Vec<Ref>,
    /// Every other name the statement mentions outside routine bodies.
    pub mentions: Vec<Ref>,
    /// Names mentioned inside routine and trigger bodies, which databases resolve late.
    pub body: Vec<Ref>,
    /// Foreign keys written inside `CREATE TABLE`, which can be moved to a later `ALTER TABLE`.
    pub fks: Vec<FkClause>,
    /// Foreign keys added with `ALTER TABLE`.
    pub foreign: Vec<Referenced>,
    /// Primary keys and unique constraints or indexes the statement adds to its target.
    pub keys: Vec<Key>,
}

/// The table (and columns, if listed) a foreign key references.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Referenced {
    pub table: Name,
    /// `None` when the key names no columns, referencing the primary key.
    pub columns: Option<Vec<String>>,
}

/// A primary key or unique constraint or index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Key {
    pub primary: bool,
    /// `None` when the key covers expressions.
    pub columns: Option<Vec<String>>,
}

impl Key {
    /// Whether a foreign key referencing `columns` may rely on this key.
    pub(crate) fn serves(&self, columns: Option<&[String]>) -> bool {
        match (&self.columns, columns) {
            (None, _) => true,
            (Some(_), None) => self.primary,
            (Some(mine), Some(theirs)) => {
                mine.len() == theirs.len() && theirs.iter().all(|c| mine.contains(c))
            }
        }
    }
}

impl Facts {
    pub(crate) fn define(&mut self, ns: Ns, name: Name) {
        self.schema_ref(&name);
        self.defines.push(Obj { ns, name });
    }

    pub(crate) fn target(&mut self, ns: Ns, name: Name) {
        self.schema_ref(&name);
        let obj = Obj { ns, name };
        self.hard.push(Ref::to(&obj));
        self.targets.push(obj);
    }

    pub(crate) fn hard_ref(&mut self, ns: NsSet, name: Name) {
        self.schema_ref(&name);
        self.hard.push(Ref { ns, name });
    }

    fn schema_ref(&mut self, name: &Name) {
        if let Some(schema) = &name.schema {
            self.hard.push(Ref {
                ns: NsSet::of(Ns::Schema),
                name: Name::bare(schema.clone()),
            });
        }
    }
}

/// A position in a statement's tokens with the helpers the recognizers share.
pub(crate) struct Cursor<'a> {
    pub src: &'a str,
    pub toks: &'a [Token],
    pub i: usize,
    pub dialect: DialectKind,
}

impl<'a> Cursor<'a> {
    pub(crate) fn at(&self, off: usize) -> Option<&'a Token> {
        self.toks.get(self.i + off)
    }

    pub(crate) fn is(&self, kw: &str) -> bool {
        self.is_at(0, kw)
    }

    pub(crate) fn is_at(&self, off: usize, kw: &str) -> bool {
        self.at(off).is_some_and(|t| t.is_kw(self.src, kw))
    }

    pub(crate) fn is_punct(&self, c: u8) -> bool {
        self.at(0).is_some_and(|t| t.is_punct(self.src, c))
    }

    pub(crate) fn eat(&mut self, kw: &str) -> bool {
        let found = self.is(kw);
        if found {
            self.i += 1;
        }
        found
    }

    /// Consumes `kws` if they all come next, in order.
    pub(crate) fn eat_all(&mut self, kws: &[&str]) -> bool {
        let found = kws.iter().enumerate().all(|(off, kw)| self.is_at(off, kw));
        if found {
            self.i += kws.len();
        }
        found
    }

    /// Consumes the first of `kws` that comes next and returns it.
    pub(crate) fn eat_one_of(&mut self, kws: &[&'static str]) -> Option<&'static str> {
        let kw = kws.iter().copied().find(|kw| self.is(kw))?;
        self.i += 1;
        Some(kw)
    }

    pub(crate) fn if_exists(&mut self) {
        self.eat_all(&["IF", "EXISTS"]);
    }

    pub(crate) fn if_not_exists(&mut self) {
        self.eat_all(&["IF", "NOT", "EXISTS"]);
    }

    /// Reads a dotted name and returns its parts.
    pub(crate) fn parts(&mut self) -> Option<Vec<String>> {
        let (parts, next) = dotted(self.src, self.toks, self.i, self.dialect)?;
        self.i = next;
        Some(parts)
    }

    /// Reads a dotted name.
    pub(crate) fn name(&mut self) -> Option<Name> {
        self.parts().and_then(|p| Name::from_parts(&p))
    }

    /// Reads one identifier.
    pub(crate) fn ident(&mut self) -> Option<String> {
        let id = ident(self.src, self.at(0)?, self.dialect)?;
        self.i += 1;
        Some(id)
    }

    /// If at `(`, moves past the matching `)`.
    pub(crate) fn skip_parens(&mut self) {
        if !self.is_punct(b'(') {
            return;
        }
        self.i = matching_paren(self.src, self.toks, self.i);
    }

    /// Moves to the next `kw` outside parentheses; false (and at the end) if there is none.
    pub(crate) fn seek(&mut self, kw: &str) -> bool {
        while let Some(t) = self.at(0) {
            if t.is_kw(self.src, kw) {
                return true;
            }
            if t.is_punct(self.src, b'(') {
                self.skip_parens();
            } else {
                self.i += 1;
            }
        }
        false
    }
}

/// The index just after the `)` matching the `(` at `open` (or the end).
pub(crate) fn matching_paren(src: &str, toks: &[Token], open: usize) -> usize {
    let mut depth = 0usize;
    for (i, t) in toks.iter().enumerate().skip(open) {
        if t.is_punct(src, b'(') {
            depth += 1;
        } else if t.is_punct(src, b')') {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return i + 1;
            }
        }
    }
    toks.len()
}

/// The bare names (and schema names) a project defines: mentions of anything else cannot
/// refer to the project, so the scan does not record them.
///
/// Ordering hashes names and statement indexes millions of times; these keys come from the
/// user's own files, so rustc's fast hash fits where SipHash (built against crafted
/// collisions) cost a tenth of the ordering time.
pub(crate) type Known = FxHashSet<String>;

/// A statement whose head has been read; its mentions are collected by [`Head::finish`] once
/// the project's defined names are known.
pub(crate) struct Head {
    pub facts: Facts,
    toks: Vec<Token>,
    body_from: usize,
}

/// Reads what a statement defines, changes and certainly needs.
pub(crate) fn head(sql: &str, dialect: DialectKind) -> Result<Head, LexError> {
    let toks = lexer::tokens(sql, dialect)?;
    let mut facts = Facts::default();
    let mut cursor = Cursor {
        src: sql,
        toks: &toks,
        i: 0,
        dialect,
    };
    let body_from = heads::classify(&mut cursor, &mut facts).min(toks.len());
    Ok(Head {
        facts,
        toks,
        body_from,
    })
}

impl Head {
    /// Adds the names `sql` mentions, keeping only those in `known` (all, without it).
    pub(crate) fn finish(self, sql: &str, dialect: DialectKind, known: Option<&Known>) -> Facts {
        let Head {
            mut facts,
            toks,
            body_from,
        } = self;
        let scan = Mentions {
            src: sql,
            dialect,
            routine: facts.kind == StmtKind::WithBody,
            known,
            depth: 0,
        };
        let head = scan.collect(&toks[..body_from]);
        facts.mentions = head.names;
        facts.hard.extend(head.strings);
        facts.body = head.body;
        let body = scan.collect(&toks[body_from..]);
        facts
            .body
            .extend(body.names.into_iter().chain(body.strings).chain(body.body));
        for refs in [&mut facts.hard, &mut facts.mentions, &mut facts.body] {
            refs.sort();
            refs.dedup();
        }
        facts
    }
}

/// Reads the ordering facts of one statement, keeping every mention.
#[cfg(test)]
pub(crate) fn analyze(
    sql: &str,
    dialect: DialectKind,
    known: Option<&Known>,
) -> Result<Facts, LexError> {
    Ok(head(sql, dialect)?.finish(sql, dialect, known))
}

/// The namespaces a bare dotted name may live in.
const ANY: NsSet = NsSet::of(Ns::Relation)
    .with(Ns::Routine)
    .with(Ns::Schema)
    .with(Ns::Role);
const OBJECT: NsSet = NsSet::of(Ns::Relation).with(Ns::Routine);
const TABLE_OR_SCHEMA: NsSet = NsSet::of(Ns::Relation).with(Ns::Schema);

/// Collects every dotted name in a run of tokens, and names hidden in strings: routine bodies
/// and PostgreSQL's `nextval('seq')` / `'seq'::regclass`.
struct Mentions<'a> {
    src: &'a str,
    dialect: DialectKind,
    routine: bool,
    known: Option<&'a Known>,
    /// How many strings of code this text is nested in.
    depth: usize,
}

/// How deep code in strings in code is read. Each level lexes its text again, so without a
/// bound, deeply nested dollar quotes would cost the text's size times their depth.
const MAX_CODE_DEPTH: usize = 4;

/// What [`Mentions`] found.
#[derive(Default)]
struct Found {
    /// Dotted names.
    names: Vec<Ref>,
    /// Relations named in strings, which are certain references.
    strings: Vec<Ref>,
    /// Names in code held in strings (routine bodies).
    body: Vec<Ref>,
}

impl Mentions<'_> {
    fn collect(&self, toks: &[Token]) -> Found {
        let mut found = Found::default();
        let mut i = 0;
        while i < toks.len() {
            let t = &toks[i];
            match t.kind {
                // `LANGUAGE plpgsql` names a language, not a table that may be called `language`.
                Kind::Word if self.routine && t.is_kw(self.src, "LANGUAGE") => {
                    let named = toks
                        .get(i + 1)
                        .is_some_and(|n| matches!(n.kind, Kind::Word | Kind::Quoted | Kind::Str));
                    i += if named { 2 } else { 1 };
                    continue;
                }
                Kind::Word | Kind::Quoted => {
                    let end = self.chain_end(toks, i);
                    if (i..end).step_by(2).any(|p| self.is_known(&toks[p]))
                        && let Some((parts, _)) = dotted(self.src, toks, i, self.dialect)
                    {
                        chain_refs(&parts, &mut found.names);
                    }
                    i = end;
                    continue;
                }
                Kind::Dollar => self.code_in_string(t, &mut found.body),
                Kind::Str if self.dialect == DialectKind::Postgres => {
                    let after_as = i > 0 && toks[i - 1].is_kw(self.src, "AS");
                    if self.routine && after_as {
                        self.code_in_string(t, &mut found.body);
                    } else if names_relation(self.src, toks, i) {
                        let text = lexer::unquote(self.src, t);
                        let name = dotted_in_string(&text, self.dialect)
                            .and_then(|parts| Name::from_parts(&parts));
                        if let Some(name) = name {
                            found.strings.push(Ref {
                                ns: NsSet::of(Ns::Relation),
                                name,
                            });
                        }
                    }
                }
                _ => {}
            }
            i += 1;
        }
        found
    }

    /// The index after the dotted name starting at `toks[i]`.
    fn chain_end(&self, toks: &[Token], i: usize) -> usize {
        let mut end = i + 1;
        while end + 1 < toks.len()
            && toks[end].is_punct(self.src, b'.')
            && is_name_token(&toks[end + 1])
        {
            end += 2;
        }
        end
    }

    /// Whether a name token may name something the project defines; short ASCII words are
    /// folded on the stack, since most words (keywords, columns) are looked up only to be
    /// dropped.
    fn is_known(&self, t: &Token) -> bool {
        let Some(known) = self.known else {
            return true;
        };
        let text = t.text(self.src);
        let mut buf = [0u8; 64];
        if t.kind == Kind::Word && text.is_ascii() && text.len() <= buf.len() {
            let folded = &mut buf[..text.len()];
            folded.copy_from_slice(text.as_bytes());
            folded.make_ascii_lowercase();
            return std::str::from_utf8(folded).is_ok_and(|w| known.contains(w));
        }
        ident(self.src, t, self.dialect).is_some_and(|id| known.contains(&id))
    }

    /// Scans a string holding code (a routine body) for names; code that does not lex is
    /// skipped, the database will judge it.
    fn code_in_string(&self, t: &Token, body: &mut Vec<Ref>) {
        if self.depth >= MAX_CODE_DEPTH {
            return;
        }
        let text = lexer::unquote(self.src, t);
        if let Ok(inner) = lexer::tokens(&text, self.dialect) {
            let nested = Mentions {
                src: &text,
                dialect: self.dialect,
                routine: false,
                known: self.known,
                depth: self.depth + 1,
            };
            let found = nested.collect(&inner);
            body.extend(
                found
                    .names
                    .into_iter()
                    .chain(found.strings)
                    .chain(found.body),
            );
        }
    }
}

/// Whether the string at `toks[i]` names a relation: `nextval('s')`, `setval('s', …)`,
/// `currval('s')` or `'s'::regclass`.
fn names_relation(src: &str, toks: &[Token], i: usize) -> bool {
    let call = i >= 2
        && toks[i - 1].is_punct(src, b'(')
        && ["nextval", "currval", "setval"]
            .iter()
            .any(|f| toks[i - 2].is_kw(src, f));
    let cast = toks.get(i + 1).is_some_and(|t| t.is_punct(src, b':'))
        && toks.get(i + 2).is_some_and(|t| t.is_punct(src, b':'))
        && toks.get(i + 3).is_some_and(|t| t.is_kw(src, "regclass"));
    call || cast
}

/// The possible readings of a dotted name: `a` is an object, schema or role; `a.b` is an object
/// in schema `a` or column `b` of table `a`; `a.b.c` is column `c` of `a.b` or object `c` of
/// schema `b` in database `a`.
fn chain_refs(parts: &[String], out: &mut Vec<Ref>) {
    let r = |ns, schema: Option<&String>, name: &String| Ref {
        ns,
        name: Name {
            schema: schema.cloned(),
            name: name.clone(),
        },
    };
    match parts {
        [a] => out.push(r(ANY, None, a)),
        [a, b] => {
            out.push(r(OBJECT, Some(a), b));
            out.push(r(TABLE_OR_SCHEMA, None, a));
        }
        [a, b, c, ..] => {
            out.push(r(OBJECT, Some(a), b));
            out.push(r(OBJECT, Some(b), c));
            out.push(r(NsSet::of(Ns::Schema), None, a));
        }
        [] => {}
    }
}
