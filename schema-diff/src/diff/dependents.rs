//! Dropping and recreating dependents around a change.
//!
//! The changes disturb some objects of the current realm (a key dropped, a column
//! retyped, an enum, domain or composite type recreated, a view replaced, a routine
//! replaced or dropped). Through the [`DependencyGraph`] of the current realm, whatever
//! reads a disturbed object in a way the database would refuse (or silently lose) is
//! recreated: views, triggers and rules as their own changes, domain checks as domain
//! modifications ([`super::domains`]), and foreign keys, indexes, checks, policies,
//! defaults and generated columns as table changes split off into a drop that runs before
//! everything else and an add that runs after the tables changed ([`super::parts`]).

use std::collections::{HashMap, HashSet};

use schema_model::{Realm, View};

use super::parts::{Part, split_table_parts};

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
            // A domain whose base type or collation changes is created again and its
            // columns converted, like a recreated enum.
            Change::ModifyDomain { schema, from, to }
                if from.ty != to.ty || from.collation != to.collation =>
            {
                out.push((
                    Node::Type {
                        schema,
                        name: &from.name,
                    },
                    Cause::Recreate,
                ))
            }
            // Attributes dropped or changed: views read the attributes, and columns of the
            // type are converted into a new one when attributes change type.
            Change::ModifyComposite { schema, from, to }
                if from.fields.iter().any(|f| to.fields.iter().all(|t| t != f)) =>
            {
                out.push((
                    Node::Type {
                        schema,
                        name: &from.name,
                    },
                    Cause::Recreate,
                ))
            }
            Change::DropRoutine { schema, routine } => out.push((
                Node::Routine {
                    schema,
                    name: &routine.name,
                },
                Cause::Recreate,
            )),
            // `CREATE OR REPLACE` keeps what calls the routine, but not what keeps results
            // of the old body (index keys, checked rows, generated values); a new result
            // type or kind needs a drop, which the database refuses while anything calls it.
            Change::ModifyRoutine { schema, from, to } if from.definition != to.definition => {
                let cause = if from.returns != to.returns || from.kind != to.kind {
                    Cause::Recreate
                } else {
                    Cause::Reshape
                };
                out.push((
                    Node::Routine {
                        schema,
                        name: &from.name,
                    },
                    cause,
                ))
            }
            _ => {}
        }
    }
    out
}

/// Whether the differ can recreate an object of this kind.
fn recreatable(node: &Node<'_>, capabilities: &Capabilities<'_>) -> bool {
    match node {
        // A type is reached as a dependent only through a domain's checks and default,
        // which are dropped and added again (the domain itself stays).
        Node::View { .. } | Node::Trigger { .. } | Node::Rule { .. } | Node::Type { .. } => true,
        Node::ForeignKey { .. }
        | Node::Index { .. }
        | Node::Check { .. }
        | Node::Policy { .. }
        | Node::Default { .. }
        | Node::Generated { .. } => capabilities.table_parts,
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
                EdgeKind::Calls => cause == Cause::Recreate,
                EdgeKind::Orders => false,
            };
            if recreate && recreatable(dependent, capabilities) {
                recreated.insert(*dependent);
                match *dependent {
                    // Dropping a default or a domain's checks disturbs nothing else.
                    Node::Default { .. } | Node::Type { .. } => {}
                    // The column is dropped and added again: what reads it goes too, and
                    // the indexes and checks on it (converted, in the differ's terms) are
                    // recreated with it. The stack pops the conversion first.
                    Node::Generated {
                        schema,
                        table,
                        column,
                    } => {
                        let column = Node::Column {
                            schema,
                            table,
                            name: column,
                        };
                        queue.push((column, Cause::Reshape));
                        queue.push((column, Cause::Convert));
                    }
                    _ => queue.push((*dependent, Cause::Recreate)),
                }
            }
        }
    }
    recreated
}

pub(super) type TableKey = (String, String);

