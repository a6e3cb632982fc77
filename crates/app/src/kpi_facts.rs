//! The records the KPI formulas read, held in memory between dashboards. Each
//! dashboard asks the ledger what was appended since the facts were read: nothing (or
//! only other records, such as sign-in sessions) costs one query; a few changed
//! batches, exceptions or actions are read again and patched in; many changes, or a
//! new day (what is due and overdue moves), read everything again.

use std::collections::HashMap;
use std::sync::Arc;

use vplant_domain::batch::events::Disposition;
use vplant_domain::dates::PartialDate;
use vplant_domain::kpi::facts::{ActionFact, BatchFact, Day, ExceptionFact, Facts};
use vplant_store::queries::kpi::{ActionFactRow, BatchFactRow, ExceptionFactRow, FactRows};

use crate::{App, AppError};

/// Events since the facts were read above which reading everything again is
/// cheaper than patching.
const PATCH_LIMIT: u64 = 5_000;

/// The facts with where each record sits in them.
#[derive(Default)]
pub(crate) struct Loaded {
    day: Option<PartialDate>,
    facts: Arc<Facts>,
    batches: HashMap<String, usize>,
    exceptions: HashMap<String, usize>,
    actions: HashMap<String, usize>,
    sites: HashMap<String, u32>,
    products: HashMap<String, u32>,
}

/// The facts as last read and the ledger position they are true at (see the module
/// documentation). The lock is held while the facts are brought up to date, so that
/// two requests do not read the same changes twice; patching changes the facts in
/// place unless a dashboard is still computing over them.
#[derive(Default)]
pub struct KpiCache(tokio::sync::Mutex<Option<(u64, Loaded)>>);

fn day(text: Option<&str>) -> Option<Day> {
    text.and_then(Day::parse)
}

fn number(text: Option<&str>) -> Option<f64> {
    text.and_then(|t| t.parse().ok())
}

impl Loaded {
    fn site(&mut self, facts: &mut Facts, code: &str) -> u32 {
        *self
            .sites
            .entry(code.to_owned())
            .or_insert_with(|| facts.site(code))
    }

    fn product(&mut self, facts: &mut Facts, code: &str) -> u32 {
        *self
            .products
            .entry(code.to_owned())
            .or_insert_with(|| facts.product(code))
    }

    fn batch(&mut self, facts: &mut Facts, b: BatchFactRow) {
        let fact = BatchFact {
            site: self.site(facts, &b.site),
            product: self.product(facts, &b.product),
            planned_start: day(b.planned_start.as_deref()),
            started: day(b.started.as_deref()),
            completed: day(b.completed.as_deref()),
            reviewed: day(b.reviewed.as_deref()),
            dispositioned: day(b.dispositioned.as_deref()),
            disposition: match b.disposition.as_deref() {
                Some("released") => Some(Disposition::Released),
                Some("rejected") => Some(Disposition::Rejected),
                Some("on_hold") => Some(Disposition::OnHold),
                _ => None,
            },
            committed_on: day(b.committed_on.as_deref()),
            committed_quantity: number(b.committed_quantity.as_deref()),
            delivered_on: day(b.delivered_on.as_deref()),
            delivered_quantity: number(b.delivered_quantity.as_deref()),
            exceptions: u32::try_from(b.exceptions).unwrap_or(u32::MAX),
            id: b.id,
        };
        put(&mut facts.batches, &mut self.batches, fact.id.clone(), fact);
    }

    fn exception(&mut self, facts: &mut Facts, e: ExceptionFactRow) {
        let (Some(discovered), Some(due)) = (Day::parse(&e.discovered), Day::parse(&e.due)) else {
            return;
        };
        let product = e.product.as_deref().map(|p| self.product(facts, p));
        let fact = ExceptionFact {
            site: self.site(facts, &e.site),
            product,
            discovered,
            due,
            closed: day(e.closed_on.as_deref()),
            cancelled: e.status == "cancelled",
            id: e.number,
        };
        put(
            &mut facts.exceptions,
            &mut self.exceptions,
            fact.id.clone(),
            fact,
        );
    }

    fn action(&mut self, facts: &mut Facts, a: ActionFactRow) {
        let Some(due) = Day::parse(&a.due) else {
            return;
        };
        let site = a.site.as_deref().map(|s| self.site(facts, s));
        let fact = ActionFact {
            capa: a.kind == "capa",
            site,
            due,
            closed: day(a.closed_on.as_deref()),
            open: matches!(a.status.as_str(), "open" | "in_progress"),
            id: a.number,
        };
        put(&mut facts.actions, &mut self.actions, fact.id.clone(), fact);
    }

    /// Puts rows into the facts (replacing the records they already hold).
    fn absorb(&mut self, rows: FactRows) {
        let mut facts = std::mem::take(&mut self.facts);
        let target = Arc::make_mut(&mut facts);
        for b in rows.batches {
            self.batch(target, b);
        }
        for e in rows.exceptions {
            self.exception(target, e);
        }
        for a in rows.actions {
            self.action(target, a);
        }
        self.facts = facts;
    }
}

/// Replaces the record with the same id, or appends it.
fn put<T>(list: &mut Vec<T>, at: &mut HashMap<String, usize>, id: String, fact: T) {
    match at.get(&id) {
        Some(i) => list[*i] = fact,
        None => {
            at.insert(id, list.len());
            list.push(fact);
        }
    }
}

impl App {
    /// The facts as of now (see the module documentation).
    pub async fn kpi_facts(&self) -> Result<Arc<Facts>, AppError> {
        let today = self.store.now().date();
        let mut guard = self.kpi.0.lock().await;
        if let Some((seq, loaded)) = guard.as_mut()
            && loaded.day == Some(today)
        {
            match self.store.kpi_changes_since(*seq, PATCH_LIMIT).await? {
                Some(changes)
                    if changes.batches.is_empty()
                        && changes.exceptions.is_empty()
                        && changes.actions.is_empty() =>
                {
                    *seq = changes.seq;
                    return Ok(loaded.facts.clone());
                }
                Some(changes) => {
                    let rows = self.store.kpi_facts_of(changes).await?;
                    *seq = rows.seq;
                    loaded.absorb(rows);
                    return Ok(loaded.facts.clone());
                }
                None => {}
            }
        }
        let (seq, loaded) = self.read_all_facts(today).await?;
        let facts = loaded.facts.clone();
        *guard = Some((seq, loaded));
        Ok(facts)
    }

    async fn read_all_facts(&self, today: PartialDate) -> Result<(u64, Loaded), AppError> {
        let rows = self.store.kpi_facts().await?;
        tokio::task::spawn_blocking(move || {
            let seq = rows.seq;
            let mut loaded = Loaded {
                day: Some(today),
                facts: Arc::new(Facts {
                    today: Day::of(today),
                    ..Facts::default()
                }),
                ..Loaded::default()
            };
            loaded.absorb(rows);
            (seq, loaded)
        })
        .await
        .map_err(|e| AppError::Internal(format!("reading the KPI facts failed: {e}")))
    }
}
