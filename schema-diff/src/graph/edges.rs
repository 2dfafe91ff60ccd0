//! Where the edges of the dependency graph come from: the one place that reads
//! dependencies off the model (foreign keys, key parts, types of columns, names in view
//! definitions and expressions).
//!
//! Expressions and definitions are kept as text, so names in them are found lexically
//! ([`identifiers`]) and matched against the objects the realm has; a word that happens
//! to name an object makes a dependency too many, which only costs a recreation.

use std::collections::{HashMap, HashSet};

use schema_model::{
    ColumnType, DefaultValue, Domain, IndexTarget, QualifiedName, Realm, Routine, Rule, Schema,
    Table, View,
};

use super::{DependencyGraph, EdgeKind, Node};
use crate::diff::identifiers;

/// Which dependents to read edges for (the differ skips what it cannot recreate).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Select {
    /// Columns, keys, indexes, foreign keys, checks and policies.
    pub table_parts: bool,
    /// Views, and the triggers on tables and views.
    pub views: bool,
    /// Domains, composite types and routines.
    pub definitions: bool,
}

impl Select {
    pub const ALL: Select = Select {
        table_parts: true,
        views: true,
        definitions: true,
    };
}

/// The names a schema's expressions can mention, lower-cased, with their real spelling.
pub(crate) struct Names<'a> {
    schema: &'a str,
    tables: HashMap<String, &'a Table>,
    views: HashMap<String, &'a str>,
    routines: HashMap<String, &'a str>,
    types: HashMap<String, &'a str>,
    sequences: HashMap<String, &'a str>,
}

impl<'a> Names<'a> {
    pub(crate) fn of(schema: &'a Schema) -> Self {
        let lower = |name: &str| name.to_lowercase();
        Names {
            schema: &schema.name,
            tables: schema.tables.iter().map(|t| (lower(&t.name), t)).collect(),
            views: schema
                .views
                .iter()
                .map(|v| (lower(&v.name), v.name.as_str()))
                .collect(),
            routines: schema
                .routines
                .iter()
                .map(|r| (lower(&r.name), r.name.as_str()))
                .collect(),
            types: schema
                .enums
                .iter()
                .map(|e| e.name.as_str())
                .chain(schema.domains.iter().map(|d| d.name.as_str()))
                .chain(schema.composites.iter().map(|c| c.name.as_str()))
                .map(|n| (lower(n), n))
                .collect(),
            sequences: schema
                .sequences
                .iter()
                .map(|s| (lower(&s.name), s.name.as_str()))
                .collect(),
        }
    }

    /// Routines, types and sequences named in `ids`, each with the edge kind it gets:
    /// `calls` for routines, `Orders` for the rest.
    fn read_by<'s>(
        &'s self,
        ids: &'s HashSet<String>,
        calls: EdgeKind,
    ) -> impl Iterator<Item = (Node<'a>, EdgeKind)> + 's {
        self.definitions(ids).map(move |node| match node {
            Node::Routine { .. } => (node, calls),
            _ => (node, EdgeKind::Orders),
        })
    }

    /// Routines, types and sequences named in `ids`.
    fn definitions(&self, ids: &HashSet<String>) -> impl Iterator<Item = Node<'a>> {
        let schema = self.schema;
        ids.iter().flat_map(move |id| {
            let routine = self
                .routines
                .get(id)
                .map(|&name| Node::Routine { schema, name });
            let ty = self.types.get(id).map(|&name| Node::Type { schema, name });
            let sequence = self
                .sequences
                .get(id)
                .map(|&name| Node::Sequence { schema, name });
            routine.into_iter().chain(ty).chain(sequence)
        })
    }

    /// Tables and views named in `ids`.
    fn relations(&self, ids: &HashSet<String>) -> impl Iterator<Item = Node<'a>> {
        let schema = self.schema;
        ids.iter().flat_map(move |id| {
            let table = self.tables.get(id).map(|t| Node::Table {
                schema,
                name: t.name.as_str(),
            });
            let view = self.views.get(id).map(|&name| Node::View { schema, name });
            table.into_iter().chain(view)
        })
    }
}

/// Tables of a realm by (schema, name).
pub(crate) type Tables<'a> = HashMap<(&'a str, &'a str), &'a Table>;

/// Every table of the realm by (schema, name).
pub(crate) fn tables(realm: &Realm) -> Tables<'_> {
    realm
        .schemas
        .iter()
        .flat_map(|s| {
            s.tables
                .iter()
                .map(move |t| ((s.name.as_str(), t.name.as_str()), t))
        })
        .collect()
}

