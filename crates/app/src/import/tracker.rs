//! The batch tracker file: one row per batch a CMO reports, in CSV or XLSX, in the
//! template [`COLUMNS`] documents (`docs/tracker-import.md`, and served for download).
//! An import is all or nothing: every problem of every row is reported (row, column,
//! value, reason) and nothing is stored until the file is clean. Importing the same
//! file again changes nothing; a later file changes only what it reports differently,
//! and every change carries the file as its reason.

use std::collections::{BTreeMap, HashMap};

use vplant_domain::DomainError;
use vplant_domain::batch::events::{BatchSource, Disposition};
use vplant_domain::batch::milestone::{Milestone, Plan};
use vplant_domain::batch::projection::milestone_column;
use vplant_domain::batch::report::BatchReport;
use vplant_domain::batch::{BatchCommand, BatchState};
use vplant_domain::dates::PartialDate;
use vplant_domain::identity::Scope;
use vplant_domain::units::{Quantity, Unit};

use super::grid::{self, Format};
use super::{ImportError, ImportSummary, Problems, RowError};
use crate::{App, AppError, Request};

/// One column of the template.
pub struct Column {
    pub name: &'static str,
    pub required: bool,
    pub meaning: &'static str,
    pub example: &'static str,
}

const fn column(
    name: &'static str,
    required: bool,
    meaning: &'static str,
    example: &'static str,
) -> Column {
    Column {
        name,
        required,
        meaning,
        example,
    }
}

/// The template's columns, in order. Milestone columns follow the tracker's
/// milestones, each planned and actual.
pub static COLUMNS: std::sync::LazyLock<Vec<Column>> = std::sync::LazyLock::new(|| {
    let mut columns = vec![
        column(
            "site",
            true,
            "Site code of a registered CMO site (a CMO partner: only their own).",
            "CMO-LYO",
        ),
        column(
            "batch",
            true,
            "Batch number as the CMO writes it: letters, digits, '-', '.', '_'.",
            "LY-26-0412",
        ),
        column(
            "product",
            true,
            "Product code of a registered, active product.",
            "PARA-500",
        ),
        column(
            "size",
            false,
            "Batch size (a number; needs `unit`).",
            "250000",
        ),
        column(
            "unit",
            false,
            "Unit of size and shipped quantities: tablets, capsules, units, packs, kg, g, mg, t, L, mL.",
            "tablets",
        ),
    ];
    for m in Milestone::ALL {
        for plan in [Plan::Planned, Plan::Actual] {
            columns.push(column(
                milestone_column(plan, m),
                false,
                match (plan, m) {
                    (Plan::Planned, _) => {
                        "Planned date: YYYY-MM-DD, or YYYY-MM when only the month is known."
                    }
                    (Plan::Actual, _) => {
                        "Actual date: YYYY-MM-DD, or YYYY-MM when only the month is known."
                    }
                },
                match plan {
                    Plan::Planned => "2026-04-02",
                    Plan::Actual => "2026-04-03",
                },
            ));
        }
    }
    columns.extend([
        column(
            "disposition",
            false,
            "QA disposition: released, rejected or on_hold.",
            "released",
        ),
        column(
            "committed_quantity",
            false,
            "Quantity committed for delivery (in `unit`).",
            "250000",
        ),
        column(
            "committed_date",
            false,
            "Delivery date committed to.",
            "2026-05-15",
        ),
        column(
            "delivered_quantity",
            false,
            "Quantity delivered (in `unit`).",
            "248500",
        ),
        column("delivered_date", false, "Date delivered.", "2026-05-14"),
    ]);
    columns
});

/// What the template's reader needs to know about the network.
struct Registry {
    /// Site code → kind (`internal` / `cmo`), active sites only.
    sites: HashMap<String, String>,
    /// Active product codes.
    products: Vec<String>,
}

/// A problem in one cell of a row: (column, value, reason).
type CellError = (String, String, String);

fn cell_error(column: &str, value: &str, reason: impl Into<String>) -> CellError {
    (column.to_owned(), value.to_owned(), reason.into())
}

