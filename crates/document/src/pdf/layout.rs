//! Pagination: the document's blocks become rows of wrapped text, and rows are put on
//! A4 pages top to bottom.
//!
//! Everything is a row of cells: a paragraph is a row with one cell, a table row one
//! with a cell per column, a note a row with a tinted background. A row that does not
//! fit moves to the next page whole; a row taller than a page is split between lines.
//! A table's header row is drawn again at the top of every page the table runs onto.

use super::fonts::{Face, Fonts};
use super::page::{Color, Item, PAGE_HEIGHT, PAGE_WIDTH, Page};
use super::wrap::{Line, Look, Run, runs, wrap};
use crate::model::{Block, Document, LEGEND, Section, Table, Tone};

/// Left margin; wide enough for the changed-after-first-entry marks drawn in it.
pub(crate) const LEFT: f32 = 56.0;
const RIGHT: f32 = 42.0;
const TOP: f32 = 42.0;
/// Bottom margin, which holds the footer.
const BOTTOM: f32 = 64.0;
pub(crate) const CONTENT_WIDTH: f32 = PAGE_WIDTH - LEFT - RIGHT;
/// The lowest y that content may reach.
const FLOOR: f32 = PAGE_HEIGHT - BOTTOM;

const TITLE_SIZE: f32 = 16.0;
const IDENTIFIER_SIZE: f32 = 11.0;
const HEADING_SIZE: f32 = 12.0;
const BODY_SIZE: f32 = 9.0;
const TABLE_SIZE: f32 = 8.0;
/// Line height as a multiple of the font size.
const LEADING: f32 = 1.3;
/// Space after each block.
const BLOCK_GAP: f32 = 8.0;

pub(crate) fn line_height(size: f32) -> f32 {
    size * LEADING
}

/// How a row's box is drawn.
#[derive(Clone, Copy, Debug, Default)]
struct Frame {
    fill: Option<Color>,
    /// Cell borders.
    border: Option<Color>,
    /// A thick bar down the row's left edge.
    bar: Option<Color>,
    pad_x: f32,
    pad_y: f32,
}

impl Frame {
    const TEXT: Frame = Frame {
        fill: None,
        border: None,
        bar: None,
        pad_x: 0.0,
        pad_y: 0.0,
    };

    const CELL: Frame = Frame {
        fill: None,
        border: Some(Color::RULE),
        bar: None,
        pad_x: 3.0,
        pad_y: 2.5,
    };

    fn note(tone: Tone) -> Frame {
        let (fill, bar) = match tone {
            Tone::Info => (Color(238, 243, 250), Color(74, 111, 165)),
            Tone::Warning => (Color(253, 246, 227), Color(179, 134, 0)),
            Tone::Critical => (Color(251, 234, 234), Color(170, 0, 0)),
        };
        Frame {
            fill: Some(fill),
            border: None,
            bar: Some(bar),
            pad_x: 8.0,
            pad_y: 4.0,
        }
    }
}

/// A cell: where its box is across the page, and its text already broken into lines.
struct Cell {
    x: f32,
    width: f32,
    lines: Vec<Line>,
}

/// A row of cells, all set at one font size.
struct RowBox {
    cells: Vec<Cell>,
    frame: Frame,
    size: f32,
}

impl RowBox {
    /// Lays out one row: `columns` gives each cell's left edge (from the content's left
    /// edge) and width, `contents` each cell's text.
    fn new(
        fonts: &Fonts,
        columns: &[(f32, f32)],
        contents: Vec<Vec<Run>>,
        frame: Frame,
        size: f32,
    ) -> RowBox {
        let cells = columns
            .iter()
            .zip(contents)
            .map(|(&(x, width), runs)| Cell {
                x: LEFT + x,
                width,
                lines: wrap(&runs, fonts, size, (width - 2.0 * frame.pad_x).max(1.0)),
            })
            .collect();
        RowBox { cells, frame, size }
    }

    /// A row of one cell as wide as the content.
    fn single(fonts: &Fonts, runs: Vec<Run>, frame: Frame, size: f32) -> RowBox {
        RowBox::new(fonts, &[(0.0, CONTENT_WIDTH)], vec![runs], frame, size)
    }

