//! A record's audit trail as a person reads it: when (UTC), who, what, why, each
//! changed field with its old and new value, and the ledger hash that proves the
//! entry is the one recorded. Any module with a ledger stream can show its history
//! with [`rows`] and the `history` macro in `macros.html`.

use vplant_app::HistoryEntry;

/// How many hex digits of an event hash the table shows; the full hash is in the
/// cell's title and in print.
const SHORT_HASH: usize = 12;

pub struct HistoryRow {
    pub version: u64,
    /// `2026-11-21 16:13:39 UTC`.
    pub when: String,
    /// RFC 3339, for `<time datetime>`.
    pub when_iso: String,
    pub who: String,
    pub what: String,
    pub why: Option<String>,
    pub changes: Vec<ChangeRow>,
    pub hash: String,
    pub hash_short: String,
}

pub struct ChangeRow {
    pub field: String,
    /// `None` when the event created the value.
    pub old: Option<String>,
    pub new: String,
}

/// The entries newest first: the latest state of a record is what a reviewer checks
/// first; the version column keeps the order unambiguous.
pub fn rows(entries: Vec<HistoryEntry>) -> Vec<HistoryRow> {
    entries
        .into_iter()
        .rev()
        .map(|e| HistoryRow {
            version: e.version,
            when: e.recorded_at.to_display(),
            when_iso: e.recorded_at.to_rfc3339(),
            who: e.actor,
            what: e.summary,
            why: e.reason,
            changes: e
                .changes
                .into_iter()
                .map(|c| ChangeRow {
                    field: c.field,
                    old: c.old,
                    new: c.new,
                })
                .collect(),
            hash_short: e.hash.chars().take(SHORT_HASH).collect(),
            hash: e.hash,
        })
        .collect()
}
