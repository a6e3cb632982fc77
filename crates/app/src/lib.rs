//! Use cases: the one place that turns a parsed command into committed events.
//!
//! Every write, from a web form, the JSON API, the CLI or an importer, goes through
//! [`App::execute`]: load the stream, fold it into state, let the pure domain decide,
//! and hand the events to `Store::commit`. Handlers stay thin because of it.

pub mod actions;
pub mod audit;
pub mod batches;
pub mod ebr_record;
pub mod ebr_sheet;
pub mod ebrs;
pub mod equipment;
pub mod exceptions;
pub mod genealogy_index;
mod history;
pub mod identity;
pub mod import;
pub mod kpi;
pub mod kpi_facts;
pub mod master;
pub mod mbrs;
pub mod notices;
mod numbered;
pub mod signatures;
pub mod tracker_file;
pub mod unit;

use std::sync::Arc;

use identity::{Security, SecurityPolicy};
use vplant_domain::{Actor, Aggregate, Ctx, DomainError, Event};
use vplant_store::{CommitOutcome, CommitRequest, Idempotency, Store, StoreError};

pub use history::HistoryEntry;

/// Why a use case did not happen.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Auth(#[from] identity::AuthError),
    /// A failure that is a bug or a broken environment (the random source, a
    /// crashed hashing thread); the message is for the log.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Domain(e) => e.code(),
            AppError::Store(e) => e.code(),
            AppError::Auth(e) => e.code(),
            AppError::Internal(_) => "VP-INTERNAL",
        }
    }
}

/// An aggregate says "not found" without knowing its id; the use case names it.
pub(crate) fn name_missing(error: DomainError, id: &str) -> DomainError {
    match error {
        DomainError::NotFound { what, id: missing } if missing.is_empty() => {
            DomainError::NotFound {
                what,
                id: id.to_owned(),
            }
        }
        other => other,
    }
}

/// Who asks, and the optional guards a client can put on a command.
#[derive(Clone, Debug)]
pub struct Request {
    pub actor: Actor,
    /// The version the client saw. When set, a record changed since is a conflict.
    pub expected_version: Option<u64>,
    pub idempotency: Option<Idempotency>,
}

impl Request {
    pub fn by(actor: &str) -> Request {
        Request {
            actor: Actor(actor.to_owned()),
            expected_version: None,
            idempotency: None,
        }
    }
}

/// How often a command without a client-side expected version is re-decided after
/// losing a race to another writer of the same stream.
const RETRIES: usize = 3;

#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub security: Arc<Security>,
    /// The records KPIs count, held between dashboards (see `kpi.rs`).
    pub kpi: Arc<kpi_facts::KpiCache>,
    /// The genealogy graph traces walk, kept current from the ledger (see
    /// `genealogy_index`).
    pub genealogy: genealogy_index::GenealogyIndex,
}

impl App {
    /// The application with the default security policy.
    pub fn new(store: Store) -> Result<App, AppError> {
        App::with_policy(store, SecurityPolicy::default())
    }

    pub fn with_policy(store: Store, policy: SecurityPolicy) -> Result<App, AppError> {
        Ok(App {
            store,
            security: Arc::new(Security::new(policy)?),
            kpi: Arc::default(),
            genealogy: genealogy_index::GenealogyIndex::default(),
        })
    }

    /// Loads the aggregate `id`, decides `command` and commits the events.
    pub async fn execute<A: Aggregate>(
        &self,
        id: &str,
        command: A::Command,
        request: &Request,
    ) -> Result<CommitOutcome, AppError> {
        let stream_id = A::stream_id(id);
        if let Some(idem) = &request.idempotency
            && let Some(first) = self.store.idempotent_outcome(idem).await?
        {
            return Ok(first);
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            let (state, version) = self.load::<A>(&stream_id).await?;
            if let Some(expected) = request.expected_version
                && expected != version
            {
                return Err(StoreError::Conflict {
                    stream_id,
                    expected,
                    actual: version,
                }
                .into());
            }
            let ctx = Ctx {
                actor: request.actor.clone(),
                now: self.store.now(),
            };
            let events = state
                .decide(&command, &ctx)
                .map_err(|e| name_missing(e, id))?;
            let commit = CommitRequest {
                stream_id: stream_id.clone(),
                expected_version: version,
                events,
                actor: request.actor.as_str().to_owned(),
                reason: A::reason(&command).map(str::to_owned),
                idempotency: request.idempotency.clone(),
            };
            match self.store.commit(commit).await {
                Err(StoreError::Conflict { .. })
                    if request.expected_version.is_none() && attempt < RETRIES =>
                {
                    continue;
                }
                other => return Ok(other?),
            }
        }
    }

    pub(crate) async fn load<A: Aggregate>(&self, stream_id: &str) -> Result<(A, u64), AppError> {
        let mut state = A::default();
        let mut version = 0;
        for stored in self.store.stream(stream_id).await? {
            let event = Event::from_parts(&stored.event_type, &stored.payload)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            state.apply_recorded(
                &event,
                vplant_domain::Timestamp::from_micros(stored.recorded_at_us),
            );
            version = stored.stream_version;
        }
        Ok((state, version))
    }
}
