//! Reading the schema after one linted statement. Where the statement's head says which
//! tables it touches (`ALTER TABLE t …`, `CREATE INDEX … ON t`, `DROP TABLE t`; see
//! [`sqlimport::statement_scope`]), only those tables are read again
//! ([`mercator_driver::InspectOptions::only_tables`]) and spliced into the schema before
//! the statement; anything else reads the whole schema. So linting a file costs what its
//! statements touch, not the size of the schema the directory has built up.
//!
//! The narrowing is kept where it is known to be exact: a table with partitions or
//! inheritance children (which follow their parent's changes), SQLite tables whose foreign
//! keys name a touched table (their references are resolved through it), qualified names
//! outside the space, and statements after one that moves name resolution
//! (`SET search_path`, `USE`) all read the whole schema.

use mercator_driver::InspectOptions;
use schema_model::{DialectKind, QualifiedName, Realm, Schema, Table, canonicalize};
use sqlimport::{ScopedName, StatementScope, statement_scope};

use super::error::LintError;
use super::workspace::Workspace;

/// How to learn the schema after one statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reading {
    /// The statement changes nothing in the schema.
    Unchanged,
    /// Only these tables, per schema (as the state names the schema).
    Tables(Vec<(String, Vec<String>)>),
    /// The whole schema.
    Whole,
}

/// Decides readings statement by statement through one file.
pub(crate) struct ReadingPlanner {
    kind: DialectKind,
    default_schema: String,
    /// A space bound to one schema only knows unqualified names (and its own).
    bound: bool,
    /// Set once a statement moved name resolution: nothing after it is narrowed.
    names_moved: bool,
}

impl ReadingPlanner {
    pub(crate) fn new(space: &Workspace) -> Self {
        ReadingPlanner {
            kind: space.driver().kind(),
            default_schema: space.default_schema(),
            bound: space.driver().bound_schema().is_some(),
            names_moved: false,
        }
    }

    /// How to read the schema after `sql`, given the schema `state` before it.
    pub(crate) fn reading(&mut self, sql: &str, state: &Realm) -> Reading {
        let scope = statement_scope(sql, self.kind);
        if self.names_moved {
            return match scope {
                StatementScope::Nothing => Reading::Unchanged,
                _ => Reading::Whole,
            };
        }
        match scope {
            StatementScope::Nothing => Reading::Unchanged,
            StatementScope::NameResolution => {
                self.names_moved = true;
                Reading::Unchanged
            }
            StatementScope::Anything => Reading::Whole,
            StatementScope::Tables(names) => self.tables(&names, state),
            StatementScope::IndexesOf(indexes) => {
                let mut tables = Vec::new();
                for index in &indexes {
                    match self.owner(index, state, |s, n| index_owner(s, n, self.kind)) {
                        Some(table) => tables.push(table),
                        None => return Reading::Whole,
                    }
                }
                self.tables(&tables, state)
            }
            StatementScope::TriggerOf(trigger) => {
                match self.owner(&trigger, state, |s, n| {
                    s.triggers
                        .iter()
                        .find(|t| same(self.kind, &t.name, n))
                        .map(|t| t.on.clone())
                }) {
                    Some(table) => self.tables(&[table], state),
                    None => Reading::Whole,
                }
            }
        }
    }

