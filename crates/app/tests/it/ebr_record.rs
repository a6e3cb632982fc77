//! The executed batch record as a document (issue 4): every entry with who and when,
//! a correction's old value struck but legible beside the new one marked as changed
//! after first entry (Annex 11 §8.2), every exception and refused attempt, every
//! signature's manifestation (21 CFR 11.50), as HTML and as PDF/A; a batch still
//! running is printed with a warning, and only to those who see its site.

use vplant_app::ebr_record::{to_html, to_pdf};
use vplant_app::ebrs::StartInput;
use vplant_app::mbrs::{RecipeFormat, read_recipe};
use vplant_app::{AppError, Request};
use vplant_document::{Block, Document, Row, Span, Style, Tone};
use vplant_domain::DomainError;
use vplant_domain::identity::{Principal, Scope};
use vplant_testkit::{TestDb, block_on};

use crate::mes::{Floor, HARDNESS_REASON, MBR, floor};

/// The value of header fact `label`.
fn meta<'a>(record: &'a Document, label: &str) -> &'a str {
    record
        .meta
        .iter()
        .find(|(l, _)| l == label)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {label:?} in {:#?}", record.meta))
}

/// The rows of the tables of the sections whose heading `matches`.
fn rows_where(record: &Document, matches: impl Fn(&str) -> bool) -> Vec<&Row> {
    record
        .sections
        .iter()
        .filter(|s| matches(&s.heading))
        .flat_map(|s| &s.blocks)
        .filter_map(|b| match b {
            Block::Table(t) => Some(&t.rows),
            _ => None,
        })
        .flatten()
        .collect()
}

/// The rows of the tables of the section headed `heading`.
fn rows<'a>(record: &'a Document, heading: &str) -> Vec<&'a Row> {
    assert!(
        record.sections.iter().any(|s| s.heading == heading),
        "no section {heading:?}"
    );
    rows_where(record, |h| h == heading)
}

