//! The records KPIs count, reduced to what the formulas read. The application loads
//! them from the read tables; the formulas are pure functions over them.

use super::period::{MonthIndex, month_index};
use crate::batch::events::Disposition;
use crate::dates::PartialDate;

/// A date as the formulas need it: its month, and its day number when the day is
/// known (a month-only date counts in its month but not in day differences).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Day {
    pub month: MonthIndex,
    /// Days since 1970-01-01, when the day is known.
    pub day: Option<i64>,
}

impl Day {
    pub fn of(date: PartialDate) -> Day {
        let day = date.day().map(|_| {
            (date.first_day()
                - time::Date::from_calendar_date(1970, time::Month::January, 1)
                    .unwrap_or(time::Date::MIN))
            .whole_days()
        });
        Day {
            month: month_index(date),
            day,
        }
    }

    pub fn parse(text: &str) -> Option<Day> {
        PartialDate::parse("date", text).ok().map(Day::of)
    }

    /// Whole days from `self` to `later`, when both days are known.
    pub fn days_until(self, later: Day) -> Option<i64> {
        Some(later.day? - self.day?)
    }

    /// On or before `other`: by day when both are known, else by month.
    pub fn on_or_before(self, other: Day) -> bool {
        match (self.day, other.day) {
            (Some(a), Some(b)) => a <= b,
            _ => self.month <= other.month,
        }
    }
}

#[derive(Clone, Debug)]
pub struct BatchFact {
    /// `<site>/<number>`.
    pub id: String,
    /// Index into [`Facts::sites`].
    pub site: u32,
    /// Index into [`Facts::products`].
    pub product: u32,
    pub planned_start: Option<Day>,
    pub started: Option<Day>,
    pub completed: Option<Day>,
    pub reviewed: Option<Day>,
    pub dispositioned: Option<Day>,
    pub disposition: Option<Disposition>,
    pub committed_on: Option<Day>,
    pub committed_quantity: Option<f64>,
    pub delivered_on: Option<Day>,
    pub delivered_quantity: Option<f64>,
    /// Exceptions (not cancelled) that concern the batch.
    pub exceptions: u32,
}

#[derive(Clone, Debug)]
pub struct ExceptionFact {
    pub id: String,
    pub site: u32,
    pub product: Option<u32>,
    pub discovered: Day,
    pub due: Day,
    pub closed: Option<Day>,
    pub cancelled: bool,
}

#[derive(Clone, Debug)]
pub struct ActionFact {
    pub id: String,
    pub capa: bool,
    pub site: Option<u32>,
    pub due: Day,
    /// When it was completed, if it is done (or found effective).
    pub closed: Option<Day>,
    pub open: bool,
}

/// Everything the formulas read, with site and product codes interned.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    pub sites: Vec<String>,
    pub products: Vec<String>,
    pub batches: Vec<BatchFact>,
    pub exceptions: Vec<ExceptionFact>,
    pub actions: Vec<ActionFact>,
    /// The day the figures are computed on (what is "due" and "overdue").
    pub today: Day,
}

impl Facts {
    /// The index of a site code, added when new.
    pub fn site(&mut self, code: &str) -> u32 {
        intern(&mut self.sites, code)
    }

    pub fn product(&mut self, code: &str) -> u32 {
        intern(&mut self.products, code)
    }
}

fn intern(list: &mut Vec<String>, code: &str) -> u32 {
    let index = list.iter().position(|c| c == code).unwrap_or_else(|| {
        list.push(code.to_owned());
        list.len() - 1
    });
    u32::try_from(index).unwrap_or(u32::MAX)
}
