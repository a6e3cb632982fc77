//! The real path, smaller: the same kind of network committed through the ledger
//! into SQLite (every lot registered, every batch reported with what it consumed and
//! yielded), then `App::trace` end to end — the index brought up to date, the
//! reached lots' and batches' rows read, site scope applied — against the trace as
//! it was before the index: one recursive query, then the same rows.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use vplant_app::{App, Request};
use vplant_domain::batch::events::BatchSource;
use vplant_domain::batch::report::BatchReport;
use vplant_domain::batch::{BatchCommand, BatchState};
use vplant_domain::fields::Code;
use vplant_domain::genealogy::{Direction, Node};
use vplant_domain::identity::Scope;
use vplant_domain::lot::{LotCommand, LotOrigin, LotRef, LotState, LotStatus, NewLot};
use vplant_domain::projection::Value;
use vplant_testkit::TestDb;

use crate::baseline::{Lists, lots_within};
use crate::network::{self, Kind, Network, Rng};

/// What the SQLite run measured.
pub struct Figures {
    pub lots: usize,
    pub batches: usize,
    pub edges: usize,
    pub events: u64,
    pub setup: Duration,
    pub starts: usize,
    pub mean_reach: f64,
    pub before: Vec<Duration>,
    pub after: Vec<Duration>,
    pub patched: Vec<Duration>,
    pub first: Duration,
    pub recall_lots: usize,
    pub recall_before: Duration,
    pub recall_after: Duration,
}

fn lot_ref(net: &Network, n: u32) -> LotRef {
    let node = net.nodes[n as usize];
    LotRef::parse(&node.material(), &node.number_text()).unwrap()
}

fn key(net: &Network, n: u32) -> Node {
    let node = net.nodes[n as usize];
    if node.is_lot() {
        Node::Lot(node.id())
    } else {
        Node::Batch(node.id())
    }
}

/// Commits every lot and batch of `net`, a unit of work of about 5,000 records at a
/// time.
async fn populate(app: &App, net: &Network) {
    let mut consumed = vec![Vec::new(); net.nodes.len()];
    let mut yielded = vec![Vec::new(); net.nodes.len()];
    let mut producer = vec![None; net.nodes.len()];
    for &(s, t) in &net.edges {
        if net.nodes[s as usize].is_lot() {
            consumed[t as usize].push(s);
        } else {
            yielded[s as usize].push(t);
            producer[t as usize] = Some(s);
        }
    }
    let by = Request::by("bench");
    let mut unit = app.unit(&by);
    for (n, node) in net.nodes.iter().enumerate() {
        if node.is_lot() {
            let origin = match producer[n] {
                Some(b) => LotOrigin::Produced {
                    batch: net.nodes[b as usize].id(),
                },
                None => LotOrigin::Received,
            };
            let site = Code::parse("site", &node.site_code()).unwrap();
            let new = NewLot::new(
                lot_ref(net, n as u32),
                &site,
                LotStatus::Released,
                origin,
                None,
                None,
                None,
            )
            .unwrap();
            unit.decide::<LotState>(&node.id(), LotCommand::Register(new))
                .await
                .unwrap();
        } else {
            let mut report = BatchReport::new(
                &node.site_code(),
                &node.number_text(),
                &node.product(),
                BatchSource::Cmo,
            )
            .unwrap();
            for &l in &consumed[n] {
                report.consume(lot_ref(net, l), None);
            }
            for &l in &yielded[n] {
                report.yield_lot(lot_ref(net, l), None);
            }
            let command = BatchCommand::Report {
                report: Box::new(report),
                reason: None,
            };
            unit.decide::<BatchState>(&node.id(), command)
                .await
                .unwrap();
        }
        if unit.records() >= 5_000 {
            unit.commit_all().await.unwrap();
            unit = app.unit(&by);
        }
    }
    unit.commit_all().await.unwrap();
}

/// The trace as it was before the index: one recursive query for the edges, then
/// the reached lots' and batches' rows. Returns the lots and batches it lists.
async fn recursive_trace(app: &App, start: &Node, direction: Direction) -> (usize, usize) {
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
    let key = start.key();
    let rows = app
        .store
        .read(move |conn| conn.query(&sql, &[Value::Text(key)]))
        .await
        .unwrap();
    let mut nodes = BTreeSet::new();
    for r in &rows {
        nodes.insert(Node::from_key(&r.text(0).unwrap()).unwrap());
        nodes.insert(Node::from_key(&r.text(1).unwrap()).unwrap());
    }
    nodes.remove(start);
    let (lots, batches): (Vec<Node>, Vec<Node>) =
        nodes.into_iter().partition(|n| matches!(n, Node::Lot(_)));
    let ids = |nodes: Vec<Node>| nodes.iter().map(|n| n.id().to_owned()).collect();
    let lots = app.store.lots_by_id(ids(lots)).await.unwrap();
    let batches = app.store.batches_by_id(ids(batches)).await.unwrap();
    (lots.len(), batches.len())
}