    fn lines(&self) -> usize {
        self.cells
            .iter()
            .map(|cell| cell.lines.len())
            .max()
            .unwrap_or(0)
            .max(1)
    }

    fn height_of(&self, lines: usize) -> f32 {
        lines as f32 * line_height(self.size) + 2.0 * self.frame.pad_y
    }

    fn height(&self) -> f32 {
        self.height_of(self.lines())
    }
}

/// A block made into rows: an optional header repeated on each page, then the rows.
struct Flow {
    header: Option<RowBox>,
    rows: Vec<RowBox>,
}

impl Flow {
    /// The height that must fit at the bottom of a page for the flow to start there: the
    /// header with (up to three lines of) the first row, so a header never stands alone.
    fn lead(&self) -> f32 {
        let header = self.header.as_ref().map_or(0.0, RowBox::height);
        let first = self
            .rows
            .first()
            .map_or(0.0, |row| row.height_of(row.lines().min(3)));
        header + first
    }
}

struct Layout<'f> {
    fonts: &'f Fonts,
    done: Vec<Page>,
    page: Page,
    /// Where the next row's top goes.
    y: f32,
    /// Nothing but a repeated header is on the current page yet; moving to a new page
    /// would gain nothing.
    fresh: bool,
    /// The baseline of the last margin mark, so two changed cells on one line get one.
    last_mark: Option<f32>,
}

/// Lays the document out on pages, footers not yet drawn.
pub(crate) fn pages(document: &Document, fonts: &Fonts) -> Vec<Page> {
    let mut layout = Layout {
        fonts,
        done: Vec::new(),
        page: Page::default(),
        y: TOP,
        fresh: true,
        last_mark: None,
    };
    layout.head(document);
    for section in &document.sections {
        layout.section(section);
    }
    layout.done.push(layout.page);
    layout.done
}

