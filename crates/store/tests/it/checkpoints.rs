//! Checkpoints: sealed by count and by time, chained to each other, signed, and
//! copied to the witness file outside the database.

use std::time::Duration;

use vplant_store::CheckpointPolicy;
use vplant_testkit::fixtures::register_site;
use vplant_testkit::{TestDb, eventually, every_events, ledger, stored_checkpoints};

vplant_testkit::backend_tests!(
    checkpoints_are_sealed_every_n_events_and_copied_to_the_witness,
    a_quiet_ledger_is_sealed_once_the_interval_has_passed,
    checkpoints_chain_across_a_restart,
    a_store_without_a_key_seals_nothing_and_still_verifies,
);

fn commit_sites(store: &vplant_store::Store, from: u32, count: u32) {
    for i in from..from + count {
        store
            .commit_blocking(register_site(&format!("S{i:03}"), "Site"))
            .unwrap();
    }
}

fn checkpoints_are_sealed_every_n_events_and_copied_to_the_witness(db: TestDb) {
    let store = db.store_with(every_events(5));

    commit_sites(&store, 1, 12);

    let stored = stored_checkpoints(&store);
    let ranges: Vec<(u64, u64)> = stored
        .iter()
        .map(|c| (c.statement.first_seq, c.seq()))
        .collect();
    assert_eq!(ranges, [(1, 5), (6, 10)]);
    assert!(stored.iter().all(|c| c.signature_valid(&db.public_key())));
    assert_eq!(stored[1].statement.prev, stored[0].statement.hash());
    assert_eq!(
        db.witness(),
        stored,
        "the witness file holds every checkpoint, in order"
    );

    let summary = store
        .verify(&db.public_key(), db.witness())
        .unwrap()
        .result
        .unwrap();
    assert_eq!(summary.events, 12);
    assert_eq!(summary.checkpoints, 2);
    assert_eq!(summary.last_checkpoint_seq, 10);
    assert_eq!(summary.witnessed_checkpoints, 2);
    assert_eq!(summary.unsealed_events(), 2);
}

fn a_quiet_ledger_is_sealed_once_the_interval_has_passed(db: TestDb) {
    let interval = Duration::from_millis(200);
    let store = db.store_with(CheckpointPolicy {
        every_events: u64::MAX,
        every: interval,
    });

    commit_sites(&store, 1, 3);

    // Nothing more is committed: the writer seals on its own when the interval is up.
    // It appends to the witness file after the checkpoint's transaction commits, so
    // the witness is the last to know.
    eventually(
        Duration::from_secs(15),
        "the three events are sealed and witnessed",
        || db.witness().last().map(|c| c.seq()) == Some(3),
    );
    let events = ledger(&store);
    for checkpoint in stored_checkpoints(&store) {
        let oldest = &events[usize::try_from(checkpoint.statement.first_seq).unwrap() - 1];
        let waited = checkpoint.statement.created_at_us - oldest.recorded_at_us;
        assert!(
            waited >= i64::try_from(interval.as_micros()).unwrap(),
            "checkpoint {} was sealed {waited} µs after its oldest event, before the interval",
            checkpoint.seq()
        );
    }
    assert_eq!(db.witness(), stored_checkpoints(&store));
    let report = store.verify(&db.public_key(), db.witness()).unwrap();
    assert_eq!(report.result.unwrap().unsealed_events(), 0);
}

fn checkpoints_chain_across_a_restart(db: TestDb) {
    let store = db.store_with(every_events(3));
    commit_sites(&store, 1, 4);
    drop(store);

    // Event 4 was left unsealed; the restarted writer counts it towards the next
    // checkpoint and links that checkpoint to the one sealed before the restart.
    let store = db.store_with(every_events(3));
    commit_sites(&store, 5, 2);

    let stored = stored_checkpoints(&store);
    let ranges: Vec<(u64, u64)> = stored
        .iter()
        .map(|c| (c.statement.first_seq, c.seq()))
        .collect();
    assert_eq!(ranges, [(1, 3), (4, 6)]);
    assert_eq!(stored[1].statement.prev, stored[0].statement.hash());
    assert_eq!(db.witness(), stored);
    assert!(
        store
            .verify(&db.public_key(), db.witness())
            .unwrap()
            .intact()
    );
}

fn a_store_without_a_key_seals_nothing_and_still_verifies(db: TestDb) {
    let store = db.unsigned_store();

    commit_sites(&store, 1, 5);

    assert!(stored_checkpoints(&store).is_empty());
    let summary = store
        .verify(&db.public_key(), Vec::new())
        .unwrap()
        .result
        .unwrap();
    assert_eq!(
        (
            summary.events,
            summary.checkpoints,
            summary.unsealed_events()
        ),
        (5, 0, 5)
    );
}
