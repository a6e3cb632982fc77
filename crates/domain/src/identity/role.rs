//! Roles (SPEC §1) and the permissions each grants. This table is the one place that
//! says who may do what; the web edge asks it through [`Principal::can`].

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::signature::Meaning;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Operator,
    Supervisor,
    QaReviewer,
    RecipeAuthor,
    VptManager,
    CmoPartner,
    Director,
    Administrator,
    Auditor,
}

/// Something a person may do. Reading is separated from changing so that auditors
/// can hold every read permission and no other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// See sites and products (a CMO partner only its own site).
    ViewMasterData,
    /// Register, rename, deactivate and reactivate sites and products.
    EditMasterData,
    /// See user accounts, their roles and sites.
    ViewUsers,
    /// Create users, change roles and sites, lock, unlock, reset passwords, issue and
    /// revoke API tokens for others.
    ManageUsers,
    /// Read the global audit log and export it.
    ViewAuditTrail,
    /// See batches, material lots, their genealogy and results (a CMO partner only
    /// its own site's).
    ViewBatches,
    /// Enter and update batches and milestones, by web form or tracker file (a CMO
    /// partner only for its own site).
    ReportBatches,
    /// See exceptions (deviations) and actions (a CMO partner only its own site's).
    ViewExceptions,
    /// Raise exceptions and carry their investigation (assess, submit, request an
    /// extension, cancel). Approval is a signature.
    HandleExceptions,
    /// Create actions, record evidence, complete them and check their effectiveness.
    HandleActions,
    /// See KPI dashboards and the records behind each figure.
    ViewKpis,
    /// Record a period's KPI figures for reporting.
    RecordKpis,
    /// See master batch records, executed batch records and equipment (the MES of
    /// our own sites; not CMO partners).
    ViewManufacturing,
    /// Write MBRs (files or the authoring form), submit them for review, make an
    /// approved version effective, retire one. Approval is a signature.
    AuthorRecipes,
    /// Make entries in batch records on the floor.
    ExecuteBatches,
    /// Start batches and skip steps (with a reason and an exception).
    SuperviseBatches,
    /// Record cleaning, maintenance and calibration in equipment logbooks.
    RecordEquipment,
    /// Register equipment units.
    ManageEquipment,
    /// Sign a record with this meaning.
    Sign(Meaning),
}

impl Role {
    pub const ALL: [Role; 9] = [
        Role::Operator,
        Role::Supervisor,
        Role::QaReviewer,
        Role::RecipeAuthor,
        Role::VptManager,
        Role::CmoPartner,
        Role::Director,
        Role::Administrator,
        Role::Auditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::Supervisor => "supervisor",
            Role::QaReviewer => "qa_reviewer",
            Role::RecipeAuthor => "recipe_author",
            Role::VptManager => "vpt_manager",
            Role::CmoPartner => "cmo_partner",
            Role::Director => "director",
            Role::Administrator => "administrator",
            Role::Auditor => "auditor",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Operator => "Operator",
            Role::Supervisor => "Supervisor",
            Role::QaReviewer => "QA reviewer",
            Role::RecipeAuthor => "Recipe author",
            Role::VptManager => "VPT manager",
            Role::CmoPartner => "CMO partner",
            Role::Director => "Director",
            Role::Administrator => "Administrator",
            Role::Auditor => "Auditor",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Role, FieldError> {
        let wanted = raw.trim().to_lowercase().replace([' ', '-'], "_");
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == wanted)
            .ok_or_else(|| {
                let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
                FieldError::new(
                    field,
                    format!(
                        "'{}' is not a role; use one of {}",
                        raw.trim(),
                        names.join(", ")
                    ),
                )
            })
    }

