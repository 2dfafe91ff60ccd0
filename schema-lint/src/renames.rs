//! Rename hints from statement text.
//!
//! Diffing the schema before and after `ALTER TABLE t RENAME COLUMN a TO b` sees a column
//! dropped and another added (DS103 instead of BC102). The versioned workflow passes the
//! hints found here to `schema_diff::diff` so it reports renames as renames.

use schema_diff::RenameHint;

use crate::sqltext::{self, Token};

/// The renames a statement performs: `ALTER TABLE … RENAME [COLUMN] a TO b`,
/// `ALTER TABLE … RENAME [TO|AS] t`, MySQL's `RENAME TABLE a TO b, …` and
/// `ALTER TABLE … CHANGE [COLUMN] a b …`. Unqualified tables live in `default_schema`.
///
/// ```
/// use schema_diff::RenameHint;
///
/// let hints = schema_lint::rename_hints("ALTER TABLE app.users RENAME COLUMN mail TO email;", "public");
/// assert_eq!(hints, [RenameHint::Column {
///     schema: "app".into(), table: "users".into(), from: "mail".into(), to: "email".into(),
/// }]);
/// ```
pub fn rename_hints(sql: &str, default_schema: &str) -> Vec<RenameHint> {
    let tokens = sqltext::tokens(sql);
    let mut out = Vec::new();
    let mut cursor = Cursor {
        tokens: &tokens,
        at: 0,
        default_schema,
    };
    if cursor.eat("RENAME") && cursor.eat("TABLE") {
        // MySQL: RENAME TABLE a TO b [, c TO d] …
        while let Some((schema, from)) = cursor.name() {
            if !cursor.eat("TO") {
                break;
            }
            let Some((_, to)) = cursor.name() else { break };
            out.push(RenameHint::Table { schema, from, to });
            if !cursor.punct(',') {
                break;
            }
        }
        return out;
    }
    cursor.at = 0;
    if !(cursor.eat("ALTER") && cursor.eat("TABLE")) {
        return out;
    }
    if cursor.eat("IF") {
        cursor.eat("EXISTS");
    }
    cursor.eat("ONLY");
    let Some((schema, mut table)) = cursor.name() else {
        return out;
    };
    loop {
        if cursor.eat("RENAME") {
            if cursor.eat("TO") || cursor.eat("AS") {
                if let Some((_, to)) = cursor.name() {
                    out.push(RenameHint::Table {
                        schema: schema.clone(),
                        from: table.clone(),
                        to: to.clone(),
                    });
                    table = to;
                }
            } else if cursor.eat("COLUMN") || cursor.peek_word_then("TO") {
                // `RENAME CONSTRAINT|INDEX|KEY a TO b` rename no column.
                let other = ["CONSTRAINT", "INDEX", "KEY"].iter().any(|k| cursor.eat(k));
                if !other
                    && let Some(from) = cursor.word()
                    && cursor.eat("TO")
                    && let Some(to) = cursor.word()
                {
                    out.push(RenameHint::Column {
                        schema: schema.clone(),
                        table: table.clone(),
                        from,
                        to,
                    });
                }
            }
        } else if cursor.eat("CHANGE") {
            cursor.eat("COLUMN");
            if let (Some(from), Some(to)) = (cursor.word(), cursor.word())
                && from != to
            {
                out.push(RenameHint::Column {
                    schema: schema.clone(),
                    table: table.clone(),
                    from,
                    to,
                });
            }
        }
        // Next action of a multi-action ALTER TABLE.
        if !cursor.skip_to_comma() {
            break;
        }
    }
    out
}

struct Cursor<'a> {
    tokens: &'a [Token],
    at: usize,
    default_schema: &'a str,
}

impl Cursor<'_> {
    fn eat(&mut self, kw: &str) -> bool {
        let hit = self.tokens.get(self.at).is_some_and(|t| t.is(kw));
        self.at += usize::from(hit);
        hit
    }

    fn punct(&mut self, c: char) -> bool {
        let hit = self.tokens.get(self.at) == Some(&Token::Punct(c));
        self.at += usize::from(hit);
        hit
    }

    fn word(&mut self) -> Option<String> {
        match self.tokens.get(self.at) {
            Some(Token::Word(w)) => {
                self.at += 1;
                Some(w.clone())
            }
            _ => None,
        }
    }

    /// Whether the next word is followed by `kw` (`RENAME a TO b` without `COLUMN`).
    fn peek_word_then(&self, kw: &str) -> bool {
        matches!(self.tokens.get(self.at), Some(Token::Word(_)))
            && self.tokens.get(self.at + 1).is_some_and(|t| t.is(kw))
    }

    /// A possibly schema-qualified name.
    fn name(&mut self) -> Option<(String, String)> {
        let first = self.word()?;
        if self.punct('.') {
            let second = self.word()?;
            return Some((first, second));
        }
        Some((self.default_schema.to_owned(), first))
    }

    fn skip_to_comma(&mut self) -> bool {
        let mut depth = 0i32;
        while let Some(t) = self.tokens.get(self.at) {
            self.at += 1;
            match t {
                Token::Punct('(') => depth += 1,
                Token::Punct(')') => depth -= 1,
                Token::Punct(',') if depth == 0 => return true,
                _ => {}
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(from: &str, to: &str) -> RenameHint {
        RenameHint::Table {
            schema: "s".into(),
            from: from.into(),
            to: to.into(),
        }
    }

    fn column(table: &str, from: &str, to: &str) -> RenameHint {
        RenameHint::Column {
            schema: "s".into(),
            table: table.into(),
            from: from.into(),
            to: to.into(),
        }
    }

    #[test]
    fn recognises_rename_forms() {
        assert_eq!(
            rename_hints("ALTER TABLE t RENAME TO u;", "s"),
            [table("t", "u")]
        );
        assert_eq!(
            rename_hints("alter table if exists only \"t\" rename column a to b", "s"),
            [column("t", "a", "b")]
        );
        assert_eq!(
            rename_hints("ALTER TABLE t RENAME a TO b", "s"),
            [column("t", "a", "b")]
        );
        assert_eq!(
            rename_hints("RENAME TABLE t TO u, v TO w", "s"),
            [table("t", "u"), table("v", "w")]
        );
        assert_eq!(
            rename_hints(
                "ALTER TABLE `t` CHANGE COLUMN a b varchar(10), CHANGE c c int, RENAME AS u",
                "s"
            ),
            [column("t", "a", "b"), table("t", "u")]
        );
        assert!(rename_hints("ALTER TABLE t ADD COLUMN a int", "s").is_empty());
        assert!(rename_hints("ALTER TABLE t RENAME CONSTRAINT a TO b", "s").is_empty());
        assert!(rename_hints("ALTER TABLE t RENAME INDEX a TO b", "s").is_empty());
        assert!(rename_hints("CREATE TABLE t (a int)", "s").is_empty());
        assert!(rename_hints("ALTER TABLE", "s").is_empty());
    }
}
