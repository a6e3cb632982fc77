//! Two versions of an MBR compared step by step (`/mbrs/<code>/diff?from=&to=`):
//! what the approver must look at when a change is signed.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use vplant_domain::mbr::diff::{ChangeKind, Difference};

use super::MBRS;
use crate::AppState;
use crate::api::audit::QueryParams;
use crate::auth::Viewer;
use crate::ui::batches::not_found;
use crate::ui::page::{Chrome, PageError, render};

#[derive(Template)]
#[template(path = "mes/mbr_diff.html")]
struct DiffPage {
    page: Chrome,
    code: String,
    from: u32,
    to: u32,
    rows: Vec<(&'static str, Difference)>,
}

fn kind(k: ChangeKind) -> &'static str {
    match k {
        ChangeKind::Added => "Added",
        ChangeKind::Removed => "Removed",
        ChangeKind::Changed => "Changed",
        ChangeKind::Moved => "Moved",
    }
}

pub(super) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let code = code.to_uppercase();
    let params = QueryParams::parse(raw.as_deref()).unwrap_or_default();
    let mut errors = Vec::new();
    let asked = |name: &str, errors: &mut Vec<_>| -> Result<Option<u32>, PageError> {
        match params.text(name, errors) {
            None => Ok(None),
            Some(v) => v.parse::<u32>().map(Some).map_err(|_| {
                PageError::BadRequest(format!(
                    "'{v}' is not a version number; compare with ?from=1&to=2."
                ))
            }),
        }
    };
    let (from, to) = (asked("from", &mut errors)?, asked("to", &mut errors)?);
    // Without versions: the latest against the one it was based on.
    let versions = state.app.mbr_versions(&code).await?;
    let latest = versions.last();
    let to = to.or(latest.map(|l| l.mbr_version)).unwrap_or(1);
    let from = from
        .or_else(|| {
            versions
                .iter()
                .find(|v| v.mbr_version == to)
                .and_then(|v| v.based_on)
        })
        .unwrap_or(to);
    let id = format!("{code} {from}→{to}");
    let differences = state
        .app
        .mbr_diff(&code, from, to)
        .await
        .map_err(|e| not_found(e, "MBR version pair", &id, ("Master batch records", MBRS)))?;
    let body = DiffPage {
        page: Chrome::new(format!("MBR {code}: version {from} → {to}"), MBRS)
            .via("Master batch records", MBRS)
            .via(
                format!("{code} version {to}"),
                format!("{MBRS}/{code}/{to}"),
            )
            .viewer(&viewer),
        rows: differences.into_iter().map(|d| (kind(d.kind), d)).collect(),
        code,
        from,
        to,
    };
    Ok(render(StatusCode::OK, &body))
}
