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

use crate::commit::{Checked, CommitOutcome, CommitRequest, Heads, precheck, write};
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

/// Commands that commit together or not at all (most jobs hold one; an import holds
/// every command of its file).
pub struct Job {
    pub requests: Vec<CommitRequest>,
    pub reply: oneshot::Sender<Result<Vec<CommitOutcome>, StoreError>>,
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
    /// What the writer knows between batches; `None` means "read it again".
    pub state: Option<BatchState>,
}

impl Writer {
    /// The writer thread's loop; returns when every sender is gone.
    pub fn run(mut self, queue: Receiver<Job>) {
        let tick = self.policy.every.max(Duration::from_millis(10));
        loop {
            let first = match queue.recv_timeout(tick) {
                Ok(job) => Some(job),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => return,
            };
            if first.is_none() && !(self.key.is_some() && self.may_have_unsealed()) {
                continue;
            }
            let mut jobs: Vec<Job> = first.into_iter().collect();
            while jobs.len() < MAX_BATCH {
                match queue.try_recv() {
                    Ok(job) => jobs.push(job),
                    Err(_) => break,
                }
            }
            let results = self.commit_batch(&jobs);
            for (job, result) in jobs.into_iter().zip(results) {
                // A caller that gave up waiting is not an error of the commit.
                let _ = job.reply.send(result);
            }
        }
    }

    /// Whether events may be waiting for a checkpoint (unknown counts as yes), so
    /// that a quiet writer only opens a transaction when there may be work.
    fn may_have_unsealed(&self) -> bool {
        self.state
            .as_ref()
            .is_none_or(|s| s.last_seq > s.sealed_to.unwrap_or(0))
    }

    /// Commits `jobs` in one transaction. Returns one result per job.
    ///
    /// The fast path runs every command without a savepoint: a command refused by
    /// its checks (conflict, reused idempotency key) has written nothing, so it needs
    /// none. Only when a write itself fails (a projection that finds the read tables
    /// inconsistent, a full disk …) is the batch rolled back and run again with a
    /// savepoint around each command, so that the failure stays with its command.
    fn commit_batch(&mut self, jobs: &[Job]) -> Vec<Result<Vec<CommitOutcome>, StoreError>> {
        let fail_all = |e: StoreError| jobs.iter().map(|_| Err(e.clone())).collect();
        let mut safe = false;
        loop {
            if let Err(e) = self.begin() {
                self.state = None;
                return fail_all(e);
            }
            let now = (self.clock)();
            let mut results = Vec::with_capacity(jobs.len());
            let checkpoint = match self.append_all(jobs, now, safe, &mut results) {
                Ok(Some(())) => self.seal(now),
                Ok(None) => {
                    // A write failed on the fast path: start over, carefully.
                    let _ = self.conn.control("ROLLBACK");
                    self.state = None;
                    safe = true;
                    continue;
                }
                Err(e) => Err(e),
            };
            let checkpoint = match checkpoint {
                Ok(c) => c,
                Err(e) => {
                    let _ = self.conn.control("ROLLBACK");
                    self.state = None;
                    return fail_all(e);
                }
            };
            if let Err(e) = self.conn.control("COMMIT") {
                let _ = self.conn.control("ROLLBACK");
                self.state = None;
                return fail_all(e);
            }
            if let Some(checkpoint) = &checkpoint {
                self.append_witness(checkpoint);
            }
            return results;
        }
    }

    /// Starts the write transaction, reconnecting once when the connection is gone.
    fn begin(&mut self) -> Result<(), StoreError> {
        match self.conn.begin_write() {
            Err(StoreError::Unavailable(first)) => {
                tracing::warn!(error = %first, "the writer's database connection is gone; reconnecting");
                self.conn = self.pool.connect()?;
                self.conn.become_writer()?;
                self.state = None;
                self.conn.begin_write()
            }
            other => other,
        }
    }

