//! The tracker file a CMO sends (CSV or XLSX, in the documented template): taken
//! whole or not at all, with every problem named by row, column, value and reason;
//! importing it again changes nothing; a later file changes only what differs, with
//! the file as the reason; an export imports back unchanged.

use std::collections::BTreeSet;

use vplant_app::import::ImportError;
use vplant_app::import::grid::{self, Format};
use vplant_app::{App, Request};
use vplant_domain::identity::Scope;
use vplant_domain::product::{NewProduct, ProductCommand, ProductState};
use vplant_domain::site::{NewSite, SiteCommand, SiteState};
use vplant_store::queries::batches::BatchFilter;
use vplant_testkit::{TestDb, block_on, ledger_len};

fn network(app: &App) {
    let by = Request::by("admin");
    for (code, kind) in [("CMO-A", "cmo"), ("CMO-B", "cmo"), ("INT", "internal")] {
        let site = NewSite::parse(code, code, kind, "FR").unwrap();
        block_on(app.execute::<SiteState>(code, SiteCommand::Register(site), &by)).unwrap();
    }
    let product = NewProduct::parse("PARA-500", "Paracetamol", "tablet", "500 mg").unwrap();
    block_on(app.execute::<ProductState>("PARA-500", ProductCommand::Register(product), &by))
        .unwrap();
}

fn partner_of(site: &str) -> Scope {
    Scope::Sites(BTreeSet::from([site.to_owned()]))
}

const HEADER: &str = "site,batch,product,size,unit,planned_production_start,actual_production_start,actual_production_complete,disposition,committed_quantity,committed_date";

fn csv(rows: &[&str]) -> Vec<u8> {
    let mut text = HEADER.to_owned();
    for row in rows {
        text.push('\n');
        text.push_str(row);
    }
    text.into_bytes()
}

fn import(
    app: &App,
    scope: &Scope,
    name: &str,
    bytes: &[u8],
) -> Result<vplant_app::import::ImportSummary, ImportError> {
    block_on(app.import_tracker(scope, name, bytes, &Request::by("cmo.a")))
}

fn problems(
    result: Result<vplant_app::import::ImportSummary, ImportError>,
) -> Vec<(usize, String, String)> {
    match result {
        Err(ImportError::Rejected(p)) => {
            p.into_iter().map(|p| (p.row, p.column, p.value)).collect()
        }
        other => panic!("expected the file to be refused, got {other:?}"),
    }
}

vplant_testkit::backend_tests!(
    a_cmo_reports_its_batches_by_file_and_a_second_file_changes_only_what_differs
);

fn a_cmo_reports_its_batches_by_file_and_a_second_file_changes_only_what_differs(db: TestDb) {
    let store = db.store();
    let app = App::new(store.clone()).unwrap();
    network(&app);
    let scope = partner_of("CMO-A");
    let file = csv(&[
        "CMO-A,A-001,para-500,250000,tablets,2026-03-02,2026-03-03,2026-03-09,released,250000,2026-04-30",
        "CMO-A,A-002,PARA-500,250000,tablets,2026-03-16,2026-03,,,,",
    ]);

    let first = import(&app, &scope, "march.csv", &file).unwrap();
    assert_eq!((first.records, first.changed_records), (2, 2));
    let (rows, total) = block_on(app.batches(
        &scope,
        BatchFilter {
            limit: 10,
            ..BatchFilter::default()
        },
    ))
    .unwrap();
    assert_eq!(total, 2);
    let a1 = rows.iter().find(|b| b.number == "A-001").unwrap();
    assert_eq!(
        a1.actual.get("production_complete").map(String::as_str),
        Some("2026-03-09")
    );
    assert_eq!(a1.disposition.as_deref(), Some("released"));
    assert_eq!(a1.committed_date.as_deref(), Some("2026-04-30"));
    let a2 = rows.iter().find(|b| b.number == "A-002").unwrap();
    assert_eq!(
        a2.actual.get("production_start").map(String::as_str),
        Some("2026-03"),
        "month precision kept"
    );

    // The same file again: nothing.
    let events = ledger_len(&store);
    assert_eq!(import(&app, &scope, "march.csv", &file).unwrap().events, 0);
    assert_eq!(ledger_len(&store), events);

    // A later file: A-002 gets its exact start day; A-001 is unchanged.
    let later = csv(&[
        "CMO-A,A-001,PARA-500,250000,tablets,2026-03-02,2026-03-03,2026-03-09,released,250000,2026-04-30",
        "CMO-A,A-002,PARA-500,250000,tablets,2026-03-16,2026-03-17,,,,",
    ]);
    let second = import(&app, &scope, "march-v2.csv", &later).unwrap();
    assert_eq!((second.changed_records, second.events), (1, 1));
    let history = block_on(app.history("batch/CMO-A/A-002")).unwrap();
    let last = history.last().unwrap();
    assert!(
        last.reason
            .as_deref()
            .unwrap()
            .starts_with("import of march-v2.csv (sha256 "),
        "{last:?}"
    );
    assert_eq!(last.changes[0].old.as_deref(), Some("2026-03"));
    assert_eq!(last.changes[0].new, "2026-03-17");
}

