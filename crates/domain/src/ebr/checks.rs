//! The checks an entry passes before it is recorded (SPEC §2.3): limits, accepted
//! choices, the lot's material, status and dates, the weight against its tolerance,
//! the equipment's readiness, the hold time. A value that is wrong but real (a
//! reading out of limits, a weight outside tolerance) is recorded and raises an
//! exception; an attempt that must not go ahead (the wrong lot, dirty equipment) is
//! refused — and the attempt is kept, with its exception.

use std::collections::BTreeMap;

use super::events::EntryValue;
use crate::dates::PartialDate;
use crate::error::DomainError;
use crate::exception::fields::{Category, Classification};
use crate::lot::LotStatus;
use crate::mbr::formula::Formula;
use crate::mbr::step::{Checks, Excursion, StepKind};
use crate::time::Timestamp;
use crate::units::Quantity;

/// What the operator (or the tablet) sends for a step.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    Acknowledge,
    Number(f64),
    Text(String),
    Choice(String),
    PassFail(bool),
    Dispense {
        lot: String,
        quantity: Quantity,
    },
    Equipment(String),
    Sample(String),
    /// Compute the calculation from the entries so far.
    Calculate,
    StartTimer,
    StopTimer,
}

/// What the checks need to know about the lot scanned at a dispense step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LotFacts {
    pub id: String,
    pub material: String,
    pub status: LotStatus,
    pub expiry: Option<PartialDate>,
    pub retest: Option<PartialDate>,
}

/// What the checks need to know about the equipment scanned at an equipment step;
/// `unusable` says why it cannot be used now (dirty, in use, in maintenance,
/// calibration due, clean-hold time over), as the equipment's own record decides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EquipmentFacts {
    pub id: String,
    pub class: String,
    pub unusable: Option<String>,
}

/// Facts from other records, read by the caller before deciding.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    pub lot: Option<LotFacts>,
    pub equipment: Option<EquipmentFacts>,
}

/// A reason to raise an exception, before it has a number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub classification: Classification,
    pub category: Category,
    pub title: String,
    pub description: String,
}

fn violation(
    classification: Classification,
    category: Category,
    title: impl Into<String>,
    description: impl Into<String>,
) -> Violation {
    Violation {
        classification,
        category,
        title: title.into(),
        description: description.into(),
    }
}

/// The result of checking one entry.
#[derive(Clone, Debug, PartialEq)]
pub enum Checked {
    Accept {
        value: EntryValue,
        excursion: Option<Excursion>,
        violations: Vec<Violation>,
    },
    Refuse {
        attempted: EntryValue,
        reason: String,
        violation: Violation,
    },
}

/// Where the step stands for the check: the step's name, the batch's scale, values
/// of earlier steps, when its timer started.
pub struct Context<'a> {
    pub step_name: &'a str,
    pub scale: f64,
    pub values: &'a BTreeMap<String, f64>,
    pub timer_started: Option<Timestamp>,
    pub now: Timestamp,
}

fn wrong_input(kind: &StepKind) -> DomainError {
    DomainError::field(
        "value",
        format!(
            "this is a {} step; send what it asks for",
            kind.name().replace('_', "/")
        ),
    )
}

fn measured(
    ctx: &Context<'_>,
    value: f64,
    unit: &str,
    checks: &Checks,
    entry: EntryValue,
) -> Checked {
    let excursion = checks.excursion(value);
    let mut violations = Vec::new();
    let describe = |limits: &Option<crate::mbr::step::Limits>| {
        limits.as_ref().map_or_else(String::new, |l| l.describe())
    };
    match excursion {
        Some(Excursion::Spec) => violations.push(violation(
            Classification::Critical,
            Category::Process,
            format!("{}: {value} {unit} outside specification", ctx.step_name),
            format!(
                "{} recorded {value} {unit}; the specification is {} {unit}.",
                ctx.step_name,
                describe(&checks.spec)
            ),
        )),
        Some(Excursion::Action) => violations.push(violation(
            Classification::Major,
            Category::Process,
            format!("{}: {value} {unit} outside action limits", ctx.step_name),
            format!(
                "{} recorded {value} {unit}; the action limits are {} {unit}.",
                ctx.step_name,
                describe(&checks.action)
            ),
        )),
        Some(Excursion::Alert) | None => {}
    }
    Checked::Accept {
        value: entry,
        excursion,
        violations,
    }
}

