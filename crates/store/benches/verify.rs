//! Verify: how fast `Store::verify` proves a ledger intact, against the baseline of
//! SHA-256 (`vplant_ledger::sha256`, ring) over the same canonical bytes in a tight
//! single-threaded loop; and the time to verify a 10,000,000-event ledger.
//!
//! The ledger file is generated once (see `common/ledger_file.rs`) and cached under
//! `target/bench-data/`. To separate reading cost from hashing cost the bench also
//! times, on their own: reading the rows the way `Store::verify` reads them, reading
//! them with typed rusqlite getters, and `vplant_ledger::Verifier` on events already
//! in memory.
//!
//! `cargo bench -p vplant-store --bench verify`
//! (`VPLANT_BENCH_VERIFY_EVENTS=1000000` for a quick run; `VPLANT_BENCH_VERIFY_RUNS`
//! repeats the `Store::verify` timing, default 1; `VPLANT_BENCH_VERIFY_ONLY_STORE=1`
//! stops after it, for profiling.)

mod common;

use std::time::{Duration, Instant};

use common::ledger_file::{LedgerFile, ledger_file};
use common::{BenchResult, Load, env_u64, row, table_header, thousands, verdict};
use vplant_ledger::{
    Checkpoint, CheckpointSource, EventFields, Hash, LedgerEvent, UnsignedCheckpoint, Verifier,
    encode_event, sha256,
};
use vplant_store::{Location, Row, Store, StoreConfig, StoreError};

const TARGET_RATIO: f64 = 0.6;
const TARGET_EVENTS: u64 = 10_000_000;
const TARGET_SECONDS: f64 = 5.0;
/// Events held in memory for the in-memory timings (a sample of the file: the event
/// size distribution does not change along the ledger).
const IN_MEMORY_EVENTS: u64 = 1_000_000;
/// The store reads the ledger in batches of this many events.
const BATCH: u64 = 20_000;
const COLUMNS: &str = "seq, stream_id, stream_version, event_type, payload, actor, reason, recorded_at, prev_hash, hash";

