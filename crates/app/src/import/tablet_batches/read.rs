//! Reading the data set's files: each file's rows checked, cross-checked against
//! Laboratory.csv, and gathered per batch, with every problem named by file, row,
//! column, value and reason. Nothing here touches the store.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use vplant_domain::batch::events::Series;
use vplant_domain::dates::PartialDate;
use vplant_domain::lot::LotRef;

use super::{LABORATORY, PROCESS};
use crate::import::{Problems, RowError};

/// Laboratory.csv columns that identify the batch and its inputs rather than measure.
const IDENTITY_COLUMNS: &[&str] = &[
    "batch",
    "code",
    "strength",
    "size",
    "start",
    "api_code",
    "api_batch",
    "smcc_batch",
    "lactose_batch",
    "starch_batch",
];

/// (material code, name, column of its lot number)
pub(super) const EXCIPIENTS: &[(&str, &str, &str)] = &[
    (
        "SMCC",
        "Silicified microcrystalline cellulose",
        "smcc_batch",
    ),
    ("LACTOSE", "Lactose", "lactose_batch"),
    ("STARCH", "Starch", "starch_batch"),
];

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "maj", "jun", "jul", "avg", "sep", "okt", "nov", "dec",
];

/// A file read into its header and its lines (1-based line numbers, header = 1).
struct Table {
    file: String,
    header: Vec<String>,
    rows: Vec<(usize, Vec<String>)>,
}

impl Table {
    fn read(folder: &Path, name: &str, problems: &mut Problems) -> Option<Table> {
        let path = folder.join(name);
        let mut reader = match csv::ReaderBuilder::new()
            .delimiter(b';')
            .flexible(true)
            .from_path(&path)
        {
            Ok(r) => r,
            Err(e) => {
                problems.add(name, 0, "", "", &format!("cannot be read: {e}"));
                return None;
            }
        };
        let header = match reader.headers() {
            Ok(h) => h.iter().map(|c| c.trim().to_owned()).collect::<Vec<_>>(),
            Err(e) => {
                problems.add(name, 0, "", "", &format!("has no readable header: {e}"));
                return None;
            }
        };
        let mut rows = Vec::new();
        for (i, record) in reader.records().enumerate() {
            match record {
                Ok(r) => {
                    let cells: Vec<String> = r.iter().map(|c| c.trim().to_owned()).collect();
                    if cells.len() != header.len() {
                        problems.add(
                            name,
                            i + 2,
                            "",
                            "",
                            &format!(
                                "has {} values; the header has {}",
                                cells.len(),
                                header.len()
                            ),
                        );
                        continue;
                    }
                    rows.push((i + 2, cells));
                }
                Err(e) => problems.add(name, i + 2, "", "", &format!("cannot be read: {e}")),
            }
        }
        Some(Table {
            file: name.to_owned(),
            header,
            rows,
        })
    }

    /// Column index of each required column; a missing one is a problem of the file.
    fn columns(
        &self,
        required: &[&str],
        problems: &mut Problems,
    ) -> Option<HashMap<String, usize>> {
        let index: HashMap<String, usize> = self
            .header
            .iter()
            .enumerate()
            .map(|(i, c)| (c.clone(), i))
            .collect();
        let missing: Vec<&&str> = required
            .iter()
            .filter(|c| !index.contains_key(**c))
            .collect();
        for column in &missing {
            problems.add(
                &self.file,
                1,
                column,
                "",
                "is a required column and is missing",
            );
        }
        missing.is_empty().then_some(index)
    }
}

/// `nov.18` → 2018-11.
fn start_month(text: &str) -> Option<PartialDate> {
    let (month, year) = text.split_once('.')?;
    let month = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(month))?;
    let year: i32 = year.parse().ok()?;
    if year > 99 {
        return None;
    }
    PartialDate::new(2000 + year, u8::try_from(month + 1).ok()?, None)
}

