//! What one statement can change in a schema, read from its head: the tables a
//! table-level statement (`CREATE TABLE t`, `ALTER TABLE t …`, `CREATE INDEX … ON t`,
//! `DROP TABLE t`, `CREATE TRIGGER … ON t`, `COMMENT ON COLUMN t.c`) touches, or that it
//! could touch anything.
//!
//! A caller that has the schema before the statement can then re-read only those tables
//! after it. The recognizer is deliberately narrow: a clause whose effects reach other
//! objects (`RENAME`, which other tables' foreign keys and views follow; `CASCADE`;
//! partitions and inheritance; `SET SCHEMA`) or any head it does not know makes the
//! statement [`StatementScope::Anything`].

use crate::DialectKind;
use crate::lexer::{self, Kind, Token, unquote};

/// A table (or relation) name as a statement writes it: unquoted PostgreSQL names folded
/// to lower case, other names as written.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ScopedName {
    /// The schema (or MySQL database) written in front of the name, if any.
    pub schema: Option<String>,
    /// The name.
    pub name: String,
}

/// What a statement can change in the schema; see [`statement_scope`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StatementScope {
    /// Nothing in the schema: rows (`INSERT`, `UPDATE`, `DELETE`, `TRUNCATE`), statistics,
    /// session settings.
    Nothing,
    /// Nothing in the schema, but how later unqualified names resolve (`SET search_path`,
    /// `USE db`): later statements' names cannot be placed any more.
    NameResolution,
    /// Only tables (or relations, for triggers) of these names: their columns, keys,
    /// indexes, foreign keys, checks, policies, comments, and triggers on them.
    Tables(Vec<ScopedName>),
    /// Indexes dropped by name alone: only the tables holding them change.
    IndexesOf(Vec<ScopedName>),
    /// A trigger dropped by name alone: only the relation it is on changes.
    TriggerOf(ScopedName),
    /// Anything in the schema.
    Anything,
}

/// What `sql` (one statement) can change in a schema, read lexically from its head.
///
/// ```
/// use sqlimport::{DialectKind, ScopedName, StatementScope, statement_scope};
///
/// let t = |name: &str| ScopedName { schema: None, name: name.into() };
/// assert_eq!(
///     statement_scope("ALTER TABLE Users ADD COLUMN age int;", DialectKind::Postgres),
///     StatementScope::Tables(vec![t("users")]),
/// );
/// assert_eq!(
///     statement_scope("CREATE INDEX CONCURRENTLY i ON users (age);", DialectKind::Postgres),
///     StatementScope::Tables(vec![t("users")]),
/// );
/// // Renames reach other tables' foreign keys and views.
/// assert_eq!(
///     statement_scope("ALTER TABLE users RENAME TO people;", DialectKind::Postgres),
///     StatementScope::Anything,
/// );
/// ```
pub fn statement_scope(sql: &str, dialect: DialectKind) -> StatementScope {
    let Ok(tokens) = lexer::tokens(sql, dialect) else {
        return StatementScope::Anything;
    };
    // A trailing semicolon is not part of the statement's shape.
    let end = match tokens.last() {
        Some(t) if t.is_punct(sql, b';') => tokens.len() - 1,
        _ => tokens.len(),
    };
    let head = Head {
        src: sql,
        toks: &tokens[..end],
        dialect,
    };
    head.scope().unwrap_or(StatementScope::Anything)
}

/// The tokens of one statement and how to read names in them.
struct Head<'a> {
    src: &'a str,
    toks: &'a [Token],
    dialect: DialectKind,
}

/// Words that, anywhere at the top level of an `ALTER TABLE` or `DROP`, make its effects
/// reach past its own tables.
const REACHING: &[&str] = &[
    "RENAME", "CASCADE", "ATTACH", "DETACH", "INHERIT", "SCHEMA", "EXCHANGE", "DISCARD", "IMPORT",
];

