//! The audit trail page (`/audit`): every change to every record, newest first,
//! filtered by user, record type and days, a page at a time, with a CSV download of
//! everything the filter matches (`/audit.csv`). Paging and the download are shared
//! with the JSON API (`api/audit.rs`), so both answer the same filter the same way.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use vplant_app::AppError;
use vplant_app::audit::{AuditEntry, AuditFilter};
use vplant_domain::history::RECORD_TYPES;
use vplant_domain::identity::Permission;
use vplant_domain::{DomainError, FieldError, Timestamp};

use super::history::{self, HistoryRow};
use super::page::{Chrome, PageError, render};
use super::{batches, products, sites, users};
use crate::AppState;
use crate::api::audit::{QueryParams, before_seq, csv_download, instant, page, page_size};
use crate::auth::Viewer;
use crate::auth::access::{Access, Routes};

/// Where the page lives.
pub const BASE: &str = "/audit";
/// Where its CSV download lives.
const CSV: &str = "/audit.csv";
/// Entries per page unless `limit` says otherwise.
const DEFAULT_PAGE: u32 = 50;
/// The largest page; a larger `limit` is cut to it, so that the table stays
/// readable and one request stays short.
const MAX_PAGE: u32 = 200;
/// Microseconds in a day: `to` names the last day included, the store wants the
/// first instant excluded.
const DAY: i64 = 86_400 * 1_000_000;

pub fn routes() -> Routes {
    let view = Access::Allow(Permission::ViewAuditTrail);
    Routes::new().get(BASE, view, show).get(CSV, view, download)
}

/// How a filter field is entered.
pub enum Kind {
    Text,
    /// A day, sent as `YYYY-MM-DD` by `<input type="date">`.
    Date,
    /// "All" or one of [`RECORD_TYPES`].
    RecordType,
}

/// One field of the filter form as drawn.
pub struct FilterField {
    /// The query parameter, and the name the refusals use for it.
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub kind: Kind,
    /// What was sent, to draw the form as the person left it.
    pub value: String,
    pub error: Option<String>,
    /// The first refused field takes the focus, so keyboard and screen-reader users
    /// land where the correction is needed.
    pub focus: bool,
}

impl FilterField {
    /// Unique on the page, for `<label for>` and the ARIA links.
    pub fn id(&self) -> String {
        format!("audit-{}", self.name)
    }

    pub fn selected(&self, option: &str) -> bool {
        self.value == option
    }

