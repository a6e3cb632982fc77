//! Demo data: a small but realistic network of internal sites and contract
//! manufacturers, and the products they make. Seeding is idempotent: records that
//! exist are left alone, so `vplant demo` can be run again on the same file.

use std::path::{Path, PathBuf};

use anyhow::Result;
use vplant_app::identity::NewUserInput;
use vplant_app::import::ImportError;
use vplant_app::import::tablet_batches;
use vplant_app::master::{Products, Sites};
use vplant_app::signatures::SignatureInput;
use vplant_app::{App, Request};
use vplant_domain::identity::Scope;
use vplant_domain::master::{Change, ChangeKind};
use vplant_domain::product::{NewProduct, ProductCommand, ProductState};
use vplant_domain::site::{NewSite, SiteCommand, SiteState};

const SEEDER: &str = "demo-seed";

/// (code, name, kind, country)
const SITES: &[(&str, &str, &str, &str)] = &[
    ("BSL", "Basel Oral Solids", "internal", "CH"),
    ("CRK", "Cork Sterile Fill-Finish", "internal", "IE"),
    ("CMO-LYO", "Rhône Pharma Services", "cmo", "FR"),
    ("CMO-HYD", "Deccan Generics Ltd", "cmo", "IN"),
    ("CMO-NJ", "Garden State Contract Manufacturing", "cmo", "US"),
    ("CMO-BCN", "Galénica Barcelona S.L.", "cmo", "ES"),
];

/// (code, name, dosage form, strength)
const PRODUCTS: &[(&str, &str, &str, &str)] = &[
    (
        "PARA-500",
        "Paracetamol 500 mg tablets",
        "film-coated tablet",
        "500 mg",
    ),
    (
        "IBU-400",
        "Ibuprofen 400 mg tablets",
        "film-coated tablet",
        "400 mg",
    ),
    (
        "MET-850",
        "Metformin hydrochloride 850 mg tablets",
        "film-coated tablet",
        "850 mg",
    ),
    ("AML-5", "Amlodipine 5 mg tablets", "tablet", "5 mg"),
    (
        "OME-20",
        "Omeprazole 20 mg capsules",
        "gastro-resistant capsule",
        "20 mg",
    ),
    (
        "AMX-500",
        "Amoxicillin 500 mg capsules",
        "hard capsule",
        "500 mg",
    ),
    (
        "ATV-20",
        "Atorvastatin 20 mg tablets",
        "film-coated tablet",
        "20 mg",
    ),
    (
        "CEF-1G",
        "Ceftriaxone 1 g powder for injection",
        "powder for solution for injection",
        "1 g",
    ),
];

/// Seeds what is missing; returns a one-line summary.
pub async fn demo(app: &App) -> Result<String> {
    let by = Request::by(SEEDER);
    let mut created = 0;
    for (code, name, kind, country) in SITES {
        if app.store.site(code).await?.is_none() {
            let new = NewSite::parse(code, name, kind, country)?;
            app.execute::<SiteState>(code, SiteCommand::Register(new), &by)
                .await?;
            created += 1;
        }
    }
    for (code, name, form, strength) in PRODUCTS {
        if app.store.product(code).await?.is_none() {
            let new = NewProduct::parse(code, name, form, strength)?;
            app.execute::<ProductState>(code, ProductCommand::Register(new), &by)
                .await?;
            created += 1;
        }
    }
    if created > 0 {
        history(app, &by).await?;
    }
    let history = batch_history(app, &by).await?;
    created += users(app, &by).await?;
    let operations = crate::seed_tracker::operations(app).await?;
    let mes = crate::seed_mes::mes(app).await?;
    let counts = app.store.counts().await?;
    Ok(format!(
        "{created} records created; {} sites, {} products, {} ledger events. {history} {operations} {mes}",
        counts.sites, counts.products, counts.events
    ))
}

/// Where the public batch history is: `$VPLANT_DATA/tablet-batches`, `./data/…`, or
/// the copy in the source tree this binary was built from.
fn data_set_folder() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("VPLANT_DATA").map(|d| PathBuf::from(d).join("tablet-batches")),
        Some(PathBuf::from("data/tablet-batches")),
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/tablet-batches")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|p| p.join("Laboratory.csv").is_file())
        .map(|p| p.canonicalize().unwrap_or(p))
}