    /// The batch state, re-read from the database when the ledger changed behind the
    /// writer's back (another app server on PostgreSQL, `vplant import`, a rolled-back
    /// batch). `MAX(seq)` under the append lock is the test: if it is what this
    /// writer last committed, nobody else appended and the cached heads are true.
    fn state(&mut self) -> Result<&mut BatchState, StoreError> {
        let last = last_seq(self.conn.as_mut())?;
        if self.state.as_ref().is_none_or(|s| s.last_seq != last) {
            self.state = Some(BatchState {
                last_seq: last,
                heads: Heads::default(),
                sealed_to: None,
                oldest_unsealed_at: None,
            });
        }
        self.state
            .as_mut()
            .ok_or_else(|| StoreError::Corrupt("writer state vanished".into()))
    }

    /// Runs every job. `Ok(None)` means a write failed on the fast path and the
    /// batch must be rolled back and run again with `safe` set.
    ///
    /// A job of several commands always runs inside a savepoint, so that when one of
    /// its commands is refused, none of them stays written.
    fn append_all(
        &mut self,
        jobs: &[Job],
        now: Timestamp,
        safe: bool,
        results: &mut Vec<Result<Vec<CommitOutcome>, StoreError>>,
    ) -> Result<Option<()>, StoreError> {
        self.state()?;
        let mut sealed = Vec::new();
        for job in jobs {
            let guarded = safe || job.requests.len() > 1;
            if guarded {
                self.conn.control("SAVEPOINT command")?;
            }
            match self.append_job(job, now, guarded, &mut sealed)? {
                Ok(outcomes) => {
                    if guarded {
                        self.conn.control("RELEASE SAVEPOINT command")?;
                    }
                    results.push(Ok(outcomes));
                }
                Err(JobFailure::Refused(e)) if !guarded => results.push(Err(e)),
                Err(JobFailure::Refused(_) | JobFailure::WriteFailed(_)) if !guarded => {
                    return Ok(None);
                }
                Err(JobFailure::Refused(e) | JobFailure::WriteFailed(e)) => {
                    // If even the rollback fails the transaction is unusable: the
                    // caller rolls everything back and fails the whole batch.
                    self.conn.control("ROLLBACK TO SAVEPOINT command")?;
                    self.conn.control("RELEASE SAVEPOINT command")?;
                    results.push(Err(e));
                }
            }
        }
        // The fast path's ledger rows, all at once; a failure here is a write failure.
        if !sealed.is_empty() && self.conn.insert_events(&sealed).is_err() {
            return Ok(None);
        }
        Ok(Some(()))
    }

    /// Runs one job's commands. Unguarded (fast path, one command), its sealed rows
    /// join `sealed` for the batch insert; guarded, they are inserted here, inside the
    /// job's savepoint. On failure the writer's cached view is put back as it was.
    fn append_job(
        &mut self,
        job: &Job,
        now: Timestamp,
        guarded: bool,
        sealed: &mut Vec<vplant_ledger::LedgerEvent>,
    ) -> Result<Result<Vec<CommitOutcome>, JobFailure>, StoreError> {
        let Some(state) = self.state.as_mut() else {
            return Err(StoreError::Corrupt("writer state vanished".into()));
        };
        let last_seq_before = state.last_seq;
        let mut own = Vec::new();
        let mut touched = Vec::new();
        let mut outcomes = Vec::with_capacity(job.requests.len());
        let mut failure = None;
        for request in &job.requests {
            let head = match precheck(self.conn.as_mut(), request, &mut state.heads) {
                Ok(Checked::Replay(first)) => {
                    outcomes.push(first);
                    continue;
                }
                Ok(Checked::Fresh { version, prev }) => (version, prev),
                Err(e) => {
                    failure = Some(JobFailure::Refused(e));
                    break;
                }
            };
            let rows = if guarded { &mut own } else { &mut *sealed };
            match write(self.conn.as_mut(), request, head, state.last_seq, now, rows) {
                Ok((outcome, hash)) => {
                    state.heads.set(&request.stream_id, (outcome.version, hash));
                    touched.push(request.stream_id.as_str());
                    state.last_seq = outcome.last_seq;
                    outcomes.push(outcome);
                }
                Err(e) => {
                    failure = Some(JobFailure::WriteFailed(e));
                    break;
                }
            }
        }
        if failure.is_none()
            && guarded
            && let Err(e) = self.conn.insert_events(&own)
        {
            failure = Some(JobFailure::WriteFailed(e));
        }
        let Some(state) = self.state.as_mut() else {
            return Err(StoreError::Corrupt("writer state vanished".into()));
        };
        match failure {
            None => {
                if state.last_seq > last_seq_before && state.oldest_unsealed_at.is_none() {
                    state.oldest_unsealed_at = Some(now.as_micros());
                }
                Ok(Ok(outcomes))
            }
            Some(failure) => {
                state.last_seq = last_seq_before;
                for stream_id in touched {
                    state.heads.forget(stream_id);
                }
                Ok(Err(failure))
            }
        }
    }

