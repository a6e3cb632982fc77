//! Electronic signatures (21 CFR Part 11): how fast `App::sign` signs compared with the
//! Argon2id check it cannot avoid, and how quickly other requests are served while
//! signings keep every core busy.
//!
//! One run, one process, one temporary SQLite store:
//!
//! 1. **Baseline:** raw Argon2id verifications of a signer's stored PHC string with
//!    `HashCost::default().hasher()` and `verify_password`, on one std thread per
//!    core, nothing else running. For information, the same hash with its memory
//!    allocated once per thread (`hash_password_into_with_memory`): the hash alone.
//! 2. **Measured:** `App::sign` in a loop on `tasks-per-core × cores` tokio tasks
//!    (multi-thread runtime, one worker per core). Each task is one QA reviewer who
//!    signs sites registered by someone else, rotating over sites of its own so that
//!    no two tasks race for a record. Each iteration does what the signature dialog
//!    does: `signable_head`, then `sign` with the shown version and hash.
//!
//!    (1) and (2) alternate in rounds, each with a warm-up before its window, so a
//!    compile starting on the shared cores hits both sides alike. A rate counts the
//!    operations that completed inside the window.
//! 3. **Latency:** the real server (`vplant_server::router`) on a loopback port, and a
//!    client on its own thread sending `GET /api/v1/sites` with a session cookie over
//!    one keep-alive HTTP/1.1 connection at a fixed pace. First with no signing (the
//!    baseline), then while (2) runs on the same runtime as the server.
//!
//! Other sessions compile on the same two cores. Each round and each read run starts
//! when the machine is quiet (waiting at most two minutes in all for that), and one
//! during which other processes took more than 0.3 cores is measured again (at most
//! 4 attempts each, 5 repeats in the whole run); the output says how often that
//! happened and how busy the machine was.
//!
//! Knobs: `VPLANT_BENCH_SECS` (window per side and round, default 3),
//! `VPLANT_BENCH_ROUNDS` (5), `VPLANT_BENCH_LATENCY_SECS` (15),
//! `VPLANT_BENCH_TASKS_PER_CORE` (4), `VPLANT_BENCH_READ_EVERY_MS` (5),
//! `VPLANT_BENCH_QUIET_WAIT_SECS` (120, for the whole run; 0 starts at once).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use argon2::password_hash::PasswordVerifier;
use vplant_app::identity::passwords::HashCost;
use vplant_app::identity::principal_of;
use vplant_app::signatures::SignatureInput;
use vplant_app::{App, Request};
use vplant_domain::identity::Principal;
use vplant_domain::site::{NewSite, SiteCommand, SiteState};
use vplant_server::auth::WebConfig;

// The client's POST is for the benches that write.
#[path = "common/argon.rs"]
mod argon;
#[path = "common/http.rs"]
#[allow(dead_code)]
mod http;
#[path = "common/measure.rs"]
mod measure;
#[path = "common/server.rs"]
mod server;

use argon::RawHash;
use http::Http;
use measure::{
    BenchResult, Cpu, Latencies, Load, bound_row, cpu_between, env_u64, loadavg, row, sleep_until,
    verdict, wait_for_quiet,
};
use server::{Bench, user_input};

/// What the reader asks for.
const SITES: &str = "/api/v1/sites";

const PASSWORD: &str = "Tablet-Granule-Sunrise-42";
const SITES_PER_TASK: usize = 16;
const WARMUP: Duration = Duration::from_secs(1);
const RATIO_TARGET: f64 = 0.9;
const P99_TARGET_MS: f64 = 20.0;
/// A round or latency run during which other processes took more than this many
/// cores is measured again, at most `ATTEMPTS` times in all and `RETRIES` times in
/// the whole run, so that a busy machine makes the run longer only by so much.
const NOISY_CORES: f64 = 0.3;
const ATTEMPTS: usize = 4;
const RETRIES: usize = 5;

