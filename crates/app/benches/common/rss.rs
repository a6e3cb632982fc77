//! The peak resident set of this process (`VmHWM` in `/proc/self/status`), which a
//! bench phase run in a process of its own reports as its peak memory.

fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// The process's peak resident set so far, in bytes.
pub fn peak() -> Option<u64> {
    status_kib("VmHWM:").map(|k| k * 1024)
}