impl Layout<'_> {
    fn head(&mut self, document: &Document) {
        let fonts = self.fonts;
        let bold = Look::plain(Face::Bold, Color::TEXT);
        let regular = Look::plain(Face::Regular, Color::TEXT);
        self.place(
            &RowBox::single(
                fonts,
                vec![Run::new(document.title.as_str(), bold)],
                Frame::TEXT,
                TITLE_SIZE,
            ),
            None,
        );
        if !document.identifier.is_empty() {
            self.place(
                &RowBox::single(
                    fonts,
                    vec![Run::new(document.identifier.as_str(), regular)],
                    Frame::TEXT,
                    IDENTIFIER_SIZE,
                ),
                None,
            );
        }
        self.y += 4.0;
        let meta = document
            .meta
            .iter()
            .map(|(label, value)| {
                pair(
                    fonts,
                    Run::new(label.as_str(), bold),
                    vec![Run::new(value.as_str(), regular)],
                    BODY_SIZE,
                )
            })
            .collect();
        self.flow(&Flow {
            header: None,
            rows: meta,
        });
        if document.has_corrections() {
            let legend = Frame {
                border: Some(Color::RULE),
                pad_x: 5.0,
                pad_y: 3.0,
                ..Frame::TEXT
            };
            self.flow(&Flow {
                header: None,
                rows: vec![RowBox::single(
                    fonts,
                    vec![Run::new(LEGEND, regular)],
                    legend,
                    BODY_SIZE,
                )],
            });
        }
        self.rule();
    }

    fn section(&mut self, section: &Section) {
        let heading = RowBox::single(
            self.fonts,
            vec![Run::new(
                section.heading.as_str(),
                Look::plain(Face::Bold, Color::TEXT),
            )],
            Frame {
                pad_y: 3.0,
                ..Frame::TEXT
            },
            HEADING_SIZE,
        );
        let flows: Vec<Flow> = section
            .blocks
            .iter()
            .map(|block| self.block(block))
            .collect();
        // Keep the heading with the start of what it heads.
        let lead = flows.first().map_or(0.0, Flow::lead);
        if !self.fresh && self.y + heading.height() + lead > FLOOR {
            self.new_page(None);
        }
        if !self.fresh {
            self.y += 6.0;
        }
        self.place(&heading, None);
        for flow in &flows {
            self.flow(flow);
        }
    }

    fn block(&self, block: &Block) -> Flow {
        let fonts = self.fonts;
        match block {
            Block::Paragraph(text) => Flow {
                header: None,
                rows: vec![RowBox::single(
                    fonts,
                    runs(text, Face::Regular),
                    Frame::TEXT,
                    BODY_SIZE,
                )],
            },
            Block::Table(table) => table_flow(fonts, table),
            Block::KeyValues(pairs) => Flow {
                header: None,
                rows: pairs
                    .iter()
                    .map(|(key, value)| {
                        pair(
                            fonts,
                            Run::new(key.as_str(), Look::plain(Face::Bold, Color::TEXT)),
                            runs(value, Face::Regular),
                            BODY_SIZE,
                        )
                    })
                    .collect(),
            },
            Block::Note { tone, title, text } => {
                let mut content = Vec::new();
                if !title.is_empty() {
                    let bold = Look::plain(Face::Bold, Color::TEXT);
                    content.push(Run::new(format!("{title}\n"), bold));
                }
                content.extend(runs(text, Face::Regular));
                Flow {
                    header: None,
                    rows: vec![RowBox::single(
                        fonts,
                        content,
                        Frame::note(*tone),
                        BODY_SIZE,
                    )],
                }
            }
        }
    }

    fn flow(&mut self, flow: &Flow) {
        if flow.rows.is_empty() {
            return;
        }
        if !self.fresh && self.y + flow.lead() > FLOOR {
            self.new_page(None);
        }
        if let Some(header) = &flow.header {
            self.place(header, None);
        }
        for row in &flow.rows {
            self.place(row, flow.header.as_ref());
        }
        self.y += BLOCK_GAP;
    }

    /// Puts a row on the page: whole if it fits, else whole on the next page if it fits
    /// there, else split between lines across as many pages as it takes.
    fn place(&mut self, row: &RowBox, header: Option<&RowBox>) {
        let line = line_height(row.size);
        let header_height = header.map_or(0.0, RowBox::height);
        let mut from = 0;
        loop {
            let remaining = row.lines() - from;
            let needed = row.height_of(remaining);
            let room = FLOOR - self.y;
            if needed <= room {
                self.draw(row, from, remaining);
                return;
            }
            if !self.fresh && needed <= FLOOR - TOP - header_height {
                self.new_page(header);
                continue;
            }
            let fit = ((room - 2.0 * row.frame.pad_y) / line).floor();
            if fit < 1.0 && !self.fresh {
                self.new_page(header);
                continue;
            }
            // At least one line per page, so that the loop always ends.
            let count = (fit.max(1.0) as usize).min(remaining);
            self.draw(row, from, count);
            from += count;
            if from >= row.lines() {
                return;
            }
            self.new_page(header);
        }
    }

    /// Draws lines `from..from + count` of every cell of the row at the current y.
    fn draw(&mut self, row: &RowBox, from: usize, count: usize) {
        let height = row.height_of(count);
        let frame = row.frame;
        let top = self.y;
        if let (Some(first), Some(last)) = (row.cells.first(), row.cells.last()) {
            let (left, right) = (first.x, last.x + last.width);
            if let Some(color) = frame.fill {
                self.page.items.push(Item::Rect {
                    x: left,
                    y: top,
                    width: right - left,
                    height,
                    color,
                });
            }
            if let Some(color) = frame.bar {
                self.page.items.push(Item::Rect {
                    x: left,
                    y: top,
                    width: 2.5,
                    height,
                    color,
                });
            }
        }
        let line = line_height(row.size);
        for cell in &row.cells {
            if let Some(color) = frame.border {
                self.frame(cell.x, top, cell.width, height, color);
            }
            let lines = cell.lines.iter().skip(from).take(count);
            for (n, text) in lines.enumerate() {
                let baseline = top + frame.pad_y + n as f32 * line + self.baseline(row.size);
                self.text_line(cell.x + frame.pad_x, baseline, row.size, text);
            }
        }
        self.y = top + height;
        self.fresh = false;
    }

    /// Where the baseline sits below the top of a line box.
    fn baseline(&self, size: f32) -> f32 {
        let face = self.fonts.face(Face::Regular);
        let glyphs = (face.ascent + face.descent) * size;
        (line_height(size) - glyphs) / 2.0 + face.ascent * size
    }

    fn text_line(&mut self, x: f32, baseline: f32, size: f32, line: &Line) {
        for piece in &line.pieces {
            let face = self.fonts.face(piece.look.face);
            self.page.items.push(Item::Text {
                x: x + piece.x,
                baseline,
                face: piece.look.face,
                size,
                color: piece.look.color,
                text: piece.text.clone(),
            });
            if piece.look.struck {
                let y = baseline - face.strikeout * size;
                self.page.items.push(Item::Line {
                    from: (x + piece.x, y),
                    to: (x + piece.x + piece.width, y),
                    width: (face.strikeout_thickness * size).max(0.5),
                    color: piece.look.color,
                });
            }
        }
        if line.is_changed() && self.last_mark != Some(baseline) {
            self.last_mark = Some(baseline);
            self.margin_mark(baseline, size);
        }
    }

    /// A triangle in the left margin beside a line that shows a changed value, so that a
    /// reviewer leafing through the pages sees every change. It is drawn, not written, so
    /// that the text copied from the PDF stays the record's own.
    fn margin_mark(&mut self, baseline: f32, size: f32) {
        let side = size * 0.7;
        let left = LEFT - 16.0;
        self.page.items.push(Item::Outline {
            points: vec![
                (left, baseline),
                (left + side, baseline),
                (left + side / 2.0, baseline - side),
            ],
            width: 1.2,
            color: Color::ACCENT,
        });
    }

    /// A thin box around a cell.
    fn frame(&mut self, x: f32, y: f32, width: f32, height: f32, color: Color) {
        self.page.items.push(Item::Outline {
            points: vec![
                (x, y),
                (x + width, y),
                (x + width, y + height),
                (x, y + height),
            ],
            width: 0.4,
            color,
        });
    }

    /// A rule across the content width, closing the document's head.
    fn rule(&mut self) {
        self.page.items.push(Item::Line {
            from: (LEFT, self.y),
            to: (LEFT + CONTENT_WIDTH, self.y),
            width: 0.6,
            color: Color::RULE,
        });
        self.y += 6.0;
    }

    fn new_page(&mut self, header: Option<&RowBox>) {
        self.done.push(std::mem::take(&mut self.page));
        self.y = TOP;
        self.last_mark = None;
        if let Some(header) = header {
            self.draw(header, 0, header.lines());
        }
        self.fresh = true;
    }
}