/// Checks `input` against step `kind`. `Err` means the input itself is malformed
/// (nothing is recorded and nothing raised).
pub fn check(
    kind: &StepKind,
    input: &Input,
    facts: &Facts,
    ctx: &Context<'_>,
) -> Result<Checked, DomainError> {
    let plain = |value: EntryValue| Checked::Accept {
        value,
        excursion: None,
        violations: Vec::new(),
    };
    Ok(match (kind, input) {
        (StepKind::Instruction, Input::Acknowledge) => plain(EntryValue::Acknowledged),
        (StepKind::Numeric { unit, checks, .. }, Input::Number(v)) => {
            if !v.is_finite() {
                return Err(DomainError::field("value", "must be a number"));
            }
            let entry = EntryValue::Number {
                value: *v,
                unit: unit.clone(),
            };
            measured(ctx, *v, unit, checks, entry)
        }
        (StepKind::Text, Input::Text(t)) => {
            let t = t.trim();
            if t.is_empty() {
                return Err(DomainError::field("value", "is required"));
            }
            plain(EntryValue::Text { text: t.to_owned() })
        }
        (StepKind::Choice { options, accepted }, Input::Choice(o)) => {
            let Some(option) = options.iter().find(|x| x.eq_ignore_ascii_case(o.trim())) else {
                return Err(DomainError::field(
                    "value",
                    format!("must be one of {}", options.join(", ")),
                ));
            };
            let mut violations = Vec::new();
            if !accepted.contains(option) {
                violations.push(violation(
                    Classification::Major,
                    Category::Process,
                    format!("{}: {option}", ctx.step_name),
                    format!(
                        "{} recorded '{option}'; accepted is {}.",
                        ctx.step_name,
                        accepted.join(" or ")
                    ),
                ));
            }
            Checked::Accept {
                value: EntryValue::Choice {
                    option: option.clone(),
                },
                excursion: None,
                violations,
            }
        }
        (StepKind::PassFail, Input::PassFail(pass)) => Checked::Accept {
            value: EntryValue::PassFail { pass: *pass },
            excursion: None,
            violations: if *pass {
                Vec::new()
            } else {
                vec![violation(
                    Classification::Major,
                    Category::Process,
                    format!("{}: failed", ctx.step_name),
                    format!("{} was recorded as failed.", ctx.step_name),
                )]
            },
        },
        (
            StepKind::Dispense {
                material,
                quantity,
                unit,
                tolerance_percent,
            },
            Input::Dispense {
                lot,
                quantity: weighed,
            },
        ) => dispense(
            ctx,
            material,
            &Quantity {
                amount: quantity * ctx.scale,
                unit: unit.clone(),
            },
            *tolerance_percent,
            lot,
            weighed,
            facts.lot.as_ref(),
        )?,
        (StepKind::Equipment { class }, Input::Equipment(id)) => {
            equipment(ctx, class, id.trim(), facts.equipment.as_ref())?
        }
        (StepKind::Sample { .. }, Input::Sample(s)) => {
            let s = s.trim();
            if s.is_empty() {
                return Err(DomainError::field("value", "give the sample's label"));
            }
            plain(EntryValue::Sample {
                sample: s.to_owned(),
            })
        }
        (
            StepKind::Calculation {
                formula,
                unit,
                checks,
            },
            Input::Calculate,
        ) => {
            let f = Formula::parse(formula).map_err(|r| DomainError::field("formula", r))?;
            let value = f
                .evaluate(ctx.values)
                .map_err(|r| DomainError::InvalidState(format!("the calculation {r}")))?;
            let inputs = f
                .inputs()
                .into_iter()
                .filter_map(|id| ctx.values.get(&id).map(|v| (id, *v)))
                .collect();
            let entry = EntryValue::Calculated {
                value,
                unit: unit.clone(),
                formula: formula.clone(),
                inputs,
            };
            measured(ctx, value, unit, checks, entry)
        }
        (StepKind::Timer { .. }, Input::StartTimer) => {
            if ctx.timer_started.is_some() {
                return Err(DomainError::InvalidState(
                    "the timer of this step is running already".to_owned(),
                ));
            }
            plain(EntryValue::TimerStarted)
        }
        (
            StepKind::Timer {
                min_minutes,
                max_minutes,
            },
            Input::StopTimer,
        ) => {
            let Some(started) = ctx.timer_started else {
                return Err(DomainError::InvalidState(
                    "start the timer of this step first".to_owned(),
                ));
            };
            let minutes = (ctx.now.as_micros() - started.as_micros()) as f64 / 60_000_000.0;
            if minutes < *min_minutes {
                return Err(DomainError::InvalidState(format!(
                    "the hold time is {min_minutes} min; {:.1} min to go",
                    min_minutes - minutes
                )));
            }
            let mut violations = Vec::new();
            if let Some(max) = max_minutes
                && minutes > *max
            {
                violations.push(violation(
                    Classification::Minor,
                    Category::Process,
                    format!("{}: hold time exceeded", ctx.step_name),
                    format!(
                        "{} was held {minutes:.1} min; the maximum is {max} min.",
                        ctx.step_name
                    ),
                ));
            }
            Checked::Accept {
                value: EntryValue::TimerStopped {
                    minutes: (minutes * 10.0).round() / 10.0,
                },
                excursion: None,
                violations,
            }
        }
        (kind, _) => return Err(wrong_input(kind)),
    })
}

