//! The document model: what a printed record says, without a word about how it looks.
//!
//! A [`Document`] is a title, a few labelled facts about it, and sections of blocks.
//! Text is a list of [`Span`]s, each with one [`Style`]. The styles carry the meaning a
//! GMP reader needs (an old value struck through, a value changed after first entry);
//! the HTML and PDF renderers decide what that looks like.

/// A printable document, such as an executed batch record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    /// What the document is, e.g. "Executed batch record".
    pub title: String,
    /// Which record it is, e.g. "CMO-SI/19 · Paracetamol 500 mg tablets".
    pub identifier: String,
    /// Labelled facts shown under the title: product, batch, site, printed at, printed by.
    pub meta: Vec<(String, String)>,
    pub sections: Vec<Section>,
    /// Printed at the foot of every page, e.g. "Batch CMO-SI/19 · printed 2026-11-22
    /// 10:00 UTC by qa.anna". The PDF adds "Page n of m" beside it.
    pub footer: String,
    /// When the document was printed. It becomes the PDF's creation date, which PDF/A
    /// requires; the library reads no clock.
    pub printed_at: UtcDateTime,
}

/// A moment in UTC, to the second. Out-of-range fields are clamped (a month of 13
/// becomes 12), never refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UtcDateTime {
    pub year: u16,
    /// 1 to 12.
    pub month: u8,
    /// 1 to 31.
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

/// A headed part of a document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Section {
    pub heading: String,
    pub blocks: Vec<Block>,
}

/// One piece of a section's content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    Paragraph(Vec<Span>),
    Table(Table),
    /// Labels with their values, two columns without a header.
    KeyValues(Vec<(String, Vec<Span>)>),
    /// A boxed remark that stands out from the text, e.g. an exception.
    Note {
        tone: Tone,
        title: String,
        text: Vec<Span>,
    },
}

/// How loudly a [`Block::Note`] speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Info,
    Warning,
    Critical,
}

/// A table with a header row that the PDF repeats on every page the table runs onto.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    pub columns: Vec<Column>,
    /// Every row has exactly one cell per column; rendering refuses a table that does not.
    pub rows: Vec<Row>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub title: String,
    /// The column's share of the table width, relative to the other columns' (a column
    /// of width 2 is twice as wide as one of width 1).
    pub width: u16,
}

/// One table row: a cell per column, each cell a run of spans.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Row {
    pub cells: Vec<Vec<Span>>,
}

/// A piece of text in one style. A line break (`\n`) in the text starts a new line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    pub text: String,
    pub style: Style,
}

/// What a piece of text means, which decides how it is drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Style {
    #[default]
    Plain,
    /// Emphasised, e.g. a signature meaning.
    Strong,
    /// Secondary, e.g. a reason or a pointer to another entry.
    Muted,
    /// The old value of a correction: struck through with a single line, still legible.
    Struck,
    /// A value that changed after it was first entered (EU GMP Annex 11 §8.2): drawn
    /// with the [`CHANGED_MARK`], explained in the document's legend.
    Changed,
    /// Identifiers and raw values, in a monospaced face.
    Code,
}

/// The mark printed beside every value that changed after first entry.
pub const CHANGED_MARK: &str = "Δ";

/// The legend printed at the foot of every page of documents with struck or changed text.
pub const SHORT_LEGEND: &str = "Δ changed after first entry · struck: old value of a correction";

/// The legend printed on documents that contain struck or changed text.
pub const LEGEND: &str = "Δ marks a value changed after first entry; \
struck-through text is the old value of a correction, kept legible.";

impl Document {
    /// Whether any text is struck or changed, which makes the renderers print the legend.
    pub fn has_corrections(&self) -> bool {
        self.spans()
            .any(|span| matches!(span.style, Style::Struck | Style::Changed))
    }

    /// Every span of the document, in reading order.
    pub fn spans(&self) -> impl Iterator<Item = &Span> {
        self.sections
            .iter()
            .flat_map(|section| &section.blocks)
            .flat_map(|block| -> Box<dyn Iterator<Item = &Span> + '_> {
                match block {
                    Block::Paragraph(spans) => Box::new(spans.iter()),
                    Block::Table(table) => Box::new(
                        table
                            .rows
                            .iter()
                            .flat_map(|row| &row.cells)
                            .flat_map(|cell| cell.iter()),
                    ),
                    Block::KeyValues(pairs) => {
                        Box::new(pairs.iter().flat_map(|(_, value)| value.iter()))
                    }
                    Block::Note { text, .. } => Box::new(text.iter()),
                }
            })
    }
}

impl Section {
    pub fn new(heading: impl Into<String>) -> Section {
        Section {
            heading: heading.into(),
            blocks: Vec::new(),
        }
    }

    /// Adds a block; for building a section in one expression.
    pub fn with(mut self, block: Block) -> Section {
        self.blocks.push(block);
        self
    }
}

impl Table {
    /// Each column's fraction of the table width; a width of 0 counts as 1.
    pub fn shares(&self) -> Vec<f32> {
        let weights: Vec<f32> = self
            .columns
            .iter()
            .map(|column| f32::from(column.width.max(1)))
            .collect();
        let total: f32 = weights.iter().sum();
        weights.iter().map(|weight| weight / total).collect()
    }
}

impl Column {
    pub fn new(title: impl Into<String>, width: u16) -> Column {
        Column {
            title: title.into(),
            width,
        }
    }
}

impl Row {
    pub fn new(cells: Vec<Vec<Span>>) -> Row {
        Row { cells }
    }

    /// Whether a value in this row changed after first entry.
    pub fn is_changed(&self) -> bool {
        self.cells
            .iter()
            .flatten()
            .any(|span| span.style == Style::Changed)
    }
}

impl Span {
    pub fn new(text: impl Into<String>, style: Style) -> Span {
        Span {
            text: text.into(),
            style,
        }
    }

    pub fn plain(text: impl Into<String>) -> Span {
        Span::new(text, Style::Plain)
    }

    pub fn strong(text: impl Into<String>) -> Span {
        Span::new(text, Style::Strong)
    }

    pub fn muted(text: impl Into<String>) -> Span {
        Span::new(text, Style::Muted)
    }

    pub fn struck(text: impl Into<String>) -> Span {
        Span::new(text, Style::Struck)
    }

    pub fn changed(text: impl Into<String>) -> Span {
        Span::new(text, Style::Changed)
    }

    pub fn code(text: impl Into<String>) -> Span {
        Span::new(text, Style::Code)
    }
}

impl From<&str> for Span {
    fn from(text: &str) -> Span {
        Span::plain(text)
    }
}

impl From<String> for Span {
    fn from(text: String) -> Span {
        Span::plain(text)
    }
}
