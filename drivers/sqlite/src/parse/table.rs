//! Reading what the pragmas leave out of a stored `CREATE TABLE` statement.

use schema_model::{Check, ConflictResolution, Deferrable};

use super::lexer::{Kind, Token, matching_close, span, split_group, tokenize};

/// Column attributes only the `CREATE TABLE` text holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ParsedColumn {
    /// Column name.
    pub name: String,
    /// Explicit `COLLATE`.
    pub collation: Option<String>,
    /// Generation expression (inside its parentheses) and whether it is `STORED`.
    pub generated: Option<(String, bool)>,
    /// `PRIMARY KEY AUTOINCREMENT`.
    pub autoincrement: bool,
    /// `NOT NULL ON CONFLICT …`.
    pub not_null_conflict: Option<ConflictResolution>,
    /// `PRIMARY KEY ON CONFLICT …` on the column.
    pub primary_key_conflict: Option<ConflictResolution>,
}

/// A foreign key clause as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ParsedForeignKey {
    /// `CONSTRAINT name`, if given.
    pub name: Option<String>,
    /// Referencing columns.
    pub columns: Vec<String>,
    /// Referenced table as written.
    pub ref_table: String,
    /// Deferrability.
    pub deferrable: Deferrable,
    /// `MATCH FULL` (the pragma always reports `NONE`).
    pub match_full: bool,
}

/// A `UNIQUE` constraint as written (SQLite forgets its name; we keep it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ParsedUnique {
    /// `CONSTRAINT name`, if given.
    pub name: Option<String>,
    /// Columns (or expressions' text).
    pub columns: Vec<String>,
    /// `ON CONFLICT …`.
    pub on_conflict: Option<ConflictResolution>,
}

/// Everything read from a `CREATE TABLE` text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ParsedTable {
    /// Columns in order.
    pub columns: Vec<ParsedColumn>,
    /// Checks, column-level and table-level, in order.
    pub checks: Vec<Check>,
    /// Foreign keys, column-level and table-level, in order.
    pub foreign_keys: Vec<ParsedForeignKey>,
    /// Unique constraints, column-level and table-level.
    pub uniques: Vec<ParsedUnique>,
    /// `ON CONFLICT …` of the primary key, table-level or on its column.
    pub primary_key_conflict: Option<ConflictResolution>,
    /// `WITHOUT ROWID`.
    pub without_rowid: bool,
    /// `STRICT`.
    pub strict: bool,
}

impl ParsedTable {
    /// The parsed column of that name (case-insensitive, as SQLite resolves names).
    pub fn column(&self, name: &str) -> Option<&ParsedColumn> {
        self.columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }
}

const COLUMN_CONSTRAINT_START: &[&str] = &[
    "CONSTRAINT",
    "PRIMARY",
    "NOT",
    "NULL",
    "UNIQUE",
    "CHECK",
    "DEFAULT",
    "COLLATE",
    "REFERENCES",
    "GENERATED",
    "AS",
];

/// Parses a stored `CREATE TABLE` statement. Text it does not understand is skipped, so
/// the result may miss attributes but never fails.
pub(crate) fn parse_create_table(sql: &str) -> ParsedTable {
    let tokens = tokenize(sql);
    let mut parsed = ParsedTable::default();
    let Some(open) = tokens.iter().position(|t| t.kind == Kind::Open) else {
        return parsed;
    };
    // `CREATE TABLE t AS SELECT …` has no column list before its query.
    if tokens[..open].iter().any(|t| t.is("AS")) {
        return parsed;
    }
    let (items, close) = split_group(&tokens, open);
    for item in items {
        let Some(first) = item.first() else { continue };
        let is_table_constraint = ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"]
            .iter()
            .any(|k| first.is(k));
        if is_table_constraint {
            table_constraint(sql, item, &mut parsed);
        } else {
            column(sql, item, &mut parsed);
        }
    }
    for token in tokens.iter().skip(close + 1) {
        if token.is("ROWID") {
            parsed.without_rowid = true;
        } else if token.is("STRICT") {
            parsed.strict = true;
        }
    }
    parsed
}

