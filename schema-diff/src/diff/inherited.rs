//! Changes a child table inherits from its parent.

use std::collections::{HashMap, HashSet};

use crate::graph::edges;
use crate::{Change, TableChange};

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
