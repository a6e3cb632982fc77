//! The formulas against fixtures computed by hand.

use super::compute::{Filter, GroupBy, Tally, drill, over, tally};
use super::definition::{Definition, KpiCode, Measure, Rag};
use super::facts::{ActionFact, BatchFact, Day, ExceptionFact, Facts};
use super::period::{Granularity, Period};
use crate::batch::events::Disposition;

fn d(text: &str) -> Option<Day> {
    Day::parse(text)
}

fn day(text: &str) -> Day {
    Day::parse(text).unwrap()
}

fn batch(facts: &mut Facts, id: &str, site: &str) -> BatchFact {
    BatchFact {
        id: id.to_owned(),
        site: facts.site(site),
        product: facts.product("PARA-500"),
        planned_start: None,
        started: None,
        completed: None,
        reviewed: None,
        dispositioned: None,
        disposition: None,
        committed_on: None,
        committed_quantity: None,
        delivered_on: None,
        delivered_quantity: None,
        exceptions: 0,
    }
}

/// Four batches at two sites, March and April 2026:
/// - A1 (CMO-A): released 2026-03-10, no exception; completed 03-01, reviewed 03-05
/// - A2 (CMO-A): rejected 2026-03-31, one exception; completed 03-20
/// - B1 (CMO-B): released 2026-04-01 (the next month), one exception
/// - B2 (CMO-B): on hold (not dispositioned)
fn fixture() -> Facts {
    let mut f = Facts {
        today: day("2026-04-15"),
        ..Facts::default()
    };
    let mut a1 = batch(&mut f, "CMO-A/A1", "CMO-A");
    a1.started = d("2026-02-20");
    a1.completed = d("2026-03-01");
    a1.reviewed = d("2026-03-05");
    a1.dispositioned = d("2026-03-10");
    a1.disposition = Some(Disposition::Released);
    a1.planned_start = d("2026-02-16");
    a1.committed_on = d("2026-03-20");
    a1.committed_quantity = Some(1000.0);
    a1.delivered_on = d("2026-03-19");
    a1.delivered_quantity = Some(1000.0);
    let mut a2 = batch(&mut f, "CMO-A/A2", "CMO-A");
    a2.started = d("2026-03-02");
    a2.completed = d("2026-03-20");
    a2.dispositioned = d("2026-03-31");
    a2.disposition = Some(Disposition::Rejected);
    a2.exceptions = 1;
    a2.planned_start = d("2026-02-20");
    a2.committed_on = d("2026-03-25");
    a2.committed_quantity = Some(1000.0);
    let mut b1 = batch(&mut f, "CMO-B/B1", "CMO-B");
    b1.started = d("2026-03");
    b1.dispositioned = d("2026-04-01");
    b1.disposition = Some(Disposition::Released);
    b1.exceptions = 1;
    b1.planned_start = d("2026-03");
    let mut b2 = batch(&mut f, "CMO-B/B2", "CMO-B");
    b2.dispositioned = d("2026-03-15");
    b2.disposition = Some(Disposition::OnHold);
    b2.planned_start = d("2026-04-10");
    f.batches = vec![a1, a2, b1, b2];
    let a = f.site("CMO-A");
    f.exceptions = vec![
        ExceptionFact {
            id: "EX-1".into(),
            site: a,
            product: None,
            discovered: day("2026-03-03"),
            due: day("2026-04-02"),
            closed: d("2026-03-30"),
            cancelled: false,
        },
        ExceptionFact {
            id: "EX-2".into(),
            site: a,
            product: None,
            discovered: day("2026-03-10"),
            due: day("2026-03-20"),
            closed: d("2026-04-01"),
            cancelled: false,
        },
        ExceptionFact {
            id: "EX-3".into(),
            site: a,
            product: None,
            discovered: day("2026-03-11"),
            due: day("2026-04-10"),
            closed: None,
            cancelled: true,
        },
    ];
    f.actions = vec![
        ActionFact {
            id: "AC-1".into(),
            capa: true,
            site: Some(a),
            due: day("2026-03-31"),
            closed: d("2026-03-31"),
            open: false,
        },
        ActionFact {
            id: "AC-2".into(),
            capa: false,
            site: Some(a),
            due: day("2026-04-14"),
            closed: None,
            open: true,
        },
        ActionFact {
            id: "AC-3".into(),
            capa: false,
            site: Some(a),
            due: day("2026-04-15"),
            closed: None,
            open: true,
        },
    ];
    f
}

