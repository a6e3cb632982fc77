//! Overdue notices by e-mail: each person is told once a day about their own overdue
//! actions (and, if they handle exceptions, overdue exceptions at their sites); a
//! notice the mail server refused is tried again and not recorded as sent.

use std::sync::{Arc, Mutex};

use vplant_app::identity::NewUserInput;
use vplant_app::notices::Mailer;
use vplant_app::{App, Request};
use vplant_domain::action::ActionInput;
use vplant_domain::identity::Scope;
use vplant_domain::site::{NewSite, SiteCommand, SiteState};
use vplant_testkit::{TestDb, block_on};

#[derive(Default)]
struct Outbox {
    sent: Mutex<Vec<(String, String)>>,
    refuse: bool,
}

impl Mailer for Outbox {
    fn send(&self, to: &str, _subject: &str, body: &str) -> Result<(), String> {
        if self.refuse {
            return Err("451 try again later".to_owned());
        }
        self.sent
            .lock()
            .unwrap()
            .push((to.to_owned(), body.to_owned()));
        Ok(())
    }
}

fn setup(db: &TestDb) -> (App, String) {
    let app = App::new(db.store()).unwrap();
    let by = Request::by("admin");
    let site = NewSite::parse("CMO-A", "CMO A", "cmo", "FR").unwrap();
    block_on(app.execute::<SiteState>("CMO-A", SiteCommand::Register(site), &by)).unwrap();
    for (name, role) in [("owner.one", "vpt_manager"), ("other.one", "operator")] {
        let input = NewUserInput {
            username: name.to_owned(),
            full_name: format!("{name} person"),
            email: format!("{name}@plant.example"),
            roles: vec![role.to_owned()],
            sites: Vec::new(),
            password: None,
            must_change_password: true,
        };
        block_on(app.create_user(input, &by)).unwrap();
    }
    let yesterday = (app.store.now().date().first_day() - time::Duration::days(1)).to_string();
    let input = ActionInput {
        kind: "correction".to_owned(),
        title: "Recalibrate the balance in room 12".to_owned(),
        owner: "owner.one".to_owned(),
        due: yesterday,
        site: "CMO-A".to_owned(),
        ..ActionInput::default()
    };
    let action = block_on(app.create_action(&Scope::All, &input, &Request::by("vpt"))).unwrap();
    (app, action.number)
}

#[test]
fn each_person_is_told_once_a_day_about_their_own_overdue_actions() {
    let db = TestDb::sqlite();
    let (app, number) = setup(&db);
    let outbox = Arc::new(Outbox::default());

    let round =
        block_on(app.send_overdue_notices(outbox.clone(), "https://vplant.example")).unwrap();
    let again =
        block_on(app.send_overdue_notices(outbox.clone(), "https://vplant.example")).unwrap();

    assert_eq!((round.sent, again.sent), (1, 0));
    let sent = outbox.sent.lock().unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, "owner.one@plant.example");
    assert!(
        sent[0]
            .1
            .contains(&format!("https://vplant.example/actions/{number}")),
        "{}",
        sent[0].1
    );
    drop(sent);
    let today = app.store.now().date();
    let stream = block_on(app.store.stream(&format!("notice/owner.one/{today}"))).unwrap();
    assert_eq!(stream.len(), 1, "the notice is in the ledger");
    assert_eq!(stream[0].event_type, "OverdueNoticeSent");
}

#[test]
fn a_notice_the_mail_server_refused_is_not_recorded_and_is_tried_again() {
    let db = TestDb::sqlite();
    let (app, _) = setup(&db);
    let refusing = Arc::new(Outbox {
        refuse: true,
        ..Outbox::default()
    });

    let round = block_on(app.send_overdue_notices(refusing, "http://x")).unwrap();
    assert_eq!(round.sent, 0);
    assert_eq!(round.failed[0].0, "owner.one");

    let outbox = Arc::new(Outbox::default());
    let retry = block_on(app.send_overdue_notices(outbox.clone(), "http://x")).unwrap();
    assert_eq!(retry.sent, 1);
}
