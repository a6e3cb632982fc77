//! `/api/v1/audit` and `/api/v1/audit.csv`: the audit trail across every record
//! (21 CFR Part 11 §11.10(e)) for auditors' tools. The audit page (`ui/audit.rs`)
//! reads its own form but shares the rest with this file: reading a query string,
//! fetching one page with the cursor of the next, and the CSV download, so that the
//! page and the API cannot page or export differently.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::de::IntoDeserializer;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use vplant_app::audit::{AuditEntry, AuditFilter};
use vplant_app::{App, AppError};
use vplant_domain::{FieldError, Timestamp};
use vplant_store::queries::audit::MAX_LIMIT;

use crate::AppState;
use crate::auth::Viewer;
use crate::error::{ApiError, ErrorBody};

/// Entries per page when the request does not say.
pub const DEFAULT_PAGE: u32 = 100;
/// The largest page served; a larger `limit` is cut to it. It stays below the store's
/// own cap because [`page`] asks for one entry more than the page holds.
pub const MAX_PAGE: u32 = 500;
const _: () = assert!(MAX_PAGE < MAX_LIMIT);

/// Which entries to list. Every parameter left out matches everything.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FilterQuery {
    /// Only changes made by this user (exact username).
    actor: Option<String>,
    /// Only changes to records of this type: `site`, `product`, `user`, `session`,
    /// `apitoken` or `signin`.
    record_type: Option<String>,
    /// Only changes recorded at or after this instant, RFC 3339, e.g.
    /// `2026-11-21T00:00:00Z` (send a `+` offset as `%2B`).
    #[param(format = DateTime)]
    from: Option<String>,
    /// Only changes recorded before this instant (exclusive), RFC 3339.
    #[param(format = DateTime)]
    to: Option<String>,
}

/// Which page of the entries to return.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Only entries older than this sequence number: the `next_before` of the
    /// previous page.
    #[param(value_type = Option<u64>)]
    before: Option<String>,
    /// Entries per page, 1 to 500 (default 100); a larger number is cut to 500.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500)]
    limit: Option<String>,
}

/// One page of the audit trail.
#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    /// The entries, newest first.
    pub entries: Vec<AuditEntry>,
    /// Pass this as `before` to fetch the next (older) page; `null` when there are
    /// no older entries.
    pub next_before: Option<u64>,
}

/// The audit trail across every record, newest first, one page at a time: who
/// changed what, when and why, with old and new values and each entry's ledger hash.
/// Password and token hashes are never shown.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", operation_id = "audit_list", params(FilterQuery, PageQuery),
    responses(
        (status = 200, body = AuditPage),
        (status = 422, body = ErrorBody, description = "A bad filter; every bad parameter is named"),
    ))]
pub async fn list(
    State(s): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<AuditPage>, ApiError> {
    let params = QueryParams::parse(raw.as_deref()).map_err(invalid)?;
    let mut errors = Vec::new();
    let filter = FilterQuery::read(&params, &mut errors).filter(&mut errors);
    let (before, size) = PageQuery::read(&params, &mut errors).page(&mut errors);
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    let filter = AuditFilter {
        before_seq: before,
        ..filter
    };
    let (entries, next_before) = page(&s.app, filter, size).await?;
    Ok(Json(AuditPage {
        entries,
        next_before,
    }))
}

/// Every entry the filter matches, newest first, as CSV with a header row (one
/// download, no paging). An export of more than 100 000 rows is refused (422 on
/// `to`) rather than cut short; narrow the time range.
#[utoipa::path(get, path = "/api/v1/audit.csv", tag = "audit", operation_id = "audit_csv", params(FilterQuery),
    responses(
        (status = 200, content_type = "text/csv", body = String,
            description = "The entries as CSV: seq, recorded_at_utc, actor, record, record_type, version, event, summary, reason, changes, hash"),
        (status = 422, body = ErrorBody, description = "A bad filter, or too many rows; every bad parameter is named"),
    ))]
pub async fn csv(
    State(s): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(raw.as_deref()).map_err(invalid)?;
    let mut errors = Vec::new();
    let filter = FilterQuery::read(&params, &mut errors).filter(&mut errors);
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    Ok(csv_download(&s, &viewer, "api", filter).await?)
}