/// The 1,005 real batches of the public data set as the history of CMO-SI, once.
async fn batch_history(app: &App, by: &Request) -> Result<String> {
    let site = tablet_batches::DEFAULT_SITE;
    if app.store.batch(&format!("{site}/1005")).await?.is_some() {
        return Ok(format!("Batch history of {site} loaded before."));
    }
    let Some(folder) = data_set_folder() else {
        return Ok(format!(
            "The public batch history was not found (set VPLANT_DATA, or run `vplant import tablet-batches <folder>`); {site} has no batches."
        ));
    };
    match app.import_tablet_batches(&folder, site, by).await {
        Ok(summary) => Ok(format!(
            "Batch history of {site}: {} records from {} ({} events). {}",
            summary.changed_records,
            folder.display(),
            summary.events,
            tablet_batches::CREDIT
        )),
        Err(ImportError::Rejected(problems)) => Err(anyhow::anyhow!(
            "the public batch history in {} was refused: {}",
            folder.display(),
            problems
                .iter()
                .take(5)
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        )),
        Err(ImportError::App(e)) => Err(e.into()),
    }
}

/// A little history, so that the audit trail pages have something to show. Only on
/// records still at their first version, so a re-run adds nothing.
async fn history(app: &App, by: &Request) -> Result<()> {
    if app.master::<Sites>(&Scope::All, "CMO-HYD").await?.version == 1 {
        let change = Change::parse(
            ChangeKind::Rename,
            "Deccan Generics Private Limited",
            "Legal entity name changed after the 2026 restructuring (quality agreement QA-0147 rev. 3)",
        )?;
        app.change_master::<Sites>(&Scope::All, "CMO-HYD", change, by)
            .await?;
    }
    let product = app.master::<Products>(&Scope::All, "CEF-1G").await?;
    if product.active && product.version == 1 {
        let change = Change::parse(
            ChangeKind::Deactivate,
            "",
            "Marketing authorisation withdrawn; no further batches planned",
        )?;
        app.change_master::<Products>(&Scope::All, "CEF-1G", change, by)
            .await?;
    }
    Ok(())
}

/// The password of every demo account. It is printed by `vplant demo` and in the
/// README: demo databases are for trying the product, never for real records.
pub const DEMO_PASSWORD: &str = "Tablet-Granule-Sunrise-42";

/// One account per role of SPEC §1: (username, full name, role, site).
pub const USERS: &[(&str, &str, &str, Option<&str>)] = &[
    ("admin", "Ada Lindqvist", "administrator", None),
    ("qa.reviewer", "Quentin Moreau", "qa_reviewer", None),
    ("operator", "Olga Petrova", "operator", None),
    ("supervisor", "Samuel Okafor", "supervisor", None),
    ("author", "Alice Brunner", "recipe_author", None),
    ("vpt", "Victor Haas", "vpt_manager", None),
    ("cmo.lyo", "Camille Girard", "cmo_partner", Some("CMO-LYO")),
    ("cmo.si", "Luka Novak", "cmo_partner", Some("CMO-SI")),
    ("director", "Diana Keller", "director", None),
    ("auditor", "Ian Fletcher", "auditor", None),
];

/// Creates the demo accounts that are missing; QA approves the Basel site once, so
/// that a signed record is there to look at.
async fn users(app: &App, by: &Request) -> Result<usize> {
    let mut created = 0;
    for (username, full_name, role, site) in USERS {
        if app.store.user(username).await?.is_some() {
            continue;
        }
        // A partner of a site the demo could not create (no data set) is left out.
        if let Some(site) = site
            && app.store.site(site).await?.is_none()
        {
            continue;
        }
        let input = NewUserInput {
            username: (*username).to_owned(),
            full_name: (*full_name).to_owned(),
            email: format!("{username}@vplant.example"),
            roles: vec![(*role).to_owned()],
            sites: site.iter().map(|s| (*s).to_owned()).collect(),
            password: Some(DEMO_PASSWORD.to_owned()),
            must_change_password: false,
        };
        app.create_user(input, by).await?;
        created += 1;
    }
    if app.signatures("site/BSL").await?.is_empty()
        && let Some(head) = app.signable_head("site/BSL").await?
        && let Some(qa) = app.store.user("qa.reviewer").await?
    {
        let signer = vplant_app::identity::principal_of(&qa);
        let input = SignatureInput {
            meaning: "approved".to_owned(),
            shown_version: head.version,
            shown_hash: head.hash,
            username: "qa.reviewer".to_owned(),
            password: DEMO_PASSWORD.to_owned(),
        };
        app.sign(&signer, "site/BSL", "site 'BSL'", &input, "demo-seed")
            .await?;
    }
    Ok(created)
}

/// The demo accounts, for the start-up message.
pub fn accounts() -> String {
    let names: Vec<String> = USERS
        .iter()
        .map(|(u, _, role, _)| format!("{u} ({role})"))
        .collect();
    format!(
        "Demo accounts, all with the password {DEMO_PASSWORD}: {}",
        names.join(", ")
    )
}
