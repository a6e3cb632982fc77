//! Actions as rows of the tables several pages share (the tracker, an exception's
//! follow-ups, "My overdue"), drawn by the `actions` macro of
//! `templates/actions/tables.html`.

use vplant_store::queries::actions::ActionRow;

use super::{href, kind_label, source, status};
use crate::api::action_input::overdue;

pub struct ActionLine {
    pub number: String,
    pub href: String,
    pub kind: &'static str,
    pub title: String,
    pub owner: String,
    pub site: String,
    pub due: String,
    pub status: (&'static str, &'static str),
    /// Still to be done and past its due date.
    pub overdue: bool,
    /// What it follows up ("exception EX-2026-0042") and that record's page.
    pub source: Option<(String, Option<String>)>,
}

impl ActionLine {
    /// The row of `row` as it stands on `today` (`YYYY-MM-DD`).
    pub fn new(row: &ActionRow, today: &str) -> ActionLine {
        ActionLine {
            number: row.number.clone(),
            href: href(&row.number),
            kind: kind_label(&row.kind),
            title: row.title.clone(),
            owner: row.owner.clone(),
            site: row.site.clone().unwrap_or_default(),
            due: row.due.clone(),
            status: status(&row.status),
            overdue: overdue(row, today),
            source: source(row),
        }
    }
}
