//! `vplant import tablet-batches <folder>`: the public batch history of Žagar &
//! Mihelič (2022) — 1,005 batches of a film-coated tablet — loaded as the history of
//! one CMO site: products, batch sizes, start months, the input lots with their
//! genealogy links, laboratory and process results, and the tablet-press time series
//! attached whole to the batches they cover (with their first and last reading and
//! their count as results). The data set's README documents the files.
//!
//! Quirks handled: semicolon-separated files; start months as Slovenian abbreviations
//! (`maj.19`, `avg.20`, `okt.20`); empty values written as runs of spaces, and `#N/A`
//! in `Process.csv`, both read as "not reported"; an API lot is identified by API code
//! and lot number together.

mod read;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use vplant_domain::DomainError;
use vplant_domain::batch::events::BatchSource;
use vplant_domain::batch::milestone::Milestone;
use vplant_domain::batch::report::BatchReport;
use vplant_domain::batch::{BatchCommand, BatchState};
use vplant_domain::fields::Code;
use vplant_domain::lot::{LotCommand, LotOrigin, LotRef, LotState, LotStatus, NewLot};
use vplant_domain::material::{MaterialCommand, MaterialState, NewMaterial};
use vplant_domain::product::{NewProduct, ProductCommand, ProductState};
use vplant_domain::site::{NewSite, SiteCommand, SiteState};
use vplant_domain::units::Quantity;

use read::{EXCIPIENTS, product_code, read_dataset};

use super::{ImportError, ImportSummary};
use crate::unit::Unit;
use crate::{App, AppError, Request};

/// The credit the data's licence (CC BY 4.0) asks for, shown wherever the data is.
pub const CREDIT: &str = "Data: Žagar, J. & Mihelič, J., “Big data collection in pharmaceutical manufacturing and its use for product quality predictions”, Scientific Data 9, 99 (2022), doi:10.1038/s41597-022-01203-x; figshare doi:10.6084/m9.figshare.c.5645578; licensed CC BY 4.0.";

/// The key that marks records of this data set (`provenance`).
pub const DATA_SET: &str = "zagar-mihelic-2022";

/// The credit to show beside records that come from a published data set.
pub fn credit(provenance: &str) -> Option<&'static str> {
    (provenance == DATA_SET).then_some(CREDIT)
}

/// The site the history is loaded into unless another is named.
pub const DEFAULT_SITE: &str = "CMO-SI";

/// Source names of the results attached to each batch.
pub const LABORATORY: &str = "Laboratory.csv";
pub const PROCESS: &str = "Process.csv";

/// Registers a record unless it exists; returns whether it was new.
async fn register<A: vplant_domain::Aggregate>(
    unit: &mut Unit<'_>,
    id: &str,
    command: A::Command,
) -> Result<bool, AppError> {
    match unit.decide::<A>(id, command).await {
        Ok(n) => Ok(n > 0),
        Err(AppError::Domain(DomainError::AlreadyExists { .. })) => Ok(false),
        Err(e) => Err(e),
    }
}

