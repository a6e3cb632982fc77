//! Batch execution as use cases: start a batch from a production order and the
//! effective MBR, record entries (with the facts the checks need read here, the
//! exceptions they raise numbered and created in the same commit), sign steps, QA's
//! acknowledgement, review and disposition. An executed batch is also a row of the
//! tracker (`batch/<site>/<number>`, source `ebr`): its start, consumed lots, end of
//! production and disposition are reported there in the same commits.

use vplant_domain::batch::events::BatchSource;
use vplant_domain::batch::milestone::Milestone;
use vplant_domain::batch::report::BatchReport;
use vplant_domain::batch::{BatchCommand, BatchState};
use vplant_domain::ebr::checks::Violation;
use vplant_domain::ebr::events::EbrStarted;
use vplant_domain::ebr::review::{self, ReviewItem};
use vplant_domain::ebr::{EbrCommand, EbrState};
use vplant_domain::exception::fields::{Classification, DuePolicy, Origin};
use vplant_domain::exception::{ExceptionCommand, NewException, RaiseInput};
use vplant_domain::fields::{Code, Number};
use vplant_domain::identity::Scope;
use vplant_domain::site::SiteKind;
use vplant_domain::units::Quantity;
use vplant_domain::{Aggregate, DomainError, Event, FieldError, Timestamp};
use vplant_store::StoreError;
use vplant_store::queries::mes::EbrRow;

use crate::{App, AppError, Request};

mod entries;
mod signing;

/// The statuses a batch record's row can have, as lists filter by them.
pub const STATUSES: [&str; 4] = ["in_progress", "awaiting_review", "released", "rejected"];

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
    /// What the ledger keeps beside each event of the record, in stream order: who,
    /// when it arrived, why.
    pub ledger: Vec<Recorded>,
}

/// What the ledger keeps beside one event's content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    /// The event's stream version.
    pub version: u64,
    pub actor: String,
    /// The reason given with the command (a correction's, a skip's).
    pub reason: Option<String>,
    /// When the event reached the ledger, by the server's clock.
    pub recorded_at: Timestamp,
    /// The event's ledger hash, hex.
    pub hash: String,
}

impl EbrView {
    /// The ledger's facts about the event at stream version `version`.
    pub fn recorded(&self, version: u64) -> Option<&Recorded> {
        self.ledger
            .binary_search_by_key(&version, |r| r.version)
            .ok()
            .and_then(|i| self.ledger.get(i))
    }
}

/// A report of the batch to its tracker row, to fill in with what is new.
fn tracker_report(started: &EbrStarted) -> Result<BatchReport, DomainError> {
    BatchReport::new(
        &started.site,
        &started.number,
        &started.product,
        BatchSource::Ebr,
    )
}

/// The command that raises exception `number` for what went wrong at `step` of batch
/// record `id` (`started`), found today: the exception links the batch and names the
/// step as its origin.
fn execution_exception(
    started: &EbrStarted,
    id: &str,
    step: &str,
    number: &str,
    today: &str,
    found: &Violation,
) -> Result<ExceptionCommand, DomainError> {
    let raise = RaiseInput {
        site: started.site.clone(),
        product: started.product.clone(),
        batches: vec![id.to_owned()],
        occurred: today.to_owned(),
        discovered: today.to_owned(),
        title: found.title.chars().take(200).collect(),
        description: found.description.clone(),
        classification: found.classification.as_str().to_owned(),
        category: found.category.as_str().to_owned(),
        immediate_action: String::new(),
    };
    let origin = Origin::Execution {
        batch: id.to_owned(),
        step: step.to_owned(),
    };
    let new = NewException::parse(number, &raise, origin, DuePolicy::default())?;
    Ok(ExceptionCommand::Raise(Box::new(new)))
}

fn not_found(id: &str) -> AppError {
    AppError::Domain(DomainError::NotFound {
        what: "batch record",
        id: id.to_owned(),
    })
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
        // The stream is folded here rather than by `load`, because the printed record
        // and the sheet also show when each entry reached the ledger and the reason
        // given with it, which only the ledger row holds.
        let mut state = EbrState::default();
        let mut ledger = Vec::new();
        for stored in self.store.stream(&EbrState::stream_id(&id)).await? {
            let event = Event::from_parts(&stored.event_type, &stored.payload)
                .map_err(|e| StoreError::Corrupt(format!("event {}: {e}", stored.seq)))?;
            let recorded_at = Timestamp::from_micros(stored.recorded_at_us);
            state.apply_recorded(&event, recorded_at);
            ledger.push(Recorded {
                version: stored.stream_version,
                actor: stored.actor,
                reason: stored.reason,
                recorded_at,
                hash: stored.hash.to_hex(),
            });
        }
        let review = review::items(&state);
        Ok(EbrView {
            row,
            state,
            review,
            ledger,
        })
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
        let mut report = tracker_report(&start)?;
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
}
