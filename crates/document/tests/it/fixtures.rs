//! Documents the tests print.

use vplant_document::{Block, Column, Document, Row, Section, Span, Table, Tone, UtcDateTime};

pub const PRINTED_AT: UtcDateTime = UtcDateTime {
    year: 2026,
    month: 11,
    day: 22,
    hour: 10,
    minute: 0,
    second: 0,
};

/// A short batch record with one correction, an exception and signatures.
pub fn batch_record() -> Document {
    let steps = Table {
        columns: vec![
            Column::new("Step", 1),
            Column::new("Instruction", 4),
            Column::new("Entry", 3),
            Column::new("By / at (UTC)", 2),
        ],
        rows: vec![
            Row::new(vec![
                vec!["1".into()],
                vec!["Dispense paracetamol, target 12.50 kg ± 0.5 %".into()],
                vec!["12.51 kg".into()],
                vec!["op.marko 2026-11-20 07:42".into()],
            ]),
            Row::new(vec![
                vec!["2".into()],
                vec!["Granulation water temperature ≤ 40 °C".into()],
                vec![
                    Span::struck("48 °C"),
                    " ".into(),
                    Span::changed("38 °C"),
                    Span::muted(" Reason: transcription error, see entry 2.1"),
                ],
                vec!["sup.špela 2026-11-20 08:31".into()],
            ]),
            Row::new(vec![
                vec!["3".into()],
                vec!["Blend 15 min, sample for µ-content".into()],
                vec![Span::code("LIMS-2026-004711")],
                vec!["op.žiga 2026-11-20 09:10".into()],
            ]),
        ],
    };
    Document {
        title: "Executed batch record".to_owned(),
        identifier: "CMO-SI/19".to_owned(),
        meta: vec![
            (
                "Product".to_owned(),
                "Paracetamol 500 mg tablets".to_owned(),
            ),
            ("Site".to_owned(), "Ljubljana — Črnuče".to_owned()),
            ("Printed by".to_owned(), "qa.anna (Anna Kovač)".to_owned()),
        ],
        sections: vec![
            Section::new("Steps").with(Block::Table(steps)),
            Section::new("Exceptions").with(Block::Note {
                tone: Tone::Warning,
                title: "EX-2026-0042".to_owned(),
                text: vec!["Water above the limit at first reading.".into()],
            }),
            Section::new("Signatures").with(Block::KeyValues(vec![(
                "Released".to_owned(),
                vec![
                    Span::strong("Anna Kovač"),
                    " · 2026-11-22 09:55 UTC · Approved for release".into(),
                ],
            )])),
        ],
        footer: "Batch CMO-SI/19 · printed 2026-11-22 10:00 UTC by qa.anna".to_owned(),
        printed_at: PRINTED_AT,
    }
}

/// A document with one table of `rows` rows, each naming itself `entry-NNN`.
pub fn long_table(rows: usize) -> Document {
    let table = Table {
        columns: vec![
            Column::new("Entry number", 1),
            Column::new("Recorded value", 2),
            Column::new("Recorded by", 1),
        ],
        rows: (1..=rows)
            .map(|n| {
                Row::new(vec![
                    vec![format!("entry-{n:03}").into()],
                    vec![format!("Tablet weight {n} mg within ± 5 %").into()],
                    vec!["op.marko".into()],
                ])
            })
            .collect(),
    };
    Document {
        title: "In-process checks".to_owned(),
        identifier: "CMO-SI/19".to_owned(),
        meta: Vec::new(),
        sections: vec![Section::new("Weights").with(Block::Table(table))],
        footer: "Batch CMO-SI/19".to_owned(),
        printed_at: PRINTED_AT,
    }
}

/// A one-cell table holding `text`.
pub fn one_cell(text: &str) -> Document {
    Document {
        title: "One cell".to_owned(),
        sections: vec![Section::new("Cell").with(Block::Table(Table {
            columns: vec![Column::new("Narrow", 1), Column::new("Wide", 6)],
            rows: vec![Row::new(vec![vec![text.into()], vec!["after".into()]])],
        }))],
        identifier: String::new(),
        meta: Vec::new(),
        footer: String::new(),
        printed_at: PRINTED_AT,
    }
}
