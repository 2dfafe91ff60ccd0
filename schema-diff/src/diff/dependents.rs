//! Dropping and recreating dependents around a change.
//!
//! The changes disturb some objects of the current realm (a key dropped, a column
//! retyped, an enum recreated, a view replaced). Through the [`DependencyGraph`] of the
//! current realm, whatever reads a disturbed object in a way the database would refuse
//! (or silently lose) is recreated: views and triggers as view and trigger changes, and
//! foreign keys, indexes, checks and policies as table changes split off into a drop that
//! runs before everything else and an add that runs after the tables changed.

use std::collections::{HashMap, HashSet};

use schema_model::{Realm, Table, View};

use crate::graph::edges::{self, Select};
use crate::graph::{DependencyGraph, EdgeKind, Node};
use crate::{Change, TableChange};

/// How strongly an object is disturbed; a stronger cause reaches more dependents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Cause {
    /// A column's values are converted into a recreated type.
    Convert,
    /// A column changes shape (type, generation, collation) or goes away.
    Reshape,
    /// The object is dropped (and maybe created again).
    Recreate,
}

/// What the dialect tells about how it carries out changes.
pub(crate) struct Capabilities<'h> {
    /// Which `ModifyTable` changes recreate the table.
    pub rebuilds: &'h dyn Fn(&Change) -> bool,
    /// Whether foreign keys, indexes, checks and policies can be dropped and added on a
    /// table in place (not with SQLite, whose table changes are rebuilds anyway).
    pub table_parts: bool,
    /// Edges only the dialect's catalog knows.
    pub extra: &'h dyn for<'a> Fn(&'a Realm, &mut DependencyGraph<'a>),
}

/// The changes with recreated dependents: `changes` in place, plus the table changes
/// that drop dependents first (`early`) and add them back last (`late`).
pub(crate) struct Recreated {
    pub changes: Vec<Change>,
    pub early: Vec<Change>,
    pub late: Vec<Change>,
}

/// Whether a view change only touches what can be altered in place (its comment).
fn comment_only(from: &View, to: &View) -> bool {
    View {
        comment: to.comment.clone(),
        ..from.clone()
    } == *to
}

/// Whether an index change is done in place (comment, visibility) rather than by drop and
/// create.
fn index_in_place(from: &schema_model::Index, to: &schema_model::Index) -> bool {
    schema_model::Index {
        comment: to.comment.clone(),
        invisible: to.invisible,
        ..from.clone()
    } == *to
}

