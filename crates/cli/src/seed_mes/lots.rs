//! The materials the film-coated tablet MBR dispenses and their lots at Basel:
//! received into quarantine, then released by QA's signature; one lot still in
//! quarantine and one rejected by QA, so the lot pages show every status.

use anyhow::{Context, Result};
use vplant_app::{App, Request};
use vplant_domain::dates::PartialDate;
use vplant_domain::fields::Code;
use vplant_domain::lot::{LotCommand, LotOrigin, LotRef, LotState, LotStatus, NewLot};
use vplant_domain::material::{MaterialCommand, MaterialState, NewMaterial};
use vplant_domain::units::Quantity;

use super::floor::{QA, SITE, SUPERVISOR, sign_record};

pub const PARACETAMOL: &str = "PARACETAMOL/P26-0311";
pub const PARACETAMOL_QUARANTINE: &str = "PARACETAMOL/P26-0419";
pub const MCC: &str = "MCC-102/MC2601845";
pub const POVIDONE: &str = "POVIDONE-K30/PV25-1127";
pub const CROSCARMELLOSE: &str = "CROSCARMELLOSE/CC6031";
pub const MG_STEARATE: &str = "MG-STEARATE/MS260214";
pub const OPADRY: &str = "OPADRY-WHITE/OPW26-0088";
const MCC_REJECTED: &str = "MCC-102/MC2512201";

/// (code, name, kind)
const MATERIALS: &[(&str, &str, &str)] = &[
    (
        "PARACETAMOL",
        "Paracetamol (acetaminophen) Ph. Eur., dense powder",
        "api",
    ),
    ("MCC-102", "Microcrystalline cellulose PH 102", "excipient"),
    ("POVIDONE-K30", "Povidone K30", "excipient"),
    ("CROSCARMELLOSE", "Croscarmellose sodium", "excipient"),
    (
        "MG-STEARATE",
        "Magnesium stearate, vegetable grade",
        "excipient",
    ),
    (
        "OPADRY-WHITE",
        "Opadry II white film-coating system",
        "excipient",
    ),
];

/// (lot, kg received, years to expiry, QA's decision: released, rejected or none)
const LOTS: &[(&str, &str, i32, Option<&str>)] = &[
    (PARACETAMOL, "1200", 4, Some("released")),
    (MCC, "400", 3, Some("released")),
    (POVIDONE, "100", 3, Some("released")),
    (CROSCARMELLOSE, "100", 3, Some("released")),
    (MG_STEARATE, "25", 3, Some("released")),
    (OPADRY, "50", 2, Some("released")),
    (PARACETAMOL_QUARANTINE, "1200", 4, None),
    (MCC_REJECTED, "400", 3, Some("rejected")),
];

/// Registers the materials and receives their lots; QA decides on them.
pub async fn seed(app: &App) -> Result<()> {
    let by = Request::by(SUPERVISOR);
    for (code, name, kind) in MATERIALS {
        if app.store.material(code).await?.is_none() {
            let new = NewMaterial::parse(code, name, kind, "kg")?;
            app.execute::<MaterialState>(code, MaterialCommand::Register(new), &by)
                .await
                .with_context(|| format!("material {code} could not be registered"))?;
        }
    }
    let today = app.store.now().date();
    let site = Code::parse("site", SITE)?;
    for (id, kg, years, decision) in LOTS {
        let (material, lot) = id.split_once('/').unwrap_or((id, ""));
        let expiry = PartialDate::new(today.year() + years, today.month(), None);
        let new = NewLot::new(
            LotRef::parse(material, lot)?,
            &site,
            LotStatus::Quarantine,
            LotOrigin::Received,
            Some(Quantity::parse("quantity", kg, "kg")?),
            expiry,
            None,
        )?;
        app.execute::<LotState>(id, LotCommand::Register(new), &by)
            .await
            .with_context(|| format!("lot {id} could not be received"))?;
        if let Some(meaning) = decision {
            sign_record(app, QA, &format!("lot/{id}"), meaning).await?;
        }
    }
    Ok(())
}
