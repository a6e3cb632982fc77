//! The HTML print view.

use vplant_document::{Block, Column, Row, Section, Span, Table, to_html};

use crate::fixtures::{batch_record, one_cell};

#[test]
fn text_from_the_record_is_escaped_everywhere() {
    let mut record = batch_record();
    let attack = "<script>alert('x')</script> & \"quoted\"";
    record.title = attack.to_owned();
    record.meta.push(("Note".to_owned(), attack.to_owned()));
    record.footer = attack.to_owned();
    record
        .sections
        .push(Section::new(attack).with(Block::Table(Table {
            columns: vec![Column::new(attack, 1)],
            rows: vec![Row::new(vec![vec![
                Span::struck(attack),
                Span::changed(attack),
            ]])],
        })));

    let html = to_html(&record).unwrap();

    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("\"quoted\""), "{html}");
    let escaped = "&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62; &#38; &#34;quoted&#34;";
    // <title>, <h1>, the meta value, the section heading, the column title, the struck
    // and the changed value, the footer.
    assert_eq!(html.matches(escaped).count(), 8, "{html}");
}

#[test]
fn a_correction_shows_the_old_value_struck_and_the_new_one_marked() {
    let html = to_html(&batch_record()).unwrap();

    assert!(html.contains(r#"<del class="struck" title="old value of a correction">48 °C</del>"#));
    assert!(html.contains(
        r#"<span class="changed"><span class="mark" title="changed after first entry">Δ</span>38 °C</span>"#
    ));
    assert!(html.contains(r#"<tr class="changed">"#));
    assert!(html.contains("Δ marks a value changed after first entry"));
    assert!(html.contains("Reason: transcription error, see entry 2.1"));
}

#[test]
fn a_record_without_corrections_has_no_legend() {
    let html = to_html(&one_cell("12.51 kg")).unwrap();

    assert!(!html.contains("Δ"));
    assert!(!html.contains(r#"class="legend""#));
}

#[test]
fn the_page_prints_on_a4_with_headers_repeated_and_rows_kept_whole() {
    let html = to_html(&batch_record()).unwrap();

    assert!(html.contains("size: A4;"));
    assert!(html.contains(r#"content: "Page " counter(page) " of " counter(pages);"#));
    assert!(html.contains("thead { display: table-header-group; }"));
    assert!(html.contains("tr { break-inside: avoid;"));
    assert!(html.contains("@media print"));
    assert!(html.contains("Batch CMO-SI/19 · printed 2026-11-22 10:00 UTC by qa.anna"));
}

#[test]
fn a_row_with_a_cell_too_many_is_refused_with_its_place() {
    let mut record = one_cell("x");
    if let Block::Table(table) = &mut record.sections[0].blocks[0] {
        table.rows[0].cells.push(vec!["extra".into()]);
    }

    let error = to_html(&record).unwrap_err();

    assert_eq!(error.code(), "VP-DOCUMENT-TABLE");
    assert_eq!(
        error.to_string(),
        "table 1 of section \"Cell\" has 2 columns, but its row 1 has 3 cells; give every row \
         one cell per column"
    );
}
