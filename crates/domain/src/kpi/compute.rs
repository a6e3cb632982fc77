//! The formulas. [`visit`] walks the facts once and says, for every record a KPI
//! counts, which month it falls in and what it adds to the numerator and the
//! denominator; the figures ([`tally`]) and the drill-down to records ([`drill`]) are
//! both built from it, so a figure always equals the records listed under it.

use super::definition::{Definition, KpiCode, Measure};
use super::facts::{Day, Facts};
use super::period::{MonthIndex, Period};
use crate::batch::events::Disposition;

/// The kind of record a figure counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Batch,
    Exception,
    Action,
}

/// What one record adds to a KPI in one month.
#[derive(Clone, Copy, Debug)]
pub struct Contribution<'a> {
    pub record: &'a str,
    pub kind: RecordKind,
    pub month: MonthIndex,
    pub site: Option<u32>,
    pub product: Option<u32>,
    pub numerator: f64,
    pub denominator: f64,
}

fn flag(b: bool) -> f64 {
    if b { 1.0 } else { 0.0 }
}

/// Calls `f` with every contribution of every record to `def`'s figures.
pub fn visit<'a>(def: &Definition, facts: &'a Facts, mut f: impl FnMut(Contribution<'a>)) {
    use KpiCode as K;
    let batch = |b: &'a super::facts::BatchFact,
                 month: MonthIndex,
                 numerator: f64,
                 denominator: f64| Contribution {
        record: &b.id,
        kind: RecordKind::Batch,
        month,
        site: Some(b.site),
        product: Some(b.product),
        numerator,
        denominator,
    };
    let dispositioned = |b: &super::facts::BatchFact| match (b.disposition, b.dispositioned) {
        (Some(Disposition::Released | Disposition::Rejected), Some(day)) => Some(day),
        _ => None,
    };
    match def.code {
        K::RightFirstTime => {
            for b in &facts.batches {
                if let Some(day) = dispositioned(b) {
                    f(batch(b, day.month, flag(b.exceptions == 0), 1.0));
                }
            }
        }
        K::LotAcceptance => {
            for b in &facts.batches {
                if let Some(day) = dispositioned(b) {
                    f(batch(
                        b,
                        day.month,
                        flag(b.disposition == Some(Disposition::Released)),
                        1.0,
                    ));
                }
            }
        }
        K::ExceptionRate => {
            for e in facts.exceptions.iter().filter(|e| !e.cancelled) {
                f(Contribution {
                    record: &e.id,
                    kind: RecordKind::Exception,
                    month: e.discovered.month,
                    site: Some(e.site),
                    product: e.product,
                    numerator: 100.0,
                    denominator: 0.0,
                });
            }
            for b in &facts.batches {
                if let Some(day) = b.started {
                    f(batch(b, day.month, 0.0, 1.0));
                }
            }
        }
        K::ExceptionClosureOnTime | K::ExceptionCycleTime => {
            for e in facts.exceptions.iter().filter(|e| !e.cancelled) {
                let Some(closed) = e.closed else { continue };
                let numerator = if def.code == K::ExceptionClosureOnTime {
                    flag(closed.on_or_before(e.due))
                } else {
                    match e.discovered.days_until(closed) {
                        Some(days) => days as f64,
                        None => continue,
                    }
                };
                f(Contribution {
                    record: &e.id,
                    kind: RecordKind::Exception,
                    month: closed.month,
                    site: Some(e.site),
                    product: e.product,
                    numerator,
                    denominator: 1.0,
                });
            }
        }
        K::CapaOnTime => {
            for a in facts.actions.iter().filter(|a| a.capa) {
                let Some(closed) = a.closed else { continue };
                f(Contribution {
                    record: &a.id,
                    kind: RecordKind::Action,
                    month: closed.month,
                    site: a.site,
                    product: None,
                    numerator: flag(closed.on_or_before(a.due)),
                    denominator: 1.0,
                });
            }
        }
        K::OverdueActions => {
            for a in facts.actions.iter().filter(|a| a.open) {
                if !a.due.on_or_before(facts.today) || a.due == facts.today {
                    continue;
                }
                f(Contribution {
                    record: &a.id,
                    kind: RecordKind::Action,
                    month: a.due.month,
                    site: a.site,
                    product: None,
                    numerator: 1.0,
                    denominator: 0.0,
                });
            }
        }
        K::ReviewCycleTime | K::DispositionLeadTime => {
            for b in &facts.batches {
                let end = if def.code == K::ReviewCycleTime {
                    b.reviewed
                } else {
                    dispositioned(b)
                };
                let (Some(start), Some(end)) = (b.completed, end) else {
                    continue;
                };
                if let Some(days) = start.days_until(end) {
                    f(batch(b, end.month, days as f64, 1.0));
                }
            }
        }
        K::Otif => {
            for b in &facts.batches {
                let Some(committed) = b.committed_on else {
                    continue;
                };
                if !committed.on_or_before(facts.today) {
                    continue;
                }
                let on_time = b.delivered_on.is_some_and(|d| d.on_or_before(committed));
                let in_full = match (b.delivered_quantity, b.committed_quantity) {
                    (Some(d), Some(c)) => d >= c,
                    (Some(_), None) => true,
                    _ => false,
                };
                f(batch(b, committed.month, flag(on_time && in_full), 1.0));
            }
        }
        K::ScheduleAdherence => {
            for b in &facts.batches {
                let Some(planned) = b.planned_start else {
                    continue;
                };
                let within = |started: Day| match started.days_until(planned) {
                    Some(days) => days.abs() <= def.window_days,
                    None => started.month == planned.month,
                };
                let window_passed = match planned.day {
                    Some(day) => facts.today.day.is_some_and(|t| t > day + def.window_days),
                    None => facts.today.month > planned.month,
                };
                match b.started {
                    Some(started) => f(batch(b, planned.month, flag(within(started)), 1.0)),
                    None if window_passed => f(batch(b, planned.month, 0.0, 1.0)),
                    None => {}
                }
            }
        }
    }
}

