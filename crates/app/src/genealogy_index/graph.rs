//! The genealogy as a graph in memory: node names interned to `u32` ids, and the
//! edges both ways in compressed sparse rows (each node's neighbours side by side in
//! one array, found through an array of offsets). Edges added after the rows were
//! last packed wait in a small map by node; when they grow past an eighth of the
//! packed edges, everything is packed again, so adding costs amortised O(1) per edge.
//! Nothing is ever removed: a genealogy only grows.
//!
//! A trace is a breadth-first walk with a visited bitset that is cleared afterwards
//! through the nodes the walk reached, so a small trace costs what it reaches, not
//! the size of the graph. Bitsets are kept in a pool for the next trace; several
//! traces can run at once on a shared graph.

use std::sync::{Mutex, PoisonError};

use hashbrown::HashMap;
use vplant_domain::genealogy::Direction;

use super::names::Names;

/// Edges held unpacked before the rows are packed again, at least.
const MIN_UNPACKED: usize = 4_096;

/// Why the graph cannot take more: ids and offsets are `u32` (which halves the
/// memory of a graph of ten million lots against `u64`), so it holds at most about
/// four billion nodes, edges, or bytes of names.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    #[error("the genealogy index is full: it holds at most 4,294,967,295 nodes")]
    TooManyNodes,
    #[error("the genealogy index is full: it holds at most 4 GiB of node names")]
    NamesTooLong,
    #[error("the genealogy index is full: it holds at most 4,294,967,295 edges")]
    TooManyEdges,
    #[error("an edge names node id {0}, which the genealogy index does not hold")]
    UnknownNode(u32),
}

/// One direction of the edges.
#[derive(Default)]
struct Adjacency {
    /// `packed[offsets[n]..offsets[n + 1]]` are node `n`'s neighbours, for the nodes
    /// there were when the rows were last packed.
    offsets: Vec<u32>,
    packed: Vec<u32>,
    /// Neighbours added since, by node.
    unpacked: HashMap<u32, Vec<u32>>,
    unpacked_edges: usize,
}

impl Adjacency {
    #[inline]
    fn packed(&self, n: u32) -> &[u32] {
        let i = n as usize;
        match (self.offsets.get(i), self.offsets.get(i + 1)) {
            (Some(&from), Some(&to)) => &self.packed[from as usize..to as usize],
            _ => &[],
        }
    }

    #[inline]
    fn unpacked(&self, n: u32) -> &[u32] {
        if self.unpacked.is_empty() {
            return &[];
        }
        self.unpacked.get(&n).map_or(&[], Vec::as_slice)
    }

    fn edges(&self) -> usize {
        self.packed.len() + self.unpacked_edges
    }

    /// `(from, to)` of an edge `(source, target)`, seen from this direction.
    #[inline]
    fn ends(edge: (u32, u32), reverse: bool) -> (u32, u32) {
        if reverse { (edge.1, edge.0) } else { edge }
    }

    fn add(&mut self, edges: &[(u32, u32)], reverse: bool) {
        for &edge in edges {
            let (from, to) = Self::ends(edge, reverse);
            self.unpacked.entry(from).or_default().push(to);
        }
        self.unpacked_edges += edges.len();
    }

    /// Packs the rows again for `nodes` nodes, from what they hold and `more`. Each
    /// node keeps its neighbours in the order they were added.
    fn pack(&mut self, nodes: usize, more: &[(u32, u32)], reverse: bool) -> Result<(), GraphError> {
        let total = u32::try_from(self.edges() + more.len())
            .map_err(|_| GraphError::TooManyEdges)? as usize;
        let packed_nodes = self.offsets.len().saturating_sub(1);
        // Degrees first (shifted by one, so that the running sum gives the offsets).
        let mut offsets = vec![0u32; nodes + 1];
        for n in 0..packed_nodes {
            offsets[n + 1] = self.offsets[n + 1] - self.offsets[n];
        }
        for (&n, list) in &self.unpacked {
            offsets[n as usize + 1] += list.len() as u32;
        }
        for &edge in more {
            offsets[Self::ends(edge, reverse).0 as usize + 1] += 1;
        }
        for n in 0..nodes {
            offsets[n + 1] += offsets[n];
        }
        let mut packed = vec![0u32; total];
        let mut cursor = offsets[..nodes].to_vec();
        for (n, at) in cursor.iter_mut().enumerate().take(packed_nodes) {
            let list = self.packed(n as u32);
            packed[*at as usize..*at as usize + list.len()].copy_from_slice(list);
            *at += list.len() as u32;
        }
        for (&n, list) in &self.unpacked {
            let at = cursor[n as usize] as usize;
            packed[at..at + list.len()].copy_from_slice(list);
            cursor[n as usize] += list.len() as u32;
        }
        for &edge in more {
            let (from, to) = Self::ends(edge, reverse);
            packed[cursor[from as usize] as usize] = to;
            cursor[from as usize] += 1;
        }
        self.offsets = offsets;
        self.packed = packed;
        self.unpacked = HashMap::new();
        self.unpacked_edges = 0;
        Ok(())
    }

