//! Tables: what the body of `CREATE TABLE` and the operations of `ALTER TABLE` define and need,
//! and moving a foreign key out of `CREATE TABLE` into a later `ALTER TABLE`.

use std::ops::Range;

use crate::DialectKind;
use crate::facts::{Cursor, Facts, Key, Referenced, Shape, matching_paren};
use crate::lexer::Token;
use crate::names::{Name, Ns, NsSet, dotted, ident};

/// A foreign key written inside `CREATE TABLE`, with what it takes to move it out.
#[derive(Clone, Debug)]
pub(crate) struct FkClause {
    /// The referenced table.
    pub target: Name,
    /// The referenced columns, if listed.
    pub columns: Option<Vec<String>>,
    /// The bytes of the `CREATE TABLE` text to cut when the key moves out.
    pub remove: Range<usize>,
    /// The `ALTER TABLE … ADD …` statement that adds the key instead.
    pub alter: String,
    /// The line of the key within the statement (1-based).
    pub line: usize,
}

/// Types whose columns come with an implicit sequence named `<table>_<column>_seq`.
const SERIAL_TYPES: &[&str] = &[
    "serial",
    "bigserial",
    "smallserial",
    "serial2",
    "serial4",
    "serial8",
];

/// Reads what follows the table name of a `CREATE TABLE`.
pub(crate) fn create_table(c: &mut Cursor<'_>, f: &mut Facts, table: &Name, table_text: &str) {
    // Only the first parenthesized list is the table's body; later ones are options
    // (`WITH (…)`, `PARTITION BY RANGE (…)`, MySQL partition definitions).
    let mut body_read = false;
    while let Some(t) = c.at(0) {
        if c.eat_all(&["PARTITION", "OF"]) || c.eat("OF") || c.eat("LIKE") {
            if let Some(parent) = c.name() {
                f.hard_ref(NsSet::of(Ns::Relation), parent);
            }
        } else if c.is("AS") {
            break;
        } else if t.is_punct(c.src, b'(') && !body_read {
            body_read = true;
            let close = matching_paren(c.src, c.toks, c.i);
            let body = Body {
                src: c.src,
                toks: c.toks,
                dialect: c.dialect,
                table,
                table_text,
            };
            body.read(c.i + 1, close.saturating_sub(1), f);
            c.i = close;
        } else if c.eat("INHERITS") && c.is_punct(b'(') {
            c.i += 1;
            while let Some(parent) = c.name() {
                f.hard_ref(NsSet::of(Ns::Relation), parent);
                if !c.is_punct(b',') {
                    break;
                }
                c.i += 1;
            }
        } else if t.is_punct(c.src, b'(') {
            c.skip_parens();
        } else {
            c.i += 1;
        }
    }
}

struct Body<'a> {
    src: &'a str,
    toks: &'a [Token],
    dialect: DialectKind,
    table: &'a Name,
    table_text: &'a str,
}

