//! The dependency graph: which objects of a realm read which.
//!
//! One graph serves both jobs the differ has with dependencies: putting creations after
//! what they read (and drops before), and finding what must be dropped and recreated
//! around a change the database refuses to make while something still reads the changed
//! object (a key referenced by foreign keys, a column read by a view or policy, an enum
//! whose columns are converted). The edges are computed from the model in one place,
//! [`edges`]; a [`crate::Dialect`] adds what only its catalog knows through
//! [`crate::Dialect::dependencies`].
//!
//! ```
//! use schema_diff::{DependencyGraph, EdgeKind, Node};
//! use schema_model::*;
//!
//! let mut users = Table::new("users")
//!     .with_column(Column::new("id", ColumnType::int(IntWidth::Int)).not_null());
//! users.primary_key = Some(PrimaryKey::on_columns(&["id"]));
//! let mut posts = Table::new("posts")
//!     .with_column(Column::new("author", ColumnType::int(IntWidth::Int)));
//! posts.foreign_keys.push(ForeignKey {
//!     name: "posts_author_fkey".into(),
//!     columns: vec!["author".into()],
//!     ref_table: QualifiedName::bare("users"),
//!     ref_columns: vec!["id".into()],
//!     on_update: ReferentialAction::NoAction,
//!     on_delete: ReferentialAction::Cascade,
//!     deferrable: Deferrable::Not,
//!     match_full: false,
//! });
//! let realm = Realm::new(vec![Schema::new("app").with_table(users).with_table(posts)]);
//!
//! let graph = DependencyGraph::of(&realm);
//! let key = Node::PrimaryKey { schema: "app", table: "users" };
//! let fk = Node::ForeignKey { schema: "app", table: "posts", name: "posts_author_fkey" };
//! assert!(graph.dependents(&key).any(|(n, kind)| *n == fk && kind == EdgeKind::Blocks));
//! ```

pub(crate) mod edges;

use std::collections::HashMap;

use schema_model::Realm;

/// An object of a realm, by name. Parts of tables (columns, keys, indexes, constraints,
/// policies) carry their table's name; checks without a name are known by their expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Node<'a> {
    /// A table.
    Table {
        /// Schema name.
        schema: &'a str,
        /// Table name.
        name: &'a str,
    },
    /// A column of a table.
    Column {
        /// Schema name.
        schema: &'a str,
        /// Table name.
        table: &'a str,
        /// Column name.
        name: &'a str,
    },
    /// A table's primary key.
    PrimaryKey {
        /// Schema name.
        schema: &'a str,
        /// Table name.
        table: &'a str,
    },
    /// An index or unique constraint.
    Index {
        /// Schema name.
        schema: &'a str,
        /// Table name.
        table: &'a str,
        /// Index name.
        name: &'a str,
    },
    /// A foreign key.
    ForeignKey {
        /// Schema name.
        schema: &'a str,
        /// Referencing table.
        table: &'a str,
        /// Constraint name.
        name: &'a str,
    },
    /// A check constraint (by name, or by expression when it has none).
    Check {
        /// Schema name.
        schema: &'a str,
        /// Table name.
        table: &'a str,
        /// Constraint name or expression.
        name: &'a str,
    },
    /// A row-level-security policy.
    Policy {
        /// Schema name.
        schema: &'a str,
        /// Table name.
        table: &'a str,
        /// Policy name.
        name: &'a str,
    },
    /// A view or materialized view.
    View {
        /// Schema name.
        schema: &'a str,
        /// View name.
        name: &'a str,
    },
    /// A trigger on a table or view.
    Trigger {
        /// Schema name.
        schema: &'a str,
        /// The table or view it fires on.
        on: &'a str,
        /// Trigger name.
        name: &'a str,
    },
    /// A rewrite rule on a table or view.
    Rule {
        /// Schema name.
        schema: &'a str,
        /// The table or view it is attached to.
        on: &'a str,
        /// Rule name.
        name: &'a str,
    },
    /// A column's default expression (what reads a routine in it, apart from the column).
    Default {
        /// Schema name.
        schema: &'a str,
        /// Table name.
        table: &'a str,
        /// Column name.
        column: &'a str,
    },
    /// A generated column's expression: recreating it means dropping and adding the
    /// column, which disturbs what reads the column.
    Generated {
        /// Schema name.
        schema: &'a str,
        /// Table name.
        table: &'a str,
        /// Column name.
        column: &'a str,
    },
    /// A function or procedure (all overloads of a name).
    Routine {
        /// Schema name.
        schema: &'a str,
        /// Routine name.
        name: &'a str,
    },
    /// An enum, domain or composite type.
    Type {
        /// Schema name.
        schema: &'a str,
        /// Type name.
        name: &'a str,
    },
    /// A standalone sequence.
    Sequence {
        /// Schema name.
        schema: &'a str,
        /// Sequence name.
        name: &'a str,
    },
}

