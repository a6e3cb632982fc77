//! The property: no sequence of commands releases a batch with an unsigned required
//! step, an open critical exception or an entry out of order.

use proptest::prelude::*;

use super::*;

/// One thing someone may try on the floor or in QA.
#[derive(Clone, Debug)]
enum Action {
    Enter {
        step: usize,
        good: bool,
        who: u8,
    },
    Correct {
        step: usize,
        good: bool,
    },
    /// Any step at all, whatever the order says.
    EnterAny {
        step: usize,
        good: bool,
    },
    Sign {
        step: usize,
        verify: bool,
        who: u8,
    },
    Skip {
        step: usize,
    },
    Acknowledge,
    CloseExceptions,
    Review,
    Release,
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        6 => (ahead(), any::<bool>(), 0..2u8).prop_map(|(step, good, who)| Action::Enter { step, good, who }),
        1 => (ahead(), any::<bool>()).prop_map(|(step, good)| Action::Correct { step, good }),
        2 => (0..8usize, any::<bool>()).prop_map(|(step, good)| Action::EnterAny { step, good }),
        5 => (ahead(), any::<bool>(), 0..2u8).prop_map(|(step, verify, who)| Action::Sign { step, verify, who }),
        1 => ahead().prop_map(|step| Action::Skip { step }),
        1 => Just(Action::Acknowledge),
        1 => Just(Action::CloseExceptions),
        1 => Just(Action::Review),
        2 => Just(Action::Release),
    ]
}

/// A step relative to the first one not done (mostly that one; sometimes one before
/// or further ahead, out of order).
fn ahead() -> impl Strategy<Value = usize> {
    prop_oneof![6 => Just(1usize), 1 => Just(0usize), 1 => 2..5usize]
}

fn input_for(step: &str, good: bool) -> (Input, Facts) {
    match step {
        "line_clear" => (Input::Acknowledge, Facts::default()),
        "w_api" => (
            Input::Dispense {
                lot: "PARA-API/L1".into(),
                quantity: kg(if good { 100.0 } else { 90.0 }),
            },
            api_lot(if good {
                LotStatus::Released
            } else {
                LotStatus::Quarantine
            }),
        ),
        "w_mcc" => (
            Input::Dispense {
                lot: "MCC/M7".into(),
                quantity: kg(80.0),
            },
            mcc_lot(),
        ),
        "granulator" => (
            Input::Equipment("GR-01".into()),
            granulator((!good).then_some("dirty")),
        ),
        "mix" => (
            if good {
                Input::StopTimer
            } else {
                Input::StartTimer
            },
            Facts::default(),
        ),
        "lod" => (
            Input::Number(if good { 2.0 } else { 4.0 }),
            Facts::default(),
        ),
        "yield_pct" => (Input::Calculate, Facts::default()),
        _ => (Input::PassFail(good), Facts::default()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn no_sequence_of_commands_releases_a_batch_that_is_not_ready(
        prefix in 0..=8usize,
        actions in prop::collection::vec(action(), 1..60),
    ) {
        let ids: Vec<String> = recipe().steps().iter().map(|s| s.phase.id.clone()).collect();
        let mut b = Batch::new();
        // Start from a correct run up to a random step, so that the random actions
        // reach the end of the procedure often.
        b.run_until(ids.get(prefix).map_or("end", String::as_str));
        let mut closed: Vec<String> = Vec::new();
        for a in actions {
            b.minutes += 5;
            let first_open = ids.iter().position(|id| !b.state.step_status(id).is_done()).unwrap_or(ids.len());
            let pick = |offset: usize| (first_open + offset).saturating_sub(1).min(ids.len() - 1);
            let a = match a {
                Action::Enter { step, good, who } => Action::Enter { step: pick(step), good, who },
                Action::Correct { step, good } => Action::Correct { step: pick(step), good },
                Action::Sign { step, verify, who } => Action::Sign { step: pick(step), verify, who },
                Action::Skip { step } => Action::Skip { step: pick(step) },
                other => other,
            };
            let who = |w: u8| if w == 0 { "op1" } else { "op2" };
            match a {
                Action::Enter { step, good, who: w } => {
                    let (input, facts) = input_for(&ids[step], good);
                    let _ = b.record_as(who(w), &ids[step], input, facts, None);
                }
                Action::EnterAny { step, good } => {
                    let (input, facts) = input_for(&ids[step], good);
                    let _ = b.record_as("op1", &ids[step], input, facts, None);
                }
                Action::Correct { step, good } => {
                    if let Some(old) = b.state.current_entries(&ids[step]).last().map(|e| e.recorded.entry) {
                        let (input, facts) = input_for(&ids[step], good);
                        let _ = b.record_as("op1", &ids[step], input, facts, Some(old));
                    }
                }
                Action::Sign { step, verify, who: w } => {
                    let meaning = if verify { Meaning::Verified } else { Meaning::Performed };
                    let _ = b.sign(who(w), Some(&ids[step]), meaning, &[]);
                }
                Action::Skip { step } => {
                    b.numbers += 1;
                    let skip = EbrCommand::Skip {
                        step: ids[step].clone(),
                        reason: Reason::parse("reason", "not needed for this batch").unwrap(),
                        number: format!("EX-2026-{:04}", b.numbers),
                    };
                    if let Ok(events) = b.state.decide(&skip, &ctx("op1", b.minutes)) {
                        events.iter().for_each(|e| b.state.apply(e));
                    }
                }
                Action::Acknowledge => {
                    if let Some(n) = b.state.blocking().first().map(|n| n.to_string()) {
                        b.acknowledge(&n);
                    }
                }
                Action::CloseExceptions => {
                    closed = b.state.exceptions.iter().map(|l| l.exception.number.clone()).collect();
                }
                Action::Review => { let _ = b.sign("qa", None, Meaning::Reviewed, &[]); }
                Action::Release => {
                    let open: Vec<(String, Classification)> = b.state.exceptions.iter()
                        .filter(|l| !closed.contains(&l.exception.number))
                        .map(|l| (l.exception.number.clone(), l.exception.classification))
                        .collect();
                    let before = b.state.clone();
                    if b.sign("qa", None, Meaning::Released, &open).is_ok() {
                        // Released: every required signature was there, the review covered
                        // the record, no critical exception was open, and the entries
                        // followed the slots of the MBR.
                        prop_assert!(before.is_complete());
                        prop_assert!(before.reviewed());
                        prop_assert!(!open.iter().any(|(_, c)| *c == Classification::Critical));
                        let steps = recipe();
                        let slots: Vec<(String, usize)> = steps.steps().iter().map(|s| (s.phase.id.clone(), s.slot)).collect();
                        let slot = |id: &str| slots.iter().find(|(s, _)| s == id).map(|(_, n)| *n).unwrap();
                        let mut highest = 0;
                        for e in before.entries.iter().filter(|e| e.recorded.corrects.is_none()) {
                            let s = slot(&e.recorded.step);
                            prop_assert!(s >= highest, "entry for {} after a later slot", e.recorded.step);
                            highest = highest.max(s);
                        }
                        for s in steps.steps() {
                            let required = s.phase.signatures;
                            let status = before.step_status(&s.phase.id);
                            prop_assert!(status.is_done());
                            if status == StepStatus::Done && required != crate::mbr::step::Signatures::None {
                                prop_assert!(before.signatures.iter().any(|x| x.signature.subject.as_deref() == Some(&*s.phase.id) && x.signature.meaning == Meaning::Performed));
                            }
                        }
                    }
                }
            }
        }
    }
}
