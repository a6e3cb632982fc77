//! The HTML print view: one self-contained page (inline CSS, no scripts, no external
//! resources) that a browser prints on A4 with the table headers repeated.
//!
//! The page is an askama template, so every piece of text is HTML-escaped by the same
//! engine the server's pages use.

use askama::Template;

use crate::error::{self, DocumentError};
use crate::model::{Block, CHANGED_MARK, Document, LEGEND, SHORT_LEGEND, Style, Tone};

#[derive(Template)]
#[template(path = "document.html")]
struct Page<'a> {
    doc: &'a Document,
    legend: Option<&'static str>,
    mark: &'static str,
    /// The footer printed in every page's bottom margin, as a CSS string.
    running_footer: String,
}

/// Renders the document as a self-contained, print-friendly HTML page.
pub fn to_html(document: &Document) -> Result<String, DocumentError> {
    error::check(document)?;
    let page = Page {
        doc: document,
        legend: document.has_corrections().then_some(LEGEND),
        mark: CHANGED_MARK,
        running_footer: css_string(&running_footer(document)),
    };
    Ok(page.render()?)
}

/// The footer text with, on a document that has corrections, the short legend below it.
fn running_footer(document: &Document) -> String {
    match (document.footer.is_empty(), document.has_corrections()) {
        (_, false) => document.footer.clone(),
        (true, true) => SHORT_LEGEND.to_owned(),
        (false, true) => format!("{}\n{SHORT_LEGEND}", document.footer),
    }
}

/// `text` as a quoted CSS string for a `content` property inside `<style>`. Only ASCII
/// letters, digits and spaces are written as they are; every other character becomes a
/// six-digit hex escape (ended by a space, which CSS drops). So nothing in the text can
/// end the string, the rule or the style element, and askama's HTML escaping is not
/// needed (and must not be applied: `<style>` does not decode entities).
fn css_string(text: &str) -> String {
    let mut css = String::with_capacity(text.len() + 2);
    css.push('"');
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == ' ' {
            css.push(c);
        } else {
            // The space ends the escape and is not part of the string; without it, a
            // space that follows in the text would be taken as the escape's end.
            css.push_str(&format!("\\{:06x} ", u32::from(c)));
        }
    }
    css.push('"');
    css
}

#[cfg(test)]
mod tests {
    use super::css_string;

    #[test]
    fn a_css_string_holds_only_letters_digits_spaces_and_hex_escapes() {
        assert_eq!(
            css_string("Batch 19 </style>\"\\\n·"),
            "\"Batch 19 \\00003c \\00002f style\\00003e \\000022 \\00005c \\00000a \\0000b7 \""
        );
    }
}
