//! The network dashboard (every KPI × 60 months × 40 sites) over 200,000 batches and
//! 60,000 exceptions on SQLite.
//!
//! One run, one process, one temporary SQLite file:
//!
//! 1. **Setup (not timed against anything):** 40 CMO sites, 25 products, 200,000
//!    batches over 60 months with planned and actual milestones, dispositions and
//!    deliveries, 60,000 exceptions linked to batches (a share closed, late or
//!    cancelled) and 6,000 actions, all committed through the one write path.
//! 2. **Baseline:** one pass over the same rows held in memory (the facts the
//!    formulas read), adding to per-site, per-month counters — the least any
//!    dashboard over these rows must do.
//! 3. **Measured:** `App::dashboard` for the network, 60 monthly periods, with the
//!    facts in memory (as between two changes to the ledger): per request, one
//!    `MAX(seq)` query to see that nothing changed, then every KPI's network trend,
//!    control chart and per-site trends. Also reported: the dashboard right after one
//!    batch changed (that batch is read again and patched in), and the first
//!    dashboard of a fresh process (every fact read from SQLite).
//!
//! Knobs: `VPLANT_BENCH_BATCHES` (200000), `VPLANT_BENCH_EXCEPTIONS` (60000),
//! `VPLANT_BENCH_SAMPLES` (50).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use vplant_app::kpi::DashboardQuery;
use vplant_app::{App, Request};
use vplant_domain::batch::events::{BatchSource, Disposition};
use vplant_domain::batch::milestone::Milestone;
use vplant_domain::batch::report::BatchReport;
use vplant_domain::batch::{BatchCommand, BatchState};
use vplant_domain::dates::PartialDate;
use vplant_domain::exception::fields::{DuePolicy, Origin};
use vplant_domain::exception::{ExceptionCommand, ExceptionState, NewException, RaiseInput};
use vplant_domain::identity::Scope;
use vplant_domain::kpi::facts::Facts;
use vplant_domain::kpi::period::{Granularity, Period, month_index};
use vplant_domain::product::{NewProduct, ProductCommand, ProductState};
use vplant_domain::site::{NewSite, SiteCommand, SiteState};
use vplant_domain::units::Quantity;
use vplant_testkit::TestDb;

const SITES: usize = 40;
const PRODUCTS: usize = 25;
const MONTHS: i64 = 60;

