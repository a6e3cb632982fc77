//! Limits and the exceptions they raise, corrections, timers, failed checks, late
//! entries and skipped steps.

use super::*;

#[test]
fn limits_flag_alerts_and_raise_major_and_critical_exceptions_and_a_critical_one_blocks() {
    let mut b = Batch::new();
    b.run_until("lod");
    b.record("lod", Input::Number(2.7), Facts::default())
        .unwrap();
    assert!(b.exceptions().is_empty(), "an alert is flagged, not raised");
    assert_eq!(
        b.state.entries.last().unwrap().recorded.excursion,
        Some(crate::mbr::step::Excursion::Alert)
    );
    let first = b.state.entries.last().unwrap().recorded.entry;
    b.record_as(
        "op1",
        "lod",
        Input::Number(3.2),
        Facts::default(),
        Some(first),
    )
    .unwrap();
    assert_eq!(b.exceptions()[0].0, Classification::Major);
    let second = b.state.entries.last().unwrap().recorded.entry;
    b.record_as(
        "op1",
        "lod",
        Input::Number(4.0),
        Facts::default(),
        Some(second),
    )
    .unwrap();
    assert_eq!(b.exceptions()[1].0, Classification::Critical);
    let number = b.state.exceptions[1].exception.number.clone();
    let err = b
        .sign("op1", Some("lod"), Meaning::Performed, &[])
        .unwrap_err();
    assert!(
        err.to_string().contains("blocked by critical exception"),
        "{err}"
    );
    b.acknowledge(&number);
    b.sign("op1", Some("lod"), Meaning::Performed, &[]).unwrap();
}

#[test]
fn a_correction_points_at_the_old_entry_needs_a_reason_and_asks_for_signatures_again() {
    let mut b = Batch::new();
    b.run_until("yield_pct");
    let old = b
        .state
        .current_entries("lod")
        .next()
        .unwrap()
        .recorded
        .entry;
    assert_eq!(b.state.step_status("lod"), StepStatus::Done);
    b.record_as(
        "op1",
        "lod",
        Input::Number(2.2),
        Facts::default(),
        Some(old),
    )
    .unwrap();
    let new = b.state.current_entries("lod").next().unwrap();
    assert_eq!(new.recorded.corrects, Some(old));
    assert!(
        b.state
            .entries
            .iter()
            .any(|e| e.recorded.entry == old && e.corrected_by == Some(new.recorded.entry))
    );
    assert_eq!(b.state.step_status("lod"), StepStatus::AwaitingPerformed);
    let again = b
        .record_as(
            "op1",
            "lod",
            Input::Number(2.3),
            Facts::default(),
            Some(old),
        )
        .unwrap_err();
    assert!(again.to_string().contains("was corrected by"), "{again}");
}

#[test]
fn timers_hold_for_their_minimum_and_an_overrun_raises_a_minor_exception() {
    let mut b = Batch::new();
    b.run_until("mix");
    b.record("mix", Input::StartTimer, Facts::default())
        .unwrap();
    let err = b
        .record("mix", Input::StopTimer, Facts::default())
        .unwrap_err();
    assert!(err.to_string().contains("min to go"), "{err}");
    b.minutes += 30;
    b.record("mix", Input::StopTimer, Facts::default()).unwrap();
    assert_eq!(
        b.exceptions(),
        vec![(
            Classification::Minor,
            "Mixing: hold time exceeded".to_owned()
        )]
    );
}

#[test]
fn a_failed_check_and_a_late_entry_raise_exceptions_and_a_skip_needs_a_reason() {
    let mut b = Batch::new();
    b.run_until("appearance");
    b.minutes += 60;
    let now = ctx("op1", b.minutes);
    let record = Record {
        step: "appearance".into(),
        input: Input::PassFail(false),
        device: Some("TAB-1".into()),
        performed_at: Timestamp::from_micros(now.now.as_micros() - 45 * 60_000_000),
        corrects: None,
        reason: None,
        facts: Facts::default(),
        numbers: vec!["EX-2026-0100".into(), "EX-2026-0101".into()],
    };
    assert_eq!(b.state.violations(&record, now.now).unwrap().len(), 2);
    let events = b
        .state
        .decide(&EbrCommand::Record(Box::new(record)), &now)
        .unwrap();
    events.iter().for_each(|e| b.state.apply(e));
    assert!(b.state.entries.last().unwrap().recorded.late);
    assert_eq!(b.exceptions().len(), 2);
    let mut s = Batch::new();
    let skip = EbrCommand::Skip {
        step: "line_clear".into(),
        reason: Reason::parse("reason", "line cleared by the previous shift").unwrap(),
        number: "EX-2026-0200".into(),
    };
    let events = s.state.decide(&skip, &ctx("op1", 1)).unwrap();
    events.iter().for_each(|e| s.state.apply(e));
    assert_eq!(s.state.step_status("line_clear"), StepStatus::Skipped);
    assert_eq!(s.exceptions()[0].0, Classification::Major);
    let items = review::items(&s.state);
    assert!(items.iter().any(|i| i.kind == review::ReviewKind::Skipped));
}
