//! Exceptions (deviations) from raising to closure: numbered per year, investigated,
//! assessed, submitted, and closed only by an approval signature of someone who
//! recorded none of it; extensions need their own approval; the same root cause at the
//! same site is flagged as a recurrence; a CMO partner reaches only its own site's.

use std::collections::BTreeSet;

use vplant_app::identity::passwords::HashCost;
use vplant_app::identity::{NewUserInput, SecurityPolicy, principal_of};
use vplant_app::signatures::SignatureInput;
use vplant_app::{App, AppError, Request};
use vplant_domain::DomainError;
use vplant_domain::exception::fields::{Origin, RootCause};
use vplant_domain::exception::{ExceptionCommand, RaiseInput};
use vplant_domain::fields::{Reason, Text};
use vplant_domain::identity::Scope;
use vplant_domain::site::{NewSite, SiteCommand, SiteState};
use vplant_testkit::{TestDb, block_on};

const PASSWORD: &str = "Correct-Horse-Battery-Staple-9";

fn app(db: &TestDb) -> App {
    let policy = SecurityPolicy {
        hash_cost: HashCost {
            memory_kib: 1024,
            iterations: 1,
            lanes: 1,
        },
        ..SecurityPolicy::default()
    };
    let app = App::with_policy(db.store(), policy).unwrap();
    let by = Request::by("admin");
    for (code, kind) in [("CMO-A", "cmo"), ("CMO-B", "cmo")] {
        let site = NewSite::parse(code, code, kind, "FR").unwrap();
        block_on(app.execute::<SiteState>(code, SiteCommand::Register(site), &by)).unwrap();
    }
    for (username, role) in [("vpt", "vpt_manager"), ("qa.lead", "qa_reviewer")] {
        let input = NewUserInput {
            username: username.to_owned(),
            full_name: format!("{username} person"),
            email: format!("{username}@example.com"),
            roles: vec![role.to_owned()],
            sites: Vec::new(),
            password: Some(PASSWORD.to_owned()),
            must_change_password: false,
        };
        block_on(app.create_user(input, &by)).unwrap();
    }
    app
}

fn input(site: &str, discovered: &str) -> RaiseInput {
    RaiseInput {
        site: site.to_owned(),
        occurred: discovered.to_owned(),
        discovered: discovered.to_owned(),
        title: "Tablet hardness below limit".to_owned(),
        description: "Hardness 38 N against a lower limit of 40 N during compression.".to_owned(),
        classification: "major".to_owned(),
        category: "process".to_owned(),
        immediate_action: "Batch put on hold; press stopped.".to_owned(),
        ..RaiseInput::default()
    }
}

fn assess(cause: RootCause) -> ExceptionCommand {
    ExceptionCommand::Assess {
        product_impact: Text::parse(
            "product_impact",
            "No impact: affected tablets rejected by sorting.",
        )
        .unwrap(),
        root_cause_category: cause,
        root_cause: Text::parse("root_cause", "Worn punch set not replaced at its interval.")
            .unwrap(),
    }
}

/// Signs as `username` what the exception shows now.
fn sign(app: &App, username: &str, number: &str, meaning: &str) -> Result<(), AppError> {
    let stream = format!("exception/{number}");
    let head = block_on(app.signable_head(&stream)).unwrap().unwrap();
    let user = block_on(app.store.user(username)).unwrap().unwrap();
    let input = SignatureInput {
        meaning: meaning.to_owned(),
        shown_version: head.version,
        shown_hash: head.hash,
        username: username.to_owned(),
        password: PASSWORD.to_owned(),
    };
    block_on(app.sign(&principal_of(&user), &stream, number, &input, "test")).map(|_| ())
}

vplant_testkit::backend_tests!(an_exception_is_investigated_and_closed_by_someone_else_s_approval);

