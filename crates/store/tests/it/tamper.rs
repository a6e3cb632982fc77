//! Tampering: someone who can write to the database but does not hold the signing
//! key drops the append-only triggers and changes history. Every way of doing so is
//! caught by `verify`, which names the kind of damage, the sequence number and, for
//! an event, its stream.

use vplant_domain::projection::Value;
use vplant_ledger::{
    Failure, FailureKind, Hash, LedgerEvent, UnsignedCheckpoint, Verifier, merkle_root,
};
use vplant_store::{APPEND_ONLY_TRIGGERS, Store, VerifyReport};
use vplant_testkit::fixtures::reseal_from;
use vplant_testkit::{Raw, TestDb, block_on, ledger, stored_checkpoints, test_key};

use crate::history;

vplant_testkit::backend_tests!(
    an_untouched_ledger_verifies,
    dropped_triggers_alone_are_reported,
    an_altered_payload_is_caught,
    an_event_deleted_from_the_middle_is_caught,
    a_forged_event_slipped_in_before_the_first_is_caught,
    a_forged_event_that_does_not_link_to_its_stream_is_caught,
    swapped_events_are_caught,
    swapped_events_with_recomputed_hashes_are_caught_by_the_signed_merkle_root,
    a_cut_tail_is_caught_by_a_remaining_database_checkpoint,
    a_cut_tail_with_its_checkpoints_deleted_is_caught_by_the_witness_file,
    recomputed_hashes_after_an_edit_are_caught_by_the_signed_merkle_root,
    recomputed_hashes_with_the_checkpoints_deleted_are_caught_by_the_witness_file,
    a_checkpoint_deleted_from_the_middle_is_caught,
    a_forged_checkpoint_signature_is_caught,
    a_checkpoint_re_signed_with_another_key_is_caught,
);

/// The history, with the append-only triggers dropped: the attacker's starting point.
fn unprotected(db: &TestDb) -> (Store, Raw) {
    let store = history::recorded(db);
    let mut raw = db.raw();
    raw.drop_append_only_triggers();
    (store, raw)
}

fn verify(db: &TestDb, store: &Store, with_witness: bool) -> VerifyReport {
    let witness = if with_witness {
        db.witness()
    } else {
        Vec::new()
    };
    store.verify(&db.public_key(), witness).unwrap()
}

/// Asserts that the report names `kind` at `seq` (and `stream`), and the dropped
/// triggers; returns the failure for checks of its message.
fn caught(report: VerifyReport, kind: FailureKind, seq: u64, stream: Option<&str>) -> Failure {
    assert_eq!(report.missing_triggers, APPEND_ONLY_TRIGGERS);
    let failure = report.result.expect_err("the tampering was not caught");
    assert_eq!(
        (failure.kind, failure.seq, failure.stream_id.as_deref()),
        (kind, Some(seq), stream),
        "reported: {failure}"
    );
    failure
}

fn an_untouched_ledger_verifies(db: TestDb) {
    let store = history::recorded(&db);

    for with_witness in [false, true] {
        let report = verify(&db, &store, with_witness);
        assert!(report.intact(), "{report:?}");
        let summary = report.result.unwrap();
        assert_eq!((summary.events, summary.streams), (history::EVENTS, 4));
        assert_eq!(summary.last_checkpoint_seq, history::CHECKPOINTS[1]);
        assert_eq!(
            summary.witnessed_checkpoints,
            if with_witness { 2 } else { 0 }
        );
    }
}

fn dropped_triggers_alone_are_reported(db: TestDb) {
    let (store, _raw) = unprotected(&db);

    let report = verify(&db, &store, true);

    assert!(
        report.result.is_ok(),
        "no event was touched: {:?}",
        report.result
    );
    assert_eq!(report.missing_triggers, APPEND_ONLY_TRIGGERS);
    assert!(!report.intact());
}

fn an_altered_payload_is_caught(db: TestDb) {
    let (store, mut raw) = unprotected(&db);

    raw.execute(
        "UPDATE ledger SET payload = $1 WHERE seq = 5",
        &[Value::Text(
            r#"{"from":"Aspirin","to":"Placebo"}"#.to_owned(),
        )],
    )
    .unwrap();

    for with_witness in [false, true] {
        let failure = caught(
            verify(&db, &store, with_witness),
            FailureKind::Altered,
            5,
            Some("product/ASP-500"),
        );
        assert!(failure.detail.contains("altered"), "{failure}");
    }
}

fn an_event_deleted_from_the_middle_is_caught(db: TestDb) {
    let (store, mut raw) = unprotected(&db);

    raw.execute("DELETE FROM ledger WHERE seq = 6", &[])
        .unwrap();

    let failure = caught(
        verify(&db, &store, false),
        FailureKind::Missing,
        7,
        Some("site/BSL"),
    );
    assert!(failure.detail.contains("event 6 is missing"), "{failure}");
}

