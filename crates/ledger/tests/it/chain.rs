//! A builder for in-memory ledgers: append events to streams, seal checkpoints, and
//! run the verifier over the result.

use std::collections::HashMap;
use std::sync::LazyLock;

use vplant_ledger::{
    Checkpoint, CheckpointSource, ChunkVerifier, EventFields, Failure, FailureKind, Hash,
    LedgerEvent, Plan, PublicKey, SigningKey, Summary, UnsignedCheckpoint, Verifier, join,
    merkle_root,
};

/// The ledger key of every test chain.
pub static KEY: LazyLock<SigningKey> =
    LazyLock::new(|| SigningKey::generate(&ring::rand::SystemRandom::new()).unwrap());

/// Server time of the first event: 2026-11-21T16:13:39Z.
pub const T0: i64 = 1_795_277_619_000_000;

pub fn public_key() -> PublicKey {
    KEY.public_key()
}

/// An in-memory ledger and its checkpoints, as the store would have written them.
#[derive(Clone, Debug, Default)]
pub struct Chain {
    pub events: Vec<LedgerEvent>,
    pub checkpoints: Vec<Checkpoint>,
    heads: HashMap<String, (u64, Hash)>,
}

impl Chain {
    pub fn new() -> Chain {
        Chain::default()
    }

    /// A chain of `n` events spread over three streams, sealed every `every` events.
    pub fn of(n: u64, every: u64) -> Chain {
        let mut chain = Chain::new();
        let streams = ["site/BSL", "product/ASP-500", "batch/B-0001"];
        for i in 0..n {
            chain.append(
                streams[(i % 3) as usize],
                "Noted",
                &format!(r#"{{"n":{i}}}"#),
            );
            if (i + 1) % every == 0 {
                chain.seal();
            }
        }
        chain
    }

    /// Appends an event to `stream`, linked to the stream's previous event.
    pub fn append(&mut self, stream: &str, event_type: &str, payload: &str) -> &LedgerEvent {
        self.append_full(stream, event_type, payload, "qa.tester", None)
    }

    pub fn append_full(
        &mut self,
        stream: &str,
        event_type: &str,
        payload: &str,
        actor: &str,
        reason: Option<&str>,
    ) -> &LedgerEvent {
        let seq = self.events.len() as u64 + 1;
        let (version, prev) = self.heads.get(stream).copied().unwrap_or((0, Hash::ZERO));
        let event = LedgerEvent::seal(
            EventFields {
                seq,
                stream_id: stream,
                stream_version: version + 1,
                event_type,
                payload,
                actor,
                reason,
                recorded_at_us: T0 + i64::try_from(seq).unwrap() * 1_000,
                prev_hash: prev,
            },
            &mut Vec::new(),
        );
        self.heads
            .insert(stream.to_owned(), (version + 1, event.hash));
        self.events.push(event);
        self.events.last().unwrap()
    }

    /// Signs a checkpoint over the events since the last one (with the test key).
    pub fn seal(&mut self) -> Checkpoint {
        self.seal_with(&KEY)
    }

    pub fn seal_with(&mut self, key: &SigningKey) -> Checkpoint {
        let checkpoint = checkpoint_over(&self.events, self.checkpoints.last(), key);
        self.checkpoints.push(checkpoint.clone());
        checkpoint
    }

    /// Verifies with the chain's checkpoints as the database's, in one batch.
    pub fn verify(&self) -> Result<Summary, Failure> {
        self.verify_with(&public_key(), Vec::new(), self.events.len().max(1))
    }

    /// Verifies with the chain's checkpoints as the database's, `witness` as the
    /// witness file's, feeding events in batches of `batch`.
    pub fn verify_with(
        &self,
        key: &PublicKey,
        witness: Vec<Checkpoint>,
        batch: usize,
    ) -> Result<Summary, Failure> {
        let mut sources: Vec<(Checkpoint, CheckpointSource)> = self
            .checkpoints
            .iter()
            .map(|c| (c.clone(), CheckpointSource::Database))
            .collect();
        sources.extend(witness.into_iter().map(|c| (c, CheckpointSource::Witness)));
        let mut verifier = Verifier::new(key, sources)?;
        for events in self.events.chunks(batch) {
            verifier.feed(events)?;
        }
        verifier.finish()
    }

    /// Verifies as the store does: events ordered by sequence number (as `ORDER BY
    /// seq` reads them), split into up to `parts` chunks at checkpoints, each chunk
    /// checked on its own and the results joined.
    pub fn verify_in_chunks(&self, parts: usize) -> Result<Summary, Failure> {
        let sources = self
            .checkpoints
            .iter()
            .map(|c| (c.clone(), CheckpointSource::Database))
            .collect();
        let plan = std::sync::Arc::new(Plan::new(&public_key(), sources)?);
        let mut rows = self.events.clone();
        rows.sort_by_key(|e| e.seq);
        // The chunks start at sequence 1; the store looks for rows numbered below it
        // first (`numbered_before_first`), and so does this model of it.
        if let Some(e) = rows.iter().find(|e| e.seq < 1) {
            return Err(Failure {
                kind: FailureKind::OutOfOrder,
                seq: Some(e.seq),
                stream_id: Some(e.stream_id.clone()),
                detail: format!("an event is stored at sequence {}, before 1", e.seq),
            });
        }
        let last = rows.last().map_or(0, |e| e.seq);
        let results = plan
            .chunks(last, parts)
            .into_iter()
            .map(|(first, end)| {
                let mut chunk = ChunkVerifier::new(plan.clone(), first);
                for e in rows
                    .iter()
                    .filter(|e| e.seq >= first && end.is_none_or(|end| e.seq <= end))
                {
                    if !chunk.push(&e.fields(), e.hash, None) {
                        break;
                    }
                }
                chunk.finish()
            })
            .collect();
        join(&plan, results)
    }

    /// The event at `seq`, to change it.
    pub fn event_mut(&mut self, seq: u64) -> &mut LedgerEvent {
        &mut self.events[usize::try_from(seq).unwrap() - 1]
    }

    /// Recomputes links and hashes from `seq` on, as an attacker without the key would
    /// after an edit.
    pub fn reseal_from(&mut self, seq: u64) {
        let mut heads: HashMap<String, Hash> = HashMap::new();
        let mut buf = Vec::new();
        for event in &mut self.events {
            if event.seq >= seq {
                event.prev_hash = heads.get(&event.stream_id).copied().unwrap_or(Hash::ZERO);
                event.hash = event.computed_hash(&mut buf);
            }
            heads.insert(event.stream_id.clone(), event.hash);
        }
    }
}

/// A checkpoint over every event after `previous`, signed with `key`.
pub fn checkpoint_over(
    events: &[LedgerEvent],
    previous: Option<&Checkpoint>,
    key: &SigningKey,
) -> Checkpoint {
    let first_seq = previous.map_or(0, Checkpoint::seq) + 1;
    let seq = events.last().map_or(0, |e| e.seq);
    let leaves: Vec<Hash> = events
        .iter()
        .filter(|e| e.seq >= first_seq)
        .map(|e| e.hash)
        .collect();
    UnsignedCheckpoint {
        first_seq,
        seq,
        range_root: merkle_root(&leaves),
        prev: previous.map_or(Hash::ZERO, |c| c.statement.hash()),
        created_at_us: T0 + i64::try_from(seq).unwrap() * 1_000 + 500,
        key_id: key.public_key().key_id(),
    }
    .sign(key)
}
