//! Batch records in words, for the record history and the audit trail.

use crate::event::Event;
use crate::history::{FieldChange, set};

pub(crate) fn describe(event: &Event) -> Option<(String, Vec<FieldChange>)> {
    Some(match event {
        Event::EbrStarted(s) => (
            format!("Batch {}/{} started", s.site, s.number),
            vec![
                set("production order", &s.order),
                set("product", &s.product),
                set("size", &s.size.to_string()),
                set("MBR", &format!("{} version {}", s.mbr, s.mbr_version)),
            ],
        ),
        Event::EbrEntryRecorded(e) => {
            let mut fields = vec![
                set("step", &e.step),
                set("value", &e.value.display()),
                set("performed at", &e.performed_at.to_rfc3339()),
            ];
            if let Some(d) = &e.device {
                fields.push(set("device", d));
            }
            if let Some(x) = e.excursion {
                fields.push(set("excursion", x.label()));
            }
            if e.late {
                fields.push(set("late", "yes"));
            }
            match e.corrects {
                Some(old) => (format!("Entry {} corrects entry {old}", e.entry), fields),
                None => (format!("Entry {}", e.entry), fields),
            }
        }
        Event::EbrEntryRefused(r) => (
            format!("Entry refused at step {}", r.step),
            vec![
                set("attempted", &r.attempted.display()),
                set("reason", &r.reason),
            ],
        ),
        Event::EbrStepSkipped(s) => (format!("Step {} skipped", s.step), Vec::new()),
        Event::EbrExceptionLinked(l) => (
            format!("Exception {} raised at step {}", l.number, l.step),
            vec![
                set("classification", l.classification.as_str()),
                set("title", &l.title),
            ],
        ),
        Event::EbrExceptionAcknowledged(a) => (
            format!("Exception {} acknowledged by QA", a.number),
            Vec::new(),
        ),
        Event::EbrCompleted(_) => ("Procedure complete".to_owned(), Vec::new()),
        Event::EbrDisposed(d) => (
            if d.released { "Released" } else { "Rejected" }.to_owned(),
            vec![set(
                "disposition",
                if d.released { "released" } else { "rejected" },
            )],
        ),
        _ => return None,
    })
}
