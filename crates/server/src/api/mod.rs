//! The JSON API under `/api/v1`, documented with OpenAPI (`/api/v1/openapi.json`).

pub(crate) mod audit;
pub(crate) mod batch_reads;
pub(crate) mod batches;
mod changes;
mod health;
mod products;
mod sites;
mod users;

use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::{Modify, OpenApi};
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
        audit::list, audit::csv,
        batches::list, batches::show, batches::lots, batches::lot, batches::materials,
        batches::trace,
        users::me, users::list, users::create, users::show, users::history, users::lock,
        users::unlock, users::deactivate, users::reactivate, users::reset_password,
        users::access, users::profile, users::tokens, users::issue_token,
        users::revoke_token,
        health::healthz, health::readyz,
    ),
    modifiers(&SecurityAddon),
    components(schemas(crate::error::ErrorBody)),
    tags(
        (name = "sites", description = "Manufacturing sites, internal and CMO"),
        (name = "products", description = "Products the network makes"),
        (name = "batches", description = "Batches, lots, materials and their genealogy (forward and backward traces), held to the sites you may see"),
        (name = "audit", description = "The audit trail across every record: who changed what, when and why"),
        (name = "users", description = "Who is calling, user accounts, and API tokens"),
        (name = "operations", description = "Health and readiness"),
    )
)]
pub struct ApiDoc;

/// How a client proves who it is: an API token (`Authorization: Bearer …`, for
/// integrations) or the browser's session cookie. Every operation needs one of them
/// except the health checks, which say so with an empty requirement.
struct SecurityAddon;

impl Modify for SecurityAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API token issued by an administrator (POST /api/v1/users/{username}/tokens).",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::cookies::SESSION,
                "The session cookie set at sign-in; a state-changing request also sends its X-CSRF-Token header.",
            ))),
        );
        let none: [&str; 0] = [];
        openapi.security = Some(vec![
            SecurityRequirement::new("api_token", none),
            SecurityRequirement::new("session", none),
        ]);
        for (path, item) in openapi.paths.paths.iter_mut() {
            if matches!(path.as_str(), "/healthz" | "/readyz")
                && let Some(get) = item.get.as_mut()
            {
                get.security = Some(vec![SecurityRequirement::default()]);
            }
        }
    }
}

/// The API's routes, each with its access decision.
pub fn routes() -> Routes {
    use Permission::{EditMasterData, ViewAuditTrail, ViewBatches, ViewMasterData};
    let view = Access::Allow(ViewMasterData);
    let edit = Access::Allow(EditMasterData);
    let audit = Access::Allow(ViewAuditTrail);
    let batches = Access::Allow(ViewBatches);
    Routes::new()
        .get("/api/v1/openapi.json", Access::Public, openapi)
        .merge(users::routes())
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
        .get("/api/v1/batches", batches, batches::list)
        .get("/api/v1/batches/{site}/{number}", batches, batches::show)
        .get("/api/v1/lots", batches, batches::lots)
        .get("/api/v1/lots/{material}/{lot}", batches, batches::lot)
        .get("/api/v1/materials", batches, batches::materials)
        .get("/api/v1/trace", batches, batches::trace)
        .get("/api/v1/audit", audit, audit::list)
        .get("/api/v1/audit.csv", audit, audit::csv)
        .get("/healthz", Access::Public, health::healthz)
        .get("/readyz", Access::Public, health::readyz)
}

async fn openapi() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}
