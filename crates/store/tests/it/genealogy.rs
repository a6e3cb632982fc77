//! Each genealogy edge carries the ledger position of the event that added it, so
//! that a reader (the in-memory genealogy index) reads each edge once by asking for
//! the positions after the last it read. A rebuild gives the edges the same
//! positions, and a database from before the column gets them from the ledger.

use vplant_domain::Event;
use vplant_domain::batch::events::{BatchRecorded, BatchSource, LotLinked, Shipment};
use vplant_domain::batch::milestone::Milestones;
use vplant_domain::lot::LotRef;
use vplant_store::Store;
use vplant_store::queries::genealogy::AddedEdges;
use vplant_testkit::fixtures::{register_site, request};
use vplant_testkit::{TestDb, block_on, dump};

vplant_testkit::backend_tests!(
    edges_are_read_once_each_from_ledger_positions,
    an_older_database_gets_the_ledger_positions_of_its_edges,
);

const EDGES: &str = "SELECT source, target, seq FROM genealogy ORDER BY seq";

fn lot(id: &str) -> LotLinked {
    let (material, lot) = id.split_once('/').unwrap();
    LotLinked {
        lot: LotRef::parse(material, lot).unwrap(),
        quantity: None,
    }
}

/// Batch `CMO-S/<number>` recorded with the lots it consumed and yielded, in one
/// commit (one event each).
fn batch(store: &Store, number: &str, consumed: &[&str], yielded: &[&str]) {
    let mut events = vec![Event::BatchRecorded(BatchRecorded {
        site: "CMO-S".into(),
        number: number.into(),
        product: "PRD-1".into(),
        size: None,
        source: BatchSource::Cmo,
        planned: Milestones::new(),
        actual: Milestones::new(),
        disposition: None,
        shipment: Shipment::default(),
        provenance: None,
    })];
    events.extend(consumed.iter().map(|l| Event::BatchConsumedLot(lot(l))));
    events.extend(yielded.iter().map(|l| Event::BatchYieldedLot(lot(l))));
    store
        .commit_blocking(request(&format!("batch/CMO-S/{number}"), 0, events))
        .unwrap();
}

fn edge(source: &str, target: &str) -> [String; 2] {
    [source.to_owned(), target.to_owned()]
}

/// Seq 1 a site; 2–5 batch B1 (recorded, two lots consumed, one yielded); 6–8
/// batch B2 (recorded, one consumed, one yielded).
fn recorded(db: &TestDb) -> Store {
    let store = db.store();
    store
        .commit_blocking(register_site("CMO-S", "Site"))
        .unwrap();
    batch(&store, "B1", &["RAW/1", "RAW/2"], &["BULK/1"]);
    batch(&store, "B2", &["BULK/1"], &["PACK/1"]);
    store
}

fn edges_are_read_once_each_from_ledger_positions(db: TestDb) {
    let store = recorded(&db);
    let all = vec![
        edge("lot:RAW/1", "batch:CMO-S/B1"),
        edge("lot:RAW/2", "batch:CMO-S/B1"),
        edge("batch:CMO-S/B1", "lot:BULK/1"),
        edge("lot:BULK/1", "batch:CMO-S/B2"),
        edge("batch:CMO-S/B2", "lot:PACK/1"),
    ];
    assert_eq!(
        block_on(store.genealogy_from(0, 1_000)).unwrap(),
        AddedEdges {
            edges: all.clone(),
            next: 9,
            done: true
        }
    );
    assert_eq!(
        block_on(store.genealogy_from(9, 1_000)).unwrap(),
        AddedEdges {
            edges: Vec::new(),
            next: 9,
            done: true
        },
        "nothing added since"
    );
    // Four positions at a time: 0–3, 4–7, 8.
    let mut read = Vec::new();
    let mut from = 0;
    let mut calls = 0;
    loop {
        let page = block_on(store.genealogy_from(from, 4)).unwrap();
        calls += 1;
        read.extend(page.edges);
        from = page.next;
        if page.done {
            break;
        }
    }
    assert_eq!((read, from, calls), (all, 9, 3));
    // Positions 4 and 5, from the middle of a commit.
    let tail = block_on(store.genealogy_from(4, 2)).unwrap();
    assert_eq!(tail.edges.len(), 2);
    assert_eq!((tail.next, tail.done), (6, false));

    let before = dump(&store, EDGES);
    store.rebuild().unwrap();
    assert_eq!(dump(&store, EDGES), before, "a rebuild keeps the positions");
}

fn an_older_database_gets_the_ledger_positions_of_its_edges(db: TestDb) {
    let store = recorded(&db);
    let positions = dump(&store, EDGES);
    drop(store);
    // Undo migration 7, as a database from before it is.
    assert_eq!(positions.len(), 5);
    let mut raw = db.raw();
    raw.execute("DROP INDEX genealogy_by_seq", &[]).unwrap();
    raw.execute("ALTER TABLE genealogy DROP COLUMN seq", &[])
        .unwrap();
    raw.execute("DELETE FROM schema_migrations WHERE version = 7", &[])
        .unwrap();
    drop(raw);

    let store = db.store();
    assert_eq!(dump(&store, EDGES), positions);
    assert_eq!(
        block_on(store.genealogy_from(6, 100)).unwrap().edges,
        [
            edge("lot:BULK/1", "batch:CMO-S/B2"),
            edge("batch:CMO-S/B2", "lot:PACK/1")
        ]
    );
}
