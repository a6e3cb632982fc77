//! MBR versions in words, for the record history and the audit trail.

use super::MbrStatus;
use crate::event::Event;
use crate::history::{FieldChange, change, set};

fn moved(from: MbrStatus, to: MbrStatus) -> Vec<FieldChange> {
    vec![change("status", from.label(), to.label())]
}

pub(crate) fn describe(event: &Event) -> Option<(String, Vec<FieldChange>)> {
    use MbrStatus::*;
    Some(match event {
        Event::MbrDrafted(d) => {
            let steps = d.recipe.steps().len().to_string();
            let mut fields = vec![
                set("code", &d.recipe.code),
                set("version", &d.version.to_string()),
                set("title", &d.recipe.title),
                set("product", &d.recipe.product),
                set("batch size", &d.recipe.batch_size.to_string()),
                set("steps", &steps),
            ];
            if let Some(b) = d.based_on {
                fields.push(set("based on version", &b.to_string()));
            }
            (
                format!("MBR {} version {} drafted", d.recipe.code, d.version),
                fields,
            )
        }
        Event::MbrRevised(r) => (
            "Draft revised".to_owned(),
            vec![
                set("title", &r.recipe.title),
                set("steps", &r.recipe.steps().len().to_string()),
            ],
        ),
        Event::MbrSubmitted(_) => ("Submitted for review".to_owned(), moved(Draft, InReview)),
        Event::MbrWithdrawn(_) => ("Withdrawn from review".to_owned(), moved(InReview, Draft)),
        Event::MbrReturned(_) => (
            "Rejected in review; back to draft".to_owned(),
            moved(InReview, Draft),
        ),
        Event::MbrApproved(_) => ("Approved".to_owned(), moved(InReview, Approved)),
        Event::MbrMadeEffective(_) => ("Made effective".to_owned(), moved(Approved, Effective)),
        Event::MbrSuperseded(s) => (
            format!("Superseded by version {}", s.by),
            moved(Effective, Superseded),
        ),
        Event::MbrRetired(r) => ("Retired".to_owned(), moved(r.from, Retired)),
        _ => return None,
    })
}
