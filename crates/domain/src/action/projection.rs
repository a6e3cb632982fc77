//! Actions as read-table rows.

use super::ActionStatus;
use crate::event::Event;
use crate::projection::{Recorded, RowOp, Value, update};

fn set(recorded: Recorded<'_>, values: Vec<(&'static str, Value)>) -> Vec<RowOp> {
    update("actions", "number", recorded, values)
}

pub(crate) fn rows(recorded: Recorded<'_>, event: &Event) -> Option<Vec<RowOp>> {
    let at = Value::Int(recorded.at.as_micros());
    let status = |s: ActionStatus| ("status", Value::from(s.as_str()));
    Some(match event {
        Event::ActionCreated(e) => vec![RowOp::Insert {
            table: "actions",
            values: vec![
                ("number", e.number.as_str().into()),
                ("kind", e.kind.as_str().into()),
                ("title", e.title.as_str().into()),
                ("owner", e.owner.as_str().into()),
                ("due", e.due.to_string().into()),
                status(ActionStatus::Open),
                ("site", e.site.as_deref().map_or(Value::Null, Value::from)),
                (
                    "source_kind",
                    e.source
                        .as_ref()
                        .map_or(Value::Null, |s| s.kind.as_str().into()),
                ),
                (
                    "source_id",
                    e.source
                        .as_ref()
                        .map_or(Value::Null, |s| s.id.as_str().into()),
                ),
                (
                    "effectiveness_due",
                    e.effectiveness
                        .as_ref()
                        .map_or(Value::Null, |c| c.due.to_string().into()),
                ),
                ("version", recorded.stream_version.into()),
                ("created_at", at.clone()),
                ("updated_at", at),
            ],
        }],
        Event::ActionStarted(_) => set(recorded, vec![status(ActionStatus::InProgress)]),
        Event::ActionEvidenceAdded(_) => set(recorded, Vec::new()),
        Event::ActionCompleted(e) => set(
            recorded,
            vec![
                status(ActionStatus::Done),
                ("closed_on", e.on.to_string().into()),
            ],
        ),
        Event::ActionEffectivenessChecked(e) if e.effective => set(
            recorded,
            vec![
                status(ActionStatus::Effective),
                ("effectiveness_result", "effective".into()),
            ],
        ),
        Event::ActionEffectivenessChecked(_) => set(
            recorded,
            vec![
                status(ActionStatus::Open),
                ("effectiveness_result", "ineffective".into()),
                ("closed_on", Value::Null),
            ],
        ),
        Event::ActionOwnerChanged(e) => set(recorded, vec![("owner", e.to.as_str().into())]),
        Event::ActionDueChanged(e) => set(recorded, vec![("due", e.to.to_string().into())]),
        Event::ActionCancelled(_) => set(recorded, vec![status(ActionStatus::Cancelled)]),
        _ => return None,
    })
}
