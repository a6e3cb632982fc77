//! The web edge: the JSON API (`api/`), the server-rendered pages (`ui/`) and the
//! static assets, all served by one axum router. Handlers are thin: parse, call one
//! use case in `vplant-app`, render.

pub mod api;
mod assets;
pub mod auth;
pub mod error;
pub mod extract;
mod provenance;
mod ui;

use std::net::SocketAddr;
use std::time::Duration;

use std::sync::Arc;

use auth::WebConfig;
use auth::access::Routes;
use auth::rate::Limits;
use axum::{Router, middleware};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use vplant_app::App;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub web: Arc<WebConfig>,
    pub limits: Arc<Limits>,
}

impl AppState {
    pub fn new(app: App, web: WebConfig) -> AppState {
        let limits = Limits::new(web.attempts_per_minute);
        AppState {
            app,
            web: Arc::new(web),
            limits,
        }
    }
}

/// Every route with its access decision: the JSON API, the pages and the assets.
pub fn routes() -> Routes {
    api::routes().merge(ui::routes()).merge(assets::routes())
}

/// The whole application: the declared routes behind authentication, the
/// password-check rate limit and forgery protection.
pub fn router(state: AppState) -> Router {
    let (routes, _) = routes().into_parts();
    routes
        .fallback(ui::fallback)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::csrf::check,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::rate::limit,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .layer(middleware::from_fn(ui::htmx::redirects))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves until the process is stopped (Ctrl-C or SIGTERM).
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
