//! Recognizing the head of each kind of statement: what it creates (here), changes or drops
//! ([`crate::changes`]), or loads rows into.
//!
//! Each recognizer reads as far as it needs and no further; what it does not understand makes
//! the statement a barrier (it stays after everything that came before it).

use crate::DialectKind;
use crate::facts::{Cursor, Facts, Key, Shape, StmtKind, matching_paren};
use crate::lexer::Kind;
use crate::names::{Name, Ns, NsSet};
use crate::{changes, tables};

/// Classifies the statement under `c` into `f`; returns the index of the first token of a
/// routine or trigger body (the token count when there is none).
pub(crate) fn classify(c: &mut Cursor<'_>, f: &mut Facts) -> usize {
    let end = c.toks.len();
    let recognized = match c.at(0) {
        Some(t) if t.kind == Kind::Word => {
            let word = t.text(c.src).to_ascii_uppercase();
            c.i = 1;
            statement(&word, c, f)
        }
        Some(t) if t.kind == Kind::Hint || t.is_punct(c.src, b'(') => None,
        _ => {
            f.unrecognized = true;
            None
        }
    };
    match recognized {
        Some(body_from) => body_from,
        None => {
            f.barrier = true;
            end
        }
    }
}

fn statement(word: &str, c: &mut Cursor<'_>, f: &mut Facts) -> Option<usize> {
    let end = c.toks.len();
    match word {
        "CREATE" => return create(c, f),
        "ALTER" => changes::alter(c, f)?,
        "DROP" => changes::drop(c, f)?,
        "COMMENT" => changes::comment(c, f)?,
        "GRANT" | "REVOKE" => changes::grant(c, f)?,
        "INSERT" | "REPLACE" | "UPSERT" => {
            if !c.seek("INTO") {
                c.i = 1;
                while c
                    .eat_one_of(&["IGNORE", "LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY"])
                    .is_some()
                {}
            } else {
                c.i += 1;
            }
            let name = c.name()?;
            f.kind = StmtKind::Data;
            f.target(Ns::Relation, name);
        }
        "UPDATE" => {
            while c.eat_one_of(&["ONLY", "LOW_PRIORITY", "IGNORE"]).is_some() {}
            if c.eat("OR") {
                c.i += 1;
            }
            let name = c.name()?;
            f.target(Ns::Relation, name);
        }
        "DELETE" => {
            if !c.seek("FROM") {
                return None;
            }
            c.i += 1;
            c.eat("ONLY");
            let name = c.name()?;
            f.target(Ns::Relation, name);
        }
        "TRUNCATE" => {
            c.eat("TABLE");
            c.eat("ONLY");
            loop {
                let name = c.name()?;
                f.target(Ns::Relation, name);
                if !c.is_punct(b',') {
                    break;
                }
                c.i += 1;
            }
        }
        "COPY" => {
            let name = c.name()?;
            f.kind = StmtKind::Data;
            f.target(Ns::Relation, name);
        }
        "REFRESH" => {
            c.eat("MATERIALIZED");
            c.eat("VIEW");
            c.eat("CONCURRENTLY");
            let name = c.name()?;
            f.target(Ns::Relation, name);
        }
        "RENAME" => {
            // MySQL: RENAME TABLE a TO b [, c TO d]
            c.eat("TABLE");
            loop {
                let from = c.name()?;
                let _ = c.eat("TO");
                let to = c.name()?;
                f.target(Ns::Relation, from);
                f.define(Ns::Relation, to);
                if !c.is_punct(b',') {
                    break;
                }
                c.i += 1;
            }
            f.shape = Shape::Columns;
        }
        "ATTACH" => {
            // SQLite: ATTACH [DATABASE] 'file' AS name
            if !c.seek("AS") {
                return None;
            }
            c.i += 1;
            let name = c.ident()?;
            f.kind = StmtKind::Schema;
            f.define(Ns::Schema, Name::bare(name));
        }
        _ => return None,
    }
    Some(end)
}