/// `5MG`, `10M` → `5 mg`, `10 mg`.
fn strength(text: &str) -> Option<String> {
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    let rest = &text[digits.len()..];
    (!digits.is_empty() && matches!(rest.to_uppercase().as_str(), "M" | "MG"))
        .then(|| format!("{digits} mg"))
}

fn is_number(text: &str) -> bool {
    text.parse::<f64>().is_ok_and(f64::is_finite)
}

/// Empty cells (runs of spaces) and `#N/A` mean "not reported".
fn reported(text: &str) -> Option<&str> {
    (!text.is_empty() && text != "#N/A").then_some(text)
}

/// One batch as the files describe it.
pub(super) struct BatchRow {
    pub(super) line: usize,
    pub(super) number: String,
    pub(super) code: String,
    pub(super) strength: String,
    pub(super) size: String,
    pub(super) start: PartialDate,
    pub(super) api: LotRef,
    pub(super) excipients: Vec<LotRef>,
    pub(super) results: BTreeMap<String, Vec<(String, String)>>,
    /// Tablet-press readings by source file.
    pub(super) series: BTreeMap<String, Series>,
}

/// Everything read from the folder, checked.
pub(super) struct Dataset {
    pub(super) batches: Vec<BatchRow>,
}

pub(super) fn product_code(code: &str) -> String {
    format!("CLT-{code}")
}

pub(super) fn read_dataset(folder: &Path) -> Result<Dataset, Vec<RowError>> {
    let mut problems = Problems::default();
    let sizes = read_sizes(folder, &mut problems);
    let (mut batches, numbers) = read_laboratory(folder, &sizes, &mut problems);
    // The other files are checked against Laboratory.csv only when it could be read;
    // a row refused there is not reported again for every file that names its batch.
    if let Some(numbers) = numbers {
        let mut rows = Rows {
            batches: &mut batches,
            numbers: &numbers,
        };
        read_process(folder, &mut rows, &mut problems);
        read_series(folder, &mut rows, &mut problems);
    }
    if problems.0.is_empty() {
        let mut batches: Vec<BatchRow> = batches.into_values().collect();
        batches.sort_by_key(|b| b.line);
        Ok(Dataset { batches })
    } else {
        Err(problems.0)
    }
}

fn read_sizes(folder: &Path, problems: &mut Problems) -> HashMap<String, String> {
    let mut sizes = HashMap::new();
    let Some(table) = Table::read(folder, "Normalization.csv", problems) else {
        return sizes;
    };
    let required = ["Product code", "Batch Size (tablets)"];
    let Some(col) = table.columns(&required, problems) else {
        return sizes;
    };
    for (line, cells) in &table.rows {
        let code = &cells[col["Product code"]];
        let size = &cells[col["Batch Size (tablets)"]];
        if code.parse::<u32>().is_err() {
            problems.add(
                &table.file,
                *line,
                "Product code",
                code,
                "is not a product code number",
            );
        } else if !is_number(size) {
            problems.add(
                &table.file,
                *line,
                "Batch Size (tablets)",
                size,
                "is not a number",
            );
        } else if sizes.insert(code.clone(), size.clone()).is_some() {
            problems.add(&table.file, *line, "Product code", code, "appears twice");
        }
    }
    sizes
}

/// The batches read so far, and every batch number Laboratory.csv names (also those
/// of refused rows).
struct Rows<'a> {
    batches: &'a mut BTreeMap<String, BatchRow>,
    numbers: &'a BTreeSet<String>,
}

impl Rows<'_> {
    /// The batch a row of another file names; a problem when Laboratory.csv does not
    /// name it, nothing more when its Laboratory.csv row was refused.
    fn get(
        &mut self,
        file: &str,
        line: usize,
        number: &str,
        problems: &mut Problems,
    ) -> Option<&mut BatchRow> {
        if !self.numbers.contains(number) {
            problems.add(
                file,
                line,
                "batch",
                number,
                "is not a batch of Laboratory.csv",
            );
        }
        self.batches.get_mut(number)
    }
}

