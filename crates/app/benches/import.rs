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
//! Each is repeated `VPLANT_BENCH_REPEATS` times (default 3, a new database for
//! each measured run); the table gives the median time and the largest peak resident
//! set of the process during the phase, and how far above its start that peak was.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "common/rss.rs"]
mod rss;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use vplant_app::{App, Request};
use vplant_testkit::TestDb;

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

/// Time and (peak resident set, its rise above the start) of one phase.
fn measure<T>(f: impl FnOnce() -> T) -> (Duration, (u64, u64), T) {
    let start = rss::start();
    let started = Instant::now();
    let out = f();
    let elapsed = started.elapsed();
    (elapsed, rss::peak(start).unwrap_or((0, 0)), out)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn main() {
    let repeats: usize = std::env::var("VPLANT_BENCH_REPEATS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let bytes: u64 = files().iter().map(|f| f.metadata().unwrap().len()).sum();
    let (mut base_t, mut base_m, mut cells) = (Vec::new(), (0, 0), 0);
    let (mut imp_t, mut imp_m, mut events) = (Vec::new(), (0, 0), 0);
    let (mut again_t, mut again_m) = (Vec::new(), (0, 0));
    for _ in 0..repeats {
        let (t, m, c) = measure(read_everything);
        base_t.push(t);
        base_m = base_m.max(m);
        cells = c;

        let db = TestDb::sqlite();
        let app = App::new(db.store()).unwrap();
        let by = Request::by("bench");
        let (t, m, summary) = measure(|| {
            runtime
                .block_on(app.import_tablet_batches(&data_set(), "CMO-SI", &by))
                .unwrap()
        });
        imp_t.push(t);
        imp_m = imp_m.max(m);
        events = summary.events;
        let (t, m, again) = measure(|| {
            runtime
                .block_on(app.import_tablet_batches(&data_set(), "CMO-SI", &by))
                .unwrap()
        });
        assert_eq!(again.events, 0, "a second import stores nothing");
        again_t.push(t);
        again_m = again_m.max(m);
    }
    println!(
        "Data set: {} files, {:.1} MiB, {cells} cells; the import stores {events} events.",
        files().len(),
        bytes as f64 / (1024.0 * 1024.0)
    );
    println!();
    println!("| run ({repeats}×) | median time | peak resident set (rise in the phase) |");
    println!("|---|---:|---:|");
    println!(
        "| baseline: read every file with `csv` | {:.2} s | {:.0} MiB (+{:.0} MiB) |",
        median(base_t).as_secs_f64(),
        mib(base_m.0),
        mib(base_m.1)
    );
    println!(
        "| `import tablet-batches` into a new SQLite file | {:.2} s | {:.0} MiB (+{:.0} MiB) |",
        median(imp_t).as_secs_f64(),
        mib(imp_m.0),
        mib(imp_m.1)
    );
    println!(
        "| the same import again (stores nothing) | {:.2} s | {:.0} MiB (+{:.0} MiB) |",
        median(again_t).as_secs_f64(),
        mib(again_m.0),
        mib(again_m.1)
    );
}
