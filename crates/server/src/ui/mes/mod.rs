//! The manufacturing pages (SPEC §2.1–2.3): master batch records (`mbr_list`,
//! `mbr_detail`, `mbr_author`, `mbr_diff`), batch execution on the tablet
//! (`ebr_list`, `ebr_screen`, `ebr_entry`), the signatures on a batch record
//! (`ebr_sign`), QA's review by exception and disposition (`ebr_review`), and the
//! equipment board with its logbook (`equipment`). Every read and change goes
//! through the MES use cases; the domain judges every value, the pages only show
//! its verdict.

mod ebr_entry;
mod ebr_list;
mod ebr_review;
mod ebr_screen;
mod ebr_sign;
mod equipment;
mod labels;
mod mbr_author;
mod mbr_detail;
mod mbr_diff;
mod mbr_list;

use vplant_domain::identity::Permission;

use crate::auth::access::{Access, Routes};

/// Where the MBR list lives; a version is at `/mbrs/<code>/<version>`.
pub const MBRS: &str = "/mbrs";
/// Where the batch records live; one is at `/ebrs/<site>/<number>`.
pub const EBRS: &str = "/ebrs";
/// The equipment board; a unit is at `/equipment/<id>`.
pub const EQUIPMENT: &str = "/equipment";

pub fn routes() -> Routes {
    let view = Access::Allow(Permission::ViewManufacturing);
    let author = Access::Allow(Permission::AuthorRecipes);
    let execute = Access::Allow(Permission::ExecuteBatches);
    let supervise = Access::Allow(Permission::SuperviseBatches);
    let record = Access::Allow(Permission::RecordEquipment);
    let manage = Access::Allow(Permission::ManageEquipment);
    Routes::new()
        .get(MBRS, view, mbr_list::show)
        .get("/mbrs/new", author, mbr_author::new)
        .post("/mbrs/new", author, mbr_author::create)
        .get("/mbrs/{code}/diff", view, mbr_diff::show)
        .get("/mbrs/{code}/{version}", view, mbr_detail::show)
        .get("/mbrs/{code}/{version}/edit", author, mbr_author::edit)
        .post("/mbrs/{code}/{version}/edit", author, mbr_author::update)
        // Only people who may read the MES open a dialog; signing takes a signing
        // permission (and the dialog's record check the MES one), and the meaning
        // signed is checked by the signature rules.
        .get("/mbrs/{code}/{version}/sign", view, mbr_detail::sign_form)
        .post(
            "/mbrs/{code}/{version}/sign",
            Access::AnySignature,
            mbr_detail::sign,
        )
        .post("/mbrs/{code}/{version}/{step}", author, mbr_detail::step)
        .get(EBRS, view, ebr_list::show)
        .post(EBRS, supervise, ebr_list::start)
        .get("/ebrs/{site}/{number}", view, ebr_screen::show)
        .post("/ebrs/{site}/{number}/entries", execute, ebr_entry::enter)
        .post("/ebrs/{site}/{number}/skips", supervise, ebr_entry::skip)
        .get("/ebrs/{site}/{number}/review", view, ebr_review::show)
        .get("/ebrs/{site}/{number}/sign", view, ebr_sign::form)
        .post(
            "/ebrs/{site}/{number}/sign",
            Access::AnySignature,
            ebr_sign::submit,
        )
        .get(EQUIPMENT, view, equipment::board)
        .post(EQUIPMENT, manage, equipment::register)
        .get("/equipment/{id}", view, equipment::show)
        .post("/equipment/{id}/logbook", record, equipment::log)
}