type Laboratory = (BTreeMap<String, BatchRow>, Option<BTreeSet<String>>);

fn read_laboratory(
    folder: &Path,
    sizes: &HashMap<String, String>,
    problems: &mut Problems,
) -> Laboratory {
    let mut batches = BTreeMap::new();
    let Some(table) = Table::read(folder, LABORATORY, problems) else {
        return (batches, None);
    };
    let Some(col) = table.columns(IDENTITY_COLUMNS, problems) else {
        return (batches, None);
    };
    let numbers = table
        .rows
        .iter()
        .map(|(_, cells)| cells[col["batch"]].clone())
        .collect();
    for (line, cells) in &table.rows {
        let line = *line;
        let cell = |name: &str| cells[col[name]].as_str();
        let mut bad = |column: &str, reason: &str| {
            problems.add(&table.file, line, column, cell(column), reason);
        };
        let number = cell("batch");
        if vplant_domain::fields::Number::parse("batch", number).is_err() {
            bad("batch", "is not a batch number");
            continue;
        }
        if batches.contains_key(number) {
            bad("batch", "appears twice");
            continue;
        }
        let code = cell("code");
        if !sizes.contains_key(code) {
            bad("code", "is not a product code listed in Normalization.csv");
        }
        let strength = strength(cell("strength"));
        if strength.is_none() {
            bad("strength", "is not a strength such as 5MG or 10M");
        }
        let start = start_month(cell("start"));
        if start.is_none() {
            bad("start", "is not a month such as nov.18 or maj.19");
        }
        if !is_number(cell("size")) {
            bad("size", "is not a number");
        }
        let api = LotRef::parse(&format!("API-{}", cell("api_code")), cell("api_batch"));
        if api.is_err() {
            bad("api_batch", "with its api_code does not name a lot");
        }
        let mut excipients = Vec::new();
        for (material, _, column) in EXCIPIENTS {
            match LotRef::parse(material, cell(column)) {
                Ok(lot) => excipients.push(lot),
                Err(_) => bad(column, "is not a lot number"),
            }
        }
        let mut results = Vec::new();
        for (i, name) in table.header.iter().enumerate() {
            if IDENTITY_COLUMNS.contains(&name.as_str()) {
                continue;
            }
            if let Some(value) = reported(&cells[i]) {
                if is_number(value) {
                    results.push((name.clone(), value.to_owned()));
                } else {
                    problems.add(&table.file, line, name, value, "is not a number");
                }
            }
        }
        if let (Some(strength), Some(start), Ok(api)) = (strength, start, api)
            && excipients.len() == EXCIPIENTS.len()
        {
            batches.insert(
                number.to_owned(),
                BatchRow {
                    line,
                    number: number.to_owned(),
                    code: code.to_owned(),
                    strength,
                    size: cell("size").to_owned(),
                    start,
                    api,
                    excipients,
                    results: BTreeMap::from([(LABORATORY.to_owned(), results)]),
                    series: BTreeMap::new(),
                },
            );
        }
    }
    (batches, Some(numbers))
}

fn read_process(folder: &Path, batches: &mut Rows<'_>, problems: &mut Problems) {
    let Some(table) = Table::read(folder, PROCESS, problems) else {
        return;
    };
    let Some(col) = table.columns(&["batch", "code"], problems) else {
        return;
    };
    let mut seen = BTreeSet::new();
    for (line, cells) in &table.rows {
        let number = &cells[col["batch"]];
        let Some(batch) = batches.get(&table.file, *line, number, problems) else {
            continue;
        };
        if !seen.insert(number.clone()) {
            problems.add(&table.file, *line, "batch", number, "appears twice");
            continue;
        }
        let code = &cells[col["code"]];
        if *code != batch.code {
            problems.add(
                &table.file,
                *line,
                "code",
                code,
                &format!(
                    "differs from the product code {} in Laboratory.csv",
                    batch.code
                ),
            );
        }
        let mut results = Vec::new();
        for (i, name) in table.header.iter().enumerate() {
            if name == "batch" || name == "code" {
                continue;
            }
            let Some(value) = reported(&cells[i]) else {
                continue;
            };
            let ok = if name == "weekend" {
                matches!(value, "yes" | "no")
            } else {
                is_number(value)
            };
            if ok {
                results.push((name.clone(), value.to_owned()));
            } else {
                problems.add(&table.file, *line, name, value, "is not a number");
            }
        }
        batch.results.insert(PROCESS.to_owned(), results);
    }
}

