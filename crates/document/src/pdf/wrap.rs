//! Breaking styled text into lines that fit a width.
//!
//! Lines break at spaces. A word wider than the whole width (a long identifier, a pasted
//! hash) is broken between characters, so that nothing is ever drawn outside its box.

use super::fonts::{Face, Fonts};
use super::page::Color;
use crate::model::{CHANGED_MARK, Span, Style};

/// How a piece of text is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Look {
    pub(crate) face: Face,
    pub(crate) color: Color,
    /// Struck through with a single line (the old value of a correction).
    pub(crate) struck: bool,
    /// The changed-after-first-entry mark; a line holding one also gets a margin mark.
    pub(crate) mark: bool,
}

impl Look {
    pub(crate) const fn plain(face: Face, color: Color) -> Look {
        Look {
            face,
            color,
            struck: false,
            mark: false,
        }
    }
}

/// Text in one look, before it is broken into lines.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Run {
    pub(crate) text: String,
    pub(crate) look: Look,
}

impl Run {
    pub(crate) fn new(text: impl Into<String>, look: Look) -> Run {
        Run {
            text: text.into(),
            look,
        }
    }
}

/// Text in one look on one line; `x` is measured from the start of the line.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Piece {
    pub(crate) x: f32,
    pub(crate) width: f32,
    pub(crate) text: String,
    pub(crate) look: Look,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Line {
    pub(crate) pieces: Vec<Piece>,
}

impl Line {
    /// Whether the line shows a value changed after first entry.
    pub(crate) fn is_changed(&self) -> bool {
        self.pieces.iter().any(|piece| piece.look.mark)
    }
}

/// The runs that draw `spans`, with plain text set in `base` (bold in a table header).
pub(crate) fn runs(spans: &[Span], base: Face) -> Vec<Run> {
    let mut runs = Vec::with_capacity(spans.len());
    for span in spans {
        let look = match span.style {
            Style::Plain => Look::plain(base, Color::TEXT),
            Style::Strong => Look::plain(Face::Bold, Color::TEXT),
            Style::Muted => Look::plain(base, Color::MUTED),
            Style::Code => Look::plain(Face::Mono, Color::TEXT),
            Style::Struck => Look {
                struck: true,
                ..Look::plain(base, Color::TEXT)
            },
            Style::Changed => {
                // The mark is glued to the value by a no-break space, so that a line
                // never ends between them.
                let mark = Look {
                    mark: true,
                    ..Look::plain(Face::Bold, Color::ACCENT)
                };
                runs.push(Run::new(format!("{CHANGED_MARK}\u{a0}"), mark));
                Look::plain(base, Color::TEXT)
            }
        };
        runs.push(Run::new(span.text.as_str(), look));
    }
    runs
}

/// Breaks `runs` into lines no wider than `width` when set at `size` points.
pub(crate) fn wrap(runs: &[Run], fonts: &Fonts, size: f32, width: f32) -> Vec<Line> {
    let mut lines = Lines {
        fonts,
        size,
        width,
        done: Vec::new(),
        line: Line::default(),
        x: 0.0,
        space: Vec::new(),
        word: Vec::new(),
    };
    for run in runs {
        for c in run.text.chars() {
            match c {
                '\n' => {
                    lines.flush_word();
                    lines.space.clear();
                    lines.end_line();
                }
                '\r' => {}
                ' ' | '\t' => {
                    lines.flush_word();
                    lines.space.push((' ', run.look));
                }
                c if c.is_control() => {
                    lines.flush_word();
                    lines.space.push((' ', run.look));
                }
                c => lines.word.push((c, run.look)),
            }
        }
    }
    lines.flush_word();
    if !lines.line.pieces.is_empty() {
        lines.end_line();
    }
    lines.done
}

struct Lines<'f> {
    fonts: &'f Fonts,
    size: f32,
    width: f32,
    done: Vec<Line>,
    line: Line,
    /// Where the next character goes on the current line.
    x: f32,
    /// Spaces seen since the last word; drawn only if a word follows on the same line.
    space: Vec<(char, Look)>,
    word: Vec<(char, Look)>,
}