/// The objects the changes disturb, with how.
fn seeds<'c>(changes: &'c [Change], capabilities: &Capabilities<'_>) -> Vec<(Node<'c>, Cause)> {
    let mut out = Vec::new();
    for change in changes {
        match change {
            Change::ModifyTable {
                schema,
                from,
                changes: table_changes,
                ..
            } => {
                let t = from.name.as_str();
                if (capabilities.rebuilds)(change) {
                    out.push((Node::Table { schema, name: t }, Cause::Recreate));
                }
                let column = |name| Node::Column {
                    schema,
                    table: t,
                    name,
                };
                for c in table_changes {
                    match c {
                        TableChange::DropColumn { column: col } => {
                            out.push((column(col.name.as_str()), Cause::Reshape))
                        }
                        TableChange::RenameColumn { from: old, .. } => {
                            out.push((column(old.as_str()), Cause::Reshape))
                        }
                        TableChange::ModifyColumn {
                            from: col, changes, ..
                        } if changes.ty || changes.generated || changes.collation => {
                            out.push((column(col.name.as_str()), Cause::Reshape))
                        }
                        TableChange::ModifyPrimaryKey { .. } if c.renames_key_only() => {}
                        TableChange::DropPrimaryKey { .. }
                        | TableChange::ModifyPrimaryKey { .. } => {
                            out.push((Node::PrimaryKey { schema, table: t }, Cause::Recreate))
                        }
                        TableChange::DropIndex { index } => out.push((
                            Node::Index {
                                schema,
                                table: t,
                                name: &index.name,
                            },
                            Cause::Recreate,
                        )),
                        TableChange::ModifyIndex { from: a, to: b } if !index_in_place(a, b) => out
                            .push((
                                Node::Index {
                                    schema,
                                    table: t,
                                    name: &a.name,
                                },
                                Cause::Recreate,
                            )),
                        _ => {}
                    }
                }
            }
            Change::DropTable { schema, table } => {
                let t = table.name.as_str();
                out.push((Node::Table { schema, name: t }, Cause::Recreate));
                for c in &table.columns {
                    out.push((
                        Node::Column {
                            schema,
                            table: t,
                            name: &c.name,
                        },
                        Cause::Recreate,
                    ));
                }
                if table.primary_key.is_some() {
                    out.push((Node::PrimaryKey { schema, table: t }, Cause::Recreate));
                }
                for index in &table.indexes {
                    out.push((
                        Node::Index {
                            schema,
                            table: t,
                            name: &index.name,
                        },
                        Cause::Recreate,
                    ));
                }
            }
            Change::DropView { schema, view } => out.push((
                Node::View {
                    schema,
                    name: &view.name,
                },
                Cause::Recreate,
            )),
            Change::ModifyView { schema, from, to } if !comment_only(from, to) => out.push((
                Node::View {
                    schema,
                    name: &from.name,
                },
                Cause::Recreate,
            )),
            // Labels removed or reordered: the type is recreated and its columns converted.
            Change::ModifyEnum {
                schema,
                from,
                to,
                added,
            } if added.is_empty() && from.values != to.values => out.push((
                Node::Type {
                    schema,
                    name: &from.name,
                },
                Cause::Recreate,
            )),
            Change::DropEnum { schema, enum_type } => out.push((
                Node::Type {
                    schema,
                    name: &enum_type.name,
                },
                Cause::Recreate,
            )),
            Change::DropDomain { schema, domain } => out.push((
                Node::Type {
                    schema,
                    name: &domain.name,
                },
                Cause::Recreate,
            )),
            Change::DropComposite { schema, composite } => out.push((
                Node::Type {
                    schema,
                    name: &composite.name,
                },
                Cause::Recreate,
            )),
            _ => {}
        }
    }
    out
}

/// Whether the differ can recreate an object of this kind.
fn recreatable(node: &Node<'_>, capabilities: &Capabilities<'_>) -> bool {
    match node {
        Node::View { .. } | Node::Trigger { .. } => true,
        Node::ForeignKey { .. } | Node::Index { .. } | Node::Check { .. } | Node::Policy { .. } => {
            capabilities.table_parts
        }
        _ => false,
    }
}

/// Spreads the disturbance of `seeds` over the graph; returns the objects to recreate.
fn propagate<'a>(
    graph: &DependencyGraph<'a>,
    seeds: Vec<(Node<'a>, Cause)>,
    capabilities: &Capabilities<'_>,
) -> HashSet<Node<'a>> {
    let mut state: HashMap<Node<'a>, Cause> = HashMap::new();
    let mut recreated: HashSet<Node<'a>> = HashSet::new();
    let mut queue = seeds;
    while let Some((node, cause)) = queue.pop() {
        if state.get(&node).is_some_and(|&known| known >= cause) {
            continue;
        }
        state.insert(node, cause);
        // A column that changes shape changes what reads its table as a whole (views).
        if let Node::Column { schema, table, .. } = node {
            queue.push((
                Node::Table {
                    schema,
                    name: table,
                },
                cause.max(Cause::Reshape),
            ));
        }
        for (dependent, kind) in graph.dependents(&node) {
            let recreate = match kind {
                EdgeKind::Blocks => true,
                EdgeKind::Rebuilt => cause == Cause::Convert,
                EdgeKind::Hosted => cause == Cause::Recreate,
                EdgeKind::Converted => {
                    if cause == Cause::Recreate && matches!(node, Node::Type { .. }) {
                        queue.push((*dependent, Cause::Convert));
                    }
                    false
                }
                EdgeKind::Inherits => {
                    if matches!(node, Node::Column { .. }) {
                        queue.push((*dependent, cause));
                    }
                    false
                }
                EdgeKind::Orders => false,
            };
            if recreate && recreatable(dependent, capabilities) {
                recreated.insert(*dependent);
                queue.push((*dependent, Cause::Recreate));
            }
        }
    }
    recreated
}