/// Replaces view modifications by drop + create, and recreates whatever reads an object
/// the changes disturb: see the module documentation.
pub(crate) fn recreate_dependents(
    changes: Vec<Change>,
    from: &Realm,
    to: &Realm,
    capabilities: &Capabilities<'_>,
) -> Recreated {
    // Definitions too: domains' checks are recreated around a change of the routines
    // they call.
    let select = Select {
        table_parts: capabilities.table_parts,
        views: true,
        definitions: true,
    };
    let mut recreated_rules: HashSet<(String, String, String)> = HashSet::new();
    let mut recreated_domains: HashSet<TableKey> = HashSet::new();
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
                Node::Rule { schema, on, name } => {
                    recreated_rules.insert((schema.to_owned(), on.to_owned(), name.to_owned()));
                }
                Node::Type { schema, name } => {
                    recreated_domains.insert((schema.to_owned(), name.to_owned()));
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
    let changes = super::inherited::follow_parents(changes, from, to);
    let gone = gone_hosts(&changes, &recreated_views, &rebuilt);
    let changes = recreate_views(changes, from, to, &recreated_views);
    let changes = recreate_triggers(changes, from, to, &recreated_triggers, &gone);
    let changes = super::rules::recreate_rules(changes, from, to, &recreated_rules);
    let (changes, early_domains, late_domains) =
        super::domains::recreate_domain_checks(changes, from, to, &recreated_domains);
    let mut recreated = split_table_parts(changes, from, to, parts);
    recreated.early.splice(0..0, early_domains);
    recreated.late.extend(late_domains);
    recreated
}

/// Tables and views that the changes drop or recreate as a whole (what lives on them goes
/// with them): dropped tables, tables the dialect rebuilds, dropped and recreated views.
fn gone_hosts(
    changes: &[Change],
    recreated_views: &HashSet<TableKey>,
    rebuilt: &HashSet<TableKey>,
) -> HashSet<TableKey> {
    let mut gone: HashSet<TableKey> = recreated_views.union(rebuilt).cloned().collect();
    for change in changes {
        match change {
            Change::DropTable { schema, table } => {
                gone.insert((schema.clone(), table.name.clone()));
            }
            Change::DropView { schema, view } => {
                gone.insert((schema.clone(), view.name.clone()));
            }
            Change::ModifyView { schema, from, to } if !comment_only(from, to) => {
                gone.insert((schema.clone(), from.name.clone()));
            }
            _ => {}
        }
    }
    gone
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
/// not copy a stale one). Triggers recreated on a host that stays (around a routine they
/// execute) are dropped first.
fn recreate_triggers(
    changes: Vec<Change>,
    from: &Realm,
    to: &Realm,
    recreated: &HashSet<(String, String, String)>,
    gone: &HashSet<TableKey>,
) -> Vec<Change> {
    if recreated.is_empty() {
        return changes;
    }
    let mut readded: HashSet<(String, String, String)> = HashSet::new();
    let mut dropped: HashSet<(String, String, String)> = HashSet::new();
    let mut out = Vec::with_capacity(changes.len());
    for change in changes {
        match change {
            Change::ModifyTrigger { schema, from, to }
                if recreated.contains(&(schema.clone(), from.on.clone(), from.name.clone())) =>
            {
                let id = (schema.clone(), from.on.clone(), from.name.clone());
                readded.insert(id.clone());
                dropped.insert(id);
                out.push(Change::DropTrigger {
                    schema: schema.clone(),
                    trigger: from,
                });
                out.push(Change::AddTrigger {
                    schema,
                    trigger: to,
                });
            }
            Change::DropTrigger { schema, trigger } => {
                dropped.insert((schema.clone(), trigger.on.clone(), trigger.name.clone()));
                out.push(Change::DropTrigger { schema, trigger });
            }
            other => out.push(other),
        }
    }
    for schema in &from.schemas {
        for trigger in &schema.triggers {
            let id = (
                schema.name.clone(),
                trigger.on.clone(),
                trigger.name.clone(),
            );
            if recreated.contains(&id)
                && !dropped.contains(&id)
                && !gone.contains(&(schema.name.clone(), trigger.on.clone()))
            {
                out.push(Change::DropTrigger {
                    schema: schema.name.clone(),
                    trigger: trigger.clone(),
                });
            }
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
