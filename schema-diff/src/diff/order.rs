//! Putting changes in an order that applies cleanly.
//!
//! Changes are grouped in phases (schemas first, drops of dependents before what they
//! depend on, types and routines before tables, views and triggers last); inside a phase,
//! objects are ordered by the [`DependencyGraph`] (types and routines by what they read,
//! tables by their foreign keys and parents, views by the views they read), with ties kept
//! in declaration order. Dependents of disturbed objects are recreated around the change
//! first (see [`super::dependents`]).

use std::collections::{BTreeSet, HashMap, HashSet};

use schema_model::{Realm, Table, View};

use super::dependents::{Capabilities, Recreated, recreate_dependents};
use super::identifiers;
use crate::graph::edges::{self, Select};
use crate::graph::{DependencyGraph, Node};
use crate::{Change, DiffOptions, TableChange};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    Schemas,
    Extensions,
    DropTriggers,
    DropViews,
    DropForeignKeys,
    Enums,
    Domains,
    Composites,
    Sequences,
    Routines,
    RenameTables,
    AddTables,
    ModifyTables,
    RoutinesOnTables,
    AddDependents,
    DropTables,
    DropRoutines,
    DropTypes,
    Views,
    Triggers,
    DropSchemas,
    DropExtensions,
}

const PHASES: usize = Phase::DropExtensions as usize + 1;

pub(super) fn order(
    changes: Vec<Change>,
    from: &Realm,
    to: &Realm,
    options: &DiffOptions,
    capabilities: &Capabilities<'_>,
) -> Vec<Change> {
    let Recreated {
        changes,
        early,
        late,
    } = recreate_dependents(changes, from, to, capabilities);

    let added_tables: HashSet<String> = changes
        .iter()
        .filter_map(|c| match c {
            Change::AddTable { table, .. } => Some(table.name.to_lowercase()),
            _ => None,
        })
        .collect();

    let mut phases: Vec<Vec<Change>> = (0..PHASES).map(|_| Vec::new()).collect();
    phases[Phase::DropForeignKeys as usize] = early;
    phases[Phase::AddDependents as usize] = late;
    for change in changes {
        let phase = phase_of(&change, &added_tables);
        phases[phase as usize].push(change);
    }
    let add_tables = std::mem::take(&mut phases[Phase::AddTables as usize]);
    let (add_tables, deferred) = order_added_tables(add_tables, options.defer_cyclic_foreign_keys);
    phases[Phase::AddTables as usize] = add_tables;
    // Deferred foreign keys go first among table modifications: later changes may rely on
    // them (none do today), and grouping them keeps plans readable.
    let modifications = std::mem::take(&mut phases[Phase::ModifyTables as usize]);
    phases[Phase::ModifyTables as usize] = deferred
        .into_iter()
        .chain(parents_first(modifications))
        .collect();

    let drop_tables = std::mem::take(&mut phases[Phase::DropTables as usize]);
    let (drop_tables, unlinked) = order_dropped_tables(drop_tables);
    phases[Phase::DropTables as usize] = drop_tables;
    phases[Phase::DropForeignKeys as usize].extend(unlinked);

    let views = std::mem::take(&mut phases[Phase::Views as usize]);
    phases[Phase::Views as usize] = order_views(views, false);
    let drop_views = std::mem::take(&mut phases[Phase::DropViews as usize]);
    phases[Phase::DropViews as usize] = order_views(drop_views, true);

    // Types, sequences and routines are created in one group ordered by what they read (a
    // domain whose check calls a function comes after the function), and dropped in one
    // group in the reverse order.
    let definitions: Vec<Change> = [
        Phase::Enums,
        Phase::Domains,
        Phase::Composites,
        Phase::Sequences,
        Phase::Routines,
    ]
    .into_iter()
    .flat_map(|p| std::mem::take(&mut phases[p as usize]))
    .collect();
    phases[Phase::Enums as usize] = order_definitions(definitions, to, false);
    let mut drops = std::mem::take(&mut phases[Phase::DropRoutines as usize]);
    drops.extend(order_type_drops(std::mem::take(
        &mut phases[Phase::DropTypes as usize],
    )));
    phases[Phase::DropTypes as usize] = order_definitions(drops, from, true);

    phases.into_iter().flatten().collect()
}

