//! The canonical encoding an event's hash is computed over: fixed, unambiguous, and
//! the same on every machine for as long as ledgers written with it exist.

use vplant_ledger::{EVENT_TAG, EventFields, Hash, encode_event};

fn fields() -> EventFields<'static> {
    EventFields {
        seq: 42,
        stream_id: "site/BSL",
        stream_version: 3,
        event_type: "SiteRenamed",
        payload: r#"{"from":"Basel","to":"Basel Campus"}"#,
        actor: "qa.tester",
        reason: Some("new campus name"),
        recorded_at_us: 1_795_277_619_123_456,
        prev_hash: Hash([0xab; 32]),
    }
}

fn encoded(fields: &EventFields<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    encode_event(fields, &mut out);
    out
}

#[test]
fn the_encoding_is_laid_out_as_documented() {
    let bytes = encoded(&fields());

    let mut expected = EVENT_TAG.to_vec();
    expected.extend_from_slice(&42u64.to_be_bytes());
    expected.extend_from_slice(&8u32.to_be_bytes());
    expected.extend_from_slice(b"site/BSL");
    expected.extend_from_slice(&3u64.to_be_bytes());
    expected.extend_from_slice(&11u32.to_be_bytes());
    expected.extend_from_slice(b"SiteRenamed");
    expected.extend_from_slice(&36u32.to_be_bytes());
    expected.extend_from_slice(br#"{"from":"Basel","to":"Basel Campus"}"#);
    expected.extend_from_slice(&9u32.to_be_bytes());
    expected.extend_from_slice(b"qa.tester");
    expected.push(1);
    expected.extend_from_slice(&15u32.to_be_bytes());
    expected.extend_from_slice(b"new campus name");
    expected.extend_from_slice(&1_795_277_619_123_456i64.to_be_bytes());
    expected.extend_from_slice(&[0xab; 32]);
    assert_eq!(bytes, expected);
}

#[test]
fn the_hash_of_a_known_event_never_changes() {
    // Pinned (computed independently of this crate, from the documented layout): a
    // change here would make every ledger ever written fail to verify.
    assert_eq!(
        fields().hash().to_hex(),
        "5b5813322618213ef716674f69ea46999aa1f31276a3d738f5a8f35043939577"
    );
}

#[test]
fn moving_bytes_between_adjacent_fields_changes_the_encoding() {
    let base = fields();
    let shifted = EventFields {
        event_type: "SiteRenamed{",
        payload: r#""from":"Basel","to":"Basel Campus"}"#,
        ..base
    };
    assert_ne!(encoded(&base), encoded(&shifted));
    assert_ne!(base.hash(), shifted.hash());
}

#[test]
fn an_absent_reason_differs_from_an_empty_one() {
    let absent = EventFields {
        reason: None,
        ..fields()
    };
    let empty = EventFields {
        reason: Some(""),
        ..fields()
    };
    assert_ne!(absent.hash(), empty.hash());
}

#[test]
fn the_payload_is_hashed_as_stored_not_as_json() {
    // The same JSON object with its keys in another order is another event: a
    // database that re-orders keys would break the hash, not go unnoticed.
    let reordered = EventFields {
        payload: r#"{"to":"Basel Campus","from":"Basel"}"#,
        ..fields()
    };
    assert_ne!(fields().hash(), reordered.hash());
}