impl Head<'_> {
    fn word(&self, i: usize) -> Option<String> {
        let t = self.toks.get(i)?;
        (t.kind == Kind::Word).then(|| t.text(self.src).to_ascii_uppercase())
    }

    fn is(&self, i: usize, kw: &str) -> bool {
        self.toks.get(i).is_some_and(|t| t.is_kw(self.src, kw))
    }

    /// Skips the keywords `kws` if they all come at `i`.
    fn skip(&self, i: usize, kws: &[&str]) -> usize {
        if kws.iter().enumerate().all(|(k, kw)| self.is(i + k, kw)) {
            i + kws.len()
        } else {
            i
        }
    }

    fn ident(&self, t: &Token) -> Option<String> {
        match t.kind {
            Kind::Word if self.dialect == DialectKind::Postgres => {
                Some(t.text(self.src).to_lowercase())
            }
            Kind::Word => Some(t.text(self.src).to_owned()),
            Kind::Quoted => Some(unquote(self.src, t).into_owned()),
            _ => None,
        }
    }

    /// The dotted name at `i` (one or two parts) and the index after it.
    fn name(&self, i: usize) -> Option<(ScopedName, usize)> {
        let mut parts = vec![self.ident(self.toks.get(i)?)?];
        let mut at = i + 1;
        while self
            .toks
            .get(at)
            .is_some_and(|t| t.is_punct(self.src, b'.'))
        {
            parts.push(self.ident(self.toks.get(at + 1)?)?);
            at += 2;
        }
        let name = parts.pop()?;
        match parts.len() {
            0 => Some((ScopedName { schema: None, name }, at)),
            1 => Some((
                ScopedName {
                    schema: parts.pop(),
                    name,
                },
                at,
            )),
            // Three parts name a column (`COMMENT ON COLUMN s.t.c`) or another database.
            _ => None,
        }
    }

    /// Comma-separated names from `i` to the end (or to a top-level word in `stop`).
    fn names(&self, mut i: usize, stop: &[&str]) -> Option<(Vec<ScopedName>, usize)> {
        let mut out = Vec::new();
        loop {
            let (name, next) = self.name(i)?;
            out.push(name);
            i = next;
            if self.toks.get(i).is_some_and(|t| t.is_punct(self.src, b',')) {
                i += 1;
                continue;
            }
            if i == self.toks.len() || stop.iter().any(|kw| self.is(i, kw)) {
                return Some((out, i));
            }
            return None;
        }
    }

    /// The tokens from `i` on that stand outside parentheses, with their indexes.
    fn top_level(&self, i: usize) -> impl Iterator<Item = (usize, &Token)> {
        let mut depth = 0usize;
        self.toks.iter().enumerate().skip(i).filter(move |(_, t)| {
            if t.is_punct(self.src, b'(') {
                depth += 1;
            } else if t.is_punct(self.src, b')') {
                depth = depth.saturating_sub(1);
            } else {
                return depth == 0;
            }
            false
        })
    }

    /// Whether a word of `words` appears outside parentheses from `i` on. A foreign key's
    /// `ON DELETE CASCADE` / `ON UPDATE CASCADE` is a rule for rows, not a cascade of the
    /// statement, and does not count.
    fn top_level_word(&self, i: usize, words: &[&str]) -> bool {
        self.top_level(i).any(|(k, t)| {
            let row_rule = t.is_kw(self.src, "CASCADE")
                && k > 0
                && (self.is(k - 1, "DELETE") || self.is(k - 1, "UPDATE"));
            words.iter().any(|w| t.is_kw(self.src, w)) && !row_rule
        })
    }

    /// The index of the first top-level `word` from `i` on.
    fn find_top_level(&self, i: usize, word: &str) -> Option<usize> {
        self.top_level(i)
            .find(|(_, t)| t.is_kw(self.src, word))
            .map(|(k, _)| k)
    }

    fn scope(&self) -> Option<StatementScope> {
        let first = self.word(0)?;
        match first.as_str() {
            "INSERT" | "UPDATE" | "DELETE" | "REPLACE" | "TRUNCATE" | "ANALYZE" => {
                Some(StatementScope::Nothing)
            }
            "SET" => Some(self.set()),
            "USE" => Some(StatementScope::NameResolution),
            "CREATE" => self.create(),
            "ALTER" => self.alter(),
            "DROP" => self.drop(),
            "COMMENT" => self.comment(),
            _ => None,
        }
    }

    /// `SET …`: a session setting, which only matters when it moves name resolution.
    fn set(&self) -> StatementScope {
        let moves_names = self
            .toks
            .iter()
            .any(|t| t.is_kw(self.src, "search_path") || t.is_kw(self.src, "SCHEMA"));
        if moves_names {
            StatementScope::NameResolution
        } else {
            StatementScope::Nothing
        }
    }

    fn create(&self) -> Option<StatementScope> {
        let mut i = 1;
        // Temporary tables live in a session schema of their own.
        if ["TEMP", "TEMPORARY", "GLOBAL", "LOCAL", "OR"]
            .iter()
            .any(|kw| self.is(i, kw))
        {
            return None;
        }
        i = self.skip(i, &["UNLOGGED"]);
        i = self.skip(i, &["UNIQUE"]);
        if self.dialect == DialectKind::Mysql
            && let Some(kind) = self.word(i)
            && (kind == "FULLTEXT" || kind == "SPATIAL")
        {
            i += 1;
        }
        match self.word(i)?.as_str() {
            "TABLE" => {
                if self.postgres_partition_or_inherit(i + 1) {
                    return None;
                }
                let at = self.skip(i + 1, &["IF", "NOT", "EXISTS"]);
                let (name, _) = self.name(at)?;
                Some(StatementScope::Tables(vec![name]))
            }
            "INDEX" => {
                let on = self.find_top_level(i + 1, "ON")?;
                let at = self.skip(on + 1, &["ONLY"]);
                let (table, _) = self.name(at)?;
                Some(StatementScope::Tables(vec![table]))
            }
            "TRIGGER" | "POLICY" => self.on_relation(i + 1),
            "CONSTRAINT" if self.is(i + 1, "TRIGGER") => self.on_relation(i + 2),
            _ => None,
        }
    }

    /// Whether `PARTITION`/`INHERITS` in a `CREATE TABLE` makes it a child of another
    /// table (PostgreSQL `PARTITION OF`, `INHERITS`), not just a partitioned table.
    fn postgres_partition_or_inherit(&self, from: usize) -> bool {
        self.top_level(from).any(|(k, t)| {
            t.is_kw(self.src, "INHERITS")
                || (t.is_kw(self.src, "PARTITION") && self.is(k + 1, "OF"))
        })
    }

    /// `… ON table` of a trigger or policy: the relation after the first top-level `ON`.
    fn on_relation(&self, from: usize) -> Option<StatementScope> {
        let on = self.find_top_level(from, "ON")?;
        let (table, _) = self.name(on + 1)?;
        Some(StatementScope::Tables(vec![table]))
    }

    fn alter(&self) -> Option<StatementScope> {
        match self.word(1)?.as_str() {
            "TABLE" => {
                if self.top_level_word(2, REACHING) {
                    return None;
                }
                let mut at = self.skip(2, &["IF", "EXISTS"]);
                at = self.skip(at, &["ONLY"]);
                // `ALTER TABLE ALL IN TABLESPACE …` names no table.
                if self.is(at, "ALL") && self.is(at + 1, "IN") {
                    return None;
                }
                let (table, _) = self.name(at)?;
                Some(StatementScope::Tables(vec![table]))
            }
            "POLICY" if !self.top_level_word(2, &["RENAME"]) => self.on_relation(2),
            _ => None,
        }
    }

    fn drop(&self) -> Option<StatementScope> {
        if self.top_level_word(1, &["CASCADE"]) {
            return None;
        }
        match self.word(1)?.as_str() {
            "TABLE" => {
                let at = self.skip(2, &["IF", "EXISTS"]);
                let (tables, end) = self.names(at, &["RESTRICT"])?;
                (end == self.toks.len() || end + 1 == self.toks.len())
                    .then_some(StatementScope::Tables(tables))
            }
            "INDEX" => {
                let mut at = self.skip(2, &["CONCURRENTLY"]);
                at = self.skip(at, &["IF", "EXISTS"]);
                if self.dialect == DialectKind::Mysql {
                    // `DROP INDEX i ON t`.
                    let (_, after) = self.name(at)?;
                    if !self.is(after, "ON") {
                        return None;
                    }
                    let (table, _) = self.name(after + 1)?;
                    return Some(StatementScope::Tables(vec![table]));
                }
                let (indexes, _) = self.names(at, &["RESTRICT"])?;
                Some(StatementScope::IndexesOf(indexes))
            }
            "TRIGGER" => {
                let at = self.skip(2, &["IF", "EXISTS"]);
                let (trigger, after) = self.name(at)?;
                if self.is(after, "ON") {
                    let (table, _) = self.name(after + 1)?;
                    return Some(StatementScope::Tables(vec![table]));
                }
                Some(StatementScope::TriggerOf(trigger))
            }
            "POLICY" => self.on_relation(2),
            _ => None,
        }
    }

    /// `COMMENT ON TABLE t` and `COMMENT ON COLUMN [s.]t.c`.
    fn comment(&self) -> Option<StatementScope> {
        if !self.is(1, "ON") {
            return None;
        }
        match self.word(2)?.as_str() {
            "TABLE" => {
                let (table, _) = self.name(3)?;
                Some(StatementScope::Tables(vec![table]))
            }
            "COLUMN" => {
                // Two or three parts: the last is the column.
                let mut parts = Vec::new();
                let mut at = 3;
                loop {
                    parts.push(self.ident(self.toks.get(at)?)?);
                    at += 1;
                    if self
                        .toks
                        .get(at)
                        .is_some_and(|t| t.is_punct(self.src, b'.'))
                    {
                        at += 1;
                    } else {
                        break;
                    }
                }
                parts.pop();
                let name = parts.pop()?;
                let schema = parts.pop();
                parts
                    .is_empty()
                    .then_some(StatementScope::Tables(vec![ScopedName { schema, name }]))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{ScopedName, StatementScope, statement_scope};
    use crate::DialectKind::{self, Mysql, Postgres, Sqlite};

    fn t(name: &str) -> ScopedName {
        ScopedName {
            schema: None,
            name: name.into(),
        }
    }

    fn tables(names: &[&str]) -> StatementScope {
        StatementScope::Tables(names.iter().map(|n| t(n)).collect())
    }

    fn check(dialect: DialectKind, sql: &str, want: StatementScope) {
        assert_eq!(statement_scope(sql, dialect), want, "{sql}");
    }

    #[test]
    fn table_statements_name_their_tables() {
        for (sql, want) in [
            ("CREATE TABLE t (id int PRIMARY KEY);", tables(&["t"])),
            ("create table if not exists \"T\" (a int)", tables(&["T"])),
            ("CREATE UNLOGGED TABLE t (a int);", tables(&["t"])),
            (
                "CREATE TABLE p (a int) PARTITION BY RANGE (a);",
                tables(&["p"]),
            ),
            ("CREATE UNIQUE INDEX i ON t (a);", tables(&["t"])),
            (
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON ONLY t (a);",
                tables(&["t"]),
            ),
            ("CREATE INDEX ON t USING gin (a);", tables(&["t"])),
            (
                "ALTER TABLE IF EXISTS ONLY t ADD COLUMN b int;",
                tables(&["t"]),
            ),
            ("ALTER TABLE t ALTER COLUMN b SET NOT NULL;", tables(&["t"])),
            (
                "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (p) REFERENCES p (id) ON DELETE CASCADE;",
                tables(&["t"]),
            ),
            ("DROP TABLE a, b;", tables(&["a", "b"])),
            ("DROP TABLE IF EXISTS a RESTRICT;", tables(&["a"])),
            ("COMMENT ON TABLE t IS 'x';", tables(&["t"])),
            ("COMMENT ON COLUMN t.c IS 'x';", tables(&["t"])),
            (
                "CREATE TRIGGER tr BEFORE UPDATE OF a ON t FOR EACH ROW EXECUTE FUNCTION f();",
                tables(&["t"]),
            ),
            ("CREATE POLICY p ON t USING (true);", tables(&["t"])),
            ("DROP TRIGGER tr ON t;", tables(&["t"])),
        ] {
            check(Postgres, sql, want);
        }
        check(
            Postgres,
            "ALTER TABLE app.t ADD COLUMN b int;",
            StatementScope::Tables(vec![ScopedName {
                schema: Some("app".into()),
                name: "t".into(),
            }]),
        );
        check(
            Postgres,
            "COMMENT ON COLUMN app.t.c IS 'x';",
            StatementScope::Tables(vec![ScopedName {
                schema: Some("app".into()),
                name: "t".into(),
            }]),
        );
        check(
            Mysql,
            "ALTER TABLE `Users` ADD COLUMN a int",
            tables(&["Users"]),
        );
        check(
            Mysql,
            "CREATE FULLTEXT INDEX i ON Docs (body)",
            tables(&["Docs"]),
        );
        check(Mysql, "DROP INDEX i ON t", tables(&["t"]));
        check(Sqlite, "CREATE INDEX main.i ON t (a)", tables(&["t"]));
    }

    #[test]
    fn names_alone_are_resolved_by_the_caller() {
        check(
            Postgres,
            "DROP INDEX CONCURRENTLY IF EXISTS i, j;",
            StatementScope::IndexesOf(vec![t("i"), t("j")]),
        );
        check(
            Sqlite,
            "DROP TRIGGER IF EXISTS tr",
            StatementScope::TriggerOf(t("tr")),
        );
    }

    #[test]
    fn statements_reaching_further_are_anything() {
        for sql in [
            "ALTER TABLE t RENAME TO u;",
            "ALTER TABLE t RENAME COLUMN a TO b;",
            "ALTER TABLE t DROP COLUMN a CASCADE;",
            "ALTER TABLE p ATTACH PARTITION c FOR VALUES IN (1);",
            "ALTER TABLE t SET SCHEMA other;",
            "ALTER TABLE c NO INHERIT p;",
            "ALTER TABLE ALL IN TABLESPACE a SET TABLESPACE b;",
            "CREATE TABLE c PARTITION OF p FOR VALUES IN (1);",
            "CREATE TABLE c (a int) INHERITS (p);",
            "CREATE TEMP TABLE t (a int);",
            "CREATE OR REPLACE VIEW v AS SELECT 1;",
            "CREATE VIEW v AS SELECT 1;",
            "CREATE TYPE e AS ENUM ('a');",
            "DROP TABLE t CASCADE;",
            "DROP INDEX i CASCADE;",
            "DROP VIEW v;",
            "ALTER TYPE e ADD VALUE 'b';",
            "SELECT create_partitions('t');",
            "DO $$ BEGIN EXECUTE 'DROP TABLE t'; END $$;",
            "COMMENT ON INDEX i IS 'x';",
            "ALTER INDEX i RENAME TO j;",
            "GRANT SELECT ON t TO r;",
        ] {
            check(Postgres, sql, StatementScope::Anything);
        }
        check(Mysql, "RENAME TABLE a TO b", StatementScope::Anything);
        check(
            Mysql,
            "ALTER TABLE t EXCHANGE PARTITION p WITH TABLE u",
            StatementScope::Anything,
        );
    }

    #[test]
    fn rows_and_settings() {
        for sql in [
            "INSERT INTO t VALUES (1);",
            "UPDATE t SET a = 1;",
            "DELETE FROM t;",
            "TRUNCATE t;",
            "SET lock_timeout = '1s';",
        ] {
            check(Postgres, sql, StatementScope::Nothing);
        }
        check(
            Postgres,
            "SET search_path = app;",
            StatementScope::NameResolution,
        );
        check(Mysql, "USE other", StatementScope::NameResolution);
    }
}
