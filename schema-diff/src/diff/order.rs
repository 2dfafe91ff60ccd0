//! Putting changes in an order that applies cleanly.
//!
//! Changes are grouped in phases (schemas and types first, drops of dependents before what
//! they depend on, views and triggers last); inside a phase, tables are ordered by their
//! foreign keys and views by the views they read, with ties kept in declaration order.

use std::collections::{BTreeSet, HashMap, HashSet};

use schema_model::{Realm, Table, View};

use super::identifiers;
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
    DropTables,
    DropRoutines,
    DropTypes,
    Views,
    Triggers,
    DropSchemas,
    DropExtensions,
}

const PHASES: usize = Phase::DropExtensions as usize + 1;

type Key = (String, String);

fn key(schema: &str, name: &str) -> Key {
    (schema.to_owned(), name.to_owned())
}

pub(super) fn order(
    changes: Vec<Change>,
    from: &Realm,
    to: &Realm,
    options: &DiffOptions,
    rebuilds: &dyn Fn(&Change) -> bool,
) -> Vec<Change> {
    let changes = recreate_dependents(changes, from, to, rebuilds);
    let changes = hoist_foreign_key_drops(changes);

    let added_tables: HashSet<String> = changes
        .iter()
        .filter_map(|c| match c {
            Change::AddTable { table, .. } => Some(table.name.to_lowercase()),
            _ => None,
        })
        .collect();

    let mut phases: Vec<Vec<Change>> = (0..PHASES).map(|_| Vec::new()).collect();
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
    phases[Phase::ModifyTables as usize] = deferred.into_iter().chain(modifications).collect();

    let drop_tables = std::mem::take(&mut phases[Phase::DropTables as usize]);
    let (drop_tables, unlinked) = order_dropped_tables(drop_tables);
    phases[Phase::DropTables as usize] = drop_tables;
    phases[Phase::DropForeignKeys as usize].extend(unlinked);

    let views = std::mem::take(&mut phases[Phase::Views as usize]);
    phases[Phase::Views as usize] = order_views(views, false);
    let drop_views = std::mem::take(&mut phases[Phase::DropViews as usize]);
    phases[Phase::DropViews as usize] = order_views(drop_views, true);

    let types = std::mem::take(&mut phases[Phase::DropTypes as usize]);
    phases[Phase::DropTypes as usize] = order_type_drops(types);

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
        DropTrigger { .. } => Phase::DropTriggers,
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
        AddTrigger { .. } | ModifyTrigger { .. } => Phase::Triggers,
        DropSchema { .. } => Phase::DropSchemas,
        DropExtension { .. } => Phase::DropExtensions,
    }
}

/// Whether a view change only touches what can be altered in place (its comment).
fn comment_only(from: &View, to: &View) -> bool {
    View {
        comment: to.comment.clone(),
        ..from.clone()
    } == *to
}

