//! The public batch history (Žagar & Mihelič 2022) imports completely, its genealogy
//! traces exactly as the files say, importing it again changes nothing, and a file
//! with problems is refused whole with a report naming row, column, value and reason.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use vplant_app::import::ImportError;
use vplant_app::{App, Request};
use vplant_domain::genealogy::{Direction, Node};
use vplant_domain::identity::Scope;
use vplant_store::queries::batches::BatchFilter;
use vplant_testkit::{TestDb, block_on, ledger_len};

fn data_set() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/tablet-batches")
}

/// The data set's Laboratory.csv as rows of cells, for checking the import against.
fn laboratory() -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_path(data_set().join("Laboratory.csv"))
        .unwrap();
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(|c| c.trim().to_owned()).collect())
        .collect();
    (header, rows)
}

vplant_testkit::backend_tests!(the_public_data_set_imports_completely_and_traces_exactly);

fn the_public_data_set_imports_completely_and_traces_exactly(db: TestDb) {
    let store = db.store();
    let app = App::new(store.clone()).unwrap();
    let by = Request::by("importer");

    let summary = block_on(app.import_tablet_batches(&data_set(), "CMO-SI", &by)).unwrap();

    let (_, total) = block_on(app.batches(
        &Scope::All,
        BatchFilter {
            limit: 1,
            ..BatchFilter::default()
        },
    ))
    .unwrap();
    assert_eq!(total, 1_005);
    // Forward from an excipient lot: exactly the batches whose row names that lot.
    let (header, rows) = laboratory();
    let starch = header.iter().position(|c| c == "starch_batch").unwrap();
    let expected: BTreeSet<String> = rows
        .iter()
        .filter(|r| r[starch] == "3")
        .map(|r| format!("CMO-SI/{}", r[0]))
        .collect();
    assert!(
        expected.len() > 10,
        "the fixture lot is used by many batches"
    );
    let trace = block_on(app.trace(
        &Scope::All,
        Node::Lot("STARCH/3".into()),
        Direction::Forward,
    ))
    .unwrap();
    let reached: BTreeSet<String> = trace.batches.iter().map(|b| b.id.clone()).collect();
    assert_eq!(reached, expected);
    assert_eq!(
        trace.lots.len(),
        expected.len(),
        "one product lot per batch"
    );
    // Backward from a product lot: its batch and the four input lots of its row.
    let back = block_on(app.trace(
        &Scope::All,
        Node::Lot("CLT-25/1".into()),
        Direction::Backward,
    ))
    .unwrap();
    let inputs: BTreeSet<String> = back.lots.iter().map(|l| l.id.clone()).collect();
    let row = &rows[0];
    let col = |name: &str| &row[header.iter().position(|c| c == name).unwrap()];
    assert_eq!(
        inputs,
        BTreeSet::from([
            format!("API-{}/{}", col("api_code"), col("api_batch")),
            format!("SMCC/{}", col("smcc_batch")),
            format!("LACTOSE/{}", col("lactose_batch")),
            format!("STARCH/{}", col("starch_batch")),
        ])
    );
    // Results are attached verbatim; a value written as spaces is not reported.
    let batch = block_on(app.batch(&Scope::All, "CMO-SI/1")).unwrap();
    let value = |test: &str| {
        batch
            .results
            .iter()
            .find(|r| r.test == test)
            .map(|r| r.value.clone())
    };
    assert_eq!(value("tbl_tensile").as_deref(), Some("1.412698315"));
    assert_eq!(
        batch
            .batch
            .actual
            .get("production_start")
            .map(String::as_str),
        Some("2018-11")
    );
    assert_eq!(batch.batch.size.as_deref(), Some("240000"));
    // The tablet-press readings of the batches the series cover are attached whole.
    let series = block_on(app.batch_series(&Scope::All, "CMO-SI/19")).unwrap();
    assert_eq!(series.len(), 1);
    let (source, press) = &series[0];
    assert_eq!(source, "tablet press (process/3.csv)");
    assert_eq!(
        press.rows.len(),
        3254,
        "every reading of batch 19 in process/3.csv"
    );
    assert!(press.columns.iter().any(|c| c == "main_comp"));
    assert_eq!(press.rows[0].0, "2018-11-18 22:28:52");

    // Importing again stores nothing.
    let events = ledger_len(&store);
    let again = block_on(app.import_tablet_batches(&data_set(), "CMO-SI", &by)).unwrap();
    assert_eq!((again.events, again.records), (0, summary.records));
    assert_eq!(ledger_len(&store), events);
}

/// A copy of the data set with `edit` applied to Laboratory.csv.
fn broken_copy(dir: &Path, edit: impl Fn(&str) -> String) -> PathBuf {
    let folder = dir.join("tablet-batches");
    std::fs::create_dir_all(folder.join("process")).unwrap();
    for name in ["Normalization.csv", "Process.csv"] {
        std::fs::copy(data_set().join(name), folder.join(name)).unwrap();
    }
    let lab = std::fs::read_to_string(data_set().join("Laboratory.csv")).unwrap();
    std::fs::write(folder.join("Laboratory.csv"), edit(&lab)).unwrap();
    folder
}

#[test]
fn a_file_with_problems_is_refused_whole_with_every_problem_named() {
    let db = TestDb::sqlite();
    let store = db.store();
    let app = App::new(store.clone()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Row 2 gets a month that does not exist, row 4 a word where a number belongs;
    // every other row is fine, and none of them may be stored.
    let folder = broken_copy(dir.path(), |lab| {
        let mut lines: Vec<String> = lab.lines().map(str::to_owned).collect();
        lines[1] = lines[1].replacen("nov.18", "xyz.18", 1);
        lines[3] = lines[3].replacen(";1.53;", ";high;", 1);
        lines.join("\n")
    });

    let refused = block_on(app.import_tablet_batches(&folder, "CMO-SI", &Request::by("importer")));

    let Err(ImportError::Rejected(problems)) = refused else {
        panic!("expected the import to be refused, got {refused:?}");
    };
    let found: Vec<(usize, &str, &str)> = problems
        .iter()
        .map(|p| (p.row, p.column.as_str(), p.value.as_str()))
        .collect();
    assert_eq!(
        found,
        vec![(2, "start", "xyz.18"), (4, "api_water", "high")]
    );
    assert_eq!(problems[0].file, "Laboratory.csv");
    assert!(
        problems[1].reason.contains("not a number"),
        "{}",
        problems[1].reason
    );
    assert_eq!(ledger_len(&store), 0, "nothing is stored");
}

#[test]
fn a_missing_column_names_the_column_and_stores_nothing() {
    let db = TestDb::sqlite();
    let store = db.store();
    let app = App::new(store.clone()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let folder = broken_copy(dir.path(), |lab| {
        lab.replacen("starch_batch", "starch_lot", 1)
    });

    let refused = block_on(app.import_tablet_batches(&folder, "CMO-SI", &Request::by("importer")));

    let Err(ImportError::Rejected(problems)) = refused else {
        panic!("expected the import to be refused, got {refused:?}");
    };
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(
        (problems[0].row, problems[0].column.as_str()),
        (1, "starch_batch")
    );
    assert_eq!(ledger_len(&store), 0);
}
