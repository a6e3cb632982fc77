//! An executed batch record, printed as HTML and PDF.
//!
//! `cargo run -p vplant-document --example batch_record -- /tmp/record` writes
//! `/tmp/record.html` and `/tmp/record.pdf`.

use std::error::Error;

use vplant_document::{
    Block, Column, Document, Row, Section, Span, Table, Tone, UtcDateTime, to_html, to_pdf,
};

fn main() -> Result<(), Box<dyn Error>> {
    let stem = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "batch-record".to_owned());
    let record = batch_record();
    std::fs::write(format!("{stem}.html"), to_html(&record)?)?;
    std::fs::write(format!("{stem}.pdf"), to_pdf(&record)?)?;
    println!("wrote {stem}.html and {stem}.pdf");
    Ok(())
}

fn batch_record() -> Document {
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
                vec!["op.marko\n2026-11-20 07:42".into()],
            ]),
            Row::new(vec![
                vec!["2".into()],
                vec!["Granulation water temperature ≤ 40 °C".into()],
                vec![
                    Span::struck("48 °C"),
                    " ".into(),
                    Span::changed("38 °C"),
                    Span::muted("\nReason: transcription error (wrong gauge read). See entry 2.1."),
                ],
                vec!["op.marko\n2026-11-20 08:05\ncorrected by sup.špela\n2026-11-20 08:31".into()],
            ]),
            Row::new(vec![
                vec!["3".into()],
                vec!["Blend 15 min, sample for µ-content".into()],
                vec![Span::code("LIMS-2026-004711")],
                vec!["op.žiga\n2026-11-20 09:10".into()],
            ]),
        ],
    };
    Document {
        title: "Executed batch record".to_owned(),
        identifier: "CMO-SI/19 · Paracetamol 500 mg tablets".to_owned(),
        meta: vec![
            (
                "Product".to_owned(),
                "Paracetamol 500 mg tablets (PAR-500)".to_owned(),
            ),
            ("Batch".to_owned(), "CMO-SI/19".to_owned()),
            ("Site".to_owned(), "Ljubljana — Črnuče".to_owned()),
            ("Printed at".to_owned(), "2026-11-22 10:00 UTC".to_owned()),
            ("Printed by".to_owned(), "qa.anna (Anna Kovač)".to_owned()),
        ],
        sections: vec![
            Section::new("Steps").with(Block::Table(steps)),
            Section::new("Exceptions").with(Block::Note {
                tone: Tone::Warning,
                title: "EX-2026-0042 · Minor deviation".to_owned(),
                text: vec![
                    "Granulation water above the limit at first reading; re-measured 38 °C. "
                        .into(),
                    Span::muted("Closed 2026-11-21 by qa.anna."),
                ],
            }),
            Section::new("Signatures").with(Block::KeyValues(vec![
                (
                    "Performed".to_owned(),
                    vec![
                        Span::strong("Marko Horvat"),
                        " · 2026-11-20 09:30 UTC".into(),
                    ],
                ),
                (
                    "Reviewed".to_owned(),
                    vec![
                        Span::strong("Špela Zupan"),
                        " · 2026-11-21 14:02 UTC".into(),
                    ],
                ),
                (
                    "Released".to_owned(),
                    vec![Span::strong("Anna Kovač"), " · 2026-11-22 09:55 UTC".into()],
                ),
            ])),
        ],
        footer: "Batch CMO-SI/19 · printed 2026-11-22 10:00 UTC by qa.anna".to_owned(),
        printed_at: UtcDateTime {
            year: 2026,
            month: 11,
            day: 22,
            hour: 10,
            minute: 0,
            second: 0,
        },
    }
}
