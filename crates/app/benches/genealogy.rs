//! Genealogy traces on a generated network of 10,000,000 lots and about 38,600,000
//! edges (the target: traces reaching at most 1,000 lots p99 ≤ 1 ms warm; a
//! full recall trace at ≥ 1,000,000 lots/s).
//!
//! One run, one process:
//!
//! 1. **Setup (not timed against anything):** the network of `genealogy/network.rs`
//!    (API sites with a solvent-recovery loop, drug-product and packaging sites;
//!    8.9 million batches beside the lots) is generated in memory and handed to the
//!    index as the first load from SQLite hands it: every node key interned, then all
//!    edges packed at once. It does not go through the ledger: that is about 57
//!    million events (every lot registered, every batch recorded, every edge an
//!    event), three quarters of an hour at the 22,000 events/s the SQLite part below
//!    commits (more once the file outgrows the page cache), and reading 38.6 million
//!    rows back is a one-off of each process, not what a trace costs. The build time
//!    and memory of the index are reported.
//! 2. **Baseline:** breadth-first search over a plain adjacency list of the same
//!    graph (`Vec<Vec<u32>>` each way), with a `HashSet<u32>` and with a `Vec<bool>`
//!    of every node for the visited nodes, made new for each trace, collecting the
//!    same answer (nodes and the edges followed).
//! 3. **Measured:** `Graph::trace` on the index — the start looked up by its key,
//!    then breadth-first with the pooled bitset — for the same starts, warm (every
//!    start traced once, and checked against the baseline, before the timed passes;
//!    each way of tracing then has a pass of its own over all starts, so none finds
//!    the graph in the CPU caches because another just walked it; the walk alone,
//!    start id known as the baselines have it, is shown too): (a) `VPLANT_BENCH_SAMPLES` random
//!    starts (a random lot, a random direction) whose trace reaches 1 to 1,000 lots,
//!    p50/p99/max; (b) the recall: forward from the first lot of each starting
//!    material and fresh solvent, the one that reaches the most lots, traced
//!    `VPLANT_BENCH_RECALL_RUNS` times, median, as lots reached per second.
//! 4. **The real path, smaller:** `VPLANT_BENCH_SQLITE_LOTS` lots of the same
//!    network committed through the ledger into SQLite, then `App::trace` end to end
//!    against the trace before the index (one recursive query, then the same rows),
//!    for `VPLANT_BENCH_SQLITE_SAMPLES` starts reaching 1 to 1,000 lots; also the
//!    first trace of a process (the index read from SQLite), a trace right after a
//!    new batch (patched in), and the recall.
//!
//! Knobs: `VPLANT_BENCH_LOTS` (10000000), `VPLANT_BENCH_SAMPLES` (20000),
//! `VPLANT_BENCH_RECALL_RUNS` (5), `VPLANT_BENCH_SQLITE_LOTS` (100000, 0 to skip),
//! `VPLANT_BENCH_SQLITE_SAMPLES` (300).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "common/rss.rs"]
mod rss;

#[path = "genealogy/baseline.rs"]
mod baseline;
#[path = "genealogy/network.rs"]
mod network;
#[path = "genealogy/sqlite.rs"]
mod sqlite;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use vplant_app::genealogy_index::{Graph, Reach};
use vplant_domain::genealogy::Direction;

use baseline::{Lists, bfs, lots_within};
use network::{Kind, Network, Rng};

/// The most lots a "small" trace may reach.
const SMALL: usize = 1_000;

fn knob(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn pass(ok: bool) -> &'static str {
    if ok { "PASS" } else { "FAIL" }
}

/// The index's answer for `key`: how many lots it reached (the start left out).
fn index_trace(graph: &Graph, net: &Network, key: &str, direction: Direction) -> (usize, usize) {
    let mut reach = Reach::default();
    graph.trace(graph.find(key).unwrap(), direction, &mut reach);
    let lots = reach.nodes[1..]
        .iter()
        .filter(|&&n| net.nodes[n as usize].is_lot())
        .count();
    (lots, reach.edges.len())
}

/// Runs `trace` for every start in turn, timing each; the times sorted.
fn timed<T>(
    starts: &[(u32, Direction, usize)],
    mut trace: impl FnMut(usize) -> T,
) -> Vec<Duration> {
    let mut times: Vec<Duration> = (0..starts.len())
        .map(|i| {
            let t = Instant::now();
            let out = trace(i);
            let took = t.elapsed();
            drop(std::hint::black_box(out));
            took
        })
        .collect();
    times.sort();
    times
}

