//! An uploaded file as a grid of text cells: CSV (comma or semicolon, UTF-8 with or
//! without a byte-order mark) or XLSX (its first worksheet; date cells become
//! `YYYY-MM-DD`).

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

/// The formats a tracker file may come in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    /// The format a file name says, by its extension.
    pub fn of(file_name: &str) -> Option<Format> {
        let lower = file_name.to_lowercase();
        if lower.ends_with(".csv") {
            Some(Format::Csv)
        } else if lower.ends_with(".xlsx") {
            Some(Format::Xlsx)
        } else {
            None
        }
    }
}

/// Rows of trimmed cells, the header first. `Err` says why the file cannot be read.
pub fn read(bytes: &[u8], format: Format) -> Result<Vec<Vec<String>>, String> {
    match format {
        Format::Csv => csv_rows(bytes),
        Format::Xlsx => xlsx_rows(bytes),
    }
}

fn csv_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        format!(
            "is not UTF-8 text (save it as CSV UTF-8): invalid byte at {}",
            e.valid_up_to()
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let header = text.lines().next().unwrap_or_default();
    let delimiter = if header.matches(';').count() > header.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| {
            r.map(|record| record.iter().map(|c| c.trim().to_owned()).collect())
                .map_err(|e| format!("cannot be read as CSV: {e}"))
        })
        .collect()
}

fn xlsx_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, String> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes))
        .map_err(|e| format!("cannot be read as an XLSX workbook: {e}"))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or("has no worksheet")?
        .map_err(|e| format!("its first worksheet cannot be read: {e}"))?;
    Ok(range
        .rows()
        .map(|row| row.iter().map(cell_text).collect())
        .collect())
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_owned(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) if d.is_datetime() => excel_date(d.as_f64()),
        Data::DateTime(d) => d.as_f64().to_string(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// An Excel serial date (days since 1899-12-30 in the 1900 date system) as
/// `YYYY-MM-DD`; the time of day, if any, is dropped.
fn excel_date(serial: f64) -> String {
    let epoch = time::macros::date!(1899 - 12 - 30);
    // Serial dates of real batches are far inside i64; `as` truncates toward zero,
    // which is the whole day a cell's date-time falls on.
    #[allow(clippy::cast_possible_truncation)]
    let days = serial.floor() as i64;
    epoch
        .checked_add(time::Duration::days(days))
        .map_or_else(|| serial.to_string(), |d| d.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_serial_dates_become_calendar_dates() {
        assert_eq!(excel_date(46_100.0), "2026-03-19");
        assert_eq!(excel_date(46_100.75), "2026-03-19");
    }

    #[test]
    fn csv_takes_commas_or_semicolons_and_a_byte_order_mark() {
        let rows = read("\u{feff}site;batch\nCMO-A; B-1 \n".as_bytes(), Format::Csv).unwrap();
        assert_eq!(rows, vec![vec!["site", "batch"], vec!["CMO-A", "B-1"]]);
        let rows = read(b"site,batch\nCMO-A,B-1\n", Format::Csv).unwrap();
        assert_eq!(rows[1], vec!["CMO-A", "B-1"]);
    }
}