/// Adds the selected edges of every object of `realm`.
pub(crate) fn realm<'a>(realm: &'a Realm, graph: &mut DependencyGraph<'a>, select: Select) {
    let all_tables = if select.table_parts {
        tables(realm)
    } else {
        Tables::new()
    };
    for schema in &realm.schemas {
        let nothing = !select.table_parts
            && (!select.views
                || (schema.views.is_empty()
                    && schema.triggers.is_empty()
                    && schema.rules.is_empty()))
            && (!select.definitions
                || (schema.domains.is_empty()
                    && schema.composites.is_empty()
                    && schema.routines.is_empty()));
        if nothing {
            // Skips building the name maps of a schema with nothing to read edges of.
            continue;
        }
        let names = Names::of(schema);
        if select.table_parts {
            for table in &schema.tables {
                table_edges(graph, &names, &all_tables, table);
            }
        }
        if select.views {
            for view in &schema.views {
                view_edges(graph, &names, view);
            }
            for trigger in &schema.triggers {
                let node = Node::Trigger {
                    schema: &schema.name,
                    on: &trigger.on,
                    name: &trigger.name,
                };
                let host = match names.views.get(&trigger.on.to_lowercase()) {
                    Some(_) => Node::View {
                        schema: &schema.name,
                        name: &trigger.on,
                    },
                    None => Node::Table {
                        schema: &schema.name,
                        name: &trigger.on,
                    },
                };
                graph.add(node, host, EdgeKind::Hosted);
                for (dep, kind) in names.read_by(&identifiers(&trigger.definition), EdgeKind::Calls)
                {
                    graph.add(node, dep, kind);
                }
            }
            for rule in &schema.rules {
                rule_edges(graph, &names, rule);
            }
        }
        if select.definitions {
            for domain in &schema.domains {
                domain_edges(graph, &names, domain);
            }
            for composite in &schema.composites {
                let node = Node::Type {
                    schema: &schema.name,
                    name: &composite.name,
                };
                for field in &composite.fields {
                    if let Some(dep) = type_node(&field.ty, &schema.name) {
                        graph.add(node, dep, EdgeKind::Orders);
                    }
                }
            }
            for routine in &schema.routines {
                routine_edges(graph, &names, routine);
            }
        }
    }
}

/// The named types a column type uses (through arrays too).
pub(crate) fn type_node<'a>(ty: &'a ColumnType, schema: &'a str) -> Option<Node<'a>> {
    let named = |q: &'a QualifiedName| Node::Type {
        schema: q.schema.as_deref().unwrap_or(schema),
        name: &q.name,
    };
    match ty {
        ColumnType::Enum { name: Some(q), .. } | ColumnType::UserDefined { name: q } => {
            Some(named(q))
        }
        ColumnType::Array { element, .. } => type_node(element, schema),
        _ => None,
    }
}

fn expr_ids(expr: &str) -> HashSet<String> {
    identifiers(expr)
}

/// Columns of `table` named in `ids`.
fn columns_named<'a: 'i, 'i>(
    table: &'a Table,
    ids: &'i HashSet<String>,
) -> impl Iterator<Item = &'a str> + 'i {
    table
        .columns
        .iter()
        .filter(move |c| ids.contains(&c.name.to_lowercase()))
        .map(|c| c.name.as_str())
}

