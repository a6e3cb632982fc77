//! The audit trail across all records (21 CFR Part 11 §11.10(e)): every change, who
//! made it, when and why, filtered and paged for the viewer and exported as CSV.

use serde::Serialize;
use utoipa::ToSchema;
use vplant_domain::DomainError;
use vplant_domain::history::RECORD_TYPES;
use vplant_ledger::LedgerEvent;
use vplant_store::queries::audit::MAX_LIMIT;

pub use vplant_store::queries::audit::AuditFilter;

use crate::history::{Change, HistoryEntry, entry};
use crate::{App, AppError};

/// The most rows one CSV export holds. A larger export is refused rather than cut
/// short, so that nobody mistakes a partial copy of the audit trail for a complete one.
pub const EXPORT_MAX_ROWS: usize = 100_000;

/// One event of the audit trail: the record it changed and the change as the record's
/// history shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    /// The record, e.g. `site/BSL`.
    pub stream_id: String,
    /// The kind of record: the part of `stream_id` before the `/`, e.g. `site`.
    pub record_type: String,
    #[serde(flatten)]
    pub entry: HistoryEntry,
}

impl App {
    /// One page of the audit trail, newest first. For the next page, pass the `seq`
    /// of the last entry as `before_seq`.
    pub async fn audit_log(&self, filter: AuditFilter) -> Result<Vec<AuditEntry>, AppError> {
        let filter = checked(filter)?;
        let events = self.store.audit(filter).await?;
        events.into_iter().map(audit_entry).collect()
    }

    /// Every entry of the audit trail that `filter` matches (its `before_seq` and
    /// `limit` aside), newest first, as CSV with a header row. At most
    /// [`EXPORT_MAX_ROWS`] rows: a filter that matches more is refused with a
    /// validation error on `to`, and nothing is exported.
    pub async fn audit_csv(&self, filter: AuditFilter) -> Result<String, AppError> {
        let mut filter = checked(filter)?;
        filter.before_seq = None;
        filter.limit = MAX_LIMIT;
        let mut csv = csv::Writer::from_writer(Vec::new());
        csv.write_record([
            "seq",
            "recorded_at_utc",
            "actor",
            "record",
            "record_type",
            "version",
            "event",
            "summary",
            "reason",
            "changes",
            "hash",
        ])
        .map_err(export_failed)?;
        let mut rows = 0;
        loop {
            let page = self.store.audit(filter.clone()).await?;
            let Some(last) = page.last() else {
                break;
            };
            filter.before_seq = Some(last.seq);
            let full = page.len() == MAX_LIMIT as usize;
            rows += page.len();
            if rows > EXPORT_MAX_ROWS {
                return Err(DomainError::field(
                    "to",
                    format!(
                        "the export would exceed {EXPORT_MAX_ROWS} rows; narrow the date range"
                    ),
                )
                .into());
            }
            for stored in page {
                // Only the described entry is written, never the stored payload, so
                // the export cannot show what the history keeps back.
                let AuditEntry {
                    stream_id,
                    record_type,
                    entry,
                } = audit_entry(stored)?;
                csv.write_record(
                    [
                        entry.seq.to_string(),
                        entry.recorded_at.to_rfc3339(),
                        entry.actor,
                        stream_id,
                        record_type,
                        entry.version.to_string(),
                        entry.event_type,
                        entry.summary,
                        entry.reason.unwrap_or_default(),
                        changes(&entry.changes),
                        entry.hash,
                    ]
                    .map(|cell| inert(&cell)),
                )
                .map_err(export_failed)?;
            }
            if !full {
                break;
            }
        }
        let bytes = csv
            .into_inner()
            .map_err(|e| export_failed(e.into_error()))?;
        // Every field written was a String, so the bytes are UTF-8.
        String::from_utf8(bytes).map_err(|e| export_failed(e.utf8_error()))
    }
}

/// Refuses a filter that cannot mean what its author meant, and treats empty text as
/// no condition (what a form sends for "all").
fn checked(mut filter: AuditFilter) -> Result<AuditFilter, AppError> {
    filter.actor = filter.actor.filter(|a| !a.trim().is_empty());
    filter.record_type = filter.record_type.filter(|t| !t.trim().is_empty());
    if let Some(record_type) = &filter.record_type
        && !RECORD_TYPES.iter().any(|(prefix, _)| prefix == record_type)
    {
        let known: Vec<&str> = RECORD_TYPES.iter().map(|(prefix, _)| *prefix).collect();
        return Err(DomainError::field(
            "record_type",
            format!(
                "there is no record type '{record_type}'; use one of {}",
                known.join(", ")
            ),
        )
        .into());
    }
    if let (Some(from), Some(to)) = (filter.from, filter.to)
        && to <= from
    {
        return Err(DomainError::field("to", "must be later than from").into());
    }
    Ok(filter)
}

fn audit_entry(stored: LedgerEvent) -> Result<AuditEntry, AppError> {
    let stream_id = stored.stream_id.clone();
    let record_type = stream_id
        .split_once('/')
        .map_or(stream_id.as_str(), |(prefix, _)| prefix)
        .to_owned();
    Ok(AuditEntry {
        stream_id,
        record_type,
        entry: entry(stored)?,
    })
}

/// The changes of one entry in one cell: `field: old → new`, joined by `; `, with `∅`
/// for a value that did not exist before.
fn changes(changes: &[Change]) -> String {
    changes
        .iter()
        .map(|c| {
            format!(
                "{}: {} → {}",
                c.field,
                c.old.as_deref().unwrap_or("∅"),
                c.new
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Writing CSV into memory fails only through a bug; it is reported, not hidden.
fn export_failed(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("cannot write the audit trail export: {e}"))
}

/// A cell a spreadsheet will not run. Text that people typed (a site name, a reason)
/// could start with `=`, `+`, `-` or `@`, which Excel and LibreOffice read as a
/// formula (OWASP "CSV injection"); such a cell gets a leading apostrophe, which the
/// spreadsheets show as plain text. The ledger itself keeps the text unchanged.
fn inert(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::inert;

    #[test]
    fn a_cell_that_a_spreadsheet_would_run_is_made_inert() {
        assert_eq!(
            inert("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        assert_eq!(inert("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(inert("Basel"), "Basel");
        assert_eq!(inert("2026-11-21T16:13:39Z"), "2026-11-21T16:13:39Z");
    }
}
