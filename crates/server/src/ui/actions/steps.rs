//! The steps of an action's life as its page offers them (start, add evidence,
//! complete, check a CAPA's effectiveness, reassign, change the due date, cancel):
//! which ones apply in which state, each one's form, and the handler they post to
//! (`/actions/{number}/{step}`, through the flow of `ui::step_flow`). Each form
//! carries the version it was drawn from.

use vplant_app::actions::ActionView;
use vplant_domain::DomainError;
use vplant_domain::action::{ActionCommand, ActionStatus};

use super::href;
use crate::api::action_input::{self as input, status};
use crate::ui::form::{FieldSpec, FormView, Input, REASON, Values, value};

const OWNER: FieldSpec = FieldSpec {
    name: "owner",
    label: "New owner",
    hint: "The username of the person who takes it over.",
    input: Input::Text {
        max: 64,
        upper: false,
    },
};
const DUE: FieldSpec = FieldSpec {
    name: "due",
    label: "New due date",
    hint: "YYYY-MM-DD.",
    input: Input::Date,
};
static EVIDENCE_FIELDS: [FieldSpec; 1] = [FieldSpec {
    name: "note",
    label: "Evidence",
    hint: "What shows the work was done: a document and its version, a record, a result.",
    input: Input::Area { max: 4000 },
}];
static EFFECTIVENESS_FIELDS: [FieldSpec; 2] = [
    FieldSpec {
        name: "effective",
        label: "Result",
        hint: "Judged against the effectiveness criterion above.",
        input: Input::Select(&[
            ("", "Choose…"),
            ("yes", "Effective: the CAPA is closed"),
            ("no", "Not effective: the CAPA is reopened"),
        ]),
    },
    FieldSpec {
        name: "note",
        label: "What the check found",
        hint: "",
        input: Input::Area { max: 4000 },
    },
];
static REASSIGN_FIELDS: [FieldSpec; 2] = [OWNER, REASON];
static DUE_FIELDS: [FieldSpec; 2] = [DUE, REASON];
static REASON_FIELDS: [FieldSpec; 1] = [REASON];

/// A step, posted to `/actions/{number}/{slug}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Start,
    Evidence,
    Complete,
    Effectiveness,
    Reassign,
    Due,
    Cancel,
}

impl Step {
    pub(super) const ALL: [Step; 7] = [
        Step::Start,
        Step::Evidence,
        Step::Complete,
        Step::Effectiveness,
        Step::Reassign,
        Step::Due,
        Step::Cancel,
    ];

    /// The last segment of the address; also the form's id on the page.
    pub(super) fn slug(self) -> &'static str {
        match self {
            Step::Start => "start",
            Step::Evidence => "evidence",
            Step::Complete => "complete",
            Step::Effectiveness => "effectiveness",
            Step::Reassign => "reassign",
            Step::Due => "due",
            Step::Cancel => "cancel",
        }
    }

    /// The steps that apply to `view` now. Evidence can be added until the action
    /// is cancelled; a done CAPA waits for its effectiveness check.
    pub(super) fn offered(view: &ActionView) -> Vec<Step> {
        let capa = view.row.effectiveness_due.is_some();
        match status(&view.row.status) {
            Some(ActionStatus::Open) => vec![
                Step::Start,
                Step::Evidence,
                Step::Complete,
                Step::Reassign,
                Step::Due,
                Step::Cancel,
            ],
            Some(ActionStatus::InProgress) => vec![
                Step::Evidence,
                Step::Complete,
                Step::Reassign,
                Step::Due,
                Step::Cancel,
            ],
            Some(ActionStatus::Done) if capa => vec![Step::Effectiveness, Step::Evidence],
            Some(ActionStatus::Done | ActionStatus::Effective) => vec![Step::Evidence],
            Some(ActionStatus::Cancelled) | None => Vec::new(),
        }
    }

    /// This step's form for action `number` at `version`, filled with `values`.
    pub(super) fn form(self, number: &str, version: u64, values: &Values) -> FormView {
        let action = format!("{}/{}", href(number), self.slug());
        let (specs, title, intro, submit, button): (&'static [FieldSpec], _, _, _, _) = match self {
            Step::Start => (&[], "Start work", "", "Start", "btn-primary"),
            Step::Evidence => (
                &EVIDENCE_FIELDS,
                "Add evidence",
                "Recorded with your name and the time. A CAPA needs evidence before it can be completed.",
                "Add evidence",
                "btn-primary",
            ),
            Step::Complete => (
                &[],
                "Complete",
                "A CAPA then waits for its effectiveness check.",
                "Mark as done",
                "btn-primary",
            ),
            Step::Effectiveness => (
                &EFFECTIVENESS_FIELDS,
                "Effectiveness check",
                "An ineffective CAPA is reopened for more work.",
                "Record the check",
                "btn-primary",
            ),
            Step::Reassign => (
                &REASSIGN_FIELDS,
                "Reassign",
                "",
                "Reassign",
                "btn-secondary",
            ),
            Step::Due => (
                &DUE_FIELDS,
                "Change the due date",
                "The old date stays in the history.",
                "Change due date",
                "btn-secondary",
            ),
            Step::Cancel => (
                &REASON_FIELDS,
                "Cancel the action",
                "It keeps its number and history.",
                "Cancel action",
                "btn-danger",
            ),
        };
        FormView::new(self.slug(), action, specs, values)
            .titled(title, intro)
            .submit(submit, button)
            .version(version)
    }

    /// Reads the form into the command, naming every bad field at once.
    pub(super) fn command(self, values: &Values) -> Result<ActionCommand, DomainError> {
        let v = |name| value(values, name);
        match self {
            Step::Start => Ok(ActionCommand::Start),
            Step::Evidence => input::evidence(v("note")),
            Step::Complete => Ok(ActionCommand::Complete),
            Step::Effectiveness => {
                let effective = match v("effective") {
                    "yes" => Some(true),
                    "no" => Some(false),
                    _ => None,
                };
                input::effectiveness(effective, v("note"))
            }
            Step::Reassign => input::reassign(v("owner"), v("reason")),
            Step::Due => input::change_due(v("due"), v("reason")),
            Step::Cancel => input::cancel(v("reason")),
        }
    }
}
