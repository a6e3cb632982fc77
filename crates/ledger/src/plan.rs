//! The verification plan: the signed checkpoints, checked among themselves (key,
//! signatures, their own chain, agreement between database and witness), and the
//! split of the ledger into chunks that can be verified independently.

use crate::checkpoint::Checkpoint;
use crate::failure::{CheckpointSource, Failure, FailureKind, checkpoint_failure};
use crate::hash::Hash;
use crate::keys::PublicKey;

/// A checkpoint the ledger must match, and where it came from.
#[derive(Clone, Debug)]
pub struct Expected {
    pub checkpoint: Checkpoint,
    pub source: CheckpointSource,
}

/// Checkpoints in sequence order, each verified against the key and linked to the one
/// before.
#[derive(Clone, Debug)]
pub struct Plan {
    pub(crate) checkpoints: Vec<Expected>,
    pub(crate) witnessed: u64,
}

impl Plan {
    /// Checks the checkpoints themselves before any event is read.
    pub fn new(
        key: &PublicKey,
        checkpoints: Vec<(Checkpoint, CheckpointSource)>,
    ) -> Result<Plan, Failure> {
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
        Ok(Plan {
            checkpoints: by_seq,
            witnessed,
        })
    }

    /// Splits `1..=last_seq` into at most `parts` ranges that start right after a
    /// checkpoint (or at 1), so that every checkpoint's events fall in one range and
    /// each range can be verified on its own core. Ranges are as even as the
    /// checkpoints allow; the last one runs to `last_seq` (and beyond, if the ledger
    /// holds more than it said).
    pub fn chunks(&self, last_seq: u64, parts: usize) -> Vec<(u64, Option<u64>)> {
        let parts = parts.max(1) as u64;
        let mut starts = vec![1u64];
        for k in 1..parts {
            // In u128: a damaged ledger can claim a sequence near u64::MAX, and the
            // product must not overflow.
            let target = u64::try_from(u128::from(last_seq) * u128::from(k) / u128::from(parts))
                .unwrap_or(last_seq);
            // The first checkpoint at or after the target ends a chunk.
            let boundary = self
                .checkpoints
                .iter()
                .map(|e| e.checkpoint.seq())
                .find(|seq| *seq >= target && *seq < last_seq);
            if let Some(seq) = boundary
                && starts.last().is_some_and(|s| seq + 1 > *s)
            {
                starts.push(seq + 1);
            }
        }
        starts
            .iter()
            .enumerate()
            .map(|(i, start)| (*start, starts.get(i + 1).map(|next| next - 1)))
            .collect()
    }

    /// Index of the first checkpoint sealing `seq` or later.
    pub(crate) fn first_checkpoint_from(&self, seq: u64) -> usize {
        self.checkpoints
            .partition_point(|e| e.checkpoint.seq() < seq)
    }
}
