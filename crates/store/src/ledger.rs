//! Whole-ledger jobs: reading a stream, verifying the database, rebuilding the read
//! tables from the ledger.

use std::sync::Arc;

use vplant_domain::projection::{READ_TABLES, Recorded, Value, project};
use vplant_domain::{Event, Timestamp};
use vplant_ledger::{
    Checkpoint, CheckpointSource, ChunkResult, ChunkVerifier, Failure, FailureKind, LedgerEvent,
    Plan, PublicKey, Summary, join,
};

use crate::commit::apply_row_op;
use crate::conn::{APPEND_ONLY_TRIGGERS, Conn, LEDGER_COLUMNS, event_from_row};
use crate::error::StoreError;
use crate::{Store, checkpoints};

/// Events read per round trip when scanning the whole ledger.
pub(crate) const SCAN_BATCH: u64 = 20_000;

/// Events with `seq > after`, at most `limit`, in sequence order.
pub fn scan(conn: &mut dyn Conn, after: u64, limit: u64) -> Result<Vec<LedgerEvent>, StoreError> {
    conn.query(
        &format!("SELECT {LEDGER_COLUMNS} FROM ledger WHERE seq > $1 ORDER BY seq LIMIT $2"),
        &[Value::from(after), Value::from(limit)],
    )?
    .iter()
    .map(event_from_row)
    .collect()
}

/// The outcome of verifying a database.
#[derive(Debug)]
pub struct VerifyReport {
    pub result: Result<Summary, Failure>,
    /// Append-only triggers that should exist and do not (dropped or disabled).
    pub missing_triggers: Vec<String>,
}

impl VerifyReport {
    pub fn intact(&self) -> bool {
        self.result.is_ok() && self.missing_triggers.is_empty()
    }
}

impl Store {
    /// Every event of one stream, in version order (the record's history).
    pub async fn stream(&self, stream_id: &str) -> Result<Vec<LedgerEvent>, StoreError> {
        let stream_id = stream_id.to_owned();
        self.read(move |conn| {
            conn.query(
                &format!("SELECT {LEDGER_COLUMNS} FROM ledger WHERE stream_id = $1 ORDER BY stream_version"),
                &[Value::Text(stream_id)],
            )?
            .iter()
            .map(event_from_row)
            .collect()
        })
        .await
    }

    /// Verifies the whole ledger against `key`, the database's checkpoints and the
    /// `witness` checkpoints (from the witness file), and checks the append-only
    /// triggers. Runs on the calling thread; use both cores.
    pub fn verify(
        &self,
        key: &PublicKey,
        witness: Vec<Checkpoint>,
    ) -> Result<VerifyReport, StoreError> {
        let (stored, triggers) =
            self.read_blocking(|conn| Ok((checkpoints::all(conn)?, conn.append_only_triggers()?)))?;
        let missing_triggers = APPEND_ONLY_TRIGGERS
            .iter()
            .filter(|t| !triggers.iter().any(|have| have == *t))
            .map(|t| (*t).to_owned())
            .collect();
        let mut sources: Vec<(Checkpoint, CheckpointSource)> = stored
            .into_iter()
            .map(|c| (c, CheckpointSource::Database))
            .collect();
        sources.extend(witness.into_iter().map(|c| (c, CheckpointSource::Witness)));
        let plan = match Plan::new(key, sources) {
            Ok(plan) => Arc::new(plan),
            Err(failure) => {
                return Ok(VerifyReport {
                    result: Err(failure),
                    missing_triggers,
                });
            }
        };
        // The chunks below start at sequence 1, so a row numbered 0 or below would
        // never reach the verifier, yet it would show in its stream's history.
        if let Some(failure) = self.read_blocking(numbered_before_first)? {
            return Ok(VerifyReport {
                result: Err(failure),
                missing_triggers,
            });
        }
        let last = self.read_blocking(crate::writer::last_seq)?;
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let ranges = plan.chunks(last, threads);
        // Each chunk on its own core and its own connection: read, hash, link and
        // check Merkle roots together; `join` then stitches the chunks.
        let results: Vec<Result<ChunkResult, StoreError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = ranges
                .iter()
                .map(|&(first, last)| {
                    let plan = plan.clone();
                    scope.spawn(move || {
                        let mut conn = self.connect()?;
                        let mut chunk = ChunkVerifier::new(plan, first);
                        conn.scan_ledger(first, last, &mut |fields, hash| {
                            chunk.push(fields, hash, None)
                        })?;
                        Ok(chunk.finish())
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(StoreError::Corrupt("a verify thread panicked".into()))
                    })
                })
                .collect()
        });
        let results = results.into_iter().collect::<Result<Vec<_>, _>>()?;
        Ok(VerifyReport {
            result: join(&plan, results),
            missing_triggers,
        })
    }

    /// Drops the contents of every read table and replays the whole ledger into them,
    /// in one transaction that holds the append lock. Returns the number of events
    /// replayed.
    pub fn rebuild(&self) -> Result<u64, StoreError> {
        let mut conn = self.connect()?;
        conn.begin_write()?;
        let result = replay_into(conn.as_mut());
        match result {
            Ok(n) => {
                conn.batch("COMMIT")?;
                Ok(n)
            }
            Err(e) => {
                let _ = conn.batch("ROLLBACK");
                Err(e)
            }
        }
    }
}

/// The first event stored at a sequence number below 1, where no written event can be.
fn numbered_before_first(conn: &mut dyn Conn) -> Result<Option<Failure>, StoreError> {
    let rows = conn.query(
        "SELECT seq, stream_id FROM ledger WHERE seq < 1 ORDER BY seq LIMIT 1",
        &[],
    )?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let seq = row.int(0)?;
    Ok(Some(Failure {
        kind: FailureKind::OutOfOrder,
        seq: u64::try_from(seq).ok(),
        stream_id: Some(row.text(1)?),
        detail: format!(
            "an event is stored at sequence {seq}, before the first sequence number (1): it was inserted"
        ),
    }))
}

/// Clears the read tables and re-projects every event, inside the caller's transaction.
pub(crate) fn replay_into(conn: &mut dyn Conn) -> Result<u64, StoreError> {
    for table in READ_TABLES {
        conn.execute(&format!("DELETE FROM {table}"), &[])?;
    }
    let mut after = 0;
    let mut count = 0;
    loop {
        let events = scan(conn, after, SCAN_BATCH)?;
        for stored in &events {
            let event = Event::from_parts(&stored.event_type, &stored.payload)
                .map_err(|e| StoreError::Corrupt(format!("event {}: {e}", stored.seq)))?;
            let recorded = Recorded {
                seq: stored.seq,
                stream_id: &stored.stream_id,
                stream_version: stored.stream_version,
                at: Timestamp::from_micros(stored.recorded_at_us),
            };
            for op in project(recorded, &event) {
                apply_row_op(conn, &op)?;
            }
            after = stored.seq;
            count += 1;
        }
        if (events.len() as u64) < SCAN_BATCH {
            return Ok(count);
        }
    }
}
