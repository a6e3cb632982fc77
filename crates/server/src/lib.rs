//! The web edge: the JSON API (`api/`), the server-rendered pages (`ui/`) and the
//! static assets, all served by one axum router. Handlers are thin: parse, call one
//! use case in `vplant-app`, render.

pub mod api;
mod assets;
pub mod error;
pub mod extract;
mod ui;

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use vplant_app::App;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
}

/// The whole application's routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(api::router())
        .merge(ui::router())
        .merge(assets::router())
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