/// Edges of a table and its parts.
pub(crate) fn table_edges<'a>(
    graph: &mut DependencyGraph<'a>,
    names: &Names<'a>,
    all_tables: &Tables<'a>,
    table: &'a Table,
) {
    let schema = names.schema;
    let t = table.name.as_str();
    let column = |name: &'a str| Node::Column {
        schema,
        table: t,
        name,
    };
    let this = Node::Table { schema, name: t };

    for parent in table_parents(table) {
        let parent_schema = parent.schema.as_deref().unwrap_or(schema);
        graph.add(
            this,
            Node::Table {
                schema: parent_schema,
                name: &parent.name,
            },
            EdgeKind::Inherits,
        );
        if let Some(p) = all_tables.get(&(parent_schema, parent.name.as_str())) {
            for c in &table.columns {
                if p.column(&c.name).is_some() {
                    graph.add(
                        column(&c.name),
                        Node::Column {
                            schema: parent_schema,
                            table: &p.name,
                            name: &c.name,
                        },
                        EdgeKind::Inherits,
                    );
                }
            }
        }
    }

    for c in &table.columns {
        let node = column(&c.name);
        if let Some(ty) = type_node(&c.ty, schema) {
            graph.add(node, ty, EdgeKind::Converted);
        }
        // The expression is a node of its own for the routines it calls: a default is
        // dropped and set again around a routine's drop, a generated column is dropped
        // and added again (its stored values follow the routine's new body).
        let expression = match (&c.default, &c.generated) {
            (_, Some(g)) => Some((
                g.expr.as_str(),
                Node::Generated {
                    schema,
                    table: t,
                    column: &c.name,
                },
                EdgeKind::Blocks,
            )),
            (Some(DefaultValue::Expr(e)), None) => Some((
                e.as_str(),
                Node::Default {
                    schema,
                    table: t,
                    column: &c.name,
                },
                EdgeKind::Calls,
            )),
            _ => None,
        };
        if let Some((expr, reader, calls)) = expression {
            let ids = expr_ids(expr);
            for dep in names.definitions(&ids) {
                graph.add(node, dep, EdgeKind::Orders);
                if matches!(dep, Node::Routine { .. }) {
                    graph.add(reader, dep, calls);
                }
            }
        }
        if let Some(generated) = &c.generated {
            let ids = expr_ids(&generated.expr);
            for other in columns_named(table, &ids) {
                graph.add(node, column(other), EdgeKind::Rebuilt);
            }
        }
    }

    if let Some(key) = &table.primary_key {
        let node = Node::PrimaryKey { schema, table: t };
        for c in key
            .column_names()
            .chain(key.include.iter().map(String::as_str))
        {
            graph.add(node, column(c), EdgeKind::Rebuilt);
        }
    }

    for index in &table.indexes {
        let node = Node::Index {
            schema,
            table: t,
            name: &index.name,
        };
        for c in index
            .column_names()
            .chain(index.include.iter().map(String::as_str))
        {
            graph.add(node, column(c), EdgeKind::Rebuilt);
        }
        let exprs = index
            .parts
            .iter()
            .filter_map(|p| match &p.target {
                IndexTarget::Expr(e) => Some(e.as_str()),
                IndexTarget::Column(_) => None,
            })
            .chain(index.predicate.as_deref());
        for expr in exprs {
            let ids = expr_ids(expr);
            for c in columns_named(table, &ids) {
                graph.add(node, column(c), EdgeKind::Rebuilt);
            }
            for (dep, kind) in names.read_by(&ids, EdgeKind::Blocks) {
                graph.add(node, dep, kind);
            }
        }
    }

    for fk in &table.foreign_keys {
        let node = Node::ForeignKey {
            schema,
            table: t,
            name: &fk.name,
        };
        for c in &fk.columns {
            graph.add(node, column(c), EdgeKind::Blocks);
        }
        let ref_schema = fk.ref_table.schema.as_deref().unwrap_or(schema);
        let Some(target) = all_tables.get(&(ref_schema, fk.ref_table.name.as_str())) else {
            continue;
        };
        let ref_table = target.name.as_str();
        graph.add(
            node,
            Node::Table {
                schema: ref_schema,
                name: ref_table,
            },
            EdgeKind::Orders,
        );
        for c in &fk.ref_columns {
            if let Some(col) = target.column(c) {
                graph.add(
                    node,
                    Node::Column {
                        schema: ref_schema,
                        table: ref_table,
                        name: &col.name,
                    },
                    EdgeKind::Blocks,
                );
            }
        }
        // The key the reference is checked through: the primary key or a unique index
        // over the same columns, or (MySQL) any index that starts with them.
        let wanted: HashSet<&str> = fk.ref_columns.iter().map(String::as_str).collect();
        if let Some(key) = &target.primary_key
            && key.column_names().collect::<HashSet<_>>() == wanted
        {
            graph.add(
                node,
                Node::PrimaryKey {
                    schema: ref_schema,
                    table: ref_table,
                },
                EdgeKind::Blocks,
            );
        }
        for index in &target.indexes {
            let columns: Vec<&str> = index.column_names().collect();
            let leading: HashSet<&str> = columns.iter().take(wanted.len()).copied().collect();
            if columns.len() >= wanted.len() && leading == wanted {
                graph.add(
                    node,
                    Node::Index {
                        schema: ref_schema,
                        table: ref_table,
                        name: &index.name,
                    },
                    EdgeKind::Blocks,
                );
            }
        }
    }

    for check in &table.checks {
        let node = Node::Check {
            schema,
            table: t,
            name: check.name.as_deref().unwrap_or(&check.expr),
        };
        let ids = expr_ids(&check.expr);
        for c in columns_named(table, &ids) {
            graph.add(node, column(c), EdgeKind::Rebuilt);
        }
        for (dep, kind) in names.read_by(&ids, EdgeKind::Blocks) {
            graph.add(node, dep, kind);
        }
    }

    for policy in &table.policies {
        let node = Node::Policy {
            schema,
            table: t,
            name: &policy.name,
        };
        for expr in policy.using.iter().chain(&policy.with_check) {
            let ids = expr_ids(expr);
            for c in columns_named(table, &ids) {
                graph.add(node, column(c), EdgeKind::Blocks);
            }
            for dep in names.relations(&ids) {
                graph.add(node, dep, EdgeKind::Blocks);
            }
            for (dep, kind) in names.read_by(&ids, EdgeKind::Calls) {
                graph.add(node, dep, kind);
            }
        }
    }
}

