//! Helpers shared by the store benches: realistic domain data, a deterministic random
//! source, percentiles, where bench files live, and the result table rows.
//!
//! Each bench is a plain `fn main` (`harness = false`) so that it can measure its own
//! baseline in the same run and print p99 latencies and ratios, which criterion does
//! not report side by side.

// Every bench uses a different subset of these helpers.
#![allow(dead_code)]

pub mod ledger_file;
pub mod workload;

use std::error::Error;
use std::path::PathBuf;
use std::time::Duration;

use vplant_domain::Event;
use vplant_domain::master::Renamed;
use vplant_domain::product::ProductRegistered;
use vplant_domain::site::{SiteKind, SiteRegistered};
use vplant_ledger::SigningKey;

pub type BenchResult<T = ()> = Result<T, Box<dyn Error + Send + Sync>>;

/// SplitMix64: a tiny deterministic generator, so that generated ledgers are the same
/// on every run and every machine (no `rand` dependency needed).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0); the modulo bias is irrelevant for test data.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const CITIES: &[&str] = &[
    "Basel",
    "Kaiseraugst",
    "Stein",
    "Visp",
    "Penzberg",
    "Mannheim",
    "Segrate",
    "Ringaskiddy",
    "Cork",
    "Leiden",
    "Geel",
    "Monza",
    "Hyderabad",
    "Suzhou",
    "Kalundborg",
    "Clonmel",
    "Puurs",
    "Sandwich",
    "Zofingen",
    "Grenzach-Wyhlen",
];
const SITE_KINDS: &[&str] = &[
    "Oral Solid Dosage Plant",
    "Sterile Fill-Finish Facility",
    "Biologics Drug Substance Plant",
    "Packaging and Serialisation Centre",
    "Quality Control Laboratory",
    "API Synthesis Plant",
];
const COUNTRIES: &[&str] = &["CH", "DE", "IT", "IE", "NL", "BE", "IN", "CN", "DK", "GB"];
const PRODUCTS: &[&str] = &[
    "Metformin hydrochloride",
    "Amlodipine besilate",
    "Atorvastatin calcium",
    "Levothyroxine sodium",
    "Omeprazole magnesium",
    "Ibuprofen lysinate",
    "Paracetamol",
    "Rivaroxaban",
    "Adalimumab",
    "Insulin glargine",
];
const FORMS: &[&str] = &[
    "film-coated tablet",
    "prolonged-release tablet",
    "gastro-resistant capsule",
    "solution for injection in pre-filled pen",
    "powder for concentrate for solution for infusion",
];
const STRENGTHS: &[&str] = &[
    "5 mg", "10 mg", "20 mg", "40 mg", "500 mg", "850 mg", "100 U/ml",
];

/// Who acts: user ids as the server records them (the login of a person).
pub const ACTORS: &[&str] = &[
    "anna.meier@vplant.example",
    "j.okafor@vplant.example",
    "priya.raman@vplant.example",
    "thomas.berger@vplant.example",
    "l.dubois@cmo-partner.example",
    "svc-erp-import",
];

/// Why a change was made, as users write it in the reason field.
pub const REASONS: &[&str] = &[
    "Name aligned with the updated manufacturing licence (MIA 2026/0412)",
    "Typo in the name reported by QA during batch record review, see CAPA-2026-118",
    "Site restructuring approved by the Head of Quality, change control CC-2026-0931",
    "Harmonised naming after the ERP master-data migration",
    "Correction requested by the qualified person before release",
];

/// A site or product name of realistic length (about 35-60 characters).
pub fn site_name(rng: &mut Rng) -> String {
    format!(
        "{} {} — Building {}",
        rng.pick(CITIES),
        rng.pick(SITE_KINDS),
        10 + rng.below(80)
    )
}

pub fn product_name(rng: &mut Rng) -> String {
    format!(
        "{} {} {}",
        rng.pick(PRODUCTS),
        rng.pick(STRENGTHS),
        rng.pick(FORMS)
    )
}

