//! The baseline: breadth-first search over a plain adjacency list of the same graph
//! (`Vec<Vec<u32>>` each way), with the visited nodes in a `HashSet<u32>` or in a
//! `Vec<bool>` of every node, made new for each trace, as one writes it without an
//! index. It gives the same answer as the index (nodes in breadth-first order, and
//! every edge followed), so both do the same work.

use std::collections::HashSet;

use vplant_domain::genealogy::Direction;

pub struct Lists {
    forward: Vec<Vec<u32>>,
    backward: Vec<Vec<u32>>,
}

impl Lists {
    pub fn new(nodes: usize, edges: &[(u32, u32)]) -> Lists {
        let mut forward = vec![Vec::new(); nodes];
        let mut backward = vec![Vec::new(); nodes];
        for &(s, t) in edges {
            forward[s as usize].push(t);
            backward[t as usize].push(s);
        }
        Lists { forward, backward }
    }

    fn next(&self, direction: Direction) -> &[Vec<u32>] {
        match direction {
            Direction::Forward => &self.forward,
            Direction::Backward => &self.backward,
        }
    }
}

/// A set of visited nodes.
pub trait Seen {
    /// Marks `n`; whether it was new.
    fn insert(&mut self, n: u32) -> bool;
}

impl Seen for HashSet<u32> {
    fn insert(&mut self, n: u32) -> bool {
        HashSet::insert(self, n)
    }
}

impl Seen for Vec<bool> {
    fn insert(&mut self, n: u32) -> bool {
        !std::mem::replace(&mut self[n as usize], true)
    }
}

/// The nodes reachable from `start` in breadth-first order (the start first) and
/// the edges followed, as `(source, target)`.
pub fn bfs(
    lists: &Lists,
    start: u32,
    direction: Direction,
    seen: &mut impl Seen,
) -> (Vec<u32>, Vec<(u32, u32)>) {
    let next = lists.next(direction);
    let mut nodes = vec![start];
    let mut edges = Vec::new();
    seen.insert(start);
    let mut i = 0;
    while let Some(&n) = nodes.get(i) {
        i += 1;
        for &m in &next[n as usize] {
            edges.push(match direction {
                Direction::Forward => (n, m),
                Direction::Backward => (m, n),
            });
            if seen.insert(m) {
                nodes.push(m);
            }
        }
    }
    (nodes, edges)
}

/// How many lots a trace from `start` reaches (the start left out), or `None` once
/// it passes `cap`: for choosing starts without walking the big traces whole.
pub fn lots_within(
    lists: &Lists,
    start: u32,
    direction: Direction,
    is_lot: impl Fn(u32) -> bool,
    cap: usize,
) -> Option<usize> {
    let next = lists.next(direction);
    let mut seen = HashSet::from([start]);
    let mut queue = vec![start];
    let mut lots = 0;
    let mut i = 0;
    while let Some(&n) = queue.get(i) {
        i += 1;
        for &m in &next[n as usize] {
            if seen.insert(m) {
                queue.push(m);
                if is_lot(m) {
                    lots += 1;
                    if lots > cap {
                        return None;
                    }
                }
            }
        }
    }
    Some(lots)
}
