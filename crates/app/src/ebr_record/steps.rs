//! The steps of one unit procedure as a table: a row per entry (a step without
//! entries gets one row), so that each value stands beside who made it and when.
//! A correction shows the old value struck through and the new one marked Δ,
//! changed after first entry (EU GMP Annex 11 §8.2), with its reason.

use vplant_document::{Block, Column, Row, Section, Span, Table};
use vplant_domain::ebr::LATE_AFTER_MINUTES;
use vplant_domain::mbr::step::Excursion;

use super::document::words;
use crate::ebr_sheet::{Sheet, SheetEntry, SheetStep};

/// The section of unit procedure `name`: its steps in the MBR's order.
pub fn unit_procedure(sheet: &Sheet, name: &str) -> Section {
    let mut rows = Vec::new();
    for step in sheet.steps.iter().filter(|s| s.unit_procedure == name) {
        if step.entries.is_empty() {
            rows.push(Row::new(vec![
                step_cell(step),
                vec![step.target.as_str().into()],
                vec![Span::muted("no entry")],
                Vec::new(),
                status_cell(sheet, step),
            ]));
            continue;
        }
        for (i, entry) in step.entries.iter().enumerate() {
            let first = i == 0;
            rows.push(Row::new(vec![
                if first {
                    step_cell(step)
                } else {
                    vec![Span::code(&step.id)]
                },
                if first {
                    vec![step.target.as_str().into()]
                } else {
                    Vec::new()
                },
                entry_cell(sheet, entry),
                done_cell(entry),
                if first {
                    status_cell(sheet, step)
                } else {
                    Vec::new()
                },
            ]));
        }
    }
    Section::new(format!("Unit procedure: {name}")).with(Block::Table(Table {
        columns: vec![
            Column::new("Step", 4),
            Column::new("Target / limits", 3),
            Column::new("Entry", 4),
            Column::new("Done by · when (UTC)", 4),
            Column::new("Status and signatures", 3),
        ],
        rows,
    }))
}

/// The step's id, name, operation and instruction.
fn step_cell(step: &SheetStep) -> Vec<Span> {
    let mut cell = vec![
        Span::code(&step.id),
        "\n".into(),
        Span::strong(&step.name),
        Span::muted(format!("\n{}", step.operation)),
    ];
    if !step.instruction.is_empty() {
        cell.push(format!("\n{}", step.instruction).into());
    }
    cell
}

/// The value as entered, or as corrected: an entry that corrects another shows the
/// old value struck and its own marked changed; an entry corrected later is struck.
fn entry_cell(sheet: &Sheet, entry: &SheetEntry) -> Vec<Span> {
    let mut cell = vec![Span::muted(format!("#{} ", entry.entry))];
    match entry.corrects {
        Some(old) => {
            let before = sheet
                .steps
                .iter()
                .flat_map(|s| &s.entries)
                .find(|e| e.entry == old);
            match before {
                Some(before) => cell.push(Span::struck(&before.value)),
                None => cell.push(Span::muted(format!("entry {old}"))),
            }
            cell.push(" → ".into());
            cell.push(Span::changed(&entry.value));
            cell.push(Span::muted(format!("\ncorrects entry {old}")));
        }
        None if entry.corrected_by.is_some() => cell.push(Span::struck(&entry.value)),
        None => cell.push(Span::plain(&entry.value)),
    }
    if let Some(reason) = &entry.reason {
        cell.push(Span::muted(format!("\nReason: {reason}")));
    }
    if let Some(newer) = entry.corrected_by {
        cell.push(Span::muted(format!("\ncorrected by entry {newer}")));
    }
    if let Some(excursion) = &entry.excursion {
        let label =
            Excursion::parse("excursion", excursion).map_or(excursion.as_str(), |x| x.label());
        cell.push(Span::strong(format!("\n{label}")));
    }
    if entry.late {
        cell.push(Span::strong(format!(
            "\nLate: reached the record more than {LATE_AFTER_MINUTES} minutes after it was done"
        )));
    }
    cell
}

/// Who made the entry, on which device, when it was done by the device's clock and
/// when it reached the ledger by the server's.
fn done_cell(entry: &SheetEntry) -> Vec<Span> {
    let mut cell = vec![Span::plain(&entry.by)];
    if let Some(device) = &entry.device {
        cell.push(Span::muted(format!(" on {device}")));
    }
    cell.push(format!("\ndone {}", entry.performed_at.to_display()).into());
    cell.push(Span::muted(format!(
        "\nrecorded {}",
        entry.recorded_at.to_display()
    )));
    cell
}

/// The step's status, the skip if it was skipped, and the signatures given for it.
fn status_cell(sheet: &Sheet, step: &SheetStep) -> Vec<Span> {
    let mut cell = vec![Span::strong(&step.status_label)];
    if let Some(skip) = &step.skipped {
        cell.push(
            format!(
                "\nskipped by {} at {}",
                skip.by,
                skip.recorded_at.to_display()
            )
            .into(),
        );
        if let Some(reason) = &skip.reason {
            cell.push(Span::muted(format!("\nReason: {reason}")));
        }
    }
    // What the MBR asks to be signed; a skipped step asks nothing more.
    if step.signatures != "none" && step.skipped.is_none() {
        cell.push(Span::muted(format!("\nneeds: {}", words(&step.signatures))));
    }
    for sig in sheet
        .signatures
        .iter()
        .filter(|s| s.subject.as_deref() == Some(step.id.as_str()))
    {
        cell.push(
            format!(
                "\n{}: {} ({})",
                sig.meaning_label(),
                sig.printed_name,
                sig.signer
            )
            .into(),
        );
        cell.push(Span::muted(format!(" {}", sig.signed_at.to_display())));
    }
    cell
}
