//! The execution rules, one test each, and the property that no sequence of commands
//! releases a batch with an unsigned required step, an open critical exception or an
//! entry out of order.

use serde_json::json;

use super::checks::{EquipmentFacts, Facts, Input, LotFacts};
use super::events::{EbrStarted, EntryValue};
use super::*;
use crate::context::Actor;
use crate::lot::LotStatus;
use crate::mbr::recipe::Recipe;
use crate::units::Quantity;

const T0: i64 = 1_790_000_000_000_000; // 2026-09-21

pub(crate) fn recipe() -> Recipe {
    serde_json::from_value(json!({
        "code": "MBR-T", "title": "Test tablet", "product": "PCM500",
        "batch_size": {"amount": 100.0, "unit": "kg"},
        "unit_procedures": [
            {"id": "disp", "name": "Dispensing", "operations": [
                {"id": "weigh", "name": "Weighing", "phases": [
                    {"id": "line_clear", "name": "Line clearance", "entry": {"kind": "instruction"}, "signatures": "none"},
                    {"id": "w_api", "name": "Weigh API", "parallel": "w",
                     "entry": {"kind": "dispense", "material": "PARA-API", "quantity": 50.0, "unit": "kg", "tolerance_percent": 1.0},
                     "signatures": "performed_verified"},
                    {"id": "w_mcc", "name": "Weigh MCC", "parallel": "w",
                     "entry": {"kind": "dispense", "material": "MCC", "quantity": 40.0, "unit": "kg", "tolerance_percent": 2.0}}
                ]}
            ]},
            {"id": "gran", "name": "Granulation", "operations": [
                {"id": "granulate", "name": "Wet granulation", "phases": [
                    {"id": "granulator", "name": "Granulator", "entry": {"kind": "equipment", "class": "granulator"}},
                    {"id": "mix", "name": "Mixing", "entry": {"kind": "timer", "min_minutes": 10.0, "max_minutes": 20.0}},
                    {"id": "lod", "name": "Loss on drying", "entry": {"kind": "numeric", "unit": "%", "target": 2.0,
                        "checks": {"alert": {"low": 1.5, "high": 2.5}, "action": {"low": 1.0, "high": 3.0}, "spec": {"low": 0.5, "high": 3.5}}}},
                    {"id": "yield_pct", "name": "Yield", "entry": {"kind": "calculation", "formula": "(w_api + w_mcc) / 90 * 100", "unit": "%",
                        "checks": {"action": {"low": 95.0}}}, "signatures": "none"},
                    {"id": "appearance", "name": "Appearance", "entry": {"kind": "pass_fail"}}
                ]}
            ]}
        ]
    }))
    .unwrap()
}

fn ctx(actor: &str, minutes: i64) -> Ctx {
    Ctx {
        actor: Actor(actor.to_owned()),
        now: Timestamp::from_micros(T0 + minutes * 60_000_000),
    }
}

/// A state with the events applied, plus the clock.
pub(super) struct Batch {
    state: EbrState,
    minutes: i64,
    numbers: u32,
}

fn api_lot(status: LotStatus) -> Facts {
    Facts {
        lot: Some(LotFacts {
            id: "PARA-API/L1".into(),
            material: "PARA-API".into(),
            status,
            expiry: crate::dates::PartialDate::new(2027, 12, None),
            retest: None,
        }),
        equipment: None,
    }
}

fn mcc_lot() -> Facts {
    Facts {
        lot: Some(LotFacts {
            id: "MCC/M7".into(),
            material: "MCC".into(),
            status: LotStatus::Released,
            expiry: None,
            retest: None,
        }),
        equipment: None,
    }
}

fn granulator(unusable: Option<&str>) -> Facts {
    Facts {
        lot: None,
        equipment: Some(EquipmentFacts {
            id: "GR-01".into(),
            class: "granulator".into(),
            unusable: unusable.map(str::to_owned),
        }),
    }
}

fn kg(amount: f64) -> Quantity {
    Quantity::parse("q", &amount.to_string(), "kg").unwrap()
}

impl Batch {
    fn new() -> Batch {
        let mut state = EbrState::default();
        let events = state
            .decide(
                &EbrCommand::Start(Box::new(EbrStarted {
                    site: "BSL".into(),
                    number: "B1".into(),
                    order: "PO-1".into(),
                    product: "PCM500".into(),
                    size: kg(200.0),
                    mbr: "MBR-T".into(),
                    mbr_version: 1,
                    recipe: recipe(),
                })),
                &ctx("sup", 0),
            )
            .unwrap();
        events.iter().for_each(|e| state.apply(e));
        Batch {
            state,
            minutes: 0,
            numbers: 0,
        }
    }