fn column(sql: &str, item: &[Token], parsed: &mut ParsedTable) {
    let Some(name) = item.first().filter(|t| t.is_name()) else {
        return;
    };
    let mut col = ParsedColumn {
        name: name.value.clone(),
        ..ParsedColumn::default()
    };
    let mut i = 1;
    // Skip the declared type (words and a parenthesized size) up to the first constraint.
    while i < item.len() && !COLUMN_CONSTRAINT_START.iter().any(|k| item[i].is(k)) {
        if item[i].kind == Kind::Open {
            i = matching_close(item, i);
        }
        i += 1;
    }
    let mut pending_name: Option<String> = None;
    // The constraint an `ON CONFLICT` clause belongs to: the one just before it.
    let mut last = Conflicted::Nothing;
    while i < item.len() {
        let t = &item[i];
        if t.is("ON") && item.get(i + 1).is_some_and(|n| n.is("CONFLICT")) {
            let resolution = item
                .get(i + 2)
                .and_then(|w| ConflictResolution::parse(&w.value));
            match last {
                Conflicted::NotNull => col.not_null_conflict = resolution,
                Conflicted::PrimaryKey => col.primary_key_conflict = resolution,
                Conflicted::Unique(at) => {
                    if let Some(unique) = parsed.uniques.get_mut(at) {
                        unique.on_conflict = resolution;
                    }
                }
                Conflicted::Nothing => {}
            }
            i += 3;
            continue;
        }
        if t.is("CONSTRAINT") {
            pending_name = item.get(i + 1).map(|n| n.value.clone());
            i += 2;
            continue;
        }
        if t.is("AUTOINCREMENT") {
            col.autoincrement = true;
        } else if t.is("COLLATE") {
            col.collation = item.get(i + 1).map(|n| n.value.clone());
            i += 1;
        } else if t.is("CHECK") {
            if let Some((expr, end)) = paren_expr(sql, item, i + 1) {
                parsed.checks.push(check(pending_name.take(), expr));
                i = end;
            }
        } else if t.is("AS") {
            if let Some((expr, end)) = paren_expr(sql, item, i + 1) {
                let stored = item.get(end + 1).is_some_and(|n| n.is("STORED"));
                col.generated = Some((expr, stored));
                i = end;
            }
        } else if t.is("DEFAULT") {
            // Skip the default's value so words inside it are not read as constraints.
            if item.get(i + 1).is_some_and(|n| n.kind == Kind::Open) {
                i = matching_close(item, i + 1);
            } else {
                i += 1;
                if item.get(i).is_some_and(|n| n.kind == Kind::Punct) {
                    i += 1;
                }
            }
        } else if t.is("UNIQUE") {
            last = Conflicted::Unique(parsed.uniques.len());
            parsed.uniques.push(ParsedUnique {
                name: pending_name.take(),
                columns: vec![col.name.clone()],
                on_conflict: None,
            });
        } else if t.is("REFERENCES") {
            let (mut fk, end) = references(item, i);
            fk.name = pending_name.take();
            fk.columns = vec![col.name.clone()];
            parsed.foreign_keys.push(fk);
            i = end;
            continue;
        } else if t.is("PRIMARY") || t.is("NOT") || t.is("NULL") {
            pending_name = None;
            last = if t.is("PRIMARY") {
                Conflicted::PrimaryKey
            } else if t.is("NOT") {
                Conflicted::NotNull
            } else if item.get(i.wrapping_sub(1)).is_some_and(|p| p.is("NOT")) {
                // The `NULL` of `NOT NULL`.
                Conflicted::NotNull
            } else {
                Conflicted::Nothing
            };
        }
        i += 1;
    }
    if col.primary_key_conflict.is_some() {
        parsed.primary_key_conflict = col.primary_key_conflict;
    }
    parsed.columns.push(col);
}

/// Which column constraint a following `ON CONFLICT` clause applies to.
#[derive(Clone, Copy)]
enum Conflicted {
    Nothing,
    NotNull,
    PrimaryKey,
    /// The unique constraint at this index of `ParsedTable::uniques`.
    Unique(usize),
}

