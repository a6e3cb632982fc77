//! What the verifier reports: the kinds of damage, the first problem found, and the
//! summary of an intact ledger.

use std::fmt;

use crate::event::EventFields;

/// Where a checkpoint given to the verifier came from; named in findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckpointSource {
    Database,
    Witness,
    Archive,
}

impl fmt::Display for CheckpointSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CheckpointSource::Database => "database",
            CheckpointSource::Witness => "witness file",
            CheckpointSource::Archive => "archive",
        })
    }
}

/// What kind of damage the verifier found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// The stored hash does not match the event's contents: the event was edited.
    Altered,
    /// The global sequence jumps: events were removed.
    Missing,
    /// The global sequence repeats or goes back: events were inserted or reordered.
    OutOfOrder,
    /// The stream version is not the previous one plus one.
    StreamVersionGap,
    /// The previous-hash link does not name the stream's last event.
    ChainBroken,
    /// A checkpoint's Merkle root does not match the events it covers.
    RootMismatch,
    /// A checkpoint's signature does not verify with the public key.
    BadSignature,
    /// A checkpoint was signed with a different key than the one given.
    WrongKey,
    /// The chain of checkpoints has a hole or a bad link.
    CheckpointChainBroken,
    /// Two sources hold different checkpoints for the same sequence number.
    CheckpointConflict,
    /// A checkpoint knows events the ledger no longer holds.
    TailCut,
}

/// The first problem found, with where it is and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub kind: FailureKind,
    pub seq: Option<u64>,
    pub stream_id: Option<String>,
    pub detail: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.seq, &self.stream_id) {
            (Some(seq), Some(stream)) => write!(f, "event {seq} (stream {stream}): ")?,
            (Some(seq), None) => write!(f, "sequence {seq}: ")?,
            _ => {}
        }
        f.write_str(&self.detail)
    }
}

impl std::error::Error for Failure {}

/// What an intact ledger holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub events: u64,
    pub streams: u64,
    pub last_seq: u64,
    pub checkpoints: u64,
    pub last_checkpoint_seq: u64,
    /// Checkpoints that came from the witness file (0 when none was given).
    pub witnessed_checkpoints: u64,
}

impl Summary {
    /// Events after the newest checkpoint: protected by their hash chains, not yet by a
    /// signature.
    pub fn unsealed_events(&self) -> u64 {
        self.last_seq - self.last_checkpoint_seq
    }
}

pub(crate) fn event_failure(kind: FailureKind, event: &EventFields<'_>, detail: String) -> Failure {
    Failure {
        kind,
        seq: Some(event.seq),
        stream_id: Some(event.stream_id.to_owned()),
        detail,
    }
}

pub(crate) fn checkpoint_failure(kind: FailureKind, seq: u64, detail: String) -> Failure {
    Failure {
        kind,
        seq: Some(seq),
        stream_id: None,
        detail,
    }
}
