//! Exceptions as rows of the tables several pages share (the list, "My overdue"),
//! drawn by the `exceptions` macro of `templates/exceptions/tables.html`.

use vplant_store::queries::exceptions::ExceptionRow;

use super::{classification, href, status};
use crate::api::exception_input::overdue;

pub struct ExceptionLine {
    pub number: String,
    pub href: String,
    pub site: String,
    pub title: String,
    pub classification: (&'static str, &'static str),
    pub status: (&'static str, &'static str),
    pub discovered: String,
    pub due: String,
    /// Still open and past its due date.
    pub overdue: bool,
    /// A later due date waits for approval.
    pub extension_pending: bool,
}

impl ExceptionLine {
    /// The row of `row` as it stands on `today` (`YYYY-MM-DD`).
    pub fn new(row: &ExceptionRow, today: &str) -> ExceptionLine {
        ExceptionLine {
            number: row.number.clone(),
            href: href(&row.number),
            site: row.site.clone(),
            title: row.title.clone(),
            classification: classification(&row.classification),
            status: status(&row.status),
            discovered: row.discovered.clone(),
            due: row.due.clone(),
            overdue: overdue(row, today),
            extension_pending: row.extension_pending,
        }
    }
}
