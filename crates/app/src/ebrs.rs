//! Batch execution as use cases: start a batch from a production order and the
//! effective MBR, record entries (with the facts the checks need read here, the
//! exceptions they raise numbered and created in the same commit), sign steps, QA's
//! acknowledgement, review and disposition. An executed batch is also a row of the
//! tracker (`batch/<site>/<number>`, source `ebr`): its start, consumed lots, end of
//! production and disposition are reported there in the same commits.

use std::collections::BTreeMap;

use vplant_domain::batch::events::{BatchSource, Disposition};
use vplant_domain::batch::milestone::Milestone;
use vplant_domain::batch::report::BatchReport;
use vplant_domain::batch::{BatchCommand, BatchState};
use vplant_domain::dates::PartialDate;
use vplant_domain::ebr::checks::{EquipmentFacts, Facts, Input, LotFacts};
use vplant_domain::ebr::events::{EbrStarted, EntryValue};
use vplant_domain::ebr::review::{self, ReviewItem};
use vplant_domain::ebr::{EbrCommand, EbrState, Record, SignatureFacts};
use vplant_domain::equipment::{EquipmentCommand, EquipmentState};
use vplant_domain::exception::fields::{Classification, DuePolicy, Origin};
use vplant_domain::exception::{ExceptionCommand, ExceptionState, NewException, RaiseInput};
use vplant_domain::fields::{Code, Number, Reason};
use vplant_domain::identity::{Principal, Scope};
use vplant_domain::lot::{LotCommand, LotOrigin, LotRef, LotState, LotStatus, NewLot};
use vplant_domain::mbr::step::StepKind;
use vplant_domain::numbering::{CounterState, TakeNumber};
use vplant_domain::site::SiteKind;
use vplant_domain::units::Quantity;
use vplant_domain::{Aggregate, DomainError, Event, FieldError, Timestamp};
use vplant_store::StoreError;
use vplant_store::queries::mes::EbrRow;

use crate::signatures::SignatureInput;
use crate::{App, AppError, Request};

/// A batch to start, unparsed.
#[derive(Clone, Debug, Default)]
pub struct StartInput {
    pub site: String,
    pub number: String,
    pub order: String,
    pub mbr: String,
    pub size: String,
    pub size_unit: String,
}

/// An entry, unparsed: `value` is read according to the step's kind.
#[derive(Clone, Debug, Default)]
pub struct EntryInput {
    pub step: String,
    pub value: String,
    /// The lot scanned at a dispense step, `<material>/<lot>`.
    pub lot: String,
    /// The unit of a dispensed quantity.
    pub unit: String,
    pub device: String,
    /// When it was done on the device (RFC 3339); empty means now.
    pub performed_at: String,
    pub corrects: Option<u32>,
    pub reason: String,
}

/// What an entry did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryOutcome {
    /// The entry's number, when it was recorded (not refused).
    pub entry: Option<u32>,
    /// Why the checks refused it, when they did.
    pub refused: Option<String>,
    /// Exceptions raised on the spot, with their classification.
    pub exceptions: Vec<(String, Classification)>,
    /// Outside alert, action or specification limits.
    pub excursion: Option<String>,
    /// A retry with an idempotency key already used: nothing new was written.
    pub replayed: bool,
}

/// A batch record and what QA must look at.
#[derive(Clone, Debug)]
pub struct EbrView {
    pub row: EbrRow,
    pub state: EbrState,
    pub review: Vec<ReviewItem>,
}

