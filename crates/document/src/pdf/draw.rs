//! Writing laid-out pages as a PDF with krilla, which embeds each font as a subset of
//! the glyphs used and maps every glyph back to its text.

use krilla::SerializeSettings;
use krilla::color::rgb;
use krilla::configure::{Archival, ConfigurationBuilder};
use krilla::geom::{Path, PathBuilder, Point, Rect};
use krilla::metadata::{DateTime, Metadata};
use krilla::page::PageSettings;
use krilla::paint::{Fill, LineJoin, Stroke};
use krilla::surface::Surface;

use super::fonts::Fonts;
use super::page::{Color, Item, PAGE_HEIGHT, PAGE_WIDTH, Page};
use crate::error::DocumentError;
use crate::model::UtcDateTime;

/// Writes the pages as PDF/A-2u: a PDF for long-term archiving whose text is all
/// mapped to Unicode, so that it can be searched and copied.
pub(crate) fn pdf(
    pages: &[Page],
    fonts: &Fonts,
    title: String,
    printed_at: UtcDateTime,
) -> Result<Vec<u8>, DocumentError> {
    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A2_U)
        .finish()
        .map_err(|error| DocumentError::Pdf(format!("{error:?}")))?;
    let mut pdf = krilla::Document::new_with(SerializeSettings {
        configuration,
        ..SerializeSettings::default()
    });
    pdf.set_metadata(
        Metadata::new()
            .title(title)
            .language("en".to_owned())
            .creator("Virtual Plant".to_owned())
            .creation_date(date(printed_at)),
    );
    for page in pages {
        let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
            .ok_or_else(|| DocumentError::Pdf("the A4 page size was refused".to_owned()))?;
        let mut sheet = pdf.start_page_with(settings);
        let mut surface = sheet.surface();
        for item in &page.items {
            draw(&mut surface, fonts, item);
        }
        surface.finish();
        sheet.finish();
    }
    pdf.finish()
        .map_err(|error| DocumentError::Pdf(format!("{error:?}")))
}

fn draw(surface: &mut Surface<'_>, fonts: &Fonts, item: &Item) {
    match item {
        Item::Text {
            x,
            baseline,
            face,
            size,
            color,
            text,
        } => {
            let face = fonts.face(*face);
            surface.set_stroke(None);
            surface.set_fill(Some(fill(*color)));
            surface.draw_glyphs(
                Point::from_xy(*x, *baseline),
                &face.glyphs(text),
                face.pdf.clone(),
                text,
                *size,
                false,
            );
        }
        Item::Line {
            from,
            to,
            width,
            color,
        } => {
            let mut path = PathBuilder::new();
            path.move_to(from.0, from.1);
            path.line_to(to.0, to.1);
            if let Some(path) = path.finish() {
                stroke(surface, &path, *width, *color);
            }
        }
        Item::Outline {
            points,
            width,
            color,
        } => {
            let mut path = PathBuilder::new();
            for (n, &(x, y)) in points.iter().enumerate() {
                if n == 0 {
                    path.move_to(x, y);
                } else {
                    path.line_to(x, y);
                }
            }
            path.close();
            if let Some(path) = path.finish() {
                stroke(surface, &path, *width, *color);
            }
        }
        Item::Rect {
            x,
            y,
            width,
            height,
            color,
        } => {
            let mut path = PathBuilder::new();
            if let Some(rect) = Rect::from_xywh(*x, *y, *width, *height) {
                path.push_rect(rect);
            }
            if let Some(path) = path.finish() {
                surface.set_stroke(None);
                surface.set_fill(Some(fill(*color)));
                surface.draw_path(&path);
            }
        }
    }
}

fn stroke(surface: &mut Surface<'_>, path: &Path, width: f32, color: Color) {
    surface.set_fill(None);
    surface.set_stroke(Some(Stroke {
        paint: paint(color),
        width,
        line_join: LineJoin::Miter,
        ..Stroke::default()
    }));
    surface.draw_path(path);
}

fn date(at: UtcDateTime) -> DateTime {
    DateTime::new(at.year)
        .month(at.month)
        .day(at.day)
        .hour(at.hour)
        .minute(at.minute)
        .second(at.second)
        .utc_offset_hour(0)
}

fn paint(color: Color) -> krilla::paint::Paint {
    rgb::Color::new(color.0, color.1, color.2).into()
}

fn fill(color: Color) -> Fill {
    Fill {
        paint: paint(color),
        ..Fill::default()
    }
}
