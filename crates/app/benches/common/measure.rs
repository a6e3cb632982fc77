//! What the benches that run the server measure beside their figures: knobs from the
//! environment, latency percentiles, and how busy the machine was (this process's CPU
//! and that of every other process, from `/proc`), so that a figure taken while other
//! sessions compiled on the same cores says so.

use std::error::Error;
use std::time::{Duration, Instant};

/// What a bench's steps return; any error ends the run with its message.
pub type BenchResult<T = ()> = Result<T, Box<dyn Error + Send + Sync>>;

/// A knob: the number in environment variable `name`, or `default`.
pub fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// Waits for a point in time. Sleeping is the measured condition here (a fixed
/// window, a paced client), not a way to wait for something to happen.
pub fn sleep_until(when: Instant) {
    let now = Instant::now();
    if when > now {
        #[allow(clippy::disallowed_methods)]
        std::thread::sleep(when - now);
    }
}

/// Latency samples in microseconds.
#[derive(Default)]
pub struct Latencies(Vec<u64>);

impl Latencies {
    pub fn push(&mut self, d: Duration) {
        self.0
            .push(u64::try_from(d.as_micros()).unwrap_or(u64::MAX));
    }

    /// Nearest-rank percentile in milliseconds.
    pub fn ms(&mut self, p: f64) -> f64 {
        if self.0.is_empty() {
            return f64::NAN;
        }
        self.0.sort_unstable();
        let rank = ((p / 100.0) * self.0.len() as f64).ceil() as usize;
        self.0[rank.clamp(1, self.0.len()) - 1] as f64 / 1000.0
    }
}

/// The machine's and this process's CPU time, to say afterwards how much of the cores
/// other processes took while a phase ran.
#[derive(Clone, Copy)]
pub struct Load {
    at: Instant,
    busy: u64,
    idle: u64,
    /// This process: user and system time, and minor page faults.
    user: u64,
    system: u64,
    faults: u64,
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
        let idle = values.get(3).copied().unwrap_or(0) + values.get(4).copied().unwrap_or(0);
        let busy = values.iter().take(8).sum::<u64>() - idle;
        let own = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
        let after = own.rsplit_once(')').map_or("", |(_, rest)| rest);
        // Fields after the parenthesised command name, which is field 2: minflt is
        // field 10, utime and stime are 14 and 15.
        let fields: Vec<u64> = after
            .split_whitespace()
            .map(|v| v.parse().unwrap_or(0))
            .collect();
        let field = |n: usize| fields.get(n - 3).copied().unwrap_or(0);
        Load {
            at: Instant::now(),
            busy,
            idle,
            user: field(14),
            system: field(15),
            faults: field(10),
        }
    }

    pub fn since(&self, earlier: &Load) -> Cpu {
        let ticks = self.at.duration_since(earlier.at).as_secs_f64() * 100.0;
        let per = |now: u64, then: u64| now.saturating_sub(then) as f64 / ticks;
        let user = per(self.user, earlier.user);
        let system = per(self.system, earlier.system);
        Cpu {
            user,
            system,
            others: (per(self.busy, earlier.busy) - user - system).max(0.0),
            idle: per(self.idle, earlier.idle),
            faults: self.faults.saturating_sub(earlier.faults),
        }
    }
}

/// Cores used during a phase.
#[derive(Clone, Copy)]
pub struct Cpu {
    pub user: f64,
    pub system: f64,
    pub others: f64,
    pub idle: f64,
    /// Minor page faults of this process.
    pub faults: u64,
}

impl std::fmt::Display for Cpu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "this bench {:.2} cores ({:.2} of them in the kernel), other processes {:.2} cores, idle {:.2} cores",
            self.user + self.system,
            self.system,
            self.others,
            self.idle
        )
    }
}

/// The load average over 1, 5 and 15 minutes.
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The CPU used from `from` to `to` (both in the future).
pub fn cpu_between(from: Instant, to: Instant) -> Cpu {
    sleep_until(from);
    let start = Load::now();
    sleep_until(to);
    Load::now().since(&start)
}

/// Other sessions compile on the same cores. Waits (at most `limit`) for a second in
/// which other processes used at most a fifth of a core, so that a phase starts on a
/// quiet machine when there is one; the figures say how quiet it stayed.
pub fn wait_for_quiet(limit: Duration) -> Duration {
    let start = Instant::now();
    while start.elapsed() < limit {
        let second = Instant::now() + Duration::from_secs(1);
        if cpu_between(Instant::now(), second).others <= 0.2 {
            break;
        }
    }
    start.elapsed()
}

pub fn row(figure: &str, measured: &str, baseline: &str, ratio: &str, target: &str, result: &str) {
    println!("| {figure} | {measured} | {baseline} | {ratio} | {target} | {result} |");
}

pub fn verdict(pass: bool) -> &'static str {
    if pass { "PASS" } else { "FAIL" }
}

/// A row for a latency with an upper bound: the figure and its baseline in ms with
/// `digits` decimals, their ratio, the bound, PASS or FAIL.
pub fn bound_row(figure: &str, measured: f64, baseline: f64, digits: usize, bound: f64) {
    row(
        figure,
        &format!("{measured:.digits$}"),
        &format!("{baseline:.digits$}"),
        &format!("{:.2}×", measured / baseline),
        &format!("≤ {bound} ms"),
        verdict(measured <= bound),
    );
}
