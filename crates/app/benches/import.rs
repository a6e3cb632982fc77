//! Import of the public batch history (Žagar & Mihelič 2022, CC BY 4.0): the
//! laboratory and process summaries and the four tablet-press series, 1,005 batches.
//!
//! One run, one process:
//!
//! 1. **Baseline:** reading every file of the data set with the `csv` crate into
//!    memory (the bytes every import must at least touch), no checks, nothing stored.
//! 2. **Measured:** `vplant import tablet-batches` as the CLI runs it
//!    (`App::import_tablet_batches`) into a new SQLite file: read, check, decide and
//!    commit as one unit.
//! 3. **Again:** the same import on the same database, which must store nothing.
//!
//! Each phase runs in a process of its own (the bench starts itself again), so that
//! its peak resident set (Linux's `VmHWM`) is its own; repeated `VPLANT_BENCH_REPEATS`
//! times (default 3, a new database each time), the table gives the median time and
//! the largest peak.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "common/rss.rs"]
mod rss;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use vplant_app::{App, Request};

fn data_set() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/tablet-batches")
}

fn files() -> Vec<PathBuf> {
    let dir = data_set();
    let mut files: Vec<PathBuf> = ["Laboratory.csv", "Process.csv", "Normalization.csv"]
        .iter()
        .map(|f| dir.join(f))
        .collect();
    let mut series: Vec<PathBuf> = std::fs::read_dir(dir.join("process"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    series.sort();
    files.extend(series);
    files
}

/// Reads every file into rows of strings and returns the number of cells.
fn read_everything() -> usize {
    let mut cells = 0;
    let mut kept = Vec::new();
    for file in files() {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(b';')
            .flexible(true)
            .from_path(&file)
            .unwrap();
        let rows: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        cells += rows.iter().map(Vec::len).sum::<usize>();
        kept.push(rows);
    }
    std::hint::black_box(&kept);
    cells
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// One phase in this process, as a child of the bench: prints its time and the
/// process's peak resident set, which then belongs to this phase alone.
fn child(phase: &str) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let started = Instant::now();
    let events = match phase {
        "baseline" => {
            read_everything();
            0
        }
        _ => {
            let db = std::env::var("VPLANT_BENCH_DB").unwrap();
            let store = vplant_testkit::open_store(
                vplant_store::Location::Sqlite(PathBuf::from(db)),
                None,
                None,
                vplant_store::CheckpointPolicy::default(),
            );
            let app = App::new(store).unwrap();
            runtime
                .block_on(app.import_tablet_batches(&data_set(), "CMO-SI", &Request::by("bench")))
                .unwrap()
                .events
        }
    };
    let elapsed = started.elapsed();
    let peak = rss::peak().unwrap_or(0);
    println!("{} {} {}", elapsed.as_secs_f64(), peak, events);
}

/// Runs `phase` in a child process; returns (time, peak resident set, events).
fn run(phase: &str, db: &std::path::Path) -> (Duration, u64, usize) {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .env("VPLANT_BENCH_PHASE", phase)
        .env("VPLANT_BENCH_DB", db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().last().unwrap_or_default().to_owned();
    let mut parts = line.split(' ');
    let secs: f64 = parts.next().unwrap().parse().unwrap();
    let peak: u64 = parts.next().unwrap().parse().unwrap();
    let events: usize = parts.next().unwrap().parse().unwrap();
    (Duration::from_secs_f64(secs), peak, events)
}

fn main() {
    if let Ok(phase) = std::env::var("VPLANT_BENCH_PHASE") {
        child(&phase);
        return;
    }
    let repeats: usize = std::env::var("VPLANT_BENCH_REPEATS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let bytes: u64 = files().iter().map(|f| f.metadata().unwrap().len()).sum();
    let cells = read_everything();
    let mut rows: Vec<(&str, Vec<Duration>, u64)> = vec![
        ("baseline: read every file with `csv`", Vec::new(), 0),
        (
            "`import tablet-batches` into a new SQLite file",
            Vec::new(),
            0,
        ),
        ("the same import again (stores nothing)", Vec::new(), 0),
    ];
    let mut events = 0;
    for _ in 0..repeats {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("bench.db");
        for (i, phase) in ["baseline", "import", "again"].iter().enumerate() {
            let (t, peak, e) = run(phase, &db);
            if *phase == "import" {
                events = e;
            }
            if *phase == "again" {
                assert_eq!(e, 0, "a second import stores nothing");
            }
            rows[i].1.push(t);
            rows[i].2 = rows[i].2.max(peak);
        }
    }
    println!(
        "Data set: {} files, {:.1} MiB, {cells} cells; the import stores {events} events.",
        files().len(),
        bytes as f64 / (1024.0 * 1024.0)
    );
    println!();
    println!(
        "| run ({repeats}×, each in its own process) | median time | peak resident set of the process |"
    );
    println!("|---|---:|---:|");
    for (name, times, peak) in rows {
        println!(
            "| {name} | {:.2} s | {:.0} MiB |",
            median(times).as_secs_f64(),
            mib(peak)
        );
    }
}
