//! The action pages: the tracker with its filter (`list`), the create form
//! (`create`, also drawn on an exception's page as "Create CAPA"), one action with
//! its evidence, effectiveness checks and history (`detail`), and the steps it posts
//! (`steps`). Every read and change goes through the action use cases, which hold a
//! site-scoped viewer to its own sites; forms are read with the API's readers
//! (`api/action_input.rs`), so a page refuses what the API refuses, naming the same
//! field.

mod create;
mod detail;
mod list;
mod rows;
mod steps;

use std::sync::LazyLock;

use vplant_domain::action::ActionStatus;
use vplant_domain::action::events::{ActionKind, SourceKind};
use vplant_domain::identity::Permission;
use vplant_store::queries::actions::ActionRow;

pub use create::create_form;
pub use detail::ActionPages;
pub use rows::ActionLine;

use super::exceptions::choices;
use super::step_flow;
use crate::api::action_input::{STATUSES, status_label};
use crate::auth::access::{Access, Routes};

/// Where the tracker lives; an action is at `/actions/<number>`.
pub const BASE: &str = "/actions";
/// The create form.
const NEW: &str = "/actions/new";

pub fn routes() -> Routes {
    let view = Access::Allow(Permission::ViewExceptions);
    let handle = Access::Allow(Permission::HandleActions);
    Routes::new()
        .get(BASE, view, list::show)
        .post(BASE, handle, create::submit)
        .get(NEW, handle, create::form)
        .get("/actions/{number}", view, step_flow::show::<ActionPages>)
        .get(
            "/actions/{number}/{step}",
            view,
            step_flow::back::<ActionPages>,
        )
        .post(
            "/actions/{number}/{step}",
            handle,
            step_flow::submit::<ActionPages>,
        )
}

/// The page of action `number`.
pub fn href(number: &str) -> String {
    format!("{BASE}/{number}")
}

static KINDS: LazyLock<Vec<(&'static str, &'static str)>> = LazyLock::new(|| {
    choices(
        "Choose…",
        ActionKind::ALL.iter().map(|k| (k.as_str(), k.label())),
    )
});
static KIND_FILTER: LazyLock<Vec<(&'static str, &'static str)>> = LazyLock::new(|| {
    choices(
        "Any kind",
        ActionKind::ALL.iter().map(|k| (k.as_str(), k.label())),
    )
});
static SOURCE_KINDS: LazyLock<Vec<(&'static str, &'static str)>> = LazyLock::new(|| {
    choices(
        "Nothing",
        SourceKind::ALL.iter().map(|k| (k.as_str(), k.label())),
    )
});
static STATUS_CHOICES: LazyLock<Vec<(&'static str, &'static str)>> = LazyLock::new(|| {
    choices(
        "Any status",
        STATUSES.iter().map(|s| (s.as_str(), status_label(*s))),
    )
});

/// How an action kind reads.
fn kind_label(text: &str) -> &'static str {
    ActionKind::parse("kind", text).map_or("Unknown", |k| k.label())
}

/// How a status reads, and its badge.
fn status(text: &str) -> (&'static str, &'static str) {
    match crate::api::action_input::status(text) {
        Some(s @ ActionStatus::Open) => (status_label(s), "badge-internal"),
        Some(s @ ActionStatus::InProgress) => (status_label(s), "badge-hold"),
        Some(s @ ActionStatus::Done) => (status_label(s), "badge-cmo"),
        Some(s @ ActionStatus::Effective) => (status_label(s), "badge-active"),
        Some(s @ ActionStatus::Cancelled) => (status_label(s), "badge-inactive"),
        None => ("Unknown", "badge-inactive"),
    }
}

/// What an action follows up ("exception EX-2026-0042"), and that record's page
/// when there is one to link to.
fn source(row: &ActionRow) -> Option<(String, Option<String>)> {
    let (kind, id) = (row.source_kind.as_deref()?, row.source_id.as_deref()?);
    let link = (kind == "exception").then(|| super::exceptions::href(id));
    Some((format!("{kind} {id}"), link))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_choice_is_offered_after_the_prompt() {
        assert_eq!(KINDS.len(), ActionKind::ALL.len() + 1);
        assert_eq!(SOURCE_KINDS.len(), SourceKind::ALL.len() + 1);
        assert_eq!(STATUS_CHOICES.len(), STATUSES.len() + 1);
    }

    #[test]
    fn every_status_has_its_own_badge_text() {
        for s in STATUSES {
            assert_ne!(status(s.as_str()).0, "Unknown");
        }
    }
}
