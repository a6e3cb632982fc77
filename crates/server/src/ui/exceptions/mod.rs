//! The exception pages: the list with its filter (`list`), the raise form
//! (`raise`), one exception with its investigation, approvals, recurrences,
//! follow-up actions and history (`detail`), the steps it posts (`steps`) and its
//! approval signature dialog (`sign`). Every read and change goes through the
//! exception use cases, which hold a site-scoped viewer to its own sites; forms are
//! read with the API's readers (`api/exception_input.rs`), so a page refuses what
//! the API refuses, naming the same field.

mod detail;
mod list;
mod raise;
mod rows;
mod sign;
mod steps;

use std::sync::LazyLock;

use askama::Template;

use vplant_app::master::Sites;
use vplant_domain::exception::fields::{Category, Classification, RootCause};
use vplant_domain::identity::Permission;

pub use detail::ExceptionPages;
pub use rows::ExceptionLine;

use super::form::FormView;
use super::page::{Chrome, PageError};
use super::step_flow;
use crate::AppState;
use crate::api::exception_input::{STATUSES, status_label};
use crate::auth::Viewer;
use crate::auth::access::{Access, Routes};

/// Where the list lives; an exception is at `/exceptions/<number>`.
pub const BASE: &str = "/exceptions";
/// The raise form.
const NEW: &str = "/exceptions/new";

pub fn routes() -> Routes {
    let view = Access::Allow(Permission::ViewExceptions);
    let handle = Access::Allow(Permission::HandleExceptions);
    Routes::new()
        .get(BASE, view, list::show)
        .post(BASE, handle, raise::submit)
        .get(NEW, handle, raise::form)
        .get(
            "/exceptions/{number}",
            view,
            step_flow::show::<ExceptionPages>,
        )
        .get(
            "/exceptions/{number}/sign",
            Access::AnySignature,
            sign::form,
        )
        .post(
            "/exceptions/{number}/sign",
            Access::AnySignature,
            sign::submit,
        )
        .get(
            "/exceptions/{number}/{step}",
            view,
            step_flow::back::<ExceptionPages>,
        )
        .post(
            "/exceptions/{number}/{step}",
            handle,
            step_flow::submit::<ExceptionPages>,
        )
}

/// The page of exception `number`.
pub fn href(number: &str) -> String {
    format!("{BASE}/{number}")
}

/// The active sites `viewer` may see, as the options of a site select led by an
/// empty "choose" option; the raise and create forms offer no other site.
pub(in crate::ui) async fn site_choices(
    state: &AppState,
    viewer: &Viewer,
    prompt: &str,
) -> Result<Vec<(String, String)>, PageError> {
    let sites = state.app.masters::<Sites>(&viewer.scope(), false).await?;
    Ok(std::iter::once((String::new(), prompt.to_owned()))
        .chain(
            sites
                .into_iter()
                .map(|s| (s.code.clone(), format!("{} · {}", s.code, s.name))),
        )
        .collect())
}

/// A page that is one form: raising an exception, creating an action.
#[derive(Template)]
#[template(path = "form_page.html")]
pub(in crate::ui) struct FormPage {
    pub page: Chrome,
    pub form: FormView,
}

/// `(value, label)` choices led by an empty one reading `prompt`.
pub(in crate::ui) fn choices(
    prompt: &'static str,
    all: impl Iterator<Item = (&'static str, &'static str)>,
) -> Vec<(&'static str, &'static str)> {
    std::iter::once(("", prompt)).chain(all).collect()
}

static CLASSIFICATIONS: LazyLock<Vec<(&'static str, &'static str)>> = LazyLock::new(|| {
    choices(
        "Choose…",
        Classification::ALL.iter().map(|c| (c.as_str(), c.label())),
    )
});
static CATEGORIES: LazyLock<Vec<(&'static str, &'static str)>> = LazyLock::new(|| {
    choices(
        "Choose…",
        Category::ALL.iter().map(|c| (c.as_str(), c.label())),
    )
});
static ROOT_CAUSES: LazyLock<Vec<(&'static str, &'static str)>> = LazyLock::new(|| {
    choices(
        "Choose…",
        RootCause::ALL.iter().map(|c| (c.as_str(), c.label())),
    )
});
static STATUS_CHOICES: LazyLock<Vec<(&'static str, &'static str)>> = LazyLock::new(|| {
    choices(
        "Any status",
        STATUSES.iter().map(|s| (s.as_str(), status_label(*s))),
    )
});
static CLASSIFICATION_FILTER: LazyLock<Vec<(&'static str, &'static str)>> = LazyLock::new(|| {
    choices(
        "Any classification",
        Classification::ALL.iter().map(|c| (c.as_str(), c.label())),
    )
});

/// How a classification reads, and its badge: the more serious, the warmer.
fn classification(text: &str) -> (&'static str, &'static str) {
    match Classification::parse("classification", text) {
        Ok(c @ Classification::Minor) => (c.label(), "badge-inactive"),
        Ok(c @ Classification::Major) => (c.label(), "badge-hold"),
        Ok(c @ Classification::Critical) => (c.label(), "badge-rejected"),
        Err(_) => ("Unknown", "badge-inactive"),
    }
}

/// How a status reads, and its badge.
fn status(text: &str) -> (&'static str, &'static str) {
    use vplant_domain::exception::Status;
    match crate::api::exception_input::status(text) {
        Some(s @ Status::Open) => (status_label(s), "badge-internal"),
        Some(s @ Status::UnderInvestigation) => (status_label(s), "badge-hold"),
        Some(s @ Status::PendingApproval) => (status_label(s), "badge-cmo"),
        Some(s @ Status::Closed) => (status_label(s), "badge-active"),
        Some(s @ Status::Cancelled) => (status_label(s), "badge-inactive"),
        None => ("Unknown", "badge-inactive"),
    }
}

/// A root-cause category as it reads.
fn root_cause_label(text: &str) -> &'static str {
    RootCause::parse("root_cause_category", text).map_or("Unknown", |c| c.label())
}

/// A category as it reads.
fn category_label(text: &str) -> &'static str {
    Category::parse("category", text).map_or("Unknown", |c| c.label())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_choice_is_offered_after_the_prompt() {
        assert_eq!(CLASSIFICATIONS.len(), Classification::ALL.len() + 1);
        assert_eq!(CATEGORIES.len(), Category::ALL.len() + 1);
        assert_eq!(ROOT_CAUSES.len(), RootCause::ALL.len() + 1);
        assert_eq!(STATUS_CHOICES.len(), STATUSES.len() + 1);
        assert_eq!(CLASSIFICATIONS[0].0, "");
    }

    #[test]
    fn every_status_has_its_own_badge_text() {
        for s in STATUSES {
            assert_ne!(status(s.as_str()).0, "Unknown");
        }
    }
}
