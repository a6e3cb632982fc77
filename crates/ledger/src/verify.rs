//! The verifier: proves that a ledger is exactly what was written.
//!
//! It is fed events in global-sequence order, in batches, and checks for each event:
//! the sequence has no gap and does not go back; the stored hash equals the hash of the
//! event's canonical encoding; the stream version is the previous one plus one; the
//! previous-hash link names the stream's last event. At each signed checkpoint it
//! recomputes the Merkle root of the events since the checkpoint before. At the end, a
//! checkpoint (from the database or the witness file) that names a sequence number the
//! ledger never reached means the tail was cut.
//!
//! The hash checks in a batch run on all cores; the linking checks are sequential
//! because each depends on the one before.

use std::collections::HashMap;
use std::fmt;

use crate::checkpoint::Checkpoint;
use crate::event::LedgerEvent;
use crate::hash::Hash;
use crate::keys::PublicKey;
use crate::merkle::merkle_root;

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

struct Expected {
    checkpoint: Checkpoint,
    source: CheckpointSource,
}

/// Streaming ledger verifier. See the module documentation.
pub struct Verifier {
    checkpoints: Vec<Expected>,
    next_checkpoint: usize,
    witnessed: u64,
    next_seq: u64,
    heads: HashMap<String, (u64, Hash)>,
    range: Vec<Hash>,
    threads: usize,
}

impl Verifier {
    /// Checks the checkpoints themselves (signatures, key, their own chain, agreement
    /// between sources) and prepares to check the events.
    pub fn new(
        key: &PublicKey,
        checkpoints: Vec<(Checkpoint, CheckpointSource)>,
    ) -> Result<Verifier, Failure> {
        let witnessed = checkpoints
            .iter()
            .filter(|(_, s)| *s == CheckpointSource::Witness)
            .count() as u64;
        let key_id = key.key_id();
        let mut by_seq: Vec<Expected> = Vec::with_capacity(checkpoints.len());
        let mut sorted = checkpoints;
        sorted.sort_by_key(|(c, _)| c.seq());
        for (checkpoint, source) in sorted {
            let seq = checkpoint.seq();
            if checkpoint.statement.key_id != key_id {
                return Err(checkpoint_failure(
                    FailureKind::WrongKey,
                    seq,
                    format!(
                        "checkpoint in the {source} was signed with key {}, but the key given is {key_id}",
                        checkpoint.statement.key_id
                    ),
                ));
            }
            if !checkpoint.signature_valid(key) {
                return Err(checkpoint_failure(
                    FailureKind::BadSignature,
                    seq,
                    format!(
                        "checkpoint in the {source} has a signature that does not verify: it was forged or altered"
                    ),
                ));
            }
            if let Some(last) = by_seq.last()
                && last.checkpoint.seq() == seq
            {
                if last.checkpoint != checkpoint {
                    return Err(checkpoint_failure(
                        FailureKind::CheckpointConflict,
                        seq,
                        format!(
                            "the {} and the {source} hold different signed checkpoints for this sequence",
                            last.source
                        ),
                    ));
                }
                continue;
            }
            by_seq.push(Expected { checkpoint, source });
        }
        let mut prev_seq = 0u64;
        let mut prev_hash = Hash::ZERO;
        for expected in &by_seq {
            let s = &expected.checkpoint.statement;
            if s.first_seq != prev_seq + 1 || s.prev != prev_hash || s.seq < s.first_seq {
                return Err(checkpoint_failure(
                    FailureKind::CheckpointChainBroken,
                    s.seq,
                    format!(
                        "checkpoint in the {} does not follow the checkpoint at sequence {prev_seq}: a checkpoint between them is missing",
                        expected.source
                    ),
                ));
            }
            prev_seq = s.seq;
            prev_hash = s.hash();
        }
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        Ok(Verifier {
            checkpoints: by_seq,
            next_checkpoint: 0,
            witnessed,
            next_seq: 1,
            heads: HashMap::new(),
            range: Vec::new(),
            threads,
        })
    }

    /// Checks the next events of the ledger, in global-sequence order.
    pub fn feed(&mut self, events: &[LedgerEvent]) -> Result<(), Failure> {
        let first_bad_hash = first_hash_mismatch(events, self.threads);
        for (index, event) in events.iter().enumerate() {
            self.check_sequence(event)?;
            if first_bad_hash == Some(index) {
                return Err(event_failure(
                    FailureKind::Altered,
                    event,
                    "its stored hash does not match its contents: the event was altered after it was written".to_owned(),
                ));
            }
            self.check_link(event)?;
            self.range.push(event.hash);
            self.next_seq = event.seq + 1;
            self.seal_if_checkpoint(event.seq)?;
        }
        Ok(())
    }

