//! Static assets compiled into the binary, so a page never calls the network:
//! htmx (2.0.11, BSD-2-Clause, `assets/htmx.LICENSE`) and the style sheet.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::AppState;

const HTMX: &str = include_str!("../assets/htmx.min.js");
const STYLE: &str = include_str!("../assets/style.css");

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assets/htmx.min.js", get(htmx))
        .route("/assets/style.css", get(style))
}

async fn htmx() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        HTMX,
    )
}

async fn style() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLE,
    )
}
