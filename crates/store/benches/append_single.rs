//! Append, one durable commit per event, ONE writer (SQLite, WAL, `synchronous=FULL`).
//!
//! Measures `Store::commit_blocking` with one event per command, one command at a
//! time, against the baseline of plain autocommit `INSERT`s of rows of the same size
//! into a plain SQLite table with the same pragmas: the cost of the ledger on top of
//! what SQLite needs anyway for one durable commit. A third side writes the rows the
//! store writes (ledger row with its unique index, `sites` insert or update) straight
//! into the store's own schema, one transaction each, to tell what the schema costs
//! from what the store's code costs. The sides run in alternating rounds so that drift
//! in disk speed hits all alike.
//!
//! `cargo bench -p vplant-store --bench append_single`
//! (`VPLANT_BENCH_SECS` sets the seconds per side, default 12).

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::workload::{
    PlainRow, Workload, insert_into_store_tables, insert_plain_sqlite, open_plain_sqlite,
};
use common::{
    BenchResult, Latencies, Load, env_f64, row, sched_of_this_thread, sched_of_threads,
    table_header, thousands, verdict,
};
use vplant_store::{Location, Store, StoreConfig};

const TARGET_RATIO: f64 = 0.8;
const ROUNDS: u32 = 3;

#[derive(Default)]
struct Side {
    events: u64,
    elapsed: Duration,
    latencies: Latencies,
    /// CPU time of the calling thread during this side's rounds.
    caller_cpu: Duration,
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

    let schema_path = dir.path().join("schema.sqlite");
    drop(Store::open(StoreConfig::new(Location::Sqlite(
        schema_path.clone(),
    )))?);
    let schema = open_plain_sqlite(&schema_path, false)?;
    let mut schema_workload = Workload::new(1);

    let (mut ledger, mut baseline, mut direct) =
        (Side::default(), Side::default(), Side::default());
    let (writer_before, load_before) = (sched_of_threads("vplant-writer"), Load::now());
    for _ in 0..ROUNDS {
        // Baseline round: the same rows, as plain INSERTs, one commit each.
        let cpu = sched_of_this_thread();
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
        baseline.caller_cpu += sched_of_this_thread().since(cpu).on_cpu;

        // The store's tables without the store's code, one transaction per event.
        let cpu = sched_of_this_thread();
        let start = Instant::now();
        while start.elapsed() < per_round {
            let request = schema_workload.next_request();
            let row =
                PlainRow::from_request(&request, schema_workload.rng(), 1_795_277_619_000_000);
            let t = Instant::now();
            let tx = schema.unchecked_transaction()?;
            insert_into_store_tables(&tx, &request, &row, direct.events + 1)?;
            tx.commit()?;
            direct.latencies.push(t.elapsed());
            direct.events += 1;
        }
        direct.elapsed += start.elapsed();
        direct.caller_cpu += sched_of_this_thread().since(cpu).on_cpu;

        // Ledger round: the store, one command with one event at a time.
        let cpu = sched_of_this_thread();
        let start = Instant::now();
        while start.elapsed() < per_round {
            let request = workload.next_request();
            let t = Instant::now();
            store.commit_blocking(request)?;
            ledger.latencies.push(t.elapsed());
            ledger.events += 1;
        }
        ledger.elapsed += start.elapsed();
        ledger.caller_cpu += sched_of_this_thread().since(cpu).on_cpu;
    }
    let writer = sched_of_threads("vplant-writer").since(writer_before);
    let load = Load::now().describe_since(&load_before);

    let ratio = ledger.rate() / baseline.rate();
    println!(
        "\n## Append, one durable commit per event (SQLite, WAL, synchronous=FULL, one writer)"
    );
    println!(
        "{} events through the store, {} plain INSERTs, {} direct writes to the store's tables; {} alternating rounds of {:.1} s each",
        ledger.events,
        baseline.events,
        direct.events,
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
    let direct_p99 = direct.latencies.percentile_ms(99.0);
    row(
        "reference: the store's tables written directly (no store code), events/s / p99 ms, vs plain INSERT",
        &format!("{} / {direct_p99:.2}", thousands(direct.rate())),
        &format!("{} / {b99:.2}", thousands(baseline.rate())),
        &format!("{:.2}×", direct.rate() / baseline.rate()),
        "—",
        "info",
    );
    let us = |d: Duration, n: u64| d.as_secs_f64() * 1e6 / n.max(1) as f64;
    let store_cpu = us(writer.on_cpu + ledger.caller_cpu, ledger.events);
    let plain_cpu = us(baseline.caller_cpu, baseline.events);
    let direct_cpu = us(direct.caller_cpu, direct.events);
    row(
        "CPU µs per event: store (writer thread + caller) vs plain INSERT",
        &format!(
            "{store_cpu:.0} ({:.0} + {:.0})",
            us(writer.on_cpu, ledger.events),
            us(ledger.caller_cpu, ledger.events)
        ),
        &format!("{plain_cpu:.0}"),
        &format!("{:.2}×", store_cpu / plain_cpu),
        "—",
        "info",
    );
    row(
        "CPU µs per event: the store's tables written directly vs plain INSERT",
        &format!("{direct_cpu:.0}"),
        &format!("{plain_cpu:.0}"),
        &format!("{:.2}×", direct_cpu / plain_cpu),
        "—",
        "info",
    );
    println!("\n{load}");
    Ok(())
}
