//! Demo operations for the contract manufacturers: eighteen months of batches as
//! their tracker files report them (planned and actual milestones, dispositions,
//! deliveries), exceptions raised from them with their investigations, and CAPAs —
//! generated, deterministic and labelled as demo data, so that the batch tracker, the
//! exception and action lists and the KPI dashboards have something true to their
//! shape to show. Seeding is skipped when the sites already hold batches.

use std::fmt::Write as _;

use anyhow::Result;
use time::{Date, Duration};
use vplant_app::identity::principal_of;
use vplant_app::signatures::SignatureInput;
use vplant_app::{App, Request};
use vplant_domain::action::{ActionCommand, ActionInput};
use vplant_domain::exception::fields::{Origin, RootCause};
use vplant_domain::exception::{ExceptionCommand, RaiseInput};
use vplant_domain::fields::Text;
use vplant_domain::identity::Scope;
use vplant_store::queries::batches::BatchFilter;

use crate::seed::DEMO_PASSWORD;

/// (site, products, batches a month, share of batches with an exception in %, extra
/// review days): a steady CMO, a struggling one, and two in between.
const PROFILES: &[(&str, &[&str], u64, u64, i64)] = &[
    ("CMO-LYO", &["PARA-500", "IBU-400"], 7, 3, 0),
    ("CMO-HYD", &["MET-850", "AML-5"], 9, 12, 6),
    ("CMO-NJ", &["OME-20", "ATV-20"], 5, 5, 2),
    ("CMO-BCN", &["AMX-500", "PARA-500"], 4, 6, 1),
];

const MONTHS: i64 = 18;

/// A small deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }

    fn days(&mut self, from: i64, to: i64) -> Duration {
        Duration::days(
            from + i64::try_from(self.below(u64::try_from(to - from + 1).unwrap_or(1)))
                .unwrap_or(0),
        )
    }
}

/// A batch of the generated history: its row in the tracker file, and where an
/// exception may be raised from it.
struct Planned {
    row: String,
    id: String,
    started: Option<Date>,
}

fn history(
    site: &str,
    products: &[&str],
    per_month: u64,
    review: i64,
    today: Date,
    rng: &mut Rng,
) -> Vec<Planned> {
    let mut out = Vec::new();
    let first = today - Duration::days(MONTHS * 30);
    let prefix = &site[4..];
    for b in 0..(per_month * u64::try_from(MONTHS).unwrap_or(0)) {
        let planned = first + rng.days(0, MONTHS * 30 - 1);
        let product = products[usize::try_from(rng.below(products.len() as u64)).unwrap_or(0)];
        let started = planned + rng.days(-2, 9);
        let completed = started + rng.days(4, 7);
        let qc = completed + rng.days(7, 14);
        let reviewed = completed + rng.days(3, 10 + review);
        let dispositioned = qc.max(reviewed) + rng.days(1, 4);
        let committed = dispositioned + Duration::days(10);
        let delivered = committed + rng.days(-3, 5);
        let size = 200_000 + 10_000 * rng.below(10);
        let in_full = rng.below(100) < 92;
        let disposition = match rng.below(100) {
            0..=1 => "rejected",
            2..=3 => "on_hold",
            _ => "released",
        };
        let known = |d: Date| {
            if d < today {
                d.to_string()
            } else {
                String::new()
            }
        };
        let number = format!("{prefix}-{}-{b:04}", planned.year() % 100);
        let done = dispositioned < today;
        let released = done && disposition == "released";
        let mut row = String::new();
        let _ = write!(
            row,
            "{site},{number},{product},{size},tablets,{planned},{},{},{},{},{},{},{},{},{},{}",
            known(started),
            known(completed),
            known(qc),
            known(reviewed),
            if done {
                dispositioned.to_string()
            } else {
                String::new()
            },
            if done { disposition } else { "" },
            if released {
                committed.to_string()
            } else {
                String::new()
            },
            if released {
                size.to_string()
            } else {
                String::new()
            },
            if released {
                known(delivered)
            } else {
                String::new()
            },
            match (released && delivered < today, in_full) {
                (false, _) => String::new(),
                (true, true) => size.to_string(),
                (true, false) => (size - 5_000).to_string(),
            },
        );
        out.push(Planned {
            row,
            id: format!("{site}/{number}"),
            started: (started < today).then_some(started),
        });
    }
    out
}

const HEADER: &str = "site,batch,product,size,unit,planned_production_start,actual_production_start,actual_production_complete,actual_qc_testing_complete,actual_record_review_complete,actual_disposition,disposition,committed_date,committed_quantity,delivered_date,delivered_quantity";

/// Seeds the CMOs' operations unless they hold batches already.
pub async fn operations(app: &App) -> Result<String> {
    let (_, existing) = app
        .batches(
            &Scope::All,
            BatchFilter {
                site: Some("CMO-LYO".into()),
                limit: 1,
                ..BatchFilter::default()
            },
        )
        .await?;
    if existing > 0 {
        return Ok("CMO operations seeded before.".to_owned());
    }
    let today = app.store.now().date().first_day();
    let mut rng = Rng(0x00c0_ffee_1234_5678);
    let mut batches = 0;
    let mut raised = Vec::new();
    for (site, products, per_month, exception_share, review) in PROFILES {
        let rows = history(site, products, *per_month, *review, today, &mut rng);
        let mut file = format!("{HEADER}\n");
        for p in &rows {
            let _ = writeln!(file, "{}", p.row);
        }
        // CMO-LYO's partner sends its own file; the VPT imports the others' files.
        let by = Request::by(if *site == "CMO-LYO" { "cmo.lyo" } else { "vpt" });
        app.import_tracker(
            &Scope::All,
            &format!("demo tracker {site}.csv"),
            file.as_bytes(),
            &by,
        )
        .await
        .map_err(|e| anyhow::anyhow!("the demo tracker of {site} was refused: {e}"))?;
        batches += rows.len();
        for p in rows.iter().filter(|p| p.started.is_some()) {
            if rng.below(100) < *exception_share {
                raised.push((site.to_string(), p.id.clone(), p.started.unwrap_or(today)));
            }
        }
    }
    let (exceptions, actions) = investigations(app, &raised, today, &mut rng).await?;
    Ok(format!(
        "CMO operations (generated demo data): {batches} batches, {exceptions} exceptions, {actions} actions."
    ))
}

