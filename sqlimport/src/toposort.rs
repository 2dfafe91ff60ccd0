//! A directed acyclic graph of statements that accepts optional edges only while they keep it
//! acyclic, and sorts stably.
//!
//! Required edges come first; if they form a cycle anyway (a view built on itself, a statement
//! misread), the edges of each cycle that point against the original order are dropped, so
//! those statements keep their original order instead of failing the project. Optional edges
//! are then offered one at a time, in priority order; a topological order is maintained
//! incrementally (Pearce and Kelly's algorithm), so each offer costs only the part of the graph
//! between the two statements' current positions. Long runs of edges sharing one end (the
//! hubs of [`crate::offers`]) are decided in one search instead ([`Dag::offer_all`]).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use petgraph::Direction::{Incoming, Outgoing};
use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};

use rustc_hash::FxHashSet;

/// The key that breaks ties: lower keys come first.
pub(crate) type Rank = (usize, usize);

pub(crate) struct Dag {
    graph: DiGraph<(), ()>,
    edges: FxHashSet<(u32, u32)>,
    /// Each node's position in the current topological order.
    pos: Vec<usize>,
    /// The node at each position.
    at: Vec<u32>,
    seen: Vec<u32>,
    stamp: u32,
}

fn ix(n: u32) -> NodeIndex {
    NodeIndex::new(n as usize)
}

impl Dag {
    /// A graph of `ranks.len()` nodes with the `required` edges (`(before, after)`).
    pub(crate) fn new(ranks: &[Rank], required: &[(u32, u32)]) -> Self {
        let n = ranks.len();
        let mut edges: FxHashSet<(u32, u32)> =
            required.iter().copied().filter(|(a, b)| a != b).collect();
        let mut graph = build(n, &edges);
        let order = match stable_order(&graph, ranks) {
            Ok(order) => order,
            Err(_) => {
                drop_backward_cycle_edges(&graph, ranks, &mut edges);
                graph = build(n, &edges);
                // Within each former cycle only forward edges remain, so this cannot fail.
                stable_order(&graph, ranks).unwrap_or_else(|partial| partial)
            }
        };
        let mut pos = vec![0; n];
        for (p, &node) in order.iter().enumerate() {
            pos[node as usize] = p;
        }
        Dag {
            graph,
            edges,
            pos,
            at: order,
            seen: vec![0; n],
            stamp: 0,
        }
    }

    /// Adds `before → after` unless it would close a cycle; returns whether it was added.
    pub(crate) fn offer(&mut self, before: u32, after: u32) -> bool {
        if before == after {
            return false;
        }
        if self.edges.contains(&(before, after)) {
            return true;
        }
        let (lower, upper) = (self.pos[after as usize], self.pos[before as usize]);
        if lower < upper && !self.reorder(before, after, lower, upper) {
            return false;
        }
        self.edges.insert((before, after));
        self.graph.add_edge(ix(before), ix(after), ());
        true
    }

    /// Offers `edges` in order, with the result of offering them one at a time.
    ///
    /// Runs of edges sharing one end (a hub's edges, see [`crate::offers`]) are decided
    /// together when long: whether `hub → x` closes a cycle depends only on whether `x` already
    /// reaches the hub (a path through another of the run's edges would pass the hub first),
    /// so one search answers the whole run, and one sort restores the order. Offered singly,
    /// each edge could move every node between the two ends, which for rows loaded into
    /// related tables is most of the project, every time.
    pub(crate) fn offer_all(&mut self, edges: &[(u32, u32)]) {
        let long = (self.pos.len() / 16).max(64);
        let mut rest = edges;
        while let Some(&(first_before, first_after)) = rest.first() {
            let same_before = rest.iter().take_while(|e| e.0 == first_before).count();
            let same_after = rest.iter().take_while(|e| e.1 == first_after).count();
            let run = same_before.max(same_after);
            let (batch, after) = rest.split_at(run);
            if run < long {
                batch.iter().for_each(|&(b, a)| {
                    self.offer(b, a);
                });
            } else if same_before >= same_after {
                self.offer_from(first_before, batch.iter().map(|e| e.1));
            } else {
                self.offer_into(first_after, batch.iter().map(|e| e.0));
            }
            rest = after;
        }
    }

    /// Offers `hub → x` for every `x` of `targets`.
    fn offer_from(&mut self, hub: u32, targets: impl Iterator<Item = u32>) {
        let blocked = self.reach(hub, Incoming);
        let accepted: Vec<(u32, u32)> = targets
            .filter(|&x| self.seen[x as usize] != blocked)
            .map(|x| (hub, x))
            .collect();
        self.accept(accepted);
    }

    /// Offers `x → hub` for every `x` of `sources`.
    fn offer_into(&mut self, hub: u32, sources: impl Iterator<Item = u32>) {
        let blocked = self.reach(hub, Outgoing);
        let accepted: Vec<(u32, u32)> = sources
            .filter(|&x| self.seen[x as usize] != blocked)
            .map(|x| (x, hub))
            .collect();
        self.accept(accepted);
    }

    /// Marks the nodes reaching `from` (or reached from it) with a new stamp, returned.
    fn reach(&mut self, from: u32, direction: petgraph::Direction) -> u32 {
        self.stamp += 1;
        let stamp = self.stamp;
        self.seen[from as usize] = stamp;
        let mut stack = vec![from];
        while let Some(x) = stack.pop() {
            for y in self.graph.neighbors_directed(ix(x), direction) {
                if self.seen[y.index()] != stamp {
                    self.seen[y.index()] = stamp;
                    stack.push(y.index() as u32);
                }
            }
        }
        stamp
    }