/// How many of `times` fall in `[from, to)`, per second.
fn rate(times: &[Instant], from: Instant, to: Instant) -> f64 {
    let n = times.iter().filter(|t| **t >= from && **t < to).count();
    n as f64 / to.duration_since(from).as_secs_f64()
}

/// Per thread of this process: (name, ns on a core, ns waiting for a core, times
/// scheduled), from the kernel's `/proc/self/task/*/schedstat`.
fn thread_sched() -> BTreeMap<u64, (String, u64, u64, u64)> {
    let mut threads = BTreeMap::new();
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return threads;
    };
    for task in tasks.filter_map(Result::ok) {
        let Some(tid) = task.file_name().to_str().and_then(|t| t.parse().ok()) else {
            continue;
        };
        let name = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        let stat = std::fs::read_to_string(task.path().join("schedstat")).unwrap_or_default();
        let v: Vec<u64> = stat
            .split_whitespace()
            .filter_map(|f| f.parse().ok())
            .collect();
        if let [on_cpu, waiting, slices] = v[..] {
            threads.insert(tid, (name.trim().to_owned(), on_cpu, waiting, slices));
        }
    }
    threads
}

/// What each kind of thread did between two readings: cores used and the mean wait
/// for a core each time it became runnable. Thread names lose their trailing digits.
fn describe_threads(
    before: &BTreeMap<u64, (String, u64, u64, u64)>,
    after: &BTreeMap<u64, (String, u64, u64, u64)>,
    seconds: f64,
    main: &str,
) -> String {
    let mut kinds: BTreeMap<String, (u64, u64, u64)> = BTreeMap::new();
    for (tid, (name, on_cpu, waiting, slices)) in after {
        let (b_on, b_wait, b_slices) = before
            .get(tid)
            .map_or((0, 0, 0), |(_, on, w, s)| (*on, *w, *s));
        let kind = if name == main {
            "the reader (main thread)".to_owned()
        } else if name.starts_with("tokio-r") {
            "tokio workers and blocking pool".to_owned()
        } else {
            name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '-')
                .to_owned()
        };
        let entry = kinds.entry(kind).or_default();
        entry.0 += on_cpu - b_on;
        entry.1 += waiting - b_wait;
        entry.2 += slices - b_slices;
    }
    kinds
        .iter()
        .filter(|(_, (on, _, _))| *on > 0)
        .map(|(kind, (on, waiting, slices))| {
            format!(
                "{kind} {:.2} cores, waited {:.0} µs for a core per wake-up",
                *on as f64 / 1e9 / seconds,
                *waiting as f64 / 1e3 / (*slices).max(1) as f64
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// One QA reviewer and the sites only they sign.
#[derive(Clone)]
struct Signer {
    principal: Principal,
    sites: Vec<String>,
}

/// Sites registered by `seed`, one QA reviewer per signing task, and a reader.
async fn seed(app: &App, tasks: usize) -> BenchResult<Vec<Signer>> {
    let by = Request::by("seed");
    let mut signers = Vec::new();
    for t in 0..tasks {
        let mut sites = Vec::new();
        for s in 0..SITES_PER_TASK {
            let code = format!("SGN-{t:02}-{s:02}");
            let new = NewSite::parse(
                &code,
                &format!("Signing bench site {code}"),
                "internal",
                "CH",
            )?;
            app.execute::<SiteState>(&code, SiteCommand::Register(new), &by)
                .await?;
            sites.push(code);
        }
        let username = format!("qa.signer{t:02}");
        let (user, _) = app
            .create_user(user_input(&username, "qa_reviewer", PASSWORD), &by)
            .await?;
        signers.push(Signer {
            principal: principal_of(&user),
            sites,
        });
    }
    app.create_user(user_input("reader", "auditor", PASSWORD), &by)
        .await?;
    Ok(signers)
}

/// What the signature dialog does, in a loop: show the record, sign what it shows.
async fn sign_loop(app: App, signer: Signer, stop: Arc<AtomicBool>) -> BenchResult<Vec<Instant>> {
    let mut done = Vec::new();
    let mut n = 0usize;
    while !stop.load(Ordering::Relaxed) {
        let code = &signer.sites[n % signer.sites.len()];
        let stream = format!("site/{code}");
        let head = app
            .signable_head(&stream)
            .await?
            .ok_or("the site is missing")?;
        let input = SignatureInput {
            meaning: if n.is_multiple_of(2) {
                "reviewed"
            } else {
                "approved"
            }
            .to_owned(),
            shown_version: head.version,
            shown_hash: head.hash,
            username: signer.principal.username.clone(),
            password: PASSWORD.to_owned(),
        };
        app.sign(
            &signer.principal,
            &stream,
            &format!("site '{code}'"),
            &input,
            "bench",
        )
        .await?;
        done.push(Instant::now());
        n += 1;
    }
    Ok(done)
}

/// Signing tasks running on the runtime until stopped.
struct Signing {
    stop: Arc<AtomicBool>,
    tasks: Vec<tokio::task::JoinHandle<BenchResult<Vec<Instant>>>>,
}

impl Signing {
    fn start(rt: &tokio::runtime::Runtime, app: &App, signers: &[Signer]) -> Signing {
        let stop = Arc::new(AtomicBool::new(false));
        let tasks = signers
            .iter()
            .map(|s| rt.spawn(sign_loop(app.clone(), s.clone(), Arc::clone(&stop))))
            .collect();
        Signing { stop, tasks }
    }

    /// Stops the tasks and returns every completion time.
    fn finish(self, rt: &tokio::runtime::Runtime) -> BenchResult<Vec<Instant>> {
        self.stop.store(true, Ordering::Relaxed);
        let mut all = Vec::new();
        for task in self.tasks {
            all.extend(rt.block_on(task)??);
        }
        Ok(all)
    }
}

/// A rate over a window, and the CPU used in that window.
#[derive(Clone, Copy)]
struct Measured {
    per_s: f64,
    cpu: Cpu,
}

impl Measured {
    /// Operations per second of this process's CPU time: what the work costs,
    /// whatever share of the cores other processes took.
    fn per_cpu_s(&self) -> f64 {
        self.per_s / (self.cpu.user + self.cpu.system)
    }

    /// Minor page faults per operation (`window` is the measured window).
    fn faults_per_op(&self, window: Duration) -> f64 {
        self.cpu.faults as f64 / (self.per_s * window.as_secs_f64())
    }
}

/// How the raw side computes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Raw {
    /// `verify_password` on the PHC string, as an application would call it: parses
    /// it and allocates (zeroed) Argon2 memory for every check.
    Verify,
    /// Only the hash: parameters and salt taken out of the PHC string once, the
    /// Argon2 memory allocated once per thread and reused.
    ReusedMemory,
}

/// Raw Argon2id verifications on `threads` std threads, nothing else running.
fn raw_argon2(threads: usize, phc: &str, how: Raw, window: Duration) -> BenchResult<Measured> {
    let argon = HashCost::default().hasher()?;
    let from = Instant::now() + WARMUP;
    let to = from + window;
    let (times, cpu) = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    let mut reused = RawHash::new(phc).expect("the stored hash is a PHC string");
                    while Instant::now() < to {
                        let ok = match how {
                            Raw::Verify => argon.verify_password(PASSWORD.as_bytes(), phc).is_ok(),
                            Raw::ReusedMemory => reused.matches(PASSWORD),
                        };
                        assert!(ok, "the password must match its hash");
                        done.push(Instant::now());
                    }
                    done
                })
            })
            .collect();
        let cpu = cpu_between(from, to);
        let times: Vec<Instant> = handles
            .into_iter()
            .flat_map(|h| h.join().expect("a hashing thread panicked"))
            .collect();
        (times, cpu)
    });
    Ok(Measured {
        per_s: rate(&times, from, to),
        cpu,
    })
}