/// The tables `table` inherits from or is a partition of.
pub(crate) fn table_parents(table: &Table) -> impl Iterator<Item = &QualifiedName> {
    table
        .postgres
        .inherits
        .iter()
        .chain(table.postgres.partition_of.iter().map(|(p, _)| p))
}

/// Edges of a view: the tables, views, routines and types its definition names.
pub(crate) fn view_edges<'a>(graph: &mut DependencyGraph<'a>, names: &Names<'a>, view: &'a View) {
    let node = Node::View {
        schema: names.schema,
        name: &view.name,
    };
    let ids = identifiers(&view.definition);
    for dep in names.relations(&ids) {
        graph.add(node, dep, EdgeKind::Blocks);
    }
    for dep in names.definitions(&ids) {
        let kind = match dep {
            // A view that casts to a type keeps the old type alive through a recreation.
            Node::Type { .. } => EdgeKind::Blocks,
            Node::Routine { .. } => EdgeKind::Calls,
            _ => EdgeKind::Orders,
        };
        graph.add(node, dep, kind);
    }
}

/// Edges of a rule: its table or view, and what its condition and actions read (the
/// database refuses to retype a column a rule reads, as for views).
pub(crate) fn rule_edges<'a>(graph: &mut DependencyGraph<'a>, names: &Names<'a>, rule: &'a Rule) {
    let schema = names.schema;
    let node = Node::Rule {
        schema,
        on: &rule.on,
        name: &rule.name,
    };
    let host = match names.views.get(&rule.on.to_lowercase()) {
        Some(_) => Node::View {
            schema,
            name: &rule.on,
        },
        None => Node::Table {
            schema,
            name: &rule.on,
        },
    };
    graph.add(node, host, EdgeKind::Hosted);
    let ids = identifiers(&rule.definition);
    for dep in names.relations(&ids) {
        graph.add(node, dep, EdgeKind::Blocks);
    }
    for dep in names.definitions(&ids) {
        let kind = match dep {
            Node::Type { .. } => EdgeKind::Blocks,
            Node::Routine { .. } => EdgeKind::Calls,
            _ => EdgeKind::Orders,
        };
        graph.add(node, dep, kind);
    }
}

/// Edges of a domain: its base type and the routines its checks and default call.
pub(crate) fn domain_edges<'a>(
    graph: &mut DependencyGraph<'a>,
    names: &Names<'a>,
    domain: &'a Domain,
) {
    let node = Node::Type {
        schema: names.schema,
        name: &domain.name,
    };
    if let Some(ty) = type_node(&domain.ty, names.schema) {
        graph.add(node, ty, EdgeKind::Orders);
    }
    let exprs = domain
        .checks
        .iter()
        .map(|c| c.expr.as_str())
        .chain(domain.default.iter().map(DefaultValue::sql));
    // A routine a check calls keeps its results in the data the check admitted: the
    // check is dropped and added again (revalidating) around a change of the routine.
    for expr in exprs {
        for (dep, kind) in names.read_by(&expr_ids(expr), EdgeKind::Blocks) {
            graph.add(node, dep, kind);
        }
    }
}

/// Edges of a routine: the types, routines and tables its definition names.
pub(crate) fn routine_edges<'a>(
    graph: &mut DependencyGraph<'a>,
    names: &Names<'a>,
    routine: &'a Routine,
) {
    let node = Node::Routine {
        schema: names.schema,
        name: &routine.name,
    };
    let ids = identifiers(&routine.definition);
    for dep in names.definitions(&ids).chain(names.relations(&ids)) {
        graph.add(node, dep, EdgeKind::Orders);
    }
}
