//! Demo data for the MES half at the Basel site (BSL, internal): the documented
//! film-coated tablet MBR (`docs/examples/mbr-film-coated-tablet.yaml`) through its
//! lifecycle, the equipment its steps ask for, material lots released by QA, and
//! batches in every state. Everything goes through the use cases a person would
//! use, signatures with the demo password; ledger times are the real ones. Seeding
//! is skipped when the MBR exists already.

mod batches;
mod equipment;
mod floor;
mod lots;

use anyhow::{Context, Result, anyhow};
use vplant_app::mbrs::{RecipeFormat, read_recipe};
use vplant_app::{App, Request};
use vplant_domain::mbr::recipe::{Phase, Recipe};
use vplant_domain::product::{NewProduct, ProductCommand, ProductState};

use floor::{QA, sign_record};

/// The MBR file of the documentation, exactly as documented.
const MBR_FILE: &str = include_str!("../../../../docs/examples/mbr-film-coated-tablet.yaml");

const AUTHOR: &str = "author";

/// Seeds the MES unless its MBR exists; returns a one-line summary.
pub async fn mes(app: &App) -> Result<String> {
    let recipe = read_recipe(MBR_FILE, RecipeFormat::Yaml)
        .map_err(|e| anyhow!("the demo MBR file does not read: {e}"))?;
    if !app.store.mbr_versions(&recipe.code).await?.is_empty() {
        return Ok("MES seeded before.".to_owned());
    }
    if app.store.product(&recipe.product).await?.is_none() {
        let new = NewProduct::parse(
            &recipe.product,
            "Paracetamol 500 mg film-coated tablets (Basel)",
            "film-coated tablet",
            "500 mg",
        )?;
        app.execute::<ProductState>(
            &recipe.product,
            ProductCommand::Register(new),
            &Request::by("demo-seed"),
        )
        .await?;
    }
    lots::seed(app).await?;
    lifecycle(app, &recipe).await?;
    let units = equipment::seed(app).await?;
    let made = batches::run(app, &recipe).await?;
    let states: Vec<String> = batches::BATCHES
        .iter()
        .map(|(number, _, state)| format!("{number} {state}"))
        .collect();
    Ok(format!(
        "MES at BSL: {} version 2 effective (1 superseded, 3 in draft), {units} equipment units, {made} batches ({}).",
        recipe.code,
        states.join(", ")
    ))
}

/// Version 1 (before the daily scale check was added) approved and effective,
/// superseded by version 2 — the documented file —, and version 3 in draft.
async fn lifecycle(app: &App, documented: &Recipe) -> Result<()> {
    let code = &documented.code;
    let mut first = documented.clone();
    for up in &mut first.unit_procedures {
        for op in &mut up.operations {
            op.phases.retain(|p| p.id != "scale_check");
        }
    }
    let versions: [(Recipe, &str); 2] = [
        (first, "Import of the validated paper MBR PCM500 rev. 07"),
        (
            documented.clone(),
            "Daily scale check added before weighing (CAPA from the 2025 scale audit)",
        ),
    ];
    let author = Request::by(AUTHOR);
    for (recipe, reason) in versions {
        let row = app
            .save_mbr(recipe, reason, &author)
            .await
            .with_context(|| format!("{code} could not be saved"))?;
        let version = row.mbr_version;
        app.submit_mbr(code, version, &author).await?;
        sign_record(app, QA, &format!("mbr/{code}/{version}"), "approved").await?;
        app.make_mbr_effective(code, version, &author).await?;
    }
    let mut draft = documented.clone();
    let press = phase(&mut draft, "press")?;
    press.instruction =
        "Set up with the 17.5 × 7.5 mm oval punch set; record the set number.".to_owned();
    app.save_mbr(draft, "Punch set named at press set-up", &author)
        .await
        .with_context(|| format!("the draft of {code} could not be saved"))?;
    Ok(())
}

fn phase<'r>(recipe: &'r mut Recipe, id: &str) -> Result<&'r mut Phase> {
    recipe
        .unit_procedures
        .iter_mut()
        .flat_map(|up| up.operations.iter_mut())
        .flat_map(|op| op.phases.iter_mut())
        .find(|p| p.id == id)
        .ok_or_else(|| anyhow!("the demo MBR has no step {id}"))
}
