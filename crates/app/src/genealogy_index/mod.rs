//! The genealogy held in memory, for traces. The first trace of a process reads
//! every edge of the `genealogy` read table into a [`Graph`]; each later trace asks
//! the store for the edges added since the ledger position the graph is true at
//! (`Store::genealogy_from`: one index lookup when there are none) and adds them.
//! Edges are only ever added (a lot consumed by a batch, a batch yielding a lot), so
//! the graph is only ever patched by appending, never read again whole.
//!
//! A trace holds a read lock on the graph while it walks, so traces run side by side;
//! only one that finds new edges takes the write lock, adds them and goes on with a
//! read lock. Reading, interning and walking run on tokio's blocking pool: on a large
//! genealogy they take long enough to stall other requests otherwise.

mod graph;
mod names;

use std::sync::Arc;

use tokio::sync::{OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLock};
use vplant_domain::genealogy::{Direction, Node};
use vplant_store::StoreError;

pub use graph::{Graph, GraphError, Reach};

use crate::{App, AppError};

/// Ledger positions read per query while the graph is brought up to date, which
/// bounds the edges held as text at once.
const SPAN: u64 = 100_000;

/// The graph and the first ledger position it has not read.
#[derive(Default)]
struct Indexed {
    next: u64,
    graph: Graph,
}

type Shared = Option<Indexed>;

/// The genealogy graph of this process (see the module documentation); empty until
/// the first trace.
#[derive(Clone, Default)]
pub struct GenealogyIndex(Arc<RwLock<Shared>>);

/// What a trace reached: every node but the start, and the edges followed as
/// `[source, target]` node keys, sorted.
#[derive(Clone, Debug, Default)]
pub struct Reached {
    pub nodes: Vec<Node>,
    pub edges: Vec<[String; 2]>,
}

fn failed(what: &str) -> impl FnOnce(tokio::task::JoinError) -> AppError {
    move |e| AppError::Internal(format!("{what} failed: {e}"))
}

fn full(e: GraphError) -> AppError {
    AppError::Internal(e.to_string())
}

impl App {
    /// The nodes reachable from `start` in `direction` and the edges among them. A
    /// node the genealogy does not know reaches nothing.
    pub async fn genealogy_reach(
        &self,
        start: &Node,
        direction: Direction,
    ) -> Result<Reached, AppError> {
        let index = self.genealogy_current().await?;
        let key = start.key();
        tokio::task::spawn_blocking(move || {
            let Some(indexed) = index.as_ref() else {
                return Ok(Reached::default());
            };
            let graph = &indexed.graph;
            let Some(start) = graph.find(&key) else {
                return Ok(Reached::default());
            };
            let mut reach = Reach::default();
            graph.trace(start, direction, &mut reach);
            let nodes = reach.nodes[1..]
                .iter()
                .map(|&n| {
                    let name = graph.name(n);
                    Node::from_key(name).ok_or_else(|| {
                        AppError::Store(StoreError::Corrupt(format!(
                            "genealogy node '{name}' is malformed"
                        )))
                    })
                })
                .collect::<Result<_, _>>()?;
            let mut edges: Vec<[String; 2]> = reach
                .edges
                .iter()
                .map(|&(s, t)| [graph.name(s).to_owned(), graph.name(t).to_owned()])
                .collect();
            edges.sort_unstable();
            Ok(Reached { nodes, edges })
        })
        .await
        .map_err(failed("a genealogy trace"))?
    }

    /// The graph, brought up to date with the ledger, under a read lock.
    async fn genealogy_current(&self) -> Result<OwnedRwLockReadGuard<Shared>, AppError> {
        let lock = self.genealogy.0.clone();
        let read = lock.clone().read_owned().await;
        if let Some(indexed) = read.as_ref() {
            let added = self.store.genealogy_from(indexed.next, SPAN).await?;
            if added.edges.is_empty() && added.done {
                return Ok(read);
            }
        }
        drop(read);
        // Another trace may have brought the graph up to date meanwhile; reading from
        // where it stands then costs one lookup.
        let mut write = lock.write_owned().await;
        let first = write.is_none();
        let mut next = write.as_ref().map_or(0, |indexed| indexed.next);
        let mut pairs = Vec::new();
        loop {
            let added = self.store.genealogy_from(next, SPAN).await?;
            next = added.next;
            let interned;
            (write, interned) = on_blocking(write, move |graph| {
                let mut pairs = pairs;
                for [source, target] in &added.edges {
                    pairs.push((graph.intern(source)?, graph.intern(target)?));
                }
                Ok(pairs)
            })
            .await?;
            pairs = interned.map_err(full)?;
            if added.done {
                break;
            }
        }
        let result;
        (write, result) = on_blocking(write, move |graph| {
            graph.add_edges(&pairs)?;
            if first {
                graph.shrink_to_fit();
            }
            Ok(())
        })
        .await?;
        result.map_err(full)?;
        if let Some(indexed) = write.as_mut() {
            indexed.next = next;
        }
        Ok(OwnedRwLockWriteGuard::downgrade(write))
    }
}

/// Runs `f` on the graph (made empty first if there is none yet) on the blocking
/// pool, and hands the lock back with what `f` returned. If `f` fails half-way, the
/// graph holds some names without their edges, which the next attempt (reading from
/// the same position again) interns to the same ids.
async fn on_blocking<T: Send + 'static>(
    mut write: OwnedRwLockWriteGuard<Shared>,
    f: impl FnOnce(&mut Graph) -> T + Send + 'static,
) -> Result<(OwnedRwLockWriteGuard<Shared>, T), AppError> {
    tokio::task::spawn_blocking(move || {
        let out = f(&mut write.get_or_insert_with(Indexed::default).graph);
        (write, out)
    })
    .await
    .map_err(failed("updating the genealogy index"))
}