    fn record_as(
        &mut self,
        who: &str,
        step: &str,
        input: Input,
        facts: Facts,
        corrects: Option<u32>,
    ) -> Result<Vec<Event>, DomainError> {
        self.minutes += 1;
        let now = ctx(who, self.minutes);
        let mut record = Record {
            step: step.into(),
            input,
            device: Some("TAB-1".into()),
            performed_at: now.now,
            corrects,
            reason: corrects
                .map(|_| Reason::parse("reason", "typing error on the tablet").unwrap()),
            facts,
            numbers: Vec::new(),
        };
        let count = self.state.violations(&record, now.now)?.len();
        for _ in 0..count {
            self.numbers += 1;
            record.numbers.push(format!("EX-2026-{:04}", self.numbers));
        }
        let events = self
            .state
            .decide(&EbrCommand::Record(Box::new(record)), &now)?;
        events.iter().for_each(|e| self.state.apply(e));
        Ok(events)
    }

    fn record(
        &mut self,
        step: &str,
        input: Input,
        facts: Facts,
    ) -> Result<Vec<Event>, DomainError> {
        self.record_as("op1", step, input, facts, None)
    }

    fn sign(
        &mut self,
        who: &str,
        step: Option<&str>,
        meaning: Meaning,
        open: &[(String, Classification)],
    ) -> Result<(), DomainError> {
        let facts = SignatureFacts {
            open_exceptions: open,
        };
        let mut events = vec![Event::RecordSigned(RecordSigned {
            signer: who.into(),
            printed_name: who.into(),
            meaning,
            record_version: self.state.version,
            record_hash: "h".into(),
            subject: step.map(str::to_owned),
        })];
        events.extend(self.state.on_signed(step, meaning, who, &facts)?);
        events.iter().for_each(|e| self.state.apply(e));
        Ok(())
    }

    fn acknowledge(&mut self, number: &str) {
        let events = self
            .state
            .decide(
                &EbrCommand::Acknowledge {
                    number: number.into(),
                },
                &ctx("qa", self.minutes),
            )
            .unwrap();
        events.iter().for_each(|e| self.state.apply(e));
    }

    /// Runs every step correctly up to (not including) `until`.
    fn run_until(&mut self, until: &str) {
        type Run = Box<dyn Fn(&mut Batch)>;
        let steps: Vec<(&str, Run)> = vec![
            (
                "line_clear",
                Box::new(|b| {
                    b.record("line_clear", Input::Acknowledge, Facts::default())
                        .unwrap();
                }),
            ),
            (
                "w_api",
                Box::new(|b| {
                    b.record(
                        "w_api",
                        Input::Dispense {
                            lot: "PARA-API/L1".into(),
                            quantity: kg(100.2),
                        },
                        api_lot(LotStatus::Released),
                    )
                    .unwrap();
                    b.sign("op1", Some("w_api"), Meaning::Performed, &[])
                        .unwrap();
                    b.sign("op2", Some("w_api"), Meaning::Verified, &[])
                        .unwrap();
                }),
            ),
            (
                "w_mcc",
                Box::new(|b| {
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
                }),
            ),
            (
                "granulator",
                Box::new(|b| {
                    b.record(
                        "granulator",
                        Input::Equipment("GR-01".into()),
                        granulator(None),
                    )
                    .unwrap();
                    b.sign("op1", Some("granulator"), Meaning::Performed, &[])
                        .unwrap();
                }),
            ),
            (
                "mix",
                Box::new(|b| {
                    b.record("mix", Input::StartTimer, Facts::default())
                        .unwrap();
                    b.minutes += 12;
                    b.record("mix", Input::StopTimer, Facts::default()).unwrap();
                    b.sign("op1", Some("mix"), Meaning::Performed, &[]).unwrap();
                }),
            ),
            (
                "lod",
                Box::new(|b| {
                    b.record("lod", Input::Number(2.1), Facts::default())
                        .unwrap();
                    b.sign("op1", Some("lod"), Meaning::Performed, &[]).unwrap();
                }),
            ),
            (
                "yield_pct",
                Box::new(|b| {
                    b.record("yield_pct", Input::Calculate, Facts::default())
                        .unwrap();
                }),
            ),
            (
                "appearance",
                Box::new(|b| {
                    b.record("appearance", Input::PassFail(true), Facts::default())
                        .unwrap();
                    b.sign("op1", Some("appearance"), Meaning::Performed, &[])
                        .unwrap();
                }),
            ),
        ];
        for (id, run) in steps {
            if id == until {
                return;
            }
            run(self);
        }
    }

    fn exceptions(&self) -> Vec<(Classification, String)> {
        self.state
            .exceptions
            .iter()
            .map(|l| (l.exception.classification, l.exception.title.clone()))
            .collect()
    }
}

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

impl Batch {
    fn run_from_yield(&mut self) {
        self.record("yield_pct", Input::Calculate, Facts::default())
            .unwrap();
        self.record("appearance", Input::PassFail(true), Facts::default())
            .unwrap();
        self.sign("op1", Some("appearance"), Meaning::Performed, &[])
            .unwrap();
    }
}

mod property;
