//! Rename directives written in the desired SQL (`-- mercator:renamed-from OLD`, read by
//! `sqlimport`) turned into confirmed renames for one plan.
//!
//! A directive is checked against both states every time a plan is made, because what it
//! means depends on the database: the old name must exist in the current state and the new
//! one in the desired state. Once the rename has been applied (old name gone, new name
//! present in the database) the directive is a no-op, so the file can keep it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use schema_diff::RenameHint;
use schema_model::{DialectKind, Realm, Schema};
use sqlimport::{RenameDirective, RenamedObject};

use crate::{MigrateError, Source};

/// The rename directives of a SQL source, located as the user wrote the path (the root
/// joined to the file); none for a database source.
pub(crate) fn read(
    source: &Source,
    kind: DialectKind,
) -> Result<Vec<RenameDirective>, MigrateError> {
    let (mut found, root) = match source {
        Source::Database(_) => return Ok(Vec::new()),
        Source::Files { path, options } => (
            sqlimport::rename_directives(path, kind, options)?,
            if path.is_dir() {
                path.clone()
            } else {
                parent(path)
            },
        ),
        Source::Sql { name, sql, options } => (
            sqlimport::rename_directives_str(sql, name, kind, options)?,
            parent(name),
        ),
    };
    if root != Path::new("") && root != Path::new(".") {
        for directive in &mut found {
            directive.location.file = root.join(&directive.location.file);
        }
    }
    Ok(found)
}