fn not_found(id: &str) -> AppError {
    AppError::Domain(DomainError::NotFound {
        what: "batch record",
        id: id.to_owned(),
    })
}

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
    pub async fn ebrs(
        &self,
        scope: &Scope,
        status: Option<String>,
    ) -> Result<Vec<EbrRow>, AppError> {
        Ok(self
            .store
            .ebrs(crate::batches::scope_sites(scope), status)
            .await?)
    }

    /// A batch record the viewer may see, folded, with its review list.
    pub async fn ebr(&self, scope: &Scope, id: &str) -> Result<EbrView, AppError> {
        let id = id.to_uppercase();
        let row = self
            .store
            .ebr(&id)
            .await?
            .filter(|r| scope.sees(&r.site))
            .ok_or_else(|| not_found(&id))?;
        let (state, _) = self.load::<EbrState>(&EbrState::stream_id(&id)).await?;
        let review = review::items(&state);
        Ok(EbrView { row, state, review })
    }

    /// Starts a batch at an internal site from the MBR's effective version.
    pub async fn start_batch(
        &self,
        scope: &Scope,
        input: &StartInput,
        request: &Request,
    ) -> Result<EbrRow, AppError> {
        let mut errors = Vec::new();
        let site = Code::parse("site", &input.site)
            .map_err(|e| errors.push(e))
            .ok();
        let number = Number::parse("number", &input.number)
            .map_err(|e| errors.push(e))
            .ok();
        let order = Number::parse("order", &input.order)
            .map_err(|e| errors.push(e))
            .ok();
        let size = Quantity::parse("size", &input.size, &input.size_unit)
            .map_err(|e| errors.push(e))
            .ok();
        if let Some(site) = &site {
            match self.store.site(site.as_str()).await? {
                Some(s)
                    if s.active && s.kind == SiteKind::Internal.as_str() && scope.sees(&s.code) => {
                }
                _ => errors.push(FieldError::new(
                    "site",
                    format!(
                        "'{}' is not an active internal site you may work at",
                        site.as_str()
                    ),
                )),
            }
        }
        let mbr = self.effective_mbr(&input.mbr).await?;
        if mbr.is_none() {
            errors.push(FieldError::new(
                "mbr",
                format!(
                    "'{}' has no effective version; only an effective MBR can start a batch",
                    input.mbr.trim()
                ),
            ));
        }
        let (Some(site), Some(number), Some(order), Some(size), Some(mbr), true) =
            (site, number, order, size, mbr, errors.is_empty())
        else {
            return Err(DomainError::Validation(errors).into());
        };
        let id = format!("{}/{}", site.as_str(), number.as_str());
        let start = EbrStarted {
            site: site.as_str().to_owned(),
            number: number.as_str().to_owned(),
            order: order.as_str().to_owned(),
            product: mbr.recipe.product.clone(),
            size: size.clone(),
            mbr: mbr.row.code.clone(),
            mbr_version: mbr.row.mbr_version,
            recipe: mbr.recipe.clone(),
        };
        let mut report = BatchReport::new(
            site.as_str(),
            number.as_str(),
            &mbr.recipe.product,
            BatchSource::Ebr,
        )?;
        report.size = Some(size);
        report
            .actual
            .insert(Milestone::ProductionStart, self.store.now().date());
        let mut unit = self.unit(request);
        unit.decide::<EbrState>(&id, EbrCommand::Start(Box::new(start)))
            .await?;
        unit.decide::<BatchState>(
            &id,
            BatchCommand::Report {
                report: Box::new(report),
                reason: None,
            },
        )
        .await?;
        unit.commit_all().await?;
        self.store.ebr(&id).await?.ok_or_else(|| not_found(&id))
    }

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
                Err(AppError::Store(StoreError::Conflict { .. })) if attempt < 5 => {}
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
            unit.decide::<CounterState>(
                &series,
                TakeNumber {
                    series: series.clone(),
                },
            )
            .await?;
            if let Some(Event::NumberTaken(n)) = unit.decided::<CounterState>(&series).last() {
                record.numbers.push(n.number.clone());
            }
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
            let raise = RaiseInput {
                site: started.site.clone(),
                product: started.product.clone(),
                batches: vec![id.to_owned()],
                occurred: today.clone(),
                discovered: today.clone(),
                title: v.title.chars().take(200).collect(),
                description: v.description.clone(),
                classification: v.classification.as_str().to_owned(),
                category: v.category.as_str().to_owned(),
                immediate_action: String::new(),
            };
            let origin = Origin::Execution {
                batch: id.to_owned(),
                step: step.clone(),
            };
            let new = NewException::parse(number, &raise, origin, DuePolicy::default())?;
            unit.decide::<ExceptionState>(number, ExceptionCommand::Raise(Box::new(new)))
                .await?;
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
                let mut report = BatchReport::new(
                    &started.site,
                    &started.number,
                    &started.product,
                    BatchSource::Ebr,
                )?;
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
    async fn report_completion(
        &self,
        unit: &mut crate::unit::Unit<'_>,
        started: &EbrStarted,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let id = format!("{}/{}", started.site, started.number);
        let lot = LotRef::parse(&started.product, &started.number)?;
        if self.store.lot(&lot.id()).await?.is_none() {
            let new = NewLot::new(
                lot.clone(),
                &Code::parse("site", &started.site)
                    .map_err(|e| DomainError::Validation(vec![e]))?,
                LotStatus::Quarantine,
                LotOrigin::Produced { batch: id.clone() },
                None,
                None,
                None,
            )?;
            unit.decide::<LotState>(&lot.id(), LotCommand::Register(new))
                .await?;
        }
        let mut report = BatchReport::new(
            &started.site,
            &started.number,
            &started.product,
            BatchSource::Ebr,
        )?;
        report
            .actual
            .insert(Milestone::ProductionComplete, now.date());
        report.yield_lot(lot, None);
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
    async fn release_equipment(&self, id: &str, request: &Request) -> Result<(), AppError> {
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

    /// Signs batch record `id`: a step as performed or verified (`subject` is the
    /// step), an exception raised in it as acknowledged (`subject` is its number,
    /// meaning reviewed), or the record as reviewed, released or rejected (`subject`
    /// empty). The disposition is reported to the batch's tracker row in the same
    /// commit.
    pub async fn sign_batch(
        &self,
        signer: &Principal,
        id: &str,
        subject: Option<&str>,
        input: &SignatureInput,
        client: &str,
    ) -> Result<EbrView, AppError> {
        let view = self.ebr(&signer.scope(), id).await?;
        let id = view.row.id.clone();
        let meaning = self.verify_signer(signer, input, client).await?;
        let subject = subject
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .map(|s| {
                if s.starts_with("EX-") || s.starts_with("ex-") {
                    s.to_uppercase()
                } else {
                    s.to_lowercase()
                }
            });
        let stream_id = EbrState::stream_id(&id);
        let (event, events, version) = self
            .decide_signature(
                signer,
                &stream_id,
                &format!("batch record {id}"),
                input,
                meaning,
                subject.clone(),
            )
            .await?;
        let mut state = EbrState::default();
        events.iter().for_each(|e| state.apply(e));
        let open: Vec<(String, Classification)> = self
            .store
            .open_exceptions_of_batch(&id)
            .await?
            .into_iter()
            .filter_map(|(n, c)| {
                Classification::parse("classification", &c)
                    .ok()
                    .map(|c| (n, c))
            })
            .collect();
        let facts = SignatureFacts {
            open_exceptions: &open,
        };
        let consequences =
            state.on_signed(subject.as_deref(), meaning, &signer.username, &facts)?;
        let request = Request::by(&signer.username);
        let mut unit = self.unit(&request);
        let started = state.started.clone().ok_or_else(|| not_found(&id))?;
        let now = self.store.now();
        let completed = consequences
            .iter()
            .any(|c| matches!(c, Event::EbrCompleted(_)));
        let disposed = consequences.iter().find_map(|c| match c {
            Event::EbrDisposed(d) => Some(d.released),
            _ => None,
        });
        // The disposition, reported to the tracker row.
        let report = match disposed {
            Some(released) => {
                let mut r = BatchReport::new(
                    &started.site,
                    &started.number,
                    &started.product,
                    BatchSource::Ebr,
                )?;
                r.disposition = Some(if released {
                    Disposition::Released
                } else {
                    Disposition::Rejected
                });
                r.actual.insert(Milestone::RecordReviewComplete, now.date());
                r.actual.insert(Milestone::Disposition, now.date());
                Some(r)
            }
            None => None,
        };
        let mut appended = vec![event];
        appended.extend(consequences);
        unit.append(&stream_id, version, appended);
        if completed {
            self.report_completion(&mut unit, &started, now).await?;
        }
        let product_lot = LotRef::parse(&started.product, &started.number)?.id();
        if let Some(released) = disposed
            && self.store.lot(&product_lot).await?.is_some()
        {
            unit.decide::<LotState>(
                &product_lot,
                LotCommand::FollowBatch {
                    batch: id.clone(),
                    released,
                },
            )
            .await?;
        }
        if let Some(r) = report {
            unit.decide::<BatchState>(
                &id,
                BatchCommand::Report {
                    report: Box::new(r),
                    reason: None,
                },
            )
            .await?;
        }
        unit.commit_all().await?;
        self.release_equipment(&id, &request).await?;
        self.ebr(&signer.scope(), &id).await
    }

    /// Skips a step with a reason; a major exception is raised with it.
    pub async fn skip_step(
        &self,
        scope: &Scope,
        id: &str,
        step: &str,
        reason: &str,
        request: &Request,
    ) -> Result<String, AppError> {
        let view = self.ebr(scope, id).await?;
        let id = view.row.id.clone();
        let started = view.state.started.clone().ok_or_else(|| not_found(&id))?;
        let reason =
            Reason::parse("reason", reason).map_err(|e| DomainError::Validation(vec![e]))?;
        let step = step.trim().to_lowercase();
        let name = started
            .recipe
            .step(&step)
            .map(|l| l.phase.name.clone())
            .ok_or_else(|| {
                DomainError::field("step", format!("'{step}' is not a step of batch {id}"))
            })?;
        let today = self.store.now().date().to_string();
        let raise = |number: &str| -> Result<ExceptionCommand, DomainError> {
            let input = RaiseInput {
                site: started.site.clone(),
                product: started.product.clone(),
                batches: vec![id.clone()],
                occurred: today.clone(),
                discovered: today.clone(),
                title: format!("{name}: step skipped"),
                description: format!("{name} was skipped: {}", reason.as_str()),
                classification: Classification::Major.as_str().to_owned(),
                category: "process".to_owned(),
                immediate_action: String::new(),
            };
            let origin = Origin::Execution {
                batch: id.clone(),
                step: step.clone(),
            };
            Ok(ExceptionCommand::Raise(Box::new(NewException::parse(
                number,
                &input,
                origin,
                DuePolicy::default(),
            )?)))
        };
        let series = format!("EX-{}", self.store.now().date().year());
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut unit = self.unit(request);
            unit.decide::<CounterState>(
                &series,
                TakeNumber {
                    series: series.clone(),
                },
            )
            .await?;
            let Some(Event::NumberTaken(taken)) =
                unit.decided::<CounterState>(&series).last().copied()
            else {
                return Err(AppError::Internal(
                    "the counter handed out no number".into(),
                ));
            };
            let number = taken.number.clone();
            unit.decide::<EbrState>(
                &id,
                EbrCommand::Skip {
                    step: step.clone(),
                    reason: reason.clone(),
                    number: number.clone(),
                },
            )
            .await?;
            unit.decide::<ExceptionState>(&number, raise(&number)?)
                .await?;
            if unit
                .decided::<EbrState>(&id)
                .iter()
                .any(|e| matches!(e, Event::EbrCompleted(_)))
            {
                self.report_completion(&mut unit, &started, self.store.now())
                    .await?;
            }
            match unit.commit_all().await {
                Err(AppError::Store(StoreError::Conflict { .. })) if attempt < 5 => {}
                Err(e) => return Err(e),
                Ok(_) => {
                    self.release_equipment(&id, request).await?;
                    return Ok(number);
                }
            }
        }
    }
}

/// Entries of one step, for display: number, value, who, when, corrections.
pub fn entries_by_step(state: &EbrState) -> BTreeMap<String, Vec<&vplant_domain::ebr::Entry>> {
    let mut out: BTreeMap<String, Vec<_>> = BTreeMap::new();
    for e in &state.entries {
        out.entry(e.recorded.step.clone()).or_default().push(e);
    }
    out
}
