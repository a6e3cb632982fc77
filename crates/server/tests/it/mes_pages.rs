//! The manufacturing pages as people use them: a recipe author writes an MBR in the
//! browser (and is told where each problem is), QA approves it in the signature
//! dialog, a supervisor starts a batch from the form, an operator enters an
//! out-of-limit value on the tablet screen and sees at once what it did, a double
//! tap records once, the step is signed, and QA reviews by exception and releases.
//! Equipment and lots are signed and logged through their pages.

use axum::http::StatusCode;
use vplant_domain::identity::Role;

use crate::support::{Client, EQUIPMENT, INTERNAL, PASSWORD, Resp, Server, seed_mes};

/// A recipe with one numeric step whose limits nest: alert 6.5–7.5, action 6–8,
/// specification 5–9.
const RECIPE: &str = "\
code: MBR-PH
title: pH adjustment
product: PRD-1
batch_size: { amount: 100, unit: kg }
unit_procedures:
  - id: solution
    name: Solution
    operations:
      - id: adjust
        name: Adjust
        phases:
          - id: ph
            name: pH of the solution
            entry:
              kind: numeric
              unit: pH
              target: 7
              checks: { alert: { low: 6.5, high: 7.5 }, action: { low: 6, high: 8 }, spec: { low: 5, high: 9 } }
";

/// The value of hidden field `name` in the first form of `body` that has it.
fn hidden(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = body
        .find(&marker)
        .unwrap_or_else(|| panic!("no field {name} in {body}"))
        + marker.len();
    body[start..].split('"').next().unwrap().to_owned()
}

/// Signs through the dialog of `record` (`/mbrs/..`, `/ebrs/..`), as its page does.
async fn sign(client: &Client<'_>, record: &str, query: &str, user: &str, meaning: &str) -> Resp {
    let dialog = client.get(&format!("{record}/sign{query}")).await;
    assert_eq!(dialog.status, StatusCode::OK, "{}", dialog.body);
    let version = hidden(&dialog.body, "shown_version");
    let hash = hidden(&dialog.body, "shown_hash");
    let subject = query.strip_prefix("?subject=").unwrap_or_default();
    client
        .post(
            &format!("{record}/sign"),
            &[
                ("subject", subject),
                ("meaning", meaning),
                ("shown_version", &version),
                ("shown_hash", &hash),
                ("username", user),
                ("password", PASSWORD),
            ],
        )
        .await
}