fn figure(code: KpiCode, period: &str) -> (Tally, Option<f64>) {
    let facts = fixture();
    let def = Definition::current(code);
    let period = Period::parse("p", period).unwrap();
    let monthly = tally(
        &def,
        &facts,
        GroupBy::Network,
        &Filter::default(),
        period.first,
        period.last(),
    );
    let t = over(&monthly, 0, period);
    (t, t.value(def.measure))
}

fn close(value: Option<f64>, expected: f64) {
    let v = value.expect("a value");
    assert!((v - expected).abs() < 1e-9, "{v} != {expected}");
}

#[test]
fn right_first_time_counts_dispositioned_batches_without_exceptions_by_disposition_month() {
    // March: A1 (no exception) and A2 (one) are dispositioned; B2 is on hold; B1 is
    // April's (01 April belongs to April, not March).
    let (t, v) = figure(KpiCode::RightFirstTime, "2026-03");
    assert_eq!((t.numerator, t.denominator), (1.0, 2.0));
    close(v, 50.0);
    close(figure(KpiCode::RightFirstTime, "2026-04").1, 0.0);
    close(figure(KpiCode::RightFirstTime, "2026-Q1").1, 50.0);
    close(figure(KpiCode::RightFirstTime, "2026").1, 100.0 / 3.0);
}

#[test]
fn a_zero_denominator_gives_no_value_not_zero() {
    let (t, v) = figure(KpiCode::RightFirstTime, "2026-01");
    assert_eq!(t, Tally::default());
    assert_eq!(v, None);
    assert_eq!(figure(KpiCode::ExceptionCycleTime, "2025-12").1, None);
}

#[test]
fn lot_acceptance_and_exception_rate() {
    close(figure(KpiCode::LotAcceptance, "2026-03").1, 50.0);
    // March: EX-1 and EX-2 discovered (EX-3 cancelled) over A2 and B1 started in
    // March (A1 started in February): 2 per 2 batches = 100 per 100.
    close(figure(KpiCode::ExceptionRate, "2026-03").1, 100.0);
    // February: A1 started, no exception.
    close(figure(KpiCode::ExceptionRate, "2026-02").1, 0.0);
}

#[test]
fn exception_closure_on_time_and_cycle_time_by_closure_month() {
    // EX-1 closed 03-30 before its due 04-02: on time, 27 days. EX-2 closed 04-01 after
    // due 03-20: late, 22 days.
    close(figure(KpiCode::ExceptionClosureOnTime, "2026-03").1, 100.0);
    close(figure(KpiCode::ExceptionClosureOnTime, "2026-04").1, 0.0);
    close(figure(KpiCode::ExceptionCycleTime, "2026-Q2").1, 22.0);
    close(figure(KpiCode::ExceptionCycleTime, "2026").1, 24.5);
}

#[test]
fn capa_on_time_overdue_actions_and_lead_times() {
    // Completed on its due day is on time.
    close(figure(KpiCode::CapaOnTime, "2026-03").1, 100.0);
    // Today is 04-15: AC-2 (due 04-14) is overdue, AC-3 (due today) not yet.
    close(figure(KpiCode::OverdueActions, "2026-04").1, 1.0);
    // A1: reviewed 4 days after completion.
    close(figure(KpiCode::ReviewCycleTime, "2026-03").1, 4.0);
    // A1: 9 days, A2: 11 days → mean 10; B1 has no completion date.
    close(figure(KpiCode::DispositionLeadTime, "2026-03").1, 10.0);
}

