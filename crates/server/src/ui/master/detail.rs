//! One master record: its facts, the forms that change it (rename, deactivate,
//! reactivate; each carries the version it was drawn from) and its history.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use vplant_app::AppError;
use vplant_domain::identity::Permission;
use vplant_domain::master::{Change, ChangeKind};
use vplant_domain::{Aggregate, DomainError};
use vplant_store::queries::identity::Signature;

use super::{Cell, MasterUi, RecordView, done_message};
use crate::AppState;
use crate::auth::Viewer;
use crate::ui::form::{
    Failure, FieldSpec, FormView, Input, REASON, Values, expected_version, value,
};
use crate::ui::history::{self, HistoryRow};
use crate::ui::page::{Chrome, PageError, Tone, render};

/// The new name of a rename; the reason is [`REASON`].
const NAME: FieldSpec = FieldSpec {
    name: "name",
    label: "New name",
    hint: "The old name stays in the history.",
    input: Input::Text {
        max: 120,
        upper: false,
    },
};
static RENAME_FIELDS: [FieldSpec; 2] = [NAME, REASON];
static REASON_FIELDS: [FieldSpec; 1] = [REASON];

/// The changes the detail page offers, each posted to `{base}/{code}/{slug}`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Action {
    Rename,
    Deactivate,
    Reactivate,
}

impl Action {
    fn parse(slug: &str) -> Option<Action> {
        match slug {
            "rename" => Some(Action::Rename),
            "deactivate" => Some(Action::Deactivate),
            "reactivate" => Some(Action::Reactivate),
            _ => None,
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Action::Rename => "rename",
            Action::Deactivate => "deactivate",
            Action::Reactivate => "reactivate",
        }
    }

    /// The `?done=` word of the page shown after the change.
    fn done(self) -> &'static str {
        match self {
            Action::Rename => "renamed",
            Action::Deactivate => "deactivated",
            Action::Reactivate => "reactivated",
        }
    }

    /// Reads the form into a domain change, naming every bad field at once.
    fn change(self, values: &Values) -> Result<Change, DomainError> {
        let kind = match self {
            Action::Rename => ChangeKind::Rename,
            Action::Deactivate => ChangeKind::Deactivate,
            Action::Reactivate => ChangeKind::Reactivate,
        };
        Change::parse(kind, value(values, "name"), value(values, "reason"))
    }

    /// The form for this change on `record`, filled with `values`.
    fn form<R: MasterUi>(self, record: &RecordView, values: &Values) -> FormView {
        let action = format!("{}/{}/{}", R::BASE, record.code, self.slug());
        let (specs, title, intro, submit, button): (&'static [FieldSpec], _, _, _, _) = match self {
            Action::Rename => (
                &RENAME_FIELDS,
                format!("Rename {}", R::WHAT),
                String::new(),
                "Rename",
                "btn-primary",
            ),
            Action::Deactivate => (
                &REASON_FIELDS,
                format!("Deactivate {}", R::WHAT),
                format!(
                    "A deactivated {} is kept with its full history and can be reactivated.",
                    R::WHAT
                ),
                "Deactivate",
                "btn-danger",
            ),
            Action::Reactivate => (
                &REASON_FIELDS,
                format!("Reactivate {}", R::WHAT),
                format!(
                    "This {} is inactive. Reactivate it to use it again.",
                    R::WHAT
                ),
                "Reactivate",
                "btn-primary",
            ),
        };
        FormView::new(self.slug(), action, specs, values)
            .titled(title, intro)
            .submit(submit, button)
            .version(record.version)
    }
}

#[derive(Template)]
#[template(path = "master/show.html")]
struct DetailPage {
    page: Chrome,
    what: &'static str,
    base: &'static str,
    record: RecordView,
    facts: Vec<(&'static str, Cell)>,
    /// Only for people who may change the record.
    forms: Vec<FormView>,
    history: Vec<HistoryRow>,
    signatures: Vec<Signature>,
    /// Whether the viewer holds a meaning this record can be signed with.
    can_sign: bool,
}

/// A change that was refused, to redraw its form with the person's input and why.
struct Attempt<'a> {
    action: Action,
    values: &'a Values,
    failure: &'a Failure,
}

pub(super) fn not_found<R: MasterUi>(code: &str) -> PageError {
    PageError::NotFound {
        message: format!("There is no {} with the code '{code}'.", R::WHAT),
        back: Some((R::MANY, R::BASE)),
    }
}

