//! Peak memory of one phase of a bench, from Linux's own accounting: the peak resident
//! set (`VmHWM` in `/proc/self/status`) is reset by writing `5` to
//! `/proc/self/clear_refs`, so each phase reports its own peak. (A counting global
//! allocator would need `unsafe`, which the workspace forbids.)

fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Starts a phase: resets the peak and returns the resident set now, in bytes.
pub fn start() -> Option<u64> {
    std::fs::write("/proc/self/clear_refs", "5").ok()?;
    status_kib("VmRSS:").map(|k| k * 1024)
}

/// The peak resident set since `start`, in bytes, and how much above the start.
pub fn peak(start: Option<u64>) -> Option<(u64, u64)> {
    let peak = status_kib("VmHWM:")? * 1024;
    Some((peak, peak.saturating_sub(start?)))
}