impl FilterQuery {
    fn read(params: &QueryParams, errors: &mut Vec<FieldError>) -> FilterQuery {
        FilterQuery {
            actor: params.text("actor", errors),
            record_type: params.text("record_type", errors),
            from: params.text("from", errors),
            to: params.text("to", errors),
        }
    }

    /// The store filter; the record type and the order of `from` and `to` are left
    /// to the use case, which judges them the same way for the page.
    fn filter(self, errors: &mut Vec<FieldError>) -> AuditFilter {
        let mut instant_of = |field: &str, text: Option<String>| {
            text.and_then(|t| instant(field, &t).map_err(|e| errors.push(e)).ok())
        };
        let from = instant_of("from", self.from);
        let to = instant_of("to", self.to);
        AuditFilter {
            actor: self.actor,
            record_type: self.record_type,
            from,
            to,
            ..AuditFilter::default()
        }
    }
}

impl PageQuery {
    fn read(params: &QueryParams, errors: &mut Vec<FieldError>) -> PageQuery {
        PageQuery {
            before: params.text("before", errors),
            limit: params.text("limit", errors),
        }
    }

    /// The cursor and the page size.
    fn page(self, errors: &mut Vec<FieldError>) -> (Option<u64>, u32) {
        let before = self
            .before
            .and_then(|t| before_seq(&t).map_err(|e| errors.push(e)).ok());
        let size = page_size(self.limit.as_deref(), DEFAULT_PAGE, MAX_PAGE)
            .map_err(|e| errors.push(e))
            .unwrap_or(DEFAULT_PAGE);
        (before, size)
    }
}

fn invalid(errors: Vec<FieldError>) -> ApiError {
    ApiError::invalid(errors)
}

/// The parameters of a query string by name, as sent.
#[derive(Default)]
pub(crate) struct QueryParams(Vec<(String, String)>);

impl QueryParams {
    /// Reads `raw` (the part after `?`); a query string that is not
    /// `application/x-www-form-urlencoded` is refused, naming `query`.
    pub(crate) fn parse(raw: Option<&str>) -> Result<QueryParams, Vec<FieldError>> {
        serde_urlencoded::from_str(raw.unwrap_or(""))
            .map(QueryParams)
            .map_err(|e| {
                vec![FieldError::new(
                    "query",
                    format!("cannot be read ({e}); send the parameters as name=value pairs joined by '&'"),
                )]
            })
    }

    /// The trimmed value of `name`. Absent and blank both read as `None`, since a
    /// form sends a blank field for "any". A parameter given twice is refused
    /// rather than one of them picked, because which one was meant cannot be known.
    pub(crate) fn text(&self, name: &str, errors: &mut Vec<FieldError>) -> Option<String> {
        let mut values = self
            .0
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.trim());
        let first = values.next();
        if values.next().is_some() {
            errors.push(FieldError::new(
                name,
                "is given more than once; give it once",
            ));
            return None;
        }
        first.filter(|v| !v.is_empty()).map(str::to_owned)
    }
}

/// Parses an RFC 3339 instant, naming `field` if it is not one.
pub(crate) fn instant(field: &str, text: &str) -> Result<Timestamp, FieldError> {
    // The domain's own reading of RFC 3339 (the one its JSON uses), reached through
    // serde so that this crate needs no date library of its own.
    let parsed = Timestamp::deserialize(
        IntoDeserializer::<serde::de::value::Error>::into_deserializer(text),
    );
    parsed.map_err(|_| {
        // A `+` offset that was not percent-encoded arrives as a space.
        let hint = if text.contains(' ') {
            " (a '+' in a query string must be sent as %2B)"
        } else {
            ""
        };
        FieldError::new(
            field,
            format!("'{text}' is not an RFC 3339 date and time, e.g. 2026-11-21T00:00:00Z{hint}"),
        )
    })
}

/// Parses the `before` cursor.
pub(crate) fn before_seq(text: &str) -> Result<u64, FieldError> {
    text.parse().map_err(|_| {
        FieldError::new(
            "before",
            format!("'{text}' is not a sequence number; use the next_before of the previous page"),
        )
    })
}

/// Parses `limit`: absent means `default`, more than `max` is cut to `max`.
pub(crate) fn page_size(text: Option<&str>, default: u32, max: u32) -> Result<u32, FieldError> {
    let Some(text) = text else {
        return Ok(default);
    };
    match text.parse::<u64>() {
        Ok(0) | Err(_) => Err(FieldError::new(
            "limit",
            format!("'{text}' is not a page size; use a whole number from 1 to {max}"),
        )),
        Ok(n) => Ok(u32::try_from(n).unwrap_or(max).min(max)),
    }
}

