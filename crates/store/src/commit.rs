//! What one command appends: the request, its outcome, and the work done for it inside
//! the writer's transaction (idempotency, version check, sealing, projecting).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use vplant_domain::Event;
use vplant_domain::Timestamp;
use vplant_domain::projection::{Recorded, RowOp, Value, project};
use vplant_ledger::{EventFields, Hash, LedgerEvent};

use crate::conn::Conn;
use crate::error::StoreError;

/// A command's events, ready to append to one stream.
#[derive(Clone, Debug)]
pub struct CommitRequest {
    pub stream_id: String,
    /// The stream version the events were decided against (0: the stream is new).
    pub expected_version: u64,
    pub events: Vec<Event>,
    pub actor: String,
    pub reason: Option<String>,
    pub idempotency: Option<Idempotency>,
}

/// A client-chosen key that makes a retried command return its first result. The
/// fingerprint (a hash of the command) tells a retry from a different command that
/// reuses the key by mistake.
#[derive(Clone, Debug)]
pub struct Idempotency {
    pub key: String,
    pub fingerprint: Hash,
}

/// What a commit did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitOutcome {
    pub stream_id: String,
    /// Global sequence numbers of the appended events.
    pub first_seq: u64,
    pub last_seq: u64,
    /// The stream's version after the commit.
    pub version: u64,
    /// True when this is the stored result of an earlier commit with the same
    /// idempotency key; nothing new was written.
    pub replayed: bool,
}

/// The stream's current version and head hash (0 and zero for a new stream).
pub fn stream_head(conn: &mut dyn Conn, stream_id: &str) -> Result<(u64, Hash), StoreError> {
    let rows = conn.query(
        "SELECT stream_version, hash FROM ledger WHERE stream_id = $1 ORDER BY stream_version DESC LIMIT 1",
        &[Value::Text(stream_id.to_owned())],
    )?;
    match rows.first() {
        None => Ok((0, Hash::ZERO)),
        Some(row) => {
            let hash = Hash::from_slice(&row.bytes(1)?).ok_or_else(|| {
                StoreError::Corrupt(format!("head hash of {stream_id} is not 32 bytes"))
            })?;
            Ok((row.uint(0)?, hash))
        }
    }
}

fn replay(conn: &mut dyn Conn, idem: &Idempotency) -> Result<Option<CommitOutcome>, StoreError> {
    let rows = conn.query(
        "SELECT fingerprint, stream_id, first_seq, last_seq, version FROM idempotency WHERE key = $1",
        &[Value::Text(idem.key.clone())],
    )?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    if row.bytes(0)? != idem.fingerprint.0 {
        return Err(StoreError::IdempotencyKeyReused(idem.key.clone()));
    }
    Ok(Some(CommitOutcome {
        stream_id: row.text(1)?,
        first_seq: row.uint(2)?,
        last_seq: row.uint(3)?,
        version: row.uint(4)?,
        replayed: true,
    }))
}

/// The head (version, hash) of every stream the writer has touched since the ledger
/// last changed behind its back. The writer drops it whenever another connection may
/// have appended (see `writer.rs`), so a cached head is always the stream's real head.
#[derive(Default)]
pub struct Heads(HashMap<String, (u64, Hash)>);

impl Heads {
    fn get(&mut self, conn: &mut dyn Conn, stream_id: &str) -> Result<(u64, Hash), StoreError> {
        if let Some(head) = self.0.get(stream_id) {
            return Ok(*head);
        }
        let head = stream_head(conn, stream_id)?;
        self.0.insert(stream_id.to_owned(), head);
        Ok(head)
    }

    /// Drops a cached head (its stream's writes were rolled back).
    pub fn forget(&mut self, stream_id: &str) {
        self.0.remove(stream_id);
    }

    pub fn set(&mut self, stream_id: &str, head: (u64, Hash)) {
        match self.0.get_mut(stream_id) {
            Some(slot) => *slot = head,
            None => {
                self.0.insert(stream_id.to_owned(), head);
            }
        }
    }
}

/// What the checks before writing found.
pub enum Checked {
    /// An earlier command with the same idempotency key: answer with its outcome.
    Replay(CommitOutcome),
    /// The stream is at the expected version; append after this head.
    Fresh { version: u64, prev: Hash },
}