/// `App::sign` with every signer's task running.
fn signing(
    rt: &tokio::runtime::Runtime,
    app: &App,
    signers: &[Signer],
    window: Duration,
) -> BenchResult<Measured> {
    let from = Instant::now() + WARMUP;
    let to = from + window;
    let run = Signing::start(rt, app, signers);
    let cpu = cpu_between(from, to);
    let times = run.finish(rt)?;
    Ok(Measured {
        per_s: rate(&times, from, to),
        cpu,
    })
}

/// What the paced reader saw.
#[derive(Default)]
struct Reads {
    /// From sending the request to the last byte of the response.
    service: Latencies,
    /// From when the request was due (its place in the fixed pace) to the last byte:
    /// also counts time the client itself waited for a core or for the previous reply.
    from_due: Latencies,
    count: usize,
    bytes: usize,
}

/// Sends a GET every `every` from `from` until `to`, on the calling thread.
fn read_paced(http: &mut Http, every: Duration, from: Instant, to: Instant) -> BenchResult<Reads> {
    let mut reads = Reads::default();
    let mut i = 0u32;
    loop {
        let due = from + every * i;
        if due >= to {
            break;
        }
        sleep_until(due);
        let sent = Instant::now();
        reads.bytes += http.get(SITES)?.len();
        let done = Instant::now();
        reads.service.push(done - sent);
        reads.from_due.push(done - due);
        reads.count += 1;
        i += 1;
    }
    Ok(reads)
}