fn an_exception_is_investigated_and_closed_by_someone_else_s_approval(db: TestDb) {
    let app = app(&db);
    let today = app.store.now().date().to_string();
    let vpt = Request::by("vpt");

    let raised =
        block_on(app.raise_exception(&Scope::All, &input("CMO-A", &today), Origin::Vpt, &vpt))
            .unwrap();
    let year = &today[..4];
    assert_eq!(raised.number, format!("EX-{year}-0001"));
    assert_eq!(raised.status, "open");
    let second = block_on(app.raise_exception(
        &Scope::All,
        &input("CMO-A", &today),
        Origin::CmoReport,
        &vpt,
    ))
    .unwrap();
    assert_eq!(
        second.number,
        format!("EX-{year}-0002"),
        "numbers follow each other"
    );
    let number = raised.number.clone();

    let early = block_on(app.act_on_exception(
        &Scope::All,
        &number,
        ExceptionCommand::SubmitForClosure,
        &vpt,
    ));
    assert!(
        matches!(early, Err(AppError::Domain(DomainError::InvalidState(_)))),
        "{early:?}"
    );
    block_on(app.act_on_exception(&Scope::All, &number, assess(RootCause::Machine), &vpt)).unwrap();
    let submitted = block_on(app.act_on_exception(
        &Scope::All,
        &number,
        ExceptionCommand::SubmitForClosure,
        &vpt,
    ))
    .unwrap();
    assert_eq!(submitted.status, "pending_approval");

    // The VPT manager recorded it and holds no approval right; QA, who recorded none
    // of it, rejects once (back to the investigation) and approves when resubmitted.
    // A rejection is not authorship: QA may still approve afterwards.
    sign(&app, "qa.lead", &number, "rejected").unwrap();
    let back = block_on(app.exception(&Scope::All, &number)).unwrap();
    assert_eq!(back.row.status, "under_investigation");
    block_on(app.act_on_exception(
        &Scope::All,
        &number,
        ExceptionCommand::SubmitForClosure,
        &vpt,
    ))
    .unwrap();
    sign(&app, "qa.lead", &number, "approved").unwrap();
    let closed = block_on(app.exception(&Scope::All, &number)).unwrap();
    assert_eq!(closed.row.status, "closed");
    assert_eq!(closed.row.closed_on.as_deref(), Some(today.as_str()));
    let again = sign(&app, "qa.lead", &number, "approved");
    assert!(
        matches!(again, Err(AppError::Domain(DomainError::InvalidState(_)))),
        "{again:?}"
    );
}

#[test]
fn whoever_recorded_part_of_an_exception_cannot_approve_it() {
    let db = TestDb::sqlite();
    let app = app(&db);
    let today = app.store.now().date().to_string();
    let qa = Request::by("qa.lead");
    let raised =
        block_on(app.raise_exception(&Scope::All, &input("CMO-A", &today), Origin::Vpt, &qa))
            .unwrap();
    block_on(app.act_on_exception(&Scope::All, &raised.number, assess(RootCause::Method), &qa))
        .unwrap();
    block_on(app.act_on_exception(
        &Scope::All,
        &raised.number,
        ExceptionCommand::SubmitForClosure,
        &qa,
    ))
    .unwrap();

    let own = sign(&app, "qa.lead", &raised.number, "approved");

    assert!(
        matches!(own, Err(AppError::Domain(DomainError::NotAllowed(_)))),
        "{own:?}"
    );
    assert_eq!(
        block_on(app.exception(&Scope::All, &raised.number))
            .unwrap()
            .row
            .status,
        "pending_approval"
    );
}

#[test]
fn an_extension_moves_the_due_date_only_once_approved() {
    let db = TestDb::sqlite();
    let app = app(&db);
    let today = app.store.now().date();
    let vpt = Request::by("vpt");
    let raised = block_on(app.raise_exception(
        &Scope::All,
        &input("CMO-A", &today.to_string()),
        Origin::Vpt,
        &vpt,
    ))
    .unwrap();
    let due = today.first_day() + time::Duration::days(30);
    assert_eq!(raised.due, due.to_string(), "major: 30 days from discovery");

    let later = (due + time::Duration::days(14)).to_string();
    let unjustified = block_on(app.act_on_exception(
        &Scope::All,
        &raised.number,
        ExceptionCommand::RequestExtension {
            to: later.clone(),
            justification: " ".to_owned(),
        },
        &vpt,
    ));
    assert!(
        matches!(unjustified, Err(AppError::Domain(DomainError::Validation(ref f))) if f[0].field == "justification"),
        "{unjustified:?}"
    );
    let requested = block_on(app.act_on_exception(
        &Scope::All,
        &raised.number,
        ExceptionCommand::RequestExtension {
            to: later.clone(),
            justification: "Supplier root-cause report expected in two weeks.".to_owned(),
        },
        &vpt,
    ))
    .unwrap();
    assert!(requested.extension_pending);
    assert_eq!(requested.due, due.to_string(), "not before approval");

    sign(&app, "qa.lead", &raised.number, "approved").unwrap();

    let extended = block_on(app.exception(&Scope::All, &raised.number)).unwrap();
    assert_eq!(
        (extended.row.due.as_str(), extended.row.extension_pending),
        (later.as_str(), false)
    );
    assert_eq!(
        extended.row.status, "open",
        "approving an extension does not close it"
    );
}

