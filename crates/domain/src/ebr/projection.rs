//! Batch records as read-table rows: one row per executed batch (`ebrs`) with where
//! it stands, for the lists of batches in execution and awaiting review.

use crate::event::Event;
use crate::projection::{Recorded, RowOp, Value, update};

fn status(recorded: Recorded<'_>, status: &str) -> Vec<RowOp> {
    update("ebrs", "id", recorded, vec![("status", status.into())])
}

pub(crate) fn rows(recorded: Recorded<'_>, event: &Event) -> Option<Vec<RowOp>> {
    let at = Value::Int(recorded.at.as_micros());
    Some(match event {
        Event::EbrStarted(s) => vec![RowOp::Insert {
            table: "ebrs",
            values: vec![
                ("id", recorded.id().into()),
                ("site", s.site.as_str().into()),
                ("number", s.number.as_str().into()),
                ("production_order", s.order.as_str().into()),
                ("product", s.product.as_str().into()),
                ("mbr", s.mbr.as_str().into()),
                ("mbr_version", i64::from(s.mbr_version).into()),
                ("status", "in_progress".into()),
                ("version", recorded.stream_version.into()),
                ("created_at", at.clone()),
                ("updated_at", at),
            ],
        }],
        Event::EbrCompleted(_) => status(recorded, "awaiting_review"),
        Event::EbrDisposed(d) => status(recorded, if d.released { "released" } else { "rejected" }),
        Event::EbrEntryRecorded(_)
        | Event::EbrEntryRefused(_)
        | Event::EbrStepSkipped(_)
        | Event::EbrExceptionLinked(_)
        | Event::EbrExceptionAcknowledged(_) => update("ebrs", "id", recorded, Vec::new()),
        _ => return None,
    })
}
