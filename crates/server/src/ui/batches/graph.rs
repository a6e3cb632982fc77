//! A trace drawn as a picture: records placed left to right by their distance from
//! the start (breadth-first over the trace's edges), lots and batches as labelled
//! boxes of two shapes, edges as curves whose arrow points the way the material
//! went. It is laid out here, on the server, so that the page needs no script and
//! prints as it shows; `templates/batches/trace.html` only draws what this computes.

use std::collections::{BTreeMap, HashMap, VecDeque};

use vplant_domain::genealogy::Direction;

/// The most records drawn; the tables under the drawing list every record.
pub const MAX_NODES: usize = 300;
const NODE_W: u32 = 176;
const NODE_H: u32 = 44;
const GAP_X: u32 = 56;
const GAP_Y: u32 = 12;
const MARGIN: u32 = 8;
/// Labels longer than this are shortened; the full text is the node's title.
const LABEL_CHARS: usize = 20;

/// A record to draw, named by its node key (`lot:…`, `batch:…`).
pub struct NodeSpec {
    pub key: String,
    pub lot: bool,
    pub label: String,
    /// The small line above the label ("Lot · released", "Batch · PRD-1").
    pub caption: String,
    /// The whole description, shown as the node's tooltip.
    pub title: String,
    pub href: String,
}

pub struct DrawnNode {
    pub x: u32,
    pub y: u32,
    pub lot: bool,
    pub start: bool,
    pub label: String,
    pub caption: String,
    pub title: String,
    pub href: String,
    pub text_x: u32,
    pub caption_y: u32,
    pub label_y: u32,
}

pub struct DrawnEdge {
    /// The SVG path.
    pub d: String,
    /// The material went from the path's start to its end (else the other way).
    pub arrow_at_end: bool,
}

pub struct Drawing {
    pub width: u32,
    pub height: u32,
    pub node_width: u32,
    pub node_height: u32,
    pub nodes: Vec<DrawnNode>,
    pub edges: Vec<DrawnEdge>,
    /// How many records the trace has; more than are drawn when it was cut.
    pub total: usize,
}

impl Drawing {
    pub fn cut(&self) -> bool {
        self.nodes.len() < self.total
    }
}

/// Lays out `nodes` (the start among them) and `edges` (`[source, target]` keys).
/// Edges to records not in `nodes` are left out.
pub fn draw(
    start: &str,
    direction: Direction,
    nodes: Vec<NodeSpec>,
    edges: &[[String; 2]],
) -> Drawing {
    let total = nodes.len();
    let keys: Vec<&str> = nodes.iter().map(|n| n.key.as_str()).collect();
    let layer = layers(start, &keys, edges, direction);
    let columns = order(&layer, edges);
    // The records nearest the start are kept when the drawing is cut.
    let kept: HashMap<String, (usize, usize)> = columns
        .iter()
        .enumerate()
        .flat_map(|(l, column)| {
            column
                .iter()
                .enumerate()
                .map(move |(r, k)| ((*k).to_owned(), (l, r)))
        })
        .take(MAX_NODES)
        .collect();
    let layers_used = kept.values().map(|(l, _)| l + 1).max().unwrap_or(1);
    let rows_used = kept.values().map(|(_, r)| r + 1).max().unwrap_or(1);
    let place = |key: &str| {
        kept.get(key).map(|&(l, r)| {
            let x = MARGIN + l as u32 * (NODE_W + GAP_X);
            let y = MARGIN + r as u32 * (NODE_H + GAP_Y);
            (x, y)
        })
    };
    let mut drawn: Vec<DrawnNode> = nodes
        .into_iter()
        .filter_map(|n| {
            let (x, y) = place(&n.key)?;
            Some(DrawnNode {
                x,
                y,
                lot: n.lot,
                start: n.key == start,
                label: shorten(&n.label),
                caption: n.caption,
                title: n.title,
                href: n.href,
                text_x: x + 10,
                caption_y: y + 16,
                label_y: y + 34,
            })
        })
        .collect();
    drawn.sort_by_key(|n| (n.x, n.y));
    let lines = edges
        .iter()
        .filter_map(|[s, t]| Some(curve(place(s)?, place(t)?)))
        .collect();
    Drawing {
        width: 2 * MARGIN + layers_used as u32 * (NODE_W + GAP_X),
        height: 2 * MARGIN + rows_used as u32 * (NODE_H + GAP_Y) - GAP_Y,
        node_width: NODE_W,
        node_height: NODE_H,
        nodes: drawn,
        edges: lines,
        total,
    }
}

