//! The per-event checks: sequence, hash, stream version and previous-hash link, each
//! failure named with its kind, sequence number and stream.

use vplant_ledger::{FailureKind, Hash, LedgerEvent};

use crate::chain::{Chain, public_key};

fn kind_seq_stream(chain: &Chain) -> (FailureKind, Option<u64>, Option<String>) {
    let failure = chain.verify().expect_err("the damage was not caught");
    (failure.kind, failure.seq, failure.stream_id)
}

fn at(kind: FailureKind, seq: u64, stream: &str) -> (FailureKind, Option<u64>, Option<String>) {
    (kind, Some(seq), Some(stream.to_owned()))
}

#[test]
fn an_intact_chain_verifies_and_is_summarised() {
    let chain = Chain::of(10, 4);

    let summary = chain.verify().unwrap();

    assert_eq!(summary.events, 10);
    assert_eq!(summary.last_seq, 10);
    assert_eq!(summary.streams, 3);
    assert_eq!(summary.checkpoints, 2);
    assert_eq!(summary.last_checkpoint_seq, 8);
    assert_eq!(summary.unsealed_events(), 2);
    assert_eq!(summary.witnessed_checkpoints, 0);
}

#[test]
fn an_empty_ledger_verifies() {
    let summary = Chain::new().verify().unwrap();
    assert_eq!(
        (summary.events, summary.streams, summary.checkpoints),
        (0, 0, 0)
    );
}

#[test]
fn the_verdict_does_not_depend_on_how_events_are_batched() {
    let intact = Chain::of(30, 7);
    let mut altered = intact.clone();
    altered.event_mut(17).actor = "intruder".to_owned();

    for batch in [1, 2, 7, 16, 30, 100] {
        let summary = intact
            .verify_with(&public_key(), Vec::new(), batch)
            .unwrap();
        assert_eq!(summary.events, 30, "batch {batch}");
        let failure = altered
            .verify_with(&public_key(), Vec::new(), batch)
            .unwrap_err();
        assert_eq!(
            (failure.kind, failure.seq),
            (FailureKind::Altered, Some(17)),
            "batch {batch}"
        );
    }
}

#[test]
fn an_altered_event_is_caught_at_that_event() {
    let mut chain = Chain::of(10, 4);

    chain.event_mut(6).payload = r#"{"n":600}"#.to_owned();

    assert_eq!(
        kind_seq_stream(&chain),
        at(FailureKind::Altered, 6, "batch/B-0001")
    );
    let failure = chain.verify().unwrap_err();
    assert_eq!(
        failure.to_string(),
        "event 6 (stream batch/B-0001): its stored hash does not match its contents: the event was altered after it was written"
    );
}

#[test]
fn a_changed_stored_hash_is_caught_as_an_alteration() {
    let mut chain = Chain::of(10, 4);

    chain.event_mut(10).hash = Hash([7; 32]);

    assert_eq!(
        kind_seq_stream(&chain),
        at(FailureKind::Altered, 10, "site/BSL")
    );
}

#[test]
fn a_removed_event_is_caught_at_the_next_one() {
    let mut chain = Chain::of(10, 100);

    chain.events.remove(4);

    assert_eq!(
        kind_seq_stream(&chain),
        at(FailureKind::Missing, 6, "batch/B-0001")
    );
    assert!(
        chain
            .verify()
            .unwrap_err()
            .detail
            .contains("event 5 is missing")
    );
    chain.events.remove(4);
    let failure = chain.verify().unwrap_err();
    assert_eq!((failure.kind, failure.seq), (FailureKind::Missing, Some(7)));
    assert!(
        failure.detail.contains("events 5..=6 are missing"),
        "{failure}"
    );
}

#[test]
fn a_repeated_or_earlier_sequence_number_is_caught() {
    let mut repeated = Chain::of(6, 100);
    let copy = repeated.events[2].clone();
    repeated.events.insert(3, copy);
    assert_eq!(
        kind_seq_stream(&repeated),
        at(FailureKind::OutOfOrder, 3, "batch/B-0001")
    );

    let mut reordered = Chain::of(6, 100);
    reordered.events.swap(2, 3);
    assert_eq!(
        kind_seq_stream(&reordered),
        at(FailureKind::Missing, 4, "site/BSL")
    );
}

#[test]
fn a_skipped_stream_version_is_caught() {
    let mut chain = Chain::new();
    chain.append("site/BSL", "SiteRegistered", "{}");
    chain.append("site/BSL", "SiteRenamed", "{}");

    // The second event links to the first and its hash is right, but it claims
    // version 3: version 2 is missing from the stream.
    let second = chain.event_mut(2);
    second.stream_version = 3;
    second.hash = second.computed_hash(&mut Vec::new());

    assert_eq!(
        kind_seq_stream(&chain),
        at(FailureKind::StreamVersionGap, 2, "site/BSL")
    );
}

#[test]
fn a_link_to_anything_but_the_previous_event_of_the_stream_is_caught() {
    let mut chain = Chain::new();
    chain.append("site/BSL", "SiteRegistered", "{}");
    chain.append("site/CORK", "SiteRegistered", "{}");
    let cork = chain.events[1].hash;
    chain.append("site/BSL", "SiteRenamed", "{}");

    let third = chain.event_mut(3);
    third.prev_hash = cork;
    third.hash = third.computed_hash(&mut Vec::new());

    assert_eq!(
        kind_seq_stream(&chain),
        at(FailureKind::ChainBroken, 3, "site/BSL")
    );
}

#[test]
fn an_event_moved_to_another_stream_is_caught() {
    let mut chain = Chain::of(6, 100);

    let moved = chain.event_mut(4);
    moved.stream_id = "site/CORK".to_owned();
    moved.hash = moved.computed_hash(&mut Vec::new());

    // CORK has no events: the moved one would have to be its version 1.
    assert_eq!(
        kind_seq_stream(&chain),
        at(FailureKind::StreamVersionGap, 4, "site/CORK")
    );
}

#[test]
fn the_first_of_several_altered_events_is_named_in_a_large_parallel_batch() {
    // Large enough that the hashes are checked on several threads.
    let mut chain = Chain::of(6_000, 6_000);
    chain.event_mut(5_500).actor = "late".to_owned();
    chain.event_mut(1_500).actor = "early".to_owned();
    chain.event_mut(4_000).actor = "middle".to_owned();

    let failure = chain
        .verify_with(&public_key(), Vec::new(), 6_000)
        .unwrap_err();

    assert_eq!(
        (failure.kind, failure.seq),
        (FailureKind::Altered, Some(1_500))
    );
}

#[test]
fn a_first_event_that_does_not_start_its_stream_is_caught() {
    let mut chain = Chain::new();
    chain.append("site/BSL", "SiteRegistered", "{}");
    let first: &mut LedgerEvent = chain.event_mut(1);
    first.prev_hash = Hash([1; 32]);
    first.hash = first.computed_hash(&mut Vec::new());

    assert_eq!(
        kind_seq_stream(&chain),
        at(FailureKind::ChainBroken, 1, "site/BSL")
    );
}