pub fn site_code(n: u64) -> String {
    format!("S{n:06}")
}

pub fn site_stream(n: u64) -> String {
    format!("site/{}", site_code(n))
}

pub fn register_site(n: u64, name: &str, rng: &mut Rng) -> Event {
    Event::SiteRegistered(SiteRegistered {
        code: site_code(n),
        name: name.to_owned(),
        kind: if rng.below(4) == 0 {
            SiteKind::Cmo
        } else {
            SiteKind::Internal
        },
        country: rng.pick(COUNTRIES).to_owned(),
    })
}

pub fn register_product(n: u64, name: &str, rng: &mut Rng) -> Event {
    Event::ProductRegistered(ProductRegistered {
        code: format!("P{n:07}"),
        name: name.to_owned(),
        dosage_form: rng.pick(FORMS).to_owned(),
        strength: rng.pick(STRENGTHS).to_owned(),
    })
}

pub fn rename_site(from: &str, to: &str) -> Event {
    Event::SiteRenamed(Renamed {
        from: from.to_owned(),
        to: to.to_owned(),
    })
}

/// Where bench data lives: `<target>/bench-data`, on the same disk as the build (so
/// that fsync costs what it costs in production, unlike a tmpfs `/tmp`).
pub fn bench_data_dir() -> BenchResult<PathBuf> {
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => {
            // The bench binary is `<target>/<profile>/deps/<name>-<hash>`.
            let exe = std::env::current_exe()?;
            exe.ancestors()
                .nth(3)
                .map(PathBuf::from)
                .ok_or("cannot find the target directory from the bench executable")?
        }
    };
    let dir = target.join("bench-data");
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// A fresh directory for one bench's databases, removed when dropped.
pub fn scratch_dir() -> BenchResult<tempfile::TempDir> {
    let parent = bench_data_dir()?.join("tmp");
    std::fs::create_dir_all(&parent)?;
    Ok(tempfile::tempdir_in(parent)?)
}

pub fn env_f64(name: &str, default: f64) -> f64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

pub fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// Latency samples in microseconds.
#[derive(Default, Debug)]
pub struct Latencies(pub Vec<u32>);

impl Latencies {
    pub fn push(&mut self, d: Duration) {
        self.0
            .push(u32::try_from(d.as_micros()).unwrap_or(u32::MAX));
    }

    pub fn extend(&mut self, other: Latencies) {
        self.0.extend(other.0);
    }

    /// The `p`-th percentile (0-100) in milliseconds, nearest-rank.
    pub fn percentile_ms(&mut self, p: f64) -> f64 {
        if self.0.is_empty() {
            return f64::NAN;
        }
        self.0.sort_unstable();
        let rank = ((p / 100.0) * self.0.len() as f64).ceil() as usize;
        let index = rank.clamp(1, self.0.len()) - 1;
        f64::from(self.0[index]) / 1000.0
    }
}

/// Formats a rate with thousands separators, e.g. `123,456`.
pub fn thousands(v: f64) -> String {
    let n = v.round() as u64;
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub fn verdict(pass: bool) -> &'static str {
    if pass { "PASS" } else { "FAIL" }
}

pub fn table_header() {
    println!();
    println!("| figure | measured | baseline | ratio | target | result |");
    println!("|---|---:|---:|---:|---|---|");
}

pub fn row(figure: &str, measured: &str, baseline: &str, ratio: &str, target: &str, result: &str) {
    println!("| {figure} | {measured} | {baseline} | {ratio} | {target} | {result} |");
}

/// Other compilers running at the same time share the two cores; say so beside the
/// figures rather than hide it.
pub fn warn_if_busy() {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return;
    };
    let busy = entries
        .filter_map(Result::ok)
        .filter_map(|e| std::fs::read_to_string(e.path().join("comm")).ok())
        .filter(|comm| {
            let comm = comm.trim();
            comm == "rustc" || comm == "cc1" || comm == "ld" || comm.starts_with("cargo-clippy")
        })
        .count();
    if busy > 0 {
        eprintln!(
            "note: {busy} compiler process(es) are running beside this bench; figures may be low"
        );
    }
}

