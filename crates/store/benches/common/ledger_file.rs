//! A large, realistic ledger written straight into an SQLite file with the store's
//! real schema, for the verify bench. Committing ten million events through the store
//! would take hours; the rows written here are exactly what the store would write
//! (sealed with `LedgerEvent::seal`, chained per stream, signed checkpoints every
//! 10,000 events), so `Store::verify` cannot tell the difference.
//!
//! The file is cached under `target/bench-data/` and reused by later runs.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use vplant_domain::Event;
use vplant_domain::event::Empty;
use vplant_domain::master::Renamed;
use vplant_ledger::{
    Checkpoint, EventFields, Hash, LedgerEvent, PublicKey, SigningKey, UnsignedCheckpoint,
    merkle_root,
};
use vplant_store::{Location, Store, StoreConfig};

use super::{
    ACTORS, BenchResult, REASONS, Rng, product_name, register_product, register_site, site_name,
};

/// Events between two signed checkpoints (the store's default policy).
pub const CHECKPOINT_EVERY: u64 = 10_000;
/// Streams written to at the same time: events of different records interleave in the
/// global sequence as they do in a plant.
const ACTIVE_STREAMS: usize = 1_000;
/// 2026-11-21T00:00:00Z in microseconds.
const START_US: i64 = 1_795_219_200_000_000;

struct Stream {
    id: String,
    number: u64,
    product: bool,
    version: u64,
    prev: Hash,
    name: String,
    active: bool,
    /// Events this stream gets before it goes quiet: 1..=39, about 20 on average.
    length: u64,
}

/// Deterministic generator of sealed ledger events.
pub struct Generator {
    rng: Rng,
    streams: Vec<Stream>,
    next_number: u64,
    seq: u64,
    at: i64,
    buf: Vec<u8>,
}

impl Generator {
    pub fn new() -> Generator {
        let mut g = Generator {
            rng: Rng::new(0x7E57_1ED6_E500),
            streams: Vec::with_capacity(ACTIVE_STREAMS),
            next_number: 1,
            seq: 0,
            at: START_US,
            buf: Vec::with_capacity(512),
        };
        for _ in 0..ACTIVE_STREAMS {
            let s = g.new_stream();
            g.streams.push(s);
        }
        g
    }

    fn new_stream(&mut self) -> Stream {
        let number = self.next_number;
        self.next_number += 1;
        let product = self.rng.below(10) < 3;
        let (id, name) = if product {
            (format!("product/P{number:07}"), product_name(&mut self.rng))
        } else {
            (format!("site/S{number:06}"), site_name(&mut self.rng))
        };
        Stream {
            id,
            number,
            product,
            version: 0,
            prev: Hash::ZERO,
            name,
            active: true,
            length: 1 + self.rng.below(39) as u64,
        }
    }

    pub fn next_event(&mut self) -> LedgerEvent {
        let index = self.rng.below(self.streams.len());
        self.seq += 1;
        self.at += 1 + self.rng.below(60_000) as i64;
        let actor = self.rng.pick(ACTORS);
        let rng = &mut self.rng;
        let s = &mut self.streams[index];
        let (event, reason) = if s.version == 0 {
            let e = if s.product {
                register_product(s.number, &s.name, rng)
            } else {
                register_site(s.number, &s.name, rng)
            };
            (e, None)
        } else if rng.below(20) == 0 {
            s.active = !s.active;
            let e = match (s.product, s.active) {
                (false, false) => Event::SiteDeactivated(Empty {}),
                (false, true) => Event::SiteReactivated(Empty {}),
                (true, false) => Event::ProductDeactivated(Empty {}),
                (true, true) => Event::ProductReactivated(Empty {}),
            };
            (e, Some(rng.pick(REASONS)))
        } else {
            let to = if s.product {
                product_name(rng)
            } else {
                site_name(rng)
            };
            let renamed = Renamed {
                from: std::mem::replace(&mut s.name, to.clone()),
                to,
            };
            let e = if s.product {
                Event::ProductRenamed(renamed)
            } else {
                Event::SiteRenamed(renamed)
            };
            (e, Some(rng.pick(REASONS)))
        };
        let (event_type, payload) = event.to_parts();
        s.version += 1;
        let sealed = LedgerEvent::seal(
            EventFields {
                seq: self.seq,
                stream_id: &s.id,
                stream_version: s.version,
                event_type: &event_type,
                payload: &payload,
                actor,
                reason,
                recorded_at_us: self.at,
                prev_hash: s.prev,
            },
            &mut self.buf,
        );
        s.prev = sealed.hash;
        if s.version >= s.length {
            self.streams[index] = self.new_stream();
        }
        sealed
    }

    pub fn streams_started(&self) -> u64 {
        self.next_number - 1
    }
}