#[tokio::test]
async fn an_mbr_written_in_the_browser_runs_on_the_tablet_and_qa_releases_the_batch() {
    let server = Server::new().await;
    seed_mes(&server.app).await;
    let author = server.as_role(Role::RecipeAuthor).await;
    let qa = server.as_role(Role::QaReviewer).await;
    let supervisor = server.as_role(Role::Supervisor).await;
    let operator = server.as_role(Role::Operator).await;

    // A file that cannot be read is refused with its line; nothing is saved.
    let unreadable = author
        .post("/mbrs/new", &[("format", "yaml"), ("text", "code: [")])
        .await;
    assert_eq!(
        unreadable.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unreadable.body
    );
    assert!(unreadable.body.contains("line 1"), "{}", unreadable.body);

    // A draft may be unfinished: limits that do not nest are saved, listed with where
    // they are, and block the submission until fixed.
    let bad = RECIPE.replace("high: 8 }", "high: 9.5 }");
    let saved = author
        .post("/mbrs/new", &[("format", "yaml"), ("text", &bad)])
        .await;
    assert_eq!(
        saved.location().as_deref(),
        Some("/mbrs/MBR-PH/1?done=saved"),
        "{}",
        saved.body
    );
    let draft = author.get("/mbrs/MBR-PH/1").await;
    assert!(
        draft.body.contains("To fix before submitting (1)"),
        "{}",
        draft.body
    );
    assert!(draft.body.contains("checks.action"), "{}", draft.body);
    let early = author.post("/mbrs/MBR-PH/1/submit", &[]).await;
    assert_eq!(
        early.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        early.body
    );
    assert!(
        early.body.contains("must lie within the spec limits"),
        "{}",
        early.body
    );

    let edit = author.get("/mbrs/MBR-PH/1/edit").await;
    assert!(
        edit.body.contains("high: 9.5"),
        "the editor shows the draft as saved"
    );
    let fixed = author
        .post(
            "/mbrs/MBR-PH/1/edit",
            &[
                ("format", "yaml"),
                ("text", RECIPE),
                ("reason", "action limits inside the specification"),
            ],
        )
        .await;
    assert_eq!(
        fixed.location().as_deref(),
        Some("/mbrs/MBR-PH/1?done=saved"),
        "{}",
        fixed.body
    );
    let submitted = author.post("/mbrs/MBR-PH/1/submit", &[]).await;
    assert_eq!(
        submitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        submitted.body
    );

    // The author's roles do not approve recipes; QA's do.
    let own = author.get("/mbrs/MBR-PH/1/sign").await;
    assert!(own.body.contains("do not allow approving"), "{}", own.body);
    let approved = sign(&qa, "/mbrs/MBR-PH/1", "", "qa_reviewer", "approved").await;
    assert_eq!(
        approved.location().as_deref(),
        Some("/mbrs/MBR-PH/1?done=signed"),
        "{}",
        approved.body
    );
    let effective = author.post("/mbrs/MBR-PH/1/effective", &[]).await;
    assert_eq!(
        effective.status,
        StatusCode::SEE_OTHER,
        "{}",
        effective.body
    );
    let page = author.get("/mbrs/MBR-PH/1").await;
    assert!(page.body.contains("Effective") && page.body.contains("pH of the solution"));
    assert!(author.get("/mbrs").await.body.contains("MBR-PH"));

    let started = supervisor
        .post(
            "/ebrs",
            &[
                ("site", INTERNAL),
                ("mbr", "MBR-PH"),
                ("number", "PH1"),
                ("order", "PO-77"),
                ("size", "200"),
                ("size_unit", "kg"),
            ],
        )
        .await;
    assert_eq!(
        started.location().as_deref(),
        Some("/ebrs/INT/PH1"),
        "{}",
        started.body
    );

    // The operator's screen offers the step; an out-of-limit value is recorded, raises
    // an exception on the spot, and the screen says so.
    let screen = operator.get("/ebrs/INT/PH1").await;
    assert!(screen.body.contains("Record value"), "{}", screen.body);
    let key = hidden(&screen.body, "idempotency_key");
    let form = [
        ("step", "ph"),
        ("value", "8.4"),
        ("idempotency_key", key.as_str()),
    ];
    let entered = operator.post("/ebrs/INT/PH1/entries", &form).await;
    let to = entered
        .location()
        .unwrap_or_else(|| panic!("{}", entered.body));
    assert!(to.starts_with("/ebrs/INT/PH1?entry=1&ex=EX-"), "{to}");
    let told = operator.get(to.split('#').next().unwrap()).await;
    assert!(
        told.body.contains("Outside the action limits: 8.4 pH"),
        "{}",
        told.body
    );
    assert!(told.body.contains("(major) raised"), "{}", told.body);

    // A double tap sends the same form again: nothing new is written.
    let again = operator.post("/ebrs/INT/PH1/entries", &form).await;
    assert_eq!(
        again.location().as_deref(),
        Some("/ebrs/INT/PH1?done=replayed#now-title")
    );

    let screen = operator.get("/ebrs/INT/PH1").await;
    assert!(screen.body.contains("Sign as performed"), "{}", screen.body);

    let performed = sign(
        &operator,
        "/ebrs/INT/PH1",
        "?subject=ph",
        "operator",
        "performed",
    )
    .await;
    assert_eq!(
        performed.location().as_deref(),
        Some("/ebrs/INT/PH1?done=signed"),
        "{}",
        performed.body
    );

    // QA's review lists the excursion and its exception; release waits for the review.
    let review = qa.get("/ebrs/INT/PH1/review").await;
    assert!(
        review.body.contains("Out of limits") && review.body.contains("Exception"),
        "{}",
        review.body
    );
    assert!(
        review.body.contains("✔ Every step is done"),
        "{}",
        review.body
    );
    let early = sign(&qa, "/ebrs/INT/PH1", "", "qa_reviewer", "released").await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.body);
    assert!(early.body.contains("review"), "{}", early.body);
    let reviewed = sign(&qa, "/ebrs/INT/PH1", "", "qa_reviewer", "reviewed").await;
    assert_eq!(reviewed.status, StatusCode::SEE_OTHER, "{}", reviewed.body);
    let released = sign(&qa, "/ebrs/INT/PH1", "", "qa_reviewer", "released").await;
    assert_eq!(released.status, StatusCode::SEE_OTHER, "{}", released.body);
    let done = qa.get("/ebrs?status=released").await;
    assert!(done.body.contains("INT/PH1"), "{}", done.body);
}

