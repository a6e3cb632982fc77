//! Entries: the input read as the step asks, the facts the checks need, one unit
//! commit per entry with what it does to other records.

use vplant_domain::batch::milestone::Milestone;
use vplant_domain::batch::{BatchCommand, BatchState};
use vplant_domain::dates::PartialDate;
use vplant_domain::ebr::checks::{EquipmentFacts, Facts, Input, LotFacts};
use vplant_domain::ebr::events::{EbrStarted, EntryValue};
use vplant_domain::ebr::{EbrCommand, EbrState, Record};
use vplant_domain::equipment::{EquipmentCommand, EquipmentState};
use vplant_domain::exception::ExceptionState;
use vplant_domain::fields::{Code, Reason};
use vplant_domain::identity::Scope;
use vplant_domain::lot::{LotCommand, LotOrigin, LotRef, LotState, LotStatus, NewLot};
use vplant_domain::mbr::step::StepKind;
use vplant_domain::units::Quantity;
use vplant_domain::{Aggregate, DomainError, Event, Timestamp};

use crate::numbered::{NUMBER_ATTEMPTS, lost_race};
use crate::{App, AppError, Request};

use super::{EntryInput, EntryOutcome, execution_exception, not_found, tracker_report};

fn parse_input(kind: &StepKind, entry: &EntryInput) -> Result<Input, DomainError> {
    let value = entry.value.trim();
    let number = |field: &str| {
        value
            .replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| DomainError::field(field, format!("'{value}' is not a number")))
    };
    Ok(match kind {
        StepKind::Instruction => Input::Acknowledge,
        StepKind::Numeric { .. } => Input::Number(number("value")?),
        StepKind::Text => Input::Text(value.to_owned()),
        StepKind::Choice { .. } => Input::Choice(value.to_owned()),
        StepKind::PassFail => match value.to_lowercase().as_str() {
            "pass" | "true" | "yes" => Input::PassFail(true),
            "fail" | "false" | "no" => Input::PassFail(false),
            _ => return Err(DomainError::field("value", "must be pass or fail")),
        },
        StepKind::Dispense { unit, .. } => {
            let unit = if entry.unit.trim().is_empty() {
                unit.as_str()
            } else {
                entry.unit.trim()
            };
            let quantity = Quantity::parse("value", value, unit)
                .map_err(|e| DomainError::Validation(vec![e]))?;
            if entry.lot.trim().is_empty() {
                return Err(DomainError::field("lot", "scan or type the lot"));
            }
            Input::Dispense {
                lot: entry.lot.trim().to_uppercase(),
                quantity,
            }
        }
        StepKind::Equipment { .. } => Input::Equipment(value.to_uppercase()),
        StepKind::Sample { .. } => Input::Sample(value.to_owned()),
        StepKind::Calculation { .. } => Input::Calculate,
        StepKind::Timer { .. } => match value.to_lowercase().as_str() {
            "start" => Input::StartTimer,
            "stop" => Input::StopTimer,
            _ => return Err(DomainError::field("value", "must be start or stop")),
        },
    })
}

fn performed_at(raw: &str, now: Timestamp) -> Result<Timestamp, DomainError> {
    if raw.trim().is_empty() {
        return Ok(now);
    }
    time::OffsetDateTime::parse(raw.trim(), &time::format_description::well_known::Rfc3339)
        .map(Timestamp::from_datetime)
        .map_err(|_| DomainError::field("performed_at", "must be a time like 2026-11-22T09:30:00Z"))
}

impl App {
    /// The facts the checks of this entry need: the scanned lot, the scanned
    /// equipment with its status now.
    async fn entry_facts(&self, input: &Input, now: Timestamp) -> Result<Facts, AppError> {
        let mut facts = Facts::default();
        if let Input::Dispense { lot, .. } = input
            && let Some(l) = self.store.lot(lot).await?
        {
            let date =
                |d: &Option<String>| d.as_deref().and_then(|t| PartialDate::parse("d", t).ok());
            facts.lot = Some(LotFacts {
                id: l.id.clone(),
                material: l.material.clone(),
                status: match l.status.as_str() {
                    "released" => LotStatus::Released,
                    "rejected" => LotStatus::Rejected,
                    "quarantine" => LotStatus::Quarantine,
                    _ => LotStatus::NotReported,
                },
                expiry: date(&l.expiry),
                retest: date(&l.retest),
            });
        }
        if let Input::Equipment(id) = input
            && let Some(row) = self.store.equipment_unit(id).await?
        {
            let (state, _) = self
                .load::<EquipmentState>(&EquipmentState::stream_id(&row.id))
                .await?;
            facts.equipment = Some(EquipmentFacts {
                id: row.id.clone(),
                class: row.class.clone(),
                unusable: state.status(now).1,
            });
        }
        Ok(facts)
    }

