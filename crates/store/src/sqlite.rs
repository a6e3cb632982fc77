//! The SQLite backend: one file, WAL journal, `synchronous=FULL` so that a commit is on
//! disk before it is acknowledged, and `BEGIN IMMEDIATE` so that a write transaction
//! takes the write lock up front instead of failing half-way.

use std::path::Path;
use std::time::Duration;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ErrorCode, OpenFlags, ToSql, params};
use vplant_domain::projection::Value;
use vplant_ledger::{EventFields, Hash, LedgerEvent};

use crate::conn::{Conn, Dialect, Row, SCAN_SQL, bound, hash_column};
use crate::error::StoreError;

pub const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "ledger and master data",
        include_str!("../migrations/sqlite/0001_ledger.sql"),
    ),
    (
        2,
        "identity and signatures",
        include_str!("../migrations/sqlite/0002_identity.sql"),
    ),
    (
        3,
        "materials, lots, batches and genealogy",
        include_str!("../migrations/sqlite/0003_batches.sql"),
    ),
    (
        4,
        "exceptions and actions",
        include_str!("../migrations/sqlite/0004_exceptions.sql"),
    ),
    (
        5,
        "recorded KPI figures",
        include_str!("../migrations/sqlite/0005_kpi.sql"),
    ),
    (
        6,
        "batch time series",
        include_str!("../migrations/sqlite/0006_series.sql"),
    ),
    (
        7,
        "ledger position of genealogy edges",
        include_str!("../migrations/sqlite/0007_genealogy_seq.sql"),
    ),
    (
        8,
        "master and executed batch records",
        include_str!("../migrations/sqlite/0008_mes.sql"),
    ),
];

pub struct SqliteConn {
    conn: Connection,
}

/// Opens (creating if needed) the database file with the settings every connection
/// must share.
pub fn open(path: &Path) -> Result<SqliteConn, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| {
        StoreError::Unavailable(format!("cannot open SQLite file {}: {e}", path.display()))
    })?;
    conn.busy_timeout(Duration::from_secs(10))
        .map_err(map_err)?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA cache_size = -16000;",
    )
    .map_err(map_err)?;
    // Without the query planner stability guarantee, SQLite re-plans a cached statement
    // whose plan may depend on its bound values each time rusqlite clears its bindings
    // (the stream-head lookup was re-prepared on every command). One plan per
    // statement is also what a validated system wants: no plan changes with the data.
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )
    .map_err(map_err)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(SqliteConn { conn })
}

/// `$1` placeholders become `?1`; SQLite would otherwise number named parameters by
/// first appearance, which silently misbinds when a query uses `$2` before `$1`.
fn translate(sql: &str) -> String {
    sql.replace('$', "?")
}

fn map_err(e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(ErrorCode::DiskFull) => StoreError::Full(e.to_string()),
        Some(ErrorCode::CannotOpen | ErrorCode::NotADatabase | ErrorCode::PermissionDenied) => {
            StoreError::Unavailable(e.to_string())
        }
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            StoreError::Unavailable(format!("{e} (another process holds the write lock)"))
        }
        _ => StoreError::Database(e.to_string()),
    }
}

struct Param<'a>(&'a Value);

impl ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self.0 {
            Value::Null => ToSqlOutput::Owned(rusqlite::types::Value::Null),
            Value::Int(v) => ToSqlOutput::Owned(rusqlite::types::Value::Integer(*v)),
            Value::Bool(b) => ToSqlOutput::Owned(rusqlite::types::Value::Integer(i64::from(*b))),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Value::Bytes(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
        })
    }
}

fn read_value(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        // Floats are not used by any table; keep them readable rather than fail.
        ValueRef::Real(f) => Value::Text(f.to_string()),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Bytes(b.to_vec()),
    }
}

