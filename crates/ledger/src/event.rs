//! A ledger event as stored: its fields, its link to the previous event of its stream,
//! and its own hash.

use serde::{Deserialize, Serialize};

use crate::canonical::encode_event;
use crate::hash::{Hash, sha256};

/// The fields covered by an event's hash, borrowed.
#[derive(Clone, Copy, Debug)]
pub struct EventFields<'a> {
    pub seq: u64,
    pub stream_id: &'a str,
    pub stream_version: u64,
    pub event_type: &'a str,
    pub payload: &'a str,
    pub actor: &'a str,
    pub reason: Option<&'a str>,
    pub recorded_at_us: i64,
    pub prev_hash: Hash,
}

impl EventFields<'_> {
    /// The SHA-256 of the canonical encoding; `buf` is scratch space reused between
    /// calls so that hashing a long ledger does not allocate per event.
    pub fn hash_with(&self, buf: &mut Vec<u8>) -> Hash {
        encode_event(self, buf);
        sha256(buf)
    }

    pub fn hash(&self) -> Hash {
        self.hash_with(&mut Vec::with_capacity(256))
    }
}

/// One row of the ledger.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEvent {
    pub seq: u64,
    pub stream_id: String,
    pub stream_version: u64,
    pub event_type: String,
    pub payload: String,
    pub actor: String,
    pub reason: Option<String>,
    pub recorded_at_us: i64,
    pub prev_hash: Hash,
    pub hash: Hash,
}

impl LedgerEvent {
    /// Builds the stored form of a new event: computes its hash over its fields and
    /// its link to the stream's previous event.
    pub fn seal(fields: EventFields<'_>, buf: &mut Vec<u8>) -> LedgerEvent {
        let hash = fields.hash_with(buf);
        LedgerEvent {
            seq: fields.seq,
            stream_id: fields.stream_id.to_owned(),
            stream_version: fields.stream_version,
            event_type: fields.event_type.to_owned(),
            payload: fields.payload.to_owned(),
            actor: fields.actor.to_owned(),
            reason: fields.reason.map(str::to_owned),
            recorded_at_us: fields.recorded_at_us,
            prev_hash: fields.prev_hash,
            hash,
        }
    }

    pub fn fields(&self) -> EventFields<'_> {
        EventFields {
            seq: self.seq,
            stream_id: &self.stream_id,
            stream_version: self.stream_version,
            event_type: &self.event_type,
            payload: &self.payload,
            actor: &self.actor,
            reason: self.reason.as_deref(),
            recorded_at_us: self.recorded_at_us,
            prev_hash: self.prev_hash,
        }
    }

    /// The hash this event should carry, recomputed from its fields.
    pub fn computed_hash(&self, buf: &mut Vec<u8>) -> Hash {
        self.fields().hash_with(buf)
    }
}
