//! Peak memory of `vplant serve` idle with the demo data (target < 50 MB).
//!
//! Starts the release binary with `demo` on a fresh directory, waits until it is
//! ready, loads every page and API list once (so caches and pools are warm), lets it
//! idle, and reads the kernel's peak resident set (`VmHWM`) and current resident set
//! (`VmRSS`) from `/proc`. The baseline, measured the same way in the same run, is
//! `vplant serve` on a freshly initialised, empty database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_vplant");
const TARGET_MB: f64 = 50.0;

fn status_kb(pid: u32, field: &str) -> u64 {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    text.lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap()
}

fn get(url: &str) -> u16 {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    agent.get(url).call().map_or(0, |r| r.status().as_u16())
}

/// Starts `vplant` with `args` in `dir`, loads every page once, lets it idle, and
/// returns (peak RSS, current RSS) in KiB.
fn idle_memory(dir: &std::path::Path, args: &[&str], pages: &[&str]) -> (u64, u64) {
    let mut child = Command::new(BIN)
        .args(args)
        .args(["--listen", "127.0.0.1:0"])
        .current_dir(dir)
        .env("VPLANT_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = loop {
        let line = lines.next().unwrap().unwrap();
        if let Some(rest) = line.split("running at ").nth(1) {
            break rest
                .split_whitespace()
                .next()
                .unwrap()
                .trim_end_matches('/')
                .to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let deadline = Instant::now() + Duration::from_secs(30);
    while get(&format!("{url}/readyz")) != 200 {
        assert!(Instant::now() < deadline, "server not ready");
    }
    for path in pages {
        assert_eq!(get(&format!("{url}{path}")), 200, "{path}");
    }
    // Idle is the condition being measured: the server must sit without requests.
    #[allow(clippy::disallowed_methods)]
    std::thread::sleep(Duration::from_secs(3));
    let measured = (status_kb(pid, "VmHWM:"), status_kb(pid, "VmRSS:"));
    child.kill().unwrap();
    child.wait().unwrap();
    measured
}

fn main() {
    let common = [
        "/",
        "/sites",
        "/products",
        "/api/v1/sites",
        "/api/v1/products",
        "/api/v1/openapi.json",
        "/assets/style.css",
        "/assets/htmx.min.js",
    ];
    let empty = tempfile::tempdir().unwrap();
    let init = Command::new(BIN)
        .arg("init")
        .current_dir(empty.path())
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(init.success());
    let (base_hwm, base_rss) = idle_memory(empty.path(), &["serve"], &common);

    let demo = tempfile::tempdir().unwrap();
    let mut pages = common.to_vec();
    pages.extend(["/sites/BSL", "/sites/CMO-HYD", "/products/PARA-500"]);
    let (hwm, rss) = idle_memory(demo.path(), &["demo"], &pages);

    let mb = |kb: u64| kb as f64 / 1024.0;
    println!(
        "| measure | `vplant demo` (demo data) | baseline: `vplant serve` on an empty database | target | result |"
    );
    println!("|---|---:|---:|---|---|");
    println!(
        "| peak RSS (VmHWM), idle after one load of every page | {:.1} MB | {:.1} MB | < {TARGET_MB} MB | {} |",
        mb(hwm),
        mb(base_hwm),
        if mb(hwm) < TARGET_MB { "PASS" } else { "FAIL" }
    );
    println!(
        "| resident now (VmRSS) | {:.1} MB | {:.1} MB | — | info |",
        mb(rss),
        mb(base_rss)
    );
}
