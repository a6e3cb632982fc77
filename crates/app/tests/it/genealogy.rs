//! Traces run on the in-memory genealogy index; it must answer exactly what one
//! recursive query over the `genealogy` read table answers, both ways, with a cycle
//! in the graph, and after edges are added to an index that was already built.

use std::collections::BTreeSet;

use vplant_app::{App, Request};
use vplant_domain::batch::events::BatchSource;
use vplant_domain::batch::report::BatchReport;
use vplant_domain::batch::{BatchCommand, BatchState};
use vplant_domain::genealogy::{Direction, Node};
use vplant_domain::identity::Scope;
use vplant_domain::lot::{LotCommand, LotOrigin, LotRef, LotState, LotStatus, NewLot};
use vplant_domain::projection::Value;
use vplant_store::Store;
use vplant_testkit::{TestDb, block_on};

vplant_testkit::backend_tests!(
    the_index_traces_what_the_recursive_query_finds_before_and_after_edges_are_added,
    a_trace_through_the_index_lists_the_records_and_edges_it_reaches,
);

/// A batch at site `CMO-S` of `PRD-1` that consumed `inputs` and yielded `outputs`
/// (lots as `<material>/<lot>`).
fn record(app: &App, number: &str, inputs: &[&str], outputs: &[&str]) {
    let lot = |id: &str| {
        let (material, lot) = id.split_once('/').unwrap();
        LotRef::parse(material, lot).unwrap()
    };
    let mut report = BatchReport::new("CMO-S", number, "PRD-1", BatchSource::Cmo).unwrap();
    for id in inputs {
        report.consume(lot(id), None);
    }
    for id in outputs {
        report.yield_lot(lot(id), None);
    }
    block_on(app.execute::<BatchState>(
        &report.id(),
        BatchCommand::Report {
            report: Box::new(report),
            reason: None,
        },
        &Request::by("test"),
    ))
    .unwrap();
}

/// The answer of one recursive query: the nodes reached (the start left out) and
/// the edges followed, as the trace used to compute it before the index.
fn recursive_query(
    store: &Store,
    start: &Node,
    direction: Direction,
) -> (BTreeSet<String>, Vec<[String; 2]>) {
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
         SELECT g.source, g.target FROM genealogy g JOIN reach r ON g.{from} = r.node"
    );
    let rows = store
        .read_blocking(|conn| conn.query(&sql, &[Value::Text(start.key())]))
        .unwrap();
    let mut edges: Vec<[String; 2]> = rows
        .iter()
        .map(|r| [r.text(0).unwrap(), r.text(1).unwrap()])
        .collect();
    edges.sort();
    let mut nodes: BTreeSet<String> = edges.iter().flatten().cloned().collect();
    nodes.remove(&start.key());
    (nodes, edges)
}

/// Every node of the table.
fn all_nodes(store: &Store) -> Vec<Node> {
    let rows = store
        .read_blocking(|conn| {
            conn.query(
                "SELECT source FROM genealogy UNION SELECT target FROM genealogy",
                &[],
            )
        })
        .unwrap();
    rows.iter()
        .map(|r| Node::from_key(&r.text(0).unwrap()).unwrap())
        .collect()
}

/// Traces from every node both ways through `app`'s index and through the query.
fn every_trace_agrees(app: &App) -> usize {
    let mut longest = 0;
    for node in all_nodes(&app.store) {
        for direction in [Direction::Forward, Direction::Backward] {
            let reached = block_on(app.genealogy_reach(&node, direction)).unwrap();
            let nodes: BTreeSet<String> = reached.nodes.iter().map(Node::key).collect();
            assert_eq!(nodes.len(), reached.nodes.len(), "each node once");
            assert_eq!(
                (nodes, reached.edges),
                recursive_query(&app.store, &node, direction),
                "{} {direction:?}",
                node.key()
            );
            longest = longest.max(reached.nodes.len());
        }
    }
    longest
}