    fn heap_bytes(&self) -> usize {
        let unpacked: usize = self.unpacked.values().map(|l| l.capacity() * 4).sum();
        (self.offsets.capacity() + self.packed.capacity()) * 4
            + self.unpacked.allocation_size()
            + unpacked
    }
}

/// Which nodes a walk has seen, one bit per node.
#[derive(Default)]
struct Visited(Vec<u64>);

impl Visited {
    fn fit(&mut self, nodes: usize) {
        let words = nodes.div_ceil(64);
        if self.0.len() < words {
            self.0.resize(words, 0);
        }
    }

    /// Marks `n`; whether it was new.
    #[inline]
    fn insert(&mut self, n: u32) -> bool {
        let word = &mut self.0[(n >> 6) as usize];
        let bit = 1u64 << (n & 63);
        let new = *word & bit == 0;
        *word |= bit;
        new
    }

    /// Unmarks everything, given every node that was marked.
    fn clear(&mut self, marked: &[u32]) {
        for &n in marked {
            self.0[(n >> 6) as usize] = 0;
        }
    }
}

/// What a trace reached: the nodes in breadth-first order, the start first, and
/// every edge leaving (forward) or entering (backward) one of them, as
/// `(source, target)` whichever the direction. Kept between traces, it allocates
/// only when a trace reaches more than the one before.
#[derive(Clone, Debug, Default)]
pub struct Reach {
    pub nodes: Vec<u32>,
    pub edges: Vec<(u32, u32)>,
}

/// See the module documentation.
#[derive(Default)]
pub struct Graph {
    names: Names,
    forward: Adjacency,
    backward: Adjacency,
    scratch: Mutex<Vec<Visited>>,
}

impl Graph {
    /// The id of a node name, giving it a new id if the graph does not hold it yet.
    pub fn intern(&mut self, name: &str) -> Result<u32, GraphError> {
        self.names.intern(name)
    }

    /// Gives back the room that growing the names left unused (up to half of it
    /// after a first load; the rows are packed to size already).
    pub fn shrink_to_fit(&mut self) {
        self.names.shrink_to_fit();
    }

    /// The id of a node name, if the graph holds it.
    pub fn find(&self, name: &str) -> Option<u32> {
        self.names.find(name)
    }

    /// The name of a node id that this graph gave out.
    pub fn name(&self, id: u32) -> &str {
        self.names.name(id)
    }

    pub fn nodes(&self) -> usize {
        self.names.len()
    }

    pub fn edges(&self) -> usize {
        self.forward.edges()
    }

    /// Adds `(source, target)` edges between interned nodes. Few are held aside until
    /// there are enough to pack the rows again; many (a first load) are packed at once.
    pub fn add_edges(&mut self, edges: &[(u32, u32)]) -> Result<(), GraphError> {
        let nodes = self.names.len();
        if let Some(&(s, t)) = edges
            .iter()
            .find(|(s, t)| *s as usize >= nodes || *t as usize >= nodes)
        {
            return Err(GraphError::UnknownNode(if s as usize >= nodes {
                s
            } else {
                t
            }));
        }
        let unpacked = self.forward.unpacked_edges + edges.len();
        if unpacked > MIN_UNPACKED.max(self.forward.packed.len() / 8) {
            self.forward.pack(nodes, edges, false)?;
            self.backward.pack(nodes, edges, true)?;
        } else {
            self.forward.add(edges, false);
            self.backward.add(edges, true);
        }
        Ok(())
    }

