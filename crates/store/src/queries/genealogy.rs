//! The genealogy graph: which nodes a trace reaches, and the edges among them.

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

impl Store {
    /// Every edge reachable from `start` in `direction`, in one recursive query.
    /// Cycles (which a correct genealogy does not have) end the walk rather than
    /// looping.
    pub async fn trace_edges(
        &self,
        start: Node,
        direction: Direction,
    ) -> Result<Vec<Edge>, StoreError> {
        let (from, to) = match direction {
            Direction::Forward => ("source", "target"),
            Direction::Backward => ("target", "source"),
        };
        let sql = format!(
            "WITH RECURSIVE reach(node) AS (
                 SELECT CAST($1 AS TEXT)
                 UNION
                 SELECT g.{to} FROM genealogy g JOIN reach r ON g.{from} = r.node
             )
             SELECT g.source, g.target, g.quantity, g.unit
             FROM genealogy g JOIN reach r ON g.{from} = r.node
             ORDER BY g.source, g.target"
        );
        self.read(move |conn| {
            let rows = conn.query(&sql, &[Value::Text(start.key())])?;
            rows.iter().map(edge).collect()
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