#[tokio::test]
async fn a_non_number_on_the_tablet_is_refused_with_its_reason_and_nothing_is_stored() {
    let server = Server::new().await;
    seed_mes(&server.app).await;
    let operator = server.as_role(Role::Operator).await;
    let refused = operator
        .post("/ebrs/INT/E1/entries", &[("step", "nope"), ("value", "x")])
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(refused.body.contains("is not a step"), "{}", refused.body);
    let screen = operator.get("/ebrs/INT/E1").await;
    assert!(screen.body.contains("0 of 1 steps done"), "{}", screen.body);
}

#[tokio::test]
async fn equipment_is_cleaned_through_its_logbook_page_and_the_board_shows_it() {
    let server = Server::new().await;
    seed_mes(&server.app).await;
    let operator = server.as_role(Role::Operator).await;
    let logged = operator
        .post(
            &format!("/equipment/{EQUIPMENT}/logbook"),
            &[("kind", "clean"), ("note", "SOP-CL-004, full clean")],
        )
        .await;
    assert_eq!(
        logged.location().as_deref(),
        Some("/equipment/EQ-1?done=logged"),
        "{}",
        logged.body
    );
    let page = operator.get("/equipment/EQ-1?done=logged").await;
    assert!(page.body.contains("SOP-CL-004"), "{}", page.body);
    let board = operator.get("/equipment").await;
    assert!(
        board.body.contains("EQ-1") && board.body.contains("Clean"),
        "{}",
        board.body
    );
    let bad = operator
        .post(
            &format!("/equipment/{EQUIPMENT}/logbook"),
            &[("kind", "polish"), ("note", "x")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("is not a logbook entry"), "{}", bad.body);
}

#[tokio::test]
async fn a_critical_value_blocks_the_tablet_until_qa_acknowledges_it_in_the_dialog() {
    let server = Server::new().await;
    seed_mes(&server.app).await;
    let author = server.as_role(Role::RecipeAuthor).await;
    let qa = server.as_role(Role::QaReviewer).await;
    let operator = server.as_role(Role::Operator).await;
    author
        .post("/mbrs/new", &[("format", "yaml"), ("text", RECIPE)])
        .await;
    author.post("/mbrs/MBR-PH/1/submit", &[]).await;
    sign(&qa, "/mbrs/MBR-PH/1", "", "qa_reviewer", "approved").await;
    author.post("/mbrs/MBR-PH/1/effective", &[]).await;
    let supervisor = server.as_role(Role::Supervisor).await;
    let started = supervisor
        .post(
            "/ebrs",
            &[
                ("site", INTERNAL),
                ("mbr", "MBR-PH"),
                ("number", "PH2"),
                ("order", "PO-78"),
                ("size", "100"),
                ("size_unit", "kg"),
            ],
        )
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);

    // Outside the specification: recorded, a critical exception, the batch blocked.
    let entered = operator
        .post("/ebrs/INT/PH2/entries", &[("step", "ph"), ("value", "9.6")])
        .await;
    let to = entered.location().unwrap();
    let told = operator.get(to.split('#').next().unwrap()).await;
    assert!(
        told.body.contains("Outside the specification: 9.6 pH"),
        "{}",
        told.body
    );
    assert!(told.body.contains("(critical) raised"), "{}", told.body);
    assert!(told.body.contains("Batch blocked."), "{}", told.body);
    assert!(
        !told.body.contains("Sign as performed"),
        "nothing can be signed while blocked"
    );
    let number = told
        .body
        .split("/exceptions/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();

    // The operator may not acknowledge it; QA does, in the dialog, from the same page.
    let own = operator
        .get(&format!("/ebrs/INT/PH2/sign?subject={number}"))
        .await;
    assert!(
        !own.body.contains("name=\"shown_hash\""),
        "no form for the operator: {}",
        own.body
    );
    let qa_screen = qa.get("/ebrs/INT/PH2").await;
    assert!(
        qa_screen.body.contains(&format!("sign?subject={number}")),
        "{}",
        qa_screen.body
    );
    let acknowledged = sign(
        &qa,
        "/ebrs/INT/PH2",
        &format!("?subject={number}"),
        "qa_reviewer",
        "reviewed",
    )
    .await;
    assert_eq!(
        acknowledged.location().as_deref(),
        Some("/ebrs/INT/PH2?done=signed"),
        "{}",
        acknowledged.body
    );
    let screen = operator.get("/ebrs/INT/PH2").await;
    assert!(!screen.body.contains("Batch blocked."), "{}", screen.body);
    assert!(screen.body.contains("Sign as performed"), "{}", screen.body);
}
