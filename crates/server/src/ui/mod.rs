//! Server-rendered pages: askama templates in `crates/server/templates`, enhanced with
//! htmx where it helps (forms post without a full reload) and working without it.
//!
//! Layout of this module:
//! - `page`: the page chrome every template shares (title, breadcrumb, navigation,
//!   alerts), rendering, and the error pages (404, 503 …).
//! - `form`: form fields described as data, so one template macro renders every form
//!   and one function turns a refused command into field errors.
//! - `master`: list, register, detail, change and history pages for every
//!   master-data resource, generic over [`master::MasterUi`]; `sites` and `products`
//!   only describe their columns and fields.
//! - `history`: a record's audit trail as a table, reusable by later modules.
//! - `batches`: the batch tracker, batches, lots and the genealogy trace.
//! - `sign`: the signature dialog every signable record shares; `step_flow`: the
//!   page, step handler and redirects every record page with steps shares;
//!   `lists`: the filtered exception and action lists.
//! - `kpi`: the KPI dashboard with its charts, definitions, drill-down to records,
//!   and recorded figures; `tracker`: the tracker file import page.
//! - `exceptions`, `actions`, `overdue`: exceptions and their investigation and
//!   approval, the action tracker, and each person's overdue list.
//! - `ebr_record`: the executed batch record's print view and PDF.

mod account;
mod actions;
mod audit;
mod batches;
mod ebr_record;
mod exceptions;
mod form;
mod history;
mod home;
pub(crate) mod htmx;
mod kpi;
mod lists;
mod master;
mod mes;
mod overdue;
mod page;
mod products;
mod sign;
mod signin;
mod sites;
mod step_flow;
mod tracker;
mod users;

pub use page::{PageError, fallback};
use vplant_domain::identity::Permission;

use crate::auth::access::{Access, Routes};

/// One entry of the main navigation.
pub struct NavItem {
    pub label: &'static str,
    pub href: &'static str,
    /// The permission the entry's page needs; people without it do not see it.
    pub needs: Option<Permission>,
}

/// The main navigation, in display order. A new module adds its entry here; the
/// layout renders whatever this lists, and marks the entry whose `href` is the
/// current page's section.
pub static NAV: &[NavItem] = &[
    NavItem {
        label: "Home",
        href: "/",
        needs: None,
    },
    NavItem {
        label: "Dashboard",
        href: kpi::DASHBOARD,
        needs: Some(Permission::ViewKpis),
    },
    NavItem {
        label: "Sites",
        href: sites::BASE,
        needs: Some(Permission::ViewMasterData),
    },
    NavItem {
        label: "Products",
        href: products::BASE,
        needs: Some(Permission::ViewMasterData),
    },
    NavItem {
        label: "Batches",
        href: batches::BATCHES,
        needs: Some(Permission::ViewBatches),
    },
    NavItem {
        label: "Lots",
        href: batches::LOTS,
        needs: Some(Permission::ViewBatches),
    },
    NavItem {
        label: "Recipes (MBR)",
        href: mes::MBRS,
        needs: Some(Permission::ViewManufacturing),
    },
    NavItem {
        label: "Batch execution",
        href: mes::EBRS,
        needs: Some(Permission::ViewManufacturing),
    },
    NavItem {
        label: "Equipment",
        href: mes::EQUIPMENT,
        needs: Some(Permission::ViewManufacturing),
    },
    NavItem {
        label: "Exceptions",
        href: exceptions::BASE,
        needs: Some(Permission::ViewExceptions),
    },
    NavItem {
        label: "Actions",
        href: actions::BASE,
        needs: Some(Permission::ViewExceptions),
    },
    NavItem {
        label: "My overdue",
        href: overdue::BASE,
        needs: Some(Permission::ViewExceptions),
    },
    NavItem {
        label: "Audit trail",
        href: audit::BASE,
        needs: Some(Permission::ViewAuditTrail),
    },
    NavItem {
        label: "Users",
        href: users::BASE,
        needs: Some(Permission::ViewUsers),
    },
    NavItem {
        label: "Roles",
        href: users::ROLES,
        needs: Some(Permission::ViewUsers),
    },
];

/// The pages, each with its access decision.
pub fn routes() -> Routes {
    Routes::new()
        .get("/", Access::Allow(Permission::ViewMasterData), home::show)
        .merge(signin::routes())
        .merge(account::routes())
        .merge(master::routes::<sites::Sites>())
        .merge(master::routes::<products::Products>())
        .merge(users::routes())
        .merge(audit::routes())
        .merge(batches::routes())
        .merge(tracker::routes())
        .merge(kpi::routes())
        .merge(exceptions::routes())
        .merge(actions::routes())
        .merge(mes::routes())
        .merge(ebr_record::routes())
        .get(
            overdue::BASE,
            Access::Allow(Permission::ViewExceptions),
            overdue::show,
        )
}
