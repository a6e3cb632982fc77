//! A batch record's sheet as a printed document: the header, the record's state,
//! one section per unit procedure (`steps.rs`), the exceptions, refused attempts,
//! the review-by-exception list and the signature manifestations.

use vplant_document::{Block, Column, Document, Row, Section, Span, Table, Tone};
use vplant_domain::ebr::review::ReviewKind;
use vplant_domain::exception::fields::Classification;
use vplant_store::queries::identity::Signature;

use super::steps::unit_procedure;
use super::{Printing, RecordContext};
use crate::ebr_sheet::Sheet;

/// How many hex digits of a ledger hash the record prints: enough to compare by eye
/// with `vplant verify` or the API, short enough for a table cell.
const HASH_DIGITS: usize = 16;

/// The document of `sheet`, printed by `printing`.
pub fn document(sheet: &Sheet, context: &RecordContext, printing: &Printing) -> Document {
    let mut sections = vec![state(sheet)];
    let mut procedures: Vec<&str> = Vec::new();
    for step in &sheet.steps {
        if !procedures.contains(&step.unit_procedure.as_str()) {
            procedures.push(&step.unit_procedure);
        }
    }
    for name in procedures {
        sections.push(unit_procedure(sheet, name));
    }
    sections.push(exceptions(sheet, context));
    sections.push(refused(sheet));
    sections.push(review(sheet));
    sections.push(signatures(sheet));
    let printed = format!(
        "printed {} by {}",
        printing.at.to_display(),
        printing.username
    );
    Document {
        title: "Executed batch record".to_owned(),
        identifier: format!(
            "{} · {}",
            sheet.id,
            context.product_name.as_deref().unwrap_or(&sheet.product)
        ),
        meta: vec![
            ("Batch".to_owned(), sheet.id.clone()),
            ("Site".to_owned(), named(&sheet.site, &context.site_name)),
            (
                "Product".to_owned(),
                named(&sheet.product, &context.product_name),
            ),
            (
                "Production order".to_owned(),
                sheet.production_order.clone(),
            ),
            (
                "Master batch record".to_owned(),
                format!("{} version {}", sheet.mbr, sheet.mbr_version),
            ),
            ("Batch size".to_owned(), sheet.size.clone()),
            ("Status".to_owned(), words(&sheet.status)),
            (
                "Record version".to_owned(),
                format!(
                    "{} · ledger hash {}",
                    sheet.version,
                    short(&context.head_hash)
                ),
            ),
            ("Printed at".to_owned(), printing.at.to_display()),
            (
                "Printed by".to_owned(),
                format!("{} ({})", printing.full_name, printing.username),
            ),
        ],
        sections,
        footer: format!(
            "Batch record {} · version {} · {printed}",
            sheet.id, sheet.version
        ),
        printed_at: printing.printed_at,
    }
}

/// `code — name`, or the code alone when the record has no name for it.
fn named(code: &str, name: &Option<String>) -> String {
    match name {
        Some(name) => format!("{code} — {name}"),
        None => code.to_owned(),
    }
}

/// A stored code as words: `awaiting_review` → `awaiting review`.
pub(super) fn words(code: &str) -> String {
    code.replace('_', " ")
}

/// The first [`HASH_DIGITS`] hex digits of a hash, marked as shortened.
pub(super) fn short(hash: &str) -> String {
    match hash.get(..HASH_DIGITS) {
        Some(prefix) if hash.len() > HASH_DIGITS => format!("{prefix}…"),
        _ => hash.to_owned(),
    }
}

