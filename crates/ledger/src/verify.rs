//! Joining chunk results into one verdict, and the streaming [`Verifier`] for a ledger
//! read in one pass (an archive).
//!
//! For every event the checks are: the sequence has no gap and does not go back; the
//! stored hash equals the hash of the event's canonical encoding; the stream version
//! is the previous one plus one; the previous-hash link names the stream's last
//! event. At each signed checkpoint the Merkle root of the events since the one
//! before is recomputed. At the end, a checkpoint (from the database or the witness
//! file) that names a sequence number the ledger never reached means the tail was cut.
//! The first problem by sequence number is reported.

use std::collections::HashMap;
use std::sync::Arc;

use crate::checkpoint::Checkpoint;
use crate::chunk::{ChunkResult, ChunkVerifier, gap, link};
use crate::event::{EventFields, LedgerEvent};
use crate::failure::{CheckpointSource, Failure, FailureKind, Summary, checkpoint_failure};
use crate::hash::Hash;
use crate::keys::PublicKey;
use crate::plan::Plan;

/// Joins the results of the chunks of one ledger (in any order) into the verdict:
/// chunk boundaries meet, each stream continues across them, and no checkpoint knows
/// more events than the ledger holds.
pub fn join(plan: &Plan, mut chunks: Vec<ChunkResult>) -> Result<Summary, Failure> {
    chunks.sort_by_key(|c| c.start);
    let mut found: Vec<Failure> = Vec::new();
    let mut heads: HashMap<String, (u64, Hash)> = HashMap::new();
    let mut reached = 0u64;
    // A chunk that stopped at a problem ends early; the gap after it is that problem,
    // already reported, not a second one.
    let mut previous_failed = false;
    for chunk in chunks {
        let held = chunk.last_seq >= chunk.start;
        if held && chunk.start != reached + 1 && !previous_failed {
            // Reported at the event after the gap, as one pass reports it.
            found.push(Failure {
                kind: FailureKind::Missing,
                seq: Some(chunk.start),
                stream_id: chunk
                    .entries
                    .iter()
                    .find(|e| e.seq == chunk.start)
                    .map(|e| e.stream_id.clone()),
                detail: gap(reached, chunk.start),
            });
        }
        for entry in &chunk.entries {
            let (version, head) = heads
                .get(entry.stream_id.as_str())
                .copied()
                .unwrap_or((0, Hash::ZERO));
            let fields = EventFields {
                seq: entry.seq,
                stream_id: &entry.stream_id,
                stream_version: entry.version,
                event_type: "",
                payload: "",
                actor: "",
                reason: None,
                recorded_at_us: 0,
                prev_hash: entry.prev,
            };
            if let Err(failure) = link(&fields, version, head) {
                found.push(failure);
            }
        }
        previous_failed = chunk.failure.is_some();
        found.extend(chunk.failure);
        heads.extend(chunk.heads);
        if held {
            reached = chunk.last_seq;
        }
    }
    if let Some(first) = found.into_iter().min_by_key(|f| f.seq.unwrap_or(u64::MAX)) {
        return Err(first);
    }
    if let Some(expected) = plan
        .checkpoints
        .iter()
        .find(|e| e.checkpoint.seq() > reached)
    {
        return Err(checkpoint_failure(
            FailureKind::TailCut,
            reached + 1,
            format!(
                "the ledger ends at sequence {reached}, but a signed checkpoint in the {} covers up to sequence {}: events after {reached} were removed",
                expected.source,
                expected.checkpoint.seq()
            ),
        ));
    }
    Ok(Summary {
        events: reached,
        streams: heads.len() as u64,
        last_seq: reached,
        checkpoints: plan.checkpoints.len() as u64,
        last_checkpoint_seq: plan.checkpoints.last().map_or(0, |e| e.checkpoint.seq()),
        witnessed_checkpoints: plan.witnessed,
    })
}

/// Verifies a ledger fed in one pass, in sequence order and in batches (an archive).
/// The hashes of a batch are computed on all cores; the rest is one chunk.
pub struct Verifier {
    plan: Arc<Plan>,
    chunk: ChunkVerifier,
    threads: usize,
}

impl Verifier {
    /// Checks the checkpoints themselves (signatures, key, their own chain, agreement
    /// between sources) and prepares to check the events.
    pub fn new(
        key: &PublicKey,
        checkpoints: Vec<(Checkpoint, CheckpointSource)>,
    ) -> Result<Verifier, Failure> {
        let plan = Arc::new(Plan::new(key, checkpoints)?);
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        Ok(Verifier {
            chunk: ChunkVerifier::new(plan.clone(), 1),
            plan,
            threads,
        })
    }

    /// Checks the next events of the ledger, in global-sequence order.
    pub fn feed(&mut self, events: &[LedgerEvent]) -> Result<(), Failure> {
        let computed = hashes(events, self.threads);
        for (event, hash) in events.iter().zip(computed) {
            if !self.chunk.push(&event.fields(), event.hash, Some(hash)) {
                break;
            }
        }
        match self.chunk.failure() {
            Some(failure) => Err(failure.clone()),
            None => Ok(()),
        }
    }

    /// Ends verification: fails when a checkpoint knows more events than were fed.
    pub fn finish(self) -> Result<Summary, Failure> {
        join(&self.plan, vec![self.chunk.finish()])
    }
}

/// The hash of every event's contents, computed on up to `threads` cores.
fn hashes(events: &[LedgerEvent], threads: usize) -> Vec<Hash> {
    fn part(events: &[LedgerEvent]) -> Vec<Hash> {
        let mut buf = Vec::with_capacity(512);
        events.iter().map(|e| e.computed_hash(&mut buf)).collect()
    }
    if threads < 2 || events.len() < 2048 {
        return part(events);
    }
    let size = events.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = events
            .chunks(size)
            .map(|slice| scope.spawn(move || part(slice)))
            .collect();
        let mut out = Vec::with_capacity(events.len());
        for (handle, slice) in handles.into_iter().zip(events.chunks(size)) {
            // A panic in a helper thread would be a bug; redo that part here.
            out.extend(handle.join().unwrap_or_else(|_| part(slice)));
        }
        out
    })
}
