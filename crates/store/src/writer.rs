//! Group commit: one writer thread per store drains every command waiting in its queue
//! and commits them together in one database transaction, so one fsync acknowledges
//! many writers. Each command runs inside its own savepoint: a command that fails
//! (conflict, bad data) is rolled back alone and its neighbours still commit. No
//! writer hears "done" before the transaction's COMMIT has returned, which with
//! SQLite `synchronous=FULL` and PostgreSQL's default `synchronous_commit` means its
//! events are on disk.
//!
//! The writer also seals checkpoints: after a batch, or when the queue has been quiet
//! for the checkpoint interval, it signs a checkpoint if enough events or enough time
//! have passed since the last one.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

use tokio::sync::oneshot;
use vplant_domain::Timestamp;
use vplant_domain::projection::Value;
use vplant_ledger::{Checkpoint, Hash, SigningKey, UnsignedCheckpoint, merkle_root};

use crate::commit::{CommitOutcome, CommitRequest, apply};
use crate::conn::Conn;
use crate::error::StoreError;
use crate::{Clock, checkpoints};

/// Most commands committed in one transaction; bounds latency of the batch.
const MAX_BATCH: usize = 1024;

/// When checkpoints are sealed.
#[derive(Clone, Copy, Debug)]
pub struct CheckpointPolicy {
    /// Seal once this many events are unsealed.
    pub every_events: u64,
    /// Seal once the oldest unsealed event is this old.
    pub every: Duration,
}

impl Default for CheckpointPolicy {
    fn default() -> Self {
        CheckpointPolicy {
            every_events: 10_000,
            every: Duration::from_secs(60),
        }
    }
}

pub struct Job {
    pub request: CommitRequest,
    pub reply: oneshot::Sender<Result<CommitOutcome, StoreError>>,
}

pub struct Writer {
    pub conn: Box<dyn Conn>,
    /// Where a new connection comes from when the database dropped this one (a
    /// PostgreSQL restart or failover): the writer reconnects instead of failing every
    /// later commit.
    pub pool: crate::pool::Pool,
    pub clock: Clock,
    pub key: Option<Arc<SigningKey>>,
    pub witness: Option<PathBuf>,
    pub policy: CheckpointPolicy,
}

impl Writer {
    /// The writer thread's loop; returns when every sender is gone.
    pub fn run(mut self, queue: Receiver<Job>) {
        let mut maybe_unsealed = true;
        let tick = self.policy.every.max(Duration::from_millis(10));
        loop {
            let first = match queue.recv_timeout(tick) {
                Ok(job) => Some(job),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => return,
            };
            if first.is_none() && !(maybe_unsealed && self.key.is_some()) {
                continue;
            }
            let mut jobs: Vec<Job> = first.into_iter().collect();
            while jobs.len() < MAX_BATCH {
                match queue.try_recv() {
                    Ok(job) => jobs.push(job),
                    Err(_) => break,
                }
            }
            let (results, unsealed) = self.commit_batch(&jobs);
            maybe_unsealed = unsealed;
            for (job, result) in jobs.into_iter().zip(results) {
                // A caller that gave up waiting is not an error of the commit.
                let _ = job.reply.send(result);
            }
        }
    }

    /// Commits `jobs` in one transaction. Returns one result per job and whether
    /// unsealed events remain.
    fn commit_batch(&mut self, jobs: &[Job]) -> (Vec<Result<CommitOutcome, StoreError>>, bool) {
        let fail_all = |e: StoreError| (jobs.iter().map(|_| Err(e.clone())).collect(), true);
        if let Err(e) = self.begin() {
            return fail_all(e);
        }
        let now = (self.clock)();
        let mut results = Vec::with_capacity(jobs.len());
        let outcome = self.append_all(jobs, now, &mut results);
        let (checkpoint, unsealed) = match outcome {
            Ok(state) => state,
            Err(e) => {
                let _ = self.conn.batch("ROLLBACK");
                return fail_all(e);
            }
        };
        if let Err(e) = self.conn.batch("COMMIT") {
            let _ = self.conn.batch("ROLLBACK");
            return fail_all(e);
        }
        if let Some(checkpoint) = checkpoint {
            self.append_witness(&checkpoint);
        }
        (results, unsealed)
    }

    /// Starts the write transaction, reconnecting once when the connection is gone.
    fn begin(&mut self) -> Result<(), StoreError> {
        match self.conn.begin_write() {
            Err(StoreError::Unavailable(first)) => {
                tracing::warn!(error = %first, "the writer's database connection is gone; reconnecting");
                self.conn = self.pool.connect()?;
                self.conn.begin_write()
            }
            other => other,
        }
    }