impl Body<'_> {
    /// Reads the elements between `from` and `to` (the closing parenthesis).
    fn read(&self, from: usize, to: usize, f: &mut Facts) {
        for element in elements(self.src, self.toks, from, to) {
            self.element(element, f);
        }
    }

    fn is(&self, at: usize, kw: &str) -> bool {
        self.toks.get(at).is_some_and(|t| t.is_kw(self.src, kw))
    }

    fn element(&self, e: Range<usize>, f: &mut Facts) {
        let s = e.start;
        let named = self.is(s, "CONSTRAINT");
        let kind_at = if named { s + 2 } else { s };
        if self.is(kind_at, "FOREIGN") {
            if let Some(fk) = self.table_fk(e.clone()) {
                f.fks.push(fk);
            }
        } else if named {
            if let Some(name) = self
                .toks
                .get(s + 1)
                .and_then(|t| ident(self.src, t, self.dialect))
            {
                f.define(Ns::Constraint, Name::bare(name));
            }
        } else if self.is(s, "LIKE") {
            if let Some((parts, _)) = dotted(self.src, self.toks, s + 1, self.dialect)
                && let Some(name) = Name::from_parts(&parts)
            {
                f.hard_ref(NsSet::of(Ns::Relation), name);
            }
        } else if ![
            "PRIMARY", "UNIQUE", "CHECK", "KEY", "INDEX", "FULLTEXT", "SPATIAL", "EXCLUDE",
            "PERIOD",
        ]
        .iter()
        .any(|kw| self.is(s, kw))
        {
            self.column(e, f);
        }
    }

    fn column(&self, e: Range<usize>, f: &mut Facts) {
        let Some(column) = ident(self.src, &self.toks[e.start], self.dialect) else {
            return;
        };
        let src = self.src;
        let serial = self
            .toks
            .get(e.start + 1)
            .is_some_and(|t| SERIAL_TYPES.iter().any(|s| t.is_kw(src, s)));
        let identity = (e.start..e.end).any(|i| self.is(i, "IDENTITY"));
        if self.dialect == DialectKind::Postgres && (serial || identity) {
            f.define(
                Ns::Relation,
                Name {
                    schema: self.table.schema.clone(),
                    name: format!("{}_{}_seq", self.table.name, column),
                },
            );
        }
        let mut i = e.start + 1;
        while i < e.end {
            if self.is(i, "CONSTRAINT")
                && !self.is(i + 2, "REFERENCES")
                && let Some(name) = self
                    .toks
                    .get(i + 1)
                    .and_then(|t| ident(src, t, self.dialect))
            {
                f.define(Ns::Constraint, Name::bare(name));
            }
            if self.is(i, "REFERENCES")
                && let Some(fk) = self.inline_fk(e.start, i)
            {
                f.fks.push(fk);
            }
            if self.toks[i].is_punct(src, b'(') {
                i = matching_paren(src, self.toks, i);
            } else {
                i += 1;
            }
        }
    }

    /// `[CONSTRAINT name] FOREIGN KEY (…) REFERENCES …` as a table element.
    fn table_fk(&self, e: Range<usize>) -> Option<FkClause> {
        let refs = (e.start..e.end).find(|&i| self.is(i, "REFERENCES"))?;
        let (target, columns) = self.target(refs)?;
        let first = &self.toks[e.start];
        let last = &self.toks[e.end - 1];
        let before = &self.toks[e.start - 1];
        let after = self.toks.get(e.end);
        // Cut the element with one of the commas around it.
        let remove = if before.is_punct(self.src, b',') {
            before.start..last.end
        } else {
            match after {
                Some(comma) if comma.is_punct(self.src, b',') => first.start..comma.end,
                _ => first.start..last.end,
            }
        };
        Some(FkClause {
            target,
            columns,
            remove,
            alter: format!(
                "ALTER TABLE {} ADD {}",
                self.table_text,
                &self.src[first.start..last.end]
            ),
            line: first.line,
        })
    }

    /// `column type … [CONSTRAINT name] REFERENCES …` inside a column definition.
    fn inline_fk(&self, column: usize, refs: usize) -> Option<FkClause> {
        let (target, columns) = self.target(refs)?;
        let start = if refs >= 2 && self.is(refs - 2, "CONSTRAINT") {
            refs - 2
        } else {
            refs
        };
        let end = self.fk_end(refs);
        let first = &self.toks[start];
        let last = &self.toks[end - 1];
        let named = &self.src[first.start..self.toks[refs].start];
        // Cut from the end of the token before, taking the blank in front of the clause.
        let cut_from = self.toks[start - 1].end;
        Some(FkClause {
            target,
            columns,
            remove: cut_from..last.end,
            alter: format!(
                "ALTER TABLE {} ADD {}FOREIGN KEY ({}) {}",
                self.table_text,
                named,
                self.toks[column].text(self.src),
                &self.src[self.toks[refs].start..last.end]
            ),
            line: first.line,
        })
    }

    fn target(&self, refs: usize) -> Option<(Name, Option<Vec<String>>)> {
        referenced(self.src, self.toks, refs, self.dialect).map(|r| (r.table, r.columns))
    }

    /// The index after the last token of the foreign key whose `REFERENCES` is at `refs`.
    fn fk_end(&self, refs: usize) -> usize {
        let mut i =
            dotted(self.src, self.toks, refs + 1, self.dialect).map_or(refs + 1, |(_, n)| n);
        let paren = |i: usize| self.toks.get(i).is_some_and(|t| t.is_punct(self.src, b'('));
        if paren(i) {
            i = matching_paren(self.src, self.toks, i);
        }
        loop {
            if self.is(i, "MATCH") || self.is(i, "INITIALLY") {
                i += 2;
            } else if self.is(i, "ON") && (self.is(i + 1, "DELETE") || self.is(i + 1, "UPDATE")) {
                i += 2;
                if self.is(i, "NO") || self.is(i, "SET") {
                    i += 1;
                }
                i += 1;
                if paren(i) {
                    i = matching_paren(self.src, self.toks, i);
                }
            } else if self.is(i, "DEFERRABLE") || self.is(i, "ENFORCED") {
                i += 1;
            } else if self.is(i, "NOT")
                && (self.is(i + 1, "DEFERRABLE") || self.is(i + 1, "ENFORCED"))
            {
                i += 2;
            } else {
                return i.min(self.toks.len());
            }
        }
    }
}

