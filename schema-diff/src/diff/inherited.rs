//! Changes a child table inherits from its parent.

use std::collections::{HashMap, HashSet};

use schema_model::{Column, Realm, Table};

use super::table::column_changes;
use crate::graph::edges;
use crate::{Change, ColumnChanges, TableChange};

/// A column a child table shares with its parent follows the parent's type change (the
/// database changes the children with the parent and refuses to change an inherited
/// column on the child alone): the child's own type change, when it is the same, is left
/// out.
pub(crate) fn drop_inherited_changes(changes: Vec<Change>) -> Vec<Change> {
    let mut retyped: HashMap<(&str, &str, &str), &schema_model::ColumnType> = HashMap::new();
    let mut children = false;
    for change in &changes {
        if let Change::ModifyTable {
            schema,
            to,
            changes: table_changes,
            ..
        } = change
        {
            children |= edges::table_parents(to).next().is_some();
            for c in table_changes {
                if let TableChange::ModifyColumn {
                    to: column,
                    changes: flags,
                    ..
                } = c
                    && flags.ty
                {
                    retyped.insert((schema, &to.name, &column.name), &column.ty);
                }
            }
        }
    }
    if !children || retyped.is_empty() {
        return changes;
    }
    // Inherited type changes, by child table: (schema, table, column).
    let mut follows: HashSet<(String, String, String)> = HashSet::new();
    for change in &changes {
        if let Change::ModifyTable {
            schema,
            to,
            changes: table_changes,
            ..
        } = change
        {
            for c in table_changes {
                if let TableChange::ModifyColumn {
                    to: column,
                    changes: flags,
                    ..
                } = c
                    && flags.ty
                    && edges::table_parents(to).any(|p| {
                        let parent_schema = p.schema.as_deref().unwrap_or(schema);
                        retyped.get(&(parent_schema, p.name.as_str(), column.name.as_str()))
                            == Some(&&column.ty)
                    })
                {
                    follows.insert((schema.clone(), to.name.clone(), column.name.clone()));
                }
            }
        }
    }
    if follows.is_empty() {
        return changes;
    }
    changes
        .into_iter()
        .filter_map(|change| match change {
            Change::ModifyTable {
                schema,
                mut from,
                to,
                changes: table_changes,
            } => {
                let mut kept = Vec::with_capacity(table_changes.len());
                for c in table_changes {
                    match c {
                        TableChange::ModifyColumn {
                            from: mut before,
                            to: after,
                            mut changes,
                        } if follows.contains(&(
                            schema.clone(),
                            to.name.clone(),
                            after.name.clone(),
                        )) =>
                        {
                            changes.ty = false;
                            before.ty = after.ty.clone();
                            if let Some(column) =
                                from.columns.iter_mut().find(|c| c.name == before.name)
                            {
                                column.ty = after.ty.clone();
                            }
                            if changes.any() {
                                kept.push(TableChange::ModifyColumn {
                                    from: before,
                                    to: after,
                                    changes,
                                });
                            }
                        }
                        other => kept.push(other),
                    }
                }
                (!kept.is_empty()).then_some(Change::ModifyTable {
                    schema,
                    from,
                    to,
                    changes: kept,
                })
            }
            other => Some(other),
        })
        .collect()
}

/// What the changes do to one column of a parent table.
#[derive(Debug, Default, Clone, Copy)]
struct Touched {
    added: bool,
    dropped: bool,
    default: bool,
    nullable: bool,
}

type ColumnKey = (String, String, String);

/// A child's column and the change planned for it (`None`: none left).
type ColumnPlan = (String, Option<TableChange>);

