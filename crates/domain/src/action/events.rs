//! What the ledger records about an action.

use serde::{Deserialize, Serialize};

use crate::choice;
use crate::dates::PartialDate;

choice!(
    /// SPEC §2.5: the one tracker holds every follow-up.
    ActionKind, "an action kind" {
        Capa = "capa" / "CAPA",
        Correction = "correction" / "Correction",
        MeetingAction = "meeting_action" / "Meeting action item",
        RiskMitigation = "risk_mitigation" / "Risk mitigation",
        CrisisTask = "crisis_task" / "Crisis task",
        ProjectTask = "project_task" / "Project task",
        Other = "other" / "Other",
    }
);

choice!(
    /// What an action follows up.
    SourceKind, "a source kind" {
        Exception = "exception" / "Exception",
        Meeting = "meeting" / "Meeting",
        Risk = "risk" / "Risk",
        Crisis = "crisis" / "Crisis",
        Project = "project" / "Project",
    }
);

/// The record an action follows up, e.g. exception `EX-2026-0042`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub kind: SourceKind,
    pub id: String,
}

/// A CAPA's effectiveness check: what will show it worked, and by when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EffectivenessCheck {
    pub criterion: String,
    pub due: PartialDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionCreated {
    pub number: String,
    pub kind: ActionKind,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Username of the person who owns it.
    pub owner: String,
    pub due: PartialDate,
    /// The site it concerns (it scopes who sees it), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effectiveness: Option<EffectivenessCheck>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceAdded {
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionCompleted {
    pub on: PartialDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnerChanged {
    pub from: String,
    pub to: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionDueChanged {
    pub from: PartialDate,
    pub to: PartialDate,
}

/// The result of a CAPA's effectiveness check; an ineffective CAPA is reopened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EffectivenessChecked {
    pub effective: bool,
    pub note: String,
    pub on: PartialDate,
}
