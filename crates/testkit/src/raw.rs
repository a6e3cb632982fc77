//! A connection of the backend's own driver that goes around the store, as someone
//! with database access but without the signing key would: the tests use it to try
//! to change history and to prove that the database and the verifier catch it.

use std::path::Path;
use std::time::Duration;

use postgres::types::ToSql;
use vplant_domain::projection::Value;
use vplant_ledger::LedgerEvent;
use vplant_store::{APPEND_ONLY_TRIGGERS, Dialect};

/// The store's PostgreSQL append lock ("vplant" in ASCII); holding it stalls the
/// store's writer exactly as another app server would.
const APPEND_LOCK: i64 = 0x7670_6c61_6e74;

/// A raw SQLite or PostgreSQL connection. SQL uses `$1` placeholders on both.
pub enum Raw {
    Sqlite(rusqlite::Connection),
    Postgres(postgres::Client),
}

impl Raw {
    pub fn sqlite(path: &Path) -> Raw {
        let conn = rusqlite::Connection::open(path).expect("open the SQLite file directly");
        conn.busy_timeout(Duration::from_secs(10))
            .expect("set a busy timeout");
        Raw::Sqlite(conn)
    }

    pub fn postgres(url: &str) -> Raw {
        Raw::Postgres(
            postgres::Client::connect(url, postgres::NoTls)
                .expect("connect to PostgreSQL directly"),
        )
    }

    pub fn dialect(&self) -> Dialect {
        match self {
            Raw::Sqlite(_) => Dialect::Sqlite,
            Raw::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Runs one statement; the error is the database's own message.
    pub fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, String> {
        match self {
            Raw::Sqlite(conn) => {
                let bound: Vec<rusqlite::types::Value> = params.iter().map(sqlite_value).collect();
                conn.execute(&sql.replace('$', "?"), rusqlite::params_from_iter(bound))
                    .map(|n| n as u64)
                    .map_err(|e| e.to_string())
            }
            Raw::Postgres(client) => {
                let bound: Vec<Box<dyn ToSql + Sync>> = params.iter().map(pg_value).collect();
                let refs: Vec<&(dyn ToSql + Sync)> = bound.iter().map(|b| b.as_ref()).collect();
                client.execute(sql, &refs).map_err(|e| {
                    e.as_db_error()
                        .map_or_else(|| e.to_string(), |db| db.message().to_owned())
                })
            }
        }
    }

    /// Runs statements without parameters.
    pub fn batch(&mut self, sql: &str) -> Result<(), String> {
        match self {
            Raw::Sqlite(conn) => conn.execute_batch(sql).map_err(|e| e.to_string()),
            Raw::Postgres(client) => client.batch_execute(sql).map_err(|e| e.to_string()),
        }
    }

    /// Drops the four append-only triggers, the first step of every tampering.
    pub fn drop_append_only_triggers(&mut self) {
        for trigger in APPEND_ONLY_TRIGGERS {
            let table = trigger.split('_').next().unwrap_or_default();
            let sql = match self.dialect() {
                Dialect::Sqlite => format!("DROP TRIGGER {trigger}"),
                Dialect::Postgres => format!("DROP TRIGGER {trigger} ON {table}"),
            };
            self.batch(&sql)
                .unwrap_or_else(|e| panic!("dropping trigger {trigger} failed: {e}"));
        }
    }

    /// Takes the lock the store's writer needs for every batch, in a transaction that
    /// stays open until [`Raw::release_write_lock`].
    pub fn hold_write_lock(&mut self) {
        let sql = match self.dialect() {
            Dialect::Sqlite => "BEGIN IMMEDIATE".to_owned(),
            Dialect::Postgres => format!("BEGIN; SELECT pg_advisory_xact_lock({APPEND_LOCK})"),
        };
        self.batch(&sql).expect("take the append lock");
    }

    pub fn release_write_lock(&mut self) {
        self.batch("COMMIT").expect("release the append lock");
    }

    /// Overwrites the row at `event.seq` with every other field of `event`.
    pub fn overwrite_event(&mut self, event: &LedgerEvent) {
        let n = self
            .execute(
                "UPDATE ledger SET stream_id = $1, stream_version = $2, event_type = $3,
                        payload = $4, actor = $5, reason = $6, recorded_at = $7,
                        prev_hash = $8, hash = $9
                  WHERE seq = $10",
                &[
                    Value::Text(event.stream_id.clone()),
                    int(event.stream_version),
                    Value::Text(event.event_type.clone()),
                    Value::Text(event.payload.clone()),
                    Value::Text(event.actor.clone()),
                    event.reason.clone().map_or(Value::Null, Value::Text),
                    Value::Int(event.recorded_at_us),
                    Value::Bytes(event.prev_hash.0.to_vec()),
                    Value::Bytes(event.hash.0.to_vec()),
                    int(event.seq),
                ],
            )
            .unwrap_or_else(|e| panic!("overwriting event {} failed: {e}", event.seq));
        assert_eq!(n, 1, "event {} exists", event.seq);
    }

    /// Inserts a whole ledger row, bypassing the store.
    pub fn insert_event(&mut self, event: &LedgerEvent) {
        self.execute(
            "INSERT INTO ledger (seq, stream_id, stream_version, event_type, payload, actor,
                                 reason, recorded_at, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            &[
                int(event.seq),
                Value::Text(event.stream_id.clone()),
                int(event.stream_version),
                Value::Text(event.event_type.clone()),
                Value::Text(event.payload.clone()),
                Value::Text(event.actor.clone()),
                event.reason.clone().map_or(Value::Null, Value::Text),
                Value::Int(event.recorded_at_us),
                Value::Bytes(event.prev_hash.0.to_vec()),
                Value::Bytes(event.hash.0.to_vec()),
            ],
        )
        .unwrap_or_else(|e| panic!("inserting event {} failed: {e}", event.seq));
    }
}

fn int(v: u64) -> Value {
    Value::Int(i64::try_from(v).expect("fits in i64"))
}

fn sqlite_value(v: &Value) -> rusqlite::types::Value {
    match v {
        Value::Null => rusqlite::types::Value::Null,
        Value::Int(i) => rusqlite::types::Value::Integer(*i),
        Value::Bool(b) => rusqlite::types::Value::Integer(i64::from(*b)),
        Value::Text(s) => rusqlite::types::Value::Text(s.clone()),
        Value::Bytes(b) => rusqlite::types::Value::Blob(b.clone()),
    }
}

/// The PostgreSQL parameter for `v`. A NULL is sent as text, which is all the tests
/// need (the nullable ledger column, `reason`, is text).
fn pg_value(v: &Value) -> Box<dyn ToSql + Sync> {
    match v {
        Value::Null => Box::new(None::<String>),
        Value::Int(i) => Box::new(*i),
        Value::Bool(b) => Box::new(*b),
        Value::Text(s) => Box::new(s.clone()),
        Value::Bytes(b) => Box::new(b.clone()),
    }
}