    /// Signs a checkpoint over the unsealed events when one is due. A failure here
    /// must not lose the batch's events: the checkpoint is retried with the next batch.
    ///
    /// Whether one is due is first judged from the writer's cached view; only when it
    /// says "due" (or knows nothing yet) is the truth read from the database, so a
    /// busy ledger does not pay two queries per batch.
    fn seal(&mut self, now: Timestamp) -> Result<Option<Checkpoint>, StoreError> {
        let Some(key) = self.key.clone() else {
            return Ok(None);
        };
        let policy = self.policy;
        let Some(state) = self.state.as_mut() else {
            return Ok(None);
        };
        let last_seq = state.last_seq;
        if let (Some(sealed_to), Some(oldest)) = (state.sealed_to, state.oldest_unsealed_at)
            && !due(policy, last_seq, sealed_to, oldest, now)
        {
            return Ok(None);
        }
        if state.sealed_to.is_some_and(|s| s >= last_seq) {
            return Ok(None);
        }
        let previous = checkpoints::latest(self.conn.as_mut())?;
        let sealed_to = previous.as_ref().map_or(0, Checkpoint::seq);
        let oldest = if last_seq > sealed_to {
            Some(oldest_unsealed_at(self.conn.as_mut(), sealed_to + 1)?)
        } else {
            None
        };
        if let Some(state) = self.state.as_mut() {
            state.sealed_to = Some(sealed_to);
            state.oldest_unsealed_at = oldest;
        }
        let Some(oldest) = oldest else {
            return Ok(None);
        };
        if !due(policy, last_seq, sealed_to, oldest, now) {
            return Ok(None);
        }
        self.conn.control("SAVEPOINT checkpoint")?;
        match self.sign_checkpoint(&key, previous.as_ref(), sealed_to, last_seq, now) {
            Ok(checkpoint) => {
                self.conn.control("RELEASE SAVEPOINT checkpoint")?;
                if let Some(state) = self.state.as_mut() {
                    state.sealed_to = Some(last_seq);
                    state.oldest_unsealed_at = None;
                }
                Ok(Some(checkpoint))
            }
            Err(e) => {
                tracing::error!(error = %e, "could not seal a checkpoint; will retry");
                self.conn.control("ROLLBACK TO SAVEPOINT checkpoint")?;
                self.conn.control("RELEASE SAVEPOINT checkpoint")?;
                Ok(None)
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

/// A checkpoint is due once enough events, or old enough events, are unsealed.
fn due(
    policy: CheckpointPolicy,
    last_seq: u64,
    sealed_to: u64,
    oldest_us: i64,
    now: Timestamp,
) -> bool {
    if last_seq <= sealed_to {
        return false;
    }
    let age = Duration::from_micros(u64::try_from(now.as_micros() - oldest_us).unwrap_or(0));
    last_seq - sealed_to >= policy.every_events || age >= policy.every
}

/// Why a job did not commit: refused by its checks (nothing written), or a write
/// failed (something may be written and must be rolled back).
enum JobFailure {
    Refused(StoreError),
    WriteFailed(StoreError),
}

/// What the writer knows about the ledger between batches (see `Writer::state`).
pub struct BatchState {
    last_seq: u64,
    heads: Heads,
    /// Sequence the newest checkpoint seals to, when known.
    sealed_to: Option<u64>,
    /// Server time of the oldest unsealed event, when known (and there is one).
    oldest_unsealed_at: Option<i64>,
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
