//! Printable documents: the executed batch record now, meeting packs later.
//!
//! A [`Document`] says what is printed: a title, labelled facts, and sections of
//! paragraphs, tables, label–value lists and notes, all made of styled [`Span`]s. The
//! styles carry what a GMP reader must see: the old value of a correction struck
//! through but legible ([`Style::Struck`]), a value changed after first entry marked
//! with "Δ" ([`Style::Changed`], EU GMP Annex 11 §8.2), with a legend wherever either
//! appears. Two renderers print it:
//!
//! - [`to_html`]: a self-contained page (inline CSS, no scripts) that prints on A4 with
//!   table headers repeated, rows kept whole and "Page n of m" in the margin; every
//!   piece of text is escaped by askama.
//! - [`to_pdf`]: a PDF/A-2u on A4, laid out here (line breaking, pagination, table
//!   headers repeated on every page, rows split only when taller than a page) and
//!   written by krilla with the fonts embedded as subsets.
//!
//! Both refuse a table row whose cells do not match the columns ([`DocumentError`]).
//! The crate does no IO and reads no clock: bytes in, bytes out.
//!
//! # Fonts
//!
//! DejaVu Sans, DejaVu Sans Bold and DejaVu Sans Mono 2.37 are compiled in (`fonts/`),
//! under the Bitstream Vera / Arev font licence in `fonts/LICENSE-DejaVu.txt`. They cover
//! every Latin script (č š ž), Greek and the symbols of a record (µ ° ± ≤ Δ). A
//! character they lack is drawn as "�" and kept as text in the PDF.
//!
//! # Example
//!
//! ```
//! use vplant_document::{Block, Column, Document, Row, Section, Span, Table, UtcDateTime};
//!
//! let record = Document {
//!     title: "Executed batch record".to_owned(),
//!     identifier: "CMO-SI/19".to_owned(),
//!     meta: vec![("Site".to_owned(), "Ljubljana — Črnuče".to_owned())],
//!     sections: vec![Section::new("Steps").with(Block::Table(Table {
//!         columns: vec![Column::new("Step", 1), Column::new("Entry", 3)],
//!         rows: vec![Row::new(vec![
//!             vec!["2".into()],
//!             vec![
//!                 Span::struck("48 °C"),
//!                 " ".into(),
//!                 Span::changed("38 °C"),
//!                 Span::muted(" transcription error, see entry 2.1"),
//!             ],
//!         ])],
//!     }))],
//!     footer: "Batch CMO-SI/19 · printed 2026-11-22 10:00 UTC by qa.anna".to_owned(),
//!     printed_at: UtcDateTime {
//!         year: 2026,
//!         month: 11,
//!         day: 22,
//!         hour: 10,
//!         minute: 0,
//!         second: 0,
//!     },
//! };
//!
//! let html = vplant_document::to_html(&record)?;
//! assert!(html.contains(">48 °C</del>"));
//! let pdf = vplant_document::to_pdf(&record)?;
//! assert!(pdf.starts_with(b"%PDF-"));
//! # Ok::<(), vplant_document::DocumentError>(())
//! ```

mod error;
mod html;
mod model;
mod pdf;

pub use error::DocumentError;
pub use html::to_html;
pub use model::{
    Block, CHANGED_MARK, Column, Document, LEGEND, Row, SHORT_LEGEND, Section, Span, Style, Table,
    Tone, UtcDateTime,
};
pub use pdf::to_pdf;