impl SqliteConn {
    /// Copies committed WAL frames into the database file without blocking anyone.
    pub fn wal_checkpoint(&mut self) -> Result<(), StoreError> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
            .map_err(map_err)
    }

    fn insert_event(&mut self, e: &LedgerEvent) -> Result<(), StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "INSERT INTO ledger (seq, stream_id, stream_version, event_type, payload, actor, reason, recorded_at, prev_hash, hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .map_err(map_err)?;
        stmt.execute(params![
            i64::try_from(e.seq).unwrap_or(i64::MAX),
            e.stream_id,
            i64::try_from(e.stream_version).unwrap_or(i64::MAX),
            e.event_type,
            e.payload,
            e.actor,
            e.reason,
            e.recorded_at_us,
            &e.prev_hash.0[..],
            &e.hash.0[..],
        ])
        .map_err(map_err)?;
        Ok(())
    }
}

impl Conn for SqliteConn {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
        let mut stmt = self.conn.prepare_cached(&translate(sql)).map_err(map_err)?;
        let bound: Vec<Param<'_>> = params.iter().map(Param).collect();
        let n = stmt
            .execute(rusqlite::params_from_iter(bound.iter()))
            .map_err(map_err)?;
        Ok(n as u64)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&translate(sql)).map_err(map_err)?;
        let columns = stmt.column_count();
        let bound: Vec<Param<'_>> = params.iter().map(Param).collect();
        let mut rows = stmt
            .query(rusqlite::params_from_iter(bound.iter()))
            .map_err(map_err)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(map_err)? {
            let mut values = Vec::with_capacity(columns);
            for i in 0..columns {
                values.push(read_value(row.get_ref(i).map_err(map_err)?));
            }
            out.push(Row(values));
        }
        Ok(out)
    }

    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.conn.execute_batch(sql).map_err(map_err)
    }

    fn control(&mut self, sql: &'static str) -> Result<(), StoreError> {
        // Prepared once and cached: `execute_batch` would parse the text every time.
        let mut stmt = self.conn.prepare_cached(sql).map_err(map_err)?;
        stmt.execute([]).map_err(map_err)?;
        Ok(())
    }

    fn begin_write(&mut self) -> Result<(), StoreError> {
        self.control("BEGIN IMMEDIATE")
    }

    fn become_writer(&mut self) -> Result<(), StoreError> {
        self.batch("PRAGMA wal_autocheckpoint = 0")
    }

    fn insert_events(&mut self, events: &[LedgerEvent]) -> Result<(), StoreError> {
        events.iter().try_for_each(|e| self.insert_event(e))
    }

    fn scan_ledger(
        &mut self,
        first: u64,
        last: Option<u64>,
        f: &mut dyn FnMut(&EventFields<'_>, Hash) -> bool,
    ) -> Result<(), StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&translate(SCAN_SQL))
            .map_err(map_err)?;
        let mut rows = stmt
            .query(params![bound(Some(first)), bound(last)])
            .map_err(map_err)?;
        while let Some(row) = rows.next().map_err(map_err)? {
            let seq: i64 = row.get(0).map_err(map_err)?;
            let text = |i: usize| -> Result<&str, StoreError> {
                row.get_ref(i)
                    .and_then(|v| v.as_str().map_err(Into::into))
                    .map_err(|e| StoreError::Corrupt(format!("event {seq}, column {i}: {e}")))
            };
            let blob = |i: usize| -> Result<&[u8], StoreError> {
                row.get_ref(i)
                    .and_then(|v| v.as_blob().map_err(Into::into))
                    .map_err(|e| StoreError::Corrupt(format!("event {seq}, column {i}: {e}")))
            };
            let reason = match row.get_ref(6).map_err(map_err)? {
                ValueRef::Null => None,
                _ => Some(text(6)?),
            };
            let fields = EventFields {
                seq: u64::try_from(seq).unwrap_or(0),
                stream_id: text(1)?,
                stream_version: u64::try_from(row.get::<_, i64>(2).map_err(map_err)?).unwrap_or(0),
                event_type: text(3)?,
                payload: text(4)?,
                actor: text(5)?,
                reason,
                recorded_at_us: row.get(7).map_err(map_err)?,
                prev_hash: hash_column(blob(8)?, seq, "prev_hash")?,
            };
            if !f(&fields, hash_column(blob(9)?, seq, "hash")?) {
                break;
            }
        }
        Ok(())
    }

    fn append_only_triggers(&mut self) -> Result<Vec<String>, StoreError> {
        let rows = self.query(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name",
            &[],
        )?;
        rows.iter().map(|r| r.text(0)).collect()
    }
}
