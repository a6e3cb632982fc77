//! What SPEC §1 says each role may do, written out by hand, and which routes are
//! meant to be public or open to an auditor's POST.

use super::*;

/// Who holds each permission, written out by hand from SPEC §1:
/// - everyone who works with the plant reads master data (a CMO partner only its own
///   site, which the scoping checks below hold it to);
/// - master data is changed by the people who maintain it: recipe authors / MES
///   engineers, the VPT managers who run the CMO network, and administrators;
/// - accounts are seen by administrators and auditors, and managed by administrators;
/// - the audit trail is read by QA, directors, administrators and auditors;
/// - batches, lots and genealogy are GMP records: read by everyone who works with
///   batches (a CMO partner only its own site's) and by auditors, not by
///   administrators, who run the system rather than the plant;
/// - CMO batches are reported by the CMO partner (its own site) and the VPT managers;
/// - exceptions and actions are read like batches; exceptions are raised and
///   investigated by supervisors, QA, VPT managers and CMO partners (their closure
///   is a QA or director approval signature); actions are worked on by everyone who
///   may own one (not operators, administrators or auditors);
/// - KPIs are read by QA, VPT managers, CMO partners (their site), directors and
///   auditors, and a period's figures are recorded by VPT managers and directors;
/// - the MES of our own sites (MBRs, executed batch records, equipment) is read by
///   everyone who works in or oversees it and by auditors, not by CMO partners or
///   administrators; MBRs are written by recipe authors, entries made by operators
///   and supervisors, batches started and steps skipped by supervisors, equipment
///   logbooks kept by operators and supervisors and units registered by supervisors;
/// - signatures follow who does the work: operators (and CMO partners, for what they
///   report) perform, supervisors perform and verify, QA reviews, approves and
///   dispositions, recipe authors and VPT managers review, directors approve.
///   Administrators and auditors sign nothing.
pub(super) fn expected(permission: Permission) -> &'static [Role] {
    use Role::*;
    match permission {
        Permission::ViewMasterData => &[
            Operator,
            Supervisor,
            QaReviewer,
            RecipeAuthor,
            VptManager,
            CmoPartner,
            Director,
            Administrator,
            Auditor,
        ],
        Permission::EditMasterData => &[RecipeAuthor, VptManager, Administrator],
        Permission::ViewUsers => &[Administrator, Auditor],
        Permission::ManageUsers => &[Administrator],
        Permission::ViewAuditTrail => &[QaReviewer, Director, Administrator, Auditor],
        Permission::ReportBatches => &[VptManager, CmoPartner],
        Permission::ViewExceptions => &[
            Operator,
            Supervisor,
            QaReviewer,
            RecipeAuthor,
            VptManager,
            CmoPartner,
            Director,
            Auditor,
        ],
        Permission::HandleExceptions => &[Supervisor, QaReviewer, VptManager, CmoPartner],
        Permission::HandleActions => &[
            Supervisor,
            QaReviewer,
            RecipeAuthor,
            VptManager,
            CmoPartner,
            Director,
        ],
        Permission::ViewKpis => &[QaReviewer, VptManager, CmoPartner, Director, Auditor],
        Permission::RecordKpis => &[VptManager, Director],
        Permission::ViewBatches => &[
            Operator,
            Supervisor,
            QaReviewer,
            RecipeAuthor,
            VptManager,
            CmoPartner,
            Director,
            Auditor,
        ],
        Permission::ViewManufacturing => &[
            Operator,
            Supervisor,
            QaReviewer,
            RecipeAuthor,
            VptManager,
            Director,
            Auditor,
        ],
        Permission::AuthorRecipes => &[RecipeAuthor],
        Permission::ExecuteBatches => &[Operator, Supervisor],
        Permission::SuperviseBatches => &[Supervisor],
        Permission::RecordEquipment => &[Operator, Supervisor],
        Permission::ManageEquipment => &[Supervisor],
        Permission::Sign(meaning) => match meaning {
            Meaning::Performed => &[Operator, Supervisor, CmoPartner],
            Meaning::Verified => &[Supervisor],
            Meaning::Reviewed => &[QaReviewer, RecipeAuthor, VptManager],
            Meaning::Approved => &[QaReviewer, Director],
            Meaning::Released | Meaning::Rejected => &[QaReviewer],
        },
    }
}

/// Whether `viewer` (`None`: not signed in) should get past a route declared `access`.
pub(super) fn allowed(access: Access, viewer: Option<Role>) -> bool {
    match (access, viewer) {
        (Access::Public, _) => true,
        (_, None) => false,
        (Access::SignedIn, Some(_)) => true,
        (Access::Allow(permission), Some(role)) => expected(permission).contains(&role),
        (Access::AnySignature, Some(role)) => Meaning::ALL
            .iter()
            .any(|m| expected(Permission::Sign(*m)).contains(&role)),
    }
}

/// The routes anyone may call without signing in, by hand: signing in, the page that
/// says a session ended, health checks, the API description and the static assets.
/// A new public route must be added here on purpose.
pub(super) fn meant_to_be_public(decl: &RouteDecl) -> bool {
    let get = decl.method == Method::GET;
    match decl.path.as_str() {
        "/login" => true,
        "/session-expired" | "/healthz" | "/readyz" | "/api/v1/openapi.json" => get,
        path => get && path.starts_with("/assets/"),
    }
}

/// The POSTs an auditor may make: only those about their own session and password.
pub(super) const AUDITOR_POSTS: &[&str] = &[
    "/login",
    "/logout",
    "/account/password",
    "/account/sign-out-everywhere",
];