/// The record if `viewer` may see it; another site's record is "not found" to a
/// CMO partner, exactly like a record that does not exist.
pub(super) async fn visible<R: MasterUi>(
    state: &AppState,
    viewer: &Viewer,
    code: &str,
) -> Result<R::Record, PageError> {
    match state.app.master::<R>(&viewer.scope(), code).await {
        Ok(record) => Ok(record),
        Err(AppError::Domain(DomainError::NotFound { .. })) => Err(not_found::<R>(code)),
        Err(e) => Err(e.into()),
    }
}

async fn detail_page<R: MasterUi>(
    state: &AppState,
    viewer: &Viewer,
    code: &str,
    mut page: Chrome,
    attempt: Option<Attempt<'_>>,
) -> Result<DetailPage, PageError> {
    let record = visible::<R>(state, viewer, code).await?;
    let mut record = R::view(record);
    let stream_id = R::Agg::stream_id(&record.code);
    let entries = state.app.history(&stream_id).await?;
    let signatures = state.app.signatures(&stream_id).await?;
    let offered = [
        Action::Rename,
        if record.active {
            Action::Deactivate
        } else {
            Action::Reactivate
        },
    ];
    let current = Values::from([("name".to_owned(), record.name.clone())]);
    let may_edit = viewer.can(Permission::EditMasterData);
    let forms = offered
        .into_iter()
        .map(|action| match &attempt {
            Some(a) if a.action == action => action.form::<R>(&record, a.values).failed(a.failure),
            _ => action.form::<R>(&record, &current),
        })
        .filter(|_| may_edit)
        .collect();
    // A refused change whose form is no longer offered (it deactivated a record that
    // someone else deactivated first) still gets its reason shown.
    if let Some(a) = attempt.filter(|a| !offered.contains(&a.action)) {
        let text = a.failure.message.clone().unwrap_or_default();
        page = page.alert(Tone::Error, text);
    }
    let facts = R::COLUMNS
        .iter()
        .copied()
        .zip(std::mem::take(&mut record.cells))
        .collect();
    Ok(DetailPage {
        page: page.via(R::MANY, R::BASE).viewer(viewer),
        what: R::WHAT,
        base: R::BASE,
        can_sign: !super::sign::meanings::<R>(viewer).is_empty(),
        record,
        facts,
        forms,
        history: history::rows(entries),
        signatures,
    })
}

#[derive(Deserialize)]
pub(super) struct ShowParams {
    done: Option<String>,
}

pub(super) async fn show<R: MasterUi>(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Query(params): Query<ShowParams>,
) -> Result<Response, PageError> {
    let code = code.to_uppercase();
    let mut page = Chrome::new(code.clone(), R::BASE);
    if let Some(text) = done_message(params.done.as_deref(), R::ONE) {
        page = page.alert(Tone::Success, text);
    }
    let body = detail_page::<R>(&state, &viewer, &code, page, None).await?;
    Ok(render(StatusCode::OK, &body))
}

pub(super) async fn change<R: MasterUi>(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, slug)): Path<(String, String)>,
    Form(values): Form<Values>,
) -> Result<Response, PageError> {
    let code = code.to_uppercase();
    let action = Action::parse(&slug).ok_or_else(|| PageError::NotFound {
        message: format!("There is no change called '{slug}'."),
        back: Some((R::MANY, R::BASE)),
    })?;
    visible::<R>(&state, &viewer, &code).await?;
    let mut request = viewer.request();
    request.expected_version = expected_version(&values)?;
    let outcome = match action.change(&values) {
        Ok(change) => state
            .app
            .execute::<R::Agg>(&code, R::change(change), &request)
            .await
            .map(|_| ()),
        Err(e) => Err(AppError::Domain(e)),
    };
    let Err(error) = outcome else {
        let done = format!("{}/{code}?done={}", R::BASE, action.done());
        return Ok(Redirect::to(&done).into_response());
    };
    let failure = Failure::from_app(error, R::WHAT, &code)?;
    let attempt = Attempt {
        action,
        values: &values,
        failure: &failure,
    };
    let page = Chrome::new(code.clone(), R::BASE);
    let body = detail_page::<R>(&state, &viewer, &code, page, Some(attempt)).await?;
    Ok(render(failure.status, &body))
}

/// A change address opened directly (typed, bookmarked, or reloaded after a refused
/// form without JavaScript) shows the record rather than a bare 405.
pub(super) async fn back<R: MasterUi>(Path((code, _)): Path<(String, String)>) -> Redirect {
    Redirect::to(&format!("{}/{}", R::BASE, code.to_uppercase()))
}