/// A table part that can be dropped and added back.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Part {
    ForeignKey(String),
    Index(String),
    Check(String),
    Policy(String),
}

impl Part {
    fn of(node: &Node<'_>) -> Option<Part> {
        Some(match *node {
            Node::ForeignKey { name, .. } => Part::ForeignKey(name.to_owned()),
            Node::Index { name, .. } => Part::Index(name.to_owned()),
            Node::Check { name, .. } => Part::Check(name.to_owned()),
            Node::Policy { name, .. } => Part::Policy(name.to_owned()),
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
        })
    }

    /// The addition of this part of `table`, when the table has it.
    fn add_from(&self, table: &Table) -> Option<TableChange> {
        Some(match self.drop_from(table)? {
            TableChange::DropForeignKey { key } => TableChange::AddForeignKey { key },
            TableChange::DropIndex { index } => TableChange::AddIndex { index },
            TableChange::DropCheck { check } => TableChange::AddCheck { check },
            TableChange::DropPolicy { policy } => TableChange::AddPolicy { policy },
            _ => return None,
        })
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
    out
}

type TableKey = (String, String);

/// Replaces view modifications by drop + create, and recreates whatever reads an object
/// the changes disturb: see the module documentation.
pub(crate) fn recreate_dependents(
    changes: Vec<Change>,
    from: &Realm,
    to: &Realm,
    capabilities: &Capabilities<'_>,
) -> Recreated {
    let select = Select {
        table_parts: capabilities.table_parts,
        views: true,
        definitions: false,
    };
    let (recreated_views, recreated_triggers, parts, rebuilt) = {
        let seeds = seeds(&changes, capabilities);
        let rebuilt: HashSet<TableKey> = changes
            .iter()
            .filter(|c| (capabilities.rebuilds)(c))
            .filter_map(|c| match c {
                Change::ModifyTable { schema, from, .. } => {
                    Some((schema.clone(), from.name.clone()))
                }
                _ => None,
            })
            .collect();
        let recreated = if seeds.is_empty() {
            HashSet::new()
        } else {
            let mut graph = DependencyGraph::new();
            edges::realm(from, &mut graph, select);
            (capabilities.extra)(from, &mut graph);
            propagate(&graph, seeds, capabilities)
        };
        let mut views: HashSet<TableKey> = HashSet::new();
        let mut triggers: HashSet<(String, String, String)> = HashSet::new();
        let mut parts: HashMap<TableKey, HashSet<Part>> = HashMap::new();
        for node in &recreated {
            match *node {
                Node::View { schema, name } => {
                    views.insert((schema.to_owned(), name.to_owned()));
                }
                Node::Trigger { schema, on, name } => {
                    triggers.insert((schema.to_owned(), on.to_owned(), name.to_owned()));
                }
                _ => {
                    if let (Some(part), Some(table)) = (Part::of(node), node.table()) {
                        parts
                            .entry((node.schema().to_owned(), table.to_owned()))
                            .or_default()
                            .insert(part);
                    }
                }
            }
        }
        (views, triggers, parts, rebuilt)
    };

    let changes = super::inherited::drop_inherited_changes(changes);
    let changes = recreate_views(changes, from, to, &recreated_views);
    let changes = recreate_triggers(changes, from, to, &recreated_triggers, &rebuilt);
    split_table_parts(changes, from, to, parts)
}

/// View modifications become drop + create; recreated views that no change touches get
/// a drop and a create of their own.
fn recreate_views(
    changes: Vec<Change>,
    from: &Realm,
    to: &Realm,
    recreated: &HashSet<TableKey>,
) -> Vec<Change> {
    let mut touched: HashSet<TableKey> = HashSet::new();
    let mut out = Vec::with_capacity(changes.len());
    for change in changes {
        match change {
            Change::ModifyView { schema, from, to } if !comment_only(&from, &to) => {
                touched.insert((schema.clone(), to.name.clone()));
                out.push(Change::DropView {
                    schema: schema.clone(),
                    view: from,
                });
                out.push(Change::AddView { schema, view: to });
            }
            Change::DropView { schema, view } => {
                touched.insert((schema.clone(), view.name.clone()));
                out.push(Change::DropView { schema, view });
            }
            other => out.push(other),
        }
    }
    // In the current realm's order, so the result does not depend on hashing.
    for schema in &from.schemas {
        for view in &schema.views {
            let id = (schema.name.clone(), view.name.clone());
            if !recreated.contains(&id) || touched.contains(&id) {
                continue;
            }
            let Some(target) = to.schema(&schema.name).and_then(|s| s.view(&view.name)) else {
                continue;
            };
            // A comment-only change of a view recreated anyway is subsumed.
            out.retain(|c| !matches!(c, Change::ModifyView { schema: s, to, .. } if *s == schema.name && to.name == view.name));
            out.push(Change::DropView {
                schema: schema.name.clone(),
                view: view.clone(),
            });
            out.push(Change::AddView {
                schema: schema.name.clone(),
                view: target.clone(),
            });
        }
    }
    out
}

/// Triggers on recreated views and rebuilt tables disappear with their host: they are
/// created again (a changed one on a rebuilt table is dropped first, so the rebuild does
/// not copy a stale one).
fn recreate_triggers(
    changes: Vec<Change>,
    from: &Realm,
    to: &Realm,
    recreated: &HashSet<(String, String, String)>,
    rebuilt: &HashSet<TableKey>,
) -> Vec<Change> {
    if recreated.is_empty() {
        return changes;
    }
    let mut readded: HashSet<(String, String, String)> = HashSet::new();
    let mut out = Vec::with_capacity(changes.len());
    for change in changes {
        match change {
            Change::ModifyTrigger { schema, from, to }
                if recreated.contains(&(schema.clone(), from.on.clone(), from.name.clone())) =>
            {
                readded.insert((schema.clone(), from.on.clone(), from.name.clone()));
                if rebuilt.contains(&(schema.clone(), to.on.clone())) {
                    out.push(Change::DropTrigger {
                        schema: schema.clone(),
                        trigger: from,
                    });
                }
                out.push(Change::AddTrigger {
                    schema,
                    trigger: to,
                });
            }
            other => out.push(other),
        }
    }
    for schema in &from.schemas {
        let Some(target) = to.schema(&schema.name) else {
            continue;
        };
        for trigger in &schema.triggers {
            let id = (
                schema.name.clone(),
                trigger.on.clone(),
                trigger.name.clone(),
            );
            if recreated.contains(&id)
                && !readded.contains(&id)
                && let Some(wanted) = target
                    .triggers
                    .iter()
                    .find(|t| t.on == trigger.on && t.name == trigger.name)
            {
                out.push(Change::AddTrigger {
                    schema: schema.name.clone(),
                    trigger: wanted.clone(),
                });
            }
        }
    }
    out
}

/// Moves the recreated parts of each table out of its changes into an early drop and a
/// late add (foreign keys dropped before and added after the other parts, which they may
/// rely on).
fn split_table_parts(
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
                parts_of(table)
                    .filter(|p| set.contains(p))
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
                    .filter(|c| Part::of_change(c).is_none_or(|p| !parts.contains(&p)))
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