fn a_forged_event_slipped_in_before_the_first_is_caught(db: TestDb) {
    let (store, mut raw) = unprotected(&db);
    let first = ledger(&store)[0].clone();

    // A well-formed event numbered 0, before BSL's registration: it shows in the
    // site's history, so verify must not skip it because scanning starts at 1.
    let mut forged = LedgerEvent {
        seq: 0,
        stream_version: 0,
        payload: r#"{"code":"BSL","country":"CH","kind":"internal","name":"Forged Basel"}"#
            .to_owned(),
        ..first
    };
    forged.hash = forged.computed_hash(&mut Vec::new());
    raw.insert_event(&forged);
    assert_eq!(block_on(store.stream("site/BSL")).unwrap()[0], forged);

    caught(
        verify(&db, &store, true),
        FailureKind::OutOfOrder,
        0,
        Some("site/BSL"),
    );
}

fn a_forged_event_that_does_not_link_to_its_stream_is_caught(db: TestDb) {
    let (store, mut raw) = unprotected(&db);
    let events = ledger(&store);

    // Appended as BSL's fifth event, but linked to its third (the deactivation), as if
    // the reactivation at sequence 9 had never happened. Its own hash is correct.
    let mut forged = LedgerEvent {
        seq: 11,
        stream_version: 5,
        event_type: "SiteRenamed".to_owned(),
        payload: r#"{"from":"Basel Campus","to":"Basel Closed"}"#.to_owned(),
        prev_hash: events[6].hash,
        ..events[8].clone()
    };
    forged.hash = forged.computed_hash(&mut Vec::new());
    raw.insert_event(&forged);

    let failure = caught(
        verify(&db, &store, true),
        FailureKind::ChainBroken,
        11,
        Some("site/BSL"),
    );
    assert!(failure.detail.contains("previous-hash link"), "{failure}");
}

/// Puts the contents of event `a` at sequence `b` and the other way round.
fn swap(raw: &mut Raw, events: &[LedgerEvent], a: u64, b: u64) -> (LedgerEvent, LedgerEvent) {
    let at = |seq: u64| events[usize::try_from(seq).unwrap() - 1].clone();
    let moved_to_a = LedgerEvent { seq: a, ..at(b) };
    let moved_to_b = LedgerEvent { seq: b, ..at(a) };
    // Park row `a` under a stream of its own first: each stream version is unique.
    raw.execute(
        "UPDATE ledger SET stream_id = 'parked' WHERE seq = $1",
        &[Value::Int(i64::try_from(a).unwrap())],
    )
    .unwrap();
    raw.overwrite_event(&moved_to_b);
    raw.overwrite_event(&moved_to_a);
    (moved_to_a, moved_to_b)
}

fn swapped_events_are_caught(db: TestDb) {
    let (store, mut raw) = unprotected(&db);

    swap(&mut raw, &ledger(&store), 2, 3);

    // The sequence number is part of what an event's hash covers.
    caught(
        verify(&db, &store, false),
        FailureKind::Altered,
        2,
        Some("product/ASP-500"),
    );
}

fn swapped_events_with_recomputed_hashes_are_caught_by_the_signed_merkle_root(db: TestDb) {
    let (store, mut raw) = unprotected(&db);
    let mut events = ledger(&store);
    swap(&mut raw, &events, 2, 3);

    events.swap(1, 2);
    events[1].seq = 2;
    events[2].seq = 3;
    for event in reseal_from(&mut events, 2) {
        raw.overwrite_event(&event);
    }

    assert_eq!(ledger(&store), events);
    let failure = caught(
        verify(&db, &store, false),
        FailureKind::RootMismatch,
        4,
        None,
    );
    assert!(
        failure.detail.contains("Merkle root of events 1..=4"),
        "{failure}"
    );
}

fn a_cut_tail_is_caught_by_a_remaining_database_checkpoint(db: TestDb) {
    let (store, mut raw) = unprotected(&db);

    raw.execute("DELETE FROM ledger WHERE seq >= 7", &[])
        .unwrap();

    let failure = caught(verify(&db, &store, false), FailureKind::TailCut, 7, None);
    assert!(
        failure.detail.contains("database covers up to sequence 8"),
        "{failure}"
    );
}

fn a_cut_tail_with_its_checkpoints_deleted_is_caught_by_the_witness_file(db: TestDb) {
    let (store, mut raw) = unprotected(&db);

    raw.execute("DELETE FROM ledger WHERE seq >= 7", &[])
        .unwrap();
    raw.execute("DELETE FROM checkpoints WHERE seq >= 7", &[])
        .unwrap();

    // The database alone now tells a consistent, shorter story …
    let alone = verify(&db, &store, false);
    assert_eq!(alone.result.map(|s| s.events), Ok(6));
    // … which the witness file, kept outside the database, contradicts.
    let failure = caught(verify(&db, &store, true), FailureKind::TailCut, 7, None);
    assert!(
        failure
            .detail
            .contains("witness file covers up to sequence 8"),
        "{failure}"
    );
}

