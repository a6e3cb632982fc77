//! KPIs through the application: a dashboard over tracker data and exceptions, the
//! records behind a figure, a partner's view of only its site, and recorded figures
//! that later data never rewrites.

use std::collections::BTreeSet;

use vplant_app::kpi::DashboardQuery;
use vplant_app::{App, AppError, Request};
use vplant_domain::DomainError;
use vplant_domain::exception::RaiseInput;
use vplant_domain::exception::fields::Origin;
use vplant_domain::identity::Scope;
use vplant_domain::kpi::period::{Granularity, Period};
use vplant_domain::product::{NewProduct, ProductCommand, ProductState};
use vplant_domain::site::{NewSite, SiteCommand, SiteState};
use vplant_testkit::{TestDb, block_on};

const HEADER: &str = "site,batch,product,actual_production_start,actual_production_complete,actual_disposition,disposition";

fn setup(db: &TestDb) -> App {
    let app = App::new(db.store()).unwrap();
    let by = Request::by("admin");
    for code in ["CMO-A", "CMO-B"] {
        let site = NewSite::parse(code, code, "cmo", "FR").unwrap();
        block_on(app.execute::<SiteState>(code, SiteCommand::Register(site), &by)).unwrap();
    }
    let product = NewProduct::parse("PARA-500", "Paracetamol", "tablet", "500 mg").unwrap();
    block_on(app.execute::<ProductState>("PARA-500", ProductCommand::Register(product), &by))
        .unwrap();
    app
}

fn tracker(app: &App, rows: &[&str]) {
    let file = format!("{HEADER}\n{}", rows.join("\n"));
    block_on(app.import_tracker(&Scope::All, "t.csv", file.as_bytes(), &Request::by("vpt")))
        .unwrap();
}

/// Last month (an ended period), as `YYYY-MM`.
fn last_month(app: &App) -> Period {
    let today = app.store.now().date();
    Period::of(
        vplant_domain::kpi::period::month_index(today),
        Granularity::Month,
    )
    .previous()
}

fn tile<'a>(dashboard: &'a vplant_app::kpi::Dashboard, code: &str) -> &'a vplant_app::kpi::Tile {
    dashboard.tiles.iter().find(|t| t.code == code).unwrap()
}

#[test]
fn the_dashboard_counts_what_the_records_say_and_drills_down_to_them() {
    let db = TestDb::sqlite();
    let app = setup(&db);
    let m = last_month(&app).to_string();
    tracker(
        &app,
        &[
            &format!("CMO-A,A1,PARA-500,{m}-02,{m}-05,{m}-20,released"),
            &format!("CMO-A,A2,PARA-500,{m}-03,{m}-06,{m}-21,rejected"),
            &format!("CMO-B,B1,PARA-500,{m}-04,{m}-07,{m}-22,released"),
        ],
    );
    let exception = RaiseInput {
        site: "CMO-A".to_owned(),
        batches: vec!["CMO-A/A2".to_owned()],
        occurred: format!("{m}-04"),
        discovered: format!("{m}-04"),
        title: "Granule moisture high".to_owned(),
        description: "LOD 3.1 % against a limit of 2.5 %.".to_owned(),
        classification: "major".to_owned(),
        category: "process".to_owned(),
        ..RaiseInput::default()
    };
    block_on(app.raise_exception(
        &Scope::All,
        &exception,
        Origin::CmoReport,
        &Request::by("vpt"),
    ))
    .unwrap();
    let query = DashboardQuery {
        end: Some(last_month(&app)),
        periods: 3,
        ..DashboardQuery::default()
    };

    let board = block_on(app.dashboard(&Scope::All, &query)).unwrap();

    assert_eq!(board.periods.last().unwrap(), &m);
    let rft = tile(&board, "right_first_time");
    // A1 and B1 without exceptions, A2 with one: 2 of 3.
    assert_eq!((rft.numerators[2], rft.denominators[2]), (2.0, 3.0));
    assert!((rft.current.unwrap() - 200.0 / 3.0).abs() < 1e-9);
    assert_eq!(rft.rag.as_deref(), Some("red"));
    assert_eq!(
        rft.values[0], None,
        "no dispositions two months back: no value"
    );
    let lead = tile(&board, "disposition_lead_time");
    assert_eq!(lead.current, Some(15.0));
    assert_eq!(board.comparison.sites, ["CMO-A", "CMO-B"]);
    let rft_row = &board.comparison.values[board
        .tiles
        .iter()
        .position(|t| t.code == "right_first_time")
        .unwrap()];
    assert_eq!(rft_row, &vec![Some(50.0), Some(100.0)]);

    let (def, records) =
        block_on(app.kpi_records(&Scope::All, "right_first_time", &m, None, None)).unwrap();
    assert_eq!(def.version, 1);
    let mut ids: Vec<(String, f64)> = records
        .iter()
        .map(|r| (r.id.clone(), r.numerator))
        .collect();
    ids.sort_by(|a, b| a.0.cmp(&b.0));
    let expected: Vec<(String, f64)> = vec![
        ("CMO-A/A1".into(), 1.0),
        ("CMO-A/A2".into(), 0.0),
        ("CMO-B/B1".into(), 1.0),
    ];
    assert_eq!(ids, expected);

    // A partner sees its own site's figures only, and cannot ask for another's.
    let partner = Scope::Sites(BTreeSet::from(["CMO-B".to_owned()]));
    let own = block_on(app.dashboard(&partner, &query)).unwrap();
    assert_eq!(tile(&own, "right_first_time").current, Some(100.0));
    assert_eq!(own.comparison.sites, ["CMO-B"]);
    let (_, records) =
        block_on(app.kpi_records(&partner, "right_first_time", &m, None, None)).unwrap();
    assert_eq!(
        records.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        ["CMO-B/B1"]
    );
    let refused = block_on(app.kpi_records(&partner, "right_first_time", &m, Some("CMO-A"), None));
    assert!(
        matches!(refused, Err(AppError::Domain(DomainError::Validation(ref f))) if f[0].field == "site"),
        "{refused:?}"
    );
}

