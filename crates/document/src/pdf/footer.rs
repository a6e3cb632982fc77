//! The foot of every page: the document's footer text, the legend of the marks when
//! the document has any, and "Page n of m".

use super::fonts::{Face, Fonts};
use super::layout::{CONTENT_WIDTH, LEFT, line_height};
use super::page::{Color, Item, PAGE_HEIGHT, Page};
use super::wrap::{Look, Run, wrap};
use crate::model::{Document, SHORT_LEGEND};

const SIZE: f32 = 7.5;
/// The rule above the footer, this far above the bottom edge of the sheet.
const RULE_ABOVE_EDGE: f32 = 50.0;

/// Draws the footer on every page, now that the number of pages is known.
pub(crate) fn add(pages: &mut [Page], document: &Document, fonts: &Fonts) {
    let total = pages.len();
    let rule = PAGE_HEIGHT - RULE_ABOVE_EDGE;
    let line = line_height(SIZE);
    let baseline = rule + 3.0 + fonts.face(Face::Regular).ascent * SIZE;
    let muted = Look::plain(Face::Regular, Color::MUTED);
    let mut text = vec![Run::new(document.footer.as_str(), muted)];
    if document.has_corrections() {
        let separator = if document.footer.is_empty() { "" } else { "\n" };
        text.push(Run::new(format!("{separator}{SHORT_LEGEND}"), muted));
    }
    let widest_number = number(total, total);
    let number_width = fonts.width(Face::Regular, SIZE, &widest_number);
    let lines = wrap(&text, fonts, SIZE, CONTENT_WIDTH - number_width - 12.0);
    for (index, page) in pages.iter_mut().enumerate() {
        page.items.push(Item::Line {
            from: (LEFT, rule),
            to: (LEFT + CONTENT_WIDTH, rule),
            width: 0.4,
            color: Color::RULE,
        });
        for (n, text) in lines.iter().enumerate() {
            for piece in &text.pieces {
                page.items.push(Item::Text {
                    x: LEFT + piece.x,
                    baseline: baseline + n as f32 * line,
                    face: piece.look.face,
                    size: SIZE,
                    color: piece.look.color,
                    text: piece.text.clone(),
                });
            }
        }
        let label = number(index + 1, total);
        page.items.push(Item::Text {
            x: LEFT + CONTENT_WIDTH - fonts.width(Face::Regular, SIZE, &label),
            baseline,
            face: Face::Regular,
            size: SIZE,
            color: Color::TEXT,
            text: label,
        });
    }
}

fn number(page: usize, total: usize) -> String {
    format!("Page {page} of {total}")
}