/// The tablet-press series: per batch, every reading (time and values as written),
/// and its first and last sample and how many there are as results of the batch.
fn read_series(folder: &Path, batches: &mut Rows<'_>, problems: &mut Problems) {
    let dir = folder.join("process");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        problems.add(
            "process/",
            0,
            "",
            "",
            "is missing: the folder of tablet-press time series",
        );
        return;
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    files.sort();
    for path in files {
        let name = format!(
            "process/{}",
            path.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default()
        );
        let source = format!("tablet press ({name})");
        let Some(table) = Table::read(folder, &name, problems) else {
            continue;
        };
        let Some(col) = table.columns(&["timestamp", "batch", "code"], problems) else {
            continue;
        };
        let mut spans: BTreeMap<String, (String, String, u64)> = BTreeMap::new();
        // The readings' columns: everything but the time and what identifies the batch.
        let value_columns: Vec<usize> = (0..table.header.len())
            .filter(|i| {
                !matches!(
                    table.header[*i].as_str(),
                    "timestamp" | "campaign" | "batch" | "code"
                )
            })
            .collect();
        let mut readings: BTreeMap<String, Vec<(String, Vec<String>)>> = BTreeMap::new();
        for (line, cells) in &table.rows {
            let number = &cells[col["batch"]];
            let at = &cells[col["timestamp"]];
            if batches.get(&name, *line, number, problems).is_none() {
                continue;
            }
            if time::PrimitiveDateTime::parse(
                at,
                time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"),
            )
            .is_err()
            {
                problems.add(
                    &name,
                    *line,
                    "timestamp",
                    at,
                    "is not a time such as 2018-11-18 22:28:52",
                );
                continue;
            }
            let span = spans
                .entry(number.clone())
                .or_insert_with(|| (at.clone(), at.clone(), 0));
            if *at < span.0 {
                span.0 = at.clone();
            }
            if *at > span.1 {
                span.1 = at.clone();
            }
            span.2 += 1;
            let mut values = Vec::with_capacity(value_columns.len());
            for i in &value_columns {
                let cell = &cells[*i];
                if !cell.is_empty() && !is_number(cell) {
                    problems.add(&name, *line, &table.header[*i], cell, "is not a number");
                }
                values.push(cell.clone());
            }
            readings
                .entry(number.clone())
                .or_default()
                .push((at.clone(), values));
        }
        let columns: Vec<String> = value_columns
            .iter()
            .map(|i| table.header[*i].clone())
            .collect();
        for (number, mut rows) in readings {
            if let Some(batch) = batches.batches.get_mut(&number) {
                rows.sort_by(|a, b| a.0.cmp(&b.0));
                batch.series.insert(
                    source.clone(),
                    Series {
                        columns: columns.clone(),
                        rows,
                    },
                );
            }
        }
        for (number, (first, last, samples)) in spans {
            if let Some(batch) = batches.batches.get_mut(&number) {
                batch.results.insert(
                    source.clone(),
                    vec![
                        ("press_first_sample (plant time)".to_owned(), first),
                        ("press_last_sample (plant time)".to_owned(), last),
                        ("press_samples (every 10 s)".to_owned(), samples.to_string()),
                    ],
                );
            }
        }
    }
}
