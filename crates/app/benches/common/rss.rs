//! The peak resident set of this process (`VmHWM` in `/proc/self/status`), which a
//! bench phase run in a process of its own reports as its peak memory, and the
//! resident set now (`VmRSS`), whose growth across a step is what the step keeps.

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

/// The process's resident set now (`VmRSS`), in bytes. Not every bench reads it.
#[allow(dead_code)]
pub fn current() -> Option<u64> {
    status_kib("VmRSS:").map(|k| k * 1024)
}