/// A numerator and a denominator.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Tally {
    pub numerator: f64,
    pub denominator: f64,
}

impl Tally {
    pub fn add(&mut self, other: Tally) {
        self.numerator += other.numerator;
        self.denominator += other.denominator;
    }

    /// The figure; `None` for a zero denominator (and for counts, never).
    pub fn value(&self, measure: Measure) -> Option<f64> {
        match measure {
            Measure::Count => Some(self.numerator),
            _ if self.denominator == 0.0 => None,
            Measure::Percent | Measure::Per100 => {
                let scale = if measure == Measure::Percent {
                    100.0
                } else {
                    1.0
                };
                Some(self.numerator / self.denominator * scale)
            }
            Measure::MeanDays => Some(self.numerator / self.denominator),
        }
    }
}

/// How figures are broken down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupBy {
    Network,
    Site,
    Product,
}

/// Which records count at all: a site-scoped viewer's sites, a site or a product.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Only these sites (indexes into `Facts::sites`); `None` for all.
    pub sites: Option<Vec<u32>>,
    pub site: Option<u32>,
    pub product: Option<u32>,
}

impl Filter {
    fn admits(&self, c: &Contribution<'_>) -> bool {
        let site_ok = |s: u32| {
            self.sites
                .as_ref()
                .is_none_or(|allowed| allowed.contains(&s))
        };
        match c.site {
            Some(s) if !site_ok(s) => return false,
            None if self.sites.is_some() => return false,
            _ => {}
        }
        if self.site.is_some() && c.site != self.site {
            return false;
        }
        if self.product.is_some() && c.product != self.product {
            return false;
        }
        true
    }
}

/// Monthly tallies by group: a dense grid of groups × months, so that adding a
/// contribution is an index, not a hash lookup (the network dashboard adds millions).
#[derive(Clone, Debug)]
pub struct Grid {
    pub from: MonthIndex,
    pub months: usize,
    pub groups: usize,
    cells: Vec<Tally>,
}

impl Grid {
    fn new(groups: usize, from: MonthIndex, to: MonthIndex) -> Grid {
        let months = usize::try_from(to - from + 1).unwrap_or(0);
        Grid {
            from,
            months,
            groups,
            cells: vec![Tally::default(); groups * months],
        }
    }

    fn slot(&self, group: u32, month: MonthIndex) -> Option<usize> {
        let g = usize::try_from(group).ok().filter(|g| *g < self.groups)?;
        let m = usize::try_from(month - self.from)
            .ok()
            .filter(|m| *m < self.months)?;
        Some(g * self.months + m)
    }

    pub fn get(&self, group: u32, month: MonthIndex) -> Tally {
        self.slot(group, month)
            .map_or_else(Tally::default, |i| self.cells[i])
    }
}

/// Monthly tallies by group for months `from..=to`; the group is 0 for the network,
/// else the site or product index.
pub fn tally(
    def: &Definition,
    facts: &Facts,
    group: GroupBy,
    filter: &Filter,
    from: MonthIndex,
    to: MonthIndex,
) -> Grid {
    let groups = match group {
        GroupBy::Network => 1,
        GroupBy::Site => facts.sites.len(),
        GroupBy::Product => facts.products.len(),
    };
    let mut grid = Grid::new(groups, from, to);
    visit(def, facts, |c| {
        if c.month < from || c.month > to || !filter.admits(&c) {
            return;
        }
        let key = match group {
            GroupBy::Network => Some(0),
            GroupBy::Site => c.site,
            GroupBy::Product => c.product,
        };
        if let Some(i) = key.and_then(|k| grid.slot(k, c.month)) {
            grid.cells[i].add(Tally {
                numerator: c.numerator,
                denominator: c.denominator,
            });
        }
    });
    grid
}

/// The tally of one group over one period.
pub fn over(grid: &Grid, group: u32, period: Period) -> Tally {
    let mut t = Tally::default();
    for m in period.first..=period.last() {
        t.add(grid.get(group, m));
    }
    t
}

/// The records behind one figure, each with what it adds.
pub fn drill<'a>(
    def: &Definition,
    facts: &'a Facts,
    filter: &Filter,
    period: Period,
) -> Vec<Contribution<'a>> {
    let mut out = Vec::new();
    visit(def, facts, |c| {
        if period.contains(c.month) && filter.admits(&c) {
            out.push(c);
        }
    });
    out
}
