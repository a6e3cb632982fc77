//! Exceptions in words, for the record history and the audit trail.

use crate::event::Event;
use crate::history::{FieldChange, change, set};

pub(crate) fn describe(event: &Event) -> Option<(String, Vec<FieldChange>)> {
    Some(match event {
        Event::ExceptionRaised(e) => {
            let mut fields = vec![
                set("number", &e.number),
                set("site", &e.site),
                set("title", &e.title),
                set("classification", e.classification.as_str()),
                set("category", e.category.as_str()),
                set("occurred", &e.occurred.to_string()),
                set("discovered", &e.discovered.to_string()),
                set("due", &e.due.to_string()),
                set("origin", e.origin.as_str()),
                set("description", &e.description),
            ];
            if let Some(p) = &e.product {
                fields.push(set("product", p));
            }
            if !e.batches.is_empty() {
                fields.push(set("batches", &e.batches.join(", ")));
            }
            if let Some(a) = &e.immediate_action {
                fields.push(set("immediate action", a));
            }
            (format!("Exception {} raised", e.number), fields)
        }
        Event::ExceptionInvestigationStarted(_) => (
            "Investigation started".to_owned(),
            vec![change("status", "open", "under investigation")],
        ),
        Event::ExceptionAssessed(e) => (
            "Assessed".to_owned(),
            vec![
                set("product impact", &e.product_impact),
                set("root cause category", e.root_cause_category.as_str()),
                set("root cause", &e.root_cause),
            ],
        ),
        Event::ExceptionSubmitted(_) => (
            "Submitted for closure".to_owned(),
            vec![change("status", "under investigation", "pending approval")],
        ),
        Event::ExceptionClosed(e) => (
            "Closed".to_owned(),
            vec![
                change("status", "pending approval", "closed"),
                set("closed on", &e.on.to_string()),
            ],
        ),
        Event::ExceptionReturned(_) => (
            "Closure rejected; returned to the investigation".to_owned(),
            vec![change("status", "pending approval", "under investigation")],
        ),
        Event::ExceptionCancelled(_) => ("Cancelled".to_owned(), vec![set("status", "cancelled")]),
        Event::ExceptionExtensionRequested(e) => (
            "Extension requested".to_owned(),
            vec![
                change("due (requested)", &e.from.to_string(), &e.to.to_string()),
                set("justification", &e.justification),
            ],
        ),
        Event::ExceptionDueDateExtended(e) => (
            "Extension approved".to_owned(),
            vec![change("due", &e.from.to_string(), &e.to.to_string())],
        ),
        Event::ExceptionExtensionRefused(_) => ("Extension refused".to_owned(), Vec::new()),
        _ => return None,
    })
}