fn joined(values: impl Iterator<Item = String>) -> String {
    values.collect::<Vec<_>>().join(" / ")
}

fn mean(values: &[Measured], f: impl Fn(&Measured) -> f64) -> f64 {
    values.iter().map(f).sum::<f64>() / values.len() as f64
}

fn main() -> BenchResult {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let window = Duration::from_secs(env_u64("VPLANT_BENCH_SECS", 3));
    let rounds = env_u64("VPLANT_BENCH_ROUNDS", 5).max(1);
    let latency_window = Duration::from_secs(env_u64("VPLANT_BENCH_LATENCY_SECS", 15));
    let idle_window = latency_window / 3;
    let tasks = cores * usize::try_from(env_u64("VPLANT_BENCH_TASKS_PER_CORE", 4))?.max(1);
    let every = Duration::from_millis(env_u64("VPLANT_BENCH_READ_EVERY_MS", 5).max(1));
    let quiet_budget = Duration::from_secs(env_u64("VPLANT_BENCH_QUIET_WAIT_SECS", 120));
    let loadavg_before = loadavg();

    let bench = Bench::start()?;
    let (rt, app) = (&bench.rt, &bench.app);
    let signers = rt.block_on(seed(app, tasks))?;
    let phc = bench.password_hash(&signers[0].principal.username)?;

    // 1 and 2, alternating; each pair starts on a quiet machine if there is one.
    let mut waited = Duration::ZERO;
    let mut raw = Vec::new();
    let mut signed = Vec::new();
    let mut reused = Vec::new();
    let mut repeated = 0;
    for _ in 0..rounds {
        for attempt in 1..=ATTEMPTS {
            waited += wait_for_quiet(quiet_budget.saturating_sub(waited));
            let r = raw_argon2(cores, &phc, Raw::Verify, window)?;
            let s = signing(rt, app, &signers, window)?;
            let m = raw_argon2(cores, &phc, Raw::ReusedMemory, window)?;
            let busiest = r.cpu.others.max(s.cpu.others).max(m.cpu.others);
            if busiest <= NOISY_CORES || attempt == ATTEMPTS || repeated >= RETRIES {
                raw.push(r);
                signed.push(s);
                reused.push(m);
                break;
            }
            repeated += 1;
        }
    }
    let raw_rate = mean(&raw, |m| m.per_s);
    let sign_rate = mean(&signed, |m| m.per_s);
    let ratio = sign_rate / raw_rate;
    let raw_eff = mean(&raw, Measured::per_cpu_s);
    let reused_rate = mean(&reused, |m| m.per_s);
    let sign_eff = mean(&signed, Measured::per_cpu_s);

    // 3: the server, a reader signed in, reads alone and then beside the signings.
    let addr = bench.serve(WebConfig {
        attempts_per_minute: 1_000_000,
        ..WebConfig::default()
    })?;
    let token = rt.block_on(app.sign_in("reader", PASSWORD, "bench"))?.token;
    let mut repeated_reads = 0;
    let main_name = std::fs::read_to_string("/proc/thread-self/comm")?
        .trim()
        .to_owned();
    let mut http = Http::connect(addr, &token)?;
    http.get(SITES)?;

    let mut attempt = 0;
    let (mut idle, idle_cpu) = loop {
        attempt += 1;
        waited += wait_for_quiet(quiet_budget.saturating_sub(waited));
        let idle_from = Instant::now();
        let idle_start = Load::now();
        let idle = read_paced(&mut http, every, idle_from, idle_from + idle_window)?;
        let idle_cpu = Load::now().since(&idle_start);
        if idle_cpu.others <= NOISY_CORES
            || attempt == ATTEMPTS
            || repeated + repeated_reads >= RETRIES
        {
            break (idle, idle_cpu);
        }
        repeated_reads += 1;
    };

    let mut attempt = 0;
    let (mut busy, busy_cpu, busy_signs, busy_threads) = loop {
        attempt += 1;
        waited += wait_for_quiet(quiet_budget.saturating_sub(waited));
        let from = Instant::now() + WARMUP;
        let to = from + latency_window;
        let run = Signing::start(rt, app, &signers);
        sleep_until(from);
        let busy_start = Load::now();
        let threads_start = thread_sched();
        let busy = read_paced(&mut http, every, from, to)?;
        let busy_cpu = Load::now().since(&busy_start);
        let busy_threads = describe_threads(
            &threads_start,
            &thread_sched(),
            latency_window.as_secs_f64(),
            &main_name,
        );
        let busy_signs = rate(&run.finish(rt)?, from, to);
        if busy_cpu.others <= NOISY_CORES
            || attempt == ATTEMPTS
            || repeated + repeated_reads >= RETRIES
        {
            break (busy, busy_cpu, busy_signs, busy_threads);
        }
        repeated_reads += 1;
    };
    let reads_per_s = busy.count as f64 / latency_window.as_secs_f64();
    let idle_reads_per_s = idle.count as f64 / idle_window.as_secs_f64();

    let p99 = busy.service.ms(99.0);
    let idle_p99 = idle.service.ms(99.0);
    let cost = HashCost::default();
    println!();
    println!(
        "`cargo bench -p vplant-app --bench signing` ({cores} cores, {tasks} signing tasks, \
         Argon2id m = {} KiB, t = {}, p = {}; {rounds} rounds of {} s per side, latency {} s \
         with a GET every {} ms; load average before {loadavg_before}, after {}; waited {:.0} s \
         in all for a quiet machine; measured again because other processes took more than \
         {NOISY_CORES} cores: {repeated} rounds, {repeated_reads} read runs):",
        cost.memory_kib,
        cost.iterations,
        cost.lanes,
        window.as_secs(),
        latency_window.as_secs(),
        every.as_millis(),
        loadavg(),
        waited.as_secs_f64(),
    );
    println!();
    println!("| figure | measured | baseline | ratio | target | result |");
    println!("|---|---:|---:|---:|---|---|");
    row(
        &format!(
            "signings/s, `App::sign` on {tasks} tasks vs raw Argon2id verifications/s on {cores} threads (mean of {rounds} rounds)"
        ),
        &format!("{sign_rate:.1}"),
        &format!("{raw_rate:.1}"),
        &format!("{ratio:.3}×"),
        &format!("≥ {RATIO_TARGET}×"),
        verdict(ratio >= RATIO_TARGET),
    );
    row(
        "per round, signings/s vs verifications/s",
        &joined(signed.iter().map(|m| format!("{:.1}", m.per_s))),
        &joined(raw.iter().map(|m| format!("{:.1}", m.per_s))),
        &joined(
            signed
                .iter()
                .zip(&raw)
                .map(|(s, r)| format!("{:.3}×", s.per_s / r.per_s)),
        ),
        "—",
        "info",
    );
    row(
        "per round, cores other processes took while signing vs while hashing raw",
        &joined(signed.iter().map(|m| format!("{:.2}", m.cpu.others))),
        &joined(raw.iter().map(|m| format!("{:.2}", m.cpu.others))),
        "—",
        "—",
        "info",
    );
    row(
        "signings/s vs raw Argon2id with its memory reused (the hash alone), verifications/s",
        &format!("{sign_rate:.1}"),
        &format!("{reused_rate:.1}"),
        &format!("{:.3}×", sign_rate / reused_rate),
        "—",
        "info",
    );
    row(
        "per CPU-second of this process (user + kernel): signings vs verifications (mean of rounds)",
        &format!("{sign_eff:.2}"),
        &format!("{raw_eff:.2}"),
        &format!("{:.3}×", sign_eff / raw_eff),
        "—",
        "info",
    );
    row(
        "minor page faults per signing vs per verification (mean of rounds; 19 MiB is 4,864 pages)",
        &format!("{:.0}", mean(&signed, |m| m.faults_per_op(window))),
        &format!("{:.0}", mean(&raw, |m| m.faults_per_op(window))),
        "—",
        "—",
        "info",
    );
    bound_row(
        "p99 latency of `GET /api/v1/sites` while signings saturate the CPU, ms (baseline: the same reads, no signing)",
        p99,
        idle_p99,
        2,
        P99_TARGET_MS,
    );
    row(
        "p50 / p99.9 / max of the same, ms",
        &format!(
            "{:.2} / {:.2} / {:.2}",
            busy.service.ms(50.0),
            busy.service.ms(99.9),
            busy.service.ms(100.0)
        ),
        &format!(
            "{:.2} / {:.2} / {:.2}",
            idle.service.ms(50.0),
            idle.service.ms(99.9),
            idle.service.ms(100.0)
        ),
        "—",
        "—",
        "info",
    );
    row(
        "p99 counted from when each read was due (adds the client's own waits), ms",
        &format!("{:.2}", busy.from_due.ms(99.0)),
        &format!("{:.2}", idle.from_due.ms(99.0)),
        "—",
        "—",
        "info",
    );
    row(
        "mix during the latency run: signings/s + reads/s (response bytes)",
        &format!(
            "{busy_signs:.1} + {reads_per_s:.0} ({} B)",
            busy.bytes / busy.count.max(1)
        ),
        &format!(
            "0 + {idle_reads_per_s:.0} ({} B)",
            idle.bytes / idle.count.max(1)
        ),
        &format!("signings {:.3}× raw", busy_signs / raw_rate),
        "—",
        "info",
    );
    println!();
    for (i, ((r, s), m)) in raw.iter().zip(&signed).zip(&reused).enumerate() {
        println!(
            "CPU in round {}: raw Argon2id: {}; signing: {}; raw, memory reused: {}.",
            i + 1,
            r.cpu,
            s.cpu,
            m.cpu
        );
    }
    println!(
        "CPU during the reads alone: {idle_cpu}; during the reads beside the signings: {busy_cpu}."
    );
    println!("Threads during the reads beside the signings: {busy_threads}.");
    Ok(())
}
