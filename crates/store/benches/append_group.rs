//! Append with group commit: 64 concurrent writers, one event per command, each
//! acknowledged only when durable.
//!
//! Each writer is a thread calling `Store::commit_blocking` in a loop; the store's one
//! writer thread commits whatever is queued in one transaction. Reported: events/s
//! and the p99 acknowledgement latency over a measurement window that starts after a
//! warm-up. As a reference, the same 64 writers without grouping: each thread with its
//! own connection, one plain autocommit `INSERT` per event (the store itself cannot
//! be run ungrouped without changing its code).
//!
//! Runs on SQLite, and also on PostgreSQL when `VPLANT_BENCH_POSTGRES` holds a server
//! URL: the bench creates a fresh database there and drops it afterwards.
//!
//! `cargo bench -p vplant-store --bench append_group`
//! (`VPLANT_BENCH_SECS`: measured seconds per run, default 10; `VPLANT_BENCH_WRITERS`:
//! default 64.)

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use common::workload::{
    PLAIN_INSERT_POSTGRES, PLAIN_TABLE_POSTGRES, PlainRow, Workload, insert_into_store_tables,
    insert_plain_sqlite, open_plain_sqlite,
};
use common::{
    BenchResult, Latencies, Load, Sched, env_f64, env_u64, row, sched_of_threads, table_header,
    thousands, verdict,
};
use vplant_store::{Location, Store, StoreConfig};

const TARGET_EVENTS_PER_SEC: f64 = 100_000.0;
const TARGET_P99_MS: f64 = 10.0;
const WARM_UP: Duration = Duration::from_secs(2);

struct Run {
    events: u64,
    window: Duration,
    latencies: Latencies,
    /// Commands per transaction, as seen from the store's sequence numbers.
    transactions: u64,
    /// The store's writer thread during the window: CPU time and time waiting for a core.
    writer: Sched,
    load: String,
    /// Fewest and most events one writer had acknowledged in the window: a starved
    /// writer shows here even when the totals look good.
    per_writer: (u64, u64),
}

impl Run {
    fn rate(&self) -> f64 {
        self.events as f64 / self.window.as_secs_f64()
    }
}

/// Runs `op` from `writers` threads: a warm-up, then a measured window. `op` gets the
/// writer's index and its own state and returns the number of events it appended.
fn drive<S: Send>(
    writers: u64,
    window: Duration,
    init: impl Fn(u64) -> BenchResult<S> + Sync,
    op: impl Fn(&mut S) -> BenchResult<u64> + Sync,
) -> BenchResult<Run> {
    let barrier = Barrier::new(usize::try_from(writers)? + 1);
    let readings = std::sync::Mutex::new(None);
    let results = std::thread::scope(|scope| -> BenchResult<Vec<(u64, Latencies)>> {
        let mut handles = Vec::new();
        for w in 0..writers {
            let (barrier, init, op) = (&barrier, &init, &op);
            handles.push(scope.spawn(move || -> BenchResult<(u64, Latencies)> {
                let state = init(w);
                barrier.wait();
                let mut state = state?;
                let start = Instant::now();
                let (measure_from, measure_to) = (start + WARM_UP, start + WARM_UP + window);
                let mut events = 0;
                let mut latencies = Latencies::default();
                loop {
                    let t = Instant::now();
                    if t >= measure_to {
                        break;
                    }
                    let n = op(&mut state)?;
                    let done = Instant::now();
                    // Throughput counts what was acknowledged inside the window;
                    // latency counts every command that overlaps the window, so that a
                    // writer stuck for long is not left out of the tail.
                    if done >= measure_from && done <= measure_to {
                        events += n;
                    }
                    if done >= measure_from {
                        latencies.push(done - t);
                    }
                }
                Ok((events, latencies))
            }));
        }
        barrier.wait();
        // Readings at the edges of the measured window (the writers started at the
        // barrier, give or take a few microseconds). Sleeping here is not waiting for
        // something to happen, which the lint forbids: it is the measuring itself.
        let start = Instant::now();
        #[allow(clippy::disallowed_methods)]
        std::thread::sleep(WARM_UP);
        let (writer_before, load_before) = (sched_of_threads("vplant-writer"), Load::now());
        #[allow(clippy::disallowed_methods)]
        std::thread::sleep((start + WARM_UP + window).saturating_duration_since(Instant::now()));
        let (writer_after, load_after) = (sched_of_threads("vplant-writer"), Load::now());
        *readings.lock().map_err(|_| "poisoned")? = Some((
            writer_after.since(writer_before),
            load_after.describe_since(&load_before),
        ));
        handles.into_iter().map(|h| common::join(h)?).collect()
    })?;
    let (writer, load) = readings
        .into_inner()
        .map_err(|_| "poisoned")?
        .unwrap_or_default();
    let mut run = Run {
        events: 0,
        window,
        latencies: Latencies::default(),
        transactions: 0,
        writer,
        load,
        per_writer: (u64::MAX, 0),
    };
    for (events, latencies) in results {
        run.events += events;
        run.latencies.extend(latencies);
        run.per_writer = (run.per_writer.0.min(events), run.per_writer.1.max(events));
    }
    Ok(run)
}