/// The table and columns named after the `REFERENCES` at `refs`.
fn referenced(src: &str, toks: &[Token], refs: usize, dialect: DialectKind) -> Option<Referenced> {
    let (parts, next) = dotted(src, toks, refs + 1, dialect)?;
    Some(Referenced {
        table: Name::from_parts(&parts)?,
        columns: column_list(src, toks, next, dialect),
    })
}

/// The plain column names of the parenthesized list at `open` (`None` if there is no list or it
/// holds expressions); sort orders are allowed.
pub(crate) fn column_list(
    src: &str,
    toks: &[Token],
    open: usize,
    dialect: DialectKind,
) -> Option<Vec<String>> {
    if !toks.get(open)?.is_punct(src, b'(') {
        return None;
    }
    let close = matching_paren(src, toks, open).checked_sub(1)?;
    let mut columns = Vec::new();
    for e in elements(src, toks, open + 1, close) {
        let column = ident(src, &toks[e.start], dialect)?;
        let order = |t: &Token| ["ASC", "DESC"].iter().any(|kw| t.is_kw(src, kw));
        if !toks[e.start + 1..e.end].iter().all(order) {
            return None;
        }
        columns.push(column);
    }
    Some(columns)
}

/// The comma-separated elements between token `from` and token `to` (exclusive).
fn elements(src: &str, toks: &[Token], from: usize, to: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = from;
    let mut i = from;
    while i < to {
        if toks[i].is_punct(src, b'(') {
            i = matching_paren(src, toks, i);
            continue;
        }
        if toks[i].is_punct(src, b',') {
            if i > start {
                out.push(start..i);
            }
            start = i + 1;
        }
        i += 1;
    }
    if to > start {
        out.push(start..to.min(toks.len()));
    }
    out
}

/// Reads the operations of an `ALTER TABLE` after the table name.
pub(crate) fn alter_table(c: &mut Cursor<'_>, f: &mut Facts) {
    let src = c.src;
    let mut provides = Some(Vec::new());
    for op in elements(src, c.toks, c.i, c.toks.len()) {
        let is =
            |off: usize, kw: &str| op.start + off < op.end && c.toks[op.start + off].is_kw(src, kw);
        let op_shape = shape(&is);
        f.shape = f.shape.max(op_shape);
        if op_shape == Shape::Columns {
            match (provides.as_mut(), column_changed(c, op.clone())) {
                (Some(names), Some(column)) => names.push(column),
                _ => provides = None,
            }
        }
        let named = is(0, "ADD") && is(1, "CONSTRAINT");
        // `ADD CONSTRAINT` may be all there is of an unfinished statement.
        let constraint = c.toks.get(op.start + 2).filter(|_| op.start + 2 < op.end);
        if named && let Some(name) = constraint.and_then(|t| ident(src, t, c.dialect)) {
            f.define(Ns::Constraint, Name::bare(name));
        }
        if is(0, "ADD") {
            let at = op.start + if named { 3 } else { 1 };
            if let Some(key) = added_key(c, at, op.end).or_else(|| column_key(c, at, op.end)) {
                f.keys.push(key);
            }
        }
        for i in op.clone() {
            if c.toks[i].is_kw(src, "REFERENCES")
                && let Some(r) = referenced(src, c.toks, i, c.dialect)
            {
                f.hard_ref(NsSet::of(Ns::Relation), r.table.clone());
                f.foreign.push(r);
            }
            let attach =
                c.toks[i].is_kw(src, "PARTITION") && i > 0 && c.toks[i - 1].is_kw(src, "ATTACH");
            if attach
                && let Some((parts, _)) = dotted(src, c.toks, i + 1, c.dialect)
                && let Some(name) = Name::from_parts(&parts)
            {
                f.hard_ref(NsSet::of(Ns::Relation), name);
            }
        }
    }
    f.provides = provides;
}

