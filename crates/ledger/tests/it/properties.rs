//! Properties over random ledgers: an untouched ledger always verifies, however it is
//! batched, and any single-byte change to any field of any event is caught at that
//! event.

use proptest::prelude::*;
use proptest::sample::Index;
use vplant_ledger::{FailureKind, LedgerEvent};

use crate::chain::{Chain, public_key};

/// One event to append: which of a few streams, and the free-text fields.
#[derive(Clone, Debug)]
struct Spec {
    stream: usize,
    event_type: String,
    payload: String,
    actor: String,
    reason: Option<String>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        0usize..5,
        "[A-Z][a-zA-Z]{0,20}",
        "[ -~]{1,60}",
        "[a-z][a-z.]{0,15}",
        proptest::option::of("[ -~]{0,30}"),
    )
        .prop_map(|(stream, event_type, payload, actor, reason)| Spec {
            stream,
            event_type,
            payload,
            actor,
            reason,
        })
}

/// A random ledger of 1 to 40 events, sealed every `every` events (or never).
fn ledger() -> impl Strategy<Value = Chain> {
    (
        proptest::collection::vec(spec(), 1..40),
        proptest::option::of(1u64..12),
    )
        .prop_map(|(specs, every)| {
            let streams = [
                "site/BSL",
                "site/CORK",
                "product/ASP-500",
                "batch/B-1",
                "user/ana",
            ];
            let mut chain = Chain::new();
            for (i, s) in specs.iter().enumerate() {
                chain.append_full(
                    streams[s.stream],
                    &s.event_type,
                    &s.payload,
                    &s.actor,
                    s.reason.as_deref(),
                );
                if every.is_some_and(|n| (i as u64 + 1).is_multiple_of(n)) {
                    chain.seal();
                }
            }
            chain
        })
}

/// Every field of a stored event.
#[derive(Clone, Copy, Debug)]
enum Field {
    Seq,
    StreamId,
    StreamVersion,
    EventType,
    Payload,
    Actor,
    Reason,
    RecordedAt,
    PrevHash,
    Hash,
}

fn field() -> impl Strategy<Value = Field> {
    prop_oneof![
        Just(Field::Seq),
        Just(Field::StreamId),
        Just(Field::StreamVersion),
        Just(Field::EventType),
        Just(Field::Payload),
        Just(Field::Actor),
        Just(Field::Reason),
        Just(Field::RecordedAt),
        Just(Field::PrevHash),
        Just(Field::Hash),
    ]
}

/// XORs one byte of `bytes` with `mask` (never zero, so the byte changes).
fn flip(bytes: &mut [u8], at: Index, mask: u8) {
    let i = at.index(bytes.len());
    bytes[i] ^= mask;
}

/// Changes one byte of `field`. Text stays ASCII (the mask is below 0x80), so it
/// stays a valid string; an absent reason becomes present, the one-byte flag.
fn change_one_byte(event: &mut LedgerEvent, field: Field, at: Index, mask: u8) {
    let text = |s: &mut String| {
        let mut bytes = std::mem::take(s).into_bytes();
        flip(&mut bytes, at, mask);
        *s = String::from_utf8(bytes).unwrap();
    };
    match field {
        Field::Seq => {
            let mut b = event.seq.to_be_bytes();
            flip(&mut b, at, mask);
            event.seq = u64::from_be_bytes(b);
        }
        Field::StreamVersion => {
            let mut b = event.stream_version.to_be_bytes();
            flip(&mut b, at, mask);
            event.stream_version = u64::from_be_bytes(b);
        }
        Field::RecordedAt => {
            let mut b = event.recorded_at_us.to_be_bytes();
            flip(&mut b, at, mask);
            event.recorded_at_us = i64::from_be_bytes(b);
        }
        Field::StreamId => text(&mut event.stream_id),
        Field::EventType => text(&mut event.event_type),
        Field::Payload => text(&mut event.payload),
        Field::Actor => text(&mut event.actor),
        Field::Reason => match &mut event.reason {
            Some(reason) if !reason.is_empty() => text(reason),
            Some(_) => event.reason = None,
            None => event.reason = Some(String::new()),
        },
        Field::PrevHash => flip(&mut event.prev_hash.0, at, mask),
        Field::Hash => flip(&mut event.hash.0, at, mask),
    }
}

proptest! {
    #[test]
    fn an_untouched_ledger_verifies_in_any_batching(chain in ledger(), batch in 1usize..50) {
        let summary = chain.verify_with(&public_key(), Vec::new(), batch).unwrap();
        prop_assert_eq!(summary.events, chain.events.len() as u64);
        prop_assert_eq!(summary.checkpoints, chain.checkpoints.len() as u64);
    }

    #[test]
    fn any_single_byte_change_to_any_field_of_any_event_is_caught(
        chain in ledger(),
        which in any::<Index>(),
        field in field(),
        at in any::<Index>(),
        mask in 1u8..0x80,
        batch in 1usize..50,
    ) {
        let mut tampered = chain.clone();
        let i = which.index(tampered.events.len());
        change_one_byte(&mut tampered.events[i], field, at, mask);
        prop_assert_ne!(&tampered.events[i], &chain.events[i]);
        let changed = tampered.events[i].clone();

        let failure = tampered
            .verify_with(&public_key(), Vec::new(), batch)
            .expect_err("a changed byte went unnoticed");

        // Caught at the changed event itself, never later and never earlier.
        prop_assert_eq!(failure.seq, Some(changed.seq), "{}", failure);
        prop_assert_eq!(failure.stream_id.as_deref(), Some(changed.stream_id.as_str()));
        match field {
            Field::Seq => prop_assert!(
                matches!(failure.kind, FailureKind::Missing | FailureKind::OutOfOrder),
                "{:?}", failure.kind
            ),
            _ => prop_assert_eq!(failure.kind, FailureKind::Altered),
        }
    }
}

proptest! {
    /// The store verifies a ledger in chunks on several cores; the verdict must be the
    /// one a single pass gives, whether the ledger is intact or damaged.
    #[test]
    fn chunked_verification_agrees_with_one_pass(
        chain in ledger(),
        damage in proptest::option::of((any::<Index>(), field(), any::<Index>(), 1u8..0x80)),
        parts in 1usize..6,
    ) {
        let mut chain = chain;
        if let Some((which, field, at, mask)) = damage {
            let i = which.index(chain.events.len());
            change_one_byte(&mut chain.events[i], field, at, mask);
        }
        chain.events.sort_by_key(|e| e.seq);
        let one = chain.verify();
        let chunked = chain.verify_in_chunks(parts);
        prop_assert_eq!(one.is_ok(), chunked.is_ok(), "one pass {:?}, chunked {:?}", one, chunked);
        if let (Err(a), Err(b)) = (&one, &chunked) {
            prop_assert_eq!(a.seq, b.seq, "one pass {}, chunked {}", a, b);
        }
    }
}