fn store_run(store: &Store, writers: u64, window: Duration) -> BenchResult<Run> {
    drive(
        writers,
        window,
        |w| Ok(Workload::new(w)),
        |workload: &mut Workload| {
            let outcome = store.commit_blocking(workload.next_request())?;
            Ok(outcome.last_seq - outcome.first_seq + 1)
        },
    )
}

fn print_store_rows(backend: &str, writers: u64, run: &mut Run, reference: Option<&mut Run>) {
    let rate = run.rate();
    let p99 = run.latencies.percentile_ms(99.0);
    let p50 = run.latencies.percentile_ms(50.0);
    let max = run.latencies.percentile_ms(100.0);
    let (ref_rate, ref_p99, ref_p50, ref_spread) = match reference {
        Some(r) => (
            thousands(r.rate()),
            format!("{:.2}", r.latencies.percentile_ms(99.0)),
            format!("{:.2}", r.latencies.percentile_ms(50.0)),
            format!("{} / {}", r.per_writer.0, r.per_writer.1),
        ),
        None => ("—".into(), "—".into(), "—".into(), "—".into()),
    };
    let target_rate = if backend == "SQLite" {
        format!("≥ {}", thousands(TARGET_EVENTS_PER_SEC))
    } else {
        "— (target is for SQLite)".to_owned()
    };
    let rate_result = if backend == "SQLite" {
        verdict(rate >= TARGET_EVENTS_PER_SEC)
    } else {
        "info"
    };
    let ratio = |a: f64, b: &str| {
        b.replace(',', "")
            .parse::<f64>()
            .map_or("—".to_owned(), |b| format!("{:.2}×", a / b))
    };
    row(
        &format!(
            "{backend}: events/s, {writers} writers, group commit (ungrouped plain INSERTs as baseline)"
        ),
        &thousands(rate),
        &ref_rate,
        &ratio(rate, &ref_rate),
        &target_rate,
        rate_result,
    );
    row(
        &format!("{backend}: p99 acknowledgement latency, ms"),
        &format!("{p99:.2}"),
        &ref_p99,
        &ratio(p99, &ref_p99),
        &format!("≤ {TARGET_P99_MS}"),
        verdict(p99 <= TARGET_P99_MS),
    );
    row(
        &format!("{backend}: p50 / max acknowledgement latency, ms"),
        &format!("{p50:.2} / {max:.1}"),
        &ref_p50,
        &ratio(p50, &ref_p50),
        "—",
        "info",
    );
    row(
        &format!("{backend}: events acknowledged per writer in the window, fewest / most"),
        &format!("{} / {}", run.per_writer.0, run.per_writer.1),
        &ref_spread,
        "—",
        "—",
        "info",
    );
    if run.transactions > 0 {
        row(
            &format!("{backend}: commands per transaction (mean)"),
            &format!("{:.1}", run.events as f64 / run.transactions as f64),
            "1",
            "—",
            "—",
            "info",
        );
    }
    if run.events > 0 && !run.writer.on_cpu.is_zero() {
        let per = |d: Duration| d.as_secs_f64() * 1e6 / run.events as f64;
        let window = run.window.as_secs_f64();
        row(
            &format!(
                "{backend}: store writer thread, µs per command on CPU / waiting for a core (share of the window)"
            ),
            &format!(
                "{:.1} / {:.1} ({:.0} % / {:.0} %)",
                per(run.writer.on_cpu),
                per(run.writer.runqueue),
                100.0 * run.writer.on_cpu.as_secs_f64() / window,
                100.0 * run.writer.runqueue.as_secs_f64() / window
            ),
            "—",
            "—",
            "—",
            "info",
        );
    }
}