fn phase_of(change: &Change, added_tables: &HashSet<String>) -> Phase {
    use Change::*;
    match change {
        // Collations come right after their schema, before any column can use them, and
        // go after every table change that stops using them.
        AddSchema { .. } | ModifySchema { .. } | AddCollation { .. } | ModifyCollation { .. } => {
            Phase::Schemas
        }
        AddExtension { .. } | ModifyExtension { .. } => Phase::Extensions,
        // Rules go with triggers: dropped before what they read changes, created last.
        DropTrigger { .. } | DropRule { .. } => Phase::DropTriggers,
        DropView { .. } => Phase::DropViews,
        AddEnum { .. } | ModifyEnum { .. } => Phase::Enums,
        AddDomain { .. } | ModifyDomain { .. } => Phase::Domains,
        AddComposite { .. } | ModifyComposite { .. } => Phase::Composites,
        AddSequence { .. } | ModifySequence { .. } => Phase::Sequences,
        AddRoutine { routine, .. } | ModifyRoutine { to: routine, .. } => {
            // SQL-language bodies are checked at creation, so routines that mention a new
            // table wait for it.
            if identifiers(&routine.definition)
                .iter()
                .any(|id| added_tables.contains(id))
            {
                Phase::RoutinesOnTables
            } else {
                Phase::Routines
            }
        }
        RenameTable { .. } => Phase::RenameTables,
        AddTable { .. } => Phase::AddTables,
        ModifyTable { changes, .. } => {
            if changes
                .iter()
                .all(|c| matches!(c, TableChange::DropForeignKey { .. }))
            {
                Phase::DropForeignKeys
            } else {
                Phase::ModifyTables
            }
        }
        DropTable { .. } => Phase::DropTables,
        DropRoutine { .. } => Phase::DropRoutines,
        DropEnum { .. }
        | DropDomain { .. }
        | DropComposite { .. }
        | DropSequence { .. }
        | DropCollation { .. } => Phase::DropTypes,
        AddView { .. } | ModifyView { .. } => Phase::Views,
        AddTrigger { .. } | ModifyTrigger { .. } | AddRule { .. } | ModifyRule { .. } => {
            Phase::Triggers
        }
        DropSchema { .. } => Phase::DropSchemas,
        DropExtension { .. } => Phase::DropExtensions,
    }
}

/// The graph node of a type, sequence or routine change.
fn definition_node(change: &Change) -> Option<Node<'_>> {
    use Change::*;
    Some(match change {
        AddEnum { schema, enum_type } | DropEnum { schema, enum_type } => Node::Type {
            schema,
            name: &enum_type.name,
        },
        ModifyEnum { schema, to, .. } => Node::Type {
            schema,
            name: &to.name,
        },
        AddDomain { schema, domain } | DropDomain { schema, domain } => Node::Type {
            schema,
            name: &domain.name,
        },
        ModifyDomain { schema, to, .. } => Node::Type {
            schema,
            name: &to.name,
        },
        AddComposite { schema, composite } | DropComposite { schema, composite } => Node::Type {
            schema,
            name: &composite.name,
        },
        ModifyComposite { schema, to, .. } => Node::Type {
            schema,
            name: &to.name,
        },
        AddSequence { schema, sequence } | DropSequence { schema, sequence } => Node::Sequence {
            schema,
            name: &sequence.name,
        },
        ModifySequence { schema, to, .. } => Node::Sequence {
            schema,
            name: &to.name,
        },
        AddRoutine { schema, routine } | DropRoutine { schema, routine } => Node::Routine {
            schema,
            name: &routine.name,
        },
        ModifyRoutine { schema, to, .. } => Node::Routine {
            schema,
            name: &to.name,
        },
        _ => return None,
    })
}

