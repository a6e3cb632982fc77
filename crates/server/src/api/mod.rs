//! The JSON API under `/api/v1`, documented with OpenAPI (`/api/v1/openapi.json`).

pub(crate) mod action_input;
mod actions;
pub(crate) mod audit;
pub(crate) mod batch_reads;
pub(crate) mod batches;
mod changes;
pub(crate) mod ebrs;
mod equipment;
pub(crate) mod exception_input;
mod exceptions;
mod health;
pub(crate) mod kpi;
pub(crate) mod kpi_reads;
pub(crate) mod list_query;
mod mbrs;
mod products;
mod signing;
mod sites;
pub(crate) mod tracker;
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
        batches::list, batches::show, batches::series, batches::lots, batches::lot, batches::materials,
        batches::trace,
        tracker::import, tracker::template_csv, tracker::template_xlsx,
        tracker::export_csv, tracker::export_xlsx,
        kpi::dashboard, kpi::definitions, kpi::records, kpi::record, kpi::results,
        exceptions::list, exceptions::raise, exceptions::show,
        exceptions::start_investigation, exceptions::assess, exceptions::submit,
        exceptions::request_extension, exceptions::cancel, exceptions::signatures,
        exceptions::sign, exceptions::history,
        actions::list, actions::create, actions::show, actions::start, actions::evidence,
        actions::complete, actions::effectiveness, actions::reassign, actions::change_due,
        actions::cancel, actions::history, actions::overdue,
        users::me, users::list, users::create, users::show, users::history, users::lock,
        users::unlock, users::deactivate, users::reactivate, users::reset_password,
        users::access, users::profile, users::tokens, users::issue_token,
        users::revoke_token,
        mbrs::list, mbrs::show, mbrs::file_json, mbrs::file_yaml, mbrs::import, mbrs::submit,
        mbrs::withdraw, mbrs::retire, mbrs::make_effective, mbrs::new_version, mbrs::diff,
        mbrs::signatures, mbrs::sign,
        ebrs::list, ebrs::start, ebrs::show, ebrs::enter, ebrs::skip, ebrs::sign,
        ebrs::signatures, ebrs::record_pdf,
        equipment::list, equipment::create, equipment::show, equipment::log, equipment::history,
        health::healthz, health::readyz,
    ),
    modifiers(&SecurityAddon),
    components(schemas(crate::error::ErrorBody)),
    tags(
        (name = "sites", description = "Manufacturing sites, internal and CMO"),
        (name = "products", description = "Products the network makes"),
        (name = "batches", description = "Batches, lots, materials and their genealogy (forward and backward traces), held to the sites you may see"),
        (name = "exceptions", description = "Exceptions (deviations): raised, investigated, assessed, and closed or given more time by an approval signature of someone who recorded none of it; held to the sites you may see"),
        (name = "actions", description = "Actions, the one tracker for every follow-up (CAPA, corrections, meeting action items, mitigations, tasks): owner, due date, evidence, a CAPA's effectiveness check, and each person's overdue list; held to the sites you may see"),
        (name = "tracker", description = "The batch tracker as a file: import a CMO's tracker file (CSV or XLSX, all or nothing, every problem reported row by row), the empty templates, and an export in the same columns; held to the sites you may report for and see"),
        (name = "kpis", description = "KPIs of SPEC 2.6 with their exact, versioned definitions: the dashboard (trends, control charts, comparison across sites), the records behind every figure, and the figures recorded for a period; held to the sites you may see"),
        (name = "mbrs", description = "Master batch records (ISA-88 recipes): versions and their lifecycle, the documented JSON/YAML file in and out, approval by signature, comparison of versions"),
        (name = "ebrs", description = "Batch execution: start a batch from the effective MBR, entries checked on the spot (with Idempotency-Key for tablets that retry), exceptions raised on the spot, step signatures, QA acknowledgement, review by exception and disposition; held to the sites you may see"),
        (name = "equipment", description = "Equipment units (ISA-95) with their status now, registration and the logbook: use, cleaning, maintenance, calibration"),
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
        .get(
            "/api/v1/batches/{site}/{number}/series",
            batches,
            batches::series,
        )
        .get("/api/v1/lots", batches, batches::lots)
        .get("/api/v1/lots/{material}/{lot}", batches, batches::lot)
        .get("/api/v1/materials", batches, batches::materials)
        .get("/api/v1/trace", batches, batches::trace)
        .merge(tracker_routes())
        .merge(kpi_routes())
        .merge(exception_routes())
        .merge(action_routes())
        .merge(mes_routes())
        .get("/api/v1/audit", audit, audit::list)
        .get("/api/v1/audit.csv", audit, audit::csv)
        .get("/healthz", Access::Public, health::healthz)
        .get("/readyz", Access::Public, health::readyz)
}

/// The exception routes: reading needs `ViewExceptions`, the investigation
/// `HandleExceptions`, and approval a signature (whose meaning the rules check).
fn exception_routes() -> Routes {
    let view = Access::Allow(Permission::ViewExceptions);
    let handle = Access::Allow(Permission::HandleExceptions);
    let one = |tail: &str| format!("/api/v1/exceptions/{{number}}{tail}");
    Routes::new()
        .get("/api/v1/exceptions", view, exceptions::list)
        .post("/api/v1/exceptions", handle, exceptions::raise)
        .get(&one(""), view, exceptions::show)
        .post(
            &one("/start-investigation"),
            handle,
            exceptions::start_investigation,
        )
        .post(&one("/assess"), handle, exceptions::assess)
        .post(&one("/submit"), handle, exceptions::submit)
        .post(
            &one("/request-extension"),
            handle,
            exceptions::request_extension,
        )
        .post(&one("/cancel"), handle, exceptions::cancel)
        .get(&one("/signatures"), view, exceptions::signatures)
        .post(&one("/signatures"), Access::AnySignature, exceptions::sign)
        .get(&one("/history"), view, exceptions::history)
}

