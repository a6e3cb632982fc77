//! Batches, their results and their genealogy edges as read-table rows.

use super::milestone::{Milestone, Plan};
use crate::event::Event;
use crate::genealogy::Node;
use crate::lot::LotRef;
use crate::projection::{Recorded, RowOp, Value, update};
use crate::units::Quantity;

/// The column that holds one milestone date, e.g. `planned_production_start`.
pub fn milestone_column(plan: Plan, milestone: Milestone) -> &'static str {
    use Milestone as M;
    match (plan, milestone) {
        (Plan::Planned, M::MaterialReadiness) => "planned_material_readiness",
        (Plan::Planned, M::ProductionStart) => "planned_production_start",
        (Plan::Planned, M::ProductionComplete) => "planned_production_complete",
        (Plan::Planned, M::QcTestingComplete) => "planned_qc_testing_complete",
        (Plan::Planned, M::RecordReviewComplete) => "planned_record_review_complete",
        (Plan::Planned, M::Disposition) => "planned_disposition",
        (Plan::Planned, M::Shipped) => "planned_shipped",
        (Plan::Actual, M::MaterialReadiness) => "actual_material_readiness",
        (Plan::Actual, M::ProductionStart) => "actual_production_start",
        (Plan::Actual, M::ProductionComplete) => "actual_production_complete",
        (Plan::Actual, M::QcTestingComplete) => "actual_qc_testing_complete",
        (Plan::Actual, M::RecordReviewComplete) => "actual_record_review_complete",
        (Plan::Actual, M::Disposition) => "actual_disposition",
        (Plan::Actual, M::Shipped) => "actual_shipped",
    }
}

fn amount(q: Option<&Quantity>) -> (Value, Value) {
    match q {
        Some(q) => (q.amount.to_string().into(), q.unit.as_str().into()),
        None => (Value::Null, Value::Null),
    }
}

fn shipment(s: &super::events::Shipment) -> Vec<(&'static str, Value)> {
    let (committed, committed_unit) = amount(s.committed_quantity.as_ref());
    let (delivered, delivered_unit) = amount(s.delivered_quantity.as_ref());
    let date =
        |d: Option<crate::dates::PartialDate>| d.map_or(Value::Null, |d| d.to_string().into());
    vec![
        ("committed_quantity", committed),
        ("committed_unit", committed_unit),
        ("committed_date", date(s.committed_date)),
        ("delivered_quantity", delivered),
        ("delivered_unit", delivered_unit),
        ("delivered_date", date(s.delivered_date)),
    ]
}

fn edge(recorded: Recorded<'_>, from: Node, to: Node, q: Option<&Quantity>) -> RowOp {
    let (quantity, unit) = amount(q);
    RowOp::Insert {
        table: "genealogy",
        values: vec![
            ("source", from.key().into()),
            ("target", to.key().into()),
            ("quantity", quantity),
            ("unit", unit),
            ("stream_id", recorded.stream_id.into()),
            ("stream_version", recorded.stream_version.into()),
            ("seq", recorded.seq.into()),
        ],
    }
}

fn batch_node(recorded: Recorded<'_>) -> Node {
    Node::Batch(recorded.id().to_owned())
}

fn lot_node(lot: &LotRef) -> Node {
    Node::Lot(lot.id())
}

pub(crate) fn rows(recorded: Recorded<'_>, event: &Event) -> Option<Vec<RowOp>> {
    let at = Value::Int(recorded.at.as_micros());
    let ops = match event {
        Event::BatchRecorded(e) => {
            let (size, unit) = amount(e.size.as_ref());
            let mut values = vec![
                ("id", recorded.id().into()),
                ("site", e.site.as_str().into()),
                ("number", e.number.as_str().into()),
                ("product", e.product.as_str().into()),
                ("size", size),
                ("size_unit", unit),
                ("source", e.source.as_str().into()),
                (
                    "disposition",
                    e.disposition.map_or(Value::Null, |d| d.as_str().into()),
                ),
                (
                    "provenance",
                    e.provenance.as_deref().map_or(Value::Null, Value::from),
                ),
                ("version", recorded.stream_version.into()),
                ("created_at", at.clone()),
                ("updated_at", at),
            ];
            values.extend(shipment(&e.shipment));
            for (plan, dates) in [(Plan::Planned, &e.planned), (Plan::Actual, &e.actual)] {
                for (m, date) in dates {
                    values.push((milestone_column(plan, *m), date.to_string().into()));
                }
            }
            vec![RowOp::Insert {
                table: "batches",
                values,
            }]
        }
        Event::BatchMilestonesChanged(e) => {
            let set = e
                .changes
                .iter()
                .map(|c| {
                    (
                        milestone_column(c.plan, c.milestone),
                        c.to.to_string().into(),
                    )
                })
                .collect();
            update("batches", "id", recorded, set)
        }
        Event::BatchSizeChanged(e) => {
            let (size, unit) = amount(Some(&e.to));
            update(
                "batches",
                "id",
                recorded,
                vec![("size", size), ("size_unit", unit)],
            )
        }
        Event::BatchDispositionChanged(e) => update(
            "batches",
            "id",
            recorded,
            vec![("disposition", e.to.as_str().into())],
        ),
        Event::BatchShipmentChanged(e) => update("batches", "id", recorded, shipment(&e.to)),
        Event::BatchConsumedLot(e) => {
            let mut ops = vec![edge(
                recorded,
                lot_node(&e.lot),
                batch_node(recorded),
                e.quantity.as_ref(),
            )];
            ops.extend(update("batches", "id", recorded, Vec::new()));
            ops
        }
        Event::BatchYieldedLot(e) => {
            let mut ops = vec![edge(
                recorded,
                batch_node(recorded),
                lot_node(&e.lot),
                e.quantity.as_ref(),
            )];
            ops.extend(update("batches", "id", recorded, Vec::new()));
            ops
        }
        Event::BatchSeriesRecorded(e) => {
            let data = serde_json::to_string(&e.series).unwrap_or_default();
            let mut ops = vec![RowOp::Insert {
                table: "batch_series",
                values: vec![
                    ("batch", recorded.id().into()),
                    ("source", e.source.as_str().into()),
                    ("samples", Value::from(e.series.rows.len() as u64)),
                    ("data", data.into()),
                    ("stream_version", recorded.stream_version.into()),
                ],
            }];
            ops.extend(update("batches", "id", recorded, Vec::new()));
            ops
        }
        Event::BatchResultsRecorded(e) => {
            let mut ops: Vec<RowOp> = e
                .results
                .iter()
                .map(|r| RowOp::Insert {
                    table: "batch_results",
                    values: vec![
                        ("batch", recorded.id().into()),
                        ("source", e.source.as_str().into()),
                        ("test", r.test.as_str().into()),
                        ("value", r.value.as_str().into()),
                        ("stream_version", recorded.stream_version.into()),
                    ],
                })
                .collect();
            ops.extend(update("batches", "id", recorded, Vec::new()));
            ops
        }
        _ => return None,
    };
    Some(ops)
}
