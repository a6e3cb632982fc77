//! The steps of an exception's investigation as its page offers them (start,
//! assess, submit for closure, request an extension, cancel): which ones apply in
//! which state, each one's form, and the handler they post to
//! (`/exceptions/{number}/{step}`, through the flow of `ui::steps`). Each form
//! carries the version it was drawn from, so a change made meanwhile is refused
//! rather than overwritten.

use std::sync::LazyLock;

use vplant_app::exceptions::ExceptionView;
use vplant_domain::DomainError;
use vplant_domain::exception::{ExceptionCommand, Status};

use super::{ROOT_CAUSES, href};
use crate::api::exception_input::{self as input, status};
use crate::ui::form::{FieldSpec, FormView, Input, REASON, Values, value};

static ASSESS_FIELDS: LazyLock<[FieldSpec; 3]> = LazyLock::new(|| {
    [
        FieldSpec {
            name: "product_impact",
            label: "Product impact",
            hint: "Which product and batches are affected, and how; or why none are.",
            input: Input::Area { max: 4000 },
        },
        FieldSpec {
            name: "root_cause_category",
            label: "Root-cause category",
            hint: "The same category at the same site within a year marks a recurrence.",
            input: Input::Select(ROOT_CAUSES.as_slice()),
        },
        FieldSpec {
            name: "root_cause",
            label: "Root cause",
            hint: "What caused it, as the investigation found.",
            input: Input::Area { max: 4000 },
        },
    ]
});
static EXTENSION_FIELDS: [FieldSpec; 2] = [
    FieldSpec {
        name: "due",
        label: "New due date",
        hint: "YYYY-MM-DD, after the current due date.",
        input: Input::Date,
    },
    FieldSpec {
        name: "justification",
        label: "Justification",
        hint: "Why more time is needed; the approver reads it.",
        input: Input::Area { max: 4000 },
    },
];
static REASON_FIELDS: [FieldSpec; 1] = [REASON];

/// A step, posted to `/exceptions/{number}/{slug}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    StartInvestigation,
    Assess,
    Submit,
    RequestExtension,
    Cancel,
}

impl Step {
    pub(super) const ALL: [Step; 5] = [
        Step::StartInvestigation,
        Step::Assess,
        Step::Submit,
        Step::RequestExtension,
        Step::Cancel,
    ];

    /// The last segment of the address; also the form's id on the page.
    pub(super) fn slug(self) -> &'static str {
        match self {
            Step::StartInvestigation => "start-investigation",
            Step::Assess => "assess",
            Step::Submit => "submit",
            Step::RequestExtension => "request-extension",
            Step::Cancel => "cancel",
        }
    }

    /// The steps that apply to `view` now.
    pub(super) fn offered(view: &ExceptionView) -> Vec<Step> {
        let row = &view.row;
        let extension = if row.extension_pending {
            None
        } else {
            Some(Step::RequestExtension)
        };
        let submit =
            (row.root_cause_category.is_some() && !row.extension_pending).then_some(Step::Submit);
        let steps = match status(&row.status) {
            Some(Status::Open) => vec![
                Some(Step::StartInvestigation),
                Some(Step::Assess),
                extension,
            ],
            Some(Status::UnderInvestigation) => vec![Some(Step::Assess), submit, extension],
            Some(Status::PendingApproval) => Vec::new(),
            Some(Status::Closed | Status::Cancelled) | None => return Vec::new(),
        };
        steps.into_iter().flatten().chain([Step::Cancel]).collect()
    }

    /// The values the form starts from: the current assessment, when it edits it.
    pub(super) fn current(self, view: &ExceptionView) -> Values {
        if self != Step::Assess {
            return Values::new();
        }
        [
            ("product_impact", view.product_impact.clone()),
            ("root_cause_category", view.row.root_cause_category.clone()),
            ("root_cause", view.root_cause.clone()),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v)))
        .collect()
    }

    /// This step's form for exception `number` at `version`, filled with `values`.
    pub(super) fn form(self, number: &str, version: u64, values: &Values) -> FormView {
        let action = format!("{}/{}", href(number), self.slug());
        let (specs, title, intro, submit, button): (&'static [FieldSpec], _, _, _, _) = match self {
            Step::StartInvestigation => (
                &[],
                "Start the investigation",
                "",
                "Start investigation",
                "btn-primary",
            ),
            Step::Assess => (
                &*ASSESS_FIELDS,
                "Assessment",
                "The product impact and the root cause. Recording them starts the investigation if it has not started.",
                "Save assessment",
                "btn-primary",
            ),
            Step::Submit => (
                &[],
                "Submit for closure",
                "An approval signature of someone who recorded none of the exception then closes it; a rejection returns it to the investigation.",
                "Submit for closure",
                "btn-primary",
            ),
            Step::RequestExtension => (
                &EXTENSION_FIELDS,
                "Request an extension",
                "The new due date takes effect once approved by signature.",
                "Request extension",
                "btn-secondary",
            ),
            Step::Cancel => (
                &REASON_FIELDS,
                "Cancel the exception",
                "For an exception raised in error. It keeps its number and history.",
                "Cancel exception",
                "btn-danger",
            ),
        };
        FormView::new(self.slug(), action, specs, values)
            .titled(title, intro)
            .submit(submit, button)
            .version(version)
    }

    /// Reads the form into the command, naming every bad field at once.
    pub(super) fn command(self, values: &Values) -> Result<ExceptionCommand, DomainError> {
        let v = |name| value(values, name);
        match self {
            Step::StartInvestigation => Ok(ExceptionCommand::StartInvestigation),
            Step::Assess => input::assess(
                v("product_impact"),
                v("root_cause_category"),
                v("root_cause"),
            ),
            Step::Submit => Ok(ExceptionCommand::SubmitForClosure),
            Step::RequestExtension => Ok(ExceptionCommand::RequestExtension {
                to: v("due").to_owned(),
                justification: v("justification").to_owned(),
            }),
            Step::Cancel => input::cancel(v("reason")),
        }
    }
}
