//! Materials, lots and batches in words, for the record history and the audit trail.

use crate::event::Event;
use crate::history::{FieldChange, change, set};
use crate::units::Quantity;

fn quantity(q: Option<&Quantity>) -> String {
    q.map_or_else(|| "—".to_owned(), Quantity::to_string)
}

pub(crate) fn describe(event: &Event) -> Option<(String, Vec<FieldChange>)> {
    Some(match event {
        Event::MaterialRegistered(e) => (
            format!("Material {} registered", e.code),
            vec![
                set("code", &e.code),
                set("name", &e.name),
                set("kind", e.kind.as_str()),
                set("unit", e.unit.as_str()),
                set("active", "yes"),
            ],
        ),
        Event::MaterialRenamed(r) => ("Renamed".to_owned(), vec![change("name", &r.from, &r.to)]),
        Event::MaterialDeactivated(_) => (
            "Deactivated".to_owned(),
            vec![change("active", "yes", "no")],
        ),
        Event::MaterialReactivated(_) => (
            "Reactivated".to_owned(),
            vec![change("active", "no", "yes")],
        ),
        Event::LotRegistered(e) => {
            let mut fields = vec![
                set("material", &e.material),
                set("lot", &e.lot),
                set("site", &e.site),
                set("status", e.status.as_str()),
                set("quantity", &quantity(e.quantity.as_ref())),
            ];
            if let Some(expiry) = e.expiry {
                fields.push(set("expiry", &expiry.to_string()));
            }
            if let Some(retest) = e.retest {
                fields.push(set("retest", &retest.to_string()));
            }
            (format!("Lot {}/{} registered", e.material, e.lot), fields)
        }
        Event::LotStatusChanged(c) => (
            format!("Lot {}", c.to.as_str()),
            vec![change("status", c.from.as_str(), c.to.as_str())],
        ),
        Event::BatchRecorded(e) => {
            let mut fields = vec![
                set("site", &e.site),
                set("batch", &e.number),
                set("product", &e.product),
                set("size", &quantity(e.size.as_ref())),
                set("source", e.source.as_str()),
            ];
            for (m, date) in &e.planned {
                fields.push(set(&format!("{} (planned)", m.label()), &date.to_string()));
            }
            for (m, date) in &e.actual {
                fields.push(set(&format!("{} (actual)", m.label()), &date.to_string()));
            }
            if let Some(d) = e.disposition {
                fields.push(set("disposition", d.as_str()));
            }
            (format!("Batch {}/{} recorded", e.site, e.number), fields)
        }
        Event::BatchMilestonesChanged(e) => (
            "Milestones changed".to_owned(),
            e.changes
                .iter()
                .map(|c| {
                    let field = format!("{} ({})", c.milestone.label(), c.plan.as_str());
                    match c.from {
                        Some(from) => change(&field, &from.to_string(), &c.to.to_string()),
                        None => set(&field, &c.to.to_string()),
                    }
                })
                .collect(),
        ),
        Event::BatchSizeChanged(e) => (
            "Batch size changed".to_owned(),
            vec![change(
                "size",
                &quantity(e.from.as_ref()),
                &e.to.to_string(),
            )],
        ),
        Event::BatchDispositionChanged(e) => (
            format!("Disposition: {}", e.to.as_str()),
            vec![change(
                "disposition",
                e.from.map_or("—", |d| d.as_str()),
                e.to.as_str(),
            )],
        ),
        Event::BatchShipmentChanged(e) => {
            let show = |q: &Option<Quantity>, d: &Option<crate::dates::PartialDate>| {
                format!(
                    "{} by {}",
                    quantity(q.as_ref()),
                    d.map_or_else(|| "—".to_owned(), |d| d.to_string())
                )
            };
            (
                "Shipment changed".to_owned(),
                vec![
                    change(
                        "committed",
                        &show(&e.from.committed_quantity, &e.from.committed_date),
                        &show(&e.to.committed_quantity, &e.to.committed_date),
                    ),
                    change(
                        "delivered",
                        &show(&e.from.delivered_quantity, &e.from.delivered_date),
                        &show(&e.to.delivered_quantity, &e.to.delivered_date),
                    ),
                ],
            )
        }
        Event::BatchConsumedLot(e) => (
            format!("Consumed lot {}", e.lot.id()),
            vec![set(
                "consumed",
                &format!("{} ({})", e.lot.id(), quantity(e.quantity.as_ref())),
            )],
        ),
        Event::BatchYieldedLot(e) => (
            format!("Yielded lot {}", e.lot.id()),
            vec![set(
                "yielded",
                &format!("{} ({})", e.lot.id(), quantity(e.quantity.as_ref())),
            )],
        ),
        Event::BatchSeriesRecorded(e) => (
            format!("Time series from {} attached", e.source),
            vec![
                set("readings", &e.series.rows.len().to_string()),
                set("columns", &e.series.columns.join(", ")),
                set("from", e.series.rows.first().map_or("—", |r| r.0.as_str())),
                set("to", e.series.rows.last().map_or("—", |r| r.0.as_str())),
            ],
        ),
        Event::BatchResultsRecorded(e) => (
            format!("{} results from {}", e.results.len(), e.source),
            e.results
                .iter()
                .map(|r| match &r.previous {
                    Some(old) => change(&r.test, old, &r.value),
                    None => set(&r.test, &r.value),
                })
                .collect(),
        ),
        _ => return None,
    })
}
