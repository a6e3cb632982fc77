//! Actions in words, for the record history and the audit trail.

use crate::event::Event;
use crate::history::{FieldChange, change, set};

pub(crate) fn describe(event: &Event) -> Option<(String, Vec<FieldChange>)> {
    Some(match event {
        Event::ActionCreated(e) => {
            let mut fields = vec![
                set("number", &e.number),
                set("kind", e.kind.as_str()),
                set("title", &e.title),
                set("owner", &e.owner),
                set("due", &e.due.to_string()),
            ];
            if let Some(site) = &e.site {
                fields.push(set("site", site));
            }
            if let Some(source) = &e.source {
                fields.push(set(
                    "source",
                    &format!("{} {}", source.kind.as_str(), source.id),
                ));
            }
            if let Some(check) = &e.effectiveness {
                fields.push(set("effectiveness criterion", &check.criterion));
                fields.push(set("effectiveness due", &check.due.to_string()));
            }
            (format!("Action {} created", e.number), fields)
        }
        Event::ActionStarted(_) => (
            "Started".to_owned(),
            vec![change("status", "open", "in progress")],
        ),
        Event::ActionEvidenceAdded(e) => {
            ("Evidence added".to_owned(), vec![set("evidence", &e.note)])
        }
        Event::ActionCompleted(e) => (
            "Completed".to_owned(),
            vec![
                set("status", "done"),
                set("completed on", &e.on.to_string()),
            ],
        ),
        Event::ActionEffectivenessChecked(e) => (
            if e.effective {
                "Effectiveness check: effective".to_owned()
            } else {
                "Effectiveness check: not effective; reopened".to_owned()
            },
            vec![
                set("effective", if e.effective { "yes" } else { "no" }),
                set("note", &e.note),
            ],
        ),
        Event::ActionOwnerChanged(e) => (
            "Reassigned".to_owned(),
            vec![change("owner", &e.from, &e.to)],
        ),
        Event::ActionDueChanged(e) => (
            "Due date changed".to_owned(),
            vec![change("due", &e.from.to_string(), &e.to.to_string())],
        ),
        Event::ActionCancelled(_) => ("Cancelled".to_owned(), vec![set("status", "cancelled")]),
        _ => return None,
    })
}
