//! The optional edges of the dependency graph, in priority order, with hub nodes for edges
//! between whole groups of statements.
//!
//! Some likely dependencies hold between every member of one group and every member of
//! another: every row loaded into a parent table before every row loaded into its child, every
//! `ALTER TABLE … ADD COLUMN c` before every statement using `c`. Drawn pairwise, a dump of
//! 175,000 `INSERT`s into two related tables gives billions of edges. Instead, such a group is
//! joined through a hub: an extra node that the first group precedes and the second follows,
//! which is as many edges as there are members. Hubs are not statements; they are dropped from
//! the sorted order. Small groups, where pairs are no more edges than a hub, stay pairwise,
//! which keeps each pair free to be accepted or refused on its own.

/// Optional edges `(before, after)` in the order they are offered; node numbers from the
/// statement count on are hubs.
pub(crate) struct Offers {
    pub edges: Vec<(u32, u32)>,
    statements: u32,
    hubs: u32,
}

impl Offers {
    /// No offers yet, for a graph of `statements` statements.
    pub(crate) fn new(statements: usize) -> Self {
        Offers {
            edges: Vec::new(),
            statements: u32::try_from(statements).unwrap_or(u32::MAX),
            hubs: 0,
        }
    }

    /// The number of hub nodes created, numbered from the statement count on.
    pub(crate) fn hubs(&self) -> usize {
        self.hubs as usize
    }

    /// Offers `before → after` (nothing for a statement and itself).
    pub(crate) fn edge(&mut self, before: u32, after: u32) {
        if before != after {
            self.edges.push((before, after));
        }
    }

    /// A node that follows all of `members` once the offered edges are accepted: the member
    /// itself when there is one, else a new hub. `None` for no members.
    pub(crate) fn gather(&mut self, members: &[u32]) -> Option<u32> {
        match members {
            [] => None,
            [one] => Some(*one),
            many => {
                let hub = self.statements.saturating_add(self.hubs);
                self.hubs += 1;
                for &m in many {
                    self.edge(m, hub);
                }
                Some(hub)
            }
        }
    }

    /// Offers every member of `before` before every member of `after`, through a hub when
    /// that takes fewer edges. Members of both groups are left out of `after` in that case (a
    /// statement cannot follow a hub it precedes).
    pub(crate) fn all_to_all(&mut self, before: &[u32], after: &[u32]) {
        let pairs = before.len().saturating_mul(after.len());
        if pairs <= before.len() + after.len() {
            for &b in before {
                for &a in after {
                    self.edge(b, a);
                }
            }
            return;
        }
        let Some(hub) = self.gather(before) else {
            return;
        };
        let mut sorted_before = before.to_vec();
        sorted_before.sort_unstable();
        for &a in after {
            if sorted_before.binary_search(&a).is_err() {
                self.edge(hub, a);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_groups_stay_pairwise() {
        let mut offers = Offers::new(10);
        offers.all_to_all(&[1, 2], &[3, 4]);
        assert_eq!(offers.edges, vec![(1, 3), (1, 4), (2, 3), (2, 4)]);
        assert_eq!(offers.hubs(), 0);
    }

    #[test]
    fn large_groups_meet_at_a_hub() {
        let mut offers = Offers::new(10);
        offers.all_to_all(&[1, 2, 3], &[4, 5, 3]);
        assert_eq!(
            offers.edges,
            vec![(1, 10), (2, 10), (3, 10), (10, 4), (10, 5)]
        );
        assert_eq!(offers.hubs(), 1);
        assert_eq!(offers.gather(&[7]), Some(7));
        assert_eq!(offers.gather(&[7, 8]), Some(11));
        assert_eq!(offers.gather(&[]), None);
    }
}