impl<'a> Node<'a> {
    /// The schema the object lives in.
    pub fn schema(&self) -> &'a str {
        match *self {
            Node::Table { schema, .. }
            | Node::Column { schema, .. }
            | Node::PrimaryKey { schema, .. }
            | Node::Index { schema, .. }
            | Node::ForeignKey { schema, .. }
            | Node::Check { schema, .. }
            | Node::Policy { schema, .. }
            | Node::View { schema, .. }
            | Node::Trigger { schema, .. }
            | Node::Rule { schema, .. }
            | Node::Default { schema, .. }
            | Node::Generated { schema, .. }
            | Node::Routine { schema, .. }
            | Node::Type { schema, .. }
            | Node::Sequence { schema, .. } => schema,
        }
    }

    /// The table a table part belongs to (`None` for objects that are not table parts).
    pub fn table(&self) -> Option<&'a str> {
        match *self {
            Node::Column { table, .. }
            | Node::PrimaryKey { table, .. }
            | Node::Index { table, .. }
            | Node::ForeignKey { table, .. }
            | Node::Check { table, .. }
            | Node::Policy { table, .. }
            | Node::Default { table, .. }
            | Node::Generated { table, .. } => Some(table),
            _ => None,
        }
    }
}

/// What a dependency means for the dependent when the object it reads changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EdgeKind {
    /// The database refuses to change or drop the dependency while the dependent exists
    /// (a foreign key on the key and columns it references, a view, rule or policy on what
    /// it reads), or the dependent keeps results the dependency computed (a check, index
    /// expression, generated column or domain check calling a routine, which a new body
    /// could compute differently): the dependent is dropped before and recreated after.
    Blocks,
    /// The database rebuilds the dependent itself when the dependency's type changes in
    /// place (an index or check on a column), but not when the column's values are
    /// converted into a recreated type, whose old name the stored definition still spells.
    Rebuilt,
    /// The dependent (a column) holds values of the dependency (a type): recreating the
    /// type converts the column, which disturbs what reads the column.
    Converted,
    /// The dependent follows the dependency (a child table's column, its parent's column):
    /// a change of the parent's column is a change of the child's.
    Inherits,
    /// The dependent lives on the dependency (a trigger on its table or view): it goes away
    /// with the dependency and comes back only when created again.
    Hosted,
    /// The dependent calls the dependency (a view, rule, trigger, policy or default calls a
    /// routine) and is resolved by identity: it keeps working when the routine is replaced
    /// in place, and is dropped before and recreated after when the routine is dropped
    /// (also to be created again with another result type).
    Calls,
    /// Creation order only: the dependency must exist before the dependent is created
    /// (a function called by a check, default or domain; a type used by a column).
    Orders,
}

/// The dependencies between the objects of a realm.
#[derive(Debug, Default, Clone)]
pub struct DependencyGraph<'a> {
    ids: HashMap<Node<'a>, usize>,
    nodes: Vec<Node<'a>>,
    dependents: Vec<Vec<(usize, EdgeKind)>>,
    dependencies: Vec<Vec<(usize, EdgeKind)>>,
}

impl<'a> DependencyGraph<'a> {
    /// An empty graph.
    pub fn new() -> Self {
        DependencyGraph::default()
    }

    /// Every dependency the model shows between the objects of `realm`.
    pub fn of(realm: &'a Realm) -> Self {
        let mut graph = DependencyGraph::new();
        edges::realm(realm, &mut graph, edges::Select::ALL);
        graph
    }

    fn id(&mut self, node: Node<'a>) -> usize {
        if let Some(&id) = self.ids.get(&node) {
            return id;
        }
        let id = self.nodes.len();
        self.ids.insert(node, id);
        self.nodes.push(node);
        self.dependents.push(Vec::new());
        self.dependencies.push(Vec::new());
        id
    }

    /// Records that `dependent` reads `dependency`. Edges of an object to itself are left
    /// out; a repeated edge is kept once.
    pub fn add(&mut self, dependent: Node<'a>, dependency: Node<'a>, kind: EdgeKind) {
        if dependent == dependency {
            return;
        }
        let from = self.id(dependent);
        let to = self.id(dependency);
        if !self.dependencies[from].contains(&(to, kind)) {
            self.dependencies[from].push((to, kind));
            self.dependents[to].push((from, kind));
        }
    }

    /// Whether the graph knows the object.
    pub fn contains(&self, node: &Node<'a>) -> bool {
        self.ids.contains_key(node)
    }

    /// The objects that read `node`, with how.
    pub fn dependents(&self, node: &Node<'a>) -> impl Iterator<Item = (&Node<'a>, EdgeKind)> {
        self.ids
            .get(node)
            .map(|&id| self.dependents[id].as_slice())
            .unwrap_or_default()
            .iter()
            .map(|&(n, kind)| (&self.nodes[n], kind))
    }

    /// The objects `node` reads, with how.
    pub fn dependencies(&self, node: &Node<'a>) -> impl Iterator<Item = (&Node<'a>, EdgeKind)> {
        self.ids
            .get(node)
            .map(|&id| self.dependencies[id].as_slice())
            .unwrap_or_default()
            .iter()
            .map(|&(n, kind)| (&self.nodes[n], kind))
    }

    /// Number of edges.
    pub fn edge_count(&self) -> usize {
        self.dependencies.iter().map(Vec::len).sum()
    }
}