    /// Every node reachable from `start` in `direction`, and the edges followed, into
    /// `reach` (see [`Reach`]). Cycles end the walk: a node is visited once. An id the
    /// graph did not give out reaches nothing.
    pub fn trace(&self, start: u32, direction: Direction, reach: &mut Reach) {
        reach.nodes.clear();
        reach.edges.clear();
        if start as usize >= self.names.len() {
            return;
        }
        let mut visited = self
            .scratch
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
            .unwrap_or_default();
        visited.fit(self.names.len());
        match direction {
            Direction::Forward => walk::<false>(&self.forward, start, &mut visited, reach),
            Direction::Backward => walk::<true>(&self.backward, start, &mut visited, reach),
        }
        visited.clear(&reach.nodes);
        self.scratch
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(visited);
    }

    /// The bytes the graph holds on the heap (capacities, not lengths).
    pub fn heap_bytes(&self) -> usize {
        let scratch: usize = self
            .scratch
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|v| v.0.capacity() * 8)
            .sum();
        self.names.heap_bytes() + self.forward.heap_bytes() + self.backward.heap_bytes() + scratch
    }
}

/// Breadth-first from `start` along `adjacency`; `REVERSE` when it holds the edges
/// backwards (so that `reach.edges` still reads source to target).
fn walk<const REVERSE: bool>(
    adjacency: &Adjacency,
    start: u32,
    visited: &mut Visited,
    reach: &mut Reach,
) {
    visited.insert(start);
    reach.nodes.push(start);
    let mut next = 0;
    while let Some(&n) = reach.nodes.get(next) {
        next += 1;
        for list in [adjacency.packed(n), adjacency.unpacked(n)] {
            for &m in list {
                reach.edges.push(Adjacency::ends((n, m), REVERSE));
                if visited.insert(m) {
                    reach.nodes.push(m);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet, HashSet};

    use super::*;

    /// A graph of named edges, and the names' ids.
    fn graph(edges: &[(&str, &str)]) -> Graph {
        let mut g = Graph::default();
        add(&mut g, edges);
        g
    }

    fn add(g: &mut Graph, edges: &[(&str, &str)]) {
        let ids: Vec<(u32, u32)> = edges
            .iter()
            .map(|(s, t)| (g.intern(s).unwrap(), g.intern(t).unwrap()))
            .collect();
        g.add_edges(&ids).unwrap();
    }

    /// The names a trace reaches (the start included) and its edges, as names.
    fn traced(
        g: &Graph,
        start: &str,
        direction: Direction,
    ) -> (BTreeSet<String>, BTreeSet<(String, String)>) {
        let mut reach = Reach::default();
        g.trace(g.find(start).unwrap(), direction, &mut reach);
        let nodes = reach.nodes.iter().map(|&n| g.name(n).to_owned()).collect();
        let edges: BTreeSet<_> = reach
            .edges
            .iter()
            .map(|&(s, t)| (g.name(s).to_owned(), g.name(t).to_owned()))
            .collect();
        assert_eq!(edges.len(), reach.edges.len(), "each edge is followed once");
        (nodes, edges)
    }

    /// The plain answer: depth-first over a map of each node's edges, built from the
    /// edge list.
    fn oracle(
        edges: &[(String, String)],
        start: &str,
        direction: Direction,
    ) -> (BTreeSet<String>, BTreeSet<(String, String)>) {
        let mut next: BTreeMap<&str, Vec<&(String, String)>> = BTreeMap::new();
        for edge in edges {
            let from = match direction {
                Direction::Forward => &edge.0,
                Direction::Backward => &edge.1,
            };
            next.entry(from).or_default().push(edge);
        }
        let mut nodes = BTreeSet::from([start.to_owned()]);
        let mut followed = BTreeSet::new();
        let mut stack = vec![start.to_owned()];
        while let Some(node) = stack.pop() {
            for edge in next.get(node.as_str()).into_iter().flatten() {
                followed.insert((*edge).clone());
                let to = match direction {
                    Direction::Forward => &edge.1,
                    Direction::Backward => &edge.0,
                };
                if nodes.insert(to.clone()) {
                    stack.push(to.clone());
                }
            }
        }
        (nodes, followed)
    }

    #[test]
    fn a_trace_follows_the_edges_each_way_and_ends_in_a_cycle() {
        let g = graph(&[
            ("lot:A/1", "batch:S/1"),
            ("lot:B/1", "batch:S/1"),
            ("batch:S/1", "lot:P/1"),
            ("lot:P/1", "batch:S/2"),
            ("batch:S/2", "lot:Q/1"),
            // A rework loop: Q/1 goes back into batch S/1.
            ("lot:Q/1", "batch:S/1"),
        ]);
        let (nodes, edges) = traced(&g, "lot:A/1", Direction::Forward);
        assert_eq!(
            nodes,
            ["lot:A/1", "batch:S/1", "lot:P/1", "batch:S/2", "lot:Q/1"]
                .map(String::from)
                .into()
        );
        assert_eq!(edges.len(), 5);
        let (nodes, _) = traced(&g, "lot:P/1", Direction::Backward);
        assert_eq!(
            nodes,
            [
                "lot:P/1",
                "batch:S/1",
                "lot:A/1",
                "lot:B/1",
                "lot:Q/1",
                "batch:S/2"
            ]
            .map(String::from)
            .into()
        );
        // A self-loop ends too.
        let g = graph(&[("lot:X/1", "lot:X/1")]);
        let (nodes, edges) = traced(&g, "lot:X/1", Direction::Forward);
        assert_eq!((nodes.len(), edges.len()), (1, 1));
    }

    #[test]
    fn a_node_without_edges_reaches_only_itself_and_unknown_ids_reach_nothing() {
        let mut g = graph(&[("lot:A/1", "batch:S/1")]);
        let alone = g.intern("lot:Z/9").unwrap();
        let mut reach = Reach::default();
        g.trace(alone, Direction::Forward, &mut reach);
        assert_eq!((reach.nodes, reach.edges.len()), (vec![alone], 0));
        let mut reach = Reach::default();
        g.trace(99, Direction::Backward, &mut reach);
        assert!(reach.nodes.is_empty());
        assert_eq!(g.add_edges(&[(0, 7)]), Err(GraphError::UnknownNode(7)));
    }

    #[test]
    fn edges_added_later_are_traced_before_and_after_packing() {
        // A random graph with cycles, built in three steps: one packed load, then few
        // edges (held unpacked), then many (packed again), traced against the oracle
        // after each step from every node both ways.
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let mut all: Vec<(String, String)> = Vec::new();
        let mut seen = HashSet::new();
        let mut g = Graph::default();
        for (step, count) in [(0, 5_000), (1, 40), (2, 6_000)] {
            let mut edges = Vec::new();
            while edges.len() < count {
                let s = format!("lot:M/{}", next(4_000));
                let t = format!("batch:S/{}", next(4_000));
                let (s, t) = if next(2) == 0 { (s, t) } else { (t, s) };
                if seen.insert((s.clone(), t.clone())) {
                    edges.push((s, t));
                }
            }
            let named: Vec<(&str, &str)> = edges
                .iter()
                .map(|(s, t)| (s.as_str(), t.as_str()))
                .collect();
            add(&mut g, &named);
            all.extend(edges);
            match step {
                1 => assert_eq!(g.forward.unpacked_edges, 40, "few edges wait unpacked"),
                _ => assert_eq!(g.forward.unpacked_edges, 0, "many edges are packed"),
            }
            assert_eq!(g.edges(), all.len());
            let names: BTreeSet<&str> = all.iter().flat_map(|(s, t)| [&**s, &**t]).collect();
            let mut reached = Vec::new();
            for name in names.iter().step_by(names.len() / 20) {
                for direction in [Direction::Forward, Direction::Backward] {
                    let got = traced(&g, name, direction);
                    assert_eq!(got, oracle(&all, name, direction), "{name} {direction:?}");
                    reached.push(got.0.len());
                }
            }
            assert!(reached.iter().any(|n| *n > 10), "some traces go far");
        }
    }
}
