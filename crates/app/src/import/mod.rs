//! Imports: files turned into commands and committed as one unit, so that a file is
//! taken whole or not at all. A refused file comes back with every problem found,
//! each naming its file, row, column, value and reason.

pub mod grid;
pub mod tablet_batches;
pub mod tracker;

use serde::Serialize;
use utoipa::ToSchema;

use crate::AppError;

/// One problem in an imported file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct RowError {
    pub file: String,
    /// 1-based line in the file (the header is line 1); 0 for the file as a whole.
    pub row: usize,
    pub column: String,
    pub value: String,
    pub reason: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.row == 0 {
            write!(f, "{}: {}", self.file, self.reason)
        } else {
            write!(
                f,
                "{} row {}, column {}: '{}' {}",
                self.file, self.row, self.column, self.value, self.reason
            )
        }
    }
}

/// Why an import stored nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The files have problems; nothing was stored. Every problem found is listed.
    #[error("the import was refused and nothing was stored: {} problem(s), the first: {}", .0.len(), .0.first().map(ToString::to_string).unwrap_or_default())]
    Rejected(Vec<RowError>),
    #[error(transparent)]
    App(#[from] AppError),
}

/// What an import stored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ImportSummary {
    /// Records the files describe.
    pub records: usize,
    /// Records that were new or changed.
    pub changed_records: usize,
    /// Events appended to the ledger (0: the files were imported before).
    pub events: usize,
}

/// Collects row errors while a file is read.
#[derive(Default)]
pub(crate) struct Problems(pub(crate) Vec<RowError>);

impl Problems {
    pub(crate) fn add(&mut self, file: &str, row: usize, column: &str, value: &str, reason: &str) {
        self.0.push(RowError {
            file: file.to_owned(),
            row,
            column: column.to_owned(),
            value: value.to_owned(),
            reason: reason.to_owned(),
        });
    }
}

impl From<vplant_domain::DomainError> for ImportError {
    fn from(e: vplant_domain::DomainError) -> ImportError {
        ImportError::App(AppError::Domain(e))
    }
}