pub fn join<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> BenchResult<T> {
    handle.join().map_err(|_| "a bench thread panicked".into())
}

/// A fresh checkpoint signing key, as `vplant init` would make.
pub fn new_signing_key() -> BenchResult<SigningKey> {
    Ok(SigningKey::generate(&ring::rand::SystemRandom::new())?)
}

/// Time a thread spent running and waiting for a core, from the kernel's
/// `/proc/…/schedstat`: tells CPU cost from waiting on the disk or on other processes.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sched {
    pub on_cpu: Duration,
    pub runqueue: Duration,
}

impl Sched {
    pub fn since(self, earlier: Sched) -> Sched {
        Sched {
            on_cpu: self.on_cpu.saturating_sub(earlier.on_cpu),
            runqueue: self.runqueue.saturating_sub(earlier.runqueue),
        }
    }
}

fn read_schedstat(path: &std::path::Path) -> Option<Sched> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut fields = text.split_whitespace().map(|f| f.parse::<u64>().ok());
    Some(Sched {
        on_cpu: Duration::from_nanos(fields.next()??),
        runqueue: Duration::from_nanos(fields.next()??),
    })
}

/// Summed over this process's threads named `comm` (e.g. the store's `vplant-writer`).
pub fn sched_of_threads(comm: &str) -> Sched {
    let mut total = Sched::default();
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return total;
    };
    for task in tasks.filter_map(Result::ok) {
        let name = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if name.trim() == comm
            && let Some(s) = read_schedstat(&task.path().join("schedstat"))
        {
            total.on_cpu += s.on_cpu;
            total.runqueue += s.runqueue;
        }
    }
    total
}

/// The calling thread's own figures.
pub fn sched_of_this_thread() -> Sched {
    read_schedstat(std::path::Path::new("/proc/thread-self/schedstat")).unwrap_or_default()
}

/// A reading of the machine's and this process's CPU time, to tell afterwards how
/// much of the two cores other processes took while the bench ran.
#[derive(Clone, Copy, Debug)]
pub struct Load {
    at: std::time::Instant,
    /// All cores, all processes, busy and idle, in clock ticks (USER_HZ, 100 per s).
    busy: u64,
    idle: u64,
    /// This process, in clock ticks.
    ours: u64,
}

impl Load {
    pub fn now() -> Load {
        let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
        let values: Vec<u64> = stat
            .lines()
            .next()
            .unwrap_or("")
            .split_whitespace()
            .skip(1)
            .filter_map(|v| v.parse().ok())
            .collect();
        // user nice system idle iowait irq softirq steal: idle and iowait are idle.
        let idle = values.get(3).copied().unwrap_or(0) + values.get(4).copied().unwrap_or(0);
        let busy = values.iter().take(8).sum::<u64>() - idle;
        let own = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
        // Fields after the parenthesised command name; utime and stime are 14 and 15.
        let after = own.rsplit_once(')').map_or("", |(_, rest)| rest);
        let fields: Vec<u64> = after
            .split_whitespace()
            .skip(11)
            .take(2)
            .filter_map(|v| v.parse().ok())
            .collect();
        Load {
            at: std::time::Instant::now(),
            busy,
            idle,
            ours: fields.iter().sum(),
        }
    }

    /// "this bench 1.71 cores, other processes 0.12 cores, idle 0.17 cores".
    pub fn describe_since(&self, earlier: &Load) -> String {
        let seconds = self.at.duration_since(earlier.at).as_secs_f64() * 100.0;
        let busy = self.busy.saturating_sub(earlier.busy) as f64 / seconds;
        let idle = self.idle.saturating_sub(earlier.idle) as f64 / seconds;
        let ours = self.ours.saturating_sub(earlier.ours) as f64 / seconds;
        format!(
            "CPU while measuring: this bench {ours:.2} cores, other processes {:.2} cores, idle {idle:.2} cores",
            (busy - ours).max(0.0)
        )
    }
}
