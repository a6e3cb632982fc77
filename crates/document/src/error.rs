//! Why a document could not be rendered, each reason with a stable code.

use crate::model::{Block, Document};

#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// A table row does not have one cell per column. Rendering refuses it rather than
    /// drop or invent a cell, because a printed record must show exactly what was entered.
    #[error(
        "table {table} of section \"{section}\" has {columns} columns, but its row {row} has \
         {cells} cells; give every row one cell per column"
    )]
    TableShape {
        section: String,
        /// 1-based, counting the tables of the section.
        table: usize,
        /// 1-based.
        row: usize,
        columns: usize,
        cells: usize,
    },
    #[error("the HTML page could not be rendered: {0}")]
    Html(#[from] askama::Error),
    /// The font compiled into the binary cannot be read; the build itself is broken.
    #[error("the embedded font {0} cannot be read; rebuild vplant from an intact source tree")]
    Font(&'static str),
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
}

impl DocumentError {
    /// Stable, documented error code.
    pub fn code(&self) -> &'static str {
        match self {
            DocumentError::TableShape { .. } => "VP-DOCUMENT-TABLE",
            DocumentError::Html(_) => "VP-DOCUMENT-HTML",
            DocumentError::Font(_) => "VP-DOCUMENT-FONT",
            DocumentError::Pdf(_) => "VP-DOCUMENT-PDF",
        }
    }
}

/// Checks what both renderers rely on: every table row has one cell per column.
pub(crate) fn check(document: &Document) -> Result<(), DocumentError> {
    for section in &document.sections {
        let tables = section.blocks.iter().filter_map(|block| match block {
            Block::Table(table) => Some(table),
            _ => None,
        });
        for (t, table) in tables.enumerate() {
            for (r, row) in table.rows.iter().enumerate() {
                if row.cells.len() != table.columns.len() {
                    return Err(DocumentError::TableShape {
                        section: section.heading.clone(),
                        table: t + 1,
                        row: r + 1,
                        columns: table.columns.len(),
                        cells: row.cells.len(),
                    });
                }
            }
        }
    }
    Ok(())
}
