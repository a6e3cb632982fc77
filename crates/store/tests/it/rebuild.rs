//! The read tables are a cache of the ledger: replaying the ledger rebuilds them
//! exactly, whatever happened to them.

use vplant_testkit::{TestDb, dump};

use crate::history;

vplant_testkit::backend_tests!(rebuild_reproduces_the_read_tables_exactly);

const SITES: &str = "SELECT * FROM sites ORDER BY code";
const PRODUCTS: &str = "SELECT * FROM products ORDER BY code";

fn rebuild_reproduces_the_read_tables_exactly(db: TestDb) {
    let store = history::recorded(&db);
    let sites = dump(&store, SITES);
    let products = dump(&store, PRODUCTS);
    assert_eq!((sites.len(), products.len()), (2, 2));

    // The read tables drift: a row lost, a row edited by hand.
    let mut raw = db.raw();
    raw.execute("DELETE FROM sites WHERE code = 'CORK'", &[])
        .unwrap();
    raw.execute(
        "UPDATE products SET name = 'edited by hand', version = 99",
        &[],
    )
    .unwrap();
    assert_ne!(dump(&store, SITES), sites);

    let replayed = store.rebuild().unwrap();

    assert_eq!(replayed, history::EVENTS);
    assert_eq!(dump(&store, SITES), sites);
    assert_eq!(dump(&store, PRODUCTS), products);
    assert_eq!(
        store.rebuild().unwrap(),
        history::EVENTS,
        "rebuilding twice is harmless"
    );
    assert_eq!(dump(&store, SITES), sites);
}
