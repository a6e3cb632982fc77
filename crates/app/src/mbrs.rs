//! Master batch records as use cases: the documented file (JSON or YAML, see
//! `docs/mbr-format.md`) in and out, drafts and new versions, the lifecycle (approval
//! is a signature, through `App::sign`), and the comparison of two versions.

use vplant_domain::mbr::diff::{Difference, diff};
use vplant_domain::mbr::recipe::Recipe;
use vplant_domain::mbr::step::StepKind;
use vplant_domain::mbr::{MbrCommand, MbrState, MbrStatus, version_id};
use vplant_domain::{Aggregate, DomainError, FieldError};
use vplant_store::queries::mes::MbrRow;

use crate::{App, AppError, Request};

/// The two spellings of the MBR file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecipeFormat {
    Json,
    Yaml,
}

impl RecipeFormat {
    /// From a file name or a content type: `.json` / `application/json` is JSON,
    /// anything else YAML.
    pub fn guess(name: &str) -> RecipeFormat {
        let name = name.to_lowercase();
        if name.ends_with(".json") || name.contains("json") {
            RecipeFormat::Json
        } else {
            RecipeFormat::Yaml
        }
    }
}

/// Reads an MBR file; a problem is reported with where it is in the file.
pub fn read_recipe(text: &str, format: RecipeFormat) -> Result<Recipe, DomainError> {
    let parsed = match format {
        RecipeFormat::Json => serde_json::from_str::<Recipe>(text).map_err(|e| e.to_string()),
        RecipeFormat::Yaml => serde_saphyr::from_str::<Recipe>(text).map_err(|e| e.to_string()),
    };
    parsed.map_err(|reason| DomainError::field("file", reason))
}

/// Writes an MBR file.
pub fn write_recipe(recipe: &Recipe, format: RecipeFormat) -> Result<String, AppError> {
    match format {
        RecipeFormat::Json => serde_json::to_string_pretty(recipe)
            .map(|mut s| {
                s.push('\n');
                s
            })
            .map_err(|e| AppError::Internal(e.to_string())),
        RecipeFormat::Yaml => {
            serde_saphyr::to_string(recipe).map_err(|e| AppError::Internal(e.to_string()))
        }
    }
}

/// One MBR version with its content.
#[derive(Clone, Debug)]
pub struct MbrView {
    pub row: MbrRow,
    pub recipe: Recipe,
}

fn not_found(id: &str) -> AppError {
    AppError::Domain(DomainError::NotFound {
        what: "MBR version",
        id: id.to_owned(),
    })
}

impl App {
    pub async fn mbrs(&self) -> Result<Vec<MbrRow>, AppError> {
        Ok(self.store.mbrs().await?)
    }

    pub async fn mbr_versions(&self, code: &str) -> Result<Vec<MbrRow>, AppError> {
        Ok(self.store.mbr_versions(&code.to_uppercase()).await?)
    }

    /// One version and its recipe as it stands.
    pub async fn mbr(&self, code: &str, version: u32) -> Result<MbrView, AppError> {
        let code = code.to_uppercase();
        let id = version_id(&code, version);
        let row = self
            .store
            .mbr_versions(&code)
            .await?
            .into_iter()
            .find(|r| r.mbr_version == version)
            .ok_or_else(|| not_found(&id))?;
        let (state, _) = self.load::<MbrState>(&MbrState::stream_id(&id)).await?;
        let recipe = state.recipe.ok_or_else(|| not_found(&id))?;
        Ok(MbrView { row, recipe })
    }

    /// The version batches start from now, if there is one.
    pub async fn effective_mbr(&self, code: &str) -> Result<Option<MbrView>, AppError> {
        let versions = self.mbr_versions(code).await?;
        match versions
            .iter()
            .find(|r| r.status == MbrStatus::Effective.as_str())
        {
            Some(row) => Ok(Some(self.mbr(&row.code, row.mbr_version).await?)),
            None => Ok(None),
        }
    }

