//! The PostgreSQL backend: the scale-out store that several app servers share. Appends
//! from every server are serialised by a transaction-scoped advisory lock, so the
//! global sequence has no gaps and every stream's version check sees the latest write.

use std::collections::HashMap;
use std::error::Error;

use bytes::BytesMut;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, NoTls, Statement};
use vplant_domain::projection::Value;
use vplant_ledger::{EventFields, Hash, LedgerEvent};

use crate::conn::{Conn, Dialect, Row, SCAN_SQL, bound, hash_column};
use crate::error::StoreError;

pub const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "ledger and master data",
        include_str!("../migrations/postgres/0001_ledger.sql"),
    ),
    (
        2,
        "identity and signatures",
        include_str!("../migrations/postgres/0002_identity.sql"),
    ),
    (
        3,
        "materials, lots, batches and genealogy",
        include_str!("../migrations/postgres/0003_batches.sql"),
    ),
    (
        4,
        "exceptions and actions",
        include_str!("../migrations/postgres/0004_exceptions.sql"),
    ),
    (
        5,
        "recorded KPI figures",
        include_str!("../migrations/postgres/0005_kpi.sql"),
    ),
    (
        6,
        "batch time series",
        include_str!("../migrations/postgres/0006_series.sql"),
    ),
    (
        7,
        "ledger position of genealogy edges",
        include_str!("../migrations/postgres/0007_genealogy_seq.sql"),
    ),
    (
        8,
        "master and executed batch records",
        include_str!("../migrations/postgres/0008_mes.sql"),
    ),
];

/// The advisory lock key every appender takes ("vplant" in ASCII, as a number).
const APPEND_LOCK: i64 = 0x7670_6c61_6e74;

pub struct PgConn {
    client: Client,
    statements: HashMap<String, Statement>,
}

pub fn open(url: &str) -> Result<PgConn, StoreError> {
    let client = Client::connect(url, NoTls).map_err(|e| {
        StoreError::Unavailable(format!(
            "cannot connect to PostgreSQL at {}: {e}",
            redact(url)
        ))
    })?;
    Ok(PgConn {
        client,
        statements: HashMap::new(),
    })
}

/// The URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

fn map_err(e: postgres::Error) -> StoreError {
    if let Some(db) = e.as_db_error() {
        let code = db.code().code();
        // Class 53: insufficient resources (53100 disk full, 53200 out of memory).
        if code.starts_with("53") {
            return StoreError::Full(db.message().to_owned());
        }
        // Class 08: connection exceptions; 57P: operator intervention (shutdown).
        if code.starts_with("08") || code.starts_with("57P") {
            return StoreError::Unavailable(db.message().to_owned());
        }
        return StoreError::Database(format!("{} ({code})", db.message()));
    }
    if e.is_closed() || e.source().is_some_and(|s| s.is::<std::io::Error>()) {
        return StoreError::Unavailable(e.to_string());
    }
    StoreError::Database(e.to_string())
}

#[derive(Debug)]
struct Param<'a>(&'a Value);

impl ToSql for Param<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        match self.0 {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) if *ty == Type::INT4 => i32::try_from(*v)?.to_sql(ty, out),
            Value::Int(v) if *ty == Type::INT2 => i16::try_from(*v)?.to_sql(ty, out),
            Value::Int(v) if *ty == Type::BOOL => (*v != 0).to_sql(ty, out),
            Value::Int(v) => v.to_sql(ty, out),
            Value::Bool(b) => b.to_sql(ty, out),
            Value::Text(s) => s.to_sql(ty, out),
            Value::Bytes(b) => b.to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

fn read_value(row: &postgres::Row, i: usize) -> Result<Value, StoreError> {
    let ty = row.columns()[i].type_().clone();
    let err = |e: postgres::Error| StoreError::Corrupt(format!("column {i}: {e}"));
    let value = if ty == Type::INT8 {
        row.try_get::<_, Option<i64>>(i)
            .map_err(err)?
            .map(Value::Int)
    } else if ty == Type::INT4 {
        row.try_get::<_, Option<i32>>(i)
            .map_err(err)?
            .map(|v| Value::Int(i64::from(v)))
    } else if ty == Type::INT2 {
        row.try_get::<_, Option<i16>>(i)
            .map_err(err)?
            .map(|v| Value::Int(i64::from(v)))
    } else if ty == Type::BOOL {
        row.try_get::<_, Option<bool>>(i)
            .map_err(err)?
            .map(Value::Bool)
    } else if ty == Type::BYTEA {
        row.try_get::<_, Option<Vec<u8>>>(i)
            .map_err(err)?
            .map(Value::Bytes)
    } else {
        row.try_get::<_, Option<String>>(i)
            .map_err(err)?
            .map(Value::Text)
    };
    Ok(value.unwrap_or(Value::Null))
}

impl PgConn {
    fn statement(&mut self, sql: &str) -> Result<Statement, StoreError> {
        if let Some(stmt) = self.statements.get(sql) {
            return Ok(stmt.clone());
        }
        let stmt = self.client.prepare(sql).map_err(map_err)?;
        self.statements.insert(sql.to_owned(), stmt.clone());
        Ok(stmt)
    }
}

