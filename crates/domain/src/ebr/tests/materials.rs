//! Dispensing (the lot, its status and expiry, the weight against its scaled
//! tolerance) and equipment checks.

use super::*;

#[test]
fn a_wrong_material_an_unreleased_or_expired_lot_is_refused_with_an_exception() {
    let mut b = Batch::new();
    b.run_until("w_api");
    let events = b
        .record(
            "w_api",
            Input::Dispense {
                lot: "MCC/M7".into(),
                quantity: kg(100.0),
            },
            mcc_lot(),
        )
        .unwrap();
    assert!(matches!(events[0], Event::EbrEntryRefused(_)));
    assert!(
        b.state.current_entries("w_api").next().is_none(),
        "nothing was dispensed"
    );
    b.record(
        "w_api",
        Input::Dispense {
            lot: "PARA-API/L1".into(),
            quantity: kg(100.0),
        },
        api_lot(LotStatus::Quarantine),
    )
    .unwrap();
    let mut expired = api_lot(LotStatus::Released);
    if let Some(l) = &mut expired.lot {
        l.expiry = crate::dates::PartialDate::new(2026, 8, None);
    }
    b.record(
        "w_api",
        Input::Dispense {
            lot: "PARA-API/L1".into(),
            quantity: kg(100.0),
        },
        expired,
    )
    .unwrap();
    let titles: Vec<String> = b
        .exceptions()
        .into_iter()
        .map(|(c, t)| {
            assert_eq!(c, Classification::Major);
            t
        })
        .collect();
    assert_eq!(titles.len(), 3);
    assert!(
        b.state
            .refused
            .iter()
            .any(|(r, _)| r.reason.contains("is MCC, this step dispenses PARA-API"))
    );
    assert!(
        b.state
            .refused
            .iter()
            .any(|(r, _)| r.reason.contains("quarantine, not released"))
    );
    assert!(
        b.state
            .refused
            .iter()
            .any(|(r, _)| r.reason.contains("expired on 2026-08"))
    );
}

#[test]
fn a_weight_outside_tolerance_is_recorded_and_raises_an_exception_scaled_to_batch_size() {
    let mut b = Batch::new();
    b.run_until("w_api");
    // Target 50 kg × scale 2 = 100 kg ± 1 %: 98.5 kg is outside.
    b.record(
        "w_api",
        Input::Dispense {
            lot: "PARA-API/L1".into(),
            quantity: kg(98.5),
        },
        api_lot(LotStatus::Released),
    )
    .unwrap();
    assert_eq!(b.state.current_entries("w_api").count(), 1);
    assert_eq!(
        b.exceptions(),
        vec![(
            Classification::Major,
            "Weigh API: weight outside tolerance".to_owned()
        )]
    );
}

#[test]
fn equipment_that_is_dirty_or_of_the_wrong_class_is_refused() {
    let mut b = Batch::new();
    b.run_until("granulator");
    b.record(
        "granulator",
        Input::Equipment("GR-01".into()),
        granulator(Some("equipment GR-01 is dirty since 2026-09-20 10:00 UTC")),
    )
    .unwrap();
    let mut blender = granulator(None);
    if let Some(e) = &mut blender.equipment {
        e.class = "blender".into();
    }
    b.record("granulator", Input::Equipment("GR-01".into()), blender)
        .unwrap();
    assert_eq!(b.state.refused.len(), 2);
    assert!(
        b.exceptions()
            .iter()
            .all(|(c, _)| *c == Classification::Major)
    );
    assert_eq!(b.state.step_status("granulator"), StepStatus::NotStarted);
}
