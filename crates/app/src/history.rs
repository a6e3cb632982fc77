//! A record's history as people read it: who, what, when, why, old and new values.

use serde::Serialize;
use utoipa::ToSchema;
use vplant_domain::history::describe;
use vplant_domain::{Event, Timestamp};
use vplant_ledger::LedgerEvent;
use vplant_store::StoreError;

use crate::{App, AppError};

/// One change in a record's history.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct HistoryEntry {
    pub seq: u64,
    pub version: u64,
    pub event_type: String,
    pub summary: String,
    pub actor: String,
    pub reason: Option<String>,
    #[schema(value_type = String)]
    pub recorded_at: Timestamp,
    pub changes: Vec<Change>,
    /// The event's hash in the ledger, hex.
    pub hash: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Change {
    pub field: String,
    pub old: Option<String>,
    pub new: String,
}

impl App {
    /// The history of stream `stream_id`, oldest first; empty when it does not exist.
    pub async fn history(&self, stream_id: &str) -> Result<Vec<HistoryEntry>, AppError> {
        let events = self.store.stream(stream_id).await?;
        events.into_iter().map(entry).collect()
    }
}

/// A stored event as people read it. A record's history and the audit trail both go
/// through here, so that they describe the same event in the same words and neither
/// can show what `describe` keeps back (password and token hashes).
pub(crate) fn entry(stored: LedgerEvent) -> Result<HistoryEntry, AppError> {
    let event = Event::from_parts(&stored.event_type, &stored.payload)
        .map_err(|e| StoreError::Corrupt(format!("event {}: {e}", stored.seq)))?;
    let (summary, changes) = describe(&event);
    Ok(HistoryEntry {
        seq: stored.seq,
        version: stored.stream_version,
        event_type: stored.event_type,
        summary,
        actor: stored.actor,
        reason: stored.reason,
        recorded_at: Timestamp::from_micros(stored.recorded_at_us),
        changes: changes
            .into_iter()
            .map(|c| Change {
                field: c.field,
                old: c.old,
                new: c.new,
            })
            .collect(),
        hash: stored.hash.to_hex(),
    })
}