    /// Saves a recipe (from a file or the authoring form): it revises the open
    /// draft of its code, or starts a new version (the first, or the next after an
    /// approved or effective one). `reason` is recorded with a revision.
    pub async fn save_mbr(
        &self,
        recipe: Recipe,
        reason: &str,
        request: &Request,
    ) -> Result<MbrRow, AppError> {
        let mut recipe = recipe;
        recipe.code = vplant_domain::fields::Code::parse("code", &recipe.code)
            .map_err(|e| DomainError::Validation(vec![e]))?
            .as_str()
            .to_owned();
        let versions = self.store.mbr_versions(&recipe.code).await?;
        let code = recipe.code.clone();
        let version = match versions.last() {
            Some(last) if last.status == MbrStatus::Draft.as_str() => {
                let reason = vplant_domain::fields::Reason::parse("reason", reason)
                    .map_err(|e| DomainError::Validation(vec![e]))?;
                let id = version_id(&code, last.mbr_version);
                self.execute::<MbrState>(&id, MbrCommand::Revise { recipe, reason }, request)
                    .await?;
                last.mbr_version
            }
            Some(last) if last.status == MbrStatus::InReview.as_str() => {
                return Err(DomainError::InvalidState(format!(
                    "MBR {code} version {} is in review; withdraw it or wait for the decision before changing it",
                    last.mbr_version
                ))
                .into());
            }
            last => {
                let version = last.map_or(1, |l| l.mbr_version + 1);
                let based_on = last.map(|l| l.mbr_version);
                let id = version_id(&code, version);
                self.execute::<MbrState>(
                    &id,
                    MbrCommand::Draft {
                        version,
                        based_on,
                        recipe,
                    },
                    request,
                )
                .await?;
                version
            }
        };
        Ok(self.mbr(&code, version).await?.row)
    }

    /// Drafts the next version of `code` from its latest version's content.
    pub async fn new_mbr_version(&self, code: &str, request: &Request) -> Result<MbrRow, AppError> {
        let versions = self.mbr_versions(code).await?;
        let Some(last) = versions.last() else {
            return Err(not_found(&code.to_uppercase()));
        };
        if matches!(last.status.as_str(), "draft" | "in_review") {
            return Err(DomainError::InvalidState(format!(
                "MBR {} version {} is still {}; change that version instead",
                last.code,
                last.mbr_version,
                last.status.replace('_', " ")
            ))
            .into());
        }
        let recipe = self.mbr(&last.code, last.mbr_version).await?.recipe;
        let id = version_id(&last.code, last.mbr_version + 1);
        self.execute::<MbrState>(
            &id,
            MbrCommand::Draft {
                version: last.mbr_version + 1,
                based_on: Some(last.mbr_version),
                recipe,
            },
            request,
        )
        .await?;
        Ok(self.mbr(&last.code, last.mbr_version + 1).await?.row)
    }

    /// Submits a draft for review: the recipe must be complete, and its product
    /// and every dispensed material registered.
    pub async fn submit_mbr(
        &self,
        code: &str,
        version: u32,
        request: &Request,
    ) -> Result<MbrRow, AppError> {
        let view = self.mbr(code, version).await?;
        let mut errors = Vec::new();
        if self.store.product(&view.recipe.product).await?.is_none() {
            errors.push(FieldError::new(
                "product",
                format!("'{}' is not a registered product", view.recipe.product),
            ));
        }
        for step in view.recipe.steps() {
            if let StepKind::Dispense { material, .. } = &step.phase.entry
                && self.store.material(material).await?.is_none()
            {
                errors.push(FieldError::new(
                    &format!("step {}", step.phase.id),
                    format!("material '{material}' is not registered"),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(DomainError::Validation(errors).into());
        }
        self.mbr_command(code, version, MbrCommand::Submit, request)
            .await
    }

    /// Withdraws, or retires, a version (`command` carries the reason).
    pub async fn mbr_command(
        &self,
        code: &str,
        version: u32,
        command: MbrCommand,
        request: &Request,
    ) -> Result<MbrRow, AppError> {
        let code = code.to_uppercase();
        self.mbr(&code, version).await?;
        self.execute::<MbrState>(&version_id(&code, version), command, request)
            .await?;
        Ok(self.mbr(&code, version).await?.row)
    }

    /// Makes an approved version effective; the version effective until now is
    /// superseded in the same commit.
    pub async fn make_mbr_effective(
        &self,
        code: &str,
        version: u32,
        request: &Request,
    ) -> Result<MbrRow, AppError> {
        let code = code.to_uppercase();
        let versions = self.store.mbr_versions(&code).await?;
        let mut unit = self.unit(request);
        if let Some(current) = versions
            .iter()
            .find(|r| r.status == MbrStatus::Effective.as_str() && r.mbr_version != version)
        {
            unit.decide::<MbrState>(
                &version_id(&code, current.mbr_version),
                MbrCommand::Supersede { by: version },
            )
            .await?;
        }
        unit.decide::<MbrState>(&version_id(&code, version), MbrCommand::MakeEffective)
            .await?;
        unit.commit_all().await?;
        Ok(self.mbr(&code, version).await?.row)
    }

    /// What changed from version `from` to version `to`.
    pub async fn mbr_diff(
        &self,
        code: &str,
        from: u32,
        to: u32,
    ) -> Result<Vec<Difference>, AppError> {
        let old = self.mbr(code, from).await?;
        let new = self.mbr(code, to).await?;
        Ok(diff(&old.recipe, &new.recipe))
    }
}