    /// What the role grants. Signing meanings follow who does the work in SPEC §1:
    /// operators perform, supervisors verify, QA reviews, approves and dispositions.
    pub fn grants(self) -> &'static [Permission] {
        use Meaning::*;
        use Permission::*;
        match self {
            Role::Operator => &[
                ViewMasterData,
                ViewBatches,
                ViewExceptions,
                ViewManufacturing,
                ExecuteBatches,
                RecordEquipment,
                Sign(Performed),
            ],
            Role::Supervisor => &[
                ViewMasterData,
                ViewBatches,
                ViewExceptions,
                HandleExceptions,
                HandleActions,
                ViewManufacturing,
                ExecuteBatches,
                SuperviseBatches,
                RecordEquipment,
                ManageEquipment,
                Sign(Performed),
                Sign(Verified),
            ],
            Role::QaReviewer => &[
                ViewMasterData,
                ViewBatches,
                ViewExceptions,
                HandleExceptions,
                HandleActions,
                ViewKpis,
                ViewAuditTrail,
                ViewManufacturing,
                Sign(Reviewed),
                Sign(Approved),
                Sign(Released),
                Sign(Rejected),
            ],
            Role::RecipeAuthor => &[
                ViewMasterData,
                ViewBatches,
                ViewExceptions,
                HandleActions,
                EditMasterData,
                ViewManufacturing,
                AuthorRecipes,
                Sign(Reviewed),
            ],
            Role::VptManager => &[
                ViewMasterData,
                ViewBatches,
                ReportBatches,
                ViewExceptions,
                HandleExceptions,
                HandleActions,
                ViewKpis,
                RecordKpis,
                EditMasterData,
                ViewManufacturing,
                Sign(Reviewed),
            ],
            Role::CmoPartner => &[
                ViewMasterData,
                ViewBatches,
                ReportBatches,
                ViewExceptions,
                HandleExceptions,
                HandleActions,
                ViewKpis,
                Sign(Performed),
            ],
            Role::Director => &[
                ViewMasterData,
                ViewBatches,
                ViewExceptions,
                HandleActions,
                ViewKpis,
                RecordKpis,
                ViewAuditTrail,
                ViewManufacturing,
                Sign(Approved),
            ],
            Role::Administrator => &[
                ViewMasterData,
                EditMasterData,
                ViewUsers,
                ManageUsers,
                ViewAuditTrail,
            ],
            Role::Auditor => &[
                ViewMasterData,
                ViewBatches,
                ViewExceptions,
                ViewKpis,
                ViewUsers,
                ViewAuditTrail,
                ViewManufacturing,
            ],
        }
    }

    /// Roles whose holders see only the sites assigned to them.
    pub fn is_site_scoped(self) -> bool {
        self == Role::CmoPartner
    }
}

/// Which sites' records a person sees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    All,
    /// Only these site codes.
    Sites(BTreeSet<String>),
}

impl Scope {
    pub fn sees(&self, site: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Sites(sites) => sites.contains(&site.to_uppercase()),
        }
    }
}

/// The signed-in person (or an API token acting for them) as access checks see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub username: String,
    pub full_name: String,
    pub roles: BTreeSet<Role>,
    pub sites: BTreeSet<String>,
    /// Sees only `sites`: set for site-scoped roles, and for API tokens issued for
    /// particular sites.
    pub limited_to_sites: bool,
}

impl Principal {
    /// A person acting with all the roles of their account.
    pub fn new(
        username: &str,
        full_name: &str,
        roles: BTreeSet<Role>,
        sites: BTreeSet<String>,
    ) -> Principal {
        let limited_to_sites = roles.iter().any(|r| r.is_site_scoped());
        Principal {
            username: username.to_owned(),
            full_name: full_name.to_owned(),
            roles,
            sites,
            limited_to_sites,
        }
    }

    pub fn can(&self, permission: Permission) -> bool {
        self.roles
            .iter()
            .any(|role| role.grants().contains(&permission))
    }

    /// A person holding a site-scoped role sees only their sites, whatever else they
    /// hold (the user rules forbid mixing, this is the safe reading if it happened).
    pub fn scope(&self) -> Scope {
        if self.limited_to_sites || self.roles.iter().any(|r| r.is_site_scoped()) {
            Scope::Sites(self.sites.clone())
        } else {
            Scope::All
        }
    }

    pub fn role_labels(&self) -> String {
        self.roles
            .iter()
            .map(|r| r.label())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(roles: &[Role], sites: &[&str]) -> Principal {
        Principal::new(
            "u",
            "U",
            roles.iter().copied().collect(),
            sites.iter().map(|s| (*s).to_owned()).collect(),
        )
    }

    #[test]
    fn auditors_hold_no_permission_that_changes_anything() {
        for p in Role::Auditor.grants() {
            assert!(
                matches!(
                    p,
                    Permission::ViewMasterData
                        | Permission::ViewUsers
                        | Permission::ViewAuditTrail
                        | Permission::ViewBatches
                        | Permission::ViewExceptions
                        | Permission::ViewKpis
                        | Permission::ViewManufacturing
                ),
                "auditor must be read-only, holds {p:?}"
            );
        }
    }

    #[test]
    fn a_cmo_partner_sees_only_its_own_sites() {
        let cmo = principal(&[Role::CmoPartner], &["CMO-LYO"]);
        assert!(cmo.scope().sees("cmo-lyo"));
        assert!(!cmo.scope().sees("CMO-HYD"));
        assert_eq!(principal(&[Role::QaReviewer], &[]).scope(), Scope::All);
    }

    #[test]
    fn roles_parse_from_their_names_and_labels() {
        assert_eq!(
            Role::parse("roles", "QA reviewer").unwrap(),
            Role::QaReviewer
        );
        assert_eq!(
            Role::parse("roles", "cmo-partner").unwrap(),
            Role::CmoPartner
        );
        assert!(
            Role::parse("roles", "root")
                .unwrap_err()
                .reason
                .contains("operator")
        );
    }
}
