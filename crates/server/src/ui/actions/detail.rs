//! One action (`/actions/<number>`): its facts and source, the evidence with who
//! added it and when, a CAPA's effectiveness criterion and checks, the steps that
//! apply now, and the history from the ledger; and the action as the flow of
//! pages with steps (`ui::step_flow`) sees it.

use askama::Template;
use vplant_app::actions::ActionView;
use vplant_app::{AppError, Request};
use vplant_domain::Aggregate;
use vplant_domain::action::ActionState;
use vplant_domain::identity::Permission;

use super::steps::Step;
use super::{BASE, kind_label, source, status};
use crate::AppState;
use crate::api::action_input::overdue;
use crate::auth::Viewer;
use crate::ui::form::{FormView, Values};
use crate::ui::history::{self, HistoryRow};
use crate::ui::page::{Chrome, PageError, Tone};
use crate::ui::step_flow::{Attempt, StepPage, or_not_found};

#[derive(Template)]
#[template(path = "actions/show.html")]
pub struct DetailPage {
    page: Chrome,
    view: ActionView,
    kind: &'static str,
    status: (&'static str, &'static str),
    overdue: bool,
    /// What it follows up, and that record's page when there is one.
    source: Option<(String, Option<String>)>,
    /// Each check: effective?, and what it found.
    checks: Vec<(&'static str, String)>,
    /// The steps that apply now, for people who work on actions.
    forms: Vec<FormView>,
    history: Vec<HistoryRow>,
}

/// The action page and its steps, as the flow every record page with steps
/// shares (`ui::step_flow`) sees them.
pub struct ActionPages;

impl StepPage for ActionPages {
    type Step = Step;
    type Page = DetailPage;
    const WHAT: &'static str = "action";
    const ONE: &'static str = "Action";
    const LIST: (&'static str, &'static str) = ("Actions", BASE);
    const STEPS: &'static [Step] = &Step::ALL;

    fn slug(step: Step) -> &'static str {
        step.slug()
    }

    fn done_message(done: &str) -> Option<&'static str> {
        Some(match done {
            "created" => "Action created. Its number is above.",
            "start" => "Work started.",
            "evidence" => "Evidence added.",
            "complete" => "Action done.",
            "effectiveness" => "Effectiveness check recorded.",
            "reassign" => "Action reassigned. The change is in the history below.",
            "due" => "Due date changed. The change is in the history below.",
            "cancel" => "Action cancelled.",
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
            .act_on_action(&scope, number, command, request)
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
        let view = state
            .app
            .action(&viewer.scope(), number)
            .await
            .map_err(|e| or_not_found::<ActionPages>(e, number))?;
        // The history is read only after the use case let the viewer see the action.
        let entries = state
            .app
            .history(&ActionState::stream_id(&view.row.number))
            .await?;
        let today = state.app.store.now().date().to_string();
        let offered = if viewer.can(Permission::HandleActions) {
            Step::offered(&view)
        } else {
            Vec::new()
        };
        let (number, version) = (&view.row.number, view.row.version);
        let forms = offered
            .iter()
            .map(|step| match &attempt {
                Some(a) if a.step == *step => {
                    step.form(number, version, a.values).failed(a.failure)
                }
                _ => step.form(number, version, &Values::new()),
            })
            .collect();
        // A refused step whose form is no longer offered (someone else moved the action
        // on first) still gets its reason shown.
        if let Some(a) = attempt.filter(|a| !offered.contains(&a.step)) {
            page = page.alert(Tone::Error, a.failure.message.clone().unwrap_or_default());
        }
        let row = &view.row;
        Ok(DetailPage {
            page: page.via("Actions", BASE).viewer(viewer),
            kind: kind_label(&row.kind),
            status: status(&row.status),
            overdue: overdue(row, &today),
            source: source(row),
            checks: view
                .checks
                .iter()
                .map(|(effective, note)| {
                    let result = if *effective {
                        "Effective"
                    } else {
                        "Not effective"
                    };
                    (result, note.clone())
                })
                .collect(),
            forms,
            history: history::rows(entries),
            view,
        })
    }
}