/// Replaces view modifications by drop + create, and adds the same for views and
/// triggers that depend on something recreated (a view, a table whose columns change, a
/// table the dialect rebuilds).
fn recreate_dependents(
    changes: Vec<Change>,
    from: &Realm,
    to: &Realm,
    rebuilds: &dyn Fn(&Change) -> bool,
) -> Vec<Change> {
    // Names (lower case) of tables whose columns change shape or that are rebuilt.
    let mut reshaped: HashSet<String> = HashSet::new();
    let mut rebuilt: HashSet<Key> = HashSet::new();
    let mut recreated_views: HashSet<Key> = HashSet::new();
    for change in &changes {
        match change {
            Change::ModifyTable {
                schema,
                to: table,
                changes: table_changes,
                ..
            } => {
                let rebuild = rebuilds(change);
                if rebuild {
                    rebuilt.insert(key(schema, &table.name));
                }
                if rebuild
                    || table_changes.iter().any(|c| match c {
                        TableChange::DropColumn { .. } | TableChange::RenameColumn { .. } => true,
                        TableChange::ModifyColumn { changes, .. } => {
                            changes.ty || changes.generated || changes.collation
                        }
                        _ => false,
                    })
                {
                    reshaped.insert(table.name.to_lowercase());
                }
            }
            Change::ModifyView {
                schema, from, to, ..
            } if !comment_only(from, to) => {
                recreated_views.insert(key(schema, &to.name));
            }
            Change::DropView { schema, view } => {
                recreated_views.insert(key(schema, &view.name));
            }
            // A view kept by name may read a table that goes away (e.g. replaced by a
            // view of the same name): it must be dropped before the table and recreated.
            Change::DropTable { table, .. } => {
                reshaped.insert(table.name.to_lowercase());
            }
            _ => {}
        }
    }
    let dropped_views: HashSet<Key> = changes
        .iter()
        .filter_map(|c| match c {
            Change::DropView { schema, view } => Some(key(schema, &view.name)),
            _ => None,
        })
        .collect();

    // Views present on both sides that read a reshaped table or a recreated view are
    // recreated too, transitively.
    let kept_views: Vec<(Key, &View, HashSet<String>)> = from
        .schemas
        .iter()
        .flat_map(|s| s.views.iter().map(move |v| (s, v)))
        .filter(|(s, v)| to.schema(&s.name).and_then(|t| t.view(&v.name)).is_some())
        .map(|(s, v)| (key(&s.name, &v.name), v, identifiers(&v.definition)))
        .collect();
    loop {
        let recreated_names: HashSet<String> = recreated_views
            .iter()
            .map(|(_, n)| n.to_lowercase())
            .collect();
        let mut grew = false;
        for (view_key, _, ids) in &kept_views {
            if !recreated_views.contains(view_key)
                && ids
                    .iter()
                    .any(|id| reshaped.contains(id) || recreated_names.contains(id))
            {
                recreated_views.insert(view_key.clone());
                grew = true;
            }
        }
        if !grew {
            break;
        }
    }

    let mut out = Vec::with_capacity(changes.len());
    let mut handled_views: HashSet<Key> = HashSet::new();
    for change in changes {
        match change {
            Change::ModifyView { schema, from, to } if !comment_only(&from, &to) => {
                handled_views.insert(key(&schema, &to.name));
                out.push(Change::DropView {
                    schema: schema.clone(),
                    view: from,
                });
                out.push(Change::AddView { schema, view: to });
            }
            other => out.push(other),
        }
    }
    for (view_key, view, _) in &kept_views {
        if recreated_views.contains(view_key)
            && !handled_views.contains(view_key)
            && !dropped_views.contains(view_key)
            && let Some(target) = to.schema(&view_key.0).and_then(|s| s.view(&view_key.1))
        {
            // A comment-only ModifyView of a view we now recreate is subsumed.
            out.retain(|c| !matches!(c, Change::ModifyView { schema, to, .. } if key(schema, &to.name) == *view_key));
            out.push(Change::DropView {
                schema: view_key.0.clone(),
                view: (*view).clone(),
            });
            out.push(Change::AddView {
                schema: view_key.0.clone(),
                view: target.clone(),
            });
        }
    }

    // Triggers on recreated views and rebuilt tables disappear with them: create them
    // again, and drop nothing that is already gone.
    let hosts: HashSet<Key> = recreated_views.union(&rebuilt).cloned().collect();
    if hosts.is_empty() {
        return out;
    }
    let mut readded: HashSet<(String, String, String)> = HashSet::new();
    let mut result = Vec::with_capacity(out.len());
    for change in out {
        match change {
            Change::ModifyTrigger { schema, from, to } if hosts.contains(&key(&schema, &to.on)) => {
                readded.insert((schema.clone(), to.on.clone(), to.name.clone()));
                if rebuilt.contains(&key(&schema, &to.on)) {
                    // A rebuilt table keeps its triggers until the rebuild drops the old
                    // table; dropping first keeps the rebuild from copying a stale one.
                    result.push(Change::DropTrigger {
                        schema: schema.clone(),
                        trigger: from,
                    });
                }
                result.push(Change::AddTrigger {
                    schema,
                    trigger: to,
                });
            }
            other => result.push(other),
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
            if hosts.contains(&key(&schema.name, &trigger.on))
                && !readded.contains(&id)
                && let Some(wanted) = target
                    .triggers
                    .iter()
                    .find(|t| t.on == trigger.on && t.name == trigger.name)
            {
                result.push(Change::AddTrigger {
                    schema: schema.name.clone(),
                    trigger: wanted.clone(),
                });
            }
        }
    }
    result
}

/// Moves foreign-key drops that must happen before other tables change (their target is
/// dropped, or loses the key they point at) into changes of their own.
fn hoist_foreign_key_drops(changes: Vec<Change>) -> Vec<Change> {
    let mut unstable: HashSet<String> = HashSet::new();
    for change in &changes {
        match change {
            Change::DropTable { table, .. } => {
                unstable.insert(table.name.clone());
            }
            Change::ModifyTable { to, changes, .. }
                if changes.iter().any(|c| {
                    matches!(
                        c,
                        TableChange::DropPrimaryKey { .. }
                            | TableChange::ModifyPrimaryKey { .. }
                            | TableChange::DropIndex { .. }
                            | TableChange::ModifyIndex { .. }
                            | TableChange::DropColumn { .. }
                            | TableChange::ModifyColumn { .. }
                    )
                }) =>
            {
                unstable.insert(to.name.clone());
            }
            _ => {}
        }
    }
    let mut hoisted = Vec::new();
    let mut rest = Vec::with_capacity(changes.len());
    for change in changes {
        match change {
            Change::ModifyTable {
                schema,
                from,
                to,
                changes,
            } if changes.len() > 1
                && changes.iter().any(|c| matches!(c, TableChange::DropForeignKey { key } if unstable.contains(&key.ref_table.name))) =>
            {
                let (early, late): (Vec<_>, Vec<_>) = changes.into_iter().partition(
                    |c| matches!(c, TableChange::DropForeignKey { key } if unstable.contains(&key.ref_table.name)),
                );
                let mut middle = from.clone();
                middle.foreign_keys.retain(|fk| {
                    !early
                        .iter()
                        .any(|c| matches!(c, TableChange::DropForeignKey { key } if key.name == fk.name))
                });
                hoisted.push(Change::ModifyTable {
                    schema: schema.clone(),
                    from,
                    to: middle.clone(),
                    changes: early,
                });
                rest.push(Change::ModifyTable {
                    schema,
                    from: middle,
                    to,
                    changes: late,
                });
            }
            other => rest.push(other),
        }
    }
    hoisted.extend(rest);
    hoisted
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
        .chain(
            table
                .postgres
                .partition_of
                .iter()
                .map(|(p, _)| p.name.as_str()),
        )
        .chain(table.postgres.inherits.iter().map(|p| p.name.as_str()))
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
