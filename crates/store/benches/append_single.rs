//! Append, one durable commit per event, ONE writer (SQLite, WAL, `synchronous=FULL`).
//!
//! Measures `Store::commit_blocking` with one event per command, one command at a
//! time, against the baseline of plain autocommit `INSERT`s of rows of the same size
//! into a plain SQLite table with the same pragmas: the cost of the ledger on top of
//! what SQLite needs anyway for one durable commit. The two are run in alternating
//! rounds so that drift in disk speed hits both alike.
//!
//! `cargo bench -p vplant-store --bench append_single`
//! (`VPLANT_BENCH_SECS` sets the seconds per side, default 12).

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::workload::{PlainRow, Workload, insert_plain_sqlite, open_plain_sqlite};
use common::{BenchResult, Latencies, env_f64, row, table_header, thousands, verdict};
use vplant_store::{Location, Store, StoreConfig};

const TARGET_RATIO: f64 = 0.8;
const ROUNDS: u32 = 3;

#[derive(Default)]
struct Side {
    events: u64,
    elapsed: Duration,
    latencies: Latencies,
}

impl Side {
    fn rate(&self) -> f64 {
        self.events as f64 / self.elapsed.as_secs_f64()
    }
}

fn main() -> BenchResult {
    common::warn_if_busy();
    let per_round = Duration::from_secs_f64(env_f64("VPLANT_BENCH_SECS", 12.0) / f64::from(ROUNDS));
    let dir = common::scratch_dir()?;

    let mut config = StoreConfig::new(Location::Sqlite(dir.path().join("ledger.sqlite")));
    config.signing_key = Some(Arc::new(common::new_signing_key()?));
    config.witness = Some(dir.path().join("witness.jsonl"));
    let store = Store::open(config)?;
    let mut workload = Workload::new(1);

    let plain = open_plain_sqlite(&dir.path().join("plain.sqlite"), true)?;
    let mut plain_workload = Workload::new(1);

    let (mut ledger, mut baseline) = (Side::default(), Side::default());
    for _ in 0..ROUNDS {
        // Baseline round: the same rows, as plain INSERTs, one commit each.
        let start = Instant::now();
        while start.elapsed() < per_round {
            let request = plain_workload.next_request();
            let row = PlainRow::from_request(&request, plain_workload.rng(), 1_795_277_619_000_000);
            let t = Instant::now();
            insert_plain_sqlite(&plain, &row)?;
            baseline.latencies.push(t.elapsed());
            baseline.events += 1;
        }
        baseline.elapsed += start.elapsed();

        // Ledger round: the store, one command with one event at a time.
        let start = Instant::now();
        while start.elapsed() < per_round {
            let request = workload.next_request();
            let t = Instant::now();
            store.commit_blocking(request)?;
            ledger.latencies.push(t.elapsed());
            ledger.events += 1;
        }
        ledger.elapsed += start.elapsed();
    }

    let ratio = ledger.rate() / baseline.rate();
    println!(
        "\n## Append, one durable commit per event (SQLite, WAL, synchronous=FULL, one writer)"
    );
    println!(
        "{} events through the store and {} plain INSERTs, {} alternating rounds of {:.1} s each",
        ledger.events,
        baseline.events,
        ROUNDS,
        per_round.as_secs_f64()
    );
    table_header();
    row(
        "events/s, `Store::commit_blocking` vs plain INSERT",
        &thousands(ledger.rate()),
        &thousands(baseline.rate()),
        &format!("{ratio:.2}×"),
        &format!("≥ {TARGET_RATIO}×"),
        verdict(ratio >= TARGET_RATIO),
    );
    let (l50, b50) = (
        ledger.latencies.percentile_ms(50.0),
        baseline.latencies.percentile_ms(50.0),
    );
    let (l99, b99) = (
        ledger.latencies.percentile_ms(99.0),
        baseline.latencies.percentile_ms(99.0),
    );
    row(
        "p50 commit latency, ms",
        &format!("{l50:.2}"),
        &format!("{b50:.2}"),
        &format!("{:.2}×", l50 / b50),
        "—",
        "info",
    );
    row(
        "p99 commit latency, ms",
        &format!("{l99:.2}"),
        &format!("{b99:.2}"),
        &format!("{:.2}×", l99 / b99),
        "—",
        "info",
    );
    Ok(())
}
