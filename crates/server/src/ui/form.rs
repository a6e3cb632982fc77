//! Forms described as data: a resource lists its fields once ([`FieldSpec`]), one
//! template macro (`form` in `macros.html`) draws any form, and [`Failure`] turns a
//! refused command into the red text under each field. The domain stays the only
//! judge of what is valid; the page only shows its verdict.

use std::collections::HashMap;

use axum::http::StatusCode;
use vplant_app::AppError;
use vplant_domain::{DomainError, FieldError};
use vplant_store::StoreError;

use super::page::PageError;

/// A submitted form, `application/x-www-form-urlencoded`, by field name.
pub type Values = HashMap<String, String>;

/// The submitted text of field `name`; a missing field reads as empty, so the domain
/// reports it as required rather than the page failing to parse.
pub fn value<'a>(values: &'a Values, name: &str) -> &'a str {
    values.get(name).map_or("", String::as_str)
}

/// The hidden `expected_version`: absent means "do not check" (as in the API); a
/// value that is not a number means the form was tampered with or damaged.
pub fn expected_version(values: &Values) -> Result<Option<u64>, PageError> {
    match value(values, "expected_version").trim() {
        "" => Ok(None),
        text => text.parse().map(Some).map_err(|_| {
            PageError::BadRequest(
                "The form's record version is damaged. Reload the page and try again.".into(),
            )
        }),
    }
}