fn main() -> BenchResult {
    common::warn_if_busy();
    let events = env_u64("VPLANT_BENCH_VERIFY_EVENTS", TARGET_EVENTS);
    let runs = env_u64("VPLANT_BENCH_VERIFY_RUNS", 1).max(1);
    let file = ledger_file(&common::bench_data_dir()?, events)?;
    let size = std::fs::metadata(&file.path)?.len();

    // Warm the page cache so that the figures measure the verifier, not the disk.
    let t = Instant::now();
    std::io::copy(&mut std::fs::File::open(&file.path)?, &mut std::io::sink())?;
    eprintln!(
        "read the {:.2} GB file into the page cache in {:.1} s",
        size as f64 / 1e9,
        t.elapsed().as_secs_f64()
    );

    let mut verify_times = Vec::new();
    let mut verify_load = String::new();
    for _ in 0..runs {
        let (time, load) = store_verify(&file)?;
        verify_times.push(time);
        verify_load = load;
    }
    if std::env::var_os("VPLANT_BENCH_VERIFY_ONLY_STORE").is_some() {
        // For profiling `Store::verify` alone (perf record … ).
        return Ok(());
    }
    let verify_time = verify_times.iter().copied().min().unwrap_or_default();
    let verify_rate = events as f64 / verify_time.as_secs_f64();

    let conn_read = read_through_store(&file)?;
    let raw_read = read_raw(&file)?;

    let sample = events.min(IN_MEMORY_EVENTS);
    let (sample_events, checkpoints) = load(&file, sample)?;
    let (sha_time, sha_two_cores, mean_bytes) = sha_baseline(&sample_events);
    let sha_rate = sample as f64 / sha_time.as_secs_f64();
    let encode_time = best_of(3, || {
        let mut buf = Vec::with_capacity(512);
        let t = Instant::now();
        let mut x = 0u8;
        for e in &sample_events {
            x ^= e.computed_hash(&mut buf).0[0];
        }
        std::hint::black_box(x);
        Ok(t.elapsed())
    })?;
    let in_memory = best_of(3, || {
        verifier_in_memory(&file, &sample_events, &checkpoints)
    })?;
    let parallel_hash = best_of(3, || Ok(hash_on_two_cores(&sample_events)))?;
    let merkle = best_of(3, || Ok(merkle_roots(&sample_events)))?;

    println!("\n## Verify");
    println!(
        "{events} events in {:.2} GB of SQLite ({} checkpoints); mean canonical encoding {mean_bytes:.0} bytes; \
         in-memory figures and the SHA-256 baseline on the first {sample} events",
        size as f64 / 1e9,
        events / common::ledger_file::CHECKPOINT_EVERY,
    );
    let times: Vec<String> = verify_times
        .iter()
        .map(|d| format!("{:.2} s", d.as_secs_f64()))
        .collect();
    println!("`Store::verify` runs: {}", times.join(", "));
    println!("{verify_load} (last `Store::verify` run)");
    table_header();
    let ratio = verify_rate / sha_rate;
    row(
        "`Store::verify` events/s (SQLite, both cores) vs SHA-256 of the canonical bytes, one core",
        &thousands(verify_rate),
        &thousands(sha_rate),
        &format!("{ratio:.2}×"),
        &format!("≥ {TARGET_RATIO}×"),
        verdict(ratio >= TARGET_RATIO),
    );
    let (figure, measured, result) = if events == TARGET_EVENTS {
        (
            "10,000,000-event ledger verified, seconds".to_owned(),
            format!("{:.2}", verify_time.as_secs_f64()),
            verdict(verify_time.as_secs_f64() <= TARGET_SECONDS),
        )
    } else {
        let projected = verify_time.as_secs_f64() * TARGET_EVENTS as f64 / events as f64;
        (
            format!("{events}-event ledger verified, seconds (projected to 10M)"),
            format!("{:.2} (→ {projected:.1})", verify_time.as_secs_f64()),
            if projected <= TARGET_SECONDS {
                "PASS (projected)"
            } else {
                "FAIL (projected)"
            },
        )
    };
    let sha_seconds = TARGET_EVENTS as f64 / sha_rate;
    row(
        &figure,
        &measured,
        &format!("{sha_seconds:.2} (SHA-256 of 10M, one core)"),
        &format!(
            "{:.2}×",
            verify_time.as_secs_f64() * TARGET_EVENTS as f64 / events as f64 / sha_seconds
        ),
        &format!("≤ {TARGET_SECONDS} s"),
        result,
    );
    let info = |figure: &str, rate: f64| {
        row(
            figure,
            &thousands(rate),
            &thousands(sha_rate),
            &format!("{:.2}×", rate / sha_rate),
            "—",
            "info",
        );
    };
    info(
        "SHA-256 of the canonical bytes split over both cores (what a second core gives), events/s",
        sample as f64 / sha_two_cores.as_secs_f64(),
    );
    info(
        "`Verifier` alone on events in memory (both cores), events/s",
        sample as f64 / in_memory.as_secs_f64(),
    );
    info(
        "`LedgerEvent::computed_hash` (encode + SHA-256), one core, events/s",
        sample as f64 / encode_time.as_secs_f64(),
    );
    info(
        "the same on both cores, in batches of 20,000 as `Verifier::feed` does, events/s",
        sample as f64 / parallel_hash.as_secs_f64(),
    );
    info(
        "Merkle roots of the checkpoints (`merkle_root`, 10,000 leaves each), events/s",
        sample as f64 / merkle.as_secs_f64(),
    );
    let rest = in_memory.saturating_sub(parallel_hash + merkle);
    info(
        "rest of `Verifier` (sequence and chain checks, one core; by difference), events/s",
        sample as f64 / rest.as_secs_f64(),
    );
    info(
        "reading rows through `Conn::query` + `Row` → `LedgerEvent` (how rebuild and export read), one core, events/s",
        events as f64 / conn_read.as_secs_f64(),
    );
    info(
        "reading rows with typed rusqlite getters into `LedgerEvent`, one core, events/s",
        events as f64 / raw_read.as_secs_f64(),
    );
    Ok(())
}

fn best_of(n: u32, mut f: impl FnMut() -> BenchResult<Duration>) -> BenchResult<Duration> {
    let mut best = Duration::MAX;
    for _ in 0..n {
        best = best.min(f()?);
    }
    Ok(best)
}

fn open_read_only(file: &LedgerFile) -> BenchResult<Store> {
    let mut config = StoreConfig::new(Location::Sqlite(file.path.clone()));
    config.read_only = true;
    Ok(Store::open(config)?)
}

