//! The chrome every page shares (title, breadcrumb, navigation, alerts), rendering a
//! template into a response, and the error pages. A person who follows a stale link
//! or meets a database outage gets a page that says what happened and what to do
//! next, never a bare status code.

use askama::Template;
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use vplant_app::AppError;
use vplant_domain::DomainError;
use vplant_store::StoreError;

use super::NavItem;
use crate::auth::Viewer;
use crate::error::ApiError;

/// One step of the breadcrumb; the last one is the current page and has no link.
pub struct Crumb {
    pub label: String,
    pub href: Option<String>,
}

/// How an alert reads: success is announced politely, an error interrupts
/// (`role="alert"`), so a screen reader hears a refusal at once. The style sheet
/// also has `alert-info` for the modules that need it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Success,
    /// Needs attention but did not stop anything (a value outside alert limits).
    Warning,
    Error,
}

impl Tone {
    pub fn class(self) -> &'static str {
        match self {
            Tone::Success => "alert-success",
            Tone::Warning => "alert-warning",
            Tone::Error => "alert-error",
        }
    }

    pub fn role(self) -> &'static str {
        match self {
            Tone::Success | Tone::Warning => "status",
            Tone::Error => "alert",
        }
    }
}

/// A message in the flash area at the top of the page.
pub struct Alert {
    pub tone: Tone,
    pub text: String,
}

/// The signed-in person as the layout shows them.
pub struct UserBar {
    pub username: String,
    pub full_name: String,
    pub roles: String,
    /// The session's anti-forgery token, for every form and htmx request.
    pub csrf: String,
    principal: vplant_domain::identity::Principal,
}

/// What the layout (`base.html`) needs from every page.
pub struct Chrome {
    pub title: String,
    /// The `href` of the navigation entry this page belongs to.
    pub section: &'static str,
    pub crumbs: Vec<Crumb>,
    pub alerts: Vec<Alert>,
    /// `None` on the pages shown before sign-in.
    pub user: Option<UserBar>,
}

impl Chrome {
    /// A page titled `title` under navigation entry `section`; the breadcrumb starts
    /// at Home and ends at the title.
    pub fn new(title: impl Into<String>, section: &'static str) -> Chrome {
        Chrome {
            title: title.into(),
            section,
            crumbs: vec![Crumb {
                label: "Home".to_owned(),
                href: Some("/".to_owned()),
            }],
            alerts: Vec::new(),
            user: None,
        }
    }

    /// The page as `viewer` sees it: their name in the header, their sign-out form,
    /// and only the navigation entries their roles open.
    pub fn viewer(mut self, viewer: &Viewer) -> Chrome {
        self.user = Some(UserBar {
            username: viewer.principal.username.clone(),
            full_name: viewer.principal.full_name.clone(),
            roles: viewer.principal.role_labels(),
            csrf: viewer.csrf.clone().unwrap_or_default(),
            principal: viewer.principal.clone(),
        });
        self
    }

    /// A page shown before sign-in: no navigation, no breadcrumb.
    pub fn public(title: impl Into<String>) -> Chrome {
        Chrome {
            crumbs: Vec::new(),
            ..Chrome::new(title, "")
        }
    }

    /// The anti-forgery token forms on this page carry (empty before sign-in).
    pub fn csrf(&self) -> &str {
        self.user.as_ref().map_or("", |u| u.csrf.as_str())
    }

    /// The home page: no breadcrumb, since it is where every breadcrumb starts.
    pub fn home(title: impl Into<String>) -> Chrome {
        Chrome {
            crumbs: Vec::new(),
            ..Chrome::new(title, "/")
        }
    }

    /// Adds a linked breadcrumb step between Home and the current page.
    pub fn via(mut self, label: impl Into<String>, href: impl Into<String>) -> Chrome {
        self.crumbs.push(Crumb {
            label: label.into(),
            href: Some(href.into()),
        });
        self
    }

    pub fn alert(mut self, tone: Tone, text: impl Into<String>) -> Chrome {
        self.alerts.push(Alert {
            tone,
            text: text.into(),
        });
        self
    }

    /// The navigation entries the signed-in person may open.
    pub fn nav(&self) -> Vec<&'static NavItem> {
        let Some(user) = &self.user else {
            return Vec::new();
        };
        super::NAV
            .iter()
            .filter(|item| item.needs.is_none_or(|p| user.principal.can(p)))
            .collect()
    }

    /// The breadcrumb steps before the current page (the title closes it).
    pub fn trail(&self) -> &[Crumb] {
        &self.crumbs
    }
}

/// Renders `template` with `status`. A template that fails to render is a bug; the
/// person sees a plain 500 and the log says which template.
pub fn render<T: Template>(status: StatusCode, template: &T) -> Response {
    match template.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(error) => {
            tracing::error!(%error, "a page template failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The page could not be drawn; nothing was changed. The details are in the server log.",
            )
                .into_response()
        }
    }
}

