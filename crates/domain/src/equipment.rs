//! Equipment units of the ISA-95 hierarchy (enterprise → site → area → work centre →
//! unit), SPEC §2.1 and §2.3: status, logbook, clean-hold and dirty-hold times. The
//! stream `equipment/<id>` is the logbook; the status is derived from it and the
//! clock, never stored as a fact that could go stale.

use serde::{Deserialize, Serialize};

use crate::aggregate::Aggregate;
use crate::context::Ctx;
use crate::dates::PartialDate;
use crate::error::DomainError;
use crate::event::Event;
use crate::fields::{Code, Errors, Name, Text};
use crate::time::Timestamp;

crate::choice!(
    /// Where an equipment unit stands now.
    EquipmentStatus, "an equipment status" {
        Clean = "clean" / "Clean",
        Dirty = "dirty" / "Dirty",
        InUse = "in_use" / "In use",
        Maintenance = "maintenance" / "In maintenance",
        CalibrationDue = "calibration_due" / "Calibration due",
    }
);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EquipmentRegistered {
    pub id: String,
    pub name: String,
    /// What kind of unit it is (granulator, tablet press …); an MBR step asks for a
    /// class.
    pub class: String,
    pub site: String,
    pub area: String,
    pub work_centre: String,
    /// How long after cleaning it may be used without cleaning again.
    pub clean_hold_hours: u32,
    /// How long after use it may wait before it must be cleaned.
    pub dirty_hold_hours: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calibration_due: Option<PartialDate>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EquipmentUse {
    /// `<site>/<number>`.
    pub batch: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogbookNote {
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EquipmentCalibrated {
    pub next_due: PartialDate,
    pub certificate: String,
}

/// The input of a new equipment unit, unparsed.
#[derive(Clone, Debug, Default)]
pub struct EquipmentInput {
    pub id: String,
    pub name: String,
    pub class: String,
    pub site: String,
    pub area: String,
    pub work_centre: String,
    pub clean_hold_hours: String,
    pub dirty_hold_hours: String,
    pub calibration_due: String,
}

fn hours(field: &str, raw: &str) -> Result<u32, crate::FieldError> {
    raw.trim()
        .parse::<u32>()
        .ok()
        .filter(|h| (1..=8_760).contains(h))
        .ok_or_else(|| crate::FieldError::new(field, "must be a whole number of hours, 1 to 8760"))
}

impl EquipmentInput {
    pub fn parse(&self) -> Result<EquipmentRegistered, DomainError> {
        let mut errors = Errors::default();
        let id = errors.take(Code::parse("id", &self.id));
        let name = errors.take(Name::parse("name", &self.name));
        let class = errors.take(Name::parse("class", &self.class));
        let site = errors.take(Code::parse("site", &self.site));
        let area = errors.take(Name::parse("area", &self.area));
        let work_centre = errors.take(Name::parse("work_centre", &self.work_centre));
        let clean = errors.take(hours("clean_hold_hours", &self.clean_hold_hours));
        let dirty = errors.take(hours("dirty_hold_hours", &self.dirty_hold_hours));
        let due = if self.calibration_due.trim().is_empty() {
            None
        } else {
            errors.take(PartialDate::parse("calibration_due", &self.calibration_due))
        };
        errors.into_result()?;
        match (id, name, class, site, area, work_centre, clean, dirty) {
            (
                Some(id),
                Some(name),
                Some(class),
                Some(site),
                Some(area),
                Some(wc),
                Some(c),
                Some(d),
            ) => Ok(EquipmentRegistered {
                id: id.as_str().to_owned(),
                name: name.as_str().to_owned(),
                class: class.as_str().to_lowercase(),
                site: site.as_str().to_owned(),
                area: area.as_str().to_owned(),
                work_centre: wc.as_str().to_owned(),
                clean_hold_hours: c,
                dirty_hold_hours: d,
                calibration_due: due,
            }),
            _ => Err(DomainError::field("input", "could not be read")),
        }
    }
}

#[derive(Clone, Debug)]
pub enum EquipmentCommand {
    Register(EquipmentRegistered),
    StartUse {
        batch: String,
        step: Option<String>,
    },
    EndUse {
        batch: String,
    },
    Clean {
        note: Text,
    },
    StartMaintenance {
        note: Text,
    },
    EndMaintenance {
        note: Text,
    },
    Calibrate {
        next_due: PartialDate,
        certificate: Text,
    },
}

/// The last cleaning or use, which the hold times run from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Condition {
    Clean(Timestamp),
    Dirty(Timestamp),
}

#[derive(Clone, Debug, Default)]
pub struct EquipmentState {
    pub registered: Option<EquipmentRegistered>,
    pub in_use_by: Option<String>,
    pub in_maintenance: bool,
    condition: Option<Condition>,
    /// When the state was last folded (the events' times come from the caller).
    at: Option<Timestamp>,
}

const HOUR_US: i64 = 3_600_000_000;

impl EquipmentState {
    fn id(&self) -> &str {
        self.registered.as_ref().map_or("", |r| r.id.as_str())
    }

    /// The status at `now`, and why it cannot be used if it cannot.
    pub fn status(&self, now: Timestamp) -> (EquipmentStatus, Option<String>) {
        let Some(reg) = &self.registered else {
            return (EquipmentStatus::Dirty, Some("not registered".to_owned()));
        };
        let id = &reg.id;
        if self.in_maintenance {
            return (
                EquipmentStatus::Maintenance,
                Some(format!("equipment {id} is in maintenance")),
            );
        }
        if let Some(batch) = &self.in_use_by {
            return (
                EquipmentStatus::InUse,
                Some(format!("equipment {id} is in use by batch {batch}")),
            );
        }
        if let Some(due) = reg.calibration_due
            && due.first_day() <= now.date().first_day()
        {
            return (
                EquipmentStatus::CalibrationDue,
                Some(format!("equipment {id} was due for calibration on {due}")),
            );
        }
        match self.condition {
            Some(Condition::Clean(at)) => {
                let until = at.as_micros() + i64::from(reg.clean_hold_hours) * HOUR_US;
                if now.as_micros() > until {
                    (
                        EquipmentStatus::Dirty,
                        Some(format!(
                            "equipment {id} was cleaned {} and its clean-hold time of {} h is over; clean it again",
                            at.to_display(),
                            reg.clean_hold_hours
                        )),
                    )
                } else {
                    (EquipmentStatus::Clean, None)
                }
            }
            Some(Condition::Dirty(at)) => (
                EquipmentStatus::Dirty,
                Some(format!("equipment {id} is dirty since {}", at.to_display())),
            ),
            None => (
                EquipmentStatus::Dirty,
                Some(format!("equipment {id} has no cleaning recorded")),
            ),
        }
    }

    /// When the clean-hold time runs out, if it is clean.
    pub fn clean_until(&self) -> Option<Timestamp> {
        match (self.condition, &self.registered) {
            (Some(Condition::Clean(at)), Some(r)) => Some(Timestamp::from_micros(
                at.as_micros() + i64::from(r.clean_hold_hours) * HOUR_US,
            )),
            _ => None,
        }
    }

    /// Whether it has waited dirty longer than its dirty-hold time (cleaning is then
    /// outside what the cleaning validation covers).
    pub fn dirty_hold_exceeded(&self, now: Timestamp) -> bool {
        match (self.condition, &self.registered, &self.in_use_by) {
            (Some(Condition::Dirty(at)), Some(r), None) => {
                now.as_micros() > at.as_micros() + i64::from(r.dirty_hold_hours) * HOUR_US
            }
            _ => false,
        }
    }

    fn refuse(&self, why: String) -> DomainError {
        DomainError::InvalidState(why)
    }
}

impl Aggregate for EquipmentState {
    type Command = EquipmentCommand;

    fn stream_id(id: &str) -> String {
        format!("equipment/{id}")
    }

    /// Hold times run from when the cleaning or the use was recorded.
    fn apply_recorded(&mut self, event: &Event, at: Timestamp) {
        self.at = Some(at);
        self.apply(event);
    }

    fn apply(&mut self, event: &Event) {
        let at = self.at.unwrap_or(Timestamp::from_micros(0));
        match event {
            Event::EquipmentRegistered(r) => self.registered = Some(r.clone()),
            Event::EquipmentUseStarted(u) => self.in_use_by = Some(u.batch.clone()),
            Event::EquipmentUseEnded(_) => {
                self.in_use_by = None;
                self.condition = Some(Condition::Dirty(at));
            }
            Event::EquipmentCleaned(_) => self.condition = Some(Condition::Clean(at)),
            Event::EquipmentMaintenanceStarted(_) => self.in_maintenance = true,
            Event::EquipmentMaintenanceEnded(_) => {
                self.in_maintenance = false;
                // After maintenance a unit is cleaned before use.
                self.condition = Some(Condition::Dirty(at));
            }
            Event::EquipmentCalibrated(c) => {
                if let Some(r) = &mut self.registered {
                    r.calibration_due = Some(c.next_due);
                }
            }
            _ => {}
        }
    }

    fn decide(&self, command: &EquipmentCommand, ctx: &Ctx) -> Result<Vec<Event>, DomainError> {
        if let EquipmentCommand::Register(r) = command {
            return match &self.registered {
                Some(_) => Err(DomainError::AlreadyExists {
                    what: "equipment",
                    id: r.id.clone(),
                }),
                None => Ok(vec![Event::EquipmentRegistered(r.clone())]),
            };
        }
        if self.registered.is_none() {
            return Err(DomainError::NotFound {
                what: "equipment",
                id: String::new(),
            });
        }
        let id = self.id().to_owned();
        let note = |t: &Text| LogbookNote {
            note: t.as_str().to_owned(),
        };
        match command {
            EquipmentCommand::Register(_) => Ok(Vec::new()),
            EquipmentCommand::StartUse { batch, step } => {
                if let (_, Some(why)) = self.status(ctx.now) {
                    return Err(self.refuse(why));
                }
                Ok(vec![Event::EquipmentUseStarted(EquipmentUse {
                    batch: batch.clone(),
                    step: step.clone(),
                })])
            }
            EquipmentCommand::EndUse { batch } => match &self.in_use_by {
                Some(b) if b == batch => Ok(vec![Event::EquipmentUseEnded(EquipmentUse {
                    batch: batch.clone(),
                    step: None,
                })]),
                _ => Err(self.refuse(format!("equipment {id} is not in use by batch {batch}"))),
            },
            EquipmentCommand::Clean { note: n } => {
                if let Some(b) = &self.in_use_by {
                    return Err(self.refuse(format!(
                        "equipment {id} is in use by batch {b}; it is cleaned after use"
                    )));
                }
                if self.in_maintenance {
                    return Err(self.refuse(format!(
                        "equipment {id} is in maintenance; end the maintenance first"
                    )));
                }
                Ok(vec![Event::EquipmentCleaned(note(n))])
            }
            EquipmentCommand::StartMaintenance { note: n } => {
                if let Some(b) = &self.in_use_by {
                    return Err(self.refuse(format!("equipment {id} is in use by batch {b}")));
                }
                if self.in_maintenance {
                    return Err(self.refuse(format!("equipment {id} is in maintenance already")));
                }
                Ok(vec![Event::EquipmentMaintenanceStarted(note(n))])
            }
            EquipmentCommand::EndMaintenance { note: n } => {
                if !self.in_maintenance {
                    return Err(self.refuse(format!("equipment {id} is not in maintenance")));
                }
                Ok(vec![Event::EquipmentMaintenanceEnded(note(n))])
            }
            EquipmentCommand::Calibrate {
                next_due,
                certificate,
            } => {
                if next_due.first_day() <= ctx.now.date().first_day() {
                    return Err(DomainError::field("next_due", "must be after today"));
                }
                Ok(vec![Event::EquipmentCalibrated(EquipmentCalibrated {
                    next_due: *next_due,
                    certificate: certificate.as_str().to_owned(),
                })])
            }
        }
    }

    fn reason(_command: &EquipmentCommand) -> Option<&str> {
        None
    }
}

pub(crate) fn rows(
    recorded: crate::projection::Recorded<'_>,
    event: &Event,
) -> Option<Vec<crate::projection::RowOp>> {
    use crate::projection::{RowOp, Value, update};
    let at = Value::Int(recorded.at.as_micros());
    let set = |changes: Vec<(&'static str, Value)>| update("equipment", "id", recorded, changes);
    Some(match event {
        Event::EquipmentRegistered(r) => vec![RowOp::Insert {
            table: "equipment",
            values: vec![
                ("id", r.id.as_str().into()),
                ("name", r.name.as_str().into()),
                ("class", r.class.as_str().into()),
                ("site", r.site.as_str().into()),
                ("area", r.area.as_str().into()),
                ("work_centre", r.work_centre.as_str().into()),
                ("version", recorded.stream_version.into()),
                ("created_at", at.clone()),
                ("updated_at", at),
            ],
        }],
        Event::EquipmentUseStarted(_)
        | Event::EquipmentUseEnded(_)
        | Event::EquipmentCleaned(_)
        | Event::EquipmentMaintenanceStarted(_)
        | Event::EquipmentMaintenanceEnded(_)
        | Event::EquipmentCalibrated(_) => set(Vec::new()),
        _ => return None,
    })
}

pub(crate) fn describe(event: &Event) -> Option<(String, Vec<crate::history::FieldChange>)> {
    use crate::history::set;
    Some(match event {
        Event::EquipmentRegistered(r) => (
            format!("Equipment {} registered", r.id),
            vec![
                set("name", &r.name),
                set("class", &r.class),
                set("site", &r.site),
                set("area", &r.area),
                set("work centre", &r.work_centre),
                set("clean-hold time", &format!("{} h", r.clean_hold_hours)),
                set("dirty-hold time", &format!("{} h", r.dirty_hold_hours)),
            ],
        ),
        Event::EquipmentUseStarted(u) => (format!("Use started by batch {}", u.batch), Vec::new()),
        Event::EquipmentUseEnded(u) => (format!("Use ended by batch {}", u.batch), Vec::new()),
        Event::EquipmentCleaned(n) => ("Cleaned".to_owned(), vec![set("note", &n.note)]),
        Event::EquipmentMaintenanceStarted(n) => {
            ("Maintenance started".to_owned(), vec![set("note", &n.note)])
        }
        Event::EquipmentMaintenanceEnded(n) => {
            ("Maintenance ended".to_owned(), vec![set("note", &n.note)])
        }
        Event::EquipmentCalibrated(c) => (
            "Calibrated".to_owned(),
            vec![
                set("next calibration due", &c.next_due.to_string()),
                set("certificate", &c.certificate),
            ],
        ),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Actor;

    const H: i64 = HOUR_US;

    fn run(
        state: &mut EquipmentState,
        command: EquipmentCommand,
        at_hours: i64,
    ) -> Result<(), DomainError> {
        let now = Timestamp::from_micros(1_790_000_000_000_000 + at_hours * H);
        let ctx = Ctx {
            actor: Actor("op1".into()),
            now,
        };
        let events = state.decide(&command, &ctx)?;
        events.iter().for_each(|e| state.apply_recorded(e, now));
        Ok(())
    }

    fn granulator() -> EquipmentState {
        let mut s = EquipmentState::default();
        let reg = EquipmentInput {
            id: "GR-01".into(),
            name: "High-shear granulator 1".into(),
            class: "Granulator".into(),
            site: "BSL".into(),
            area: "Solids".into(),
            work_centre: "Granulation suite".into(),
            clean_hold_hours: "72".into(),
            dirty_hold_hours: "24".into(),
            calibration_due: "2027-06".into(),
        }
        .parse()
        .unwrap();
        run(&mut s, EquipmentCommand::Register(reg), 0).unwrap();
        s
    }

    fn note(t: &str) -> Text {
        Text::parse("note", t).unwrap()
    }

    #[test]
    fn new_equipment_is_dirty_until_cleaned_and_clean_hold_time_runs_out() {
        let mut g = granulator();
        let at = |h: i64| Timestamp::from_micros(1_790_000_000_000_000 + h * H);
        assert_eq!(g.status(at(1)).0, EquipmentStatus::Dirty);
        run(
            &mut g,
            EquipmentCommand::Clean {
                note: note("full clean SOP-CL-012"),
            },
            2,
        )
        .unwrap();
        assert_eq!(g.status(at(3)), (EquipmentStatus::Clean, None));
        let (status, why) = g.status(at(2 + 73));
        assert_eq!(status, EquipmentStatus::Dirty);
        assert!(why.unwrap().contains("clean-hold time of 72 h is over"));
    }

    #[test]
    fn use_makes_it_in_use_then_dirty_and_the_dirty_hold_time_is_watched() {
        let mut g = granulator();
        run(
            &mut g,
            EquipmentCommand::Clean {
                note: note("full clean"),
            },
            1,
        )
        .unwrap();
        run(
            &mut g,
            EquipmentCommand::StartUse {
                batch: "BSL/B1".into(),
                step: Some("granulator".into()),
            },
            2,
        )
        .unwrap();
        let err = run(
            &mut g,
            EquipmentCommand::StartUse {
                batch: "BSL/B2".into(),
                step: None,
            },
            3,
        )
        .unwrap_err();
        assert!(err.to_string().contains("in use by batch BSL/B1"), "{err}");
        assert!(
            run(
                &mut g,
                EquipmentCommand::Clean {
                    note: note("clean now")
                },
                3
            )
            .is_err()
        );
        run(
            &mut g,
            EquipmentCommand::EndUse {
                batch: "BSL/B1".into(),
            },
            4,
        )
        .unwrap();
        let at = |h: i64| Timestamp::from_micros(1_790_000_000_000_000 + h * H);
        assert_eq!(g.status(at(5)).0, EquipmentStatus::Dirty);
        assert!(!g.dirty_hold_exceeded(at(20)));
        assert!(g.dirty_hold_exceeded(at(4 + 25)));
    }

    #[test]
    fn maintenance_and_calibration_due_make_it_unusable() {
        let mut g = granulator();
        run(
            &mut g,
            EquipmentCommand::Clean {
                note: note("full clean"),
            },
            1,
        )
        .unwrap();
        run(
            &mut g,
            EquipmentCommand::StartMaintenance {
                note: note("seal replacement"),
            },
            2,
        )
        .unwrap();
        assert!(
            run(
                &mut g,
                EquipmentCommand::StartUse {
                    batch: "BSL/B1".into(),
                    step: None
                },
                3
            )
            .is_err()
        );
        run(
            &mut g,
            EquipmentCommand::EndMaintenance {
                note: note("seal replaced, tested"),
            },
            4,
        )
        .unwrap();
        run(
            &mut g,
            EquipmentCommand::Clean {
                note: note("clean after maintenance"),
            },
            5,
        )
        .unwrap();
        // 2026-09-21 + 300 days is past the calibration due month 2027-06.
        let (status, why) = g.status(Timestamp::from_micros(1_790_000_000_000_000 + 300 * 24 * H));
        assert_eq!(status, EquipmentStatus::CalibrationDue);
        assert!(why.unwrap().contains("due for calibration"));
        let bad = EquipmentInput {
            clean_hold_hours: "0".into(),
            id: "1X".into(),
            ..EquipmentInput::default()
        };
        let DomainError::Validation(errors) = bad.parse().unwrap_err() else {
            panic!()
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert!(
            fields.contains(&"id")
                && fields.contains(&"clean_hold_hours")
                && fields.contains(&"site")
        );
    }
}
