//! Breaking foreign-key cycles between tables: choosing keys to move out of `CREATE TABLE`
//! and rewriting the statements.
//!
//! A cycle of required edges made only of inline foreign keys cannot be executed in any order
//! by PostgreSQL or MySQL, which check a key's table when the key is created. Moving one key of
//! the cycle into an `ALTER TABLE … ADD` after both tables breaks it. The key chosen is the one
//! whose table comes latest in the original order, which is where a person would have written
//! the `ALTER TABLE`.

use std::collections::{BTreeMap, BTreeSet};

use crate::defs::Defs;
use crate::error::ImportError;
use crate::facts::Known;
use crate::graph::{Node, cycles};
use crate::links::{Links, required};
use crate::{DialectKind, Location, Statement, tables};
use rustc_hash::FxHashMap;

#[derive(Default)]
struct EdgeKind {
    other: bool,
    fks: Vec<usize>,
}

/// Chooses the foreign keys to move out of `CREATE TABLE` so that no cycle of required edges
/// runs through foreign keys alone; returns them by statement.
pub(crate) fn choose(
    nodes: &[Node],
    links: &[Links],
    defs: &Defs,
    dialect: DialectKind,
) -> BTreeMap<usize, BTreeSet<usize>> {
    let mut moved: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
    if dialect == DialectKind::Sqlite {
        return moved;
    }
    let mut edges: FxHashMap<(u32, u32), EdgeKind> = FxHashMap::default();
    required(nodes, links, defs, dialect, false, |d, s, fk| {
        let kind = edges.entry((d, s)).or_default();
        match fk {
            Some(k) => kind.fks.push(k),
            None => kind.other = true,
        }
    });
    loop {
        let mut component = vec![usize::MAX; nodes.len()];
        for (c, members) in cycles(nodes.len(), edges.keys().copied())
            .into_iter()
            .enumerate()
        {
            members.into_iter().for_each(|m| component[m] = c);
        }
        // In each cycle, move the key whose target comes latest in the original order.
        let mut best: BTreeMap<usize, (u32, u32)> = BTreeMap::new();
        for (&(d, s), kind) in &edges {
            let c = component[d as usize];
            if c == usize::MAX || c != component[s as usize] || kind.other {
                continue;
            }
            let key = |(d, s): (u32, u32)| {
                let (rd, rs) = (nodes[d as usize].rank, nodes[s as usize].rank);
                (rd > rs, rd, std::cmp::Reverse(rs))
            };
            let entry = best.entry(c).or_insert((d, s));
            if key((d, s)) > key(*entry) {
                *entry = (d, s);
            }
        }
        if best.is_empty() {
            return moved;
        }
        for (_, edge) in best {
            if let Some(kind) = edges.remove(&edge) {
                moved.entry(edge.1 as usize).or_default().extend(kind.fks);
            }
        }
    }
}

/// Rewrites each `CREATE TABLE` without its moved keys and appends one `ALTER TABLE` per key,
/// located at the key's line and ranked right after its table.
pub(crate) fn apply(
    nodes: &mut Vec<Node>,
    moved: BTreeMap<usize, BTreeSet<usize>>,
    dialect: DialectKind,
    known: &Known,
) -> Result<(), ImportError> {
    for (s, clauses) in moved {
        let node = &nodes[s];
        let fks: Vec<_> = clauses.iter().map(|&k| node.facts.fks[k].clone()).collect();
        let sql = tables::without(
            &node.stmt.sql,
            fks.iter().map(|fk| fk.remove.clone()).collect(),
        );
        let location = node.stmt.location.clone();
        let (rank, refined) = (node.rank, node.refined);
        let mut rewritten = Node::new(
            Statement {
                sql,
                location: location.clone(),
            },
            rank,
            dialect,
            known,
        )?;
        if refined {
            rewritten.refine(dialect);
        }
        nodes[s] = rewritten;
        for (j, fk) in fks.into_iter().enumerate() {
            let stmt = Statement {
                sql: fk.alter,
                location: Location {
                    file: location.file.clone(),
                    line: location.line + fk.line - 1,
                },
            };
            nodes.push(Node::new(stmt, (rank.0, j + 1), dialect, known)?);
        }
    }
    Ok(())
}
