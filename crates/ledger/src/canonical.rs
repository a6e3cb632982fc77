//! The canonical byte encoding of an event, the exact input of its SHA-256 hash.
//!
//! The encoding is binary and length-prefixed so that no two different events can
//! encode to the same bytes (plain concatenation of text fields would let
//! `("ab", "c")` collide with `("a", "bc")`). All integers are big-endian.
//!
//! | field           | encoding                                              |
//! |-----------------|-------------------------------------------------------|
//! | tag             | the 16 bytes `vplant/event/v1\n`                      |
//! | global sequence | u64                                                   |
//! | stream id       | u32 byte length, then UTF-8                           |
//! | stream version  | u64                                                   |
//! | event type      | u32 byte length, then UTF-8                           |
//! | payload         | u32 byte length, then the stored JSON text, as stored |
//! | actor           | u32 byte length, then UTF-8                           |
//! | reason          | u8 0 when absent; u8 1, u32 byte length, UTF-8        |
//! | server time     | i64 microseconds since 1970-01-01T00:00:00Z           |
//! | previous hash   | 32 bytes (all zero for the first event of a stream)   |
//!
//! The payload is hashed as the exact text that is stored, never re-serialised, so a
//! database that re-orders JSON keys (PostgreSQL `jsonb`) could not be used to store it
//! unnoticed: the store keeps payloads as plain text.

use crate::event::EventFields;

/// Domain-separation tag: the first 16 bytes of every encoded event.
pub const EVENT_TAG: &[u8; 16] = b"vplant/event/v1\n";

/// Appends the canonical encoding of `event` to `out` (cleared first).
pub fn encode_event(event: &EventFields<'_>, out: &mut Vec<u8>) {
    out.clear();
    out.extend_from_slice(EVENT_TAG);
    out.extend_from_slice(&event.seq.to_be_bytes());
    put_text(out, event.stream_id);
    out.extend_from_slice(&event.stream_version.to_be_bytes());
    put_text(out, event.event_type);
    put_text(out, event.payload);
    put_text(out, event.actor);
    match event.reason {
        None => out.push(0),
        Some(reason) => {
            out.push(1);
            put_text(out, reason);
        }
    }
    out.extend_from_slice(&event.recorded_at_us.to_be_bytes());
    out.extend_from_slice(&event.prev_hash.0);
}

fn put_text(out: &mut Vec<u8>, text: &str) {
    // Field lengths are bounded far below 4 GiB by the store's input limits; saturating
    // keeps the encoding total without a panic path.
    let len = u32::try_from(text.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(text.as_bytes());
}
