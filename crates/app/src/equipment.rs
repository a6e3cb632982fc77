//! Equipment as use cases: registration, the logbook (cleaning, maintenance,
//! calibration), and the board of every unit with its status now.

use serde::Serialize;
use utoipa::ToSchema;
use vplant_domain::dates::PartialDate;
use vplant_domain::equipment::{EquipmentCommand, EquipmentInput, EquipmentState};
use vplant_domain::fields::Text;
use vplant_domain::identity::Scope;
use vplant_domain::{Aggregate, DomainError, Timestamp};
use vplant_store::queries::mes::EquipmentRow;

use crate::{App, AppError, Request};

/// An equipment unit with where it stands now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct EquipmentView {
    #[serde(flatten)]
    pub row: EquipmentRow,
    /// clean, dirty, in_use, maintenance or calibration_due.
    pub status: String,
    /// Why it cannot be used now, if it cannot.
    pub unusable: Option<String>,
    pub in_use_by: Option<String>,
    #[schema(value_type = Option<String>)]
    pub clean_until: Option<Timestamp>,
    pub calibration_due: Option<String>,
    pub dirty_hold_exceeded: bool,
}

/// A logbook entry, unparsed: `kind` is clean, maintenance_start, maintenance_end or
/// calibrate.
#[derive(Clone, Debug, Default)]
pub struct LogbookInput {
    pub kind: String,
    pub note: String,
    pub next_due: String,
}

fn not_found(id: &str) -> AppError {
    AppError::Domain(DomainError::NotFound {
        what: "equipment",
        id: id.to_owned(),
    })
}

impl App {
    fn equipment_view(&self, row: EquipmentRow, state: &EquipmentState) -> EquipmentView {
        let now = self.store.now();
        let (status, unusable) = state.status(now);
        EquipmentView {
            row,
            status: status.as_str().to_owned(),
            unusable,
            in_use_by: state.in_use_by.clone(),
            clean_until: state.clean_until(),
            calibration_due: state
                .registered
                .as_ref()
                .and_then(|r| r.calibration_due)
                .map(|d| d.to_string()),
            dirty_hold_exceeded: state.dirty_hold_exceeded(now),
        }
    }

    /// Every unit the viewer may see, with its status now.
    pub async fn equipment_board(&self, scope: &Scope) -> Result<Vec<EquipmentView>, AppError> {
        let rows = self
            .store
            .equipment_units(crate::batches::scope_sites(scope))
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let (state, _) = self
                .load::<EquipmentState>(&EquipmentState::stream_id(&row.id))
                .await?;
            out.push(self.equipment_view(row, &state));
        }
        Ok(out)
    }

    pub async fn equipment(&self, scope: &Scope, id: &str) -> Result<EquipmentView, AppError> {
        let id = id.to_uppercase();
        let row = self
            .store
            .equipment_unit(&id)
            .await?
            .filter(|r| scope.sees(&r.site))
            .ok_or_else(|| not_found(&id))?;
        let (state, _) = self
            .load::<EquipmentState>(&EquipmentState::stream_id(&id))
            .await?;
        Ok(self.equipment_view(row, &state))
    }

    /// Registers a unit at a registered site the person may see.
    pub async fn register_equipment(
        &self,
        scope: &Scope,
        input: &EquipmentInput,
        request: &Request,
    ) -> Result<EquipmentView, AppError> {
        let registered = input.parse()?;
        match self.store.site(&registered.site).await? {
            Some(s) if s.active && scope.sees(&s.code) => {}
            _ => {
                return Err(DomainError::field(
                    "site",
                    format!(
                        "'{}' is not a registered active site you may see",
                        registered.site
                    ),
                )
                .into());
            }
        }
        let id = registered.id.clone();
        self.execute::<EquipmentState>(&id, EquipmentCommand::Register(registered), request)
            .await?;
        self.equipment(scope, &id).await
    }

    /// Adds a logbook entry: a cleaning, the start or end of maintenance, a
    /// calibration with its next due date.
    pub async fn log_equipment(
        &self,
        scope: &Scope,
        id: &str,
        input: &LogbookInput,
        request: &Request,
    ) -> Result<EquipmentView, AppError> {
        let view = self.equipment(scope, id).await?;
        let note =
            Text::parse("note", &input.note).map_err(|e| DomainError::Validation(vec![e]))?;
        let command = match input.kind.trim() {
            "clean" => EquipmentCommand::Clean { note },
            "maintenance_start" => EquipmentCommand::StartMaintenance { note },
            "maintenance_end" => EquipmentCommand::EndMaintenance { note },
            "calibrate" => EquipmentCommand::Calibrate {
                next_due: PartialDate::parse("next_due", &input.next_due)
                    .map_err(|e| DomainError::Validation(vec![e]))?,
                certificate: note,
            },
            other => {
                return Err(DomainError::field(
                    "kind",
                    format!(
                        "'{other}' is not a logbook entry; use clean, maintenance_start, maintenance_end or calibrate"
                    ),
                )
                .into());
            }
        };
        self.execute::<EquipmentState>(&view.row.id, command, request)
            .await?;
        self.equipment(scope, &view.row.id).await
    }
}
