//! Every event the domain can record. The ledger stores an event as its type name and
//! its JSON payload; [`Event::to_parts`] and [`Event::from_parts`] are the only bridge.

use serde::{Deserialize, Serialize};

use crate::action::events::{
    ActionCompleted, ActionCreated, ActionDueChanged, EffectivenessChecked, EvidenceAdded,
    OwnerChanged,
};
use crate::batch::events::{
    BatchRecorded, BatchSizeChanged, DispositionChanged, LotLinked, MilestonesChanged,
    ResultsRecorded, SeriesRecorded, ShipmentChanged,
};
use crate::ebr::events::{
    EbrDisposed, EbrStarted, EntryRecorded, EntryRefused, ExceptionAcknowledged, ExceptionLinked,
    StepSkipped,
};
use crate::equipment::{EquipmentCalibrated, EquipmentRegistered, EquipmentUse, LogbookNote};
use crate::exception::events::{
    DueDateExtended, ExceptionAssessed, ExceptionClosed, ExceptionRaised, ExtensionRequested,
};
use crate::identity::api_token::ApiTokenIssued;
use crate::identity::session::{SessionEnded, SessionStarted};
use crate::identity::unknown::UnknownUserSignIn;
use crate::identity::user::{
    PasswordSet, SignInFailed, UserAccessChanged, UserLocked, UserProfileChanged, UserRegistered,
};
use crate::kpi::recorded::KpiResultsRecorded;
use crate::lot::{LotRegistered, LotStatusChanged};
use crate::master::Renamed;
use crate::material::MaterialRegistered;
use crate::mbr::events::{MbrDrafted, MbrRetired, MbrRevised, MbrSuperseded};
use crate::notice::OverdueNoticeSent;
use crate::numbering::NumberTaken;
use crate::product::ProductRegistered;
use crate::signature::RecordSigned;
use crate::site::SiteRegistered;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum Event {
    SiteRegistered(SiteRegistered),
    SiteRenamed(Renamed),
    SiteDeactivated(Empty),
    SiteReactivated(Empty),
    ProductRegistered(ProductRegistered),
    ProductRenamed(Renamed),
    ProductDeactivated(Empty),
    ProductReactivated(Empty),
    UserRegistered(UserRegistered),
    UserProfileChanged(UserProfileChanged),
    UserAccessChanged(UserAccessChanged),
    UserPasswordChanged(PasswordSet),
    UserPasswordReset(PasswordSet),
    UserSignInFailed(SignInFailed),
    UserSignInFailuresCleared(Empty),
    UserLocked(UserLocked),
    UserUnlocked(Empty),
    UserDeactivated(Empty),
    UserReactivated(Empty),
    UserSessionsRevoked(Empty),
    UnknownUserSignIn(UnknownUserSignIn),
    SessionStarted(SessionStarted),
    SessionActive(Empty),
    SessionEnded(SessionEnded),
    ApiTokenIssued(ApiTokenIssued),
    ApiTokenRevoked(Empty),
    MaterialRegistered(MaterialRegistered),
    MaterialRenamed(Renamed),
    MaterialDeactivated(Empty),
    MaterialReactivated(Empty),
    LotRegistered(LotRegistered),
    LotStatusChanged(LotStatusChanged),
    BatchRecorded(BatchRecorded),
    BatchMilestonesChanged(MilestonesChanged),
    BatchSizeChanged(BatchSizeChanged),
    BatchDispositionChanged(DispositionChanged),
    BatchShipmentChanged(ShipmentChanged),
    BatchConsumedLot(LotLinked),
    BatchYieldedLot(LotLinked),
    BatchResultsRecorded(ResultsRecorded),
    BatchSeriesRecorded(SeriesRecorded),
    ExceptionRaised(ExceptionRaised),
    ExceptionInvestigationStarted(Empty),
    ExceptionAssessed(ExceptionAssessed),
    ExceptionSubmitted(Empty),
    ExceptionClosed(ExceptionClosed),
    ExceptionReturned(Empty),
    ExceptionCancelled(Empty),
    ExceptionExtensionRequested(ExtensionRequested),
    ExceptionDueDateExtended(DueDateExtended),
    ExceptionExtensionRefused(Empty),
    ActionCreated(ActionCreated),
    ActionStarted(Empty),
    ActionEvidenceAdded(EvidenceAdded),
    ActionCompleted(ActionCompleted),
    ActionEffectivenessChecked(EffectivenessChecked),
    ActionOwnerChanged(OwnerChanged),
    ActionDueChanged(ActionDueChanged),
    ActionCancelled(Empty),
    MbrDrafted(MbrDrafted),
    MbrRevised(MbrRevised),
    MbrSubmitted(Empty),
    MbrWithdrawn(Empty),
    MbrApproved(Empty),
    MbrReturned(Empty),
    MbrMadeEffective(Empty),
    MbrSuperseded(MbrSuperseded),
    MbrRetired(MbrRetired),
    EbrStarted(EbrStarted),
    EbrEntryRecorded(EntryRecorded),
    EbrEntryRefused(EntryRefused),
    EbrStepSkipped(StepSkipped),
    EbrExceptionLinked(ExceptionLinked),
    EbrExceptionAcknowledged(ExceptionAcknowledged),
    EbrCompleted(Empty),
    EbrDisposed(EbrDisposed),
    EquipmentRegistered(EquipmentRegistered),
    EquipmentUseStarted(EquipmentUse),
    EquipmentUseEnded(EquipmentUse),
    EquipmentCleaned(LogbookNote),
    EquipmentMaintenanceStarted(LogbookNote),
    EquipmentMaintenanceEnded(LogbookNote),
    EquipmentCalibrated(EquipmentCalibrated),
    /// A period's KPI figures, as computed, with their definition versions.
    KpiResultsRecorded(KpiResultsRecorded),
    /// A person was told by e-mail what of theirs is overdue.
    OverdueNoticeSent(OverdueNoticeSent),
    /// A counter that hands out record numbers (e.g. the exceptions of a year).
    NumberTaken(NumberTaken),
    /// An electronic signature, appended to the stream of the record it signs.
    RecordSigned(RecordSigned),
}