    fn append_all(
        &mut self,
        jobs: &[Job],
        now: Timestamp,
        results: &mut Vec<Result<CommitOutcome, StoreError>>,
    ) -> Result<(Option<Checkpoint>, bool), StoreError> {
        let mut last_seq = last_seq(self.conn.as_mut())?;
        let mut buf = Vec::with_capacity(512);
        for job in jobs {
            self.conn.batch("SAVEPOINT command")?;
            match apply(self.conn.as_mut(), &job.request, last_seq, now, &mut buf) {
                Ok(outcome) => {
                    self.conn.batch("RELEASE SAVEPOINT command")?;
                    if !outcome.replayed {
                        last_seq = outcome.last_seq;
                    }
                    results.push(Ok(outcome));
                }
                Err(e) => {
                    // If even the rollback fails the transaction is unusable: the
                    // caller rolls everything back and fails the whole batch.
                    self.conn
                        .batch("ROLLBACK TO SAVEPOINT command; RELEASE SAVEPOINT command")?;
                    results.push(Err(e));
                }
            }
        }
        self.seal(last_seq, now)
    }

    /// Signs a checkpoint over the unsealed events when one is due. A failure here
    /// must not lose the batch's events: the checkpoint is retried with the next batch.
    fn seal(
        &mut self,
        last_seq: u64,
        now: Timestamp,
    ) -> Result<(Option<Checkpoint>, bool), StoreError> {
        let Some(key) = self.key.clone() else {
            return Ok((None, false));
        };
        let previous = checkpoints::latest(self.conn.as_mut())?;
        let sealed_to = previous.as_ref().map_or(0, Checkpoint::seq);
        if last_seq <= sealed_to {
            return Ok((None, false));
        }
        let oldest = oldest_unsealed_at(self.conn.as_mut(), sealed_to + 1)?;
        let by_count = last_seq - sealed_to >= self.policy.every_events;
        let age = Duration::from_micros(u64::try_from(now.as_micros() - oldest).unwrap_or(0));
        if !by_count && age < self.policy.every {
            return Ok((None, true));
        }
        self.conn.batch("SAVEPOINT checkpoint")?;
        match self.sign_checkpoint(&key, previous.as_ref(), sealed_to, last_seq, now) {
            Ok(checkpoint) => {
                self.conn.batch("RELEASE SAVEPOINT checkpoint")?;
                Ok((Some(checkpoint), false))
            }
            Err(e) => {
                tracing::error!(error = %e, "could not seal a checkpoint; will retry");
                self.conn
                    .batch("ROLLBACK TO SAVEPOINT checkpoint; RELEASE SAVEPOINT checkpoint")?;
                Ok((None, true))
            }
        }
    }

    fn sign_checkpoint(
        &mut self,
        key: &SigningKey,
        previous: Option<&Checkpoint>,
        sealed_to: u64,
        last_seq: u64,
        now: Timestamp,
    ) -> Result<Checkpoint, StoreError> {
        let leaves = checkpoints::leaf_hashes(self.conn.as_mut(), sealed_to + 1, last_seq)?;
        let statement = UnsignedCheckpoint {
            first_seq: sealed_to + 1,
            seq: last_seq,
            range_root: merkle_root(&leaves),
            prev: previous.map_or(Hash::ZERO, |c| c.statement.hash()),
            created_at_us: now.as_micros(),
            key_id: key.public_key().key_id(),
        };
        let checkpoint = statement.sign(key);
        checkpoints::insert(self.conn.as_mut(), &checkpoint)?;
        Ok(checkpoint)
    }

    /// Appends the checkpoint to the witness file and syncs it. The database already
    /// holds the checkpoint; a witness that lags by one is still a valid witness, so a
    /// failure is logged loudly rather than failing the committed batch.
    fn append_witness(&self, checkpoint: &Checkpoint) {
        let Some(path) = &self.witness else { return };
        let result = (|| -> std::io::Result<()> {
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)?;
            let mut line = serde_json::to_string(checkpoint).map_err(std::io::Error::other)?;
            line.push('\n');
            file.write_all(line.as_bytes())?;
            file.sync_data()
        })();
        if let Err(e) = result {
            tracing::error!(path = %path.display(), error = %e, "could not append to the witness file");
        }
    }
}

pub fn last_seq(conn: &mut dyn Conn) -> Result<u64, StoreError> {
    let rows = conn.query("SELECT COALESCE(MAX(seq), 0) FROM ledger", &[])?;
    rows.first().map_or(Ok(0), |r| r.uint(0))
}

fn oldest_unsealed_at(conn: &mut dyn Conn, seq: u64) -> Result<i64, StoreError> {
    let rows = conn.query(
        "SELECT recorded_at FROM ledger WHERE seq = $1",
        &[Value::Int(i64::try_from(seq).unwrap_or(i64::MAX))],
    )?;
    rows.first().map_or(Ok(0), |r| r.int(0))
}
