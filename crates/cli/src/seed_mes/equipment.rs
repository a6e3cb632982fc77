//! The oral-solids equipment at Basel: two granulation-to-coating suites for the
//! batches, a third press in maintenance and a third coater whose calibration is
//! due, so the equipment board shows every status.

use anyhow::{Context, Result};
use vplant_app::App;
use vplant_app::Request;
use vplant_app::equipment::LogbookInput;
use vplant_domain::dates::PartialDate;
use vplant_domain::equipment::EquipmentInput;
use vplant_domain::identity::Scope;

use super::floor::{OPERATOR, SITE, SUPERVISOR};

/// (id, name, class, work centre, months to the next calibration; negative: overdue)
const UNITS: &[(&str, &str, &str, &str, i32)] = &[
    (
        "GRAN-01",
        "High-shear granulator 600 L",
        "granulator",
        "Suite 1",
        7,
    ),
    (
        "FBD-01",
        "Fluid-bed dryer 300 kg",
        "fluid bed dryer",
        "Suite 1",
        5,
    ),
    (
        "BLEND-01",
        "IBC bin blender 1200 L",
        "blender",
        "Suite 1",
        9,
    ),
    (
        "PRESS-01",
        "Rotary tablet press, 55 stations",
        "tablet press",
        "Suite 1",
        4,
    ),
    (
        "COAT-01",
        "Perforated pan coater 350 kg",
        "coater",
        "Suite 1",
        8,
    ),
    (
        "GRAN-02",
        "High-shear granulator 600 L",
        "granulator",
        "Suite 2",
        10,
    ),
    (
        "FBD-02",
        "Fluid-bed dryer 300 kg",
        "fluid bed dryer",
        "Suite 2",
        6,
    ),
    (
        "BLEND-02",
        "IBC bin blender 1200 L",
        "blender",
        "Suite 2",
        11,
    ),
    (
        "PRESS-02",
        "Rotary tablet press, 55 stations",
        "tablet press",
        "Suite 2",
        3,
    ),
    (
        "COAT-02",
        "Perforated pan coater 350 kg",
        "coater",
        "Suite 2",
        6,
    ),
    (
        "PRESS-03",
        "Rotary tablet press, 36 stations",
        "tablet press",
        "Suite 3",
        2,
    ),
    (
        "COAT-03",
        "Perforated pan coater 150 kg",
        "coater",
        "Suite 3",
        -1,
    ),
];

/// Registers and cleans every unit; PRESS-03 goes into maintenance. Returns how
/// many units there are.
pub async fn seed(app: &App) -> Result<usize> {
    let today = app.store.now().date();
    let months = today.year() * 12 + i32::from(today.month()) - 1;
    for (id, name, class, suite, due_in) in UNITS {
        let due = months + due_in;
        let calibration_due = PartialDate::new(
            due.div_euclid(12),
            u8::try_from(due.rem_euclid(12) + 1).unwrap_or(1),
            None,
        )
        .map(|d| d.to_string())
        .unwrap_or_default();
        let input = EquipmentInput {
            id: (*id).to_owned(),
            name: (*name).to_owned(),
            class: (*class).to_owned(),
            site: SITE.to_owned(),
            area: "Oral solid dosage".to_owned(),
            work_centre: (*suite).to_owned(),
            clean_hold_hours: "72".to_owned(),
            dirty_hold_hours: "48".to_owned(),
            calibration_due,
        };
        app.register_equipment(&Scope::All, &input, &Request::by(SUPERVISOR))
            .await
            .with_context(|| format!("equipment {id} could not be registered"))?;
        clean(app, &[id]).await?;
    }
    log(
        app,
        "PRESS-03",
        "maintenance_start",
        "Upper punch guides worn; replacement set ordered (work order WO-26-1183)",
        SUPERVISOR,
    )
    .await?;
    Ok(UNITS.len())
}

/// A full cleaning of each unit, logged by the operator.
pub async fn clean(app: &App, units: &[&str]) -> Result<()> {
    for id in units {
        log(
            app,
            id,
            "clean",
            "Full clean per SOP-CL-004; visually clean, swab samples taken",
            OPERATOR,
        )
        .await?;
    }
    Ok(())
}

async fn log(app: &App, id: &str, kind: &str, note: &str, who: &str) -> Result<()> {
    let entry = LogbookInput {
        kind: kind.to_owned(),
        note: note.to_owned(),
        next_due: String::new(),
    };
    app.log_equipment(&Scope::All, id, &entry, &Request::by(who))
        .await
        .with_context(|| format!("the {kind} of equipment {id} could not be logged"))?;
    Ok(())
}