/// A table's header and rows; the header's plain text is bold.
fn table_flow(fonts: &Fonts, table: &Table) -> Flow {
    let mut columns = Vec::with_capacity(table.columns.len());
    let mut x = 0.0;
    for share in table.shares() {
        let width = share * CONTENT_WIDTH;
        columns.push((x, width));
        x += width;
    }
    let titles = table
        .columns
        .iter()
        .map(|column| {
            vec![Run::new(
                column.title.as_str(),
                Look::plain(Face::Bold, Color::TEXT),
            )]
        })
        .collect();
    let header = RowBox::new(
        fonts,
        &columns,
        titles,
        Frame {
            fill: Some(Color::HEADER),
            ..Frame::CELL
        },
        TABLE_SIZE,
    );
    let rows = table
        .rows
        .iter()
        .map(|row| {
            let cells = row
                .cells
                .iter()
                .map(|cell| runs(cell, Face::Regular))
                .collect();
            RowBox::new(fonts, &columns, cells, Frame::CELL, TABLE_SIZE)
        })
        .collect();
    Flow {
        header: Some(header),
        rows,
    }
}

/// A label and its value side by side, the label taking a quarter of the width.
fn pair(fonts: &Fonts, key: Run, value: Vec<Run>, size: f32) -> RowBox {
    let key_width = CONTENT_WIDTH * 0.25;
    RowBox::new(
        fonts,
        &[
            (0.0, key_width - 6.0),
            (key_width, CONTENT_WIDTH - key_width),
        ],
        vec![vec![key], value],
        Frame {
            pad_y: 0.5,
            ..Frame::TEXT
        },
        size,
    )
}