/// Why a page could not be shown.
#[derive(Debug)]
pub enum PageError {
    /// The record or page does not exist; `back` is the list to return to.
    NotFound {
        message: String,
        back: Option<(&'static str, &'static str)>,
    },
    /// The request itself is damaged (a hand-edited form, say).
    BadRequest(String),
    /// The person's roles do not allow it, or the request was forged.
    Forbidden(String),
    /// Too many password attempts from this client; retry after the seconds given.
    TooManyAttempts(u64),
    Store(StoreError),
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> PageError {
        PageError::Store(e)
    }
}

impl From<AppError> for PageError {
    fn from(e: AppError) -> PageError {
        match e {
            AppError::Domain(DomainError::NotFound { what, id }) => PageError::NotFound {
                message: format!("There is no {what} with the code '{id}'."),
                back: None,
            },
            AppError::Domain(DomainError::NotAllowed(message)) => PageError::Forbidden(message),
            AppError::Domain(other) => PageError::BadRequest(other.to_string()),
            AppError::Store(store) => PageError::Store(store),
            AppError::Auth(e) => PageError::Forbidden(e.to_string()),
            AppError::Internal(e) => {
                tracing::error!(error = %e, "internal error while serving a page");
                PageError::Store(StoreError::Database("internal error".into()))
            }
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    page: Chrome,
    message: String,
    advice: &'static str,
    code: &'static str,
    back: Option<(&'static str, &'static str)>,
}

impl PageError {
    fn parts(self) -> (StatusCode, ErrorPage) {
        let page = |title: &str| Chrome::new(title, "");
        let (status, page, message, advice, code, back) = match self {
            PageError::NotFound { message, back } => (
                StatusCode::NOT_FOUND,
                page("Not found"),
                message,
                "Check the address, or find the record in its list.",
                "VP-NOT-FOUND",
                back,
            ),
            PageError::BadRequest(message) => (
                StatusCode::BAD_REQUEST,
                page("The request could not be read"),
                message,
                "Nothing was changed. Go back, reload the page and try again.",
                "VP-BAD-REQUEST",
                None,
            ),
            PageError::Forbidden(message) => (
                StatusCode::FORBIDDEN,
                page("Not allowed"),
                message,
                "Go back to the previous page, or to the home page.",
                "VP-FORBIDDEN",
                None,
            ),
            PageError::TooManyAttempts(secs) => (
                StatusCode::TOO_MANY_REQUESTS,
                page("Too many attempts"),
                format!(
                    "There were too many password attempts from your address. Wait {secs} seconds."
                ),
                "Then try again. If you have forgotten your password, ask an administrator to reset it.",
                "VP-RATE-LIMITED",
                None,
            ),
            PageError::Store(e) => {
                let (status, title, advice) = store_advice(&e);
                (status, page(title), String::new(), advice, e.code(), None)
            }
        };
        let template = ErrorPage {
            page,
            message,
            advice,
            code,
            back,
        };
        (status, template)
    }
}

/// The status, title and advice for a store failure. The store's own message can
/// name hosts and files, so it goes to the log, never to the page.
fn store_advice(e: &StoreError) -> (StatusCode, &'static str, &'static str) {
    match e {
        StoreError::Unavailable(_) => {
            tracing::warn!(error = %e, "database unavailable while serving a page");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "The database is not answering",
                "Nothing was changed. Wait a minute and reload this page. If it keeps \
                 happening, tell your system administrator: the database must be running \
                 and reachable from the Virtual Plant server (the server log has the details).",
            )
        }
        StoreError::ShuttingDown => (
            StatusCode::SERVICE_UNAVAILABLE,
            "The server is restarting",
            "Nothing was changed. Reload this page in a moment.",
        ),
        StoreError::Full(_) => {
            tracing::error!(error = %e, "database full while serving a page");
            (
                StatusCode::INSUFFICIENT_STORAGE,
                "The database is full",
                "Nothing was written. Tell your system administrator to free disk space, \
                 then try again.",
            )
        }
        _ => {
            tracing::error!(error = %e, "store error while serving a page");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on the server",
                "Nothing was changed. Try again; if it happens again, tell your system \
                 administrator and quote the reference below (the details are in the \
                 server log).",
            )
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, template) = self.parts();
        render(status, &template)
    }
}

/// Unknown routes: a page with a way home, or for the JSON API a JSON 404, because
/// API clients should never have to parse HTML.
pub async fn fallback(uri: Uri) -> Response {
    let path = uri.path();
    if path.starts_with("/api/") {
        return ApiError::not_found("route", path).into_response();
    }
    PageError::NotFound {
        message: format!("There is no page at {path}."),
        back: None,
    }
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreachable_database_is_a_503_that_says_what_to_do() {
        let error = PageError::Store(StoreError::Unavailable("postgres://secret@db".into()));
        let (status, page) = error.parts();
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        let html = page.render().unwrap();
        assert!(html.contains("The database is not answering"));
        assert!(html.contains("reload this page"));
        assert!(!html.contains("secret"), "connection details must not leak");
    }
}