#[test]
fn otif_and_schedule_adherence() {
    // A1 delivered a day early in full; A2 was due 03-25 and never delivered.
    close(figure(KpiCode::Otif, "2026-03").1, 50.0);
    // Planned in February: A1 started 4 days after plan (within 7), A2 11 days after
    // (outside). B1 planned and started in March (month precision: same month).
    // B2 is planned for 04-10 and not started: its window runs to 04-17, after
    // today (04-15), so it is left out rather than counted as missed.
    close(figure(KpiCode::ScheduleAdherence, "2026-02").1, 50.0);
    close(figure(KpiCode::ScheduleAdherence, "2026-03").1, 100.0);
    assert_eq!(figure(KpiCode::ScheduleAdherence, "2026-04").1, None);
}

#[test]
fn every_figure_drills_down_to_exactly_the_records_it_counts() {
    let facts = fixture();
    for def in Definition::all() {
        for period in Period::ending(day("2026-04-15").month, Granularity::Month, 3) {
            let monthly = tally(
                &def,
                &facts,
                GroupBy::Network,
                &Filter::default(),
                period.first,
                period.last(),
            );
            let t = over(&monthly, 0, period);
            let records = drill(&def, &facts, &Filter::default(), period);
            let n: f64 = records.iter().map(|c| c.numerator).sum();
            let dn: f64 = records.iter().map(|c| c.denominator).sum();
            assert_eq!(
                (n, dn),
                (t.numerator, t.denominator),
                "{:?} {period}",
                def.code
            );
        }
    }
}

#[test]
fn figures_break_down_by_site_and_respect_a_partner_s_sites() {
    let facts = fixture();
    let def = Definition::current(KpiCode::RightFirstTime);
    let q = Period::parse("p", "2026").unwrap();
    let by_site = tally(
        &def,
        &facts,
        GroupBy::Site,
        &Filter::default(),
        q.first,
        q.last(),
    );
    let a = facts.sites.iter().position(|s| s == "CMO-A").unwrap() as u32;
    let b = facts.sites.iter().position(|s| s == "CMO-B").unwrap() as u32;
    close(over(&by_site, a, q).value(Measure::Percent), 50.0);
    close(over(&by_site, b, q).value(Measure::Percent), 0.0);
    let partner = Filter {
        sites: Some(vec![b]),
        ..Filter::default()
    };
    let records = drill(&def, &facts, &partner, q);
    assert_eq!(
        records.iter().map(|c| c.record).collect::<Vec<_>>(),
        ["CMO-B/B1"]
    );
}

#[test]
fn thresholds_colour_a_figure_in_the_good_direction() {
    let rft = Definition::current(KpiCode::RightFirstTime);
    assert_eq!(
        (rft.rag(95.0), rft.rag(92.0), rft.rag(80.0)),
        (Rag::Green, Rag::Amber, Rag::Red)
    );
    let cycle = Definition::current(KpiCode::ExceptionCycleTime);
    assert_eq!(
        (cycle.rag(30.0), cycle.rag(40.0), cycle.rag(46.0)),
        (Rag::Green, Rag::Amber, Rag::Red)
    );
}

#[test]
fn a_closure_late_in_the_evening_in_new_york_counts_in_the_utc_month() {
    // 2026-03-31 23:30 in New York (UTC−4 in summer time) is 2026-04-01 03:30 UTC:
    // periods are UTC calendar months, so the closure counts in April.
    let at = time::macros::datetime!(2026-03-31 23:30 -04:00);
    let stamp = crate::Timestamp::from_datetime(at);
    assert_eq!(stamp.date().to_string(), "2026-04-01");
    assert_eq!(
        Period::of(Day::of(stamp.date()).month, Granularity::Month).to_string(),
        "2026-04"
    );
}