/// Object kinds that may follow `CREATE` (after modifiers such as `OR REPLACE`, `UNIQUE`,
/// `TEMPORARY` or MySQL's `DEFINER = …`).
const CREATE_KINDS: &[&str] = &[
    "TABLE",
    "VIEW",
    "INDEX",
    "SEQUENCE",
    "TYPE",
    "DOMAIN",
    "COLLATION",
    "FUNCTION",
    "PROCEDURE",
    "AGGREGATE",
    "TRIGGER",
    "POLICY",
    "RULE",
    "SCHEMA",
    "DATABASE",
    "EXTENSION",
    "EVENT",
    "ROLE",
    "USER",
    "GROUP",
    // Kinds ordering does not model; their statements become barriers.
    "OPERATOR",
    "CAST",
    "LANGUAGE",
    "PUBLICATION",
    "SUBSCRIPTION",
    "STATISTICS",
    "SERVER",
    "CONVERSION",
    "TRANSFORM",
    "TABLESPACE",
    "ACCESS",
    "TEXT",
];

/// Moves to the object kind of a `CREATE`/`ALTER` statement and returns it with the
/// modifiers passed on the way.
fn kind_after_modifiers(
    c: &mut Cursor<'_>,
    kinds: &[&'static str],
) -> Option<(&'static str, Vec<String>)> {
    let mut modifiers = Vec::new();
    for _ in 0..16 {
        let t = c.at(0)?;
        if t.is_punct(c.src, b'(') {
            return None;
        }
        if t.kind == Kind::Word {
            if let Some(kind) = c.eat_one_of(kinds) {
                return Some((kind, modifiers));
            }
            modifiers.push(t.text(c.src).to_ascii_uppercase());
        }
        c.i += 1;
    }
    None
}

fn create(c: &mut Cursor<'_>, f: &mut Facts) -> Option<usize> {
    let end = c.toks.len();
    let (kind, modifiers) = kind_after_modifiers(c, CREATE_KINDS)?;
    let has = |m: &str| modifiers.iter().any(|x| x == m);
    match kind {
        "TABLE" => {
            c.if_not_exists();
            let start = c.i;
            let name = c.name()?;
            let name_text = &c.src[c.toks[start].start..c.toks[c.i - 1].end];
            f.kind = StmtKind::Table;
            f.define(Ns::Relation, name.clone());
            if !has("VIRTUAL") {
                tables::create_table(c, f, &name, name_text);
            }
        }
        "VIEW" | "SEQUENCE" | "TYPE" | "DOMAIN" | "COLLATION" => {
            c.if_not_exists();
            let name = c.name()?;
            f.define(Ns::Relation, name);
            owned_by(c, f);
        }
        "INDEX" => create_index(c, f, has("UNIQUE"))?,
        "FUNCTION" | "PROCEDURE" | "AGGREGATE" => {
            c.if_not_exists();
            let name = c.name()?;
            f.kind = StmtKind::WithBody;
            f.define(Ns::Routine, name);
            return Some(match c.dialect {
                DialectKind::Mysql if c.is_punct(b'(') => matching_paren(c.src, c.toks, c.i),
                DialectKind::Postgres => begin_atomic(c).unwrap_or(end),
                _ => end,
            });
        }
        "TRIGGER" => return create_trigger(c, f),
        "POLICY" => {
            c.ident()?;
            if !c.eat("ON") {
                return None;
            }
            let table = c.name()?;
            f.target(Ns::Relation, table);
        }
        "RULE" => {
            if !c.seek("TO") {
                return None;
            }
            c.i += 1;
            let table = c.name()?;
            f.target(Ns::Relation, table);
        }
        "SCHEMA" | "DATABASE" => {
            if kind == "DATABASE" && c.dialect != DialectKind::Mysql {
                return None;
            }
            c.if_not_exists();
            // `CREATE SCHEMA AUTHORIZATION role` names the schema after the role.
            c.eat("AUTHORIZATION");
            let name = c.ident()?;
            f.kind = StmtKind::Schema;
            f.define(Ns::Schema, Name::bare(name));
        }
        "EXTENSION" => {
            c.if_not_exists();
            let name = c.ident()?;
            f.kind = StmtKind::Extension;
            f.define(Ns::Extension, Name::bare(name));
            if c.seek("SCHEMA") {
                c.i += 1;
                let schema = c.ident()?;
                f.hard_ref(NsSet::of(Ns::Schema), Name::bare(schema));
            }
        }
        "EVENT" if c.dialect == DialectKind::Mysql => {
            c.if_not_exists();
            c.name()?;
            f.kind = StmtKind::WithBody;
            return Some(if c.seek("DO") { c.i + 1 } else { end });
        }
        "ROLE" | "USER" | "GROUP" => {
            if c.is("MAPPING") {
                return None;
            }
            c.if_not_exists();
            let name = c.ident()?;
            f.define(Ns::Role, Name::bare(name));
        }
        _ => return None,
    }
    Some(end)
}

fn create_index(c: &mut Cursor<'_>, f: &mut Facts, unique: bool) -> Option<()> {
    c.eat("CONCURRENTLY");
    c.if_not_exists();
    let name = if c.is("ON") || c.is("USING") {
        None
    } else {
        c.name()
    };
    if !c.seek("ON") {
        return None;
    }
    c.i += 1;
    c.eat("ONLY");
    let table = c.name()?;
    if let Some(mut name) = name {
        // PostgreSQL puts an index in its table's schema.
        if name.schema.is_none() && c.dialect == DialectKind::Postgres {
            name.schema = table.schema.clone();
        }
        f.define(Ns::Relation, name);
    }
    f.target(Ns::Relation, table);
    if unique {
        if c.eat("USING") {
            c.i += 1;
        }
        // Foreign keys can rely on a unique index of plain columns, not of expressions.
        if let Some(columns) = tables::column_list(c.src, c.toks, c.i, c.dialect) {
            f.shape = Shape::Keys;
            f.keys.push(Key {
                primary: false,
                columns: Some(columns),
            });
        }
    }
    Some(())
}

fn create_trigger(c: &mut Cursor<'_>, f: &mut Facts) -> Option<usize> {
    let end = c.toks.len();
    c.if_not_exists();
    let name = c.name()?;
    f.kind = StmtKind::WithBody;
    f.define(Ns::Trigger, name);
    if !c.seek("ON") {
        return None;
    }
    c.i += 1;
    let table = c.name()?;
    f.target(Ns::Relation, table);
    match c.dialect {
        DialectKind::Postgres => {
            if c.seek("EXECUTE") {
                c.i += 1;
                c.eat_one_of(&["FUNCTION", "PROCEDURE"]);
                let function = c.name()?;
                f.hard_ref(NsSet::of(Ns::Routine), function);
            }
            Some(end)
        }
        DialectKind::Mysql => {
            if !c.seek("ROW") {
                return Some(end);
            }
            c.i += 1;
            if c.eat_one_of(&["FOLLOWS", "PRECEDES"]).is_some() {
                let other = c.name()?;
                f.hard_ref(NsSet::of(Ns::Trigger), other);
            }
            Some(c.i)
        }
        DialectKind::Sqlite => Some(if c.seek("BEGIN") { c.i } else { end }),
    }
}

/// The index of `BEGIN` in `BEGIN ATOMIC`, the start of a SQL-standard routine body.
fn begin_atomic(c: &mut Cursor<'_>) -> Option<usize> {
    while c.seek("BEGIN") {
        if c.is_at(1, "ATOMIC") {
            return Some(c.i);
        }
        c.i += 1;
    }
    None
}

/// `OWNED BY table.column` (sequences) needs the table.
pub(crate) fn owned_by(c: &mut Cursor<'_>, f: &mut Facts) {
    while c.seek("OWNED") {
        c.i += 1;
        if !c.eat("BY") {
            continue;
        }
        if let Some(parts) = c.parts()
            && let Some((_, table)) = parts.split_last()
            && let Some(table) = Name::from_parts(table)
        {
            f.hard_ref(NsSet::of(Ns::Relation), table);
        }
    }
}