fn knob(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A small deterministic generator (xorshift), so every run builds the same data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn date(day: time::Date) -> PartialDate {
    PartialDate::from_date(day)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn populate(app: &App, batches: usize, exceptions: usize, first_day: time::Date) {
    let by = Request::by("bench");
    for s in 0..SITES {
        let code = format!("CMO-{s:02}");
        let site = NewSite::parse(&code, &format!("Contract site {s}"), "cmo", "DE").unwrap();
        app.execute::<SiteState>(&code, SiteCommand::Register(site), &by)
            .await
            .unwrap();
    }
    for p in 0..PRODUCTS {
        let code = format!("PRD-{p:02}");
        let product = NewProduct::parse(&code, &format!("Product {p}"), "tablet", "10 mg").unwrap();
        app.execute::<ProductState>(&code, ProductCommand::Register(product), &by)
            .await
            .unwrap();
    }
    let mut rng = Rng(0x5eed_cafe_f00d);
    let mut ids = Vec::with_capacity(batches);
    let mut unit = app.unit(&by);
    for b in 0..batches {
        let site = format!("CMO-{:02}", rng.below(SITES as u64));
        let product = format!("PRD-{:02}", rng.below(PRODUCTS as u64));
        let number = format!("B{b:06}");
        let mut report = BatchReport::new(&site, &number, &product, BatchSource::Cmo).unwrap();
        let planned = first_day + time::Duration::days(rng.below(MONTHS as u64 * 30) as i64);
        let started = planned + time::Duration::days(rng.below(15) as i64 - 4);
        let completed = started + time::Duration::days(3 + rng.below(5) as i64);
        let reviewed = completed + time::Duration::days(2 + rng.below(12) as i64);
        let dispositioned = reviewed + time::Duration::days(1 + rng.below(10) as i64);
        report.size = Some(Quantity::parse("size", "250000", "tablets").unwrap());
        report
            .planned
            .insert(Milestone::ProductionStart, date(planned));
        report
            .actual
            .insert(Milestone::ProductionStart, date(started));
        report
            .actual
            .insert(Milestone::ProductionComplete, date(completed));
        report
            .actual
            .insert(Milestone::RecordReviewComplete, date(reviewed));
        report
            .actual
            .insert(Milestone::Disposition, date(dispositioned));
        report.disposition = Some(match rng.below(100) {
            0..=1 => Disposition::Rejected,
            2..=3 => Disposition::OnHold,
            _ => Disposition::Released,
        });
        let committed = dispositioned + time::Duration::days(7);
        report.shipment.committed_date = Some(date(committed));
        report.shipment.committed_quantity =
            Some(Quantity::parse("q", "250000", "tablets").unwrap());
        report.shipment.delivered_date = Some(date(
            committed + time::Duration::days(rng.below(10) as i64 - 7),
        ));
        report.shipment.delivered_quantity =
            Some(Quantity::parse("q", "250000", "tablets").unwrap());
        let id = report.id();
        unit.decide::<BatchState>(
            &id,
            BatchCommand::Report {
                report: Box::new(report),
                reason: None,
            },
        )
        .await
        .unwrap();
        ids.push((id, started));
        if unit.records() >= 5_000 {
            unit.commit_all().await.unwrap();
            unit = app.unit(&by);
        }
    }
    for e in 0..exceptions {
        let (batch, started) = &ids[rng.below(ids.len() as u64) as usize];
        let discovered = *started + time::Duration::days(rng.below(5) as i64);
        let site = batch.split('/').next().unwrap();
        let input = RaiseInput {
            site: site.to_owned(),
            batches: vec![batch.clone()],
            occurred: discovered.to_string(),
            discovered: discovered.to_string(),
            title: "Generated deviation".to_owned(),
            description: "Generated for the dashboard benchmark.".to_owned(),
            classification: ["minor", "major", "critical"][rng.below(3) as usize].to_owned(),
            category: "process".to_owned(),
            ..RaiseInput::default()
        };
        let number = format!("EX-BENCH-{e:06}");
        let new =
            NewException::parse(&number, &input, Origin::CmoReport, DuePolicy::default()).unwrap();
        unit.decide::<ExceptionState>(&number, ExceptionCommand::Raise(Box::new(new)))
            .await
            .unwrap();
        if unit.records() >= 5_000 {
            unit.commit_all().await.unwrap();
            unit = app.unit(&by);
        }
    }
    unit.commit_all().await.unwrap();
}

/// The baseline: one pass over the facts, counting per site and month what the
/// dashboard's KPIs start from.
fn one_pass(facts: &Facts, from: i32, months: usize) -> u64 {
    let sites = facts.sites.len();
    let mut cells = vec![[0u32; 6]; sites * months];
    let slot = |site: u32, month: i32| -> Option<usize> {
        let m = usize::try_from(month - from).ok().filter(|m| *m < months)?;
        Some(site as usize * months + m)
    };
    for b in &facts.batches {
        if let Some(i) = b.started.and_then(|d| slot(b.site, d.month)) {
            cells[i][0] += 1;
        }
        if let Some(i) = b.dispositioned.and_then(|d| slot(b.site, d.month)) {
            cells[i][1] += 1;
            cells[i][2] += u32::from(b.exceptions == 0);
        }
        if let Some(i) = b.committed_on.and_then(|d| slot(b.site, d.month)) {
            cells[i][3] += 1;
        }
    }
    for e in &facts.exceptions {
        if let Some(i) = slot(e.site, e.discovered.month) {
            cells[i][4] += 1;
        }
        if let Some(i) = e.closed.and_then(|d| slot(e.site, d.month)) {
            cells[i][5] += 1;
        }
    }
    cells.iter().map(|c| u64::from(c.iter().sum::<u32>())).sum()
}

fn main() {
    let batches = knob("VPLANT_BENCH_BATCHES", 200_000);
    let exceptions = knob("VPLANT_BENCH_EXCEPTIONS", 60_000);
    let samples = knob("VPLANT_BENCH_SAMPLES", 50);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let db = TestDb::sqlite();
    let app = App::new(db.store()).unwrap();
    let today = app.store.now().date();
    let end = Period::of(month_index(today), Granularity::Month).previous();
    let first = Period::ending(end.last(), Granularity::Month, MONTHS as usize)[0];
    let first_day = time::Date::from_calendar_date(
        first.first.div_euclid(12),
        time::Month::try_from(u8::try_from(first.first.rem_euclid(12) + 1).unwrap()).unwrap(),
        1,
    )
    .unwrap();
    let started = Instant::now();
    runtime.block_on(populate(&app, batches, exceptions, first_day));
    let setup = started.elapsed();
    let query = DashboardQuery {
        granularity: Granularity::Month,
        periods: MONTHS as usize,
        end: Some(end),
        ..DashboardQuery::default()
    };
    let cold_started = Instant::now();
    let board = runtime
        .block_on(app.dashboard(&Scope::All, &query))
        .unwrap();
    let cold = cold_started.elapsed();
    assert_eq!(board.comparison.sites.len(), SITES);
    assert_eq!(board.periods.len(), MONTHS as usize);
    let facts = runtime.block_on(app.kpi_facts()).unwrap();
    let mut base = Vec::with_capacity(samples);
    let mut measured = Vec::with_capacity(samples);
    let mut patched = Vec::with_capacity(samples);
    let mut check = 0;
    for _ in 0..samples {
        let t = Instant::now();
        check += one_pass(&facts, first.first, MONTHS as usize);
        base.push(t.elapsed());
        let t = Instant::now();
        let board = runtime
            .block_on(app.dashboard(&Scope::All, &query))
            .unwrap();
        measured.push(t.elapsed());
        std::hint::black_box(board);
        // One batch changes (a later delivery date), then the dashboard.
        let by = Request::by("bench");
        let mut report = BatchReport::new("CMO-00", "PATCH", "PRD-00", BatchSource::Cmo).unwrap();
        let shipped = first_day + time::Duration::days(patched.len() as i64 + 1);
        report.actual.insert(Milestone::Shipped, date(shipped));
        runtime
            .block_on(app.execute::<BatchState>(
                "CMO-00/PATCH",
                BatchCommand::Report {
                    report: Box::new(report),
                    reason: None,
                },
                &by,
            ))
            .unwrap();
        let t = Instant::now();
        let board = runtime
            .block_on(app.dashboard(&Scope::All, &query))
            .unwrap();
        patched.push(t.elapsed());
        std::hint::black_box(board);
    }
    std::hint::black_box(check);
    base.sort();
    measured.sort();
    patched.sort();
    println!(
        "{} batches, {} exceptions, {SITES} sites, {MONTHS} months, {} KPIs; setup {:.0} s; {samples} samples each.",
        facts.batches.len(),
        facts.exceptions.len(),
        board.tiles.len(),
        setup.as_secs_f64()
    );
    println!();
    println!("| run | p50 | p99 | max |");
    println!("|---|---:|---:|---:|");
    for (name, v) in [
        ("baseline: one pass over the rows in memory", &base),
        (
            "`App::dashboard`, facts in memory (target ≤ 100 ms)",
            &measured,
        ),
        ("`App::dashboard` right after one batch changed", &patched),
    ] {
        println!(
            "| {name} | {:.1} ms | {:.1} ms | {:.1} ms |",
            ms(percentile(v, 0.5)),
            ms(percentile(v, 0.99)),
            ms(*v.last().unwrap())
        );
    }
    println!(
        "| first `App::dashboard` of a process (every fact read from SQLite), once | {:.0} ms | | |",
        ms(cold)
    );
}
