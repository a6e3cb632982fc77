//! The ten-event history that the checkpoint, archive, rebuild and tampering tests
//! start from, committed one command per batch so that checkpoints fall at known
//! sequence numbers.
//!
//! | seq | stream          | version | event                 |
//! |-----|-----------------|---------|-----------------------|
//! | 1   | site/BSL        | 1       | SiteRegistered        |
//! | 2   | site/CORK       | 1       | SiteRegistered        |
//! | 3   | product/ASP-500 | 1       | ProductRegistered     |
//! | 4   | site/BSL        | 2       | SiteRenamed           |
//! | 5   | product/ASP-500 | 2       | ProductRenamed        |
//! | 6   | site/CORK       | 2       | SiteDeactivated       |
//! | 7   | site/BSL        | 3       | SiteDeactivated       |
//! | 8   | product/IBU-200 | 1       | ProductRegistered     |
//! | 9   | site/BSL        | 4       | SiteReactivated       |
//! | 10  | product/IBU-200 | 2       | ProductRenamed        |
//!
//! With [`TestDb::store`] (a checkpoint every 4 events) checkpoints seal 1..=4 and
//! 5..=8; events 9 and 10 are protected by their hash chains only.

use vplant_store::Store;
use vplant_testkit::TestDb;
use vplant_testkit::fixtures::{
    because, product_renamed, register_product, register_site, request, site_deactivated,
    site_reactivated, site_renamed,
};

/// Events in the history.
pub const EVENTS: u64 = 10;
/// Where [`TestDb::store`] seals checkpoints in it.
pub const CHECKPOINTS: [u64; 2] = [4, 8];

/// Commits the history, one command at a time.
pub fn record(store: &Store) {
    let commands = [
        register_site("BSL", "Basel"),
        register_site("CORK", "Cork"),
        register_product("ASP-500", "Aspirin"),
        because(
            request("site/BSL", 1, vec![site_renamed("Basel", "Basel Campus")]),
            "new campus name",
        ),
        because(
            request(
                "product/ASP-500",
                1,
                vec![product_renamed("Aspirin", "Aspirin Forte")],
            ),
            "brand change",
        ),
        because(
            request("site/CORK", 1, vec![site_deactivated()]),
            "site sold",
        ),
        because(
            request("site/BSL", 2, vec![site_deactivated()]),
            "renovation",
        ),
        register_product("IBU-200", "Ibuprofen"),
        because(
            request("site/BSL", 3, vec![site_reactivated()]),
            "renovation done",
        ),
        because(
            request(
                "product/IBU-200",
                1,
                vec![product_renamed("Ibuprofen", "Ibuprofen Lysinate")],
            ),
            "new salt",
        ),
    ];
    for (i, command) in commands.into_iter().enumerate() {
        let outcome = store
            .commit_blocking(command)
            .unwrap_or_else(|e| panic!("history command {} failed: {e}", i + 1));
        assert_eq!(outcome.last_seq, i as u64 + 1);
    }
}

/// A fresh store on `db` holding the history.
pub fn recorded(db: &TestDb) -> Store {
    let store = db.store();
    record(&store);
    store
}