/// Whether the record is complete, reviewed, blocked, and a warning when it is not
/// final, so that a print of a running batch is never taken for the executed record.
fn state(sheet: &Sheet) -> Section {
    let mut section = Section::new("Record status");
    if sheet.status == "in_progress" {
        section.blocks.push(Block::Note {
            tone: Tone::Warning,
            title: "Batch in progress".to_owned(),
            text: vec![
                format!(
                    "This print shows the record at version {}. Entries and signatures made \
                     after it are not on it.",
                    sheet.version
                )
                .into(),
            ],
        });
    }
    let done = sheet
        .steps
        .iter()
        .filter(|s| matches!(s.status.as_str(), "done" | "skipped"))
        .count();
    let skipped = sheet.steps.iter().filter(|s| s.status == "skipped").count();
    let mut steps = format!("{done} of {} done", sheet.steps.len());
    if skipped > 0 {
        steps.push_str(&format!(" ({skipped} skipped)"));
    }
    let yes_no = |yes: bool, said_yes: &str, said_no: &str| {
        vec![Span::plain(if yes { said_yes } else { said_no })]
    };
    let blocking = if sheet.blocking.is_empty() {
        vec![Span::plain("none")]
    } else {
        vec![
            Span::strong(sheet.blocking.join(", ")),
            Span::muted(" (critical, not yet acknowledged by QA: nothing can be entered)"),
        ]
    };
    section.blocks.push(Block::KeyValues(vec![
        ("Steps".to_owned(), vec![steps.into()]),
        (
            "Complete".to_owned(),
            yes_no(
                sheet.complete,
                "yes: every step done and signed as the MBR requires",
                "no",
            ),
        ),
        (
            "Reviewed".to_owned(),
            yes_no(
                sheet.reviewed,
                "yes: QA's review signature covers the record as printed",
                "no: not reviewed, or changed since the review",
            ),
        ),
        ("Blocking exceptions".to_owned(), blocking),
    ]));
    section
}

/// Every exception raised in the batch, with its status in its own record and QA's
/// acknowledgement (a signature meaning "reviewed" on the exception's number).
fn exceptions(sheet: &Sheet, context: &RecordContext) -> Section {
    let rows = sheet
        .exceptions
        .iter()
        .map(|e| {
            let classification = Classification::parse("classification", &e.classification)
                .map_or(e.classification.as_str(), |c| c.label());
            let status = context.exception_status.get(&e.number).map_or_else(
                || Span::muted("not found among the exceptions"),
                |s| Span::plain(words(s)),
            );
            let acknowledgement = match acknowledged_by(sheet, &e.number) {
                Some(sig) => vec![
                    Span::plain(format!(
                        "acknowledged by {} ({})",
                        sig.printed_name, sig.signer
                    )),
                    Span::muted(format!("\n{}", sig.signed_at.to_display())),
                ],
                None if e.acknowledged => vec!["acknowledged".into()],
                None if e.classification == Classification::Critical.as_str() => vec![
                    Span::strong("not acknowledged"),
                    Span::muted("\nthe batch is blocked until QA acknowledges it"),
                ],
                None => vec![Span::muted("not required (not critical)")],
            };
            Row::new(vec![
                vec![Span::code(&e.number)],
                vec![Span::code(&e.step), Span::plain(step_name(sheet, &e.step))],
                vec![Span::strong(classification)],
                vec![e.title.as_str().into()],
                vec![status],
                acknowledgement,
            ])
        })
        .collect();
    listing(
        "Exceptions",
        "No exception was raised in this batch.",
        vec![
            Column::new("Number", 2),
            Column::new("Step", 2),
            Column::new("Classification", 2),
            Column::new("Title", 4),
            Column::new("Status", 2),
            Column::new("QA acknowledgement", 3),
        ],
        rows,
    )
}

/// A section of one table, or of the sentence `none` when the table has no rows.
fn listing(heading: &str, none: &str, columns: Vec<Column>, rows: Vec<Row>) -> Section {
    let section = Section::new(heading);
    if rows.is_empty() {
        section.with(Block::Paragraph(vec![none.into()]))
    } else {
        section.with(Block::Table(Table { columns, rows }))
    }
}

/// QA's acknowledgement of exception `number`: the last signature on it.
fn acknowledged_by<'a>(sheet: &'a Sheet, number: &str) -> Option<&'a Signature> {
    sheet
        .signatures
        .iter()
        .rev()
        .find(|s| s.subject.as_deref() == Some(number) && s.meaning == "reviewed")
}

/// `" — Step name"` of step `id`, or nothing for a step the MBR does not have.
fn step_name(sheet: &Sheet, id: &str) -> String {
    sheet
        .steps
        .iter()
        .find(|s| s.id == id)
        .map_or_else(String::new, |s| format!(" — {}", s.name))
}

