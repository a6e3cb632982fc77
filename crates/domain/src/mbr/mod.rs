//! Master batch records (SPEC §2.2): recipes in the ISA-88 procedural model and the
//! lifecycle of each version, draft → in review → approved → effective → superseded
//! or retired. Approval is an e-signature by someone who authored none of the
//! version (`signature::policy("mbr")`); an approved version is never edited — a
//! change is a new version drafted from it. Stream `mbr/<code>/<version>`.

pub mod check;
pub mod diff;
pub mod events;
pub mod formula;
pub(crate) mod history;
pub(crate) mod projection;
pub mod recipe;
pub mod step;

use events::{MbrDrafted, MbrRetired, MbrSuperseded};
use recipe::Recipe;

use crate::aggregate::Aggregate;
use crate::context::Ctx;
use crate::error::DomainError;
use crate::event::{Empty, Event};
use crate::fields::Reason;
use crate::signature::Meaning;

crate::choice!(
    /// Where an MBR version stands.
    MbrStatus, "an MBR status" {
        Draft = "draft" / "Draft",
        InReview = "in_review" / "In review",
        Approved = "approved" / "Approved",
        Effective = "effective" / "Effective",
        Superseded = "superseded" / "Superseded",
        Retired = "retired" / "Retired",
    }
);

/// `<code>/<version>`, the record id of an MBR version.
pub fn version_id(code: &str, version: u32) -> String {
    format!("{code}/{version}")
}

#[derive(Clone, Debug)]
pub enum MbrCommand {
    /// A first version, or a new version drafted from `based_on`.
    Draft {
        version: u32,
        based_on: Option<u32>,
        recipe: Recipe,
    },
    /// Replaces the content of a draft (every revision stays in the ledger).
    Revise { recipe: Recipe, reason: Reason },
    /// Freezes the draft and asks for approval; the recipe must be complete.
    Submit,
    /// Back to draft before anyone signed (the author's own withdrawal).
    Withdraw { reason: Reason },
    /// An approved version becomes the one batches start from.
    MakeEffective,
    /// The effective version is replaced by `by`.
    Supersede { by: u32 },
    /// No further batches from this version.
    Retire { reason: Reason },
}

#[derive(Clone, Debug, Default)]
pub struct MbrState {
    pub drafted: Option<MbrDrafted>,
    pub recipe: Option<Recipe>,
    pub status: MbrStatus,
}

// `choice!` generates the enum, so `Default` cannot be derived on it.
#[allow(clippy::derivable_impls)]
impl Default for MbrStatus {
    fn default() -> Self {
        MbrStatus::Draft
    }
}

impl MbrState {
    fn name(&self) -> String {
        self.drafted.as_ref().map_or_else(
            || "this MBR version".to_owned(),
            |d| format!("MBR {} version {}", d.recipe.code, d.version),
        )
    }

    fn must_be(&self, status: MbrStatus, doing: &str) -> Result<(), DomainError> {
        if self.status == status {
            Ok(())
        } else {
            Err(DomainError::InvalidState(format!(
                "{} is {}; only a version that is {} can be {doing}",
                self.name(),
                self.status.label().to_lowercase(),
                status.label().to_lowercase()
            )))
        }
    }

    /// What an approval or rejection signature does: approved, or back to draft.
    pub fn on_signed(&self, meaning: Meaning) -> Result<Vec<Event>, DomainError> {
        self.must_be(MbrStatus::InReview, "approved or rejected")?;
        match meaning {
            Meaning::Approved => Ok(vec![Event::MbrApproved(Empty {})]),
            Meaning::Rejected => Ok(vec![Event::MbrReturned(Empty {})]),
            other => Err(DomainError::InvalidState(format!(
                "an MBR version in review is approved or rejected, not {}",
                other.as_str()
            ))),
        }
    }
}

impl Aggregate for MbrState {
    type Command = MbrCommand;

    /// `id` is `<code>/<version>`.
    fn stream_id(id: &str) -> String {
        format!("mbr/{id}")
    }