    /// Records an entry. The checks run here and now; an entry they refuse is kept
    /// as an attempt. Exceptions the entry raises are created in the same commit.
    pub async fn record_entry(
        &self,
        scope: &Scope,
        id: &str,
        entry: &EntryInput,
        request: &Request,
    ) -> Result<EntryOutcome, AppError> {
        let view = self.ebr(scope, id).await?;
        let id = view.row.id.clone();
        if let Some(idem) = &request.idempotency
            && self.store.idempotent_outcome(idem).await?.is_some()
        {
            return Ok(EntryOutcome {
                entry: None,
                refused: None,
                exceptions: Vec::new(),
                excursion: None,
                replayed: true,
            });
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.try_record(&id, entry, request).await {
                // Another entry took the record's version or an exception number first.
                Err(e) if lost_race(&e) && attempt < NUMBER_ATTEMPTS => {}
                other => return other,
            }
        }
    }

    async fn try_record(
        &self,
        id: &str,
        entry: &EntryInput,
        request: &Request,
    ) -> Result<EntryOutcome, AppError> {
        let (state, _) = self.load::<EbrState>(&EbrState::stream_id(id)).await?;
        let started = state.started.clone().ok_or_else(|| not_found(id))?;
        let step = entry.step.trim().to_lowercase();
        let located = started.recipe.step(&step).ok_or_else(|| {
            DomainError::field("step", format!("'{step}' is not a step of batch {id}"))
        })?;
        let now = self.store.now();
        let input = parse_input(&located.phase.entry, entry)?;
        let reason = if entry.reason.trim().is_empty() {
            None
        } else {
            Some(
                Reason::parse("reason", &entry.reason)
                    .map_err(|e| DomainError::Validation(vec![e]))?,
            )
        };
        let mut record = Record {
            step: step.clone(),
            facts: self.entry_facts(&input, now).await?,
            input,
            device: Some(entry.device.trim().to_owned()).filter(|d| !d.is_empty()),
            performed_at: performed_at(&entry.performed_at, now)?,
            corrects: entry.corrects,
            reason,
            numbers: Vec::new(),
        };
        let violations = state.violations(&record, now)?;
        let mut unit = self.unit(request);
        let series = format!("EX-{}", now.date().year());
        for _ in &violations {
            record.numbers.push(unit.take_number(&series).await?);
        }
        unit.decide::<EbrState>(id, EbrCommand::Record(Box::new(record.clone())))
            .await?;
        unit.idempotent(&EbrState::stream_id(id), request.idempotency.clone());
        let decided: Vec<Event> = unit.decided::<EbrState>(id).into_iter().cloned().collect();
        let mut outcome = EntryOutcome {
            entry: None,
            refused: None,
            exceptions: Vec::new(),
            excursion: None,
            replayed: false,
        };
        for event in &decided {
            match event {
                Event::EbrEntryRecorded(e) => {
                    outcome.entry = Some(e.entry);
                    outcome.excursion = e.excursion.map(|x| x.label().to_owned());
                }
                Event::EbrEntryRefused(r) => outcome.refused = Some(r.reason.clone()),
                _ => {}
            }
        }
        let today = now.date().to_string();
        for (number, v) in record.numbers.iter().zip(&violations) {
            let raise = execution_exception(&started, id, &step, number, &today, v)?;
            unit.decide::<ExceptionState>(number, raise).await?;
            outcome.exceptions.push((number.clone(), v.classification));
        }
        if let Some(Event::EbrEntryRecorded(e)) = decided.first() {
            self.follow_entry(&mut unit, &started, id, &step, &e.value)
                .await?;
        }
        if decided.iter().any(|e| matches!(e, Event::EbrCompleted(_))) {
            self.report_completion(&mut unit, &started, now).await?;
        }
        unit.commit_all().await?;
        self.release_equipment(id, request).await?;
        Ok(outcome)
    }