    /// Adds edges known to keep the graph acyclic and recomputes the order.
    fn accept(&mut self, edges: Vec<(u32, u32)>) {
        let mut added = false;
        for edge in edges {
            if self.edges.insert(edge) {
                self.graph.add_edge(ix(edge.0), ix(edge.1), ());
                added = true;
            }
        }
        if !added {
            return;
        }
        // Any topological order will do; ties are broken for real in `sorted`.
        let ranks: Vec<Rank> = (0..self.pos.len()).map(|i| (self.pos[i], 0)).collect();
        if let Ok(order) = stable_order(&self.graph, &ranks) {
            for (p, &node) in order.iter().enumerate() {
                self.pos[node as usize] = p;
            }
            self.at = order;
        }
    }

    /// Moves the nodes between `after` and `before` so that `before` precedes `after`; false if
    /// `after` reaches `before`.
    fn reorder(&mut self, before: u32, after: u32, lower: usize, upper: usize) -> bool {
        self.stamp += 1;
        let stamp = self.stamp;
        let mut forward = Vec::new();
        let mut stack = vec![after];
        self.seen[after as usize] = stamp;
        while let Some(x) = stack.pop() {
            forward.push(x);
            for y in self.graph.neighbors_directed(ix(x), Outgoing) {
                let y = y.index() as u32;
                if y == before {
                    return false;
                }
                if self.seen[y as usize] != stamp && self.pos[y as usize] < upper {
                    self.seen[y as usize] = stamp;
                    stack.push(y);
                }
            }
        }
        let mut backward = Vec::new();
        stack.push(before);
        self.seen[before as usize] = stamp;
        while let Some(x) = stack.pop() {
            backward.push(x);
            for y in self.graph.neighbors_directed(ix(x), Incoming) {
                let y = y.index() as u32;
                if self.seen[y as usize] != stamp && self.pos[y as usize] > lower {
                    self.seen[y as usize] = stamp;
                    stack.push(y);
                }
            }
        }
        forward.sort_by_key(|&x| self.pos[x as usize]);
        backward.sort_by_key(|&x| self.pos[x as usize]);
        let mut slots: Vec<usize> = backward
            .iter()
            .chain(&forward)
            .map(|&x| self.pos[x as usize])
            .collect();
        slots.sort_unstable();
        for (&x, slot) in backward.iter().chain(&forward).zip(slots) {
            self.pos[x as usize] = slot;
            self.at[slot] = x;
        }
        true
    }

    /// The nodes in topological order, lowest rank first among those ready.
    pub(crate) fn sorted(&self, ranks: &[Rank]) -> Vec<u32> {
        stable_order(&self.graph, ranks).unwrap_or_else(|_| self.at.clone())
    }
}

fn build(n: usize, edges: &FxHashSet<(u32, u32)>) -> DiGraph<(), ()> {
    let mut sorted: Vec<_> = edges.iter().copied().collect();
    sorted.sort_unstable();
    let mut graph = DiGraph::with_capacity(n, sorted.len());
    for _ in 0..n {
        graph.add_node(());
    }
    for (a, b) in sorted {
        graph.add_edge(ix(a), ix(b), ());
    }
    graph
}

/// Kahn's algorithm taking the lowest-ranked ready node each time; `Err` with the partial
/// order if there is a cycle.
fn stable_order(graph: &DiGraph<(), ()>, ranks: &[Rank]) -> Result<Vec<u32>, Vec<u32>> {
    let n = graph.node_count();
    let mut indegree: Vec<usize> = (0..n)
        .map(|i| {
            graph
                .neighbors_directed(NodeIndex::new(i), Incoming)
                .count()
        })
        .collect();
    let mut ready: BinaryHeap<Reverse<(Rank, u32)>> = (0..n)
        .filter(|&i| indegree[i] == 0)
        .map(|i| Reverse((ranks[i], i as u32)))
        .collect();
    let mut order = Vec::with_capacity(n);
    while let Some(Reverse((_, node))) = ready.pop() {
        order.push(node);
        for next in graph.neighbors_directed(ix(node), Outgoing) {
            let next = next.index();
            indegree[next] -= 1;
            if indegree[next] == 0 {
                ready.push(Reverse((ranks[next], next as u32)));
            }
        }
    }
    if order.len() == n {
        Ok(order)
    } else {
        Err(order)
    }
}

/// Removes, inside every cycle, the edges whose target ranks before their source.
fn drop_backward_cycle_edges(
    graph: &DiGraph<(), ()>,
    ranks: &[Rank],
    edges: &mut FxHashSet<(u32, u32)>,
) {
    let mut component = vec![usize::MAX; graph.node_count()];
    for (c, members) in tarjan_scc(graph).iter().enumerate() {
        for m in members {
            component[m.index()] = c;
        }
    }
    edges.retain(|&(a, b)| {
        let same = component[a as usize] == component[b as usize];
        !(same && ranks[a as usize] > ranks[b as usize])
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranks(n: usize) -> Vec<Rank> {
        (0..n).map(|i| (i, 0)).collect()
    }

    #[test]
    fn offers_respect_acyclicity_and_priority() {
        let r = ranks(4);
        let mut dag = Dag::new(&r, &[(0, 1)]);
        assert!(dag.offer(3, 0));
        assert!(!dag.offer(1, 3));
        assert!(dag.offer(2, 3));
        assert_eq!(dag.sorted(&r), vec![2, 3, 0, 1]);
    }

    #[test]
    fn required_cycles_fall_back_to_original_order() {
        let r = ranks(3);
        let dag = Dag::new(&r, &[(0, 1), (1, 2), (2, 0)]);
        assert_eq!(dag.sorted(&r), vec![0, 1, 2]);
    }
}
