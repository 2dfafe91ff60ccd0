//! SQLite's table rebuild, seen as what it is: SQLite cannot alter a column, so a file
//! changes one by creating a new table, copying the rows (`INSERT INTO new … SELECT …
//! FROM old`), dropping the old table and renaming the new one to the old name. Diffed
//! statement by statement that reads as a new table, a dropped table (DS102) and a rename
//! (BC101); recognized, the drop and the creation go and the rename becomes the change of
//! the old table into the new one, so LT101, DS103 and the like see the column changes.

use schema_diff::{Change, Dialect, DialectExt, DiffOptions};
use schema_lint::Statement;
use schema_model::{Realm, Schema, Table};

/// If `changes` (of the statement being added after `earlier`) rename a table that an
/// earlier statement created to the name of a table an earlier statement dropped, with the
/// rows copied between them, rewrites `earlier` and returns the changes to record instead.
pub(crate) fn collapse(
    dialect: &dyn Dialect,
    earlier: &mut [Statement],
    changes: Vec<Change>,
    after: &Realm,
) -> Vec<Change> {
    let mut out = Vec::with_capacity(changes.len());
    for change in changes {
        let Change::RenameTable { schema, from, to } = &change else {
            out.push(change);
            continue;
        };
        match rebuilt(dialect, earlier, schema, from, to, after) {
            Some(modify) => out.extend(modify),
            None => out.push(change),
        }
    }
    out
}

fn rebuilt(
    dialect: &dyn Dialect,
    earlier: &mut [Statement],
    schema: &str,
    new_name: &str,
    old_name: &str,
    after: &Realm,
) -> Option<Vec<Change>> {
    let created = find(
        earlier,
        |c| matches!(c, Change::AddTable { schema: s, table } if s == schema && table.name == new_name),
    )?;
    let dropped = find(
        earlier,
        |c| matches!(c, Change::DropTable { schema: s, table } if s == schema && table.name == old_name),
    )?;
    let copied = earlier.iter().any(|st| copies(&st.sql, old_name, new_name));
    if !copied || created.0 > dropped.0 {
        return None;
    }
    let Change::DropTable { table: old, .. } = earlier[dropped.0].changes[dropped.1].clone() else {
        return None;
    };
    let new = after
        .schema(schema)?
        .tables
        .iter()
        .find(|t| t.name == old_name)?;
    let changes = dialect.diff(
        &realm_of(schema, old),
        &realm_of(schema, new.clone()),
        &DiffOptions::default(),
    );
    earlier[dropped.0].changes.remove(dropped.1);
    earlier[created.0].changes.remove(created.1);
    Some(changes)
}

fn realm_of(schema: &str, table: Table) -> Realm {
    let mut s = Schema::new(schema);
    s.tables.push(table);
    Realm::new(vec![s])
}

/// The (statement, change) index of the last earlier change matching `wanted`.
fn find(earlier: &[Statement], wanted: impl Fn(&Change) -> bool) -> Option<(usize, usize)> {
    earlier
        .iter()
        .enumerate()
        .rev()
        .find_map(|(i, st)| st.changes.iter().position(&wanted).map(|j| (i, j)))
}

/// Whether `sql` is an `INSERT INTO new … SELECT … FROM old`.
fn copies(sql: &str, old: &str, new: &str) -> bool {
    let words: Vec<String> = sql
        .split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | ',' | ';'))
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.trim_matches(|c| matches!(c, '"' | '`' | '[' | ']'))
                .to_ascii_lowercase()
        })
        .collect();
    let is = |i: usize, w: &str| words.get(i).is_some_and(|x| x == w);
    let into = (0..words.len())
        .any(|i| is(i, "insert") && is(i + 1, "into") && is(i + 2, &new.to_ascii_lowercase()));
    let from = (0..words.len()).any(|i| is(i, "from") && is(i + 1, &old.to_ascii_lowercase()));
    into && from
}

#[cfg(test)]
mod tests {
    use super::copies;

    #[test]
    fn recognizes_the_copy() {
        assert!(copies(
            "INSERT INTO new_users SELECT * FROM users;",
            "users",
            "new_users"
        ));
        assert!(copies(
            "insert into \"new_users\" (id, email) select id, email from \"users\"",
            "users",
            "new_users"
        ));
        assert!(!copies(
            "INSERT INTO new_users VALUES (1)",
            "users",
            "new_users"
        ));
        assert!(!copies(
            "INSERT INTO other SELECT * FROM users",
            "users",
            "new_users"
        ));
    }
}
