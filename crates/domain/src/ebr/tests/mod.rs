//! The execution rules, one test each (`flow`, `materials`, `limits`), on the fixture
//! below, and the property that no sequence of commands
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

mod flow;
mod limits;
mod materials;
mod property;