/// The checks that decide whether a command may append: its idempotency key and its
/// expected version. Writes nothing, so a refusal here needs no rollback.
pub fn precheck(
    conn: &mut dyn Conn,
    request: &CommitRequest,
    heads: &mut Heads,
) -> Result<Checked, StoreError> {
    if let Some(idem) = &request.idempotency
        && let Some(first) = replay(conn, idem)?
    {
        return Ok(Checked::Replay(first));
    }
    let (version, prev) = heads.get(conn, &request.stream_id)?;
    if version != request.expected_version {
        return Err(StoreError::Conflict {
            stream_id: request.stream_id.clone(),
            expected: request.expected_version,
            actual: version,
        });
    }
    Ok(Checked::Fresh { version, prev })
}

/// Seals one command's events after `last_seq` and the stream head found by
/// [`precheck`] and updates the read tables. The sealed ledger rows are pushed to
/// `sealed`; the caller inserts them (a whole batch at once on the fast path). On
/// error something may have been written: the caller rolls back (the savepoint, or
/// the whole batch).
pub fn write(
    conn: &mut dyn Conn,
    request: &CommitRequest,
    (mut version, mut prev): (u64, Hash),
    last_seq: u64,
    now: Timestamp,
    sealed_rows: &mut Vec<LedgerEvent>,
) -> Result<(CommitOutcome, Hash), StoreError> {
    let mut buf = Vec::with_capacity(512);
    let mut seq = last_seq;
    for event in &request.events {
        seq += 1;
        version += 1;
        let (event_type, payload) = event.to_parts();
        let sealed = LedgerEvent::seal(
            EventFields {
                seq,
                stream_id: &request.stream_id,
                stream_version: version,
                event_type: &event_type,
                payload: &payload,
                actor: &request.actor,
                reason: request.reason.as_deref(),
                recorded_at_us: now.as_micros(),
                prev_hash: prev,
            },
            &mut buf,
        );
        let recorded = Recorded {
            seq,
            stream_id: &request.stream_id,
            stream_version: version,
            at: now,
        };
        for op in project(recorded, event) {
            apply_row_op(conn, &op)?;
        }
        prev = sealed.hash;
        sealed_rows.push(sealed);
    }
    let outcome = CommitOutcome {
        stream_id: request.stream_id.clone(),
        first_seq: last_seq + 1,
        last_seq: seq,
        version,
        replayed: false,
    };
    if let Some(idem) = &request.idempotency {
        conn.execute(
            "INSERT INTO idempotency (key, fingerprint, stream_id, first_seq, last_seq, version, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                Value::Text(idem.key.clone()),
                Value::Bytes(idem.fingerprint.0.to_vec()),
                Value::Text(outcome.stream_id.clone()),
                Value::from(outcome.first_seq),
                Value::from(outcome.last_seq),
                Value::from(outcome.version),
                Value::Int(now.as_micros()),
            ],
        )?;
    }
    Ok((outcome, prev))
}

/// Executes one projection row operation. An update that matches no row means the
/// read tables disagree with the ledger: the command fails rather than drift further.
pub fn apply_row_op(conn: &mut dyn Conn, op: &RowOp) -> Result<(), StoreError> {
    match op {
        RowOp::Insert { table, values } => {
            let columns: Vec<&str> = values.iter().map(|(c, _)| *c).collect();
            let marks: Vec<String> = (1..=values.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "INSERT INTO {table} ({}) VALUES ({})",
                columns.join(", "),
                marks.join(", ")
            );
            let params: Vec<Value> = values.iter().map(|(_, v)| v.clone()).collect();
            conn.execute(&sql, &params)?;
        }
        RowOp::Update { table, key, set } => {
            let assignments: Vec<String> = set
                .iter()
                .enumerate()
                .map(|(i, (c, _))| format!("{c} = ${}", i + 1))
                .collect();
            let sql = format!(
                "UPDATE {table} SET {} WHERE {} = ${}",
                assignments.join(", "),
                key.0,
                set.len() + 1
            );
            let mut params: Vec<Value> = set.iter().map(|(_, v)| v.clone()).collect();
            params.push(key.1.clone());
            let n = conn.execute(&sql, &params)?;
            if n != 1 {
                return Err(StoreError::Corrupt(format!(
                    "read table {table} has {n} rows for {} = {:?}, expected 1",
                    key.0, key.1
                )));
            }
        }
    }
    Ok(())
}

impl crate::Store {
    /// The stored first result for an idempotency key, if the key was used before.
    /// Checked before deciding, so that a retried "create" returns its first result
    /// instead of "already exists"; `commit` checks again inside the transaction.
    pub async fn idempotent_outcome(
        &self,
        idem: &Idempotency,
    ) -> Result<Option<CommitOutcome>, StoreError> {
        let idem = idem.clone();
        self.read(move |conn| replay(conn, &idem)).await
    }
}