/// The action routes: reading needs `ViewExceptions` (actions are read with the
/// exceptions they follow up), every change `HandleActions`.
fn action_routes() -> Routes {
    let view = Access::Allow(Permission::ViewExceptions);
    let handle = Access::Allow(Permission::HandleActions);
    let one = |tail: &str| format!("/api/v1/actions/{{number}}{tail}");
    Routes::new()
        .get("/api/v1/actions", view, actions::list)
        .post("/api/v1/actions", handle, actions::create)
        .get(&one(""), view, actions::show)
        .post(&one("/start"), handle, actions::start)
        .post(&one("/evidence"), handle, actions::evidence)
        .post(&one("/complete"), handle, actions::complete)
        .post(&one("/effectiveness"), handle, actions::effectiveness)
        .post(&one("/reassign"), handle, actions::reassign)
        .post(&one("/due"), handle, actions::change_due)
        .post(&one("/cancel"), handle, actions::cancel)
        .get(&one("/history"), view, actions::history)
        .get("/api/v1/me/overdue", view, actions::overdue)
}

/// The MES routes: reading needs `ViewManufacturing`; MBRs are written by
/// `AuthorRecipes`, entries made with `ExecuteBatches`, batches started and steps
/// skipped with `SuperviseBatches`, logbooks kept with `RecordEquipment`, units
/// registered with `ManageEquipment`; signatures need a signing permission (the
/// meaning is checked by the signature rules).
fn mes_routes() -> Routes {
    use Permission::{
        AuthorRecipes, ExecuteBatches, ManageEquipment, RecordEquipment, SuperviseBatches,
        ViewManufacturing,
    };
    let view = Access::Allow(ViewManufacturing);
    let author = Access::Allow(AuthorRecipes);
    let sign = Access::AnySignature;
    let mbr = |tail: &str| format!("/api/v1/mbrs/{{code}}/{{version}}{tail}");
    let ebr = |tail: &str| format!("/api/v1/ebrs/{{site}}/{{number}}{tail}");
    Routes::new()
        .get("/api/v1/mbrs", view, mbrs::list)
        .post("/api/v1/mbrs/import", author, mbrs::import)
        .get(&mbr(""), view, mbrs::show)
        .get(&mbr("/file.json"), view, mbrs::file_json)
        .get(&mbr("/file.yaml"), view, mbrs::file_yaml)
        .post(&mbr("/submit"), author, mbrs::submit)
        .post(&mbr("/withdraw"), author, mbrs::withdraw)
        .post(&mbr("/retire"), author, mbrs::retire)
        .post(&mbr("/effective"), author, mbrs::make_effective)
        .get(&mbr("/signatures"), view, mbrs::signatures)
        .post(&mbr("/signatures"), sign, mbrs::sign)
        .post("/api/v1/mbrs/{code}/versions", author, mbrs::new_version)
        .get("/api/v1/mbrs/{code}/diff/{from}/{to}", view, mbrs::diff)
        .get("/api/v1/ebrs", view, ebrs::list)
        .post("/api/v1/ebrs", Access::Allow(SuperviseBatches), ebrs::start)
        .get(&ebr(""), view, ebrs::show)
        .post(&ebr("/entries"), Access::Allow(ExecuteBatches), ebrs::enter)
        .post(&ebr("/skips"), Access::Allow(SuperviseBatches), ebrs::skip)
        .get(&ebr("/signatures"), view, ebrs::signatures)
        .post(&ebr("/signatures"), sign, ebrs::sign)
        .get(&ebr("/record.pdf"), view, ebrs::record_pdf)
        .get("/api/v1/equipment", view, equipment::list)
        .post(
            "/api/v1/equipment",
            Access::Allow(ManageEquipment),
            equipment::create,
        )
        .get("/api/v1/equipment/{id}", view, equipment::show)
        .post(
            "/api/v1/equipment/{id}/logbook",
            Access::Allow(RecordEquipment),
            equipment::log,
        )
        .get("/api/v1/equipment/{id}/history", view, equipment::history)
}

/// The tracker file routes: importing needs `ReportBatches`, the templates and the
/// export `ViewBatches`. An import is at most [`tracker::MAX_UPLOAD`] bytes.
fn tracker_routes() -> Routes {
    let view = Access::Allow(Permission::ViewBatches);
    let report = Access::Allow(Permission::ReportBatches);
    Routes::new()
        .post("/api/v1/tracker/import", report, tracker::import)
        .get("/api/v1/tracker/template.csv", view, tracker::template_csv)
        .get(
            "/api/v1/tracker/template.xlsx",
            view,
            tracker::template_xlsx,
        )
        .get("/api/v1/batches/export.csv", view, tracker::export_csv)
        .get("/api/v1/batches/export.xlsx", view, tracker::export_xlsx)
}

/// The KPI routes: reading needs `ViewKpis`, recording a period `RecordKpis`.
fn kpi_routes() -> Routes {
    let view = Access::Allow(Permission::ViewKpis);
    let record = Access::Allow(Permission::RecordKpis);
    Routes::new()
        .get("/api/v1/kpi/dashboard", view, kpi::dashboard)
        .get("/api/v1/kpi/definitions", view, kpi::definitions)
        .get("/api/v1/kpi/{code}/records", view, kpi::records)
        .get("/api/v1/kpi/results/{period}", view, kpi::results)
        .post("/api/v1/kpi/results/{period}", record, kpi::record)
}

async fn openapi() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}
