//! Verifying one contiguous run of the ledger on its own, so that runs can be checked
//! on different cores at once.
//!
//! A chunk checks everything it can see by itself: the sequence has no gap and does
//! not go back, each stored hash is the hash of the event's contents, versions and
//! links within each stream, and the Merkle root of every checkpoint whose events it
//! holds (chunks start right after a checkpoint). What it cannot see — whether the
//! first event of a stream in this chunk follows the stream's last event in an
//! earlier chunk — it hands over as an [`Entry`], and [`crate::join`] checks it.

use std::collections::HashMap;
use std::sync::Arc;

use crate::event::EventFields;
use crate::failure::{Failure, FailureKind, checkpoint_failure, event_failure};
use crate::hash::Hash;
use crate::merkle::merkle_root;
use crate::plan::Plan;

/// The first event of a stream seen in a chunk that does not start the ledger.
#[derive(Clone, Debug)]
pub struct Entry {
    pub seq: u64,
    pub stream_id: String,
    pub version: u64,
    pub prev: Hash,
}

/// What a chunk found.
#[derive(Debug)]
pub struct ChunkResult {
    /// Where the chunk was meant to start.
    pub start: u64,
    /// The last sequence number it checked (`start - 1` when it held nothing).
    pub last_seq: u64,
    /// The first problem, if any; the chunk stopped there.
    pub failure: Option<Failure>,
    /// Each stream's last version and hash in this chunk.
    pub heads: HashMap<String, (u64, Hash)>,
    /// Streams whose first event here must follow an earlier chunk.
    pub entries: Vec<Entry>,
}

pub struct ChunkVerifier {
    plan: Arc<Plan>,
    start: u64,
    next_seq: u64,
    next_checkpoint: usize,
    heads: HashMap<String, (u64, Hash)>,
    entries: Vec<Entry>,
    leaves: Vec<Hash>,
    buf: Vec<u8>,
    failure: Option<Failure>,
}

impl ChunkVerifier {
    /// A chunk whose first event must be `start` (1 for the whole ledger, otherwise
    /// the event right after a checkpoint).
    pub fn new(plan: Arc<Plan>, start: u64) -> ChunkVerifier {
        let next_checkpoint = plan.first_checkpoint_from(start);
        ChunkVerifier {
            plan,
            start,
            next_seq: start,
            next_checkpoint,
            heads: HashMap::new(),
            entries: Vec::new(),
            leaves: Vec::new(),
            buf: Vec::with_capacity(512),
            failure: None,
        }
    }

    /// Checks the next event; `computed` is the hash of its contents when the caller
    /// already has it (computed on another core), `None` to compute it here. Returns
    /// false once a problem was found (the chunk stops there).
    pub fn push(&mut self, event: &EventFields<'_>, stored: Hash, computed: Option<Hash>) -> bool {
        if self.failure.is_some() {
            return false;
        }
        match self.check(event, stored, computed) {
            Ok(()) => true,
            Err(failure) => {
                self.failure = Some(failure);
                false
            }
        }
    }

    /// The problem found so far, if any.
    pub fn failure(&self) -> Option<&Failure> {
        self.failure.as_ref()
    }

    pub fn finish(self) -> ChunkResult {
        ChunkResult {
            start: self.start,
            last_seq: self.next_seq - 1,
            failure: self.failure,
            heads: self.heads,
            entries: self.entries,
        }
    }

    fn check(
        &mut self,
        event: &EventFields<'_>,
        stored: Hash,
        computed: Option<Hash>,
    ) -> Result<(), Failure> {
        self.check_sequence(event)?;
        let computed = match computed {
            Some(hash) => hash,
            None => event.hash_with(&mut self.buf),
        };
        if computed != stored {
            return Err(event_failure(
                FailureKind::Altered,
                event,
                "its stored hash does not match its contents: the event was altered after it was written".to_owned(),
            ));
        }
        self.check_link(event, stored)?;
        self.leaves.push(stored);
        self.next_seq = event.seq + 1;
        self.seal_if_checkpoint(event.seq)
    }

    fn check_sequence(&self, event: &EventFields<'_>) -> Result<(), Failure> {
        if event.seq > self.next_seq {
            let detail = gap(self.next_seq - 1, event.seq);
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

    fn check_link(&mut self, event: &EventFields<'_>, hash: Hash) -> Result<(), Failure> {
        let Some(slot) = self.heads.get_mut(event.stream_id) else {
            if self.start == 1 {
                link(event, 0, Hash::ZERO)?;
            } else {
                self.entries.push(Entry {
                    seq: event.seq,
                    stream_id: event.stream_id.to_owned(),
                    version: event.stream_version,
                    prev: event.prev_hash,
                });
            }
            self.heads
                .insert(event.stream_id.to_owned(), (event.stream_version, hash));
            return Ok(());
        };
        link(event, slot.0, slot.1)?;
        *slot = (event.stream_version, hash);
        Ok(())
    }

    fn seal_if_checkpoint(&mut self, seq: u64) -> Result<(), Failure> {
        let Some(expected) = self.plan.checkpoints.get(self.next_checkpoint) else {
            return Ok(());
        };
        if expected.checkpoint.seq() != seq {
            return Ok(());
        }
        let statement = &expected.checkpoint.statement;
        if merkle_root(&self.leaves) != statement.range_root {
            return Err(checkpoint_failure(
                FailureKind::RootMismatch,
                seq,
                format!(
                    "the Merkle root of events {}..={seq} does not match the checkpoint signed in the {}: an event in this range was altered, inserted or removed and the hashes recomputed",
                    statement.first_seq, expected.source
                ),
            ));
        }
        self.leaves.clear();
        self.next_checkpoint += 1;
        Ok(())
    }
}

/// Checks that `event` follows the stream's previous event at (`version`, `head`).
pub(crate) fn link(event: &EventFields<'_>, version: u64, head: Hash) -> Result<(), Failure> {
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
    Ok(())
}

/// What a gap in the sequence says: the ledger jumps from `reached` to `next`. One
/// pass and the join of chunks both report it at `next`, the event after the gap.
pub(crate) fn gap(reached: u64, next: u64) -> String {
    if next == reached + 2 {
        format!(
            "event {} is missing: the ledger jumps from {reached} to {next}",
            reached + 1
        )
    } else {
        format!(
            "events {}..={} are missing: the ledger jumps from {reached} to {next}",
            reached + 1,
            next - 1
        )
    }
}