#[test]
fn a_file_with_any_bad_row_is_refused_whole_with_every_problem_named() {
    let db = TestDb::sqlite();
    let store = db.store();
    let app = App::new(store.clone()).unwrap();
    network(&app);
    let scope = Scope::All;
    let file = csv(&[
        "CMO-A,A-001,PARA-500,250000,tablets,2026-03-02,2026-03-03,,,,",
        "CMO-Z,A-002,PARA-500,250000,tablets,,,,,,",
        "CMO-A,A-003,PARA-500,lots,tablets,2026-02-30,,,shipped,,",
        "CMO-A,A-001,PARA-500,,,,,,,,",
        "INT,I-1,PARA-500,,,,,,,,",
        "CMO-A,A-004,ASPIRIN,100,,,,,,,",
    ]);

    let found = problems(import(&app, &scope, "bad.csv", &file));

    let expected: Vec<(usize, String, String)> = [
        (3, "site", "CMO-Z"),
        (4, "size", "lots"),
        (4, "planned_production_start", "2026-02-30"),
        (4, "disposition", "shipped"),
        (5, "batch", "A-001"),
        (6, "site", "INT"),
        (7, "product", "ASPIRIN"),
        (7, "size", "100"),
    ]
    .iter()
    .map(|(r, c, v)| (*r, (*c).to_owned(), (*v).to_owned()))
    .collect();
    let mut sorted = found.clone();
    sorted.sort();
    let mut wanted = expected.clone();
    wanted.sort();
    assert_eq!(sorted, wanted);
    assert_eq!(
        block_on(app.batches(
            &scope,
            BatchFilter {
                limit: 1,
                ..BatchFilter::default()
            }
        ))
        .unwrap()
        .1,
        0,
        "not even the good row is stored"
    );
    let _ = ledger_len(&store);
}

#[test]
fn wrong_columns_and_other_sites_are_refused() {
    let db = TestDb::sqlite();
    let app = App::new(db.store()).unwrap();
    network(&app);

    let wrong = b"site,batch,colour\nCMO-A,A-1,blue\n";
    let found = problems(import(&app, &Scope::All, "wrong.csv", wrong));
    assert_eq!(
        found,
        vec![
            (1, "colour".to_owned(), "colour".to_owned()),
            (1, "product".to_owned(), String::new()),
        ]
    );

    // A CMO partner of CMO-A cannot report for CMO-B, whether it exists or not.
    let other = csv(&["CMO-B,B-1,PARA-500,,,,,,,,"]);
    let found = problems(import(&app, &partner_of("CMO-A"), "other.csv", &other));
    assert_eq!(found, vec![(2, "site".to_owned(), "CMO-B".to_owned())]);

    let odd = problems(import(&app, &Scope::All, "batches.txt", b"site"));
    assert_eq!(odd, vec![(0, String::new(), String::new())]);
}

#[test]
fn an_export_in_xlsx_imports_back_without_a_change() {
    let db = TestDb::sqlite();
    let store = db.store();
    let app = App::new(store.clone()).unwrap();
    network(&app);
    let file = csv(&[
        "CMO-A,A-001,PARA-500,250000,tablets,2026-03-02,2026-03-03,2026-03-09,on hold,250000,2026-04-30",
        "CMO-B,B-7,PARA-500,,,2026-05,,,,,",
    ]);
    import(&app, &Scope::All, "tracker.csv", &file).unwrap();

    let xlsx =
        block_on(app.export_batches(&Scope::All, BatchFilter::default(), Format::Xlsx)).unwrap();
    let rows = grid::read(&xlsx, Format::Xlsx).unwrap();
    assert_eq!(rows.len(), 3, "header and two batches");
    let events = ledger_len(&store);
    let again = import(&app, &Scope::All, "export.xlsx", &xlsx).unwrap();
    assert_eq!((again.records, again.events), (2, 0));
    assert_eq!(ledger_len(&store), events);

    // A partner's export holds only its own site.
    let csv_export =
        block_on(app.export_batches(&partner_of("CMO-B"), BatchFilter::default(), Format::Csv))
            .unwrap();
    let text = String::from_utf8(csv_export).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(
        text.lines()
            .nth(1)
            .unwrap()
            .starts_with("CMO-B,B-7,PARA-500")
    );
    let template = vplant_app::tracker_file::template(Format::Csv).unwrap();
    assert_eq!(String::from_utf8(template).unwrap().lines().count(), 1);
}

#[test]
fn the_documentation_lists_every_column_of_the_template() {
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/tracker-import.md"),
    )
    .unwrap();
    for column in vplant_app::import::tracker::COLUMNS.iter() {
        let line = format!(
            "| `{}` | {} |",
            column.name,
            if column.required { "yes" } else { "no" }
        );
        assert!(doc.contains(&line), "docs/tracker-import.md lacks {line}");
    }
}

#[test]
fn a_partner_enters_one_batch_on_the_web_under_the_same_rules_as_a_file_row() {
    let db = TestDb::sqlite();
    let app = App::new(db.store()).unwrap();
    network(&app);
    let partner = partner_of("CMO-A");
    let entry = |pairs: &[(&str, &str)]| vplant_app::import::tracker::BatchEntry {
        fields: pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    };

    let id = block_on(app.report_batch(
        &partner,
        &entry(&[
            ("site", "CMO-A"),
            ("batch", "A-100"),
            ("product", "PARA-500"),
            ("planned_production_start", "2026-06-01"),
        ]),
        &Request::by("cmo.a"),
    ))
    .unwrap();
    assert_eq!(id, "CMO-A/A-100");
    let history = block_on(app.history("batch/CMO-A/A-100")).unwrap();
    assert_eq!(history[0].actor, "cmo.a");

    let refused = block_on(app.report_batch(
        &partner,
        &entry(&[
            ("site", "CMO-B"),
            ("batch", "B-1"),
            ("product", "PARA-500"),
            ("actual_production_start", "June"),
        ]),
        &Request::by("cmo.a"),
    ));
    let Err(vplant_app::AppError::Domain(vplant_domain::DomainError::Validation(fields))) = refused
    else {
        panic!("expected field errors, got {refused:?}");
    };
    let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(names, ["site", "actual_production_start"]);
}