vplant_testkit::backend_tests!(recorded_figures_keep_their_version_and_are_never_rewritten);

fn recorded_figures_keep_their_version_and_are_never_rewritten(db: TestDb) {
    let app = setup(&db);
    let period = last_month(&app);
    let m = period.to_string();
    tracker(
        &app,
        &[&format!("CMO-A,A1,PARA-500,{m}-02,{m}-05,{m}-20,released")],
    );

    let first = block_on(app.record_kpi_results(&m, &Request::by("vpt"))).unwrap();
    let acceptance = |rows: &[vplant_store::queries::kpi::KpiResultRow], recording: u64| {
        rows.iter()
            .find(|r| {
                r.code == "lot_acceptance" && r.scope == "network" && r.recording == recording
            })
            .map(|r| (r.version, r.value.clone()))
    };
    assert_eq!(acceptance(&first, 1), Some((1, Some("100".to_owned()))));
    assert!(first.iter().any(|r| r.scope == "site:CMO-A"));

    // A late report changes the month; recording again adds, the first stays.
    tracker(
        &app,
        &[&format!("CMO-A,A2,PARA-500,{m}-03,{m}-06,{m}-21,rejected")],
    );
    block_on(app.record_kpi_results(&m, &Request::by("vpt"))).unwrap();
    let all = block_on(app.recorded_kpi_results(&Scope::All, &m)).unwrap();
    assert_eq!(acceptance(&all, 1), Some((1, Some("100".to_owned()))));
    assert_eq!(acceptance(&all, 2), Some((1, Some("50".to_owned()))));

    let current = period.next().next().to_string();
    let open = block_on(app.record_kpi_results(&current, &Request::by("vpt")));
    assert!(
        matches!(open, Err(AppError::Domain(DomainError::Validation(ref f))) if f[0].field == "period"),
        "{open:?}"
    );
}

#[test]
fn figures_follow_each_change_without_reading_everything_again() {
    let db = TestDb::sqlite();
    let app = setup(&db);
    let m = last_month(&app).to_string();
    tracker(
        &app,
        &[&format!("CMO-A,A1,PARA-500,{m}-02,{m}-05,{m}-20,released")],
    );
    let query = DashboardQuery {
        end: Some(last_month(&app)),
        periods: 1,
        ..DashboardQuery::default()
    };
    let rft = |app: &App| {
        let board = block_on(app.dashboard(&Scope::All, &query)).unwrap();
        tile(&board, "right_first_time").current
    };
    assert_eq!(rft(&app), Some(100.0));

    // An exception on the batch: the batch's exception count is patched in.
    let input = RaiseInput {
        site: "CMO-A".to_owned(),
        batches: vec!["CMO-A/A1".to_owned()],
        occurred: format!("{m}-03"),
        discovered: format!("{m}-03"),
        title: "Seal integrity".to_owned(),
        description: "Leak test failure on 3 blisters.".to_owned(),
        classification: "minor".to_owned(),
        category: "process".to_owned(),
        ..RaiseInput::default()
    };
    let raised =
        block_on(app.raise_exception(&Scope::All, &input, Origin::Vpt, &Request::by("vpt")))
            .unwrap();
    assert_eq!(rft(&app), Some(0.0));

    // Cancelled, it no longer counts.
    let cancel = vplant_domain::exception::ExceptionCommand::Cancel {
        reason: vplant_domain::fields::Reason::parse("reason", "Raised on the wrong batch")
            .unwrap(),
    };
    block_on(app.act_on_exception(&Scope::All, &raised.number, cancel, &Request::by("vpt")))
        .unwrap();
    assert_eq!(rft(&app), Some(100.0));
}
