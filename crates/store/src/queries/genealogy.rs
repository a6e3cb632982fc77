//! The genealogy graph as stored: the edges one step from a node (with their
//! quantities), and the edges added since a ledger position, which is how the
//! in-memory index that traces run on (`vplant-app`, `genealogy_index`) is built and
//! kept current.

use vplant_domain::genealogy::{Direction, Node};
use vplant_domain::projection::Value;

use crate::Store;
use crate::error::StoreError;

/// One edge: `source` went into (or yielded) `target`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    pub source: Node,
    pub target: Node,
    pub quantity: Option<String>,
    pub unit: Option<String>,
}

fn edge(r: &crate::conn::Row) -> Result<Edge, StoreError> {
    let node = |i: usize| -> Result<Node, StoreError> {
        let key = r.text(i)?;
        Node::from_key(&key)
            .ok_or_else(|| StoreError::Corrupt(format!("genealogy node '{key}' is malformed")))
    };
    Ok(Edge {
        source: node(0)?,
        target: node(1)?,
        quantity: r.opt_text(2)?,
        unit: r.opt_text(3)?,
    })
}

/// Genealogy edges added at a run of ledger positions, as `genealogy_from` reads
/// them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AddedEdges {
    /// `[source, target]` node keys, in ledger order.
    pub edges: Vec<[String; 2]>,
    /// The first ledger position not read yet: where the next call starts.
    pub next: u64,
    /// Whether every edge there was when this was read has been read (`next` is past
    /// the newest edge).
    pub done: bool,
}

impl Store {
    /// The genealogy edges added at ledger positions `from..`, at most `span`
    /// positions' worth, oldest first. Edges are only ever added, each by one event
    /// at its own position, and appends commit in sequence order, so calling this
    /// again from `next` until `done` reads every edge once. When nothing was added
    /// since `from`, it costs one index lookup.
    pub async fn genealogy_from(&self, from: u64, span: u64) -> Result<AddedEdges, StoreError> {
        self.read(move |conn| {
            let newest = conn
                .query("SELECT MAX(seq) FROM genealogy", &[])?
                .first()
                .map(|r| r.opt_int(0))
                .transpose()?
                .flatten()
                .map(|s| {
                    u64::try_from(s).map_err(|_| {
                        StoreError::Corrupt(format!("a genealogy edge has ledger position {s}"))
                    })
                })
                .transpose()?;
            let Some(newest) = newest.filter(|n| *n >= from) else {
                return Ok(AddedEdges {
                    edges: Vec::new(),
                    next: from,
                    done: true,
                });
            };
            let last = newest.min(from.saturating_add(span.max(1) - 1));
            let edges = conn
                .query(
                    "SELECT source, target FROM genealogy WHERE seq >= $1 AND seq <= $2
                     ORDER BY seq",
                    &[Value::from(from), Value::from(last)],
                )?
                .iter()
                .map(|r| Ok([r.text(0)?, r.text(1)?]))
                .collect::<Result<_, StoreError>>()?;
            Ok(AddedEdges {
                edges,
                next: last + 1,
                done: last == newest,
            })
        })
        .await
    }
}

impl Store {
    /// The edges leaving `node` (forward) or arriving at it (backward), one step.
    pub async fn trace_edges_one_step(
        &self,
        node: Node,
        direction: Direction,
    ) -> Result<Vec<Edge>, StoreError> {
        let column = match direction {
            Direction::Forward => "source",
            Direction::Backward => "target",
        };
        let sql = format!(
            "SELECT source, target, quantity, unit FROM genealogy WHERE {column} = $1
             ORDER BY source, target"
        );
        self.read(move |conn| {
            conn.query(&sql, &[Value::Text(node.key())])?
                .iter()
                .map(edge)
                .collect()
        })
        .await
    }
}
