//! Actions: a CAPA follows up an exception at its site, needs evidence to be
//! completed, and an ineffective effectiveness check reopens it; overdue actions and
//! exceptions show in each person's overdue list; site scoping holds.

use std::collections::BTreeSet;

use vplant_app::identity::NewUserInput;
use vplant_app::{App, AppError, Request};
use vplant_domain::DomainError;
use vplant_domain::action::{ActionCommand, ActionInput};
use vplant_domain::exception::RaiseInput;
use vplant_domain::exception::fields::Origin;
use vplant_domain::fields::Text;
use vplant_domain::identity::Scope;
use vplant_domain::site::{NewSite, SiteCommand, SiteState};
use vplant_testkit::{TestDb, block_on};

fn app(db: &TestDb) -> App {
    let app = App::new(db.store()).unwrap();
    let by = Request::by("admin");
    for code in ["CMO-A", "CMO-B"] {
        let site = NewSite::parse(code, code, "cmo", "FR").unwrap();
        block_on(app.execute::<SiteState>(code, SiteCommand::Register(site), &by)).unwrap();
    }
    let owner = NewUserInput {
        username: "owner.one".to_owned(),
        full_name: "Owner One".to_owned(),
        email: "owner@example.com".to_owned(),
        roles: vec!["vpt_manager".to_owned()],
        sites: Vec::new(),
        password: None,
        must_change_password: true,
    };
    block_on(app.create_user(owner, &by)).unwrap();
    app
}

fn day(app: &App, offset: i64) -> String {
    (app.store.now().date().first_day() + time::Duration::days(offset)).to_string()
}

fn exception(app: &App, site: &str) -> String {
    let today = day(app, 0);
    let input = RaiseInput {
        site: site.to_owned(),
        occurred: today.clone(),
        discovered: today,
        title: "Label mix-up".to_owned(),
        description: "Two label rolls swapped on line 3.".to_owned(),
        classification: "critical".to_owned(),
        category: "process".to_owned(),
        ..RaiseInput::default()
    };
    block_on(app.raise_exception(&Scope::All, &input, Origin::Vpt, &Request::by("vpt")))
        .unwrap()
        .number
}

fn capa(app: &App, exception: &str, due: i64) -> ActionInput {
    ActionInput {
        kind: "capa".to_owned(),
        title: "Line clearance checklist with label reconciliation".to_owned(),
        owner: "owner.one".to_owned(),
        due: day(app, due),
        source_kind: "exception".to_owned(),
        source_id: exception.to_owned(),
        effectiveness_criterion: "No label mix-up on line 3 in the next 50 batches.".to_owned(),
        effectiveness_due: day(app, due + 90),
        ..ActionInput::default()
    }
}

fn text(s: &str) -> Text {
    Text::parse("note", s).unwrap()
}

vplant_testkit::backend_tests!(a_capa_needs_evidence_and_an_ineffective_check_reopens_it);

fn a_capa_needs_evidence_and_an_ineffective_check_reopens_it(db: TestDb) {
    let app = app(&db);
    let by = Request::by("owner.one");
    let ex = exception(&app, "CMO-A");
    let action =
        block_on(app.create_action(&Scope::All, &capa(&app, &ex, 30), &Request::by("vpt")))
            .unwrap();
    assert!(action.number.starts_with("AC-"));
    assert_eq!(
        action.site.as_deref(),
        Some("CMO-A"),
        "the exception's site"
    );
    assert_eq!(
        (action.source_kind.as_deref(), action.source_id.as_deref()),
        (Some("exception"), Some(ex.as_str()))
    );
    let act = |command| block_on(app.act_on_action(&Scope::All, &action.number, command, &by));

    let bare = act(ActionCommand::Complete);
    assert!(
        matches!(bare, Err(AppError::Domain(DomainError::InvalidState(ref m))) if m.contains("no evidence")),
        "{bare:?}"
    );
    act(ActionCommand::Start).unwrap();
    act(ActionCommand::AddEvidence {
        note: text("Checklist LC-07 rev. 2 approved and trained."),
    })
    .unwrap();
    let done = act(ActionCommand::Complete).unwrap();
    assert_eq!(
        (done.status.as_str(), done.closed_on.clone()),
        ("done", Some(day(&app, 0)))
    );

    let reopened = act(ActionCommand::CheckEffectiveness {
        effective: false,
        note: text("Mix-up again on batch 4411."),
    })
    .unwrap();
    assert_eq!(
        (reopened.status.as_str(), reopened.closed_on.as_deref()),
        ("open", None)
    );
    assert_eq!(
        reopened.effectiveness_result.as_deref(),
        Some("ineffective")
    );
    act(ActionCommand::Complete).unwrap();
    let effective = act(ActionCommand::CheckEffectiveness {
        effective: true,
        note: text("50 batches without mix-up."),
    })
    .unwrap();
    assert_eq!(effective.status, "effective");

    let view = block_on(app.action(&Scope::All, &action.number)).unwrap();
    assert_eq!(view.evidence.len(), 1);
    assert_eq!(view.evidence[0].by, "owner.one");
    assert_eq!(view.checks.len(), 2);
    let linked = block_on(app.actions(
        &Scope::All,
        vplant_store::queries::actions::ActionFilter {
            source: Some(("exception".to_owned(), ex)),
            limit: 10,
            ..Default::default()
        },
    ))
    .unwrap();
    assert_eq!(linked.len(), 1);
}

