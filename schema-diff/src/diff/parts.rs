//! Table parts recreated around a change: foreign keys, indexes, checks, policies,
//! column defaults and generated columns, split off a table's own changes into a drop that
//! runs first and an add that runs last.

use std::collections::{HashMap, HashSet};

use schema_model::{Column, Realm, Table};

use super::dependents::{Recreated, TableKey};
use crate::graph::Node;
use crate::{Change, ColumnChanges, TableChange};

/// A table part that can be dropped and added back.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum Part {
    ForeignKey(String),
    Index(String),
    Check(String),
    Policy(String),
    /// A column's default (dropped and set again).
    Default(String),
    /// A generated column (dropped and added again).
    Generated(String),
}

impl Part {
    pub(super) fn of(node: &Node<'_>) -> Option<Part> {
        Some(match *node {
            Node::ForeignKey { name, .. } => Part::ForeignKey(name.to_owned()),
            Node::Index { name, .. } => Part::Index(name.to_owned()),
            Node::Check { name, .. } => Part::Check(name.to_owned()),
            Node::Policy { name, .. } => Part::Policy(name.to_owned()),
            Node::Default { column, .. } => Part::Default(column.to_owned()),
            Node::Generated { column, .. } => Part::Generated(column.to_owned()),
            _ => return None,
        })
    }

    fn is_foreign_key(&self) -> bool {
        matches!(self, Part::ForeignKey(_))
    }

    /// The part a table change is about.
    fn of_change(change: &TableChange) -> Option<Part> {
        use TableChange::*;
        Some(match change {
            AddForeignKey { key } | DropForeignKey { key } | ModifyForeignKey { from: key, .. } => {
                Part::ForeignKey(key.name.clone())
            }
            AddIndex { index } | DropIndex { index } | ModifyIndex { from: index, .. } => {
                Part::Index(index.name.clone())
            }
            AddCheck { check } | DropCheck { check } | ModifyCheck { from: check, .. } => {
                Part::Check(check.name.clone().unwrap_or_else(|| check.expr.clone()))
            }
            AddPolicy { policy } | DropPolicy { policy } | ModifyPolicy { from: policy, .. } => {
                Part::Policy(policy.name.clone())
            }
            _ => return None,
        })
    }

    /// The drop of this part of `table`, when the table has it.
    fn drop_from(&self, table: &Table) -> Option<TableChange> {
        Some(match self {
            Part::ForeignKey(n) => TableChange::DropForeignKey {
                key: table.foreign_key(n)?.clone(),
            },
            Part::Index(n) => TableChange::DropIndex {
                index: table.index(n)?.clone(),
            },
            Part::Check(n) => TableChange::DropCheck {
                check: table
                    .checks
                    .iter()
                    .find(|c| c.name.as_deref().unwrap_or(&c.expr) == n)?
                    .clone(),
            },
            Part::Policy(n) => TableChange::DropPolicy {
                policy: table.policies.iter().find(|p| p.name == *n)?.clone(),
            },
            Part::Default(n) => {
                let column = table.column(n).filter(|c| c.default.is_some())?;
                TableChange::ModifyColumn {
                    from: column.clone(),
                    to: without_default(column),
                    changes: ColumnChanges {
                        default: true,
                        ..ColumnChanges::default()
                    },
                }
            }
            Part::Generated(n) => TableChange::DropColumn {
                column: table.column(n).filter(|c| c.generated.is_some())?.clone(),
            },
        })
    }

    /// The addition of this part of `table`, when the table has it.
    fn add_from(&self, table: &Table) -> Option<TableChange> {
        Some(match self.drop_from(table)? {
            TableChange::DropForeignKey { key } => TableChange::AddForeignKey { key },
            TableChange::DropIndex { index } => TableChange::AddIndex { index },
            TableChange::DropCheck { check } => TableChange::AddCheck { check },
            TableChange::DropPolicy { policy } => TableChange::AddPolicy { policy },
            TableChange::ModifyColumn { from, to, changes } => TableChange::ModifyColumn {
                from: to,
                to: from,
                changes,
            },
            TableChange::DropColumn { column } => TableChange::AddColumn { column },
            _ => return None,
        })
    }

