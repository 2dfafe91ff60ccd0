//! The dependency graph between statements and the order it yields.
//!
//! Edges come in two strengths. Required edges are certain: a statement's schema, the table an
//! index or trigger is on, a trigger's function, foreign keys, what a barrier statement follows,
//! and (once a statement has been parsed) its exact references. Optional edges are likely, and are
//! kept only while they leave the graph acyclic, in this order of priority:
//!
//! 1. names a statement mentions (lexically) that other statements define;
//! 2. a user of an object after the statements that reshape it (`ALTER TABLE … ADD COLUMN`,
//!    `ALTER TYPE … ADD VALUE`), a foreign key after the key it references (`ALTER TABLE … ADD
//!    PRIMARY KEY`, a unique index on the same columns), and rows loaded into a table after the
//!    rows loaded into the tables it references;
//! 3. names mentioned in routine and trigger bodies, which databases resolve late;
//! 4. statements touching the same object keep their original relative order.
//!
//! Lexical mentions are a superset of the real references (a column may be named like a
//! table). Statements caught in a cycle of required edges and mentions are parsed with
//! `sqlparser`, whose references then replace their mentions as required edges.
//!
//! Foreign-key cycles between tables are broken by moving a key out of its `CREATE TABLE` into a
//! later `ALTER TABLE` (not for SQLite, which does not check keys at creation).

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};

use crate::defs::Defs;
use crate::error::ImportError;
use crate::facts::{self, Facts, Head, Known, StmtKind};
use crate::links::{Links, optional, required};
use crate::names::{Ns, NsSet};
use crate::toposort::{Dag, Rank};
use crate::{DialectKind, Statement, ast, fkbreak};
use rustc_hash::FxHashSet;

/// A statement with its facts.
pub(crate) struct Node {
    pub stmt: Statement,
    pub facts: Facts,
    /// Original position; statements moved out of another (foreign keys) rank right after it.
    pub rank: Rank,
    /// `facts.mentions` holds the parser's exact references instead of the lexical scan's.
    pub refined: bool,
}

impl Node {
    /// Reads the head of a statement; mentions come later, in [`Node::finish`].
    fn head(stmt: &Statement, dialect: DialectKind) -> Result<Head, ImportError> {
        let head = facts::head(&stmt.sql, dialect).map_err(|e| {
            let line = stmt.location.line + e.line - 1;
            ImportError::unscannable(&stmt.location.file, line, e.message)
        })?;
        if head.facts.unrecognized && !ast::parses(&stmt.sql, dialect) {
            return Err(ImportError::Unscannable {
                at: stmt.location.clone(),
                message: format!("not a SQL statement: {:?}", stmt.excerpt(40)),
            });
        }
        Ok(head)
    }

    fn finish(
        stmt: Statement,
        head: Head,
        rank: Rank,
        dialect: DialectKind,
        known: &Known,
    ) -> Self {
        Node {
            facts: head.finish(&stmt.sql, dialect, Some(known)),
            stmt,
            rank,
            refined: false,
        }
    }

    pub(crate) fn new(
        stmt: Statement,
        rank: Rank,
        dialect: DialectKind,
        known: &Known,
    ) -> Result<Self, ImportError> {
        let head = Node::head(&stmt, dialect)?;
        Ok(Node::finish(stmt, head, rank, dialect, known))
    }

    /// Replaces the lexical mentions with the parser's references, where it parses; returns
    /// whether it did.
    pub(crate) fn refine(&mut self, dialect: DialectKind) -> bool {
        if self.facts.kind == StmtKind::WithBody {
            return false;
        }
        let Some(mut refs) = ast::references(&self.stmt.sql, dialect) else {
            return false;
        };
        let fks: Vec<_> = self.facts.fks.iter().map(|fk| &fk.target).collect();
        refs.retain(|r| !(r.ns == NsSet::of(Ns::Relation) && fks.contains(&&r.name)));
        self.facts.mentions = refs;
        self.refined = true;
        true
    }
}