fn dispense(
    ctx: &Context<'_>,
    material: &str,
    target: &Quantity,
    tolerance_percent: f64,
    lot: &str,
    weighed: &Quantity,
    facts: Option<&LotFacts>,
) -> Result<Checked, DomainError> {
    let Some(amount) = weighed.convert(&target.unit) else {
        return Err(DomainError::field(
            "quantity_unit",
            format!(
                "must be a {:?} unit like {}",
                target.unit.dimension(),
                target.unit.as_str()
            )
            .to_lowercase(),
        ));
    };
    if !(weighed.amount.is_finite() && weighed.amount > 0.0) {
        return Err(DomainError::field("quantity", "must be more than zero"));
    }
    let attempted = EntryValue::Dispensed {
        lot: lot.trim().to_owned(),
        quantity: weighed.clone(),
        target: target.clone(),
        tolerance_percent,
    };
    let refuse = |reason: String| Checked::Refuse {
        attempted: attempted.clone(),
        violation: violation(
            Classification::Major,
            Category::Materials,
            format!("{}: lot {} refused", ctx.step_name, lot.trim()),
            format!("{reason}."),
        ),
        reason,
    };
    let Some(facts) = facts else {
        return Ok(refuse(format!("lot {} is not known", lot.trim())));
    };
    if facts.material != material {
        return Ok(refuse(format!(
            "lot {} is {}, this step dispenses {material}",
            facts.id, facts.material
        )));
    }
    if facts.status != LotStatus::Released {
        return Ok(refuse(format!(
            "lot {} is {}, not released",
            facts.id,
            facts.status.as_str().replace('_', " ")
        )));
    }
    let today = ctx.now.date();
    if let Some(expiry) = facts.expiry
        && expiry.last_day() < today
    {
        return Ok(refuse(format!("lot {} expired on {expiry}", facts.id)));
    }
    if let Some(retest) = facts.retest
        && retest.last_day() < today
    {
        return Ok(refuse(format!(
            "lot {} was due for retest on {retest}",
            facts.id
        )));
    }
    let deviation = (amount - target.amount) / target.amount * 100.0;
    let mut violations = Vec::new();
    if deviation.abs() > tolerance_percent {
        violations.push(violation(
            Classification::Major,
            Category::Materials,
            format!("{}: weight outside tolerance", ctx.step_name),
            format!(
                "{} dispensed {weighed} of lot {}; the target is {target} ± {tolerance_percent} % ({deviation:+.2} %).",
                ctx.step_name, facts.id
            ),
        ));
    }
    Ok(Checked::Accept {
        value: EntryValue::Dispensed {
            lot: facts.id.clone(),
            quantity: weighed.clone(),
            target: target.clone(),
            tolerance_percent,
        },
        excursion: None,
        violations,
    })
}

fn equipment(
    ctx: &Context<'_>,
    class: &str,
    id: &str,
    facts: Option<&EquipmentFacts>,
) -> Result<Checked, DomainError> {
    if id.is_empty() {
        return Err(DomainError::field("value", "scan or type the equipment id"));
    }
    let attempted = EntryValue::Equipment {
        equipment: id.to_owned(),
    };
    let reason = match facts {
        None => Some(format!("equipment {id} is not known")),
        Some(f) if !f.class.eq_ignore_ascii_case(class) => Some(format!(
            "equipment {id} is a {}, this step needs a {class}",
            f.class
        )),
        Some(f) => f.unusable.clone(),
    };
    Ok(match reason {
        Some(reason) => Checked::Refuse {
            attempted,
            violation: violation(
                Classification::Major,
                Category::Equipment,
                format!("{}: equipment {id} refused", ctx.step_name),
                format!("{reason}."),
            ),
            reason,
        },
        None => Checked::Accept {
            value: attempted,
            excursion: None,
            violations: Vec::new(),
        },
    })
}