    /// The table change without what concerns the recreated `parts`: `None` when nothing
    /// is left of it.
    fn strip(change: TableChange, parts: &HashSet<Part>) -> Option<TableChange> {
        match change {
            TableChange::AddColumn { ref column } | TableChange::DropColumn { ref column }
                if parts.contains(&Part::Generated(column.name.clone())) =>
            {
                None
            }
            TableChange::ModifyColumn { ref to, .. }
                if parts.contains(&Part::Generated(to.name.clone())) =>
            {
                None
            }
            TableChange::ModifyColumn {
                from: before,
                to: after,
                changes,
            } if parts.contains(&Part::Default(after.name.clone())) => {
                let (before, after) = (without_default(&before), without_default(&after));
                let changes = ColumnChanges {
                    default: false,
                    ..changes
                };
                changes.any().then_some(TableChange::ModifyColumn {
                    from: before,
                    to: after,
                    changes,
                })
            }
            other => match Part::of_change(&other) {
                Some(part) if parts.contains(&part) => None,
                _ => Some(other),
            },
        }
    }
}

fn without_default(column: &Column) -> Column {
    Column {
        default: None,
        ..column.clone()
    }
}

/// The parts of `table`, in its order: foreign keys, indexes, checks, policies.
fn parts_of(table: &Table) -> impl Iterator<Item = Part> + '_ {
    table
        .foreign_keys
        .iter()
        .map(|k| Part::ForeignKey(k.name.clone()))
        .chain(table.indexes.iter().map(|i| Part::Index(i.name.clone())))
        .chain(
            table
                .checks
                .iter()
                .map(|c| Part::Check(c.name.clone().unwrap_or_else(|| c.expr.clone()))),
        )
        .chain(table.policies.iter().map(|p| Part::Policy(p.name.clone())))
        .chain(table.columns.iter().flat_map(|c| {
            [
                Part::Default(c.name.clone()),
                Part::Generated(c.name.clone()),
            ]
        }))
}

/// `table` without the given parts.
fn without(table: &Table, parts: &HashSet<Part>) -> Table {
    let mut out = table.clone();
    out.foreign_keys
        .retain(|k| !parts.contains(&Part::ForeignKey(k.name.clone())));
    out.indexes
        .retain(|i| !parts.contains(&Part::Index(i.name.clone())));
    out.checks.retain(|c| {
        !parts.contains(&Part::Check(
            c.name.clone().unwrap_or_else(|| c.expr.clone()),
        ))
    });
    out.policies
        .retain(|p| !parts.contains(&Part::Policy(p.name.clone())));
    out.columns
        .retain(|c| !parts.contains(&Part::Generated(c.name.clone())));
    for column in &mut out.columns {
        if parts.contains(&Part::Default(column.name.clone())) {
            column.default = None;
        }
    }
    out
}