    /// The schema (as the state names it) an object name resolves to, if it is one the
    /// space holds.
    fn schema_of<'r>(&self, name: &ScopedName, state: &'r Realm) -> Option<&'r Schema> {
        let schema = match &name.schema {
            None => self.default_schema.as_str(),
            // A bound space holds one schema under another name; qualified names reach
            // past it.
            Some(_) if self.bound => return None,
            Some(schema) => schema.as_str(),
        };
        state
            .schemas
            .iter()
            .find(|s| same(self.kind, &s.name, schema))
    }

    /// The table holding the object `name` (an index or trigger), found by `find`.
    fn owner(
        &self,
        name: &ScopedName,
        state: &Realm,
        find: impl Fn(&Schema, &str) -> Option<String>,
    ) -> Option<ScopedName> {
        let schema = self.schema_of(name, state)?;
        let table = find(schema, &name.name)?;
        Some(ScopedName {
            schema: name.schema.clone(),
            name: table,
        })
    }

    /// The reading of `names`, widened where other tables follow them, or `Whole` where
    /// narrowing would not be exact.
    fn tables(&self, names: &[ScopedName], state: &Realm) -> Reading {
        let mut per_schema: Vec<(String, Vec<String>)> = Vec::new();
        for name in names {
            let Some(schema) = self.schema_of(name, state) else {
                return Reading::Whole;
            };
            if has_children(state, &schema.name, &name.name)
                || is_other_relation(schema, &name.name, self.kind)
            {
                return Reading::Whole;
            }
            let mut wanted = vec![name.name.clone()];
            if self.kind == DialectKind::Sqlite {
                wanted.extend(referencing(schema, &name.name));
            }
            match per_schema.iter_mut().find(|(s, _)| *s == schema.name) {
                Some((_, list)) => list.extend(wanted),
                None => per_schema.push((schema.name.clone(), wanted)),
            }
        }
        for (_, list) in &mut per_schema {
            list.sort();
            list.dedup();
        }
        Reading::Tables(per_schema)
    }
}

/// Whether some table is a partition or inheritance child of `schema.table`: those follow
/// their parent's changes, so reading the parent alone would miss them.
fn has_children(state: &Realm, schema: &str, table: &str) -> bool {
    let names_parent = |child_schema: &str, parent: &QualifiedName| {
        parent.name == table && parent.schema.as_deref().unwrap_or(child_schema) == schema
    };
    state.schemas.iter().any(|s| {
        s.tables.iter().any(|t| {
            t.postgres
                .partition_of
                .as_ref()
                .is_some_and(|(parent, _)| names_parent(&s.name, parent))
                || t.postgres.inherits.iter().any(|p| names_parent(&s.name, p))
        })
    })
}

/// Whether `name` is a relation of `schema` that is not a table (a view or materialized
/// view, a sequence, a composite type): indexes, comments and defaults on those live outside
/// the tables a scoped read returns.
fn is_other_relation(schema: &Schema, name: &str, kind: DialectKind) -> bool {
    schema.views.iter().any(|v| same(kind, &v.name, name))
        || schema.sequences.iter().any(|s| same(kind, &s.name, name))
        || schema.composites.iter().any(|c| same(kind, &c.name, name))
}

/// Tables of `schema` whose foreign keys reference `table` (SQLite resolves those
/// references through the referenced table: its spelling and primary key).
fn referencing(schema: &Schema, table: &str) -> Vec<String> {
    schema
        .tables
        .iter()
        .filter(|t| {
            t.foreign_keys
                .iter()
                .any(|fk| fk.ref_table.name.eq_ignore_ascii_case(table))
        })
        .map(|t| t.name.clone())
        .collect()
}

/// The table of `schema` holding the index `name`.
fn index_owner(schema: &Schema, name: &str, kind: DialectKind) -> Option<String> {
    schema
        .tables
        .iter()
        .find(|t| t.indexes.iter().any(|i| same(kind, &i.name, name)))
        .map(|t| t.name.clone())
}

/// Whether two names are the same as the dialect compares them (SQLite: ASCII
/// case-insensitively).
fn same(kind: DialectKind, a: &str, b: &str) -> bool {
    match kind {
        DialectKind::Sqlite => a.eq_ignore_ascii_case(b),
        _ => a == b,
    }
}

/// Reads `tables` (per schema) on the space and splices them into `state`: every table
/// requested or returned, and the triggers and rules on them, give way to what was read.
pub(crate) async fn read_tables(
    space: &Workspace,
    state: &mut Realm,
    tables: &[(String, Vec<String>)],
) -> Result<(), LintError> {
    let kind = space.driver().kind();
    let bound = space.driver().bound_schema().is_some();
    for (schema, names) in tables {
        let options = if bound {
            InspectOptions::default().only_tables(names)
        } else {
            InspectOptions::schemas(std::slice::from_ref(schema)).only_tables(names)
        };
        let read = space.labelled(space.driver().inspect(&options).await?)?;
        let Some(target) = state.schemas.iter_mut().find(|s| s.name == *schema) else {
            continue;
        };
        let fresh = read
            .schemas
            .into_iter()
            .find(|s| s.name == *schema)
            .unwrap_or_else(|| Schema::new(schema));
        splice(target, fresh, names, kind);
    }
    Ok(())
}