/// Orders `statements` so that each comes after what it depends on, keeping the original order
/// wherever dependencies allow.
pub(crate) fn order(
    statements: Vec<Statement>,
    dialect: DialectKind,
) -> Result<Vec<Statement>, ImportError> {
    let heads = statements
        .into_iter()
        .map(|stmt| Node::head(&stmt, dialect).map(|head| (stmt, head)))
        .collect::<Result<Vec<_>, _>>()?;
    let known = known_names(heads.iter().map(|(_, head)| &head.facts));
    let mut nodes: Vec<Node> = heads
        .into_iter()
        .enumerate()
        .map(|(i, (stmt, head))| Node::finish(stmt, head, (i, 0), dialect, &known))
        .collect();
    let mut defs = Defs::build(nodes.iter().map(|n| &n.facts));
    let mut links = Links::all(&nodes, &defs);
    refine_doubtful(&mut nodes, &mut links, &defs, dialect);
    let moved = fkbreak::choose(&nodes, &links, &defs, dialect);
    if !moved.is_empty() {
        let first_new = nodes.len();
        let rewritten: Vec<usize> = moved.keys().copied().collect();
        fkbreak::apply(&mut nodes, moved, dialect, &known)?;
        defs.extend(nodes[first_new..].iter().map(|n| &n.facts), first_new);
        relink(&nodes, &mut links, &defs, &rewritten, first_new);
    }

    let mut edges = Vec::new();
    required(&nodes, &links, &defs, dialect, false, |d, s, _| {
        edges.push((d, s))
    });
    let offers = optional(&nodes, &links, &defs);
    // Hubs rank first, so each is passed as soon as everything before it is placed.
    let mut ranks: Vec<Rank> = nodes.iter().map(|n| n.rank).collect();
    ranks.resize(nodes.len() + offers.hubs(), (0, 0));
    let mut dag = Dag::new(&ranks, &edges);
    dag.offer_all(&offers.edges);
    let order = dag.sorted(&ranks);
    let mut slots: Vec<Option<Statement>> = nodes.into_iter().map(|n| Some(n.stmt)).collect();
    Ok(order
        .into_iter()
        .filter_map(|i| slots.get_mut(i as usize).and_then(Option::take))
        .collect())
}

/// The names defined in the project, and the schemas they are defined in.
fn known_names<'a>(facts: impl Iterator<Item = &'a Facts>) -> Known {
    let mut known = Known::default();
    for f in facts {
        // Columns that ALTER TABLE adds or renames: users mentioning them need the change.
        known.extend(f.provides.iter().flatten().cloned());
        for obj in &f.defines {
            known.insert(obj.name.name.clone());
            if let Some(schema) = &obj.name.schema {
                known.insert(schema.clone());
            }
        }
    }
    known
}

/// Updates the links after foreign keys moved: for the rewritten tables, the new statements
/// from `first_new` on, and the statements mentioning a name the new statements define.
fn relink(
    nodes: &[Node],
    links: &mut Vec<Links>,
    defs: &Defs,
    rewritten: &[usize],
    first_new: usize,
) {
    let new_names: FxHashSet<&str> = nodes[first_new..]
        .iter()
        .flat_map(|n| n.facts.defines.iter().map(|o| o.name.name.as_str()))
        .collect();
    let mentions_new = |f: &Facts| {
        let refs = f.hard.iter().chain(&f.mentions).chain(&f.body);
        refs.map(|r| r.name.name.as_str())
            .any(|n| new_names.contains(n))
    };
    links.truncate(first_new);
    for (s, node) in nodes.iter().enumerate() {
        if s >= first_new {
            links.push(Links::new(s, node, defs));
        } else if rewritten.binary_search(&s).is_ok()
            || (!new_names.is_empty() && mentions_new(&node.facts))
        {
            links[s] = Links::new(s, node, defs);
        }
    }
}

/// Parses the statements caught in cycles of the lexical graph, whose mentions may include
/// coincidences (a column named like a table) that the parser can rule out.
fn refine_doubtful(nodes: &mut [Node], links: &mut [Links], defs: &Defs, dialect: DialectKind) {
    let mut edges = Vec::new();
    required(nodes, links, defs, dialect, true, |d, s, _| {
        edges.push((d, s))
    });
    for component in cycles(nodes.len(), edges.into_iter()) {
        for m in component {
            if nodes[m].refine(dialect) {
                links[m] = Links::new(m, &nodes[m], defs);
            }
        }
    }
}

/// The strongly connected components with more than one node.
pub(crate) fn cycles(n: usize, edges: impl Iterator<Item = (u32, u32)>) -> Vec<Vec<usize>> {
    let mut sorted: Vec<(u32, u32)> = edges.collect();
    sorted.sort_unstable();
    sorted.dedup();
    let mut graph: DiGraph<(), ()> = DiGraph::with_capacity(n, sorted.len());
    for _ in 0..n {
        graph.add_node(());
    }
    for (a, b) in sorted {
        graph.add_edge(NodeIndex::new(a as usize), NodeIndex::new(b as usize), ());
    }
    tarjan_scc(&graph)
        .into_iter()
        .filter(|c| c.len() > 1)
        .map(|c| c.into_iter().map(|n| n.index()).collect())
        .collect()
}