/// Turns one row (column → cell text) into a batch report, or every problem in it.
fn row_report(
    cells: &HashMap<&str, &str>,
    registry: &Registry,
    scope: &Scope,
) -> Result<BatchReport, Vec<CellError>> {
    let get = |c: &str| cells.get(c).copied().unwrap_or("");
    let mut errors = Vec::new();
    let site = get("site").to_uppercase();
    match registry.sites.get(&site) {
        Some(_) if !scope.sees(&site) => errors.push(cell_error(
            "site",
            get("site"),
            "is not a site you may report for",
        )),
        None if site.is_empty() => errors.push(cell_error("site", "", "is required")),
        None => errors.push(cell_error(
            "site",
            get("site"),
            "is not a registered active site you may report for",
        )),
        Some(kind) if kind != "cmo" => errors.push(cell_error(
            "site",
            get("site"),
            "is an internal site; its batches come from the eBR, not from a file",
        )),
        Some(_) => {}
    }
    let product = get("product").to_uppercase();
    if !product.is_empty() && !registry.products.contains(&product) {
        errors.push(cell_error(
            "product",
            get("product"),
            "is not a registered active product",
        ));
    }
    let mut report = match BatchReport::new(&site, get("batch"), &product, BatchSource::Cmo) {
        Ok(r) => Some(r),
        Err(DomainError::Validation(fields)) => {
            for f in fields {
                if !errors.iter().any(|e| e.0 == f.field) {
                    errors.push(cell_error(&f.field, get(&f.field), f.reason));
                }
            }
            None
        }
        Err(other) => {
            errors.push(cell_error("batch", get("batch"), other.to_string()));
            None
        }
    };
    let unit = match get("unit") {
        "" => None,
        text => match Unit::parse("unit", text) {
            Ok(u) => Some(u),
            Err(e) => {
                errors.push(cell_error("unit", text, e.reason));
                None
            }
        },
    };
    let mut quantity = |name: &str| -> Option<Quantity> {
        let text = get(name);
        if text.is_empty() {
            return None;
        }
        let Some(unit) = &unit else {
            if get("unit").is_empty() {
                errors.push(cell_error(name, text, "needs a unit in the `unit` column"));
            }
            return None;
        };
        match Quantity::parse(name, text, unit.as_str()) {
            Ok(q) => Some(q),
            Err(e) => {
                errors.push(cell_error(name, text, e.reason));
                None
            }
        }
    };
    let size = quantity("size");
    let committed_quantity = quantity("committed_quantity");
    let delivered_quantity = quantity("delivered_quantity");
    let mut date = |name: &str| -> Option<PartialDate> {
        let text = get(name);
        if text.is_empty() {
            return None;
        }
        PartialDate::parse(name, text)
            .map_err(|e| errors.push(cell_error(name, text, e.reason)))
            .ok()
    };
    let mut planned = BTreeMap::new();
    let mut actual = BTreeMap::new();
    for m in Milestone::ALL {
        if let Some(d) = date(milestone_column(Plan::Planned, m)) {
            planned.insert(m, d);
        }
        if let Some(d) = date(milestone_column(Plan::Actual, m)) {
            actual.insert(m, d);
        }
    }
    let committed_date = date("committed_date");
    let delivered_date = date("delivered_date");
    let disposition = match get("disposition")
        .to_lowercase()
        .replace([' ', '-'], "_")
        .as_str()
    {
        "" => None,
        "released" => Some(Disposition::Released),
        "rejected" => Some(Disposition::Rejected),
        "on_hold" => Some(Disposition::OnHold),
        _ => {
            errors.push(cell_error(
                "disposition",
                get("disposition"),
                "must be released, rejected or on_hold",
            ));
            None
        }
    };
    match report.as_mut() {
        Some(r) if errors.is_empty() => {
            r.size = size;
            r.planned = planned;
            r.actual = actual;
            r.disposition = disposition;
            r.shipment.committed_quantity = committed_quantity;
            r.shipment.committed_date = committed_date;
            r.shipment.delivered_quantity = delivered_quantity;
            r.shipment.delivered_date = delivered_date;
        }
        _ => {}
    }
    match report {
        Some(r) if errors.is_empty() => Ok(r),
        _ => Err(errors),
    }
}