/// The column an operation adds (`ADD [COLUMN] [IF NOT EXISTS] c`), renames to (`RENAME
/// [COLUMN] a TO c`, `CHANGE [COLUMN] a c`) or retypes (`ALTER [COLUMN] c TYPE`, `MODIFY c`).
fn column_changed(c: &Cursor<'_>, op: Range<usize>) -> Option<String> {
    let is = |i: usize, kw: &str| i < op.end && c.toks[i].is_kw(c.src, kw);
    let mut at = op.start + 1;
    if is(at, "COLUMN") {
        at += 1;
    }
    let first = op.start;
    let column_at = if is(first, "ADD") || is(first, "ALTER") || is(first, "MODIFY") {
        if is(at, "IF") {
            at += if is(at + 1, "NOT") { 3 } else { 2 };
        }
        at
    } else if is(first, "RENAME") && is(at + 1, "TO") {
        at + 2
    } else if is(first, "CHANGE") {
        at + 1
    } else {
        return None;
    };
    let token = c.toks.get(column_at).filter(|_| column_at < op.end)?;
    ident(c.src, token, c.dialect)
}

/// `[COLUMN] name type … PRIMARY KEY|UNIQUE …` from token `at` of an `ADD`: a key on the new
/// column.
fn column_key(c: &Cursor<'_>, at: usize, end: usize) -> Option<Key> {
    let at = if c.toks.get(at)?.is_kw(c.src, "COLUMN") {
        at + 1
    } else {
        at
    };
    let column = ident(c.src, c.toks.get(at)?, c.dialect)?;
    let within = |kw: &str| (at + 1..end).any(|i| c.toks[i].is_kw(c.src, kw));
    let primary = within("PRIMARY");
    (primary || within("UNIQUE")).then(|| Key {
        primary,
        columns: Some(vec![column]),
    })
}

/// `PRIMARY KEY (…)` or `UNIQUE [KEY|INDEX] [name] (…)` from token `at` of an `ADD`.
fn added_key(c: &Cursor<'_>, at: usize, end: usize) -> Option<Key> {
    let is = |i: usize, kw: &str| i < end && c.toks[i].is_kw(c.src, kw);
    let primary = is(at, "PRIMARY");
    if !primary && !is(at, "UNIQUE") {
        return None;
    }
    let open = (at..end).find(|&i| c.toks[i].is_punct(c.src, b'('))?;
    Some(Key {
        primary,
        columns: column_list(c.src, c.toks, open, c.dialect),
    })
}

/// What an `ALTER TABLE` operation changes that later statements can rely on: columns, the
/// table's name or schema, or its keys. Foreign keys, checks, ownership, triggers and defaults
/// change nothing others need.
fn shape(is: &dyn Fn(usize, &str) -> bool) -> Shape {
    let any = |off: usize, kws: &[&str]| kws.iter().any(|kw| is(off, kw));
    const KEPT: &[&str] = &[
        "OWNER",
        "ENABLE",
        "DISABLE",
        "VALIDATE",
        "CLUSTER",
        "RESET",
        "REPLICA",
        "FORCE",
        "NO",
        "ALGORITHM",
        "LOCK",
        "ENGINE",
        "AUTO_INCREMENT",
        "COMMENT",
        "CHARSET",
        "COLLATE",
        "ROW_FORMAT",
        "DEFAULT",
    ];
    let kept = if any(0, KEPT) {
        true
    } else if is(0, "SET") {
        !is(1, "SCHEMA")
    } else if is(0, "ADD") {
        let at = if is(1, "CONSTRAINT") { 3 } else { 1 };
        if any(at, &["PRIMARY", "UNIQUE"]) {
            return Shape::Keys;
        }
        any(
            at,
            &[
                "FOREIGN", "CHECK", "INDEX", "KEY", "FULLTEXT", "SPATIAL", "EXCLUDE",
            ],
        )
    } else if is(0, "DROP") {
        any(
            1,
            &["CONSTRAINT", "FOREIGN", "INDEX", "KEY", "CHECK", "DEFAULT"],
        )
    } else if is(0, "ALTER") {
        let at = if is(1, "COLUMN") { 3 } else { 2 };
        is(at, "DROP") || (is(at, "SET") && !is(at + 1, "DATA"))
    } else {
        false
    };
    if kept { Shape::Kept } else { Shape::Columns }
}

