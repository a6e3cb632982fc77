//! The role × permission matrix. Roles are not edited on a page: they are defined in
//! code (`Role::grants`), reviewed and validated with the release like any other
//! configuration that decides who may sign what, and this page reads that table.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use vplant_domain::identity::{Permission, Role};
use vplant_domain::signature::Meaning;

use super::ROLES;
use crate::auth::Viewer;
use crate::ui::page::{Chrome, render};

/// Every permission, in the order of the matrix's columns.
fn permissions() -> Vec<Permission> {
    let mut all = vec![
        Permission::ViewMasterData,
        Permission::EditMasterData,
        Permission::ViewUsers,
        Permission::ManageUsers,
        Permission::ViewAuditTrail,
        Permission::ViewBatches,
        Permission::ReportBatches,
        Permission::ViewExceptions,
        Permission::HandleExceptions,
        Permission::HandleActions,
        Permission::ViewKpis,
        Permission::RecordKpis,
        Permission::ViewManufacturing,
        Permission::AuthorRecipes,
        Permission::ExecuteBatches,
        Permission::SuperviseBatches,
        Permission::RecordEquipment,
        Permission::ManageEquipment,
    ];
    all.extend(Meaning::ALL.into_iter().map(Permission::Sign));
    all
}

fn permission_label(permission: Permission) -> String {
    match permission {
        Permission::ViewMasterData => "View master data".to_owned(),
        Permission::EditMasterData => "Edit master data".to_owned(),
        Permission::ViewUsers => "View users".to_owned(),
        Permission::ManageUsers => "Manage users".to_owned(),
        Permission::ViewAuditTrail => "View audit trail".to_owned(),
        Permission::ViewBatches => "View batches, lots and genealogy".to_owned(),
        Permission::ReportBatches => "Report batches and milestones".to_owned(),
        Permission::ViewExceptions => "View exceptions and actions".to_owned(),
        Permission::HandleExceptions => "Raise and investigate exceptions".to_owned(),
        Permission::HandleActions => "Create and work on actions".to_owned(),
        Permission::ViewKpis => "View KPI dashboards".to_owned(),
        Permission::RecordKpis => "Record a period's KPI figures".to_owned(),
        Permission::ViewManufacturing => "View MBRs, batch records and equipment".to_owned(),
        Permission::AuthorRecipes => "Author MBRs and take them through their lifecycle".to_owned(),
        Permission::ExecuteBatches => "Make entries in batch records".to_owned(),
        Permission::SuperviseBatches => "Start batches and skip steps".to_owned(),
        Permission::RecordEquipment => "Keep equipment logbooks".to_owned(),
        Permission::ManageEquipment => "Register equipment".to_owned(),
        Permission::Sign(meaning) => format!("Sign: {}", meaning.label()),
    }
}

/// Where the role's holders work and what they come for (SPEC §1).
fn description(role: Role) -> (&'static str, &'static str) {
    match role {
        Role::Operator => (
            "Internal site, tablet on the shop floor",
            "Execute the next step of a batch record; weigh, scan, enter values, sign.",
        ),
        Role::Supervisor => (
            "Internal site",
            "Verify critical steps (second signature), resolve exceptions on the floor.",
        ),
        Role::QaReviewer => (
            "Internal site or HQ",
            "Review by exception, approve corrections, disposition batches (release or reject).",
        ),
        Role::RecipeAuthor => (
            "HQ or site",
            "Author master batch records and send them through review and approval.",
        ),
        Role::VptManager => (
            "External manufacturing",
            "Batch tracker across CMOs, exceptions and actions, KPIs, risks, ORM packs, reports, projects.",
        ),
        Role::CmoPartner => (
            "The contract manufacturer",
            "Report batch milestones and deviations, answer actions; sees only their own site's data.",
        ),
        Role::Director => (
            "HQ",
            "Dashboards, roadmap, monthly, quarterly and yearly reports, crisis overview.",
        ),
        Role::Administrator => (
            "HQ",
            "Users, roles, sites, integrations, backups, validation evidence.",
        ),
        Role::Auditor => (
            "FDA, EMA, internal QA",
            "Read only: audit trail, signatures, record history, proof of integrity.",
        ),
    }
}

/// One role as a row of the matrix.
struct RoleRow {
    label: &'static str,
    name: &'static str,
    works_at: &'static str,
    comes_for: &'static str,
    site_scoped: bool,
    /// One cell per column of [`permissions`].
    grants: Vec<bool>,
}

#[derive(Template)]
#[template(path = "users/roles.html")]
struct RolesPage {
    page: Chrome,
    columns: Vec<String>,
    roles: Vec<RoleRow>,
}

pub(super) async fn show(viewer: Viewer) -> Response {
    let columns = permissions();
    let roles = Role::ALL
        .into_iter()
        .map(|role| {
            let (works_at, comes_for) = description(role);
            RoleRow {
                label: role.label(),
                name: role.as_str(),
                works_at,
                comes_for,
                site_scoped: role.is_site_scoped(),
                grants: columns.iter().map(|p| role.grants().contains(p)).collect(),
            }
        })
        .collect();
    let page = RolesPage {
        page: Chrome::new("Roles", ROLES).viewer(&viewer),
        columns: columns.into_iter().map(permission_label).collect(),
        roles,
    };
    render(StatusCode::OK, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_matrix_has_a_column_for_every_permission_any_role_grants() {
        let columns = permissions();
        for role in Role::ALL {
            for granted in role.grants() {
                assert!(
                    columns.contains(granted),
                    "{granted:?} of {role:?} is missing"
                );
            }
        }
    }
}
