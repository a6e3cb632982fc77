//! The PDF: A4 pages laid out here (`layout`, `wrap`, `footer`) and written by krilla
//! (`draw`) with the embedded DejaVu fonts (`fonts`), subset to the glyphs used.

mod draw;
mod fonts;
mod footer;
mod layout;
mod page;
mod wrap;

use crate::error::{self, DocumentError};
use crate::model::Document;

/// Renders the document as a PDF/A-2u on A4 pages, numbered "Page n of m".
pub fn to_pdf(document: &Document) -> Result<Vec<u8>, DocumentError> {
    error::check(document)?;
    let fonts = fonts::Fonts::load()?;
    let mut pages = layout::pages(document, &fonts);
    footer::add(&mut pages, document, &fonts);
    let title = if document.identifier.is_empty() {
        document.title.clone()
    } else {
        format!("{} · {}", document.title, document.identifier)
    };
    draw::pdf(&pages, &fonts, title, document.printed_at)
}
