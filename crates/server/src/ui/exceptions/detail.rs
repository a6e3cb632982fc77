//! One exception (`/exceptions/<number>`): its facts and linked batches, the steps
//! of the investigation that apply now, what waits for an approval signature and
//! the dialog to give it, the signatures given, recurrences, the actions that
//! follow it up with a "Create CAPA" form, and the history from the ledger; and the
//! exception as the flow of pages with steps (`ui::step_flow`) sees it.

use askama::Template;
use vplant_app::exceptions::ExceptionView;
use vplant_app::{AppError, Request};
use vplant_domain::Aggregate;
use vplant_domain::exception::ExceptionState;
use vplant_domain::identity::Permission;
use vplant_store::queries::actions::ActionFilter;
use vplant_store::queries::identity::Signature;

use super::steps::Step;
use super::{BASE, category_label, classification, href, root_cause_label, status};
use crate::AppState;
use crate::api::exception_input::overdue;
use crate::auth::Viewer;
use crate::ui::actions::{ActionLine, create_form};
use crate::ui::batches::batch_href;
use crate::ui::form::{FormView, Values};
use crate::ui::history::{self, HistoryRow};
use crate::ui::page::{Chrome, PageError, Tone};
use crate::ui::sign;
use crate::ui::step_flow::{Attempt, StepPage, or_not_found};

#[derive(Template)]
#[template(path = "exceptions/show.html")]
pub struct DetailPage {
    page: Chrome,
    view: ExceptionView,
    classification: (&'static str, &'static str),
    status: (&'static str, &'static str),
    category: &'static str,
    root_cause_category: Option<&'static str>,
    origin: String,
    overdue: bool,
    /// Each batch and its page.
    batches: Vec<(String, String)>,
    /// The other exceptions that make this one a recurrence, and their pages.
    recurrences: Vec<(String, String)>,
    /// The steps that apply now, for people who handle exceptions.
    forms: Vec<FormView>,
    /// What waits for an approval signature, in words.
    approval: Option<String>,
    /// Whether the viewer may give that signature (approved or rejected).
    can_sign: bool,
    signatures: Vec<Signature>,
    actions: Vec<ActionLine>,
    /// "Create CAPA", for people who work on actions.
    capa: Option<FormView>,
    history: Vec<HistoryRow>,
}

/// What waits for an approval signature on `view`, in words; `None` when nothing
/// does. An extension is decided before the closure can be submitted.
pub(super) fn approval(view: &ExceptionView) -> Option<String> {
    if let Some(to) = &view.extension_requested_to {
        return Some(format!(
            "The extension of the due date from {} to {to}. Approved moves the due date; rejected keeps it.",
            view.row.due
        ));
    }
    (view.row.status == "pending_approval").then(|| {
        "The closure of the exception. Approved closes it; rejected returns it to the investigation."
            .to_owned()
    })
}

/// Where the exception comes from, in words.
fn origin(view: &ExceptionView) -> String {
    match (view.row.origin.as_str(), &view.row.origin_batch) {
        ("cmo_report", _) => "Reported by the CMO".to_owned(),
        ("execution", Some(batch)) => format!("Raised during the execution of batch {batch}"),
        ("execution", None) => "Raised during batch execution".to_owned(),
        _ => "Raised by the Virtual Plant Team".to_owned(),
    }
}

/// The exception page and its steps, as the flow every record page with steps
/// shares (`ui::step_flow`) sees them.
pub struct ExceptionPages;

impl StepPage for ExceptionPages {
    type Step = Step;
    type Page = DetailPage;
    const WHAT: &'static str = "exception";
    const ONE: &'static str = "Exception";
    const LIST: (&'static str, &'static str) = ("Exceptions", BASE);
    const STEPS: &'static [Step] = &Step::ALL;