/// Orders type, sequence and routine changes by the graph of `realm` (the desired one
/// for creations, the current one for drops): what an object reads is created before it
/// and dropped after it. Ties and cycles keep the given order.
fn order_definitions(changes: Vec<Change>, realm: &Realm, drops: bool) -> Vec<Change> {
    if changes.len() < 2 {
        return changes;
    }
    let mut graph = DependencyGraph::new();
    edges::realm(
        realm,
        &mut graph,
        Select {
            table_parts: false,
            views: false,
            definitions: true,
        },
    );
    let nodes: Vec<Option<Node<'_>>> = changes.iter().map(definition_node).collect();
    let mut position: HashMap<Node<'_>, Vec<usize>> = HashMap::new();
    for (i, node) in nodes.iter().enumerate() {
        if let Some(node) = node {
            position.entry(*node).or_default().push(i);
        }
    }
    let mut deps: Vec<Vec<usize>> = vec![Vec::new(); changes.len()];
    for (i, node) in nodes.iter().enumerate() {
        let Some(node) = node else { continue };
        for (dependency, _) in graph.dependencies(node) {
            for &j in position.get(dependency).into_iter().flatten() {
                if j == i {
                    continue;
                }
                if drops {
                    deps[j].push(i);
                } else {
                    deps[i].push(j);
                }
            }
        }
    }
    for d in &mut deps {
        d.sort_unstable();
        d.dedup();
    }
    let order = stable_topo(changes.len(), &deps, |_, _| {});
    let mut slots: Vec<Option<Change>> = changes.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

/// Orders table modifications so a parent (of `INHERITS` or `PARTITION OF`) is changed
/// before its children: columns dropped from a parent leave its children, and a child
/// cannot take over a column its parent still passes down.
fn parents_first(changes: Vec<Change>) -> Vec<Change> {
    let has_parents = |c: &Change| match c {
        Change::ModifyTable { from, to, .. } => {
            edges::table_parents(from).next().is_some() || edges::table_parents(to).next().is_some()
        }
        _ => false,
    };
    if !changes.iter().any(has_parents) {
        return changes;
    }
    let mut position: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for (i, change) in changes.iter().enumerate() {
        if let Change::ModifyTable { schema, to, .. } = change {
            position.entry((schema, &to.name)).or_default().push(i);
        }
    }
    let mut deps: Vec<Vec<usize>> = vec![Vec::new(); changes.len()];
    for (i, change) in changes.iter().enumerate() {
        let Change::ModifyTable {
            schema, from, to, ..
        } = change
        else {
            continue;
        };
        for parent in edges::table_parents(from).chain(edges::table_parents(to)) {
            let key = (
                parent.schema.as_deref().unwrap_or(schema),
                parent.name.as_str(),
            );
            for &j in position.get(&key).into_iter().flatten() {
                if j != i && !deps[i].contains(&j) {
                    deps[i].push(j);
                }
            }
        }
    }
    let order = stable_topo(changes.len(), &deps, |_, _| {});
    let mut slots: Vec<Option<Change>> = changes.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

/// Kahn's algorithm over `deps` (item index → indexes it must follow), ties broken by
/// original position. When a cycle blocks progress, `break_cycle` is called with the
/// lowest blocked index and the set still blocked; it must make that item ready.
fn stable_topo(
    count: usize,
    deps: &[Vec<usize>],
    mut break_cycle: impl FnMut(usize, &BTreeSet<usize>),
) -> Vec<usize> {
    let mut remaining: Vec<usize> = deps.iter().map(|d| d.len()).collect();
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (item, item_deps) in deps.iter().enumerate() {
        for &dep in item_deps {
            dependents[dep].push(item);
        }
    }
    let mut ready: BTreeSet<usize> = (0..count).filter(|&i| remaining[i] == 0).collect();
    let mut blocked: BTreeSet<usize> = (0..count).filter(|&i| remaining[i] > 0).collect();
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        let next = match ready.pop_first() {
            Some(next) => next,
            None => {
                let Some(&stuck) = blocked.iter().next() else {
                    break;
                };
                break_cycle(stuck, &blocked);
                blocked.remove(&stuck);
                stuck
            }
        };
        blocked.remove(&next);
        out.push(next);
        for &dependent in &dependents[next] {
            if remaining[dependent] > 0 {
                remaining[dependent] -= 1;
                if remaining[dependent] == 0 && blocked.remove(&dependent) {
                    ready.insert(dependent);
                }
            }
        }
    }
    out
}

fn table_refs(table: &Table) -> impl Iterator<Item = &str> {
    table
        .foreign_keys
        .iter()
        .map(|fk| fk.ref_table.name.as_str())
        .chain(edges::table_parents(table).map(|p| p.name.as_str()))
}

/// Orders new tables so referenced ones come first. Foreign keys that close a cycle are
/// split off into `ModifyTable` changes (returned second) when `defer` is set.
fn order_added_tables(adds: Vec<Change>, defer: bool) -> (Vec<Change>, Vec<Change>) {
    let mut tables: Vec<(String, Table)> = adds
        .into_iter()
        .filter_map(|c| match c {
            Change::AddTable { schema, table } => Some((schema, table)),
            _ => None,
        })
        .collect();
    let position: HashMap<String, usize> = tables
        .iter()
        .enumerate()
        .map(|(i, (_, t))| (t.name.clone(), i))
        .collect();
    let deps: Vec<Vec<usize>> = tables
        .iter()
        .enumerate()
        .map(|(i, (_, t))| {
            let mut d: Vec<usize> = table_refs(t)
                .filter_map(|r| position.get(r).copied())
                .filter(|&j| j != i)
                .collect();
            d.sort_unstable();
            d.dedup();
            d
        })
        .collect();
    let mut cut: HashSet<usize> = HashSet::new();
    let order = stable_topo(tables.len(), &deps, |stuck, _| {
        cut.insert(stuck);
    });
    let mut emitted: HashSet<String> = HashSet::new();
    let mut deferred = Vec::new();
    let mut ordered = Vec::with_capacity(tables.len());
    for index in order {
        let (schema, mut table) =
            std::mem::replace(&mut tables[index], (String::new(), Table::new("")));
        if defer && cut.contains(&index) {
            let full = table.clone();
            let (keep, later): (Vec<_>, Vec<_>) = table.foreign_keys.into_iter().partition(|fk| {
                fk.ref_table.name == full.name
                    || emitted.contains(&fk.ref_table.name)
                    || !position.contains_key(fk.ref_table.name.as_str())
            });
            table.foreign_keys = keep;
            if !later.is_empty() {
                deferred.push(Change::ModifyTable {
                    schema: schema.clone(),
                    from: table.clone(),
                    to: full,
                    changes: later
                        .into_iter()
                        .map(|key| TableChange::AddForeignKey { key })
                        .collect(),
                });
            }
        }
        emitted.insert(table.name.clone());
        ordered.push(Change::AddTable { schema, table });
    }
    (ordered, deferred)
}

/// Orders dropped tables so referencing ones go first. Foreign keys between dropped tables
/// that form a cycle are dropped beforehand (returned second).
fn order_dropped_tables(drops: Vec<Change>) -> (Vec<Change>, Vec<Change>) {
    let tables: Vec<(String, Table)> = drops
        .into_iter()
        .filter_map(|c| match c {
            Change::DropTable { schema, table } => Some((schema, table)),
            _ => None,
        })
        .collect();
    let position: HashMap<&str, usize> = tables
        .iter()
        .enumerate()
        .map(|(i, (_, t))| (t.name.as_str(), i))
        .collect();
    // A referenced table waits for every dropped table that references it.
    let mut deps: Vec<Vec<usize>> = vec![Vec::new(); tables.len()];
    for (i, (_, t)) in tables.iter().enumerate() {
        for r in table_refs(t) {
            if let Some(&j) = position.get(r)
                && j != i
                && !deps[j].contains(&i)
            {
                deps[j].push(i);
            }
        }
    }
    let mut unlink: BTreeSet<usize> = BTreeSet::new();
    let order = stable_topo(tables.len(), &deps, |_, blocked| {
        unlink.extend(blocked.iter().copied());
    });
    let mut unlinked = Vec::new();
    for &i in &unlink {
        let (schema, table) = &tables[i];
        let cyclic: Vec<TableChange> = table
            .foreign_keys
            .iter()
            .filter(|fk| {
                position
                    .get(fk.ref_table.name.as_str())
                    .is_some_and(|j| unlink.contains(j) && *j != i)
            })
            .map(|fk| TableChange::DropForeignKey { key: fk.clone() })
            .collect();
        if !cyclic.is_empty() {
            let mut to = table.clone();
            to.foreign_keys.retain(|fk| {
                !cyclic.iter().any(
                    |c| matches!(c, TableChange::DropForeignKey { key } if key.name == fk.name),
                )
            });
            unlinked.push(Change::ModifyTable {
                schema: schema.clone(),
                from: table.clone(),
                to,
                changes: cyclic,
            });
        }
    }
    let ordered = order
        .into_iter()
        .map(|i| {
            let (schema, table) = tables[i].clone();
            Change::DropTable { schema, table }
        })
        .collect();
    (ordered, unlinked)
}

/// Orders view changes by the views they read: creation reads first, drops reversed.
fn order_views(changes: Vec<Change>, drops: bool) -> Vec<Change> {
    let views: Vec<&View> = changes
        .iter()
        .filter_map(|c| match c {
            Change::AddView { view, .. } | Change::DropView { view, .. } => Some(view),
            Change::ModifyView { to, .. } => Some(to),
            _ => None,
        })
        .collect();
    if views.len() != changes.len() {
        return changes;
    }
    let position: HashMap<String, usize> = views
        .iter()
        .enumerate()
        .map(|(i, v)| (v.name.to_lowercase(), i))
        .collect();
    let mut deps: Vec<Vec<usize>> = vec![Vec::new(); views.len()];
    for (i, view) in views.iter().enumerate() {
        for id in identifiers(&view.definition) {
            if let Some(&j) = position.get(&id)
                && j != i
            {
                if drops {
                    deps[j].push(i);
                } else {
                    deps[i].push(j);
                }
            }
        }
    }
    for d in &mut deps {
        d.sort_unstable();
        d.dedup();
    }
    let order = stable_topo(views.len(), &deps, |_, _| {});
    let mut slots: Vec<Option<Change>> = changes.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

/// Drops types in reverse dependency order: composites, then domains, enums, sequences.
fn order_type_drops(mut changes: Vec<Change>) -> Vec<Change> {
    changes.sort_by_key(|c| match c {
        Change::DropComposite { .. } => 0,
        Change::DropDomain { .. } => 1,
        Change::DropEnum { .. } => 2,
        _ => 3,
    });
    changes
}
