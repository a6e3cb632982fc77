//! The fonts compiled into the binary and the metrics that layout measures text with.
//!
//! DejaVu Sans, DejaVu Sans Bold and DejaVu Sans Mono (`fonts/`, licence in
//! `fonts/LICENSE-DejaVu.txt`) cover every Latin script, Greek and the symbols a batch
//! record uses (µ ° ± ≤ Δ). The PDF embeds only the glyphs a document uses.
//!
//! Layout and drawing use the same glyph and advance for each character, taken from the
//! font's `cmap` and `hmtx` tables, so what layout measured is exactly what is drawn.
//! There is no shaping: no kerning and no ligatures, which a record does not need.

use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::charmap::Charmap;
use skrifa::metrics::GlyphMetrics;
use skrifa::prelude::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

use crate::error::DocumentError;

const REGULAR: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../../fonts/DejaVuSans-Bold.ttf");
const MONO: &[u8] = include_bytes!("../../fonts/DejaVuSansMono.ttf");

/// Which of the embedded faces a piece of text is set in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Face {
    Regular,
    Bold,
    Mono,
}

/// The three faces, read once per rendered document.
pub(crate) struct Fonts {
    regular: FaceData,
    bold: FaceData,
    mono: FaceData,
}

/// One face: its metrics for layout and its handle for the PDF writer.
pub(crate) struct FaceData {
    charmap: Charmap<'static>,
    /// Drawn for a character the face lacks: the replacement character "�".
    missing: skrifa::GlyphId,
    advances: GlyphMetrics<'static>,
    units_per_em: f32,
    /// Distance from the top of the line's glyphs to the baseline, in ems.
    pub(crate) ascent: f32,
    /// Depth below the baseline, in ems (positive).
    pub(crate) descent: f32,
    /// Height of the strikeout line's centre above the baseline, in ems.
    pub(crate) strikeout: f32,
    /// Thickness of the strikeout line, in ems.
    pub(crate) strikeout_thickness: f32,
    pub(crate) pdf: Font,
}

impl Fonts {
    pub(crate) fn load() -> Result<Fonts, DocumentError> {
        Ok(Fonts {
            regular: FaceData::read("DejaVuSans.ttf", REGULAR)?,
            bold: FaceData::read("DejaVuSans-Bold.ttf", BOLD)?,
            mono: FaceData::read("DejaVuSansMono.ttf", MONO)?,
        })
    }

    pub(crate) fn face(&self, face: Face) -> &FaceData {
        match face {
            Face::Regular => &self.regular,
            Face::Bold => &self.bold,
            Face::Mono => &self.mono,
        }
    }

    /// The width of `text` set in `face` at `size` points.
    pub(crate) fn width(&self, face: Face, size: f32, text: &str) -> f32 {
        let data = self.face(face);
        text.chars().map(|c| data.advance(c)).sum::<f32>() * size
    }
}

impl FaceData {
    fn read(name: &'static str, bytes: &'static [u8]) -> Result<FaceData, DocumentError> {
        let font = FontRef::new(bytes).map_err(|_| DocumentError::Font(name))?;
        let metrics = font.metrics(Size::unscaled(), LocationRef::default());
        let units_per_em = f32::from(metrics.units_per_em.max(1));
        let pdf = Font::new(krilla::Data::from(bytes), 0).ok_or(DocumentError::Font(name))?;
        let (strikeout, strikeout_thickness) = match metrics.strikeout {
            Some(line) => (
                (line.offset - line.thickness / 2.0) / units_per_em,
                line.thickness / units_per_em,
            ),
            None => (0.28, 0.05),
        };
        let charmap = font.charmap();
        let missing = charmap
            .map(char::REPLACEMENT_CHARACTER)
            .or_else(|| charmap.map('?'))
            .ok_or(DocumentError::Font(name))?;
        Ok(FaceData {
            charmap,
            missing,
            advances: font.glyph_metrics(Size::unscaled(), LocationRef::default()),
            units_per_em,
            ascent: metrics.ascent / units_per_em,
            descent: -metrics.descent / units_per_em,
            strikeout,
            strikeout_thickness,
            pdf,
        })
    }

    /// The glyph for `c`, or "�" when the face has none: the reader sees that something
    /// is there, and the PDF's text still says which character it was. (PDF/A forbids
    /// the font's own "missing glyph" box.)
    fn glyph(&self, c: char) -> skrifa::GlyphId {
        self.charmap.map(c).unwrap_or(self.missing)
    }

    /// The advance of `c`, in ems.
    pub(crate) fn advance(&self, c: char) -> f32 {
        self.advances.advance_width(self.glyph(c)).unwrap_or(0.0) / self.units_per_em
    }

    /// The positioned glyphs that draw `text`, one per character, each pointing back at
    /// its character so that the PDF's text can be copied and searched.
    pub(crate) fn glyphs(&self, text: &str) -> Vec<KrillaGlyph> {
        text.char_indices()
            .map(|(at, c)| {
                KrillaGlyph::new(
                    GlyphId::new(self.glyph(c).to_u32()),
                    self.advance(c),
                    0.0,
                    0.0,
                    0.0,
                    at..at + c.len_utf8(),
                    None,
                )
            })
            .collect()
    }
}