impl Conn for PgConn {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
        let stmt = self.statement(sql)?;
        let bound: Vec<Param<'_>> = params.iter().map(Param).collect();
        let refs: Vec<&(dyn ToSql + Sync)> =
            bound.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        self.client.execute(&stmt, &refs).map_err(map_err)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let stmt = self.statement(sql)?;
        let bound: Vec<Param<'_>> = params.iter().map(Param).collect();
        let refs: Vec<&(dyn ToSql + Sync)> =
            bound.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        let rows = self.client.query(&stmt, &refs).map_err(map_err)?;
        rows.iter()
            .map(|row| {
                (0..row.len())
                    .map(|i| read_value(row, i))
                    .collect::<Result<Vec<_>, _>>()
                    .map(Row)
            })
            .collect()
    }

    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.client.batch_execute(sql).map_err(map_err)
    }

    fn control(&mut self, sql: &'static str) -> Result<(), StoreError> {
        // The simple-query protocol: one round trip, no prepare.
        self.client.batch_execute(sql).map_err(map_err)
    }

    fn begin_write(&mut self) -> Result<(), StoreError> {
        self.client
            .batch_execute(&format!(
                "BEGIN; SELECT pg_advisory_xact_lock({APPEND_LOCK})"
            ))
            .map_err(map_err)
    }

    fn insert_events(&mut self, events: &[LedgerEvent]) -> Result<(), StoreError> {
        if events.is_empty() {
            return Ok(());
        }
        // One statement for the whole slice: columns travel as arrays and `unnest`
        // turns them back into rows, in order.
        let stmt = self.statement(
            "INSERT INTO ledger (seq, stream_id, stream_version, event_type, payload, actor, reason, recorded_at, prev_hash, hash)
             SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[],
                                  $6::text[], $7::text[], $8::bigint[], $9::bytea[], $10::bytea[])",
        )?;
        let int = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        let seqs: Vec<i64> = events.iter().map(|e| int(e.seq)).collect();
        let streams: Vec<&str> = events.iter().map(|e| e.stream_id.as_str()).collect();
        let versions: Vec<i64> = events.iter().map(|e| int(e.stream_version)).collect();
        let types: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
        let payloads: Vec<&str> = events.iter().map(|e| e.payload.as_str()).collect();
        let actors: Vec<&str> = events.iter().map(|e| e.actor.as_str()).collect();
        let reasons: Vec<Option<&str>> = events.iter().map(|e| e.reason.as_deref()).collect();
        let times: Vec<i64> = events.iter().map(|e| e.recorded_at_us).collect();
        let prevs: Vec<&[u8]> = events.iter().map(|e| &e.prev_hash.0[..]).collect();
        let hashes: Vec<&[u8]> = events.iter().map(|e| &e.hash.0[..]).collect();
        self.client
            .execute(
                &stmt,
                &[
                    &seqs, &streams, &versions, &types, &payloads, &actors, &reasons, &times,
                    &prevs, &hashes,
                ],
            )
            .map_err(map_err)?;
        Ok(())
    }

    fn scan_ledger(
        &mut self,
        first: u64,
        last: Option<u64>,
        f: &mut dyn FnMut(&EventFields<'_>, Hash) -> bool,
    ) -> Result<(), StoreError> {
        use postgres::fallible_iterator::FallibleIterator;
        let stmt = self.statement(SCAN_SQL)?;
        let (from, to) = (bound(Some(first)), bound(last));
        let params: [&(dyn ToSql + Sync); 2] = [&from, &to];
        // Rows stream from the server as they are read, not collected first.
        let mut rows = self
            .client
            .query_raw(&stmt, params.iter().copied())
            .map_err(map_err)?;
        while let Some(row) = rows.next().map_err(map_err)? {
            let seq: i64 = row.try_get(0).map_err(map_err)?;
            let corrupt = |e: postgres::Error| StoreError::Corrupt(format!("event {seq}: {e}"));
            let fields = EventFields {
                seq: u64::try_from(seq).unwrap_or(0),
                stream_id: row.try_get(1).map_err(corrupt)?,
                stream_version: u64::try_from(row.try_get::<_, i64>(2).map_err(corrupt)?)
                    .unwrap_or(0),
                event_type: row.try_get(3).map_err(corrupt)?,
                payload: row.try_get(4).map_err(corrupt)?,
                actor: row.try_get(5).map_err(corrupt)?,
                reason: row.try_get(6).map_err(corrupt)?,
                recorded_at_us: row.try_get(7).map_err(corrupt)?,
                prev_hash: hash_column(row.try_get(8).map_err(corrupt)?, seq, "prev_hash")?,
            };
            let hash = hash_column(row.try_get(9).map_err(corrupt)?, seq, "hash")?;
            if !f(&fields, hash) {
                break;
            }
        }
        Ok(())
    }

    fn append_only_triggers(&mut self) -> Result<Vec<String>, StoreError> {
        let rows = self.query(
            "SELECT t.tgname::text FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
             WHERE NOT t.tgisinternal AND t.tgenabled <> 'D'
               AND c.relname IN ('ledger', 'checkpoints')
               AND c.relnamespace = to_regnamespace(current_schema())::oid
             ORDER BY 1",
            &[],
        )?;
        rows.iter().map(|r| r.text(0)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact("postgres://app:s3cret@db:5432/vplant"),
            "postgres://app:***@db:5432/vplant"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1/test"),
            "postgres://postgres@127.0.0.1/test"
        );
    }
}