/// The resolution of an `ON CONFLICT` clause anywhere in `tokens`.
fn conflict_clause(tokens: &[Token]) -> Option<ConflictResolution> {
    let at = tokens
        .windows(2)
        .position(|w| w[0].is("ON") && w[1].is("CONFLICT"))?;
    tokens
        .get(at + 2)
        .and_then(|w| ConflictResolution::parse(&w.value))
}

fn table_constraint(sql: &str, item: &[Token], parsed: &mut ParsedTable) {
    let mut i = 0;
    let mut name = None;
    if item[0].is("CONSTRAINT") {
        name = item.get(1).map(|n| n.value.clone());
        i = 2;
    }
    let Some(kind) = item.get(i) else { return };
    if kind.is("CHECK") {
        if let Some((expr, _)) = paren_expr(sql, item, i + 1) {
            parsed.checks.push(check(name, expr));
        }
    } else if kind.is("UNIQUE") {
        if let Some(open) = item.iter().position(|t| t.kind == Kind::Open) {
            let (parts, close) = split_group(item, open);
            parsed.uniques.push(ParsedUnique {
                name,
                columns: parts.iter().map(|p| part_name(sql, p)).collect(),
                on_conflict: conflict_clause(item.get(close..).unwrap_or_default()),
            });
        }
    } else if kind.is("PRIMARY") {
        if let Some(open) = item.iter().position(|t| t.kind == Kind::Open) {
            let close = matching_close(item, open);
            parsed.primary_key_conflict = conflict_clause(item.get(close..).unwrap_or_default());
        }
    } else if kind.is("FOREIGN") {
        let Some(open) = item.iter().position(|t| t.kind == Kind::Open) else {
            return;
        };
        let (cols, close) = split_group(item, open);
        let Some(refs) = item.iter().skip(close).position(|t| t.is("REFERENCES")) else {
            return;
        };
        let (mut fk, _) = references(item, close + refs);
        fk.name = name;
        fk.columns = cols.iter().map(|p| part_name(sql, p)).collect();
        parsed.foreign_keys.push(fk);
    }
}

/// The name of a key part: its first token's value when it names a column, else its text.
fn part_name(sql: &str, part: &[Token]) -> String {
    match part.first() {
        Some(t) if t.is_name() => t.value.clone(),
        _ => span(sql, part).to_owned(),
    }
}

fn check(name: Option<String>, expr: String) -> Check {
    Check {
        name,
        expr,
        no_inherit: false,
        not_enforced: false,
    }
}

/// The text inside the parenthesis at `open` (trimmed) and the index of its close.
fn paren_expr(sql: &str, item: &[Token], open: usize) -> Option<(String, usize)> {
    let first = item.get(open).filter(|t| t.kind == Kind::Open)?;
    let close = matching_close(item, open);
    let end = item.get(close).map(|t| t.start).unwrap_or(sql.len());
    let text = sql.get(first.end..end)?.trim().to_owned();
    Some((text, close))
}

