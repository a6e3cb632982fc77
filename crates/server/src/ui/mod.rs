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

mod account;
mod audit;
mod batches;
mod form;
mod history;
mod home;
mod master;
mod page;
mod products;
mod signin;
mod sites;
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
}