pub struct LedgerFile {
    pub path: PathBuf,
    pub public_key: PublicKey,
    pub events: u64,
}

/// The cached ledger of `events` events, generated first if it is not there yet.
pub fn ledger_file(dir: &Path, events: u64) -> BenchResult<LedgerFile> {
    let path = dir.join(format!("ledger-{events}.sqlite"));
    let key_path = dir.join(format!("ledger-{events}.key"));
    if !(path.exists() && key_path.exists()) {
        generate(&path, &key_path, events)?;
    } else {
        eprintln!("reusing {}", path.display());
    }
    let key = SigningKey::from_file_text(&std::fs::read_to_string(&key_path)?)?;
    Ok(LedgerFile {
        path,
        public_key: key.public_key(),
        events,
    })
}

fn generate(path: &Path, key_path: &Path, events: u64) -> BenchResult {
    let started = Instant::now();
    let partial = path.with_extension("partial");
    for suffix in ["", "-wal", "-shm"] {
        let mut p = partial.clone().into_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
    // Opening a store once creates the real schema through the real migrations.
    drop(Store::open(StoreConfig::new(Location::Sqlite(
        partial.clone(),
    )))?);

    let key = super::new_signing_key()?;
    let key_id = key.public_key().key_id();
    let mut conn = rusqlite::Connection::open(&partial)?;
    conn.busy_timeout(Duration::from_secs(30))?;
    // Leave WAL: a bulk load of gigabytes has no use for a journal. Leaving WAL needs
    // the only connection, and the store's writer thread closes its own a moment
    // after the store is dropped; SQLite does not wait for that, so we poll.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match conn.query_row("PRAGMA journal_mode = OFF", [], |r| r.get::<_, String>(0)) {
            Ok(mode) if mode == "off" => break,
            Ok(_) | Err(_) if Instant::now() < deadline => {
                std::thread::yield_now();
            }
            Ok(mode) => return Err(format!("cannot leave WAL mode: still {mode}").into()),
            Err(e) => return Err(e.into()),
        }
    }
    conn.execute_batch(
        "PRAGMA synchronous = OFF;
         PRAGMA cache_size = -2000000;",
    )?;
    let tx = conn.transaction()?;
    {
        let mut insert_event = tx.prepare(
            "INSERT INTO ledger (seq, stream_id, stream_version, event_type, payload, actor, reason, recorded_at, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?;
        let mut insert_checkpoint = tx.prepare(
            "INSERT INTO checkpoints (seq, first_seq, range_root, prev, created_at, key_id, signature)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        let mut generator = Generator::new();
        let mut range: Vec<Hash> = Vec::with_capacity(CHECKPOINT_EVERY as usize);
        let mut previous = Hash::ZERO;
        let mut payload_bytes = 0u64;
        for _ in 0..events {
            let e = generator.next_event();
            payload_bytes += e.payload.len() as u64;
            insert_event.execute(rusqlite::params![
                i64::try_from(e.seq)?,
                e.stream_id,
                i64::try_from(e.stream_version)?,
                e.event_type,
                e.payload,
                e.actor,
                e.reason,
                e.recorded_at_us,
                &e.prev_hash.0[..],
                &e.hash.0[..],
            ])?;
            range.push(e.hash);
            if e.seq.is_multiple_of(CHECKPOINT_EVERY) {
                let statement = UnsignedCheckpoint {
                    first_seq: e.seq + 1 - range.len() as u64,
                    seq: e.seq,
                    range_root: merkle_root(&range),
                    prev: previous,
                    created_at_us: e.recorded_at_us,
                    key_id: key_id.clone(),
                };
                previous = statement.hash();
                let c: Checkpoint = statement.sign(&key);
                let s = &c.statement;
                insert_checkpoint.execute(rusqlite::params![
                    i64::try_from(s.seq)?,
                    i64::try_from(s.first_seq)?,
                    &s.range_root.0[..],
                    &s.prev.0[..],
                    s.created_at_us,
                    s.key_id,
                    c.signature,
                ])?;
                range.clear();
            }
            if e.seq.is_multiple_of(1_000_000) {
                eprintln!(
                    "generated {} of {events} events in {:.0} s",
                    e.seq,
                    started.elapsed().as_secs_f64()
                );
            }
        }
        eprintln!(
            "{} streams, {:.1} events per stream, mean payload {:.0} bytes",
            generator.streams_started(),
            events as f64 / generator.streams_started() as f64,
            payload_bytes as f64 / events.max(1) as f64
        );
    }
    tx.commit()?;
    drop(conn);
    std::fs::write(key_path, key.to_file_text())?;
    std::fs::rename(&partial, path)?;
    eprintln!(
        "generated {} in {:.0} s",
        path.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