fn key_of(net: &Network, n: u32) -> String {
    let mut key = String::new();
    net.nodes[n as usize].write_key(&mut key);
    key
}

/// Random (lot, direction) starts whose trace reaches 1 to `SMALL` lots.
fn small_starts(net: &Network, lists: &Lists, samples: usize) -> Vec<(u32, Direction, usize)> {
    let is_lot = |m: u32| net.nodes[m as usize].is_lot();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut starts = Vec::with_capacity(samples);
    let mut drawn = 0;
    while starts.len() < samples {
        drawn += 1;
        let n = rng.below(net.nodes.len() as u64) as u32;
        if !is_lot(n) {
            continue;
        }
        let direction = [Direction::Forward, Direction::Backward][rng.below(2) as usize];
        if let Some(reach) = lots_within(lists, n, direction, is_lot, SMALL)
            && reach > 0
        {
            starts.push((n, direction, reach));
        }
    }
    eprintln!(
        "chose {} small starts out of {drawn} random nodes drawn",
        starts.len()
    );
    starts
}

/// The load average over the last minute (this bench included), to tell a quiet
/// machine from a busy one.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}

fn main() {
    eprintln!("load average at the start: {}", load());
    let lots = knob("VPLANT_BENCH_LOTS", 10_000_000);
    let samples = knob("VPLANT_BENCH_SAMPLES", 20_000);
    let recall_runs = knob("VPLANT_BENCH_RECALL_RUNS", 5);
    let sqlite_lots = knob("VPLANT_BENCH_SQLITE_LOTS", 100_000);
    let sqlite_samples = knob("VPLANT_BENCH_SQLITE_SAMPLES", 300);

    let t = Instant::now();
    let net = network::generate(lots);
    let generated = t.elapsed();
    let batches = net.nodes.len() - net.lots;
    eprintln!(
        "generated {} lots, {batches} batches, {} edges in {:.1} s",
        net.lots,
        net.edges.len(),
        generated.as_secs_f64()
    );

    // Writing every key alone, to tell it from interning below.
    let t = Instant::now();
    let mut key = String::with_capacity(64);
    let mut key_bytes = 0;
    for node in &net.nodes {
        key.clear();
        node.write_key(&mut key);
        key_bytes += key.len();
    }
    let formatting = t.elapsed();
    std::hint::black_box(key_bytes);

    // The index, built as a first load builds it.
    let rss_before = rss::current().unwrap_or(0);
    let t = Instant::now();
    let mut graph = Graph::default();
    for node in &net.nodes {
        key.clear();
        node.write_key(&mut key);
        graph.intern(&key).unwrap();
    }
    graph.shrink_to_fit();
    let interned = t.elapsed();
    graph.add_edges(&net.edges).unwrap();
    let built = t.elapsed();
    let rss_index = rss::current().unwrap_or(0);
    assert_eq!(graph.nodes(), net.nodes.len(), "every key is distinct");
    assert_eq!(graph.edges(), net.edges.len());
    eprintln!("index built in {:.1} s", built.as_secs_f64());

    let t = Instant::now();
    let lists = Lists::new(net.nodes.len(), &net.edges);
    let lists_built = t.elapsed();
    let rss_lists = rss::current().unwrap_or(0);

    // (a) Small traces.
    let starts = small_starts(&net, &lists, samples);
    let keys: Vec<String> = starts.iter().map(|(n, _, _)| key_of(&net, *n)).collect();
    for ((start, direction, reach), key) in starts.iter().zip(&keys) {
        let (lots, edges) = index_trace(&graph, &net, key, *direction);
        assert_eq!(lots, *reach, "{key}");
        let (_, followed) = bfs(&lists, *start, *direction, &mut HashSet::new());
        assert_eq!(edges, followed.len(), "{key}");
    }
    let nodes = net.nodes.len();
    // Each way of tracing in a pass of its own over every start, so that none finds
    // the graph in the CPU caches because another way just walked it.
    let ids: Vec<u32> = keys.iter().map(|k| graph.find(k).unwrap()).collect();
    let index_times = timed(&starts, |i| {
        let mut reach = Reach::default();
        graph.trace(graph.find(&keys[i]).unwrap(), starts[i].1, &mut reach);
        reach
    });
    let walk_times = timed(&starts, |i| {
        let mut reach = Reach::default();
        graph.trace(ids[i], starts[i].1, &mut reach);
        reach
    });
    let hash_times = timed(&starts, |i| {
        bfs(&lists, starts[i].0, starts[i].1, &mut HashSet::new())
    });
    let bool_times = timed(&starts, |i| {
        bfs(&lists, starts[i].0, starts[i].1, &mut vec![false; nodes])
    });
    let mut reaches: Vec<usize> = starts.iter().map(|s| s.2).collect();
    reaches.sort();
    let mean_reach = reaches.iter().sum::<usize>() as f64 / reaches.len() as f64;
    let heavy: Vec<(u32, Direction, usize)> =
        starts.iter().copied().filter(|s| s.2 >= 100).collect();
    let heavy_keys: Vec<String> = heavy.iter().map(|(n, _, _)| key_of(&net, *n)).collect();
    let heavy_index = timed(&heavy, |i| {
        let mut reach = Reach::default();
        graph.trace(graph.find(&heavy_keys[i]).unwrap(), heavy[i].1, &mut reach);
        reach
    });
    let heavy_hash = timed(&heavy, |i| {
        bfs(&lists, heavy[i].0, heavy[i].1, &mut HashSet::new())
    });

    // (b) The recall.
    let candidates: Vec<u32> = (0..net.nodes.len() as u32)
        .filter(|&n| {
            let node = net.nodes[n as usize];
            matches!(node.kind, Kind::Starting | Kind::Solvent) && node.number == 1
        })
        .collect();
    let (recall, (recall_lots, recall_edges)) = candidates
        .iter()
        .map(|&n| {
            (
                n,
                index_trace(&graph, &net, &key_of(&net, n), Direction::Forward),
            )
        })
        .max_by_key(|(_, (lots, _))| *lots)
        .unwrap();
    let recall_key = key_of(&net, recall);
    let mut recall_index = Vec::new();
    let mut recall_hash = Vec::new();
    let mut recall_bools = Vec::new();
    let mut reached_nodes = 0;
    for _ in 0..recall_runs {
        let t = Instant::now();
        let mut reach = Reach::default();
        graph.trace(
            graph.find(&recall_key).unwrap(),
            Direction::Forward,
            &mut reach,
        );
        recall_index.push(t.elapsed());
        reached_nodes = reach.nodes.len() - 1;
        drop(reach);
        let t = Instant::now();
        let out = bfs(&lists, recall, Direction::Forward, &mut HashSet::new());
        recall_hash.push(t.elapsed());
        assert_eq!(out.0.len() - 1, reached_nodes);
        drop(out);
        let t = Instant::now();
        let out = bfs(&lists, recall, Direction::Forward, &mut vec![false; nodes]);
        recall_bools.push(t.elapsed());
        drop(out);
    }
    let (recall_index, recall_hash, recall_bools) = (
        median(recall_index),
        median(recall_hash),
        median(recall_bools),
    );
    let per_s = |d: Duration| recall_lots as f64 / d.as_secs_f64();

    println!(
        "{} lots, {batches} batches, {} edges ({} nodes); generated in {:.1} s.",
        net.lots,
        net.edges.len(),
        net.nodes.len(),
        generated.as_secs_f64()
    );
    println!();
    println!("| build and memory | index | baseline: `Vec<Vec<u32>>` each way |");
    println!("|---|---:|---:|");
    println!(
        "| build from the edges | {:.1} s ({:.1} s interning {} keys of {:.0} MiB, of which {:.1} s writing the keys; {:.1} s packing the edges) | {:.1} s (ids only, no keys) |",
        built.as_secs_f64(),
        interned.as_secs_f64(),
        net.nodes.len(),
        mib(key_bytes as u64),
        formatting.as_secs_f64(),
        (built - interned).as_secs_f64(),
        lists_built.as_secs_f64()
    );
    println!(
        "| heap, counted by the structure | {:.0} MiB | — |",
        mib(graph.heap_bytes() as u64)
    );
    println!(
        "| resident set growth while building | {:.0} MiB | {:.0} MiB |",
        mib(rss_index.saturating_sub(rss_before)),
        mib(rss_lists.saturating_sub(rss_index))
    );
    println!(
        "| peak resident set of the process (generator, index, baseline) | {:.0} MiB | |",
        mib(rss::peak().unwrap_or(0))
    );
    println!();
    println!(
        "(a) {} random starts reaching 1–{SMALL} lots (mean {mean_reach:.0}, median {}, max {}), warm:",
        starts.len(),
        reaches[reaches.len() / 2],
        reaches[reaches.len() - 1]
    );
    println!();
    println!("| trace | p50 | p99 | max | target | result |");
    println!("|---|---:|---:|---:|---|---|");
    println!(
        "| index: `Graph::trace` (key lookup + walk) | {:.1} µs | {:.1} µs | {:.1} µs | p99 ≤ 1 ms | {} |",
        us(percentile(&index_times, 0.5)),
        us(percentile(&index_times, 0.99)),
        us(*index_times.last().unwrap()),
        pass(percentile(&index_times, 0.99) <= Duration::from_millis(1))
    );
    println!(
        "| index: the walk alone (start id known, as the baselines have it) | {:.1} µs | {:.1} µs | {:.1} µs | | |",
        us(percentile(&walk_times, 0.5)),
        us(percentile(&walk_times, 0.99)),
        us(*walk_times.last().unwrap())
    );
    println!(
        "| baseline: BFS, `HashSet` visited | {:.1} µs | {:.1} µs | {:.1} µs | | |",
        us(percentile(&hash_times, 0.5)),
        us(percentile(&hash_times, 0.99)),
        us(*hash_times.last().unwrap())
    );
    println!(
        "| baseline: BFS, `Vec<bool>` of every node | {:.1} µs | {:.1} µs | {:.1} µs | | |",
        us(percentile(&bool_times, 0.5)),
        us(percentile(&bool_times, 0.99)),
        us(*bool_times.last().unwrap())
    );
    if !heavy.is_empty() {
        println!(
            "| index, the {} of them reaching 100–{SMALL} lots | {:.1} µs | {:.1} µs | {:.1} µs | p99 ≤ 1 ms | {} |",
            heavy.len(),
            us(percentile(&heavy_index, 0.5)),
            us(percentile(&heavy_index, 0.99)),
            us(*heavy_index.last().unwrap()),
            pass(percentile(&heavy_index, 0.99) <= Duration::from_millis(1))
        );
        println!(
            "| baseline `HashSet`, the same {} | {:.1} µs | {:.1} µs | {:.1} µs | | |",
            heavy.len(),
            us(percentile(&heavy_hash, 0.5)),
            us(percentile(&heavy_hash, 0.99)),
            us(*heavy_hash.last().unwrap())
        );
    }
    println!();
    println!(
        "(b) recall: forward from `{recall_key}`: {recall_lots} lots ({reached_nodes} lots and batches, {recall_edges} edges), median of {recall_runs}:"
    );
    println!();
    println!("| trace | time | lots/s | target | result |");
    println!("|---|---:|---:|---|---|");
    println!(
        "| index: `Graph::trace` | {:.0} ms | {:.0} | ≥ 1,000,000 lots/s | {} |",
        ms(recall_index),
        per_s(recall_index),
        pass(per_s(recall_index) >= 1e6)
    );
    println!(
        "| baseline: BFS, `HashSet` visited | {:.0} ms | {:.0} | | |",
        ms(recall_hash),
        per_s(recall_hash)
    );
    println!(
        "| baseline: BFS, `Vec<bool>` of every node | {:.0} ms | {:.0} | | |",
        ms(recall_bools),
        per_s(recall_bools)
    );

    println!();
    println!("Load average (1 min) after the in-memory runs: {}.", load());
    drop(lists);
    drop(graph);
    drop(net);
    if sqlite_lots == 0 {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let f = sqlite::run(&runtime, sqlite_lots, sqlite_samples);
    println!();
    println!(
        "(c) SQLite, end to end: {} lots, {} batches, {} edges ({} events committed in {:.0} s); {} starts reaching 1–{SMALL} lots (mean {:.0}):",
        f.lots,
        f.batches,
        f.edges,
        f.events,
        f.setup.as_secs_f64(),
        f.starts,
        f.mean_reach
    );
    println!();
    println!("| trace | p50 | p99 | max |");
    println!("|---|---:|---:|---:|");
    for (name, v) in [
        (
            "before: recursive query + the lot and batch rows",
            &f.before,
        ),
        ("`App::trace` on the index", &f.after),
        (
            "`App::trace` right after a new batch (patched in)",
            &f.patched,
        ),
    ] {
        println!(
            "| {name} | {:.2} ms | {:.2} ms | {:.2} ms |",
            ms(percentile(v, 0.5)),
            ms(percentile(v, 0.99)),
            ms(*v.last().unwrap())
        );
    }
    println!(
        "| first `App::trace` of a process (every edge read from SQLite), once | {:.0} ms | | |",
        ms(f.first)
    );
    println!(
        "| recall ({} lots): before / `App::trace` | {:.0} ms / {:.0} ms | | |",
        f.recall_lots,
        ms(f.recall_before),
        ms(f.recall_after)
    );
    println!();
    println!("Load average (1 min) after the SQLite run: {}.", load());
}