/// A row's text, cells separated by " | ".
fn text(row: &Row) -> String {
    row.cells
        .iter()
        .map(|cell| cell.iter().map(|s| s.text.as_str()).collect::<String>())
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Every row of every unit procedure.
fn step_rows(record: &Document) -> Vec<&Row> {
    rows_where(record, |h| h.starts_with("Unit procedure: "))
}

fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Called at the end of the tablet batch of `mes.rs`, released by QA: `critical`
/// is the exception its loss-on-drying value raised.
pub(crate) fn the_released_record_prints_in_full(f: &Floor, critical: &str) {
    let app = &f.app;
    let qa = f.user("qa.lead");
    let record = block_on(app.ebr_record(&qa, "BSL/B001")).unwrap();
    let view = block_on(app.ebr(&Scope::All, "BSL/B001")).unwrap();

    assert_eq!(record.title, "Executed batch record");
    assert_eq!(meta(&record, "Batch"), "BSL/B001");
    assert_eq!(meta(&record, "Site"), "BSL — Basel");
    assert_eq!(
        meta(&record, "Product"),
        "PCM500 — Paracetamol 500 mg film-coated tablets"
    );
    assert_eq!(meta(&record, "Production order"), "PO-2026-0415");
    assert_eq!(meta(&record, "Master batch record"), "MBR-PCM500 version 1");
    assert_eq!(meta(&record, "Batch size"), "360 kg");
    assert_eq!(meta(&record, "Status"), "released");
    let head = view.ledger.last().unwrap();
    assert_eq!(
        meta(&record, "Record version"),
        format!("{} · ledger hash {}…", head.version, &head.hash[..16])
    );
    assert_eq!(meta(&record, "Printed at"), app.store.now().to_display());
    assert_eq!(meta(&record, "Printed by"), "qa.lead person (qa.lead)");
    assert!(
        record.footer.starts_with(&format!(
            "Batch record BSL/B001 · version {} · printed ",
            head.version
        )),
        "{}",
        record.footer
    );
    assert!(
        !record
            .sections
            .iter()
            .flat_map(|s| &s.blocks)
            .any(|b| matches!(b, Block::Note { .. })),
        "a released record carries no in-progress warning"
    );

    // Every entry is printed once, with who made it, on which device, when it was
    // done and when it reached the ledger.
    let steps = step_rows(&record);
    for entry in view.state.entries.iter().map(|e| &e.recorded) {
        let mark = format!("#{} ", entry.entry);
        let found: Vec<&&Row> = steps
            .iter()
            .filter(|r| r.cells[2].first().is_some_and(|s| s.text == mark))
            .collect();
        assert_eq!(found.len(), 1, "entry {} printed once", entry.entry);
        let row = text(found[0]);
        assert!(row.contains(&entry.by), "{row}");
        assert!(row.contains("on TAB-07"), "{row}");
        assert!(
            row.contains(&format!("done {}", entry.performed_at.to_display())),
            "{row}"
        );
        assert!(row.contains("\nrecorded "), "{row}");
    }

    // The correction: the old value struck, the new one marked changed, the reason.
    let corrected = steps
        .iter()
        .find(|r| r.cells[2].contains(&Span::changed("118 N")))
        .expect("the corrected hardness is marked as changed");
    assert!(corrected.is_changed());
    assert!(corrected.cells[2].contains(&Span::struck("128 N")));
    assert!(
        corrected.cells[2].contains(&Span::muted(format!("\nReason: {HARDNESS_REASON}"))),
        "{}",
        text(corrected)
    );
    let superseded = steps
        .iter()
        .find(|r| r.cells[2].get(1) == Some(&Span::struck("128 N")))
        .expect("the misread entry stays, struck");
    assert!(text(superseded).contains("corrected by entry"));
    assert!(record.has_corrections(), "the legend is printed");

    // The out-of-specification value is marked where it stands.
    assert!(
        steps.iter().any(
            |r| r.cells[2].contains(&Span::strong("\nOutside specification"))
                && text(r).contains("3.4 %")
        ),
        "the loss on drying is marked"
    );

    // Every exception, with its status in its own record and QA's acknowledgement.
    let exceptions = rows(&record, "Exceptions");
    assert_eq!(exceptions.len(), view.state.exceptions.len());
    for linked in &view.state.exceptions {
        let number = &linked.exception.number;
        let row = exceptions
            .iter()
            .find(|r| r.cells[0] == vec![Span::code(number)])
            .unwrap_or_else(|| panic!("exception {number} is not printed"));
        let row = text(row);
        assert!(row.contains(&linked.exception.title), "{row}");
        assert!(row.contains("| closed |"), "{row}");
        if number == critical {
            assert!(row.contains("Critical"), "{row}");
            assert!(
                row.contains("acknowledged by qa.lead person (qa.lead)"),
                "{row}"
            );
        }
    }

    // The refused attempt, with who tried and why it was refused.
    let refused = rows(&record, "Refused attempts");
    assert_eq!(refused.len(), 1);
    let refused = text(refused[0]);
    assert!(
        refused.contains("is MCC-102, this step dispenses PARACETAMOL"),
        "{refused}"
    );
    assert!(refused.contains("op.anna"), "{refused}");

    // The review list as QA saw it.
    let review = rows(&record, "Review by exception");
    assert_eq!(review.len(), view.review.len());
    assert!(
        text(review[4]).starts_with("Correction | "),
        "{}",
        text(review[4])
    );

    // Every signature's manifestation: printed name, date and time, meaning, and
    // what it is bound to.
    let signatures = block_on(app.signatures("ebr/BSL/B001")).unwrap();
    let printed = rows(&record, "Signatures");
    assert_eq!(printed.len(), signatures.len());
    for (sig, row) in signatures.iter().zip(&printed) {
        let row = text(row);
        for expected in [
            sig.printed_name.clone(),
            sig.signer.clone(),
            sig.meaning_label().to_owned(),
            sig.signed_at.to_display(),
            format!("version {}", sig.record_version),
            sig.record_hash[..16].to_owned(),
        ] {
            assert!(row.contains(&expected), "{expected:?} missing from {row}");
        }
        let bound = match &sig.subject {
            None => "the batch record".to_owned(),
            Some(s) if s.starts_with("EX-") => format!("exception {s}"),
            Some(s) => format!("step {s} — "),
        };
        assert!(row.contains(&bound), "{bound:?} missing from {row}");
    }
    assert!(
        signatures
            .iter()
            .any(|s| s.meaning == "released" && s.subject.is_none())
    );

    // The print view: the old value struck through, the new one marked.
    let html = to_html(&record).unwrap();
    assert!(html.contains(r#"<del class="struck" title="old value of a correction">128 N</del>"#));
    assert!(
        html.contains(
            r#"<span class="mark" title="changed after first entry">Δ</span>118 N</span>"#
        )
    );
    assert!(html.contains("Δ marks a value changed after first entry"));
    assert!(html.contains(critical));

    // The PDF/A, read back as a reader's viewer does.
    let pdf = block_on(to_pdf(record.clone())).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let raw = String::from_utf8_lossy(&pdf);
    assert!(raw.contains("<pdfaid:part>2</pdfaid:part>"), "PDF/A-2");
    assert!(raw.contains("<pdfaid:conformance>U</pdfaid:conformance>"));
    let pages = pdf_extract::extract_text_from_mem_by_pages(&pdf).unwrap();
    let all = squeezed(&pages.concat());
    assert!(all.contains("128N→Δ118N"), "{all}");
    assert!(all.contains(&squeezed(HARDNESS_REASON)));
    assert!(all.contains(critical));
    assert!(all.contains("qa.leadperson"));
    let total = pages.len();
    assert!(
        pages[total - 1].contains(&format!("Page {total} of {total}")),
        "{}",
        pages[total - 1]
    );
}

/// Imports, approves and makes effective the tablet MBR, and starts batch B001.
fn started_batch(f: &Floor) {
    let app = &f.app;
    let author = Request::by("author.kim");
    let recipe = read_recipe(MBR, RecipeFormat::Yaml).unwrap();
    block_on(app.save_mbr(recipe, "import", &author)).unwrap();
    block_on(app.submit_mbr("MBR-PCM500", 1, &author)).unwrap();
    f.sign("qa.lead", "mbr/MBR-PCM500/1", "approved").unwrap();
    block_on(app.make_mbr_effective("MBR-PCM500", 1, &author)).unwrap();
    let start = StartInput {
        site: "BSL".into(),
        number: "B001".into(),
        order: "PO-2026-0416".into(),
        mbr: "MBR-PCM500".into(),
        size: "180".into(),
        size_unit: "kg".into(),
    };
    block_on(app.start_batch(&Scope::All, &start, &Request::by("sup.ben"))).unwrap();
}

vplant_testkit::backend_tests!(a_batch_in_progress_prints_with_a_warning_to_those_who_see_its_site);

fn a_batch_in_progress_prints_with_a_warning_to_those_who_see_its_site(db: TestDb) {
    let (f, _db) = floor(db);
    started_batch(&f);
    f.step("disp_line_clearance", "", "");
    let reason = "Balance verified by metrology this morning, see log M-114";
    block_on(f.app.skip_step(
        &Scope::All,
        "BSL/B001",
        "scale_check",
        reason,
        &Request::by("sup.ben"),
    ))
    .unwrap();

    let operator = f.user("op.anna");
    let record = block_on(f.app.ebr_record(&operator, "BSL/B001")).unwrap();

    assert_eq!(meta(&record, "Status"), "in progress");
    let warning = record
        .sections
        .iter()
        .flat_map(|s| &s.blocks)
        .find_map(|b| match b {
            Block::Note { tone, title, text } => Some((*tone, title, text)),
            _ => None,
        })
        .expect("a print of a running batch says so");
    assert_eq!(warning.0, Tone::Warning);
    assert_eq!(warning.1, "Batch in progress");
    let steps = step_rows(&record);
    let skipped = steps
        .iter()
        .map(|r| text(r))
        .find(|t| t.starts_with("scale_check"))
        .unwrap();
    assert!(skipped.contains("skipped by sup.ben at "), "{skipped}");
    assert!(skipped.contains(&format!("Reason: {reason}")), "{skipped}");
    assert!(
        steps
            .iter()
            .any(|r| r.cells[2] == vec![Span::muted("no entry")]),
        "steps not reached yet are printed without entries"
    );
    assert!(!record.has_corrections(), "no legend without corrections");
    assert!(
        !record.spans().any(|s| s.style == Style::Changed),
        "nothing is marked changed"
    );
    // The skip raised a major exception, still open.
    let exceptions = rows(&record, "Exceptions");
    assert_eq!(exceptions.len(), 1);
    let exception = text(exceptions[0]);
    assert!(exception.contains("Major"), "{exception}");
    assert!(exception.contains("| open |"), "{exception}");
    assert!(
        exception.contains("not required (not critical)"),
        "{exception}"
    );
    assert_eq!(
        rows(&record, "Signatures").len(),
        1,
        "the line clearance's performed signature"
    );

    // Someone who sees only another site is told the record does not exist, in the
    // same words as for a batch that does not.
    let elsewhere = Principal {
        limited_to_sites: true,
        sites: ["ZRH".to_owned()].into(),
        ..operator
    };
    let hidden = block_on(f.app.ebr_record(&elsewhere, "BSL/B001")).unwrap_err();
    let missing = block_on(f.app.ebr_record(&f.user("op.anna"), "BSL/B999")).unwrap_err();
    for error in [&hidden, &missing] {
        assert!(
            matches!(
                error,
                AppError::Domain(DomainError::NotFound {
                    what: "batch record",
                    ..
                })
            ),
            "{error:?}"
        );
    }
}