async fn timed_trace(app: &App, start: &Node, direction: Direction) -> (Duration, usize) {
    let t = Instant::now();
    let trace = app
        .trace(&Scope::All, start.clone(), direction)
        .await
        .unwrap();
    (t.elapsed(), trace.lots.len())
}

pub fn run(runtime: &tokio::runtime::Runtime, lots: usize, samples: usize) -> Figures {
    let net = network::generate(lots);
    let db = TestDb::sqlite();
    let app = App::new(db.store()).unwrap();
    let started = Instant::now();
    runtime.block_on(populate(&app, &net));
    let setup = started.elapsed();
    let events = runtime.block_on(app.store.last_seq()).unwrap();

    // Starts whose trace reaches 1 to 1,000 lots, chosen as in the in-memory run.
    let lists = Lists::new(net.nodes.len(), &net.edges);
    let is_lot = |m: u32| net.nodes[m as usize].is_lot();
    let mut rng = Rng(0x0dd_ba11_5eed);
    let mut starts = Vec::new();
    while starts.len() < samples {
        let n = rng.below(net.nodes.len() as u64) as u32;
        if !is_lot(n) {
            continue;
        }
        let direction = [Direction::Forward, Direction::Backward][rng.below(2) as usize];
        if let Some(reach) = lots_within(&lists, n, direction, is_lot, 1_000)
            && reach > 0
        {
            starts.push((key(&net, n), direction, reach));
        }
    }

    // The first trace of a process reads every edge from SQLite.
    let (first, _) = runtime.block_on(timed_trace(&app, &starts[0].0, starts[0].1));
    let mut before = Vec::new();
    let mut after = Vec::new();
    for (start, direction, reach) in &starts {
        let t = Instant::now();
        let (listed, _) = runtime.block_on(recursive_trace(&app, start, *direction));
        before.push(t.elapsed());
        let (took, lots) = runtime.block_on(timed_trace(&app, start, *direction));
        after.push(took);
        assert_eq!((listed, lots), (*reach, *reach), "{}", start.key());
    }

    // A new batch, then a trace: the index reads the new edges and patches them in.
    let mut patched = Vec::new();
    let api_lots: Vec<u32> = (0..net.nodes.len() as u32)
        .filter(|&n| net.nodes[n as usize].kind == Kind::Api)
        .collect();
    for i in 0..20.min(samples) {
        let input = api_lots[i % api_lots.len()];
        let mut report = BatchReport::new(
            "CMO-DP-00",
            &format!("PATCH{i}"),
            "PRD-000",
            BatchSource::Cmo,
        )
        .unwrap();
        report.consume(lot_ref(&net, input), None);
        report.yield_lot(
            LotRef::parse("BLK-000", &format!("PATCH{i}")).unwrap(),
            None,
        );
        let command = BatchCommand::Report {
            report: Box::new(report),
            reason: None,
        };
        runtime
            .block_on(app.execute::<BatchState>(
                &format!("CMO-DP-00/PATCH{i}"),
                command,
                &Request::by("bench"),
            ))
            .unwrap();
        let (start, direction, _) = &starts[i];
        patched.push(runtime.block_on(timed_trace(&app, start, *direction)).0);
    }

    // The recall: the early raw-material lot that reaches the most lots.
    let candidates: Vec<u32> = (0..net.nodes.len() as u32)
        .filter(|&n| {
            let node = net.nodes[n as usize];
            matches!(node.kind, Kind::Starting | Kind::Reagent | Kind::Solvent) && node.number == 1
        })
        .collect();
    let (recall, recall_lots) = candidates
        .iter()
        .map(|&n| {
            let start = key(&net, n);
            let (_, lots) = runtime.block_on(timed_trace(&app, &start, Direction::Forward));
            (start, lots)
        })
        .max_by_key(|(_, lots)| *lots)
        .unwrap();
    let t = Instant::now();
    let (listed, _) = runtime.block_on(recursive_trace(&app, &recall, Direction::Forward));
    let recall_before = t.elapsed();
    let (recall_after, lots) = runtime.block_on(timed_trace(&app, &recall, Direction::Forward));
    assert_eq!(listed, lots);

    let mean_reach = starts.iter().map(|(_, _, r)| *r as f64).sum::<f64>() / starts.len() as f64;
    before.sort();
    after.sort();
    patched.sort();
    Figures {
        lots: net.lots,
        batches: net.nodes.len() - net.lots,
        edges: net.edges.len(),
        events,
        setup,
        starts: starts.len(),
        mean_reach,
        before,
        after,
        patched,
        first,
        recall_lots,
        recall_before,
        recall_after,
    }
}