fn the_index_traces_what_the_recursive_query_finds_before_and_after_edges_are_added(db: TestDb) {
    let store = db.store();
    let app = App::new(store.clone()).unwrap();
    // Nothing recorded yet: a trace reaches nothing, and builds an empty index.
    let empty = block_on(app.genealogy_reach(&Node::Lot("RAW/1".into()), Direction::Forward));
    assert!(empty.unwrap().nodes.is_empty());

    record(&app, "B1", &["RAW/1", "RAW/2"], &["BULK/1"]);
    record(&app, "B2", &["BULK/1", "RAW/3"], &["BULK/2", "BULK/3"]);
    assert_eq!(every_trace_agrees(&app), 6);

    // Edges added after the index was built are patched in: a third batch, and a
    // rework of its lot in the first batch, which closes a cycle.
    record(&app, "B3", &["BULK/2"], &["PACK/1"]);
    let rework =
        block_on(app.genealogy_reach(&Node::Lot("PACK/1".into()), Direction::Forward)).unwrap();
    assert!(rework.nodes.is_empty(), "PACK/1 is not consumed yet");
    record(&app, "B1", &["RAW/1", "RAW/2", "PACK/1"], &["BULK/1"]);
    let longest = every_trace_agrees(&app);
    assert_eq!(longest, 9, "around the cycle to every lot and batch");
    let cycle =
        block_on(app.genealogy_reach(&Node::Lot("BULK/1".into()), Direction::Forward)).unwrap();
    assert!(
        cycle.nodes.contains(&Node::Batch("CMO-S/B1".into()))
            && !cycle.nodes.contains(&Node::Lot("BULK/1".into())),
        "around the cycle to the batch that made the start, which is not listed: {:?}",
        cycle.nodes
    );

    // A new process builds its index from the table at once and agrees too.
    let fresh = App::new(store).unwrap();
    assert_eq!(every_trace_agrees(&fresh), longest);
    // A node the genealogy does not know reaches nothing.
    let unknown =
        block_on(fresh.genealogy_reach(&Node::Batch("CMO-S/B9".into()), Direction::Backward));
    assert!(unknown.unwrap().edges.is_empty());
}

fn a_trace_through_the_index_lists_the_records_and_edges_it_reaches(db: TestDb) {
    let app = App::new(db.store()).unwrap();
    let site = vplant_domain::fields::Code::parse("site", "CMO-S").unwrap();
    for id in ["RAW/1", "BULK/1", "BULK/2"] {
        let (material, lot) = id.split_once('/').unwrap();
        let new = NewLot::new(
            LotRef::parse(material, lot).unwrap(),
            &site,
            LotStatus::Released,
            LotOrigin::Received,
            None,
            None,
            None,
        )
        .unwrap();
        block_on(app.execute::<LotState>(id, LotCommand::Register(new), &Request::by("test")))
            .unwrap();
    }
    record(&app, "B1", &["RAW/1"], &["BULK/1"]);
    let trace =
        block_on(app.trace(&Scope::All, Node::Lot("RAW/1".into()), Direction::Forward)).unwrap();
    assert_eq!(trace.batches.len(), 1);
    assert_eq!(trace.lots.len(), 1);
    // Patched in after the first trace built the index.
    record(&app, "B2", &["BULK/1"], &["BULK/2"]);
    let trace =
        block_on(app.trace(&Scope::All, Node::Lot("RAW/1".into()), Direction::Forward)).unwrap();
    let ids: Vec<&str> = trace.lots.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(ids, ["BULK/1", "BULK/2"]);
    assert_eq!(
        trace.edges,
        [
            ["batch:CMO-S/B1", "lot:BULK/1"],
            ["batch:CMO-S/B2", "lot:BULK/2"],
            ["lot:BULK/1", "batch:CMO-S/B2"],
            ["lot:RAW/1", "batch:CMO-S/B1"],
        ]
        .map(|e| e.map(String::from))
    );
    // Every record reached is shown; none is at a site out of scope.
    assert_eq!((trace.batches.len(), trace.hidden), (2, 0));
}