/// Each node's distance from `start` along the edges, followed the way the trace
/// went. A node the walk does not reach (its path runs through a record outside
/// the viewer's scope) goes after the last layer.
fn layers<'a>(
    start: &str,
    nodes: &[&'a str],
    edges: &[[String; 2]],
    direction: Direction,
) -> BTreeMap<&'a str, usize> {
    let mut next: HashMap<&str, Vec<&str>> = HashMap::new();
    for [source, target] in edges {
        let (from, to) = match direction {
            Direction::Forward => (source, target),
            Direction::Backward => (target, source),
        };
        next.entry(from.as_str()).or_default().push(to.as_str());
    }
    let mut distance: HashMap<&str, usize> = HashMap::from([(start, 0)]);
    let mut queue = VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        let d = distance[node];
        for &to in next.get(node).into_iter().flatten() {
            if !distance.contains_key(to) {
                distance.insert(to, d + 1);
                queue.push_back(to);
            }
        }
    }
    let beyond = distance.values().max().map_or(0, |d| d + 1);
    nodes
        .iter()
        .map(|&n| (n, distance.get(n).copied().unwrap_or(beyond)))
        .collect()
}

/// The nodes of each layer, top to bottom: each under the mean position of its
/// neighbours in the layer before (fewer crossing edges), ties by key.
fn order<'a>(layer: &BTreeMap<&'a str, usize>, edges: &[[String; 2]]) -> Vec<Vec<&'a str>> {
    let depth = layer.values().max().map_or(0, |d| d + 1);
    let mut columns: Vec<Vec<&str>> = vec![Vec::new(); depth];
    for (&node, &l) in layer {
        columns[l].push(node);
    }
    let mut neighbours: HashMap<&str, Vec<&str>> = HashMap::new();
    for [s, t] in edges {
        neighbours.entry(s.as_str()).or_default().push(t.as_str());
        neighbours.entry(t.as_str()).or_default().push(s.as_str());
    }
    for l in 1..depth {
        let before: HashMap<&str, usize> = columns[l - 1]
            .iter()
            .enumerate()
            .map(|(i, k)| (*k, i))
            .collect();
        let mean = |node: &str| {
            let positions: Vec<usize> = neighbours
                .get(node)
                .into_iter()
                .flatten()
                .filter_map(|n| before.get(n).copied())
                .collect();
            if positions.is_empty() {
                f64::MAX
            } else {
                positions.iter().sum::<usize>() as f64 / positions.len() as f64
            }
        };
        columns[l].sort_by(|a, b| mean(a).total_cmp(&mean(b)).then_with(|| a.cmp(b)));
    }
    columns
}

/// The curve from the source box at `s` to the target box at `t`: from the right
/// side of the box further left to the left side of the other, or round the right
/// of two boxes in the same column.
fn curve(s: (u32, u32), t: (u32, u32)) -> DrawnEdge {
    let middle =
        |(x, y): (u32, u32), right: bool| (x + if right { NODE_W } else { 0 }, y + NODE_H / 2);
    let (from, to, arrow_at_end) = if s.0 <= t.0 {
        (s, t, true)
    } else {
        (t, s, false)
    };
    let (x1, y1) = middle(from, true);
    if from.0 == to.0 {
        let (x2, y2) = middle(to, true);
        let bend = x1 + GAP_X / 2;
        return DrawnEdge {
            d: format!("M{x1} {y1} C{bend} {y1}, {bend} {y2}, {x2} {y2}"),
            arrow_at_end,
        };
    }
    let (x2, y2) = middle(to, false);
    let mid = (x1 + x2) / 2;
    DrawnEdge {
        d: format!("M{x1} {y1} C{mid} {y1}, {mid} {y2}, {x2} {y2}"),
        arrow_at_end,
    }
}