/// How a field is entered.
pub enum Input {
    /// One line; `upper` displays what is typed upper-case (codes are stored so).
    Text { max: u32, upper: bool },
    /// A choice of `(value, label)`; an empty first value is the "choose" prompt.
    Select(&'static [(&'static str, &'static str)]),
    /// Several lines, for reasons.
    Area { max: u32 },
    /// A password: never filled in again when the form is redrawn.
    Password,
    /// Any number of `(value, label)` choices. The browser sends one pair per ticked
    /// box; the handler joins them with commas into the field's value (see
    /// [`Field::checked`]), which is safe because no choice contains a comma.
    Checkboxes(&'static [(&'static str, &'static str)]),
    /// A calendar day; the browser offers a date picker and sends `YYYY-MM-DD`.
    Date,
    /// A choice whose options are known only when the form is drawn (the sites the
    /// person may see): they are given with [`FormView::options`].
    Choice,
}

/// A field as a resource declares it.
pub struct FieldSpec {
    /// The form field name, which is also the domain's name for it in `FieldError`.
    pub name: &'static str,
    pub label: &'static str,
    /// Shown under the label; says what a good value looks like.
    pub hint: &'static str,
    pub input: Input,
}

/// The reason every change needs, shared by all change forms.
pub const REASON: FieldSpec = FieldSpec {
    name: "reason",
    label: "Reason",
    hint: "Why this change is made; it is kept in the record's history.",
    input: Input::Area { max: 500 },
};

/// A field as drawn: its spec, what is in it, and what is wrong with it.
pub struct Field {
    pub spec: &'static FieldSpec,
    /// Unique on the page (`{form}-{field}`), for `<label for>` and ARIA links.
    pub id: String,
    pub value: String,
    /// The reason the domain gave, without the field name ("is required").
    pub error: Option<String>,
    /// The `(value, label)` options of an [`Input::Choice`].
    pub options: Vec<(String, String)>,
    /// The first refused field takes the focus, so keyboard and screen-reader users
    /// land where the correction is needed.
    pub focus: bool,
}

impl Field {
    /// Whether `option` of a select is the current value.
    pub fn selected(&self, option: &str) -> bool {
        self.value == option
    }

    /// Whether `option` of a checkbox group is ticked: the value holds the ticked
    /// choices separated by commas.
    pub fn checked(&self, option: &str) -> bool {
        self.value.split(',').any(|v| v.trim() == option)
    }

    /// The attributes that tie the control to its hint and error and mark it
    /// refused. Built only from the static field and form names (never from input),
    /// which is why the template may insert it unescaped.
    pub fn aria(&self) -> String {
        let mut described = Vec::new();
        if !self.spec.hint.is_empty() {
            described.push(format!("{}-hint", self.id));
        }
        if self.error.is_some() {
            described.push(format!("{}-error", self.id));
        }
        let mut attrs = String::new();
        if !described.is_empty() {
            attrs.push_str(&format!("aria-describedby=\"{}\"", described.join(" ")));
        }
        if self.error.is_some() {
            attrs.push_str(" aria-invalid=\"true\"");
        }
        if self.focus {
            attrs.push_str(" autofocus");
        }
        attrs
    }
}

/// A form as drawn by the `form` macro.
pub struct FormView {
    /// Unique on the page; also the target that htmx swaps.
    pub id: &'static str,
    pub action: String,
    pub title: String,
    pub intro: String,
    pub submit: &'static str,
    /// Button style: `btn-primary`, `btn-secondary` or `btn-danger`.
    pub button: &'static str,
    /// The record version the form was drawn from, sent back as `expected_version`.
    pub expected_version: Option<u64>,
    pub fields: Vec<Field>,
    /// A refusal that belongs to no single field (a conflict, a state rule).
    pub error: Option<String>,
}

impl FormView {
    pub fn new(
        id: &'static str,
        action: String,
        specs: &'static [FieldSpec],
        values: &Values,
    ) -> FormView {
        let fields = specs
            .iter()
            .map(|spec| Field {
                spec,
                id: format!("{id}-{}", spec.name),
                value: value(values, spec.name).to_owned(),
                error: None,
                options: Vec::new(),
                focus: false,
            })
            .collect();
        FormView {
            id,
            action,
            title: String::new(),
            intro: String::new(),
            submit: "Save",
            button: "btn-primary",
            expected_version: None,
            fields,
            error: None,
        }
    }

    /// Whether a field takes the focus; if none does, the form's message takes it.
    pub fn has_focus(&self) -> bool {
        self.fields.iter().any(|f| f.focus)
    }

    pub fn titled(mut self, title: impl Into<String>, intro: impl Into<String>) -> FormView {
        self.title = title.into();
        self.intro = intro.into();
        self
    }

    pub fn submit(mut self, label: &'static str, button: &'static str) -> FormView {
        self.submit = label;
        self.button = button;
        self
    }

    pub fn version(mut self, version: u64) -> FormView {
        self.expected_version = Some(version);
        self
    }

    /// The options of the [`Input::Choice`] field `name`.
    pub fn options(mut self, name: &str, options: Vec<(String, String)>) -> FormView {
        if let Some(field) = self.fields.iter_mut().find(|f| f.spec.name == name) {
            field.options = options;
        }
        self
    }

    /// Puts each refused field's reason under that field; a reason for a field this
    /// form does not have goes to the form's own message, so nothing is lost.
    pub fn failed(mut self, failure: &Failure) -> FormView {
        let mut stray = Vec::new();
        for error in &failure.fields {
            match self.fields.iter_mut().find(|f| f.spec.name == error.field) {
                Some(field) => field.error = Some(error.reason.clone()),
                None => stray.push(format!("{}: {}", error.field, error.reason)),
            }
        }
        if let Some(first) = self.fields.iter_mut().find(|f| f.error.is_some()) {
            first.focus = true;
        }
        let mut message = failure.message.clone().unwrap_or_else(|| {
            "Nothing was saved. Correct the fields marked below and submit again.".to_owned()
        });
        if !stray.is_empty() {
            message = format!("{message} ({})", stray.join("; "));
        }
        self.error = Some(message);
        self
    }
}

/// Why a submitted form was refused, and the status the page is sent with.
pub struct Failure {
    pub status: StatusCode,
    pub fields: Vec<FieldError>,
    pub message: Option<String>,
}

impl Failure {
    /// Sorts a refused command into what the form shows (bad input, a taken code, a
    /// stale version, a state rule) and what needs an error page instead (a missing
    /// record, a store failure). `what` and `code` name the record in messages.
    pub fn from_app(error: AppError, what: &str, code: &str) -> Result<Failure, PageError> {
        let failure = match error {
            AppError::Domain(DomainError::Validation(fields)) => Failure {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                fields,
                message: None,
            },
            AppError::Domain(DomainError::AlreadyExists { .. }) => Failure {
                status: StatusCode::CONFLICT,
                fields: vec![FieldError::new(
                    "code",
                    format!(
                        "is already used by another {what}; choose another code (codes are never reused)"
                    ),
                )],
                message: None,
            },
            AppError::Domain(DomainError::InvalidState(message)) => Failure {
                status: StatusCode::CONFLICT,
                fields: Vec::new(),
                message: Some(format!("Nothing was saved: {message}.")),
            },
            AppError::Domain(DomainError::NotAllowed(message)) => Failure {
                status: StatusCode::FORBIDDEN,
                fields: Vec::new(),
                message: Some(format!("Nothing was saved: {message}.")),
            },
            AppError::Store(StoreError::Conflict {
                expected, actual, ..
            }) => Failure {
                status: StatusCode::CONFLICT,
                fields: Vec::new(),
                message: Some(format!(
                    "Nothing was saved: {what} {code} was changed by someone else after you \
                     opened this page (you saw version {expected}; it is now at version \
                     {actual}). The page has been reloaded with the current values: check \
                     them, then submit your change again."
                )),
            },
            other => return Err(PageError::from(other)),
        };
        Ok(failure)
    }
}