/// Entries the checks refused (a wrong lot, unclean equipment), kept with the reason.
fn refused(sheet: &Sheet) -> Section {
    let rows = sheet
        .refused
        .iter()
        .map(|r| {
            let mut by = vec![Span::plain(&r.by)];
            if let Some(device) = &r.device {
                by.push(Span::muted(format!("\non {device}")));
            }
            Row::new(vec![
                vec![Span::code(&r.step), Span::plain(step_name(sheet, &r.step))],
                vec![r.attempted.as_str().into()],
                vec![r.reason.as_str().into()],
                by,
                vec![r.recorded_at.to_display().into()],
            ])
        })
        .collect();
    listing(
        "Refused attempts",
        "The checks refused no entry in this batch.",
        vec![
            Column::new("Step", 3),
            Column::new("Attempted", 3),
            Column::new("Why it was refused", 5),
            Column::new("By", 2),
            Column::new("Recorded (UTC)", 3),
        ],
        rows,
    )
}

/// What QA must look at: the review-by-exception list.
fn review(sheet: &Sheet) -> Section {
    let rows = sheet
        .review
        .iter()
        .map(|item| {
            let kind =
                ReviewKind::parse("kind", &item.kind).map_or(item.kind.as_str(), |k| k.label());
            let entry = item
                .entry
                .map_or_else(Vec::new, |n| vec![Span::plain(format!("#{n}"))]);
            Row::new(vec![
                vec![Span::strong(kind)],
                vec![
                    Span::code(&item.step),
                    Span::plain(format!(" — {}", item.step_name)),
                ],
                entry,
                vec![item.summary.as_str().into()],
            ])
        })
        .collect();
    listing(
        "Review by exception",
        "Nothing needs a human look: every step ran as the MBR says.",
        vec![
            Column::new("What", 2),
            Column::new("Step", 3),
            Column::new("Entry", 1),
            Column::new("Summary", 7),
        ],
        rows,
    )
}

/// The manifestation of every signature (21 CFR 11.50): the signer's printed name,
/// the date and time, the meaning, and what it was bound to — the part of the record,
/// the record version and its ledger hash.
fn signatures(sheet: &Sheet) -> Section {
    let rows: Vec<Row> = sheet
        .signatures
        .iter()
        .map(|sig| {
            Row::new(vec![
                vec![
                    Span::strong(&sig.printed_name),
                    Span::muted(format!("\n{}", sig.signer)),
                ],
                vec![Span::strong(sig.meaning_label())],
                vec![sig.signed_at.to_display().into()],
                signed_for(sheet, sig),
                vec![
                    Span::plain(format!("version {}", sig.record_version)),
                    Span::muted("\nSHA-256 "),
                    Span::code(short(&sig.record_hash)),
                ],
            ])
        })
        .collect();
    let mut section = listing(
        "Signatures",
        "No one has signed this record yet.",
        vec![
            Column::new("Signed by", 3),
            Column::new("Meaning", 2),
            Column::new("Date and time (UTC)", 3),
            Column::new("Signed for", 4),
            Column::new("Bound to", 3),
        ],
        rows,
    );
    if !sheet.signatures.is_empty() {
        section.blocks.insert(
            0,
            Block::Paragraph(vec![Span::muted(
                "Each electronic signature shows the signer's printed name, the date and \
                 time it was executed and its meaning (21 CFR 11.50), and the record version \
                 and ledger hash it is bound to.",
            )]),
        );
    }
    section
}

/// The part of the record a signature is about: a step, an exception, or the record.
fn signed_for(sheet: &Sheet, sig: &Signature) -> Vec<Span> {
    let Some(subject) = &sig.subject else {
        return vec!["the batch record".into()];
    };
    if let Some(step) = sheet.steps.iter().find(|s| &s.id == subject) {
        return vec![
            "step ".into(),
            Span::code(&step.id),
            Span::plain(format!(" — {}", step.name)),
        ];
    }
    if sheet.exceptions.iter().any(|e| &e.number == subject) {
        return vec!["exception ".into(), Span::code(subject)];
    }
    vec![Span::code(subject)]
}