/// The payload of events that carry nothing beyond their type (and the reason the
/// ledger records beside them).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

/// A stored event whose type or payload this build does not understand.
#[derive(Debug, thiserror::Error)]
#[error("event type '{event_type}' with payload {payload} cannot be read: {reason}")]
pub struct UnknownEvent {
    pub event_type: String,
    pub payload: String,
    pub reason: String,
}

impl Event {
    /// The type name and the JSON payload, as the ledger stores them. Payload keys are
    /// sorted (serde_json's map is ordered), so equal events give equal bytes.
    pub fn to_parts(&self) -> (String, String) {
        let value = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        let event_type = value
            .get("type")
            .and_then(|t| t.as_str())
            .unwrap_or_default()
            .to_owned();
        let payload = value
            .get("data")
            .map(serde_json::Value::to_string)
            .unwrap_or_else(|| "{}".to_owned());
        (event_type, payload)
    }

    /// A signature, or what a signature did to its record (see
    /// `signature::consequences`): neither makes the signer an author of the record.
    pub fn is_signature_or_consequence(&self) -> bool {
        matches!(
            self,
            Event::RecordSigned(_)
                | Event::ExceptionClosed(_)
                | Event::ExceptionReturned(_)
                | Event::ExceptionDueDateExtended(_)
                | Event::ExceptionExtensionRefused(_)
                | Event::MbrApproved(_)
                | Event::LotStatusChanged(_)
                | Event::MbrReturned(_)
                | Event::EbrExceptionAcknowledged(_)
                | Event::EbrCompleted(_)
                | Event::EbrDisposed(_)
        )
    }

    pub fn from_parts(event_type: &str, payload: &str) -> Result<Event, UnknownEvent> {
        let fail = |reason: String| UnknownEvent {
            event_type: event_type.to_owned(),
            payload: payload.to_owned(),
            reason,
        };
        let data: serde_json::Value =
            serde_json::from_str(payload).map_err(|e| fail(e.to_string()))?;
        let tagged = serde_json::json!({ "type": event_type, "data": data });
        serde_json::from_value(tagged).map_err(|e| fail(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::SiteKind;

    #[test]
    fn events_round_trip_through_their_stored_parts() {
        let event = Event::SiteRegistered(SiteRegistered {
            code: "BSL".into(),
            name: "Basel".into(),
            kind: SiteKind::Internal,
            country: "CH".into(),
        });
        let (event_type, payload) = event.to_parts();
        assert_eq!(event_type, "SiteRegistered");
        assert_eq!(
            payload,
            r#"{"code":"BSL","country":"CH","kind":"internal","name":"Basel"}"#
        );
        assert_eq!(Event::from_parts(&event_type, &payload).unwrap(), event);
        let (t, p) = Event::SiteDeactivated(Empty {}).to_parts();
        assert_eq!((t.as_str(), p.as_str()), ("SiteDeactivated", "{}"));
        assert_eq!(
            Event::from_parts(&t, &p).unwrap(),
            Event::SiteDeactivated(Empty {})
        );
    }
}
