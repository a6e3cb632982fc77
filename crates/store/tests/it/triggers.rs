//! The database itself refuses to change history: UPDATE and DELETE on the ledger and
//! on the checkpoints fail, even on a connection that goes around the store.

use vplant_testkit::{Raw, TestDb, ledger, stored_checkpoints};

use crate::history;

vplant_testkit::backend_tests!(
    the_database_refuses_to_update_or_delete_ledger_rows,
    the_database_refuses_to_update_or_delete_checkpoints,
);

fn refused(raw: &mut Raw, sql: &str) {
    match raw.execute(sql, &[]) {
        Ok(n) => panic!("`{sql}` was allowed and changed {n} rows"),
        Err(message) => assert!(
            message.contains("append-only"),
            "`{sql}` failed for another reason: {message}"
        ),
    }
}

fn the_database_refuses_to_update_or_delete_ledger_rows(db: TestDb) {
    let store = history::recorded(&db);
    let before = ledger(&store);
    let mut raw = db.raw();

    refused(&mut raw, "UPDATE ledger SET payload = '{}' WHERE seq = 5");
    refused(&mut raw, "UPDATE ledger SET seq = seq + 100 WHERE seq = 10");
    refused(&mut raw, "DELETE FROM ledger WHERE seq = 10");
    refused(&mut raw, "DELETE FROM ledger");

    assert_eq!(ledger(&store), before);
    assert!(
        store
            .verify(&db.public_key(), db.witness())
            .unwrap()
            .intact()
    );
}

fn the_database_refuses_to_update_or_delete_checkpoints(db: TestDb) {
    let store = history::recorded(&db);
    let before = stored_checkpoints(&store);
    assert_eq!(before.len(), history::CHECKPOINTS.len());
    let mut raw = db.raw();

    refused(
        &mut raw,
        "UPDATE checkpoints SET signature = prev WHERE seq = 8",
    );
    refused(&mut raw, "DELETE FROM checkpoints WHERE seq = 8");
    refused(&mut raw, "DELETE FROM checkpoints");

    assert_eq!(stored_checkpoints(&store), before);
    assert!(
        store
            .verify(&db.public_key(), db.witness())
            .unwrap()
            .intact()
    );
}