/// Renames BSL to something else at sequence 4 and recomputes every hash after it,
/// as an attacker who has the ledger code but not the key would.
fn rewrite_history(store: &Store, raw: &mut Raw) -> Vec<LedgerEvent> {
    let mut events = ledger(store);
    events[3].payload = r#"{"from":"Basel","to":"Basel Annex"}"#.to_owned();
    let rewritten = reseal_from(&mut events, 4);
    for event in &rewritten {
        raw.overwrite_event(event);
    }
    assert_eq!(ledger(store), events);
    // Every hash and every link checks out; only the signed checkpoints remember.
    let mut unsigned = Verifier::new(&test_key().public_key(), Vec::new()).unwrap();
    unsigned.feed(&events).unwrap();
    assert_eq!(unsigned.finish().unwrap().events, history::EVENTS);
    events
}

fn recomputed_hashes_after_an_edit_are_caught_by_the_signed_merkle_root(db: TestDb) {
    let (store, mut raw) = unprotected(&db);

    rewrite_history(&store, &mut raw);

    let failure = caught(
        verify(&db, &store, false),
        FailureKind::RootMismatch,
        4,
        None,
    );
    assert!(
        failure.detail.contains("signed in the database"),
        "{failure}"
    );
}

fn recomputed_hashes_with_the_checkpoints_deleted_are_caught_by_the_witness_file(db: TestDb) {
    let (store, mut raw) = unprotected(&db);

    rewrite_history(&store, &mut raw);
    raw.execute("DELETE FROM checkpoints", &[]).unwrap();

    let alone = verify(&db, &store, false);
    assert!(
        alone.result.is_ok(),
        "without checkpoints the database alone cannot tell"
    );
    let failure = caught(
        verify(&db, &store, true),
        FailureKind::RootMismatch,
        4,
        None,
    );
    assert!(
        failure.detail.contains("signed in the witness file"),
        "{failure}"
    );
}

fn a_checkpoint_deleted_from_the_middle_is_caught(db: TestDb) {
    let (store, mut raw) = unprotected(&db);

    raw.execute("DELETE FROM checkpoints WHERE seq = 4", &[])
        .unwrap();

    caught(
        verify(&db, &store, false),
        FailureKind::CheckpointChainBroken,
        8,
        None,
    );
}

fn a_forged_checkpoint_signature_is_caught(db: TestDb) {
    let (store, mut raw) = unprotected(&db);
    let mut signature = stored_checkpoints(&store)[1].signature.clone();
    signature[17] ^= 0x40;

    raw.execute(
        "UPDATE checkpoints SET signature = $1 WHERE seq = 8",
        &[Value::Bytes(signature)],
    )
    .unwrap();

    let failure = caught(
        verify(&db, &store, false),
        FailureKind::BadSignature,
        8,
        None,
    );
    assert!(failure.detail.contains("forged or altered"), "{failure}");
}

fn a_checkpoint_re_signed_with_another_key_is_caught(db: TestDb) {
    let (store, mut raw) = unprotected(&db);
    let events = rewrite_history(&store, &mut raw);
    let original = stored_checkpoints(&store);

    // The attacker re-seals events 1..=4 with a key of their own: first under its own
    // key id, then pretending to be the ledger's key.
    let attacker = test_key();
    let leaves: Vec<Hash> = events[..4].iter().map(|e| e.hash).collect();
    let statement = UnsignedCheckpoint {
        range_root: merkle_root(&leaves),
        key_id: attacker.public_key().key_id(),
        ..original[0].statement.clone()
    };
    let forged = statement.clone().sign(&attacker);
    let store_checkpoint = |raw: &mut Raw, c: &vplant_ledger::Checkpoint| {
        raw.execute(
            "UPDATE checkpoints SET range_root = $1, key_id = $2, signature = $3 WHERE seq = 4",
            &[
                Value::Bytes(c.statement.range_root.0.to_vec()),
                Value::Text(c.statement.key_id.clone()),
                Value::Bytes(c.signature.clone()),
            ],
        )
        .unwrap();
    };

    store_checkpoint(&mut raw, &forged);
    caught(verify(&db, &store, false), FailureKind::WrongKey, 4, None);

    let pretending = UnsignedCheckpoint {
        key_id: db.public_key().key_id(),
        ..statement
    }
    .sign(&attacker);
    store_checkpoint(&mut raw, &pretending);
    caught(
        verify(&db, &store, false),
        FailureKind::BadSignature,
        4,
        None,
    );
}