const TITLES: &[(&str, &str, &str)] = &[
    (
        "Tablet hardness below the lower limit",
        "process",
        "Hardness 38 N against a lower limit of 40 N at the start of compression.",
    ),
    (
        "Granule moisture above limit",
        "process",
        "Loss on drying 3.1 % against a limit of 2.5 % before blending.",
    ),
    (
        "Label reconciliation discrepancy",
        "documentation",
        "12 labels unaccounted for at line clearance.",
    ),
    (
        "Temperature excursion in the warehouse",
        "facility",
        "Store room at 27 °C for 3 hours against 25 °C maximum.",
    ),
    (
        "Out-of-specification dissolution result",
        "laboratory",
        "Dissolution 74 % at 30 minutes against not less than 80 %.",
    ),
    (
        "Supplier certificate missing a test",
        "supplier",
        "The certificate of analysis of the excipient lacks the microbial count.",
    ),
];

async fn investigations(
    app: &App,
    raised: &[(String, String, Date)],
    today: Date,
    rng: &mut Rng,
) -> Result<(usize, usize)> {
    let vpt = Request::by("vpt");
    let qa = app.store.user("qa.reviewer").await?;
    let mut actions = 0;
    for (i, (site, batch, started)) in raised.iter().enumerate() {
        let (title, category, description) = TITLES[i % TITLES.len()];
        let discovered = (*started + rng.days(0, 3)).min(today);
        let input = RaiseInput {
            site: site.clone(),
            batches: vec![batch.clone()],
            occurred: discovered.to_string(),
            discovered: discovered.to_string(),
            title: title.to_owned(),
            description: format!("{description} (Generated demo record.)"),
            classification: ["minor", "minor", "major", "major", "critical"]
                [usize::try_from(rng.below(5)).unwrap_or(0)]
            .to_owned(),
            category: category.to_owned(),
            immediate_action: "Batch placed on hold pending investigation.".to_owned(),
            ..RaiseInput::default()
        };
        let exception = app
            .raise_exception(&Scope::All, &input, Origin::CmoReport, &vpt)
            .await?;
        let age = (today - discovered).whole_days();
        if age < 10 {
            continue;
        }
        let cause = [
            RootCause::Machine,
            RootCause::Method,
            RootCause::HumanError,
            RootCause::Material,
        ][usize::try_from(rng.below(4)).unwrap_or(0)];
        let assess = ExceptionCommand::Assess {
            product_impact: Text::parse(
                "product_impact",
                "No impact on released product; affected units segregated.",
            )?,
            root_cause_category: cause,
            root_cause: Text::parse(
                "root_cause",
                "Identified in the investigation report of the CMO.",
            )?,
        };
        app.act_on_exception(&Scope::All, &exception.number, assess, &vpt)
            .await?;
        let capa = ActionInput {
            kind: "capa".to_owned(),
            title: format!("Prevent recurrence: {title}"),
            owner: "vpt".to_owned(),
            due: (discovered + Duration::days(45)).to_string(),
            source_kind: "exception".to_owned(),
            source_id: exception.number.clone(),
            effectiveness_criterion:
                "No recurrence of the same root cause at the site in the next six months."
                    .to_owned(),
            effectiveness_due: (discovered + Duration::days(225)).to_string(),
            ..ActionInput::default()
        };
        let action = app.create_action(&Scope::All, &capa, &vpt).await?;
        actions += 1;
        // Older investigations are done: evidence, completion, and QA's approval of
        // the closure; the most recent ones stay open (and some overdue).
        if age > 60 && rng.below(100) < 70 {
            let note = Text::parse(
                "note",
                "Procedure revised and operators trained; training records attached.",
            )?;
            app.act_on_action(
                &Scope::All,
                &action.number,
                ActionCommand::AddEvidence { note },
                &vpt,
            )
            .await?;
            app.act_on_action(&Scope::All, &action.number, ActionCommand::Complete, &vpt)
                .await?;
            app.act_on_exception(
                &Scope::All,
                &exception.number,
                ExceptionCommand::SubmitForClosure,
                &vpt,
            )
            .await?;
            if let Some(qa) = &qa {
                let stream = format!("exception/{}", exception.number);
                if let Some(head) = app.signable_head(&stream).await? {
                    let input = SignatureInput {
                        meaning: "approved".to_owned(),
                        shown_version: head.version,
                        shown_hash: head.hash,
                        username: qa.username.clone(),
                        password: DEMO_PASSWORD.to_owned(),
                    };
                    app.sign(
                        &principal_of(qa),
                        &stream,
                        &exception.number,
                        &input,
                        "demo-seed",
                    )
                    .await?;
                }
            }
        }
    }
    Ok((raised.len(), actions))
}