impl App {
    /// Imports the data set in `folder` as the history of `site` (created as a CMO
    /// site when it does not exist). All or nothing; importing again changes nothing.
    pub async fn import_tablet_batches(
        &self,
        folder: &Path,
        site: &str,
        request: &Request,
    ) -> Result<ImportSummary, ImportError> {
        let site = Code::parse("site", site)
            .map_err(|e| AppError::Domain(DomainError::Validation(vec![e])))?;
        let folder = folder.to_owned();
        let dataset = tokio::task::spawn_blocking(move || read_dataset(&folder))
            .await
            .map_err(|e| AppError::Internal(format!("the import's reader failed: {e}")))?
            .map_err(ImportError::Rejected)?;
        let mut unit = self.unit(request);
        let mut new_records = 0;
        let mut records = 1;
        let new_site = NewSite::parse(
            site.as_str(),
            "Slovenian tablet plant (public data set)",
            "cmo",
            "SI",
        )?;
        new_records += usize::from(
            register::<SiteState>(&mut unit, site.as_str(), SiteCommand::Register(new_site))
                .await?,
        );
        let mut products = BTreeMap::new();
        for b in &dataset.batches {
            products
                .entry(b.code.clone())
                .or_insert_with(|| b.strength.clone());
        }
        for (code, strength) in &products {
            let product = product_code(code);
            let name =
                format!("Cholesterol-lowering film-coated tablet {strength} (product code {code})");
            let new = NewProduct::parse(&product, &name, "film-coated tablet", strength)?;
            let material = NewMaterial::parse(&product, &name, "finished_product", "tablets")?;
            records += 2;
            new_records += usize::from(
                register::<ProductState>(&mut unit, &product, ProductCommand::Register(new))
                    .await?,
            );
            new_records += usize::from(
                register::<MaterialState>(&mut unit, &product, MaterialCommand::Register(material))
                    .await?,
            );
        }
        let mut materials: BTreeMap<String, (String, &str, &str)> = BTreeMap::new();
        for b in &dataset.batches {
            materials.entry(b.api.material.clone()).or_insert_with(|| {
                (
                    format!("Active substance, API code {}", &b.api.material[4..]),
                    "api",
                    "kg",
                )
            });
        }
        for (code, name, _) in EXCIPIENTS {
            materials.insert((*code).to_owned(), ((*name).to_owned(), "excipient", "kg"));
        }
        for (code, (name, kind, unit_of)) in &materials {
            let new = NewMaterial::parse(code, name, kind, unit_of)?;
            records += 1;
            new_records += usize::from(
                register::<MaterialState>(&mut unit, code, MaterialCommand::Register(new)).await?,
            );
        }
        let mut inputs = BTreeSet::new();
        for b in &dataset.batches {
            inputs.insert(b.api.clone());
            inputs.extend(b.excipients.iter().cloned());
        }
        for lot in inputs {
            let id = lot.id();
            let new = NewLot::new(
                lot,
                &site,
                LotStatus::Released,
                LotOrigin::Received,
                None,
                None,
                None,
            )?
            .from_data_set(DATA_SET);
            records += 1;
            new_records +=
                usize::from(register::<LotState>(&mut unit, &id, LotCommand::Register(new)).await?);
        }
        let reason = format!(
            "imported from the public data set (Žagar & Mihelič 2022), site {}",
            site.as_str()
        );
        for mut b in dataset.batches {
            let product = product_code(&b.code);
            let mut report =
                BatchReport::new(site.as_str(), &b.number, &product, BatchSource::Cmo)?;
            report.size = Some(
                Quantity::parse("size", &b.size, "tablets")
                    .map_err(|e| AppError::Domain(DomainError::Validation(vec![e])))?,
            );
            report.actual.insert(Milestone::ProductionStart, b.start);
            report.provenance = Some(DATA_SET.to_owned());
            report.consume(b.api.clone(), None);
            for lot in &b.excipients {
                report.consume(lot.clone(), None);
            }
            let output = LotRef::parse(&product, &b.number)?;
            report.yield_lot(output.clone(), None);
            for (source, results) in &b.results {
                for (test, value) in results {
                    report.result(source, test, value);
                }
            }
            report.series = std::mem::take(&mut b.series);
            let batch_id = report.id();
            let produced = NewLot::new(
                output.clone(),
                &site,
                LotStatus::NotReported,
                LotOrigin::Produced {
                    batch: batch_id.clone(),
                },
                None,
                None,
                None,
            )?
            .from_data_set(DATA_SET);
            records += 2;
            new_records += usize::from(
                register::<LotState>(&mut unit, &output.id(), LotCommand::Register(produced))
                    .await?,
            );
            let command = BatchCommand::Report {
                report: Box::new(report),
                reason: Some(reason.clone()),
            };
            new_records += usize::from(unit.decide::<BatchState>(&batch_id, command).await? > 0);
        }
        let events = unit.events();
        unit.commit_all().await?;
        Ok(ImportSummary {
            records,
            changed_records: new_records,
            events,
        })
    }
}