/// One page of the audit trail, newest first, and the cursor of the next page:
/// `Some(seq)` only when older entries exist. One entry more than the page holds is
/// fetched to know that, so that nobody follows a cursor to an empty page.
pub(crate) async fn page(
    app: &App,
    mut filter: AuditFilter,
    size: u32,
) -> Result<(Vec<AuditEntry>, Option<u64>), AppError> {
    let size = size.clamp(1, MAX_PAGE);
    filter.limit = size + 1;
    let mut entries = app.audit_log(filter).await?;
    let full = size as usize;
    if entries.len() <= full {
        return Ok((entries, None));
    }
    entries.truncate(full);
    let next = entries.last().map(|e| e.entry.seq);
    Ok((entries, next))
}

/// The export of `filter` as a file download. Reading the audit trail changes no
/// record, so nothing is written to the ledger; the export is logged instead (who,
/// from where, through which door, with which filter), because handing a copy of
/// the audit trail out of the system is itself something an inspector may ask about.
pub(crate) async fn csv_download(
    state: &AppState,
    viewer: &Viewer,
    via: &'static str,
    filter: AuditFilter,
) -> Result<Response, AppError> {
    let logged = filter.clone();
    let body = state.app.audit_csv(filter).await?;
    let instant = |t: Option<Timestamp>| t.map_or_else(|| "any".to_owned(), Timestamp::to_rfc3339);
    tracing::info!(
        user = viewer.username(),
        client = %viewer.client,
        via,
        actor = logged.actor.as_deref().unwrap_or("any"),
        record_type = logged.record_type.as_deref().unwrap_or("any"),
        from = %instant(logged.from),
        to = %instant(logged.to),
        bytes = body.len(),
        "audit trail exported as CSV"
    );
    let filename = format!("vplant-audit-{}.csv", file_stamp(state.app.store.now()));
    let headers = [
        (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
        (
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ),
        // A copy of the audit trail must not linger in shared caches.
        (header::CACHE_CONTROL, "no-store".to_owned()),
    ];
    Ok((headers, body).into_response())
}

/// `20261121T161339Z`: the instant to the second, in a form every file system
/// accepts in a name.
fn file_stamp(now: Timestamp) -> String {
    let text = now.to_rfc3339();
    let seconds = text.split('.').next().unwrap_or(&text);
    let compact: String = seconds
        .trim_end_matches('Z')
        .chars()
        .filter(|c| !matches!(c, '-' | ':'))
        .collect();
    format!("{compact}Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_name_stamp_is_compact_utc_to_the_second() {
        let at = Timestamp::from_micros(1_795_277_619_123_456);
        assert_eq!(file_stamp(at), "20261121T161339Z");
        let whole = Timestamp::from_micros(1_795_277_619_000_000);
        assert_eq!(file_stamp(whole), "20261121T161339Z");
    }

    #[test]
    fn instants_are_rfc_3339_and_a_bad_one_names_its_field() {
        assert_eq!(
            instant("from", "2026-11-21T16:13:39Z").unwrap(),
            Timestamp::from_micros(1_795_277_619_000_000)
        );
        let error = instant("to", "2026-11-21 16:13:39 01:00").unwrap_err();
        assert_eq!(error.field, "to");
        assert!(error.reason.contains("%2B"), "{}", error.reason);
    }

    #[test]
    fn a_page_size_is_cut_to_the_maximum_and_zero_is_refused() {
        assert_eq!(page_size(None, 100, 500), Ok(100));
        assert_eq!(page_size(Some("7"), 100, 500), Ok(7));
        assert_eq!(page_size(Some("99999999999"), 100, 500), Ok(500));
        assert!(page_size(Some("0"), 100, 500).is_err());
        assert!(page_size(Some("ten"), 100, 500).is_err());
    }

    #[test]
    fn a_parameter_given_twice_is_refused() {
        let params = QueryParams::parse(Some("actor=a&actor=b&to=")).unwrap();
        let mut errors = Vec::new();
        assert_eq!(params.text("actor", &mut errors), None);
        assert_eq!(params.text("to", &mut errors), None);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "actor");
    }
}