impl Lines<'_> {
    fn advance(&self, c: char, look: Look) -> f32 {
        self.fonts.face(look.face).advance(c) * self.size
    }

    fn measure(&self, chars: &[(char, Look)]) -> f32 {
        chars.iter().map(|&(c, look)| self.advance(c, look)).sum()
    }

    fn flush_word(&mut self) {
        if self.word.is_empty() {
            return;
        }
        let word = std::mem::take(&mut self.word);
        let space = std::mem::take(&mut self.space);
        let word_width = self.measure(&word);
        if !self.line.pieces.is_empty() {
            if self.x + self.measure(&space) + word_width > self.width {
                self.end_line();
            } else {
                for (c, look) in space {
                    self.push(c, look);
                }
            }
        }
        if self.x + word_width <= self.width {
            for (c, look) in word {
                self.push(c, look);
            }
            return;
        }
        // Wider than a whole line: break between characters, at least one per line so
        // that even a box narrower than one character makes progress.
        for (c, look) in word {
            if self.x + self.advance(c, look) > self.width && !self.line.pieces.is_empty() {
                self.end_line();
            }
            self.push(c, look);
        }
    }

    fn push(&mut self, c: char, look: Look) {
        let advance = self.advance(c, look);
        match self.line.pieces.last_mut() {
            Some(piece) if piece.look == look => {
                piece.text.push(c);
                piece.width += advance;
            }
            _ => self.line.pieces.push(Piece {
                x: self.x,
                width: advance,
                text: c.to_string(),
                look,
            }),
        }
        self.x += advance;
    }

    fn end_line(&mut self) {
        self.done.push(std::mem::take(&mut self.line));
        self.x = 0.0;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn plain(text: &str) -> Vec<Run> {
        vec![Run::new(text, Look::plain(Face::Regular, Color::TEXT))]
    }

    fn texts(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|line| {
                line.pieces
                    .iter()
                    .map(|piece| piece.text.as_str())
                    .collect()
            })
            .collect()
    }

    fn right_edge(line: &Line) -> f32 {
        line.pieces
            .last()
            .map_or(0.0, |piece| piece.x + piece.width)
    }

    #[test]
    fn lines_break_at_spaces_and_keep_within_the_width() {
        let fonts = Fonts::load().unwrap();
        let width = fonts.width(Face::Regular, 10.0, "Granulation water");

        let lines = wrap(
            &plain("Granulation water temperature ≤ 40 °C"),
            &fonts,
            10.0,
            width,
        );

        assert_eq!(
            texts(&lines),
            ["Granulation water", "temperature ≤", "40 °C"]
        );
        assert!(lines.iter().all(|line| right_edge(line) <= width));
    }

    #[test]
    fn a_word_wider_than_the_width_is_broken_between_characters_and_nothing_overflows() {
        let fonts = Fonts::load().unwrap();
        let word = "0123456789abcdef".repeat(40);

        let lines = wrap(&plain(&word), &fonts, 8.0, 60.0);

        assert!(lines.len() > 10);
        assert!(lines.iter().all(|line| right_edge(line) <= 60.0));
        assert_eq!(texts(&lines).concat(), word);
    }

    #[test]
    fn a_box_narrower_than_one_character_still_takes_one_per_line() {
        let fonts = Fonts::load().unwrap();

        let lines = wrap(&plain("WWW"), &fonts, 10.0, 1.0);

        assert_eq!(texts(&lines), ["W", "W", "W"]);
    }

    #[test]
    fn line_breaks_are_kept_and_blank_lines_too() {
        let fonts = Fonts::load().unwrap();

        let lines = wrap(&plain("op.marko\n\n2026-11-20 07:42"), &fonts, 8.0, 500.0);

        assert_eq!(texts(&lines), ["op.marko", "", "2026-11-20 07:42"]);
    }

    #[test]
    fn the_changed_mark_stays_on_the_line_of_its_value() {
        let fonts = Fonts::load().unwrap();
        let spans = [
            Span::struck("48 °C"),
            Span::plain(" "),
            Span::changed("38 °C"),
        ];
        let width = fonts.width(Face::Regular, 10.0, "48 °C Δ 3");

        let lines = wrap(&runs(&spans, Face::Regular), &fonts, 10.0, width);

        assert_eq!(texts(&lines), ["48 °C", "Δ\u{a0}38 °C"]);
        assert!(!lines[0].is_changed());
        assert!(lines[1].is_changed());
        assert!(lines[0].pieces[0].look.struck);
    }
}
