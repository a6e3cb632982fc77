//! The PDF, read back with a text extractor as a reader's PDF viewer would.

use vplant_document::{Block, Section, to_pdf};

use crate::fixtures::{batch_record, long_table, one_cell};

fn pages(pdf: &[u8]) -> Vec<String> {
    pdf_extract::extract_text_from_mem_by_pages(pdf).expect("the PDF can be read")
}

/// The text with all whitespace removed, to find words however lines were broken.
fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn the_pdf_reads_back_with_every_character_of_the_record() {
    let pdf = to_pdf(&batch_record()).unwrap();

    assert!(pdf.starts_with(b"%PDF-"));
    let pages = pages(&pdf);
    assert_eq!(pages.len(), 1);
    let text = &pages[0];
    for expected in [
        "Executed batch record",
        "Ljubljana — Črnuče",
        "Anna Kovač",
        "sup.špela",
        "op.žiga",
        "µ-content",
        "≤ 40 °C",
        "± 0.5 %",
        "LIMS-2026-004711",
        "Approved for release",
        "EX-2026-0042",
        "Page 1 of 1",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
}

#[test]
fn the_old_value_of_a_correction_stays_in_the_text_beside_the_marked_new_one() {
    let text = squeezed(&pages(&to_pdf(&batch_record()).unwrap())[0]);

    assert!(text.contains("48°CΔ38°C"), "{text}");
    assert!(
        text.contains("Reason:transcriptionerror,seeentry2.1"),
        "{text}"
    );
    assert!(
        text.contains("Δmarksavaluechangedafterfirstentry"),
        "{text}"
    );
}

#[test]
fn a_long_table_runs_over_pages_numbered_n_of_m_with_its_header_repeated() {
    let pages = pages(&to_pdf(&long_table(300)).unwrap());

    let total = pages.len();
    assert!(total >= 4, "300 rows on {total} pages");
    for (index, page) in pages.iter().enumerate() {
        let number = format!("Page {} of {total}", index + 1);
        assert!(page.contains(&number), "{number:?} missing from:\n{page}");
        assert!(
            page.contains("Entry number"),
            "no header on page {}",
            index + 1
        );
        assert!(
            page.contains("Recorded value"),
            "no header on page {}",
            index + 1
        );
    }
    let all = pages.concat();
    for n in 1..=300 {
        let entry = format!("entry-{n:03}");
        assert_eq!(all.matches(&entry).count(), 1, "{entry}");
    }
    assert!(pages[1].contains("entry-"), "page 2 continues the table");
}

#[test]
fn an_unbreakable_word_wider_than_its_cell_is_broken_not_lost() {
    // About thirty lines of the narrow column: broken between characters, on one page.
    let word = "SHA256:".to_owned() + &"0123456789abcdef".repeat(20);

    let pdf = to_pdf(&one_cell(&word)).unwrap();

    let pages = pages(&pdf);
    assert_eq!(pages.len(), 1);
    let text = squeezed(&pages[0]);
    assert!(text.contains(&format!("{word}after")), "{text}");
}

#[test]
fn a_row_taller_than_a_page_is_split_across_pages() {
    let text: String = (1..=200).map(|n| format!("line-{n:03}\n")).collect();

    let pages = pages(&to_pdf(&one_cell(&text)).unwrap());

    assert!(pages.len() >= 3, "{} pages", pages.len());
    let all = pages.concat();
    for n in 1..=200 {
        assert!(all.contains(&format!("line-{n:03}")), "line-{n:03}");
    }
    assert!(pages[1].contains("Narrow"), "the header is repeated");
}

#[test]
fn the_same_record_prints_to_the_same_bytes() {
    assert_eq!(
        to_pdf(&batch_record()).unwrap(),
        to_pdf(&batch_record()).unwrap()
    );
}

#[test]
fn a_malformed_table_is_refused_before_anything_is_drawn() {
    let mut record = one_cell("x");
    if let Block::Table(table) = &mut record.sections[0].blocks[0] {
        table.rows[0].cells.pop();
    }
    record.sections.push(Section::new("After"));

    let error = to_pdf(&record).unwrap_err();

    assert_eq!(error.code(), "VP-DOCUMENT-TABLE");
}

#[test]
fn the_pdf_is_pdf_a_2u_with_subset_fonts_embedded_and_the_print_time_as_its_date() {
    let pdf = to_pdf(&batch_record()).unwrap();
    let bytes = String::from_utf8_lossy(&pdf);

    assert!(
        bytes.contains("<pdfaid:part>2</pdfaid:part>"),
        "no PDF/A part"
    );
    assert!(bytes.contains("<pdfaid:conformance>U</pdfaid:conformance>"));
    assert!(bytes.contains("D:20261122100000"), "no creation date");
    for face in ["DejaVuSans", "DejaVuSans-Bold", "DejaVuSansMono"] {
        // A subset font is named with a six-letter tag: /BaseFont/ABCDEF+DejaVuSans.
        let subset = bytes
            .match_indices(&format!("+{face}/"))
            .chain(bytes.match_indices(&format!("+{face}>")))
            .count();
        assert!(subset > 0, "{face} is not embedded as a subset");
    }
    assert_eq!(
        bytes.matches("/FontFile2").count(),
        3,
        "one embedded program per face"
    );
}

#[test]
fn a_character_the_fonts_lack_is_drawn_as_a_replacement_but_its_text_is_kept() {
    let pdf = to_pdf(&one_cell("Operator 山田 signed")).unwrap();

    // Both characters are drawn with the one replacement glyph. The font's Unicode map
    // names the first; the second is named by an /ActualText span, which this
    // extractor ignores (PDF viewers and pdftotext read it), so look for the span.
    let text = pages(&pdf).concat();
    assert!(text.contains("Operator 山"), "{text}");
    let document = lopdf::Document::load_mem(&pdf).unwrap();
    let page = document.get_pages()[&1];
    let content = String::from_utf8_lossy(&document.get_page_content(page).unwrap()).into_owned();
    assert!(content.contains("/ActualText<FEFF7530>"), "{content}");
}
