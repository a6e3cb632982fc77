//! The append workload: commands one user or integration would send, one event each.
//! Three in four rename an existing site (a stream that already has events), one in
//! four registers a new site `site/S000123` (a new stream).

use vplant_store::CommitRequest;

use super::{ACTORS, REASONS, Rng, register_site, rename_site, site_name, site_stream};

struct Site {
    number: u64,
    version: u64,
    name: String,
}

/// One writer's sites. Each writer owns its own range of site numbers, so that
/// concurrent writers never conflict (a conflict would measure retries, not appends).
pub struct Workload {
    rng: Rng,
    sites: Vec<Site>,
    next_number: u64,
}

impl Workload {
    pub fn new(writer: u64) -> Workload {
        Workload {
            rng: Rng::new(0x5EED ^ writer.wrapping_mul(0x9E37_79B9)),
            sites: Vec::new(),
            next_number: writer * 10_000 + 1,
        }
    }

    /// The next command. The caller must report success with [`Workload::committed`]
    /// before asking for another one.
    pub fn next_request(&mut self) -> CommitRequest {
        let actor = self.rng.pick(ACTORS).to_owned();
        if self.sites.is_empty() || self.rng.below(4) == 0 {
            let number = self.next_number;
            self.next_number += 1;
            let name = site_name(&mut self.rng);
            let event = register_site(number, &name, &mut self.rng);
            // The stream's version once this registration is committed.
            self.sites.push(Site {
                number,
                version: 1,
                name,
            });
            return CommitRequest {
                stream_id: site_stream(number),
                expected_version: 0,
                events: vec![event],
                actor,
                reason: None,
                idempotency: None,
            };
        }
        let index = self.rng.below(self.sites.len());
        let mut to = site_name(&mut self.rng);
        if to == self.sites[index].name {
            to.push_str(" (renamed)");
        }
        let site = &mut self.sites[index];
        let event = rename_site(&site.name, &to);
        site.name = to;
        let request = CommitRequest {
            stream_id: site_stream(site.number),
            expected_version: site.version,
            events: vec![event],
            actor,
            reason: Some(self.rng.pick(REASONS).to_owned()),
            idempotency: None,
        };
        // The version moves on when the command is committed; we only ever have one
        // command in flight per writer, so recording it here is exact.
        site.version += 1;
        request
    }

    pub fn rng(&mut self) -> &mut Rng {
        &mut self.rng
    }
}

/// The ledger row a request would produce, as plain column values, for the baseline
/// tables: same text, same sizes, random 32-byte hashes.
pub struct PlainRow {
    pub stream_id: String,
    pub stream_version: i64,
    pub event_type: String,
    pub payload: String,
    pub actor: String,
    pub reason: Option<String>,
    pub recorded_at: i64,
    pub prev_hash: [u8; 32],
    pub hash: [u8; 32],
}

impl PlainRow {
    pub fn from_request(request: &CommitRequest, rng: &mut Rng, recorded_at: i64) -> PlainRow {
        let (event_type, payload) = request
            .events
            .first()
            .map(|e| e.to_parts())
            .unwrap_or_default();
        let mut random_hash = || {
            let mut h = [0u8; 32];
            for chunk in h.chunks_mut(8) {
                chunk.copy_from_slice(&rng.next_u64().to_le_bytes());
            }
            h
        };
        PlainRow {
            stream_id: request.stream_id.clone(),
            stream_version: i64::try_from(request.expected_version + 1).unwrap_or(i64::MAX),
            event_type,
            payload,
            actor: request.actor.clone(),
            reason: request.reason.clone(),
            recorded_at,
            prev_hash: random_hash(),
            hash: random_hash(),
        }
    }
}

/// The baseline table: the ledger's columns, no constraints besides the rowid key, no
/// triggers, no read tables.
pub const PLAIN_TABLE_SQLITE: &str = "CREATE TABLE plain (
    id INTEGER PRIMARY KEY, stream_id TEXT NOT NULL, stream_version INTEGER NOT NULL,
    event_type TEXT NOT NULL, payload TEXT NOT NULL, actor TEXT NOT NULL, reason TEXT,
    recorded_at INTEGER NOT NULL, prev_hash BLOB NOT NULL, hash BLOB NOT NULL)";

pub const PLAIN_TABLE_POSTGRES: &str = "CREATE TABLE plain (
    id BIGSERIAL PRIMARY KEY, stream_id TEXT NOT NULL, stream_version BIGINT NOT NULL,
    event_type TEXT NOT NULL, payload TEXT NOT NULL, actor TEXT NOT NULL, reason TEXT,
    recorded_at BIGINT NOT NULL, prev_hash BYTEA NOT NULL, hash BYTEA NOT NULL)";

pub const PLAIN_INSERT_SQLITE: &str = "INSERT INTO plain (stream_id, stream_version, event_type, payload, actor, reason, recorded_at, prev_hash, hash)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

pub const PLAIN_INSERT_POSTGRES: &str = "INSERT INTO plain (stream_id, stream_version, event_type, payload, actor, reason, recorded_at, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

/// Opens an SQLite baseline database with the store's own pragmas (WAL,
/// `synchronous=FULL`, the same busy timeout and cache size).
pub fn open_plain_sqlite(
    path: &std::path::Path,
    create: bool,
) -> rusqlite::Result<rusqlite::Connection> {
    let conn = rusqlite::Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(60))?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA cache_size = -16000;",
    )?;
    if create {
        conn.execute_batch(PLAIN_TABLE_SQLITE)?;
    }
    Ok(conn)
}

/// One INSERT in autocommit mode: one transaction, one durable commit.
pub fn insert_plain_sqlite(conn: &rusqlite::Connection, row: &PlainRow) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(PLAIN_INSERT_SQLITE)?;
    stmt.execute(rusqlite::params![
        row.stream_id,
        row.stream_version,
        row.event_type,
        row.payload,
        row.actor,
        row.reason,
        row.recorded_at,
        &row.prev_hash[..],
        &row.hash[..],
    ])?;
    Ok(())
}

/// The rows the store would write for `request` (its ledger row and the `sites` insert
/// or update of the projection), written directly: what the schema costs without the
/// store's code.
pub fn insert_into_store_tables(
    conn: &rusqlite::Connection,
    request: &CommitRequest,
    row: &PlainRow,
    seq: u64,
) -> super::BenchResult {
    conn.prepare_cached(
        "INSERT INTO ledger (seq, stream_id, stream_version, event_type, payload, actor, reason, recorded_at, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(rusqlite::params![
        i64::try_from(seq)?,
        row.stream_id,
        row.stream_version,
        row.event_type,
        row.payload,
        row.actor,
        row.reason,
        row.recorded_at,
        &row.prev_hash[..],
        &row.hash[..],
    ])?;
    let code = request.stream_id.trim_start_matches("site/");
    match request.events.first() {
        Some(vplant_domain::Event::SiteRegistered(e)) => {
            conn.prepare_cached(
                "INSERT INTO sites (code, name, kind, country, active, version, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?6)",
            )?
            .execute(rusqlite::params![
                code,
                e.name,
                e.kind.as_str(),
                e.country,
                row.stream_version,
                row.recorded_at
            ])?;
        }
        Some(vplant_domain::Event::SiteRenamed(r)) => {
            conn.prepare_cached(
                "UPDATE sites SET name = ?1, version = ?2, updated_at = ?3 WHERE code = ?4",
            )?
            .execute(rusqlite::params![
                r.to,
                row.stream_version,
                row.recorded_at,
                code
            ])?;
        }
        _ => {}
    }
    Ok(())
}
