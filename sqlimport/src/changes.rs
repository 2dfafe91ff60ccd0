//! Statements that change, drop, describe or grant on existing objects: `ALTER`, `DROP`,
//! `COMMENT ON`, `GRANT` and `REVOKE`.

use crate::DialectKind;
use crate::facts::{Cursor, Facts, Shape};
use crate::heads::owned_by;
use crate::lexer::Kind;
use crate::names::{Name, Ns, NsSet, Obj, is_name_token};
use crate::tables;

/// `RENAME TO new` gives the object a name later statements may use.
fn rename_to(c: &mut Cursor<'_>, f: &mut Facts, ns: Ns, schema: Option<String>) {
    let from = c.i;
    while c.seek("RENAME") {
        c.i += 1;
        if c.eat("TO")
            && let Some(name) = c.ident()
        {
            f.define(ns, Name { schema, name });
            break;
        }
    }
    c.i = from;
}

const ALTER_KINDS: &[&str] = &[
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
    "ROUTINE",
    "SCHEMA",
    "DATABASE",
    "EXTENSION",
    "TRIGGER",
    "POLICY",
    "ROLE",
    "USER",
    "GROUP",
];

/// The namespace of objects of `kind` (an `ALTER`/`DROP`/`COMMENT` object keyword).
fn namespace(kind: &str, dialect: DialectKind) -> Option<Ns> {
    Some(match kind {
        "TABLE" | "VIEW" | "INDEX" | "SEQUENCE" | "TYPE" | "DOMAIN" | "COLLATION" => Ns::Relation,
        "FUNCTION" | "PROCEDURE" | "AGGREGATE" | "ROUTINE" => Ns::Routine,
        "SCHEMA" => Ns::Schema,
        "DATABASE" if dialect == DialectKind::Mysql => Ns::Schema,
        "EXTENSION" => Ns::Extension,
        "TRIGGER" => Ns::Trigger,
        "ROLE" | "USER" | "GROUP" => Ns::Role,
        _ => return None,
    })
}

pub(crate) fn alter(c: &mut Cursor<'_>, f: &mut Facts) -> Option<()> {
    while c
        .eat_one_of(&["ONLINE", "OFFLINE", "IGNORE", "MATERIALIZED", "FOREIGN"])
        .is_some()
    {}
    let kind = c.eat_one_of(ALTER_KINDS)?;
    match kind {
        "TABLE" => {
            c.if_exists();
            c.eat("ONLY");
            let name = c.name()?;
            f.target(Ns::Relation, name.clone());
            rename_to(c, f, Ns::Relation, name.schema.clone());
            tables::alter_table(c, f);
        }
        "TRIGGER" | "POLICY" => {
            let name = c.ident()?;
            if kind == "TRIGGER" {
                f.hard_ref(NsSet::of(Ns::Trigger), Name::bare(name));
            }
            if !c.eat("ON") {
                return None;
            }
            let table = c.name()?;
            f.target(Ns::Relation, table);
        }
        _ => {
            let ns = namespace(kind, c.dialect)?;
            c.if_exists();
            let name = c.name()?;
            f.shape = if ns == Ns::Relation && !c.is("OWNER") {
                Shape::Columns
            } else {
                Shape::Kept
            };
            rename_to(c, f, ns, name.schema.clone());
            f.target(ns, name);
            owned_by(c, f);
        }
    }
    Some(())
}

pub(crate) fn drop(c: &mut Cursor<'_>, f: &mut Facts) -> Option<()> {
    f.drop = true;
    f.barrier = true;
    c.eat("TEMPORARY");
    c.eat("MATERIALIZED");
    c.eat("FOREIGN");
    let kind = c.at(0)?.text(c.src).to_ascii_uppercase();
    c.i += 1;
    let ns = namespace(&kind, c.dialect)?;
    c.eat("CONCURRENTLY");
    c.if_exists();
    loop {
        let name = c.name()?;
        f.targets.push(Obj { ns, name });
        c.skip_parens();
        if !c.is_punct(b',') {
            break;
        }
        c.i += 1;
    }
    if c.eat("ON") {
        let table = c.name()?;
        f.targets.push(Obj {
            ns: Ns::Relation,
            name: table,
        });
    }
    Some(())
}

pub(crate) fn comment(c: &mut Cursor<'_>, f: &mut Facts) -> Option<()> {
    if !c.eat("ON") {
        return None;
    }
    c.eat("MATERIALIZED");
    c.eat("FOREIGN");
    let kind = c.at(0)?.text(c.src).to_ascii_uppercase();
    c.i += 1;
    match kind.as_str() {
        "COLUMN" => {
            let parts = c.parts()?;
            let (_, table) = parts.split_last()?;
            f.target(Ns::Relation, Name::from_parts(table)?);
        }
        "TRIGGER" | "CONSTRAINT" | "POLICY" | "RULE" => {
            let name = Name::bare(c.ident()?);
            if !c.eat("ON") {
                return None;
            }
            c.eat("DOMAIN");
            let table = c.name()?;
            match kind.as_str() {
                "TRIGGER" => f.hard_ref(NsSet::of(Ns::Trigger), name),
                "CONSTRAINT" => f.hard_ref(NsSet::of(Ns::Constraint), name),
                _ => {}
            }
            f.target(Ns::Relation, table);
        }
        other => {
            let ns = namespace(other, c.dialect)?;
            let name = c.name()?;
            f.target(ns, name);
        }
    }
    Some(())
}

pub(crate) fn grant(c: &mut Cursor<'_>, f: &mut Facts) -> Option<()> {
    if !c.seek("ON") {
        // Granting a role to a role: the mentioned roles are all there is to it.
        return Some(());
    }
    c.i += 1;
    if c.is("ALL") {
        // `ON ALL TABLES IN SCHEMA s` covers the tables existing at that point.
        return None;
    }
    let ns = match c.eat_one_of(&[
        "TABLE",
        "SEQUENCE",
        "TYPE",
        "DOMAIN",
        "FUNCTION",
        "PROCEDURE",
        "ROUTINE",
        "SCHEMA",
        "DATABASE",
    ]) {
        Some(kind) => namespace(kind, c.dialect)?,
        None => {
            // `ON LANGUAGE x`, `ON TABLESPACE x`, …: kinds ordering does not model.
            let src = c.src;
            let kind_word = c.at(0).is_some_and(|t| t.kind == Kind::Word)
                && c.at(1).is_some_and(|t| {
                    is_name_token(t) && !t.is_kw(src, "TO") && !t.is_kw(src, "FROM")
                });
            if kind_word {
                return None;
            }
            Ns::Relation
        }
    };
    loop {
        let name = c.name()?;
        if c.is_punct(b'.') {
            // MySQL `db.*`
            return None;
        }
        f.target(ns, name);
        c.skip_parens();
        if !c.is_punct(b',') {
            break;
        }
        c.i += 1;
    }
    Some(())
}
