//! The records of the step entry bench: one internal site, an effective master batch
//! record of numeric in-process controls, the operators and a batch for each.

use serde_json::{Value, json};
use vplant_app::ebrs::StartInput;
use vplant_app::identity::principal_of;
use vplant_app::mbrs::{RecipeFormat, read_recipe};
use vplant_app::signatures::SignatureInput;
use vplant_app::{App, Request};
use vplant_domain::identity::Scope;
use vplant_domain::product::{NewProduct, ProductCommand, ProductState};
use vplant_domain::site::{NewSite, SiteCommand, SiteState};

use super::measure::BenchResult;
use super::server::user_input;

pub const PASSWORD: &str = "Press-Hopper-Lantern-31";
pub const SITE: &str = "PLT";
const PRODUCT: &str = "PCM500";
const MBR: &str = "MBR-IPC";

/// The in-process controls the steps cycle through: id, name, unit, target, the
/// example's limits (alert, action, specification), and a reading inside the alert
/// limits for each of a few attempts.
pub struct Check {
    pub id: &'static str,
    pub name: &'static str,
    pub unit: &'static str,
    pub target: f64,
    pub limits: [(f64, f64); 3],
    pub readings: [&'static str; 5],
}

pub const CHECKS: [Check; 3] = [
    Check {
        id: "weight",
        name: "Mean tablet weight (20 tablets)",
        unit: "mg",
        target: 600.0,
        limits: [(591.0, 609.0), (585.0, 615.0), (570.0, 630.0)],
        readings: ["599.4", "601.2", "598.7", "600.9", "602.3"],
    },
    Check {
        id: "hardness",
        name: "Hardness (10 tablets)",
        unit: "N",
        target: 120.0,
        limits: [(105.0, 135.0), (90.0, 150.0), (80.0, 160.0)],
        readings: ["118", "123", "121", "116", "125"],
    },
    Check {
        id: "thickness",
        name: "Thickness (10 tablets)",
        unit: "mm",
        target: 5.6,
        limits: [(5.5, 5.7), (5.4, 5.8), (5.3, 5.9)],
        readings: ["5.61", "5.58", "5.63", "5.60", "5.57"],
    },
];

pub fn step_id(step: usize) -> String {
    let check = &CHECKS[step % CHECKS.len()];
    format!("{}_{:02}", check.id, step / CHECKS.len() + 1)
}

/// The master batch record: `steps` numeric in-process controls, each signed
/// `performed`.
pub fn recipe_file(steps: usize) -> Value {
    let phases: Vec<Value> = (0..steps)
        .map(|step| {
            let check = &CHECKS[step % CHECKS.len()];
            let range = |(low, high): (f64, f64)| json!({ "low": low, "high": high });
            json!({
                "id": step_id(step),
                "name": format!("{}, round {}", check.name, step / CHECKS.len() + 1),
                "instruction": "Take the tablets from the press discharge.",
                "entry": {
                    "kind": "numeric",
                    "unit": check.unit,
                    "target": check.target,
                    "checks": {
                        "alert": range(check.limits[0]),
                        "action": range(check.limits[1]),
                        "spec": range(check.limits[2]),
                    },
                },
                "signatures": "performed",
            })
        })
        .collect();
    json!({
        "code": MBR,
        "title": "Paracetamol 500 mg tablets: in-process controls during compression",
        "product": PRODUCT,
        "batch_size": { "amount": 180, "unit": "kg" },
        "unit_procedures": [{
            "id": "compression", "name": "Compression",
            "operations": [{ "id": "ipc", "name": "In-process controls", "phases": phases }],
        }],
    })
}

pub fn operator_name(n: usize) -> String {
    format!("op{:03}", n + 1)
}

pub fn batch_number(n: usize) -> String {
    format!("B{:04}", n + 1)
}

/// Site, product, the MBR made effective through its real lifecycle (an author
/// saves and submits, QA approves with a signature), the operators and their
/// batches. Users are created and batches started concurrently; the store groups
/// the commits.
pub async fn seed(app: &App, operators: usize, steps: usize) -> BenchResult {
    let by = Request::by("seed");
    let site = NewSite::parse(SITE, "Plant one", "internal", "CH")?;
    app.execute::<SiteState>(SITE, SiteCommand::Register(site), &by)
        .await?;
    let product = NewProduct::parse(
        PRODUCT,
        "Paracetamol 500 mg film-coated tablets",
        "film-coated tablet",
        "500 mg",
    )?;
    app.execute::<ProductState>(PRODUCT, ProductCommand::Register(product), &by)
        .await?;
    for (username, role) in [
        ("recipe.author", "recipe_author"),
        ("qa.approver", "qa_reviewer"),
        ("supervisor", "supervisor"),
    ] {
        app.create_user(user_input(username, role, PASSWORD), &by)
            .await?;
    }
    let mut tasks = Vec::new();
    for n in 0..operators {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            app.create_user(
                user_input(&operator_name(n), "operator", PASSWORD),
                &Request::by("seed"),
            )
            .await
            .map(|_| ())
        }));
    }
    for task in tasks {
        task.await??;
    }

    let recipe = read_recipe(&recipe_file(steps).to_string(), RecipeFormat::Json)?;
    let author = Request::by("recipe.author");
    app.save_mbr(
        recipe,
        "in-process controls for the step entry bench",
        &author,
    )
    .await?;
    app.submit_mbr(MBR, 1, &author).await?;
    let stream = format!("mbr/{MBR}/1");
    let head = app
        .signable_head(&stream)
        .await?
        .ok_or("the MBR is missing")?;
    let qa = app
        .store
        .user("qa.approver")
        .await?
        .ok_or("QA is missing")?;
    let approval = SignatureInput {
        meaning: "approved".to_owned(),
        shown_version: head.version,
        shown_hash: head.hash,
        username: "qa.approver".to_owned(),
        password: PASSWORD.to_owned(),
    };
    app.sign(&principal_of(&qa), &stream, MBR, &approval, "seed")
        .await?;
    app.make_mbr_effective(MBR, 1, &author).await?;

    let mut tasks = Vec::new();
    for n in 0..operators {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let start = StartInput {
                site: SITE.to_owned(),
                number: batch_number(n),
                order: format!("PO-{:04}", n + 1),
                mbr: MBR.to_owned(),
                size: "180".to_owned(),
                size_unit: "kg".to_owned(),
            };
            app.start_batch(&Scope::All, &start, &Request::by("supervisor"))
                .await
                .map(|_| ())
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(())
}