/// Parses `REFERENCES t [(cols)] [actions…] [DEFERRABLE …]` starting at `at`; returns the
/// clause and the index just past it.
fn references(item: &[Token], at: usize) -> (ParsedForeignKey, usize) {
    let mut fk = ParsedForeignKey::default();
    let mut i = at + 1;
    if let Some(t) = item.get(i).filter(|t| t.is_name()) {
        fk.ref_table = t.value.clone();
        i += 1;
    }
    if item.get(i).is_some_and(|t| t.kind == Kind::Open) {
        i = matching_close(item, i) + 1;
    }
    while i < item.len() {
        let t = &item[i];
        if t.is("ON") {
            // ON DELETE|UPDATE <action>; actions come from the pragma.
            i += 2;
            if item.get(i).is_some_and(|a| a.is("SET") || a.is("NO")) {
                i += 1;
            }
        } else if t.is("MATCH") {
            fk.match_full = item.get(i + 1).is_some_and(|n| n.is("FULL"));
            i += 1;
        } else if t.is("NOT") && item.get(i + 1).is_some_and(|n| n.is("DEFERRABLE")) {
            fk.deferrable = Deferrable::Not;
            i += 1;
            if item.get(i + 1).is_some_and(|n| n.is("INITIALLY")) {
                i += 2;
            }
        } else if t.is("DEFERRABLE") {
            fk.deferrable = Deferrable::InitiallyImmediate;
            if item.get(i + 1).is_some_and(|n| n.is("INITIALLY")) {
                if item.get(i + 2).is_some_and(|n| n.is("DEFERRED")) {
                    fk.deferrable = Deferrable::InitiallyDeferred;
                }
                i += 2;
            }
        } else {
            break;
        }
        i += 1;
    }
    (fk, i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_column_and_table_constraints() {
        let parsed = parse_create_table(
            "CREATE TABLE t (\n a INTEGER PRIMARY KEY AUTOINCREMENT,\n b text COLLATE nocase DEFAULT 'x' CHECK (length(b) > 1),\n c AS (a * 2) STORED,\n d GENERATED ALWAYS AS (a+1),\n e REFERENCES p ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,\n CONSTRAINT pos CHECK (a > 0),\n CONSTRAINT fk FOREIGN KEY (b, c) REFERENCES q(x, y) NOT DEFERRABLE,\n CONSTRAINT uq UNIQUE (b, \"c\")\n) STRICT, WITHOUT ROWID",
        );
        assert!(parsed.strict && parsed.without_rowid);
        assert!(parsed.column("A").is_some_and(|c| c.autoincrement));
        assert_eq!(
            parsed.column("b").and_then(|c| c.collation.clone()),
            Some("nocase".into())
        );
        assert_eq!(
            parsed.column("c").and_then(|c| c.generated.clone()),
            Some(("a * 2".into(), true))
        );
        assert_eq!(
            parsed.column("d").and_then(|c| c.generated.clone()),
            Some(("a+1".into(), false))
        );
        let checks: Vec<_> = parsed
            .checks
            .iter()
            .map(|c| (c.name.clone(), c.expr.clone()))
            .collect();
        assert_eq!(
            checks,
            [
                (None, "length(b) > 1".to_owned()),
                (Some("pos".to_owned()), "a > 0".to_owned())
            ]
        );
        assert_eq!(parsed.foreign_keys.len(), 2);
        assert_eq!(
            parsed.foreign_keys[0].deferrable,
            Deferrable::InitiallyDeferred
        );
        assert_eq!(parsed.foreign_keys[1].name.as_deref(), Some("fk"));
        assert_eq!(parsed.foreign_keys[1].columns, ["b", "c"]);
        assert_eq!(parsed.uniques[0].columns, ["b", "c"]);
    }

    #[test]
    fn reads_conflict_clauses() {
        let parsed = parse_create_table(
            "CREATE TABLE t (a INTEGER NOT NULL ON CONFLICT REPLACE PRIMARY KEY ON CONFLICT IGNORE, \
             b TEXT CONSTRAINT bu UNIQUE ON CONFLICT FAIL NOT NULL, c TEXT NULL ON CONFLICT ROLLBACK, \
             UNIQUE (b, c) ON CONFLICT ROLLBACK, CHECK (a > 0) ON CONFLICT IGNORE)",
        );
        let a = parsed.column("a").expect("a");
        assert_eq!(a.not_null_conflict, Some(ConflictResolution::Replace));
        assert_eq!(
            parsed.primary_key_conflict,
            Some(ConflictResolution::Ignore)
        );
        assert_eq!(parsed.column("b").expect("b").not_null_conflict, None);
        assert_eq!(parsed.column("c").expect("c").not_null_conflict, None);
        let uniques: Vec<_> = parsed.uniques.iter().map(|u| u.on_conflict).collect();
        assert_eq!(
            uniques,
            [
                Some(ConflictResolution::Fail),
                Some(ConflictResolution::Rollback)
            ]
        );
        assert_eq!(parsed.checks[0].expr, "a > 0");
        let parsed =
            parse_create_table("CREATE TABLE t (a, b, PRIMARY KEY (a, b) ON CONFLICT REPLACE)");
        assert_eq!(
            parsed.primary_key_conflict,
            Some(ConflictResolution::Replace)
        );
    }

    #[test]
    fn tolerates_odd_text() {
        for sql in [
            "CREATE TABLE t AS SELECT 1",
            "CREATE TABLE t",
            "CREATE TABLE t (",
            "",
        ] {
            let _ = parse_create_table(sql);
        }
    }
}