    fn slug(step: Step) -> &'static str {
        step.slug()
    }

    fn done_message(done: &str) -> Option<&'static str> {
        Some(match done {
            "raised" => "Exception raised. Its number and due date are below.",
            "start-investigation" => "Investigation started.",
            "assess" => "Assessment recorded. The change is in the history below.",
            "submit" => "Submitted for closure. It now waits for an approval signature.",
            "request-extension" => {
                "Extension requested. The due date moves once the request is approved by signature."
            }
            "cancel" => "Exception cancelled.",
            "signed" => "Signature recorded. What it decided is shown below.",
            _ => return None,
        })
    }

    async fn run(
        state: &AppState,
        viewer: &Viewer,
        number: &str,
        step: Step,
        values: &Values,
        request: &Request,
    ) -> Result<(), AppError> {
        let command = step.command(values)?;
        let scope = viewer.scope();
        state
            .app
            .act_on_exception(&scope, number, command, request)
            .await?;
        Ok(())
    }

    async fn page(
        state: &AppState,
        viewer: &Viewer,
        number: &str,
        mut page: Chrome,
        attempt: Option<Attempt<'_, Step>>,
    ) -> Result<DetailPage, PageError> {
        let scope = viewer.scope();
        let view = state
            .app
            .exception(&scope, number)
            .await
            .map_err(|e| or_not_found::<ExceptionPages>(e, number))?;
        // History and signatures are read only after the use case let the viewer see it.
        let stream_id = ExceptionState::stream_id(&view.row.number);
        let entries = state.app.history(&stream_id).await?;
        let signatures = state.app.signatures(&stream_id).await?;
        let follow_ups = ActionFilter {
            source: Some(("exception".to_owned(), view.row.number.clone())),
            limit: 500,
            ..ActionFilter::default()
        };
        let today = state.app.store.now().date().to_string();
        let actions = state.app.actions(&scope, follow_ups).await?;
        let offered = if viewer.can(Permission::HandleExceptions) {
            Step::offered(&view)
        } else {
            Vec::new()
        };
        let forms = offered
            .iter()
            .map(|step| match &attempt {
                Some(a) if a.step == *step => step
                    .form(&view.row.number, view.row.version, a.values)
                    .failed(a.failure),
                _ => step.form(&view.row.number, view.row.version, &step.current(&view)),
            })
            .collect();
        // A refused step whose form is no longer offered (someone else moved the
        // exception on first) still gets its reason shown.
        if let Some(a) = attempt.filter(|a| !offered.contains(&a.step)) {
            page = page.alert(Tone::Error, a.failure.message.clone().unwrap_or_default());
        }
        let capa = if viewer.can(Permission::HandleActions) && view.row.status != "cancelled" {
            let values = Values::from([
                ("kind".to_owned(), "capa".to_owned()),
                ("source_kind".to_owned(), "exception".to_owned()),
                ("source_id".to_owned(), view.row.number.clone()),
                ("site".to_owned(), view.row.site.clone()),
                ("owner".to_owned(), viewer.username().to_owned()),
            ]);
            let title = "Create a CAPA for this exception";
            Some(create_form(state, viewer, ("capa", title), &values, None).await?)
        } else {
            None
        };
        let approval = approval(&view);
        let can_sign = approval.is_some() && !sign::meanings(viewer, "exception").is_empty();
        Ok(DetailPage {
            page: page.via("Exceptions", BASE).viewer(viewer),
            classification: classification(&view.row.classification),
            status: status(&view.row.status),
            category: category_label(&view.row.category),
            root_cause_category: view
                .row
                .root_cause_category
                .as_deref()
                .map(root_cause_label),
            origin: origin(&view),
            overdue: overdue(&view.row, &today),
            batches: view
                .batches
                .iter()
                .map(|b| (b.clone(), batch_href(b)))
                .collect(),
            recurrences: view
                .recurrences
                .iter()
                .map(|n| (n.clone(), href(n)))
                .collect(),
            forms,
            approval,
            can_sign,
            signatures,
            actions: actions.iter().map(|a| ActionLine::new(a, &today)).collect(),
            capa,
            history: history::rows(entries),
            view,
        })
    }
}
