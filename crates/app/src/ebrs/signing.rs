//! Signatures on a batch record (steps, QA acknowledgement, review, disposition)
//! and skipped steps.

use vplant_domain::batch::events::Disposition;
use vplant_domain::batch::milestone::Milestone;
use vplant_domain::batch::{BatchCommand, BatchState};
use vplant_domain::ebr::checks::Violation;
use vplant_domain::ebr::{EbrCommand, EbrState, SignatureFacts};
use vplant_domain::exception::ExceptionState;
use vplant_domain::exception::fields::{Category, Classification};
use vplant_domain::fields::Reason;
use vplant_domain::identity::{Principal, Scope};
use vplant_domain::lot::{LotCommand, LotRef, LotState};
use vplant_domain::{Aggregate, DomainError, Event};

use crate::numbered::{NUMBER_ATTEMPTS, lost_race};
use crate::signatures::SignatureInput;
use crate::{App, AppError, Request};

use super::{EbrView, execution_exception, not_found, tracker_report};

impl App {
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
                let mut r = tracker_report(&started)?;
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
        let skipped = Violation {
            classification: Classification::Major,
            category: Category::Process,
            title: format!("{name}: step skipped"),
            description: format!("{name} was skipped: {}", reason.as_str()),
        };
        let raise =
            |number: &str| execution_exception(&started, &id, &step, number, &today, &skipped);
        let series = format!("EX-{}", self.store.now().date().year());
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut unit = self.unit(request);
            let number = unit.take_number(&series).await?;
            unit.decide::<EbrState>(
                &id,
                EbrCommand::Skip {
                    step: step.clone(),
                    reason: reason.clone(),
                    number: number.clone(),
                },
            )
            .await?;
            if let Err(e) = unit
                .decide::<ExceptionState>(&number, raise(&number)?)
                .await
            {
                if lost_race(&e) && attempt < NUMBER_ATTEMPTS {
                    continue;
                }
                return Err(e);
            }
            if unit
                .decided::<EbrState>(&id)
                .iter()
                .any(|e| matches!(e, Event::EbrCompleted(_)))
            {
                self.report_completion(&mut unit, &started, self.store.now())
                    .await?;
            }
            match unit.commit_all().await {
                Err(e) if lost_race(&e) && attempt < NUMBER_ATTEMPTS => {}
                Err(e) => return Err(e),
                Ok(_) => {
                    self.release_equipment(&id, request).await?;
                    return Ok(number);
                }
            }
        }
    }
}
