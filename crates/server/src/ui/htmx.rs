//! Forms are posted by htmx when scripts run (see `templates/macros.html`). A form
//! that succeeds answers with a redirect to the page it changed (Post/Redirect/Get);
//! the browser's request object would follow that redirect silently and htmx would
//! swap the new page in under the old address, so that a reload showed the empty form
//! again. This layer answers such a request with `HX-Redirect` instead, and htmx
//! navigates there: the address bar shows the page, and a reload posts nothing.

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

pub async fn redirects(request: Request, next: Next) -> Response {
    let htmx = request.headers().contains_key("hx-request");
    let mut response = next.run(request).await;
    if !htmx || !response.status().is_redirection() {
        return response;
    }
    // Everything else the answer carries (a new session cookie after a password
    // change, say) stays; only the redirect becomes htmx's.
    if let Some(location) = response.headers_mut().remove(header::LOCATION) {
        *response.status_mut() = StatusCode::OK;
        response.headers_mut().insert("hx-redirect", location);
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use axum::Router;
    use axum::body::Body;
    use axum::response::{IntoResponse, Redirect};
    use axum::routing::post;
    use tower::ServiceExt;

    use super::*;

    fn app() -> Router {
        Router::new()
            .route(
                "/go",
                post(|| async {
                    let mut r = Redirect::to("/done").into_response();
                    r.headers_mut()
                        .insert(header::SET_COOKIE, HeaderValue::from_static("s=1"));
                    r
                }),
            )
            .layer(axum::middleware::from_fn(redirects))
    }

    #[tokio::test]
    async fn an_htmx_post_is_told_where_to_go_and_keeps_its_cookies() {
        let request = Request::post("/go")
            .header("hx-request", "true")
            .body(Body::empty())
            .unwrap();
        let answer = app().oneshot(request).await.unwrap();
        assert_eq!(answer.status(), StatusCode::OK);
        assert_eq!(answer.headers()["hx-redirect"], "/done");
        assert_eq!(answer.headers()[header::SET_COOKIE], "s=1");
        assert!(!answer.headers().contains_key(header::LOCATION));
    }

    #[tokio::test]
    async fn a_plain_post_keeps_its_redirect() {
        let request = Request::post("/go").body(Body::empty()).unwrap();
        let answer = app().oneshot(request).await.unwrap();
        assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    }
}