#[test]
fn overdue_actions_and_exceptions_are_listed_for_their_people() {
    let db = TestDb::sqlite();
    let app = app(&db);
    let ex = exception(&app, "CMO-A");
    let late = block_on(app.create_action(&Scope::All, &capa(&app, &ex, -3), &Request::by("vpt")))
        .unwrap();
    block_on(app.create_action(&Scope::All, &capa(&app, &ex, 10), &Request::by("vpt"))).unwrap();

    let overdue = block_on(app.overdue_for(&Scope::All, "owner.one")).unwrap();

    let numbers: Vec<&str> = overdue.actions.iter().map(|a| a.number.as_str()).collect();
    assert_eq!(numbers, vec![late.number.as_str()]);
    assert!(
        overdue.exceptions.is_empty(),
        "the exception is due in 30 days"
    );
    assert!(
        block_on(app.overdue_for(&Scope::All, "someone.else"))
            .unwrap()
            .actions
            .is_empty()
    );
}

#[test]
fn a_cmo_partner_reaches_only_actions_of_its_own_site() {
    let db = TestDb::sqlite();
    let app = app(&db);
    let ex_b = exception(&app, "CMO-B");
    let other =
        block_on(app.create_action(&Scope::All, &capa(&app, &ex_b, 10), &Request::by("vpt")))
            .unwrap();
    let partner = Scope::Sites(BTreeSet::from(["CMO-A".to_owned()]));

    let seen = block_on(app.action(&partner, &other.number));
    assert!(
        matches!(seen, Err(AppError::Domain(DomainError::NotFound { .. }))),
        "{seen:?}"
    );
    let listed = block_on(app.actions(&partner, Default::default())).unwrap();
    assert!(listed.is_empty());
    // Following up another site's exception is refused as if it did not exist.
    let refused =
        block_on(app.create_action(&partner, &capa(&app, &ex_b, 10), &Request::by("cmo.a")));
    assert!(
        matches!(refused, Err(AppError::Domain(DomainError::Validation(ref f))) if f[0].field == "source_id"),
        "{refused:?}"
    );
    // An action without a site is the network's: a partner must name its own site.
    let mut loose = capa(&app, "", 10);
    loose.kind = "meeting_action".to_owned();
    loose.source_kind = String::new();
    loose.effectiveness_criterion = String::new();
    let refused = block_on(app.create_action(&partner, &loose, &Request::by("cmo.a")));
    assert!(
        matches!(refused, Err(AppError::Domain(DomainError::Validation(ref f))) if f[0].field == "site"),
        "{refused:?}"
    );
    loose.site = "CMO-A".to_owned();
    let own = block_on(app.create_action(&partner, &loose, &Request::by("cmo.a"))).unwrap();
    assert_eq!(own.site.as_deref(), Some("CMO-A"));
}

#[test]
fn an_owner_must_be_an_active_user_and_bad_input_names_its_fields() {
    let db = TestDb::sqlite();
    let app = app(&db);
    let mut input = capa(&app, "", 10);
    input.source_kind = String::new();
    input.owner = "nobody.here".to_owned();
    let result = block_on(app.create_action(&Scope::All, &input, &Request::by("vpt")));
    assert!(
        matches!(result, Err(AppError::Domain(DomainError::Validation(ref f))) if f[0].field == "owner"),
        "{result:?}"
    );

    input.owner = "owner.one".to_owned();
    input.kind = "wish".to_owned();
    input.due = "soon".to_owned();
    let result = block_on(app.create_action(&Scope::All, &input, &Request::by("vpt")));
    let Err(AppError::Domain(DomainError::Validation(fields))) = result else {
        panic!("expected field errors, got {result:?}");
    };
    let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(names, ["kind", "due"]);
}