/// `sql` with the byte ranges in `cuts` removed (overlapping ranges merge).
pub(crate) fn without(sql: &str, mut cuts: Vec<Range<usize>>) -> String {
    cuts.sort_by_key(|r| r.start);
    let mut out = String::with_capacity(sql.len());
    let mut at = 0;
    for cut in cuts {
        if cut.start > at {
            out.push_str(&sql[at..cut.start]);
        }
        at = at.max(cut.end);
    }
    out.push_str(&sql[at.min(sql.len())..]);
    out
}

#[cfg(test)]
mod tests {
    use crate::DialectKind;
    use crate::facts::{Shape, analyze};

    use super::without;

    #[test]
    fn moves_table_and_inline_keys() {
        let sql = "CREATE TABLE a (id int PRIMARY KEY, b_id int CONSTRAINT fk_b REFERENCES b (id) ON DELETE SET NULL NOT NULL, CONSTRAINT fk_c FOREIGN KEY (id) REFERENCES s.c (id) DEFERRABLE INITIALLY DEFERRED)";
        let facts = analyze(sql, DialectKind::Postgres, None).expect("analyzes");
        assert_eq!(facts.fks.len(), 2);
        assert_eq!(
            facts.fks[0].alter,
            "ALTER TABLE a ADD CONSTRAINT fk_b FOREIGN KEY (b_id) REFERENCES b (id) ON DELETE SET NULL"
        );
        assert_eq!(
            facts.fks[1].alter,
            "ALTER TABLE a ADD CONSTRAINT fk_c FOREIGN KEY (id) REFERENCES s.c (id) DEFERRABLE INITIALLY DEFERRED"
        );
        let cut = without(sql, facts.fks.iter().map(|fk| fk.remove.clone()).collect());
        assert_eq!(
            cut,
            "CREATE TABLE a (id int PRIMARY KEY, b_id int NOT NULL)"
        );
    }

    #[test]
    fn first_element_takes_following_comma() {
        let sql = "CREATE TABLE a (FOREIGN KEY (x) REFERENCES b, x int)";
        let facts = analyze(sql, DialectKind::Mysql, None).expect("analyzes");
        let cut = without(sql, vec![facts.fks[0].remove.clone()]);
        assert_eq!(cut, "CREATE TABLE a ( x int)");
    }

    #[test]
    fn shapes_of_operations() {
        let shape = |sql: &str| {
            analyze(sql, DialectKind::Postgres, None)
                .expect("analyzes")
                .shape
        };
        assert_eq!(shape("ALTER TABLE t ADD COLUMN c int"), Shape::Columns);
        assert_eq!(
            shape("ALTER TABLE t ADD c int, ADD UNIQUE (c)"),
            Shape::Columns
        );
        assert_eq!(
            shape("ALTER TABLE t ADD CONSTRAINT pk PRIMARY KEY (id)"),
            Shape::Keys
        );
        assert_eq!(
            shape("ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES u"),
            Shape::Kept
        );
        assert_eq!(
            shape("ALTER TABLE t ALTER COLUMN c SET DEFAULT 1"),
            Shape::Kept
        );
        assert_eq!(
            shape("ALTER TABLE t ALTER COLUMN c SET DATA TYPE bigint"),
            Shape::Columns
        );
        assert_eq!(shape("ALTER TABLE ONLY t OWNER TO bob"), Shape::Kept);
        assert_eq!(shape("CREATE UNIQUE INDEX i ON t (a)"), Shape::Keys);
        assert_eq!(shape("CREATE UNIQUE INDEX i ON t (lower(a))"), Shape::Kept);
    }
}