    fn apply(&mut self, event: &Event) {
        match event {
            Event::MbrDrafted(d) => {
                self.recipe = Some(d.recipe.clone());
                self.drafted = Some(d.clone());
                self.status = MbrStatus::Draft;
            }
            Event::MbrRevised(r) => self.recipe = Some(r.recipe.clone()),
            Event::MbrSubmitted(_) => self.status = MbrStatus::InReview,
            Event::MbrReturned(_) | Event::MbrWithdrawn(_) => self.status = MbrStatus::Draft,
            Event::MbrApproved(_) => self.status = MbrStatus::Approved,
            Event::MbrMadeEffective(_) => self.status = MbrStatus::Effective,
            Event::MbrSuperseded(_) => self.status = MbrStatus::Superseded,
            Event::MbrRetired(_) => self.status = MbrStatus::Retired,
            _ => {}
        }
    }

    fn decide(&self, command: &MbrCommand, _ctx: &Ctx) -> Result<Vec<Event>, DomainError> {
        let Some(drafted) = &self.drafted else {
            return match command {
                MbrCommand::Draft {
                    version,
                    based_on,
                    recipe,
                } => {
                    if *version == 0 || based_on.is_some_and(|b| b >= *version) {
                        return Err(DomainError::field(
                            "version",
                            "must be 1 or more, and newer than the version it is based on",
                        ));
                    }
                    crate::fields::Code::parse("code", &recipe.code)
                        .map_err(|e| DomainError::Validation(vec![e]))?;
                    Ok(vec![Event::MbrDrafted(MbrDrafted {
                        version: *version,
                        based_on: *based_on,
                        recipe: recipe.clone(),
                    })])
                }
                _ => Err(DomainError::NotFound {
                    what: "MBR version",
                    id: String::new(),
                }),
            };
        };
        match command {
            MbrCommand::Draft { .. } => Err(DomainError::AlreadyExists {
                what: "MBR version",
                id: version_id(&drafted.recipe.code, drafted.version),
            }),
            MbrCommand::Revise { recipe, .. } => {
                self.must_be(MbrStatus::Draft, "revised")?;
                if recipe.code != drafted.recipe.code {
                    return Err(DomainError::field(
                        "code",
                        format!(
                            "is {} in this MBR; a revision cannot change it",
                            drafted.recipe.code
                        ),
                    ));
                }
                if Some(recipe) == self.recipe.as_ref() {
                    return Ok(Vec::new());
                }
                Ok(vec![Event::MbrRevised(events::MbrRevised {
                    recipe: recipe.clone(),
                })])
            }
            MbrCommand::Submit => {
                self.must_be(MbrStatus::Draft, "submitted for review")?;
                if let Some(recipe) = &self.recipe {
                    check::check(recipe)?;
                }
                Ok(vec![Event::MbrSubmitted(Empty {})])
            }
            MbrCommand::Withdraw { .. } => {
                self.must_be(MbrStatus::InReview, "withdrawn")?;
                Ok(vec![Event::MbrWithdrawn(Empty {})])
            }
            MbrCommand::MakeEffective => {
                self.must_be(MbrStatus::Approved, "made effective")?;
                Ok(vec![Event::MbrMadeEffective(Empty {})])
            }
            MbrCommand::Supersede { by } => {
                self.must_be(MbrStatus::Effective, "superseded")?;
                Ok(vec![Event::MbrSuperseded(MbrSuperseded { by: *by })])
            }
            MbrCommand::Retire { .. } => match self.status {
                MbrStatus::Superseded | MbrStatus::Retired => {
                    Err(DomainError::InvalidState(format!(
                        "{} is {} already; batches cannot start from it",
                        self.name(),
                        self.status.label().to_lowercase()
                    )))
                }
                _ => Ok(vec![Event::MbrRetired(MbrRetired { from: self.status })]),
            },
        }
    }

    fn reason(command: &MbrCommand) -> Option<&str> {
        match command {
            MbrCommand::Revise { reason, .. }
            | MbrCommand::Withdraw { reason }
            | MbrCommand::Retire { reason } => Some(reason.as_str()),
            _ => None,
        }
    }
}