    /// Ends verification: fails when a checkpoint knows more events than were fed.
    pub fn finish(self) -> Result<Summary, Failure> {
        let last_seq = self.next_seq - 1;
        if let Some(expected) = self.checkpoints.get(self.next_checkpoint) {
            return Err(checkpoint_failure(
                FailureKind::TailCut,
                last_seq + 1,
                format!(
                    "the ledger ends at sequence {last_seq}, but a signed checkpoint in the {} covers up to sequence {}: events after {last_seq} were removed",
                    expected.source,
                    expected.checkpoint.seq()
                ),
            ));
        }
        let last_checkpoint_seq = self.checkpoints.last().map_or(0, |c| c.checkpoint.seq());
        Ok(Summary {
            events: last_seq,
            streams: self.heads.len() as u64,
            last_seq,
            checkpoints: self.checkpoints.len() as u64,
            last_checkpoint_seq,
            witnessed_checkpoints: self.witnessed,
        })
    }

    fn check_sequence(&self, event: &LedgerEvent) -> Result<(), Failure> {
        if event.seq > self.next_seq {
            let detail = if event.seq == self.next_seq + 1 {
                format!(
                    "event {} is missing: the ledger jumps from {} to {}",
                    self.next_seq,
                    self.next_seq - 1,
                    event.seq
                )
            } else {
                format!(
                    "events {}..={} are missing: the ledger jumps from {} to {}",
                    self.next_seq,
                    event.seq - 1,
                    self.next_seq - 1,
                    event.seq
                )
            };
            return Err(event_failure(FailureKind::Missing, event, detail));
        }
        if event.seq < self.next_seq {
            return Err(event_failure(
                FailureKind::OutOfOrder,
                event,
                format!(
                    "sequence {} comes after {}: events were inserted or reordered",
                    event.seq,
                    self.next_seq - 1
                ),
            ));
        }
        Ok(())
    }

    fn check_link(&mut self, event: &LedgerEvent) -> Result<(), Failure> {
        let (version, head) = self
            .heads
            .get(event.stream_id.as_str())
            .copied()
            .unwrap_or((0, Hash::ZERO));
        if event.stream_version != version + 1 {
            return Err(event_failure(
                FailureKind::StreamVersionGap,
                event,
                format!(
                    "stream version {} follows version {version}: an event of this stream was removed, inserted or reordered",
                    event.stream_version
                ),
            ));
        }
        if event.prev_hash != head {
            return Err(event_failure(
                FailureKind::ChainBroken,
                event,
                "its previous-hash link does not name the stream's previous event: the chain was broken".to_owned(),
            ));
        }
        match self.heads.get_mut(event.stream_id.as_str()) {
            Some(slot) => *slot = (event.stream_version, event.hash),
            None => {
                self.heads
                    .insert(event.stream_id.clone(), (event.stream_version, event.hash));
            }
        }
        Ok(())
    }

    fn seal_if_checkpoint(&mut self, seq: u64) -> Result<(), Failure> {
        let Some(expected) = self.checkpoints.get(self.next_checkpoint) else {
            return Ok(());
        };
        if expected.checkpoint.seq() != seq {
            return Ok(());
        }
        let statement = &expected.checkpoint.statement;
        if merkle_root(&self.range) != statement.range_root {
            return Err(checkpoint_failure(
                FailureKind::RootMismatch,
                seq,
                format!(
                    "the Merkle root of events {}..={seq} does not match the checkpoint signed in the {}: an event in this range was altered, inserted or removed and the hashes recomputed",
                    statement.first_seq, expected.source
                ),
            ));
        }
        self.range.clear();
        self.next_checkpoint += 1;
        Ok(())
    }
}

/// Index of the first event whose stored hash is not the hash of its contents,
/// computed on up to `threads` cores.
fn first_hash_mismatch(events: &[LedgerEvent], threads: usize) -> Option<usize> {
    fn scan(events: &[LedgerEvent], offset: usize) -> Option<usize> {
        let mut buf = Vec::with_capacity(512);
        events
            .iter()
            .position(|e| e.computed_hash(&mut buf) != e.hash)
            .map(|i| i + offset)
    }
    if threads < 2 || events.len() < 2048 {
        return scan(events, 0);
    }
    let chunk = events.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = events
            .chunks(chunk)
            .enumerate()
            .map(|(i, part)| scope.spawn(move || scan(part, i * chunk)))
            .collect();
        handles
            .into_iter()
            .enumerate()
            .filter_map(|(i, h)| {
                h.join().unwrap_or_else(|_| {
                    scan(
                        &events[i * chunk..((i + 1) * chunk).min(events.len())],
                        i * chunk,
                    )
                })
            })
            .min()
    })
}

fn event_failure(kind: FailureKind, event: &LedgerEvent, detail: String) -> Failure {
    Failure {
        kind,
        seq: Some(event.seq),
        stream_id: Some(event.stream_id.clone()),
        detail,
    }
}

fn checkpoint_failure(kind: FailureKind, seq: u64, detail: String) -> Failure {
    Failure {
        kind,
        seq: Some(seq),
        stream_id: None,
        detail,
    }
}
