//! The fixture every module of this binary starts from: the whole router over a fresh
//! SQLite store in a temporary directory.

use axum::Router;
use vplant_app::App;
use vplant_server::AppState;
use vplant_store::{Location, Store, StoreConfig};

/// The router and the directory that holds its database (keep it alive as long as
/// the router).
pub fn fresh_router() -> (Router, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let config = StoreConfig::new(Location::Sqlite(dir.path().join("vplant.db")));
    let store = Store::open(config).unwrap();
    let router = vplant_server::router(AppState {
        app: App::new(store),
    });
    (router, dir)
}
