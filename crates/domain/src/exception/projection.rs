//! Exceptions as read-table rows: one row per exception, one per linked batch.

use super::Status;
use crate::event::Event;
use crate::projection::{Recorded, RowOp, Value, update};

fn status(recorded: Recorded<'_>, status: Status) -> Vec<RowOp> {
    update(
        "exceptions",
        "number",
        recorded,
        vec![("status", status.as_str().into())],
    )
}

pub(crate) fn rows(recorded: Recorded<'_>, event: &Event) -> Option<Vec<RowOp>> {
    let at = Value::Int(recorded.at.as_micros());
    let date = |d: crate::dates::PartialDate| Value::from(d.to_string());
    Some(match event {
        Event::ExceptionRaised(e) => {
            let (origin_batch, origin_step) = match &e.origin {
                super::fields::Origin::Execution { batch, step } => {
                    (Value::from(batch.as_str()), Value::from(step.as_str()))
                }
                _ => (Value::Null, Value::Null),
            };
            let mut ops = vec![RowOp::Insert {
                table: "exceptions",
                values: vec![
                    ("number", e.number.as_str().into()),
                    ("site", e.site.as_str().into()),
                    (
                        "product",
                        e.product.as_deref().map_or(Value::Null, Value::from),
                    ),
                    ("title", e.title.as_str().into()),
                    ("classification", e.classification.as_str().into()),
                    ("category", e.category.as_str().into()),
                    ("status", Status::Open.as_str().into()),
                    ("occurred", date(e.occurred)),
                    ("discovered", date(e.discovered)),
                    ("due", date(e.due)),
                    ("origin", e.origin.as_str().into()),
                    ("origin_batch", origin_batch),
                    ("origin_step", origin_step),
                    ("extension_pending", false.into()),
                    ("version", recorded.stream_version.into()),
                    ("created_at", at.clone()),
                    ("updated_at", at),
                ],
            }];
            for batch in &e.batches {
                ops.push(RowOp::Insert {
                    table: "exception_batches",
                    values: vec![
                        ("number", e.number.as_str().into()),
                        ("batch", batch.as_str().into()),
                    ],
                });
            }
            ops
        }
        Event::ExceptionInvestigationStarted(_) | Event::ExceptionReturned(_) => {
            status(recorded, Status::UnderInvestigation)
        }
        Event::ExceptionAssessed(e) => update(
            "exceptions",
            "number",
            recorded,
            vec![("root_cause_category", e.root_cause_category.as_str().into())],
        ),
        Event::ExceptionSubmitted(_) => status(recorded, Status::PendingApproval),
        Event::ExceptionClosed(e) => update(
            "exceptions",
            "number",
            recorded,
            vec![
                ("status", Status::Closed.as_str().into()),
                ("closed_on", date(e.on)),
            ],
        ),
        Event::ExceptionCancelled(_) => status(recorded, Status::Cancelled),
        Event::ExceptionExtensionRequested(_) => update(
            "exceptions",
            "number",
            recorded,
            vec![("extension_pending", true.into())],
        ),
        Event::ExceptionDueDateExtended(e) => update(
            "exceptions",
            "number",
            recorded,
            vec![("due", date(e.to)), ("extension_pending", false.into())],
        ),
        Event::ExceptionExtensionRefused(_) => update(
            "exceptions",
            "number",
            recorded,
            vec![("extension_pending", false.into())],
        ),
        _ => return None,
    })
}
