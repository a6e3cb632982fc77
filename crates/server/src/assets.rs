//! Static assets compiled into the binary, so a page never calls the network:
//! htmx (2.0.11, BSD-2-Clause, `assets/htmx.LICENSE`), the style sheet, and
//! `app.js`, the few lines that open dialogs and keep sessions honest.

use axum::http::header;
use axum::response::IntoResponse;

use crate::auth::access::{Access, Routes};

const HTMX: &str = include_str!("../assets/htmx.min.js");
const STYLE: &str = include_str!("../assets/style.css");
const APP_JS: &str = include_str!("../assets/app.js");

pub fn routes() -> Routes {
    Routes::new()
        .get("/assets/htmx.min.js", Access::Public, htmx)
        .get("/assets/style.css", Access::Public, style)
        .get("/assets/app.js", Access::Public, app_js)
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

async fn app_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        APP_JS,
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
