//! MBR versions as read-table rows: one row per version (`mbrs`), the recipe itself
//! is read from the version's stream.

use super::MbrStatus;
use crate::event::Event;
use crate::projection::{Recorded, RowOp, Value, update};

fn status(recorded: Recorded<'_>, status: MbrStatus, at: Option<&'static str>) -> Vec<RowOp> {
    let mut set = vec![("status", status.as_str().into())];
    if let Some(column) = at {
        set.push((column, Value::Int(recorded.at.as_micros())));
    }
    update("mbrs", "id", recorded, set)
}

pub(crate) fn rows(recorded: Recorded<'_>, event: &Event) -> Option<Vec<RowOp>> {
    let at = Value::Int(recorded.at.as_micros());
    Some(match event {
        Event::MbrDrafted(d) => vec![RowOp::Insert {
            table: "mbrs",
            values: vec![
                ("id", recorded.id().into()),
                ("code", d.recipe.code.as_str().into()),
                ("mbr_version", i64::from(d.version).into()),
                (
                    "based_on",
                    d.based_on.map_or(Value::Null, |b| i64::from(b).into()),
                ),
                ("title", d.recipe.title.as_str().into()),
                ("product", d.recipe.product.as_str().into()),
                ("status", MbrStatus::Draft.as_str().into()),
                ("version", recorded.stream_version.into()),
                ("created_at", at.clone()),
                ("updated_at", at),
            ],
        }],
        Event::MbrRevised(r) => update(
            "mbrs",
            "id",
            recorded,
            vec![
                ("title", r.recipe.title.as_str().into()),
                ("product", r.recipe.product.as_str().into()),
            ],
        ),
        Event::MbrSubmitted(_) => status(recorded, MbrStatus::InReview, None),
        Event::MbrReturned(_) | Event::MbrWithdrawn(_) => status(recorded, MbrStatus::Draft, None),
        Event::MbrApproved(_) => status(recorded, MbrStatus::Approved, Some("approved_at")),
        Event::MbrMadeEffective(_) => status(recorded, MbrStatus::Effective, Some("effective_at")),
        Event::MbrSuperseded(_) => status(recorded, MbrStatus::Superseded, Some("ended_at")),
        Event::MbrRetired(_) => status(recorded, MbrStatus::Retired, Some("ended_at")),
        _ => return None,
    })
}