fn parent(path: &Path) -> PathBuf {
    path.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// Why a directive cannot be followed.
fn invalid(directive: &RenameDirective, message: String) -> MigrateError {
    MigrateError::RenameDirective {
        location: directive.location.to_string(),
        message,
    }
}

/// The schema of the desired state holding `table`: the one the SQL names, else the only
/// one with such a table (a bound target renames its schema, so the SQL's qualifier may not
/// be the realm's name).
fn schema_of<'r>(
    desired: &'r Realm,
    written: Option<&str>,
    table: &str,
    directive: &RenameDirective,
) -> Result<&'r Schema, MigrateError> {
    if let Some(schema) = written.and_then(|w| desired.schema(w))
        && schema.table(table).is_some()
    {
        return Ok(schema);
    }
    let holding: Vec<&Schema> = desired
        .schemas
        .iter()
        .filter(|s| s.table(table).is_some())
        .collect();
    match holding.as_slice() {
        [one] => Ok(one),
        [] => Err(invalid(
            directive,
            format!("table {table:?} is not in the desired schema"),
        )),
        many => Err(invalid(
            directive,
            format!(
                "table {table:?} is in several schemas ({}); qualify its name in the SQL",
                many.iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

/// What a directive claims: an object (old or new side) that no second directive may claim.
#[derive(PartialEq, Eq, Hash)]
enum Claim {
    NewTable(String, String),
    OldTable(String, String),
    NewColumn(String, String, String),
    OldColumn(String, String, String),
}

/// The renames the directives ask for between `current` and `desired` (both named as the
/// plan names them). Directives already carried out are left out.
///
/// # Errors
///
/// [`MigrateError::RenameDirective`], located at the directive, when the old name is in
/// neither the database nor already renamed, the new name is not in the desired state,
/// both names exist on one side (a rename would lose an object), two directives claim one
/// object, or a table would move to another schema.
pub(crate) fn resolve(
    directives: &[RenameDirective],
    current: &Realm,
    desired: &Realm,
) -> Result<Vec<RenameHint>, MigrateError> {
    // Claims first: two directives for one object is the first thing to say.
    let mut claims: HashMap<Claim, &RenameDirective> = HashMap::new();
    for directive in directives {
        let (schema, table, name) = match &directive.object {
            RenamedObject::Table { schema, name } => (schema, name, None),
            RenamedObject::Column {
                schema,
                table,
                name,
            } => (schema, table, Some(name)),
        };
        let schema = schema_of(desired, schema.as_deref(), table, directive)?
            .name
            .clone();
        let old = directive.from.clone();
        let (new_claim, old_claim) = match name {
            None => (
                Claim::NewTable(schema.clone(), table.clone()),
                Claim::OldTable(schema, old),
            ),
            Some(column) => (
                Claim::NewColumn(schema.clone(), table.clone(), column.clone()),
                Claim::OldColumn(schema, table.clone(), old),
            ),
        };
        claim(&mut claims, new_claim, directive)?;
        claim(&mut claims, old_claim, directive)?;
    }
    let mut hints = Vec::new();
    // Old names of renamed tables, by (schema, new name), for the columns inside them.
    let mut table_was: HashMap<(String, String), String> = HashMap::new();
    // Tables first: a column directive inside a renamed table reads the old table.
    for directive in directives {
        let RenamedObject::Table { schema, name } = &directive.object else {
            continue;
        };
        let schema = schema_of(desired, schema.as_deref(), name, directive)?
            .name
            .clone();
        if let Some(from_schema) = &directive.from_schema
            && *from_schema != schema
            && written_schema(directive) != Some(from_schema.as_str())
        {
            return Err(invalid(
                directive,
                format!(
                    "table {:?} would move from schema {from_schema:?} to {schema:?}; Mercator renames tables within their schema only",
                    directive.from
                ),
            ));
        }
        let old = &directive.from;
        let before = current.schema(&schema);
        let has =
            |realm: Option<&Schema>, table: &str| realm.is_some_and(|s| s.table(table).is_some());
        match (has(before, old.as_str()), has(before, name.as_str())) {
            (true, true) => {
                return Err(invalid(
                    directive,
                    format!(
                        "tables {old:?} and {name:?} both exist in the database; renaming one onto the other is not possible"
                    ),
                ));
            }
            // Already renamed: nothing left to do.
            (false, true) => continue,
            (false, false) => {
                return Err(invalid(
                    directive,
                    format!("table {old:?} does not exist in the database (schema {schema:?})"),
                ));
            }
            (true, false) => {}
        }
        if has(desired.schema(&schema), old.as_str()) {
            return Err(invalid(
                directive,
                format!("table {old:?} is still in the desired schema, so it is not renamed"),
            ));
        }
        table_was.insert((schema.clone(), name.clone()), old.clone());
        hints.push(RenameHint::Table {
            schema,
            from: old.clone(),
            to: name.clone(),
        });
    }
    for directive in directives {
        let RenamedObject::Column {
            schema,
            table,
            name,
        } = &directive.object
        else {
            continue;
        };
        let wanted = schema_of(desired, schema.as_deref(), table, directive)?;
        let schema = wanted.name.clone();
        let old = &directive.from;
        if wanted.table(table).and_then(|t| t.column(name)).is_none() {
            return Err(invalid(
                directive,
                format!("column {name:?} of table {table:?} is not in the desired schema"),
            ));
        }
        let current_table = table_was
            .get(&(schema.clone(), table.clone()))
            .unwrap_or(table);
        let Some(before) = current.schema(&schema).and_then(|s| s.table(current_table)) else {
            return Err(invalid(
                directive,
                format!(
                    "table {current_table:?} does not exist in the database, so it has no column {old:?} to rename"
                ),
            ));
        };
        match (before.column(old).is_some(), before.column(name).is_some()) {
            (true, true) => {
                return Err(invalid(
                    directive,
                    format!(
                        "columns {old:?} and {name:?} of table {current_table:?} both exist in the database; renaming one onto the other is not possible"
                    ),
                ));
            }
            (false, true) => continue,
            (false, false) => {
                return Err(invalid(
                    directive,
                    format!(
                        "column {old:?} does not exist in table {current_table:?} of the database"
                    ),
                ));
            }
            (true, false) => {}
        }
        if wanted.table(table).and_then(|t| t.column(old)).is_some() {
            return Err(invalid(
                directive,
                format!(
                    "column {old:?} is still in table {table:?} of the desired schema, so it is not renamed"
                ),
            ));
        }
        hints.push(RenameHint::Column {
            schema,
            table: table.clone(),
            from: old.clone(),
            to: name.clone(),
        });
    }
    Ok(hints)
}

/// The schema a directive's object is written in.
fn written_schema(directive: &RenameDirective) -> Option<&str> {
    match &directive.object {
        RenamedObject::Table { schema, .. } | RenamedObject::Column { schema, .. } => {
            schema.as_deref()
        }
    }
}

/// Records that `directive` claims `key`; a second claim is an error naming the first.
fn claim<'a>(
    claims: &mut HashMap<Claim, &'a RenameDirective>,
    key: Claim,
    directive: &'a RenameDirective,
) -> Result<(), MigrateError> {
    if let Some(first) = claims.get(&key) {
        return Err(invalid(
            directive,
            format!(
                "this directive and the one at {} claim the same object",
                first.location
            ),
        ));
    }
    claims.insert(key, directive);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use schema_model::{Column, ColumnType, StringKind, Table};
    use sqlimport::Location;

    fn realm(tables: &[(&str, &[&str])]) -> Realm {
        let mut schema = Schema::new("main");
        for (name, columns) in tables {
            let mut table = Table::new(*name);
            for c in *columns {
                table
                    .columns
                    .push(Column::new(*c, ColumnType::string(StringKind::Text, None)));
            }
            schema.tables.push(table);
        }
        Realm::new(vec![schema])
    }

    fn column(table: &str, name: &str, from: &str, line: usize) -> RenameDirective {
        RenameDirective {
            object: RenamedObject::Column {
                schema: None,
                table: table.into(),
                name: name.into(),
            },
            from: from.into(),
            from_schema: None,
            location: Location {
                file: "schema.sql".into(),
                line,
            },
        }
    }

    fn table(name: &str, from: &str, line: usize) -> RenameDirective {
        RenameDirective {
            object: RenamedObject::Table {
                schema: None,
                name: name.into(),
            },
            ..column("", "", from, line)
        }
    }

    #[test]
    fn directives_become_hints_or_located_errors() {
        let current = realm(&[("people", &["id", "mail"])]);
        let desired = realm(&[("users", &["id", "email"])]);
        let hints = resolve(
            &[
                table("users", "people", 1),
                column("users", "email", "mail", 3),
            ],
            &current,
            &desired,
        )
        .unwrap();
        assert_eq!(hints.len(), 2, "{hints:?}");
        assert!(
            matches!(&hints[1], RenameHint::Column { table, from, to, .. } if table == "users" && from == "mail" && to == "email")
        );

        // Already applied: a no-op.
        let applied = realm(&[("users", &["id", "email"])]);
        assert!(
            resolve(
                &[
                    table("users", "people", 1),
                    column("users", "email", "mail", 3)
                ],
                &applied,
                &desired
            )
            .unwrap()
            .is_empty()
        );

        let err = |directives: &[RenameDirective], current: &Realm| {
            resolve(directives, current, &desired)
                .unwrap_err()
                .to_string()
        };
        let text = err(
            &[column("users", "email", "nope", 7)],
            &realm(&[("users", &["id"])]),
        );
        assert!(
            text.starts_with("schema.sql:7: ") && text.contains("\"nope\" does not exist"),
            "{text}"
        );
        let text = err(&[column("users", "phone", "mail", 4)], &current);
        assert!(
            text.starts_with("schema.sql:4: ") && text.contains("not in the desired schema"),
            "{text}"
        );
        let text = err(
            &[
                column("users", "email", "mail", 4),
                column("users", "email", "mail", 9),
            ],
            &realm(&[("users", &["id", "mail"])]),
        );
        assert!(
            text.starts_with("schema.sql:9: ") && text.contains("schema.sql:4"),
            "{text}"
        );
        let text = err(
            &[column("users", "email", "mail", 2)],
            &realm(&[("users", &["id", "mail", "email"])]),
        );
        assert!(text.contains("both exist"), "{text}");
    }
}