#[test]
fn the_same_root_cause_at_the_same_site_within_a_year_is_a_recurrence() {
    let db = TestDb::sqlite();
    let app = app(&db);
    let today = app.store.now().date().to_string();
    let vpt = Request::by("vpt");
    let mut numbers = Vec::new();
    for (site, cause) in [
        ("CMO-A", RootCause::Machine),
        ("CMO-A", RootCause::Machine),
        ("CMO-A", RootCause::HumanError),
        ("CMO-B", RootCause::Machine),
    ] {
        let e = block_on(app.raise_exception(&Scope::All, &input(site, &today), Origin::Vpt, &vpt))
            .unwrap();
        block_on(app.act_on_exception(&Scope::All, &e.number, assess(cause), &vpt)).unwrap();
        numbers.push(e.number);
    }

    let first = block_on(app.exception(&Scope::All, &numbers[0])).unwrap();
    assert_eq!(first.recurrences, vec![numbers[1].clone()]);
    assert!(
        block_on(app.exception(&Scope::All, &numbers[2]))
            .unwrap()
            .recurrences
            .is_empty()
    );
}

#[test]
fn a_cmo_partner_raises_and_reads_only_its_own_sites_exceptions() {
    let db = TestDb::sqlite();
    let app = app(&db);
    let today = app.store.now().date().to_string();
    let partner = Scope::Sites(BTreeSet::from(["CMO-A".to_owned()]));
    let by = Request::by("cmo.a");
    let own =
        block_on(app.raise_exception(&partner, &input("CMO-A", &today), Origin::CmoReport, &by))
            .unwrap();
    let other = block_on(app.raise_exception(
        &Scope::All,
        &input("CMO-B", &today),
        Origin::Vpt,
        &Request::by("vpt"),
    ))
    .unwrap();

    let refused =
        block_on(app.raise_exception(&partner, &input("CMO-B", &today), Origin::CmoReport, &by));
    assert!(
        matches!(refused, Err(AppError::Domain(DomainError::Validation(ref f))) if f[0].field == "site"),
        "{refused:?}"
    );
    let listed: Vec<String> = block_on(app.exceptions(&partner, Default::default()))
        .unwrap()
        .into_iter()
        .map(|e| e.number)
        .collect();
    assert_eq!(listed, vec![own.number.clone()]);
    for result in [
        block_on(app.exception(&partner, &other.number)).map(|_| ()),
        block_on(app.act_on_exception(
            &partner,
            &other.number,
            ExceptionCommand::Cancel {
                reason: Reason::parse("reason", "not ours").unwrap(),
            },
            &by,
        ))
        .map(|_| ()),
    ] {
        assert!(
            matches!(result, Err(AppError::Domain(DomainError::NotFound { .. }))),
            "{result:?}"
        );
    }
}

#[test]
fn dates_in_the_future_or_out_of_order_are_refused_naming_the_field() {
    let db = TestDb::sqlite();
    let app = app(&db);
    let today = app.store.now().date().first_day();
    let mut future = input("CMO-A", &(today + time::Duration::days(2)).to_string());
    future.occurred = today.to_string();
    let result =
        block_on(app.raise_exception(&Scope::All, &future, Origin::Vpt, &Request::by("vpt")));
    assert!(
        matches!(result, Err(AppError::Domain(DomainError::Validation(ref f))) if f[0].field == "discovered"),
        "{result:?}"
    );
    let mut backwards = input("CMO-A", &(today - time::Duration::days(2)).to_string());
    backwards.occurred = today.to_string();
    let result =
        block_on(app.raise_exception(&Scope::All, &backwards, Origin::Vpt, &Request::by("vpt")));
    assert!(
        matches!(result, Err(AppError::Domain(DomainError::Validation(ref f))) if f[0].field == "discovered"),
        "{result:?}"
    );
}
