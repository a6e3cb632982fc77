//! The tracker as a file: the empty template CMOs fill in, and an export of the rows a
//! viewer may see in the same columns, so that an export can be edited and imported
//! again. CSV (UTF-8, comma) and XLSX (with a second sheet that explains each column).

use rust_xlsxwriter::{Format as XlsxFormat, Workbook, XlsxError};
use vplant_domain::batch::milestone::{Milestone, Plan};
use vplant_domain::batch::projection::milestone_column;
use vplant_domain::identity::Scope;
use vplant_store::queries::batches::{Batch, BatchFilter};

use crate::import::grid::Format;
use crate::import::tracker::COLUMNS;
use crate::{App, AppError};

/// The most rows one export holds.
pub const EXPORT_MAX_ROWS: u64 = 1_000_000;

/// One batch as the template's cells, in [`COLUMNS`] order.
fn cells(b: &Batch) -> Vec<String> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let unit = b
        .size_unit
        .clone()
        .or_else(|| b.committed_unit.clone())
        .or_else(|| b.delivered_unit.clone())
        .unwrap_or_default();
    let mut row = vec![
        b.site.clone(),
        b.number.clone(),
        b.product.clone(),
        text(&b.size),
        unit,
    ];
    for m in Milestone::ALL {
        for (plan, dates) in [(Plan::Planned, &b.planned), (Plan::Actual, &b.actual)] {
            debug_assert!(COLUMNS.iter().any(|c| c.name == milestone_column(plan, m)));
            row.push(dates.get(m.as_str()).cloned().unwrap_or_default());
        }
    }
    row.extend([
        text(&b.disposition),
        text(&b.committed_quantity),
        text(&b.committed_date),
        text(&b.delivered_quantity),
        text(&b.delivered_date),
    ]);
    row
}

fn header() -> Vec<&'static str> {
    COLUMNS.iter().map(|c| c.name).collect()
}

fn csv_bytes(rows: &[Vec<String>]) -> Result<Vec<u8>, AppError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(header())
        .map_err(|e| AppError::Internal(e.to_string()))?;
    for row in rows {
        // A cell that a spreadsheet would run as a formula is written inert.
        let safe: Vec<String> = row
            .iter()
            .map(|c| match c.chars().next() {
                Some('=' | '+' | '-' | '@') if c.parse::<f64>().is_err() => format!("'{c}"),
                _ => c.clone(),
            })
            .collect();
        writer
            .write_record(&safe)
            .map_err(|e| AppError::Internal(e.to_string()))?;
    }
    writer
        .into_inner()
        .map_err(|e| AppError::Internal(e.to_string()))
}

fn xlsx_bytes(rows: &[Vec<String>]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = XlsxFormat::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name("Batches")?;
    for (col, name) in (0u16..).zip(header()) {
        sheet.write_string_with_format(0, col, name, &bold)?;
        sheet.set_column_width(col, 16)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    for (r, row) in (1u32..).zip(rows) {
        for (col, value) in (0u16..).zip(row) {
            match value.parse::<f64>() {
                Ok(n) if !value.is_empty() && COLUMNS[usize::from(col)].name != "batch" => {
                    sheet.write_number(r, col, n)?;
                }
                _ => {
                    sheet.write_string(r, col, value)?;
                }
            }
        }
    }
    let help = book.add_worksheet();
    help.set_name("Columns")?;
    for (col, title) in (0u16..).zip(["column", "required", "meaning", "example"]) {
        help.write_string_with_format(0, col, title, &bold)?;
    }
    help.set_column_width(0, 32)?;
    help.set_column_width(2, 90)?;
    help.set_column_width(3, 16)?;
    for (r, c) in (1u32..).zip(COLUMNS.iter()) {
        help.write_string(r, 0, c.name)?;
        help.write_string(r, 1, if c.required { "yes" } else { "no" })?;
        help.write_string(r, 2, c.meaning)?;
        help.write_string(r, 3, c.example)?;
    }
    book.save_to_buffer()
}

fn file(rows: &[Vec<String>], format: Format) -> Result<Vec<u8>, AppError> {
    match format {
        Format::Csv => csv_bytes(rows),
        Format::Xlsx => xlsx_bytes(rows).map_err(|e| AppError::Internal(e.to_string())),
    }
}

/// The empty template (header only; the XLSX one explains each column).
pub fn template(format: Format) -> Result<Vec<u8>, AppError> {
    file(&[], format)
}

impl App {
    /// The tracker rows `scope` may see under `filter`, as a file in the template's
    /// columns.
    pub async fn export_batches(
        &self,
        scope: &Scope,
        mut filter: BatchFilter,
        format: Format,
    ) -> Result<Vec<u8>, AppError> {
        filter.limit = EXPORT_MAX_ROWS;
        filter.offset = 0;
        let (batches, _) = self.batches(scope, filter).await?;
        let rows: Vec<Vec<String>> = batches.iter().map(cells).collect();
        file(&rows, format)
    }
}