fn sqlite(writers: u64, window: Duration) -> BenchResult {
    let dir = common::scratch_dir()?;
    let mut config = StoreConfig::new(Location::Sqlite(dir.path().join("ledger.sqlite")));
    config.signing_key = Some(Arc::new(common::new_signing_key()?));
    config.witness = Some(dir.path().join("witness.jsonl"));
    let store = Store::open(config)?;
    let mut grouped = store_run(&store, writers, window)?;
    grouped.transactions = sqlite_transactions(&dir.path().join("ledger.sqlite"), &grouped)?;
    drop(store);

    let plain_path = dir.path().join("plain.sqlite");
    drop(open_plain_sqlite(&plain_path, true)?);
    let clock = AtomicU64::new(1_795_277_619_000_000);
    let mut ungrouped = drive(
        writers,
        window,
        |w| Ok((open_plain_sqlite(&plain_path, false)?, Workload::new(w))),
        |(conn, workload): &mut (rusqlite::Connection, Workload)| {
            let request = workload.next_request();
            let at = i64::try_from(clock.fetch_add(1, Ordering::Relaxed))?;
            let row = PlainRow::from_request(&request, workload.rng(), at);
            insert_plain_sqlite(conn, &row)?;
            Ok(1)
        },
    )?;

    let plain_ceiling = sqlite_ceiling(&dir.path().join("ceiling.sqlite"), writers, window, false)?;
    let schema_ceiling = sqlite_ceiling(&dir.path().join("schema.sqlite"), writers, window, true)?;

    println!("\n## Append with group commit, SQLite (WAL, synchronous=FULL)");
    println!(
        "{writers} writer threads, {:.0} s warm-up, {:.0} s measured; {} events acknowledged in the window (ungrouped: {})",
        WARM_UP.as_secs_f64(),
        window.as_secs_f64(),
        grouped.events,
        ungrouped.events
    );
    table_header();
    print_store_rows("SQLite", writers, &mut grouped, Some(&mut ungrouped));
    for (what, rate) in [
        ("a plain table", plain_ceiling),
        (
            "the store's tables (ledger + sites), no store code",
            schema_ceiling,
        ),
    ] {
        row(
            &format!(
                "SQLite alone, one thread, {writers} INSERTs per transaction into {what}, events/s"
            ),
            &thousands(rate),
            "—",
            &format!("store: {:.2}×", grouped.rate() / rate),
            &format!("≥ {}", thousands(TARGET_EVENTS_PER_SEC)),
            if rate >= TARGET_EVENTS_PER_SEC {
                "reachable"
            } else {
                "not reachable"
            },
        );
    }
    println!("\n{}", grouped.load);
    println!("{} (ungrouped reference run)", ungrouped.load);
    Ok(())
}

/// The most SQLite itself does with these rows, grouped as the store groups them: one
/// thread, `batch` INSERTs per transaction, one durable commit each. With `schema`, the
/// rows go into the store's own tables (ledger row + the `sites` insert or update the
/// projection makes), written directly: what the schema costs, without the store's
/// code (no version lookups, savepoints, hashing or JSON).
fn sqlite_ceiling(
    path: &std::path::Path,
    batch: u64,
    window: Duration,
    schema: bool,
) -> BenchResult<f64> {
    if schema {
        drop(Store::open(StoreConfig::new(Location::Sqlite(
            path.to_owned(),
        )))?);
    }
    let conn = open_plain_sqlite(path, !schema)?;
    let mut workload = Workload::new(0);
    let mut events = 0u64;
    let start = Instant::now();
    while start.elapsed() < window {
        let tx = conn.unchecked_transaction()?;
        for _ in 0..batch {
            let request = workload.next_request();
            let row = PlainRow::from_request(&request, workload.rng(), 1_795_277_619_000_000);
            if schema {
                insert_into_store_tables(&tx, &request, &row, events + 1)?;
            } else {
                insert_plain_sqlite(&tx, &row)?;
            }
            events += 1;
        }
        tx.commit()?;
    }
    Ok(events as f64 / start.elapsed().as_secs_f64())
}

