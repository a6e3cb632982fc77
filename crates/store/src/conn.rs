//! The few operations the store needs from a database connection, implemented once
//! for SQLite and once for PostgreSQL. Everything above this trait (group commit,
//! checkpoints, verify, rebuild, export, queries) is written once for both.

use vplant_domain::projection::Value;
use vplant_ledger::{EventFields, Hash, LedgerEvent};

use crate::error::StoreError;

/// One result row, columns in the order of the SELECT.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row(pub Vec<Value>);

impl Row {
    fn get(&self, i: usize) -> Result<&Value, StoreError> {
        self.0
            .get(i)
            .ok_or_else(|| StoreError::Corrupt(format!("result has no column {i}")))
    }

    pub fn int(&self, i: usize) -> Result<i64, StoreError> {
        match self.get(i)? {
            Value::Int(v) => Ok(*v),
            Value::Bool(b) => Ok(i64::from(*b)),
            other => Err(StoreError::Corrupt(format!(
                "column {i} is {other:?}, expected an integer"
            ))),
        }
    }

    pub fn uint(&self, i: usize) -> Result<u64, StoreError> {
        u64::try_from(self.int(i)?)
            .map_err(|_| StoreError::Corrupt(format!("column {i} is negative")))
    }

    pub fn bool(&self, i: usize) -> Result<bool, StoreError> {
        match self.get(i)? {
            Value::Bool(b) => Ok(*b),
            Value::Int(v) => Ok(*v != 0),
            other => Err(StoreError::Corrupt(format!(
                "column {i} is {other:?}, expected a boolean"
            ))),
        }
    }

    pub fn text(&self, i: usize) -> Result<String, StoreError> {
        match self.get(i)? {
            Value::Text(s) => Ok(s.clone()),
            other => Err(StoreError::Corrupt(format!(
                "column {i} is {other:?}, expected text"
            ))),
        }
    }

    pub fn opt_text(&self, i: usize) -> Result<Option<String>, StoreError> {
        match self.get(i)? {
            Value::Null => Ok(None),
            _ => self.text(i).map(Some),
        }
    }

    pub fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        match self.get(i)? {
            Value::Null => Ok(None),
            _ => self.int(i).map(Some),
        }
    }

    pub fn bytes(&self, i: usize) -> Result<Vec<u8>, StoreError> {
        match self.get(i)? {
            Value::Bytes(b) => Ok(b.clone()),
            other => Err(StoreError::Corrupt(format!(
                "column {i} is {other:?}, expected bytes"
            ))),
        }
    }
}

/// Which SQL dialect a connection speaks, where the two differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A database connection. SQL passed in uses PostgreSQL's `$1` placeholders; the
/// SQLite implementation translates them.
pub trait Conn: Send {
    fn dialect(&self) -> Dialect;
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError>;
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError>;
    /// Runs statements without parameters (DDL, transaction control).
    fn batch(&mut self, sql: &str) -> Result<(), StoreError>;
    /// Runs a transaction-control statement (`SAVEPOINT x`, `RELEASE x`, `COMMIT` …)
    /// the cheapest way the driver allows; these run several times per batch.
    fn control(&mut self, sql: &'static str) -> Result<(), StoreError>;
    /// Prepares this connection to be the store's writer (SQLite: no automatic WAL
    /// checkpoints on the commit path; `wal.rs` runs them).
    fn become_writer(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
    /// Starts the transaction that appends to the ledger, holding the lock that
    /// serialises all appenders (SQLite `BEGIN IMMEDIATE`; PostgreSQL an advisory lock
    /// shared by every app server).
    fn begin_write(&mut self) -> Result<(), StoreError>;
    /// Appends ledger rows, in order. Separate from `execute` because it is the hot
    /// path: SQLite runs one cached statement per row (cheap, in process); PostgreSQL
    /// sends the whole slice in one statement (one round trip).
    fn insert_events(&mut self, events: &[LedgerEvent]) -> Result<(), StoreError>;
    /// Calls `f` with every ledger row with `first <= seq` (and `seq <= last` when
    /// given), in sequence order, borrowing the row's data instead of copying it (the
    /// verifier reads every row of the ledger; copies were most of its cost). Stops
    /// early when `f` returns false.
    fn scan_ledger(
        &mut self,
        first: u64,
        last: Option<u64>,
        f: &mut dyn FnMut(&EventFields<'_>, Hash) -> bool,
    ) -> Result<(), StoreError>;
    /// Names of the append-only triggers currently installed and enabled.
    fn append_only_triggers(&mut self) -> Result<Vec<String>, StoreError>;
}

/// The triggers every backend installs; `verify` reports any that are missing.
pub const APPEND_ONLY_TRIGGERS: &[&str] = &[
    "checkpoints_no_delete",
    "checkpoints_no_update",
    "ledger_no_delete",
    "ledger_no_update",
];

/// The ledger's columns in the order every reader expects, as a literal so that
/// queries can be built from it at compile time.
macro_rules! ledger_columns {
    () => {
        "seq, stream_id, stream_version, event_type, payload, actor, reason, recorded_at, prev_hash, hash"
    };
}

/// The columns of a ledger row, in the order `event_from_row` reads them.
pub const LEDGER_COLUMNS: &str = ledger_columns!();

/// The scan's query: rows in `[$1, $2]`, in order, columns as `LEDGER_COLUMNS`.
pub const SCAN_SQL: &str = concat!(
    "SELECT ",
    ledger_columns!(),
    " FROM ledger WHERE seq >= $1 AND seq <= $2 ORDER BY seq"
);

/// A stored hash column, or the reason it is not one.
pub fn hash_column(bytes: &[u8], seq: i64, column: &str) -> Result<Hash, StoreError> {
    Hash::from_slice(bytes)
        .ok_or_else(|| StoreError::Corrupt(format!("event {seq}: {column} is not 32 bytes")))
}

/// A sequence bound as the database stores it.
pub fn bound(seq: Option<u64>) -> i64 {
    seq.map_or(i64::MAX, |s| i64::try_from(s).unwrap_or(i64::MAX))
}

pub fn event_from_row(row: &Row) -> Result<LedgerEvent, StoreError> {
    let hash = |i: usize| {
        let bytes = row.bytes(i)?;
        vplant_ledger::Hash::from_slice(&bytes)
            .ok_or_else(|| StoreError::Corrupt(format!("ledger hash column {i} is not 32 bytes")))
    };
    Ok(LedgerEvent {
        seq: row.uint(0)?,
        stream_id: row.text(1)?,
        stream_version: row.uint(2)?,
        event_type: row.text(3)?,
        payload: row.text(4)?,
        actor: row.text(5)?,
        reason: row.opt_text(6)?,
        recorded_at_us: row.int(7)?,
        prev_hash: hash(8)?,
        hash: hash(9)?,
    })
}
