//! The genealogy graph: lots and batches are its nodes; a consumption is an edge from
//! a lot to a batch, a yield an edge from a batch to a lot. Forward trace follows the
//! edges, backward trace follows them in reverse.

use serde::{Deserialize, Serialize};

/// A node of the genealogy graph, as stored: `lot:<material>/<number>` or
/// `batch:<site>/<number>`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Node {
    Lot(String),
    Batch(String),
}

impl Node {
    pub fn key(&self) -> String {
        match self {
            Node::Lot(id) => format!("lot:{id}"),
            Node::Batch(id) => format!("batch:{id}"),
        }
    }

    pub fn from_key(key: &str) -> Option<Node> {
        match key.split_once(':')? {
            ("lot", id) => Some(Node::Lot(id.to_owned())),
            ("batch", id) => Some(Node::Batch(id.to_owned())),
            _ => None,
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Node::Lot(id) | Node::Batch(id) => id,
        }
    }
}

/// Which way a trace goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// From an input lot to every batch and lot it reached.
    Forward,
    /// From a product lot (or batch) to every input it came from.
    Backward,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Forward => "forward",
            Direction::Backward => "backward",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_keys_round_trip() {
        for node in [Node::Lot("SMCC/12".into()), Node::Batch("CMO-SI/7".into())] {
            assert_eq!(Node::from_key(&node.key()), Some(node));
        }
        assert_eq!(Node::from_key("site:BSL"), None);
    }
}
