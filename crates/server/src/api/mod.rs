//! The JSON API under `/api/v1`, documented with OpenAPI (`/api/v1/openapi.json`).

mod changes;
mod health;
mod products;
mod sites;

use utoipa::OpenApi;
use vplant_domain::identity::Permission;

use crate::auth::access::{Access, Routes};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Virtual Plant API",
        description = "Manufacturing operations for pharma: master data, batch records, exceptions. Every change is an event in a tamper-evident ledger.",
        license(name = "Apache-2.0")
    ),
    paths(
        sites::list, sites::create, sites::show, sites::rename, sites::deactivate,
        sites::reactivate, sites::history, sites::signatures, sites::sign,
        products::list, products::create, products::show, products::rename,
        products::deactivate, products::reactivate, products::history,
        products::signatures, products::sign,
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

/// The API's routes, each with its access decision.
pub fn routes() -> Routes {
    use Permission::{EditMasterData, ViewMasterData};
    let view = Access::Allow(ViewMasterData);
    let edit = Access::Allow(EditMasterData);
    Routes::new()
        .get("/api/v1/openapi.json", Access::Public, openapi)
        .get("/api/v1/sites", view, sites::list)
        .post("/api/v1/sites", edit, sites::create)
        .get("/api/v1/sites/{code}", view, sites::show)
        .post("/api/v1/sites/{code}/rename", edit, sites::rename)
        .post("/api/v1/sites/{code}/deactivate", edit, sites::deactivate)
        .post("/api/v1/sites/{code}/reactivate", edit, sites::reactivate)
        .get("/api/v1/sites/{code}/history", view, sites::history)
        .get("/api/v1/sites/{code}/signatures", view, sites::signatures)
        .post(
            "/api/v1/sites/{code}/signatures",
            Access::AnySignature,
            sites::sign,
        )
        .get("/api/v1/products", view, products::list)
        .post("/api/v1/products", edit, products::create)
        .get("/api/v1/products/{code}", view, products::show)
        .post("/api/v1/products/{code}/rename", edit, products::rename)
        .post(
            "/api/v1/products/{code}/deactivate",
            edit,
            products::deactivate,
        )
        .post(
            "/api/v1/products/{code}/reactivate",
            edit,
            products::reactivate,
        )
        .get("/api/v1/products/{code}/history", view, products::history)
        .get(
            "/api/v1/products/{code}/signatures",
            view,
            products::signatures,
        )
        .post(
            "/api/v1/products/{code}/signatures",
            Access::AnySignature,
            products::sign,
        )
        .get("/healthz", Access::Public, health::healthz)
        .get("/readyz", Access::Public, health::readyz)
}

async fn openapi() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}