/// The figure the target is about: `Store::verify`, start to finish.
fn store_verify(file: &LedgerFile) -> BenchResult<(Duration, String)> {
    let store = open_read_only(file)?;
    let load = Load::now();
    let t = Instant::now();
    let report = store.verify(&file.public_key, Vec::new())?;
    let elapsed = t.elapsed();
    let load = Load::now().describe_since(&load);
    let summary = report
        .result
        .map_err(|f| format!("the generated ledger did not verify: {f}"))?;
    if summary.events != file.events || !report.missing_triggers.is_empty() {
        return Err(format!(
            "unexpected verify result: {summary:?}, {:?}",
            report.missing_triggers
        )
        .into());
    }
    eprintln!(
        "Store::verify: {} events in {:.2} s",
        summary.events,
        elapsed.as_secs_f64()
    );
    Ok((elapsed, load))
}

/// What `event_from_row` in the store does (it is private to the store).
fn event_from_row(row: &Row) -> Result<LedgerEvent, StoreError> {
    let hash = |i: usize| {
        Hash::from_slice(&row.bytes(i)?).ok_or_else(|| StoreError::Corrupt("hash".into()))
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

/// Reads the whole ledger the way `Store::verify` does (batches of 20,000 through
/// `Conn::query`, rows turned into `LedgerEvent`s), without verifying.
fn read_through_store(file: &LedgerFile) -> BenchResult<Duration> {
    let store = open_read_only(file)?;
    let t = Instant::now();
    let count = store.read_blocking(|conn| {
        let mut after = 0i64;
        let mut count = 0u64;
        loop {
            let rows = conn.query(
                &format!("SELECT {COLUMNS} FROM ledger WHERE seq > $1 ORDER BY seq LIMIT $2"),
                &[
                    after.into(),
                    i64::try_from(BATCH).unwrap_or(i64::MAX).into(),
                ],
            )?;
            let events = rows
                .iter()
                .map(event_from_row)
                .collect::<Result<Vec<_>, _>>()?;
            count += events.len() as u64;
            after = events
                .last()
                .map_or(after, |e| i64::try_from(e.seq).unwrap_or(i64::MAX));
            if (events.len() as u64) < BATCH {
                return Ok(count);
            }
        }
    })?;
    let elapsed = t.elapsed();
    eprintln!(
        "read {count} rows through Conn::query in {:.2} s",
        elapsed.as_secs_f64()
    );
    Ok(elapsed)
}

fn raw_event(r: &rusqlite::Row<'_>) -> rusqlite::Result<LedgerEvent> {
    let hash = |i: usize| -> rusqlite::Result<Hash> {
        let bytes = r.get_ref(i)?.as_blob()?;
        Hash::from_slice(bytes).ok_or(rusqlite::Error::InvalidColumnType(
            i,
            "hash".into(),
            rusqlite::types::Type::Blob,
        ))
    };
    Ok(LedgerEvent {
        seq: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
        stream_id: r.get(1)?,
        stream_version: u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
        event_type: r.get(3)?,
        payload: r.get(4)?,
        actor: r.get(5)?,
        reason: r.get(6)?,
        recorded_at_us: r.get(7)?,
        prev_hash: hash(8)?,
        hash: hash(9)?,
    })
}

/// Reads the whole ledger in one statement with typed getters: a lower bound for
/// reading through SQLite on one core.
fn read_raw(file: &LedgerFile) -> BenchResult<Duration> {
    let conn = rusqlite::Connection::open_with_flags(
        &file.path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )?;
    let t = Instant::now();
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM ledger ORDER BY seq"))?;
    let mut rows = stmt.query([])?;
    let mut count = 0u64;
    let mut batch = Vec::with_capacity(BATCH as usize);
    while let Some(r) = rows.next()? {
        batch.push(raw_event(r)?);
        if batch.len() as u64 == BATCH {
            count += batch.len() as u64;
            batch.clear();
        }
    }
    count += batch.len() as u64;
    let elapsed = t.elapsed();
    eprintln!(
        "read {count} rows with typed getters in {:.2} s",
        elapsed.as_secs_f64()
    );
    Ok(elapsed)
}

/// The first `n` events and the checkpoints that cover only them.
fn load(file: &LedgerFile, n: u64) -> BenchResult<(Vec<LedgerEvent>, Vec<Checkpoint>)> {
    let conn = rusqlite::Connection::open_with_flags(
        &file.path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )?;
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM ledger WHERE seq <= ?1 ORDER BY seq"
    ))?;
    let events = stmt
        .query_map([i64::try_from(n)?], raw_event)?
        .collect::<Result<Vec<_>, _>>()?;
    let mut stmt = conn.prepare(
        "SELECT seq, first_seq, range_root, prev, created_at, key_id, signature
         FROM checkpoints WHERE seq <= ?1 ORDER BY seq",
    )?;
    let checkpoints = stmt
        .query_map([i64::try_from(n)?], |r| {
            let hash = |i: usize| -> rusqlite::Result<Hash> {
                let bytes: Vec<u8> = r.get(i)?;
                Ok(Hash::from_slice(&bytes).unwrap_or(Hash::ZERO))
            };
            Ok(Checkpoint {
                statement: UnsignedCheckpoint {
                    seq: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                    first_seq: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                    range_root: hash(2)?,
                    prev: hash(3)?,
                    created_at_us: r.get(4)?,
                    key_id: r.get(5)?,
                },
                signature: r.get(6)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok((events, checkpoints))
}

/// SHA-256 over each event's canonical encoding, encoded beforehand into one buffer:
/// only the hashing is timed, best of three. Returns the time on one core, the time
/// with the work split over two threads (what the hardware gives a second core), and
/// the mean encoded length.
fn sha_baseline(events: &[LedgerEvent]) -> (Duration, Duration, f64) {
    let mut flat = Vec::new();
    let mut ends = Vec::with_capacity(events.len());
    let mut buf = Vec::with_capacity(512);
    for e in events {
        let fields: EventFields<'_> = e.fields();
        encode_event(&fields, &mut buf);
        flat.extend_from_slice(&buf);
        ends.push(flat.len());
    }
    let hash_all = |ends: &[usize], mut start: usize| {
        let mut x = 0u8;
        for &end in ends {
            x ^= sha256(&flat[start..end]).0[0];
            start = end;
        }
        x
    };
    let (mut one, mut two) = (Duration::MAX, Duration::MAX);
    for _ in 0..3 {
        let t = Instant::now();
        std::hint::black_box(hash_all(&ends, 0));
        one = one.min(t.elapsed());
        let t = Instant::now();
        let half = ends.len() / 2;
        let start_of_right = if half == 0 { 0 } else { ends[half - 1] };
        let x = std::thread::scope(|s| {
            let left = s.spawn(|| hash_all(&ends[..half], 0));
            hash_all(&ends[half..], start_of_right) ^ left.join().unwrap_or(0)
        });
        std::hint::black_box(x);
        two = two.min(t.elapsed());
    }
    (one, two, flat.len() as f64 / events.len().max(1) as f64)
}

/// `Verifier` fed from memory in the store's batch size: hashing and linking only.
fn verifier_in_memory(
    file: &LedgerFile,
    events: &[LedgerEvent],
    checkpoints: &[Checkpoint],
) -> BenchResult<Duration> {
    let t = Instant::now();
    let sources = checkpoints
        .iter()
        .map(|c| (c.clone(), CheckpointSource::Database))
        .collect();
    let mut verifier = Verifier::new(&file.public_key, sources)?;
    for batch in events.chunks(BATCH as usize) {
        verifier.feed(batch)?;
    }
    let summary = verifier.finish()?;
    let elapsed = t.elapsed();
    if summary.events != events.len() as u64 {
        return Err("the in-memory verifier saw a different number of events".into());
    }
    Ok(elapsed)
}

/// `computed_hash` of every event on two threads, batch by batch, as `Verifier::feed`
/// splits its work.
fn hash_on_two_cores(events: &[LedgerEvent]) -> Duration {
    let t = Instant::now();
    for batch in events.chunks(BATCH as usize) {
        let (left, right) = batch.split_at(batch.len() / 2);
        let scan = |part: &[LedgerEvent]| {
            let mut buf = Vec::with_capacity(512);
            part.iter()
                .filter(|e| e.computed_hash(&mut buf) != e.hash)
                .count()
        };
        let bad = std::thread::scope(|s| {
            let other = s.spawn(|| scan(left));
            scan(right) + other.join().unwrap_or(usize::MAX)
        });
        std::hint::black_box(bad);
    }
    t.elapsed()
}

/// The Merkle root of every full checkpoint range of `events`.
fn merkle_roots(events: &[LedgerEvent]) -> Duration {
    let hashes: Vec<Hash> = events.iter().map(|e| e.hash).collect();
    let t = Instant::now();
    for range in hashes.chunks_exact(common::ledger_file::CHECKPOINT_EVERY as usize) {
        std::hint::black_box(vplant_ledger::merkle_root(range));
    }
    t.elapsed()
}
