//! The executed batch record as a document (SPEC §2.3; issue 4): everything the
//! record holds, printed for a reader who has no access to the system — every entry
//! with who made it, when it was done by the device's clock and when it reached the
//! ledger; every correction with the old value struck through but legible and the
//! new one marked as changed after first entry (EU GMP Annex 11 §8.2); exceptions,
//! refused attempts and the review-by-exception list; and the manifestation of every
//! signature (21 CFR 11.50: printed name, date and time, meaning) with what it was
//! bound to.
//!
//! `document.rs` maps a [`Sheet`] to a [`Document`]; `steps.rs` prints the steps of a
//! unit procedure. This file reads what the sheet does not hold (site and product
//! names, the exceptions' own status, the record's ledger hash) and renders the
//! document as the HTML print view or a PDF/A.

mod document;
mod steps;

use std::collections::BTreeMap;

use vplant_document::{Document, DocumentError, UtcDateTime};
use vplant_domain::ebr::EbrState;
use vplant_domain::identity::Principal;
use vplant_domain::{Aggregate, Timestamp};

pub use document::document;

use crate::ebr_sheet::{Sheet, sheet};
use crate::{App, AppError};

/// Who printed the record, and when (the store's clock).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Printing {
    pub username: String,
    pub full_name: String,
    pub at: Timestamp,
    /// `at` to the second, as the PDF's creation date.
    pub printed_at: UtcDateTime,
}

impl Printing {
    /// A print by `by` at `at`; refused when `at` lies outside the years 0 to 9999,
    /// which only a broken server clock gives.
    pub fn new(by: &Principal, at: Timestamp) -> Result<Printing, AppError> {
        Ok(Printing {
            username: by.username.clone(),
            full_name: by.full_name.clone(),
            at,
            printed_at: utc(at).ok_or_else(|| {
                AppError::Internal(format!(
                    "the server clock reads {at}, which no document can carry; set the clock"
                ))
            })?,
        })
    }
}

/// What the printed record shows beside the sheet, read from other records.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordContext {
    /// The site's name, when the site is registered.
    pub site_name: Option<String>,
    /// The product's name, when the product is registered.
    pub product_name: Option<String>,
    /// Exception number → its status in its own record (open, closed …).
    pub exception_status: BTreeMap<String, String>,
    /// The ledger hash (hex) of the record's last event: which version was printed.
    pub head_hash: String,
}

impl App {
    /// Batch record `id` as a document printed now by `by`; a record at a site `by`
    /// may not see is "not found", like one that does not exist.
    pub async fn ebr_record(&self, by: &Principal, id: &str) -> Result<Document, AppError> {
        let view = self.ebr(&by.scope(), id).await?;
        let signatures = self.signatures(&EbrState::stream_id(&view.row.id)).await?;
        let sheet: Sheet = sheet(&view, signatures)?;
        let mut context = RecordContext {
            site_name: self.store.site(&sheet.site).await?.map(|s| s.name),
            product_name: self.store.product(&sheet.product).await?.map(|p| p.name),
            head_hash: view
                .ledger
                .last()
                .map(|r| r.hash.clone())
                .unwrap_or_default(),
            ..RecordContext::default()
        };
        for linked in &sheet.exceptions {
            if let Some(row) = self.store.exception(&linked.number).await? {
                context
                    .exception_status
                    .insert(linked.number.clone(), row.status);
            }
        }
        let printing = Printing::new(by, self.store.now())?;
        Ok(document(&sheet, &context, &printing))
    }
}

/// The print view: one self-contained HTML page.
pub fn to_html(record: &Document) -> Result<String, AppError> {
    vplant_document::to_html(record).map_err(not_printed)
}

/// The record as a PDF/A-2u. Laying out and subsetting the fonts takes a while for
/// a long record, so it runs on the blocking pool, off the request threads.
pub async fn to_pdf(record: Document) -> Result<Vec<u8>, AppError> {
    tokio::task::spawn_blocking(move || vplant_document::to_pdf(&record))
        .await
        .map_err(|e| AppError::Internal(format!("the PDF writer stopped: {e}")))?
        .map_err(not_printed)
}

/// A file name for batch record `id` (`<site>/<number>`), e.g.
/// `batch-record-BSL-B001.pdf`: only letters, digits, `-`, `_` and `.` survive, so the
/// name is safe in a `Content-Disposition` header and on every file system.
pub fn file_name(id: &str, extension: &str) -> String {
    let stem: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("batch-record-{stem}.{extension}")
}

/// A document the renderers refuse is a bug in the mapping, never the reader's doing.
fn not_printed(e: DocumentError) -> AppError {
    AppError::Internal(format!(
        "the batch record could not be printed ({}): {e}",
        e.code()
    ))
}

/// `at` to the second, or `None` outside the years 0 to 9999.
fn utc(at: Timestamp) -> Option<UtcDateTime> {
    let moment =
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(at.as_micros()) * 1_000).ok()?;
    Some(UtcDateTime {
        year: u16::try_from(moment.year()).ok()?,
        month: u8::from(moment.month()),
        day: moment.day(),
        hour: moment.hour(),
        minute: moment.minute(),
        second: moment.second(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_name_keeps_only_safe_characters() {
        assert_eq!(file_name("BSL/B001", "pdf"), "batch-record-BSL-B001.pdf");
        assert_eq!(file_name("A\"B/1;x", "html"), "batch-record-A-B-1-x.html");
    }

    #[test]
    fn the_print_time_is_the_utc_second() {
        // 2026-11-22 08:53:20.5 UTC
        let at = Timestamp::from_micros(1_795_337_600_500_000);
        assert_eq!(
            utc(at),
            Some(UtcDateTime {
                year: 2026,
                month: 11,
                day: 22,
                hour: 8,
                minute: 53,
                second: 20,
            })
        );
        assert_eq!(utc(Timestamp::from_micros(i64::MIN)), None);
    }
}