fn shorten(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        return label.to_owned();
    }
    let kept: String = label.chars().take(LABEL_CHARS - 1).collect();
    format!("{kept}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(key: &str) -> NodeSpec {
        NodeSpec {
            key: key.to_owned(),
            lot: key.starts_with("lot:"),
            label: key.to_owned(),
            caption: String::new(),
            title: key.to_owned(),
            href: String::new(),
        }
    }

    fn edge(s: &str, t: &str) -> [String; 2] {
        [s.to_owned(), t.to_owned()]
    }

    fn column_of(drawing: &Drawing, key: &str) -> u32 {
        let n = drawing.nodes.iter().find(|n| n.title == key).unwrap();
        (n.x - MARGIN) / (NODE_W + GAP_X)
    }

    #[test]
    fn records_stand_in_columns_by_their_distance_from_the_start() {
        let edges = [
            edge("lot:A/1", "batch:S/1"),
            edge("batch:S/1", "lot:P/1"),
            edge("lot:A/1", "batch:S/2"),
        ];
        let keys = ["lot:A/1", "batch:S/1", "batch:S/2", "lot:P/1"];
        let forward = draw("lot:A/1", Direction::Forward, keys.map(node).into(), &edges);
        assert_eq!(forward.nodes.len(), 4);
        assert_eq!(forward.edges.len(), 3);
        assert!(forward.edges.iter().all(|e| e.arrow_at_end));
        assert_eq!(column_of(&forward, "lot:A/1"), 0);
        assert_eq!(column_of(&forward, "batch:S/2"), 1);
        assert_eq!(column_of(&forward, "lot:P/1"), 2);
        assert!(forward.nodes.iter().filter(|n| n.start).count() == 1);

        // Backward from the product lot, the material flows against the columns.
        let keys = ["lot:P/1", "batch:S/1", "lot:A/1"];
        let backward = draw(
            "lot:P/1",
            Direction::Backward,
            keys.map(node).into(),
            &edges[..2],
        );
        assert_eq!(column_of(&backward, "lot:A/1"), 2);
        assert!(backward.edges.iter().all(|e| !e.arrow_at_end));
    }

    #[test]
    fn a_record_cut_off_from_the_start_is_drawn_after_the_last_column() {
        let edges = [edge("lot:A/1", "batch:S/1")];
        let keys = ["lot:A/1", "batch:S/1", "lot:X/9"];
        let drawing = draw("lot:A/1", Direction::Forward, keys.map(node).into(), &edges);
        assert_eq!(column_of(&drawing, "lot:X/9"), 2);
    }

    #[test]
    fn a_large_trace_is_cut_to_the_records_nearest_the_start() {
        let mut keys = vec!["lot:A/1".to_owned()];
        let mut edges = Vec::new();
        for i in 0..400 {
            let batch = format!("batch:S/{i}");
            edges.push(edge("lot:A/1", &batch));
            keys.push(batch);
        }
        let nodes = keys.iter().map(|k| node(k)).collect();
        let drawing = draw("lot:A/1", Direction::Forward, nodes, &edges);
        assert_eq!(drawing.total, 401);
        assert_eq!(drawing.nodes.len(), MAX_NODES);
        assert!(drawing.cut());
        assert_eq!(drawing.edges.len(), MAX_NODES - 1);
        assert!(drawing.nodes.iter().any(|n| n.start));
    }

    #[test]
    fn long_labels_are_shortened() {
        assert_eq!(shorten("SMCC/3"), "SMCC/3");
        assert_eq!(
            shorten("ABCDEFGHIJKLMNOPQRSTUVWXYZ").chars().count(),
            LABEL_CHARS
        );
    }
}