/// The first 12 hex digits of the file's SHA-256, to name it in reasons.
fn fingerprint(bytes: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, bytes)
        .as_ref()
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A batch entered on a web form (a CMO partner's own batch): the same fields and
/// rules as a row of the tracker file, each problem named by its field.
pub struct BatchEntry {
    /// Template column → value; missing or blank means "not reported".
    pub fields: HashMap<String, String>,
}

impl App {
    /// Records one batch (or what is new about it) from a web form, under the same
    /// rules as a tracker file row; returns the batch id.
    pub async fn report_batch(
        &self,
        scope: &Scope,
        entry: &BatchEntry,
        request: &Request,
    ) -> Result<String, AppError> {
        let registry = self.registry().await?;
        let cells: HashMap<&str, &str> = entry
            .fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.trim()))
            .collect();
        let report = row_report(&cells, &registry, scope).map_err(|errors| {
            DomainError::Validation(
                errors
                    .into_iter()
                    .map(|(field, _, reason)| vplant_domain::FieldError { field, reason })
                    .collect(),
            )
        })?;
        let id = report.id();
        let command = BatchCommand::Report {
            report: Box::new(report),
            reason: Some("entered on the web form".to_owned()),
        };
        self.execute::<BatchState>(&id, command, request).await?;
        Ok(id)
    }

    async fn registry(&self) -> Result<Registry, AppError> {
        let sites = self
            .store
            .sites(false)
            .await?
            .into_iter()
            .map(|s| (s.code, s.kind))
            .collect();
        let products = self
            .store
            .products(false)
            .await?
            .into_iter()
            .map(|p| p.code)
            .collect();
        Ok(Registry { sites, products })
    }

    /// Imports a tracker file (`file_name` says its format: `.csv` or `.xlsx`) as
    /// `request`'s actor, for the sites `scope` may report for.
    pub async fn import_tracker(
        &self,
        scope: &Scope,
        file_name: &str,
        bytes: &[u8],
        request: &Request,
    ) -> Result<ImportSummary, ImportError> {
        let name = file_name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(file_name)
            .to_owned();
        let reject = |row: usize, column: &str, value: &str, reason: String| {
            ImportError::Rejected(vec![RowError {
                file: name.clone(),
                row,
                column: column.to_owned(),
                value: value.to_owned(),
                reason,
            }])
        };
        let format = Format::of(&name)
            .ok_or_else(|| reject(0, "", "", "must be a .csv or .xlsx file".to_owned()))?;
        let rows = grid::read(bytes, format).map_err(|reason| reject(0, "", "", reason))?;
        let Some((header, body)) = rows.split_first() else {
            return Err(reject(
                0,
                "",
                "",
                "is empty; the first row must name the columns".to_owned(),
            ));
        };
        let mut problems = Problems::default();
        let header: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
        for (i, h) in header.iter().enumerate() {
            if !COLUMNS.iter().any(|c| c.name == h) {
                problems.add(
                    &name,
                    1,
                    h,
                    h,
                    "is not a column of the template (see the tracker import documentation)",
                );
            } else if header[..i].contains(h) {
                problems.add(&name, 1, h, h, "appears twice in the header");
            }
        }
        for c in COLUMNS.iter().filter(|c| c.required) {
            if !header.iter().any(|h| h == c.name) {
                problems.add(&name, 1, c.name, "", "is a required column and is missing");
            }
        }
        if !problems.0.is_empty() {
            return Err(ImportError::Rejected(problems.0));
        }
        let registry = self.registry().await?;
        let mut reports = Vec::new();
        let mut first_row: HashMap<String, usize> = HashMap::new();
        for (i, cells) in body.iter().enumerate() {
            let line = i + 2;
            if cells.iter().all(String::is_empty) {
                continue;
            }
            let row: HashMap<&str, &str> = header
                .iter()
                .zip(cells.iter())
                .map(|(h, c)| (h.as_str(), c.as_str()))
                .collect();
            match row_report(&row, &registry, scope) {
                Ok(report) => match first_row.get(&report.id()) {
                    Some(first) => problems.add(
                        &name,
                        line,
                        "batch",
                        report.number.as_str(),
                        &format!(
                            "appears twice for site {} (first on row {first})",
                            report.site.as_str()
                        ),
                    ),
                    None => {
                        first_row.insert(report.id(), line);
                        reports.push((line, report));
                    }
                },
                Err(errors) => {
                    for (column, value, reason) in errors {
                        problems.add(&name, line, &column, &value, &reason);
                    }
                }
            }
        }
        if reports.is_empty() && problems.0.is_empty() {
            return Err(reject(0, "", "", "has no batch rows".to_owned()));
        }
        let reason = format!("import of {name} (sha256 {}…)", fingerprint(bytes));
        let mut unit = self.unit(request);
        let mut changed = 0;
        for (line, report) in &reports {
            let id = report.id();
            let command = BatchCommand::Report {
                report: Box::new(report.clone()),
                reason: Some(reason.clone()),
            };
            match unit.decide::<BatchState>(&id, command).await {
                Ok(n) => changed += usize::from(n > 0),
                Err(AppError::Domain(e)) => {
                    let column = if matches!(e, DomainError::InvalidState(_)) {
                        "product"
                    } else {
                        ""
                    };
                    problems.add(
                        &name,
                        *line,
                        column,
                        report.product.as_str(),
                        &e.to_string(),
                    );
                }
                Err(other) => return Err(other.into()),
            }
        }
        if !problems.0.is_empty() {
            return Err(ImportError::Rejected(problems.0));
        }
        let events = unit.events();
        unit.commit_all().await?;
        Ok(ImportSummary {
            records: reports.len(),
            changed_records: changed,
            events,
        })
    }
}