/// Replaces, in `target`, the tables named in `names` or present in `fresh` (and the
/// triggers and rules on them) with `fresh`'s.
fn splice(target: &mut Schema, fresh: Schema, names: &[String], kind: DialectKind) {
    let replaced: Vec<String> = names
        .iter()
        .cloned()
        .chain(fresh.tables.iter().map(|t| t.name.clone()))
        .collect();
    let gone = |name: &str| replaced.iter().any(|r| same(kind, r, name));
    target.tables.retain(|t| !gone(&t.name));
    target.triggers.retain(|t| !gone(&t.on));
    target.rules.retain(|r| !gone(&r.on));
    for table in fresh.tables {
        insert_sorted(&mut target.tables, table);
    }
    target.triggers.extend(fresh.triggers);
    target.rules.extend(fresh.rules);
}

/// Inserts `table` where name order puts it (inspectors list tables by name).
fn insert_sorted(tables: &mut Vec<Table>, table: Table) {
    let at = tables.partition_point(|t| t.name < table.name);
    tables.insert(at, table);
}

/// `realm` cut down to the schemas of `tables` holding only those tables and the triggers
/// and rules on them: what a statement that touched only them can have changed.
pub(crate) fn narrowed(realm: &Realm, tables: &[(String, Vec<String>)]) -> Realm {
    // Over-matching by case only adds unchanged tables to both sides.
    let matches = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    let mut schemas = Vec::new();
    for (schema_name, names) in tables {
        let Some(schema) = realm.schemas.iter().find(|s| s.name == *schema_name) else {
            continue;
        };
        let touched = |name: &str| names.iter().any(|n| matches(n, name));
        let mut narrow = Schema::new(&schema.name);
        narrow.tables = schema
            .tables
            .iter()
            .filter(|t| touched(&t.name))
            .cloned()
            .collect();
        narrow.triggers = schema
            .triggers
            .iter()
            .filter(|t| touched(&t.on))
            .cloned()
            .collect();
        narrow.rules = schema
            .rules
            .iter()
            .filter(|r| touched(&r.on))
            .cloned()
            .collect();
        narrow.comment = schema.comment.clone();
        narrow.mysql = schema.mysql.clone();
        schemas.push(narrow);
    }
    Realm::new(schemas)
}

/// Whether two schemas are the same model, order aside.
pub(crate) fn same_model(a: &Realm, b: &Realm) -> bool {
    canonicalize(a) == canonicalize(b)
}

#[cfg(test)]
mod tests {
    use schema_model::{Column, ColumnType, Index, IntWidth, Schema, Table, Trigger};

    use super::{DialectKind, splice};

    fn table(name: &str) -> Table {
        let mut t = Table::new(name);
        t.columns
            .push(Column::new("id", ColumnType::int(IntWidth::Int)));
        t
    }

    fn trigger(name: &str, on: &str) -> Trigger {
        Trigger {
            name: name.into(),
            on: on.into(),
            definition: String::new(),
            constraint: false,
            disabled: false,
            comment: None,
        }
    }

    #[test]
    fn a_splice_replaces_only_what_was_read() {
        let mut target = Schema::new("main");
        target.tables = vec![table("a"), table("b"), table("c")];
        target.triggers = vec![trigger("ta", "a"), trigger("tb", "b")];
        let mut fresh = Schema::new("main");
        let mut b = table("b");
        b.indexes.push(Index::on_columns("b_id", &["id"]));
        fresh.tables = vec![b.clone(), table("bb")];
        splice(
            &mut target,
            fresh,
            &["b".into(), "bb".into(), "c".into()],
            DialectKind::Postgres,
        );
        let names: Vec<&str> = target.tables.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "bb"], "c was dropped, bb created");
        assert_eq!(target.tables[1], b);
        let triggers: Vec<&str> = target.triggers.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(triggers, ["ta"], "the trigger on b went with the old b");
    }
}