/// Moves the recreated parts of each table out of its changes into an early drop and a
/// late add (foreign keys dropped before and added after the other parts, which they may
/// rely on).
pub(super) fn split_table_parts(
    changes: Vec<Change>,
    from: &Realm,
    to: &Realm,
    parts: HashMap<TableKey, HashSet<Part>>,
) -> Recreated {
    if parts.is_empty() {
        return Recreated {
            changes,
            early: Vec::new(),
            late: Vec::new(),
        };
    }
    let dropped: HashSet<TableKey> = changes
        .iter()
        .filter_map(|c| match c {
            Change::DropTable { schema, table } => Some((schema.clone(), table.name.clone())),
            _ => None,
        })
        .collect();
    let renamed: HashMap<TableKey, String> = changes
        .iter()
        .filter_map(|c| match c {
            Change::RenameTable { schema, from, to } => {
                Some(((schema.clone(), from.clone()), to.clone()))
            }
            _ => None,
        })
        .collect();

    let mut early_fks = Vec::new();
    let mut early_rest = Vec::new();
    let mut late_rest = Vec::new();
    let mut late_fks = Vec::new();
    // Parts to take out of the table's own changes, by the table's name after renames.
    let mut moved: HashMap<TableKey, HashSet<Part>> = HashMap::new();
    // Tables in the current realm's order, so the result does not depend on hashing.
    for schema in &from.schemas {
        for table in &schema.tables {
            let key = (schema.name.clone(), table.name.clone());
            let Some(mut recreate) = parts.get(&key).cloned() else {
                continue;
            };
            if dropped.contains(&key) {
                // Only foreign keys into tables that stay must go before the drop (the
                // ones between dropped tables are ordered with the drops).
                recreate.retain(|p| match p {
                    Part::ForeignKey(n) => table.foreign_key(n).is_some_and(|fk| {
                        let target = (
                            fk.ref_table
                                .schema
                                .clone()
                                .unwrap_or_else(|| schema.name.clone()),
                            fk.ref_table.name.clone(),
                        );
                        !dropped.contains(&target)
                    }),
                    _ => false,
                });
            }
            if recreate.is_empty() {
                continue;
            }
            let fks: HashSet<Part> = recreate
                .iter()
                .filter(|p| p.is_foreign_key())
                .cloned()
                .collect();
            let rest: HashSet<Part> = recreate
                .iter()
                .filter(|p| !p.is_foreign_key())
                .cloned()
                .collect();

            let sorted = |set: &HashSet<Part>, table: &Table, add: bool| -> Vec<TableChange> {
                let mut parts: Vec<Part> = parts_of(table).filter(|p| set.contains(p)).collect();
                if add {
                    // Columns come back before the indexes and checks on them.
                    parts.sort_by_key(|p| !matches!(p, Part::Generated(_)));
                }
                parts
                    .into_iter()
                    .filter_map(|p| {
                        if add {
                            p.add_from(table)
                        } else {
                            p.drop_from(table)
                        }
                    })
                    .collect()
            };
            // Current: t0 → t1 (no recreated foreign keys) → t2 (no recreated parts).
            let t1 = without(table, &fks);
            let t2 = without(table, &recreate);
            for (set, before, after, out) in [
                (&fks, table, &t1, &mut early_fks),
                (&rest, &t1, &t2, &mut early_rest),
            ] {
                let drops = sorted(set, before, false);
                if !drops.is_empty() {
                    out.push(Change::ModifyTable {
                        schema: schema.name.clone(),
                        from: before.clone(),
                        to: after.clone(),
                        changes: drops,
                    });
                }
            }
            let new_name = renamed
                .get(&key)
                .cloned()
                .unwrap_or_else(|| table.name.clone());
            moved.insert((schema.name.clone(), new_name.clone()), recreate.clone());
            if dropped.contains(&key) {
                continue;
            }
            let Some(target) = to.schema(&schema.name).and_then(|s| s.table(&new_name)) else {
                continue;
            };
            // Desired: t3 (no recreated parts) → t4 (no recreated foreign keys) → t5.
            let t4 = without(target, &fks);
            let t3 = without(target, &recreate);
            for (set, before, after, out) in [
                (&rest, &t3, &t4, &mut late_rest),
                (&fks, &t4, target, &mut late_fks),
            ] {
                let adds = sorted(set, after, true);
                if !adds.is_empty() {
                    out.push(Change::ModifyTable {
                        schema: schema.name.clone(),
                        from: before.clone(),
                        to: after.clone(),
                        changes: adds,
                    });
                }
            }
        }
    }

    let mut out = Vec::with_capacity(changes.len());
    for change in changes {
        match change {
            Change::ModifyTable {
                schema,
                from: before,
                to: after,
                changes: table_changes,
            } if moved.contains_key(&(schema.clone(), after.name.clone())) => {
                let parts = &moved[&(schema.clone(), after.name.clone())];
                let rest: Vec<TableChange> = table_changes
                    .into_iter()
                    .filter_map(|c| Part::strip(c, parts))
                    .collect();
                if !rest.is_empty() {
                    out.push(Change::ModifyTable {
                        from: without(&before, parts),
                        to: without(&after, parts),
                        schema,
                        changes: rest,
                    });
                }
            }
            other => out.push(other),
        }
    }
    early_fks.extend(early_rest);
    late_rest.extend(late_fks);
    Recreated {
        changes: out,
        early: early_fks,
        late: late_rest,
    }
}