/// Not measurable from outside without changing the store: we estimate the number of
/// transactions from the recorded_at column, which the writer sets once per batch.
fn sqlite_transactions(path: &std::path::Path, run: &Run) -> BenchResult<u64> {
    let conn = rusqlite::Connection::open(path)?;
    let (events, batches): (i64, i64) = conn.query_row(
        "SELECT COUNT(*), COUNT(DISTINCT recorded_at) FROM ledger",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    // Scale the whole run's mean batch size to the window's events.
    let mean = events as f64 / batches.max(1) as f64;
    Ok((run.events as f64 / mean).round() as u64)
}

/// `postgres://user@host:port/db?x` with `db` replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let (base, query) = match url.find('?') {
        Some(q) => (&url[..q], &url[q..]),
        None => (url, ""),
    };
    let authority_end = base[after_scheme..]
        .find('/')
        .map_or(base.len(), |i| after_scheme + i);
    format!("{}/{name}{query}", &base[..authority_end])
}

fn postgres(url: &str, writers: u64, window: Duration) -> BenchResult {
    let name = format!("vplant_bench_{}", std::process::id());
    let mut admin = postgres::Client::connect(url, postgres::NoTls)?;
    // Two calls: several statements in one call run as one transaction, which
    // CREATE DATABASE refuses.
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))?;
    admin.batch_execute(&format!("CREATE DATABASE {name}"))?;
    let bench_url = with_database(url, &name);
    let result = postgres_runs(&bench_url, writers, window);
    // Connections of the store's writer thread may still be closing.
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))?;
    let (mut grouped, mut ungrouped) = result?;
    println!("\n## Append with group commit, PostgreSQL");
    println!(
        "{writers} writer threads, {:.0} s warm-up, {:.0} s measured; {} events acknowledged in the window (ungrouped: {})",
        WARM_UP.as_secs_f64(),
        window.as_secs_f64(),
        grouped.events,
        ungrouped.events
    );
    table_header();
    print_store_rows("PostgreSQL", writers, &mut grouped, Some(&mut ungrouped));
    println!("\n{}", grouped.load);
    println!("{} (ungrouped reference run)", ungrouped.load);
    Ok(())
}

fn postgres_runs(url: &str, writers: u64, window: Duration) -> BenchResult<(Run, Run)> {
    let mut config = StoreConfig::new(Location::Postgres(url.to_owned()));
    config.signing_key = Some(Arc::new(common::new_signing_key()?));
    let dir = common::scratch_dir()?;
    config.witness = Some(dir.path().join("witness.jsonl"));
    let store = Store::open(config)?;
    let mut grouped = store_run(&store, writers, window)?;
    drop(store);
    let mut client = postgres::Client::connect(url, postgres::NoTls)?;
    let (events, batches): (i64, i64) = {
        let r = client.query_one(
            "SELECT COUNT(*), COUNT(DISTINCT recorded_at) FROM ledger",
            &[],
        )?;
        (r.get(0), r.get(1))
    };
    grouped.transactions =
        (grouped.events as f64 * batches.max(1) as f64 / events.max(1) as f64).round() as u64;
    client.batch_execute(PLAIN_TABLE_POSTGRES)?;
    let ungrouped = drive(
        writers,
        window,
        |w| {
            let mut client = postgres::Client::connect(url, postgres::NoTls)?;
            let insert = client.prepare(PLAIN_INSERT_POSTGRES)?;
            Ok((client, insert, Workload::new(w)))
        },
        |(client, insert, workload): &mut (postgres::Client, postgres::Statement, Workload)| {
            let request = workload.next_request();
            let row = PlainRow::from_request(&request, workload.rng(), 1_795_277_619_000_000);
            client.execute(
                &*insert,
                &[
                    &row.stream_id,
                    &row.stream_version,
                    &row.event_type,
                    &row.payload,
                    &row.actor,
                    &row.reason,
                    &row.recorded_at,
                    &&row.prev_hash[..],
                    &&row.hash[..],
                ],
            )?;
            Ok(1)
        },
    )?;
    Ok((grouped, ungrouped))
}

fn main() -> BenchResult {
    common::warn_if_busy();
    let writers = env_u64("VPLANT_BENCH_WRITERS", 64);
    let window = Duration::from_secs_f64(env_f64("VPLANT_BENCH_SECS", 10.0));
    sqlite(writers, window)?;
    match std::env::var("VPLANT_BENCH_POSTGRES") {
        Ok(url) if !url.trim().is_empty() => postgres(url.trim(), writers, window)?,
        _ => eprintln!("(PostgreSQL skipped: set VPLANT_BENCH_POSTGRES=postgres://… to run it)"),
    }
    Ok(())
}
