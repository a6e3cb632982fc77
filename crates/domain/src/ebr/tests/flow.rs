//! The order of steps, their signatures, review by exception and the release gates.

use super::*;

#[test]
fn a_batch_runs_to_release_when_every_step_is_done_and_signed() {
    let mut b = Batch::new();
    b.run_until("end");
    assert!(b.state.is_complete(), "{:?}", b.state.incomplete());
    assert!(b.state.completed, "the completion event was recorded");
    assert!(b.exceptions().is_empty());
    assert!(
        b.sign("qa", None, Meaning::Released, &[]).is_err(),
        "review comes first"
    );
    b.sign("qa", None, Meaning::Reviewed, &[]).unwrap();
    b.sign("qa", None, Meaning::Released, &[]).unwrap();
    assert_eq!(b.state.disposition, Some(true));
    // The calculation read the dispensed weights: (100.2 + 80) / 90 * 100 at scale 2.
    let y = b.state.current_entries("yield_pct").next().unwrap();
    assert!(
        matches!(y.recorded.value, EntryValue::Calculated { value, .. } if (value - 200.222).abs() < 0.01)
    );
}

#[test]
fn steps_run_in_order_but_a_parallel_group_in_any_order() {
    let mut b = Batch::new();
    let err = b
        .record("lod", Input::Number(2.0), Facts::default())
        .unwrap_err();
    assert!(err.to_string().contains("Line clearance"), "{err}");
    b.run_until("w_api");
    // w_mcc and w_api share a parallel group: MCC may go first.
    b.record(
        "w_mcc",
        Input::Dispense {
            lot: "MCC/M7".into(),
            quantity: kg(80.0),
        },
        mcc_lot(),
    )
    .unwrap();
    b.sign("op1", Some("w_mcc"), Meaning::Performed, &[])
        .unwrap();
    // The granulator comes after the whole group.
    let err = b
        .record(
            "granulator",
            Input::Equipment("GR-01".into()),
            granulator(None),
        )
        .unwrap_err();
    assert!(err.to_string().contains("Weigh API"), "{err}");
}

#[test]
fn a_step_waits_for_its_signatures_and_a_verifier_is_a_second_person() {
    let mut b = Batch::new();
    b.run_until("w_api");
    b.record(
        "w_api",
        Input::Dispense {
            lot: "PARA-API/L1".into(),
            quantity: kg(100.0),
        },
        api_lot(LotStatus::Released),
    )
    .unwrap();
    assert_eq!(b.state.step_status("w_api"), StepStatus::AwaitingPerformed);
    assert!(
        b.sign("op2", Some("w_api"), Meaning::Performed, &[])
            .is_err(),
        "only the one who entered it performs it"
    );
    b.sign("op1", Some("w_api"), Meaning::Performed, &[])
        .unwrap();
    assert_eq!(
        b.state.step_status("w_api"),
        StepStatus::AwaitingVerification
    );
    let err = b
        .sign("op1", Some("w_api"), Meaning::Verified, &[])
        .unwrap_err();
    assert!(err.to_string().contains("second person"), "{err}");
    b.sign("op2", Some("w_api"), Meaning::Verified, &[])
        .unwrap();
    assert_eq!(b.state.step_status("w_api"), StepStatus::Done);
}

#[test]
fn review_lists_only_what_needs_a_look_and_a_later_change_needs_a_new_review() {
    let mut b = Batch::new();
    b.run_until("lod");
    b.record("lod", Input::Number(2.7), Facts::default())
        .unwrap();
    b.sign("op1", Some("lod"), Meaning::Performed, &[]).unwrap();
    b.run_from_yield();
    let kinds: Vec<_> = review::items(&b.state)
        .into_iter()
        .map(|i| i.kind)
        .collect();
    assert_eq!(kinds, vec![review::ReviewKind::OutOfLimit]);
    b.sign("qa", None, Meaning::Reviewed, &[]).unwrap();
    let old = b
        .state
        .current_entries("lod")
        .next()
        .unwrap()
        .recorded
        .entry;
    b.record_as(
        "op1",
        "lod",
        Input::Number(2.1),
        Facts::default(),
        Some(old),
    )
    .unwrap();
    b.sign("op1", Some("lod"), Meaning::Performed, &[]).unwrap();
    let err = b.sign("qa", None, Meaning::Released, &[]).unwrap_err();
    assert!(err.to_string().contains("review"), "{err}");
    b.sign("qa", None, Meaning::Reviewed, &[]).unwrap();
    let open = [("EX-2026-0009".to_owned(), Classification::Critical)];
    let err = b.sign("qa", None, Meaning::Released, &open).unwrap_err();
    assert!(err.to_string().contains("EX-2026-0009"), "{err}");
    b.sign("qa", None, Meaning::Released, &[]).unwrap();
    assert!(
        b.record("lod", Input::Number(2.0), Facts::default())
            .is_err(),
        "a released record is closed"
    );
}
