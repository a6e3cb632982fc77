//! A laid-out page: positioned text, lines and filled rectangles, in points from the
//! top-left corner of an A4 sheet. Layout produces these; drawing only copies them out.

use super::fonts::Face;

pub(crate) const PAGE_WIDTH: f32 = 595.28;
pub(crate) const PAGE_HEIGHT: f32 = 841.89;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Color(pub u8, pub u8, pub u8);

impl Color {
    pub(crate) const TEXT: Color = Color(0, 0, 0);
    pub(crate) const MUTED: Color = Color(85, 85, 85);
    /// The colour of the changed-after-first-entry mark.
    pub(crate) const ACCENT: Color = Color(179, 89, 0);
    pub(crate) const RULE: Color = Color(153, 153, 153);
    pub(crate) const HEADER: Color = Color(232, 232, 232);
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Item {
    /// Text on one line; `baseline` is the y of the baseline.
    Text {
        x: f32,
        baseline: f32,
        face: Face,
        size: f32,
        color: Color,
        text: String,
    },
    Line {
        from: (f32, f32),
        to: (f32, f32),
        width: f32,
        color: Color,
    },
    /// The outline of a closed shape through `points`.
    Outline {
        points: Vec<(f32, f32)>,
        width: f32,
        color: Color,
    },
    /// A filled rectangle; `y` is its top edge.
    Rect {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        color: Color,
    },
}

#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Page {
    pub(crate) items: Vec<Item>,
}