    /// The attributes that tie the control to its hint and error. Built only from
    /// the static field names (never from input), which is why the template may
    /// insert it unescaped.
    pub fn aria(&self) -> String {
        let id = self.id();
        let mut described = Vec::new();
        if !self.hint.is_empty() {
            described.push(format!("{id}-hint"));
        }
        if self.error.is_some() {
            described.push(format!("{id}-error"));
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

/// The filter as sent: drawn back into the form and carried by every link.
#[derive(Default)]
struct Sent {
    user: Option<String>,
    record_type: Option<String>,
    from: Option<String>,
    to: Option<String>,
    limit: Option<String>,
    before: Option<String>,
}

impl Sent {
    fn read(params: &QueryParams, errors: &mut Vec<FieldError>) -> Sent {
        Sent {
            user: params.text("user", errors),
            record_type: params.text("record_type", errors),
            from: params.text("from", errors),
            to: params.text("to", errors),
            limit: params.text("limit", errors),
            before: params.text("before", errors),
        }
    }

    /// The store filter and the page size. Dates are UTC days: `from` starts at its
    /// midnight, and `to` includes its whole day, so the store gets the midnight
    /// after it as its exclusive end. The record type is judged by the use case.
    fn filter(&self, errors: &mut Vec<FieldError>) -> (AuditFilter, u32) {
        let mut day_of = |field: &str, text: &Option<String>| {
            text.as_deref()
                .and_then(|t| day(field, t).map_err(|e| errors.push(e)).ok())
        };
        let from = day_of("from", &self.from);
        let to = day_of("to", &self.to);
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            errors.push(FieldError::new(
                "to",
                "is a day before the From day; choose the same day or a later one",
            ));
        }
        let before = self
            .before
            .as_deref()
            .and_then(|t| before_seq(t).map_err(|e| errors.push(e)).ok());
        let size = page_size(self.limit.as_deref(), DEFAULT_PAGE, MAX_PAGE)
            .map_err(|e| errors.push(e))
            .unwrap_or(DEFAULT_PAGE);
        let filter = AuditFilter {
            actor: self.user.clone(),
            record_type: self.record_type.clone(),
            from,
            to: to.map(|t| Timestamp::from_micros(t.as_micros().saturating_add(DAY))),
            before_seq: before,
            limit: 0,
        };
        (filter, size)
    }

    /// The query string of the filter (no page), empty when nothing is filtered.
    fn filters(&self) -> Vec<(&'static str, &str)> {
        [
            ("user", &self.user),
            ("record_type", &self.record_type),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.as_deref().map(|v| (name, v)))
        .collect()
    }

    /// `path` with the filter, and the page size and cursor when given.
    fn href(&self, path: &str, limit: bool, before: Option<u64>) -> String {
        let mut pairs: Vec<(&str, String)> = self
            .filters()
            .into_iter()
            .map(|(name, value)| (name, value.to_owned()))
            .collect();
        if limit && let Some(size) = &self.limit {
            pairs.push(("limit", size.clone()));
        }
        if let Some(seq) = before {
            pairs.push(("before", seq.to_string()));
        }
        match serde_urlencoded::to_string(&pairs) {
            Ok(query) if !query.is_empty() => format!("{path}?{query}"),
            _ => path.to_owned(),
        }
    }

    /// The form's fields, filled in as sent, with each refusal under its field.
    fn fields(&self, errors: &[FieldError]) -> Vec<FilterField> {
        let field = |name, label, hint, kind, value: &Option<String>| FilterField {
            name,
            label,
            hint,
            kind,
            value: value.clone().unwrap_or_default(),
            error: errors
                .iter()
                .find(|e| e.field == name)
                .map(|e| e.reason.clone()),
            focus: false,
        };
        let mut fields = vec![
            field(
                "user",
                "User",
                "The username, exactly as it was recorded.",
                Kind::Text,
                &self.user,
            ),
            field(
                "record_type",
                "Record type",
                "",
                Kind::RecordType,
                &self.record_type,
            ),
            field(
                "from",
                "From",
                "The first day included (UTC).",
                Kind::Date,
                &self.from,
            ),
            field(
                "to",
                "To",
                "The last day included (UTC).",
                Kind::Date,
                &self.to,
            ),
        ];
        if let Some(first) = fields.iter_mut().find(|f| f.error.is_some()) {
            first.focus = true;
        }
        fields
    }
}

/// Midnight UTC at the start of `text`, a day as `<input type="date">` sends it.
fn day(field: &str, text: &str) -> Result<Timestamp, FieldError> {
    let shaped = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    // Only the exact day shape is passed on, so a full timestamp typed into the
    // field cannot slip through as something other than a day.
    let parsed = if shaped {
        instant(field, &format!("{text}T00:00:00Z")).ok()
    } else {
        None
    };
    parsed.ok_or_else(|| {
        FieldError::new(
            field,
            format!("'{text}' is not a date; use YYYY-MM-DD, e.g. 2026-11-21"),
        )
    })
}

/// One entry of the table: the record it changed and the change.
pub struct AuditRow {
    /// The record, e.g. `site/BSL`.
    pub record: String,
    /// The record's page, when it has one and the viewer may open it.
    pub href: Option<String>,
    pub entry: HistoryRow,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    page: Chrome,
    fields: Vec<FilterField>,
    record_types: &'static [(&'static str, &'static str)],
    /// The page size, when the address chose one; the form keeps it.
    limit: Option<String>,
    /// Why the filter was refused, for refusals of no field on the form.
    error: Option<String>,
    /// `None` when the filter was refused: no table is shown then.
    rows: Option<Vec<AuditRow>>,
    /// The first page of this filter, when this page is a later one.
    newest: Option<String>,
    older: Option<String>,
    csv: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let (sent, parsed) = read(raw.as_deref());
    let refused = match parsed {
        Ok((filter, size)) => match page(&state.app, filter, size).await {
            Ok((entries, next)) => {
                let body = AuditPage {
                    page: chrome(&viewer),
                    fields: sent.fields(&[]),
                    record_types: RECORD_TYPES,
                    limit: sent.limit.clone(),
                    error: None,
                    rows: Some(rows(entries, &viewer)),
                    newest: sent.before.is_some().then(|| sent.href(BASE, true, None)),
                    older: next.map(|seq| sent.href(BASE, true, Some(seq))),
                    csv: Some(sent.href(CSV, false, None)),
                };
                return Ok(render(StatusCode::OK, &body));
            }
            Err(error) => validation(error)?,
        },
        Err(errors) => errors,
    };
    Ok(refusal(&viewer, &sent, &refused))
}

async fn download(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let (sent, parsed) = read(raw.as_deref());
    let refused = match parsed {
        // A download is every entry the filter matches, whatever page the link was on.
        Ok((filter, _)) => {
            let filter = AuditFilter {
                before_seq: None,
                ..filter
            };
            match csv_download(&state, &viewer, "page", filter).await {
                Ok(response) => return Ok(response),
                Err(error) => validation(error)?,
            }
        }
        Err(errors) => errors,
    };
    Ok(refusal(&viewer, &sent, &refused))
}

/// The query string as sent and, if it makes a valid filter, the filter and page size.
fn read(raw: Option<&str>) -> (Sent, Result<(AuditFilter, u32), Vec<FieldError>>) {
    let params = match QueryParams::parse(raw) {
        Ok(params) => params,
        Err(errors) => return (Sent::default(), Err(errors)),
    };
    let mut errors = Vec::new();
    let sent = Sent::read(&params, &mut errors);
    let parsed = sent.filter(&mut errors);
    if errors.is_empty() {
        (sent, Ok(parsed))
    } else {
        (sent, Err(errors))
    }
}

/// The refused fields of a use-case error; any other error is an error page.
fn validation(error: AppError) -> Result<Vec<FieldError>, PageError> {
    match error {
        AppError::Domain(DomainError::Validation(fields)) => Ok(fields),
        other => Err(PageError::from(other)),
    }
}

/// The form with each refusal under its field (422), and no table: a table for a
/// filter other than the one in the form would mislead.
fn refusal(viewer: &Viewer, sent: &Sent, errors: &[FieldError]) -> Response {
    let fields = sent.fields(errors);
    let stray: Vec<String> = errors
        .iter()
        .filter(|e| !fields.iter().any(|f| f.name == e.field))
        .map(|e| format!("{}: {}", e.field, e.reason))
        .collect();
    let mut message =
        "The filter was not applied. Correct the fields marked below and apply it again."
            .to_owned();
    if !stray.is_empty() {
        message = format!(
            "The filter was not applied: {}. Correct the address, or clear the filter and start again.",
            stray.join("; ")
        );
    }
    let body = AuditPage {
        page: chrome(viewer),
        fields,
        record_types: RECORD_TYPES,
        limit: sent.limit.clone(),
        error: Some(message),
        rows: None,
        newest: None,
        older: None,
        csv: None,
    };
    render(StatusCode::UNPROCESSABLE_ENTITY, &body)
}

fn chrome(viewer: &Viewer) -> Chrome {
    Chrome::new("Audit trail", BASE).viewer(viewer)
}

fn rows(entries: Vec<AuditEntry>, viewer: &Viewer) -> Vec<AuditRow> {
    let (records, entries): (Vec<String>, Vec<_>) =
        entries.into_iter().map(|e| (e.stream_id, e.entry)).unzip();
    // `history::rows` turns a record's history (oldest first) into rows newest
    // first; fed this page in reverse, it gives the rows back in the page's order,
    // drawn exactly as every record's own history draws them.
    let drawn = history::rows(entries.into_iter().rev().collect());
    records
        .into_iter()
        .zip(drawn)
        .map(|(record, entry)| AuditRow {
            href: record_href(&record, viewer),
            record,
            entry,
        })
        .collect()
}

/// The page of the record behind `stream_id`, if there is one and the viewer's
/// roles open it (a link that answers "not allowed" helps nobody).
fn record_href(stream_id: &str, viewer: &Viewer) -> Option<String> {
    let (kind, id) = stream_id.split_once('/')?;
    let (base, needs) = match kind {
        "site" => (sites::BASE, Permission::ViewMasterData),
        "product" => (products::BASE, Permission::ViewMasterData),
        "user" => (users::BASE, Permission::ViewUsers),
        "batch" => (batches::BATCHES, Permission::ViewBatches),
        "lot" => (batches::LOTS, Permission::ViewBatches),
        _ => return None,
    };
    viewer.can(needs).then(|| format!("{base}/{id}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(query: &str) -> (Sent, Result<(AuditFilter, u32), Vec<FieldError>>) {
        read(Some(query))
    }

    #[test]
    fn days_are_utc_and_to_includes_its_whole_day() {
        let (_, parsed) = sent("from=2026-11-21&to=2026-11-21&user=jdoe&record_type=site");
        let (filter, size) = parsed.unwrap();
        assert_eq!(size, DEFAULT_PAGE);
        assert_eq!(filter.from.unwrap().to_rfc3339(), "2026-11-21T00:00:00Z");
        assert_eq!(filter.to.unwrap().to_rfc3339(), "2026-11-22T00:00:00Z");
        assert_eq!(filter.actor.as_deref(), Some("jdoe"));
    }

    #[test]
    fn bad_days_and_a_to_before_from_name_their_fields() {
        let (_, parsed) = sent("from=2026-02-30&to=21.11.2026");
        let fields: Vec<String> = parsed.unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["from", "to"]);
        let (_, parsed) = sent("from=2026-11-21&to=2026-11-20");
        let errors = parsed.unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "to");
    }

    #[test]
    fn links_carry_the_filter_and_the_download_drops_the_page() {
        let (sent, _) = sent("user=j+doe&record_type=&limit=3&before=9");
        assert_eq!(
            sent.href(BASE, true, Some(5)),
            "/audit?user=j+doe&limit=3&before=5"
        );
        assert_eq!(sent.href(CSV, false, None), "/audit.csv?user=j+doe");
        assert_eq!(Sent::default().href(CSV, false, None), "/audit.csv");
    }
}