    /// What an accepted entry does to other records: a dispensed lot is consumed by
    /// the batch (genealogy), scanned equipment goes into use.
    async fn follow_entry(
        &self,
        unit: &mut crate::unit::Unit<'_>,
        started: &EbrStarted,
        id: &str,
        step: &str,
        value: &EntryValue,
    ) -> Result<(), AppError> {
        match value {
            EntryValue::Dispensed { lot, quantity, .. } => {
                let (material, number) = lot.split_once('/').unwrap_or((lot.as_str(), ""));
                let mut report = tracker_report(started)?;
                report
                    .consumed
                    .push((LotRef::parse(material, number)?, Some(quantity.clone())));
                unit.decide::<BatchState>(
                    id,
                    BatchCommand::Report {
                        report: Box::new(report),
                        reason: None,
                    },
                )
                .await?;
            }
            EntryValue::Equipment { equipment } => {
                unit.decide::<EquipmentState>(
                    equipment,
                    EquipmentCommand::StartUse {
                        batch: id.to_owned(),
                        step: Some(step.to_owned()),
                    },
                )
                .await?;
            }
            _ => {}
        }
        Ok(())
    }

    /// The end of production: the batch yields its product lot (`<product>/<batch
    /// number>`, in quarantine until the batch's disposition), and the tracker row
    /// of the batch gets its end of production and the yield (genealogy).
    pub(super) async fn report_completion(
        &self,
        unit: &mut crate::unit::Unit<'_>,
        started: &EbrStarted,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let id = format!("{}/{}", started.site, started.number);
        let lot = LotRef::parse(&started.product, &started.number)?;
        // The record as it will be once the unit commits: its yield step's entry is
        // the lot's quantity.
        let quantity = unit.state::<EbrState>(&id).await?.yielded();
        if self.store.lot(&lot.id()).await?.is_none() {
            let new = NewLot::new(
                lot.clone(),
                &Code::parse("site", &started.site)
                    .map_err(|e| DomainError::Validation(vec![e]))?,
                LotStatus::Quarantine,
                LotOrigin::Produced { batch: id.clone() },
                quantity.clone(),
                None,
                None,
            )?;
            unit.decide::<LotState>(&lot.id(), LotCommand::Register(new))
                .await?;
        }
        let mut report = tracker_report(started)?;
        report
            .actual
            .insert(Milestone::ProductionComplete, now.date());
        report.yield_lot(lot, quantity);
        unit.decide::<BatchState>(
            &id,
            BatchCommand::Report {
                report: Box::new(report),
                reason: None,
            },
        )
        .await?;
        Ok(())
    }

    /// Ends the use of equipment taken in a unit procedure whose steps are all
    /// done: it becomes dirty, and its dirty-hold time starts.
    pub(super) async fn release_equipment(
        &self,
        id: &str,
        request: &Request,
    ) -> Result<(), AppError> {
        let (state, _) = self.load::<EbrState>(&EbrState::stream_id(id)).await?;
        let Some(started) = &state.started else {
            return Ok(());
        };
        let steps = started.recipe.steps();
        let mut unit = self.unit(request);
        for up in &started.recipe.unit_procedures {
            let in_up: Vec<_> = steps
                .iter()
                .filter(|s| s.unit_procedure.id == up.id)
                .collect();
            if !in_up
                .iter()
                .all(|s| state.step_status(&s.phase.id).is_done())
            {
                continue;
            }
            for s in in_up {
                for e in state.current_entries(&s.phase.id) {
                    if let EntryValue::Equipment { equipment } = &e.recorded.value {
                        let (eq, _) = self
                            .load::<EquipmentState>(&EquipmentState::stream_id(equipment))
                            .await?;
                        if eq.in_use_by.as_deref() == Some(id) {
                            unit.decide::<EquipmentState>(
                                equipment,
                                EquipmentCommand::EndUse {
                                    batch: id.to_owned(),
                                },
                            )
                            .await?;
                        }
                    }
                }
            }
        }
        unit.commit_all().await?;
        Ok(())
    }
}
