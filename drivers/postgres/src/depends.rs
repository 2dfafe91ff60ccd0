//! Dependencies only the catalog knows: which objects read which routines, as `pg_depend`
//! records them (see [`schema_model::RoutineUse`]). Looking for names in expressions finds
//! most of them; these edges add the rest (routines of other schemas, operators backed by
//! functions, calls the text spells differently).

use schema_diff::{DependencyGraph, EdgeKind, Node};
use schema_model::{Realm, RoutineReader};

/// Adds an edge from every catalog reader of a routine to the routine: `Blocks` for what
/// keeps results of the routine (checks, index expressions, generated columns, domain
/// checks), `Calls` for what only calls it (views, rules, triggers, policies, defaults).
pub(crate) fn routine_edges<'a>(realm: &'a Realm, graph: &mut DependencyGraph<'a>) {
    for used in &realm.routine_uses {
        let schema = used.schema.as_str();
        let owner = used.owner.as_str();
        let name = used.name.as_deref();
        let routine = Node::Routine {
            schema: &used.routine_schema,
            name: &used.routine,
        };
        let (reader, kind) = match (used.reader, name) {
            (RoutineReader::View, _) => (
                Node::View {
                    schema,
                    name: owner,
                },
                EdgeKind::Calls,
            ),
            (RoutineReader::Rule, Some(name)) => (
                Node::Rule {
                    schema,
                    on: owner,
                    name,
                },
                EdgeKind::Calls,
            ),
            (RoutineReader::Trigger, Some(name)) => (
                Node::Trigger {
                    schema,
                    on: owner,
                    name,
                },
                EdgeKind::Calls,
            ),
            (RoutineReader::Policy, Some(name)) => (
                Node::Policy {
                    schema,
                    table: owner,
                    name,
                },
                EdgeKind::Calls,
            ),
            (RoutineReader::Check, Some(name)) => (
                Node::Check {
                    schema,
                    table: owner,
                    name,
                },
                EdgeKind::Blocks,
            ),
            (RoutineReader::Index, Some(name)) => (
                Node::Index {
                    schema,
                    table: owner,
                    name,
                },
                EdgeKind::Blocks,
            ),
            (RoutineReader::Domain, _) => (
                Node::Type {
                    schema,
                    name: owner,
                },
                EdgeKind::Blocks,
            ),
            (RoutineReader::Default, Some(column)) => {
                let generated = realm
                    .schema(schema)
                    .and_then(|s| s.table(owner))
                    .and_then(|t| t.column(column))
                    .is_some_and(|c| c.generated.is_some());
                if generated {
                    (
                        Node::Generated {
                            schema,
                            table: owner,
                            column,
                        },
                        EdgeKind::Blocks,
                    )
                } else {
                    (
                        Node::Default {
                            schema,
                            table: owner,
                            column,
                        },
                        EdgeKind::Calls,
                    )
                }
            }
            _ => continue,
        };
        graph.add(reader, routine, kind);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use schema_model::{RoutineUse, Schema};

    #[test]
    fn catalog_readers_become_edges() {
        let mut realm = Realm::new(vec![Schema::new("app"), Schema::new("lib")]);
        realm.routine_uses = vec![
            RoutineUse {
                reader: RoutineReader::View,
                schema: "app".into(),
                owner: "v".into(),
                name: None,
                routine_schema: "lib".into(),
                routine: "f".into(),
            },
            RoutineUse {
                reader: RoutineReader::Index,
                schema: "app".into(),
                owner: "t".into(),
                name: Some("t_f".into()),
                routine_schema: "lib".into(),
                routine: "f".into(),
            },
        ];
        let mut graph = DependencyGraph::new();
        routine_edges(&realm, &mut graph);
        let f = Node::Routine {
            schema: "lib",
            name: "f",
        };
        let readers: Vec<(Node<'_>, EdgeKind)> =
            graph.dependents(&f).map(|(n, k)| (*n, k)).collect();
        assert!(readers.contains(&(
            Node::View {
                schema: "app",
                name: "v"
            },
            EdgeKind::Calls
        )));
        assert!(readers.contains(&(
            Node::Index {
                schema: "app",
                table: "t",
                name: "t_f"
            },
            EdgeKind::Blocks
        )));
    }
}