/// Attributes a child table or partition sets on its own on the columns it inherits (a
/// default, `NOT NULL`). The database copies the parent's attributes into a new child and
/// into a column a parent gains, and passes a parent's `SET/DROP DEFAULT` and
/// `SET/DROP NOT NULL` down to its children; each child's column is planned from the state
/// it will be in after that, so the child's own attributes are set (again) after the
/// parent's changes. Inherited columns a parent drops leave the child with it.
pub(crate) fn follow_parents(changes: Vec<Change>, from: &Realm, to: &Realm) -> Vec<Change> {
    let has_children = to.schemas.iter().any(|s| {
        s.tables
            .iter()
            .any(|t| edges::table_parents(t).next().is_some())
    });
    if !has_children {
        return changes;
    }
    let mut touched: HashMap<ColumnKey, Touched> = HashMap::new();
    let mut added_tables: HashSet<(String, String)> = HashSet::new();
    // The differ's own change of each column, by (schema, table, column).
    let mut own: HashMap<ColumnKey, &TableChange> = HashMap::new();
    for change in &changes {
        match change {
            Change::AddTable { schema, table } => {
                added_tables.insert((schema.clone(), table.name.clone()));
            }
            Change::ModifyTable {
                schema,
                to: table,
                changes: table_changes,
                ..
            } => {
                for c in table_changes {
                    let (column, added, dropped, flags) = match c {
                        TableChange::AddColumn { column } => {
                            (column, true, false, ColumnChanges::default())
                        }
                        TableChange::DropColumn { column } => {
                            (column, false, true, ColumnChanges::default())
                        }
                        TableChange::ModifyColumn {
                            to: column,
                            changes,
                            ..
                        } => (column, false, false, *changes),
                        _ => continue,
                    };
                    let key = (schema.clone(), table.name.clone(), column.name.clone());
                    let entry = touched.entry(key.clone()).or_default();
                    entry.added |= added;
                    entry.dropped |= dropped;
                    entry.default |= flags.default;
                    entry.nullable |= flags.nullable;
                    own.insert(key, c);
                }
            }
            _ => {}
        }
    }

    let tables_to = edges::tables(to);
    let tables_from = edges::tables(from);
    // Per child table: the column changes that replace the differ's own (`None`: no change
    // left), and the inherited columns that go with their parent's.
    let mut planned: HashMap<(String, String), Vec<ColumnPlan>> = HashMap::new();
    let mut follows_drop: HashSet<ColumnKey> = HashSet::new();
    for schema in &to.schemas {
        for table in &schema.tables {
            let parents: Vec<(&str, &Table)> = edges::table_parents(table)
                .filter_map(|p| {
                    let ps = p.schema.as_deref().unwrap_or(&schema.name);
                    tables_to.get(&(ps, p.name.as_str())).map(|t| (ps, *t))
                })
                .collect();
            if parents.is_empty() {
                continue;
            }
            let key = (schema.name.clone(), table.name.clone());
            let new = added_tables.contains(&key);
            let current = tables_from
                .get(&(schema.name.as_str(), table.name.as_str()))
                .copied();
            if !new && current.is_none() {
                continue;
            }
            let parent_touch = |column: &str| {
                parents.iter().find_map(|(ps, p)| {
                    let pc = p.column(column)?;
                    let t = touched
                        .get(&((*ps).to_owned(), p.name.clone(), column.to_owned()))
                        .copied()
                        .unwrap_or_default();
                    Some((pc, t))
                })
            };
            if let Some(current) = current.filter(|_| !new) {
                for c in current.columns.iter().filter(|c| c.inherited) {
                    let parent_drops = edges::table_parents(current).any(|p| {
                        let ps = p.schema.as_deref().unwrap_or(&schema.name);
                        touched
                            .get(&(ps.to_owned(), p.name.clone(), c.name.clone()))
                            .is_some_and(|t| t.dropped)
                    });
                    if parent_drops {
                        follows_drop.insert((
                            schema.name.clone(),
                            table.name.clone(),
                            c.name.clone(),
                        ));
                        // The child declares the column itself from now on: it is gone
                        // with the parent's and added back as the child's own.
                        if let Some(own) = table.column(&c.name).filter(|c| !c.inherited) {
                            planned.entry(key.clone()).or_default().push((
                                c.name.clone(),
                                Some(TableChange::AddColumn {
                                    column: own.clone(),
                                }),
                            ));
                        }
                    }
                }
            }
            for column in &table.columns {
                let Some((pc, t)) = parent_touch(&column.name) else {
                    continue;
                };
                let existing = current
                    .filter(|_| !new)
                    .and_then(|cur| cur.column(&column.name));
                let id = (schema.name.clone(), table.name.clone(), column.name.clone());
                let baseline = match existing {
                    // Created with the table, or with the parent's new column: the
                    // parent's attributes.
                    None => {
                        if !column.inherited || (!new && !t.added) {
                            continue;
                        }
                        Column {
                            default: pc.default.clone(),
                            nullable: pc.nullable,
                            ..column.clone()
                        }
                    }
                    Some(cur) => {
                        if !t.default && !t.nullable {
                            continue;
                        }
                        let mut before = match own.get(&id) {
                            Some(TableChange::ModifyColumn { from, .. }) => from.clone(),
                            _ => cur.clone(),
                        };
                        if t.default {
                            before.default = pc.default.clone();
                        }
                        if t.nullable {
                            before.nullable = pc.nullable;
                        }
                        before
                    }
                };
                let flags = column_changes(&baseline, column);
                let change = flags.any().then(|| TableChange::ModifyColumn {
                    from: baseline,
                    to: column.clone(),
                    changes: flags,
                });
                planned
                    .entry(key.clone())
                    .or_default()
                    .push((column.name.clone(), change));
            }
        }
    }
    if planned.is_empty() && follows_drop.is_empty() {
        return changes;
    }

    let mut out = Vec::with_capacity(changes.len());
    for change in changes {
        match change {
            Change::ModifyTable {
                schema,
                from: before,
                to: after,
                changes: table_changes,
            } => {
                let key = (schema.clone(), after.name.clone());
                let mut replacing = planned.remove(&key).unwrap_or_default();
                let mut kept = Vec::with_capacity(table_changes.len());
                for c in table_changes {
                    let name = match &c {
                        TableChange::AddColumn { column }
                        | TableChange::ModifyColumn { to: column, .. } => Some(&column.name),
                        TableChange::DropColumn { column } => {
                            if follows_drop.contains(&(
                                schema.clone(),
                                after.name.clone(),
                                column.name.clone(),
                            )) {
                                continue;
                            }
                            None
                        }
                        _ => None,
                    };
                    match name.and_then(|n| replacing.iter().position(|(r, _)| r == n)) {
                        Some(at) => {
                            if let (_, Some(replacement)) = replacing.remove(at) {
                                kept.push(replacement);
                            }
                        }
                        None => kept.push(c),
                    }
                }
                kept.extend(replacing.into_iter().filter_map(|(_, c)| c));
                if !kept.is_empty() {
                    out.push(Change::ModifyTable {
                        schema,
                        from: before,
                        to: after,
                        changes: kept,
                    });
                }
            }
            other => out.push(other),
        }
    }
    // Children with no change of their own: a modification of their own, from the state
    // the parents leave them in.
    for schema in &to.schemas {
        for table in &schema.tables {
            let Some(columns) = planned.remove(&(schema.name.clone(), table.name.clone())) else {
                continue;
            };
            let table_changes: Vec<TableChange> =
                columns.into_iter().filter_map(|(_, c)| c).collect();
            if table_changes.is_empty() {
                continue;
            }
            let mut before = table.clone();
            for c in &table_changes {
                if let TableChange::ModifyColumn { from: col, .. } = c
                    && let Some(slot) = before.columns.iter_mut().find(|x| x.name == col.name)
                {
                    *slot = col.clone();
                }
            }
            out.push(Change::ModifyTable {
                schema: schema.name.clone(),
                from: before,
                to: table.clone(),
                changes: table_changes,
            });
        }
    }
    out
}
