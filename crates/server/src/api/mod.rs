//! The JSON API under `/api/v1`, documented with OpenAPI (`/api/v1/openapi.json`).

mod changes;
mod health;
mod products;
mod sites;

use axum::Router;
use axum::routing::{get, post};
use utoipa::OpenApi;

use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Virtual Plant API",
        description = "Manufacturing operations for pharma: master data, batch records, exceptions. Every change is an event in a tamper-evident ledger.",
        license(name = "Apache-2.0")
    ),
    paths(
        sites::list, sites::create, sites::show, sites::rename, sites::deactivate,
        sites::reactivate, sites::history,
        products::list, products::create, products::show, products::rename,
        products::deactivate, products::reactivate, products::history,
        health::healthz, health::readyz,
    ),
    components(schemas(crate::error::ErrorBody)),
    tags(
        (name = "sites", description = "Manufacturing sites, internal and CMO"),
        (name = "products", description = "Products the network makes"),
        (name = "operations", description = "Health and readiness"),
    )
)]
pub struct ApiDoc;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/sites", get(sites::list).post(sites::create))
        .route("/api/v1/sites/{code}", get(sites::show))
        .route("/api/v1/sites/{code}/rename", post(sites::rename))
        .route("/api/v1/sites/{code}/deactivate", post(sites::deactivate))
        .route("/api/v1/sites/{code}/reactivate", post(sites::reactivate))
        .route("/api/v1/sites/{code}/history", get(sites::history))
        .route(
            "/api/v1/products",
            get(products::list).post(products::create),
        )
        .route("/api/v1/products/{code}", get(products::show))
        .route("/api/v1/products/{code}/rename", post(products::rename))
        .route(
            "/api/v1/products/{code}/deactivate",
            post(products::deactivate),
        )
        .route(
            "/api/v1/products/{code}/reactivate",
            post(products::reactivate),
        )
        .route("/api/v1/products/{code}/history", get(products::history))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
}

async fn openapi() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}
