//! Exceptions and actions as SPEC §2.5 has people use them: a VPT manager raises an
//! exception through the page form, assesses and submits it; QA closes it with an
//! approval signature in the dialog, which nobody who recorded part of it may give;
//! a CAPA follows it up through the API until an ineffective check reopens it; a
//! CMO partner sees only its own site's records; bad input is refused naming every
//! field, on the page and in the API.

use axum::http::StatusCode;
use serde_json::{Value, json};
use vplant_domain::identity::Role;

use crate::signatures::{hidden, offered_meanings};
use crate::support::{
    Client, INTERNAL, OTHER_CMO, OWN_CMO, PASSWORD, Resp, Server, on_postgres, refused_fields,
    register_material, seed_batch_at, seed_exception_at,
};

/// Today on the server's clock, `YYYY-MM-DD`.
fn today(server: &Server) -> String {
    server.app.store.now().date().to_string()
}

/// The raise form filled in for `site`, as a person types it.
fn raise_form(server: &Server, site: &str) -> Vec<(&'static str, String)> {
    let today = today(server);
    vec![
        ("site", site.to_owned()),
        ("title", "Tablet hardness below limit".to_owned()),
        ("classification", "major".to_owned()),
        ("category", "process".to_owned()),
        ("occurred", today.clone()),
        ("discovered", today),
        ("product", "PRD-1".to_owned()),
        ("batches", format!("{site}/B1")),
        (
            "description",
            "Hardness 38 N against a lower limit of 40 N during compression.".to_owned(),
        ),
        (
            "immediate_action",
            "Batch on hold; press stopped.".to_owned(),
        ),
    ]
}

/// Posts a form given as owned values.
async fn post(client: &Client<'_>, uri: &str, fields: &[(&str, String)]) -> Resp {
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    client.post(uri, &pairs).await
}

/// Raises an exception at `site` through the page form; its number.
async fn raise_on_page(server: &Server, client: &Client<'_>, site: &str) -> String {
    let resp = post(client, "/exceptions", &raise_form(server, site)).await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    let to = resp.location().unwrap();
    let number = to
        .strip_prefix("/exceptions/")
        .and_then(|rest| rest.strip_suffix("?done=raised"))
        .unwrap_or_else(|| panic!("raising leads to the exception's page, not {to}"));
    number.to_owned()
}

/// Assesses exception `number` and submits it for closure through its page forms.
async fn assess_and_submit(client: &Client<'_>, number: &str) {
    let assessed = client
        .post(
            &format!("/exceptions/{number}/assess"),
            &[
                (
                    "product_impact",
                    "No impact: the affected tablets were rejected.",
                ),
                ("root_cause_category", "machine"),
                ("root_cause", "Worn punch set not replaced at its interval."),
            ],
        )
        .await;
    assert_eq!(assessed.status, StatusCode::SEE_OTHER, "{}", assessed.body);
    let submitted = client
        .post(&format!("/exceptions/{number}/submit"), &[])
        .await;
    assert_eq!(
        submitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        submitted.body
    );
    assert_eq!(
        submitted.location().unwrap(),
        format!("/exceptions/{number}?done=submit")
    );
}

/// Opens the signature dialog of exception `number` and signs it as `meaning`.
async fn sign_in_dialog(client: &Client<'_>, who: &str, number: &str, meaning: &str) -> Resp {
    let dialog = client.get(&format!("/exceptions/{number}/sign")).await;
    assert_eq!(dialog.status, StatusCode::OK, "{}", dialog.body);
    client
        .post(
            &format!("/exceptions/{number}/sign"),
            &[
                ("meaning", meaning),
                ("shown_version", &hidden(&dialog.body, "shown_version")),
                ("shown_hash", &hidden(&dialog.body, "shown_hash")),
                ("username", who),
                ("password", PASSWORD),
            ],
        )
        .await
}

/// The `number`s of a JSON list.
fn numbers(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|r| r["number"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_vpt_manager_raises_assesses_and_submits_and_qa_closes_it_with_a_signature() {
    let server = Server::new().await;
    register_material(&server.app).await;
    seed_batch_at(&server.app, OWN_CMO).await;
    let vpt = server.as_role(Role::VptManager).await;

    let form = vpt.get("/exceptions/new").await;
    assert_eq!(form.status, StatusCode::OK);
    for site in [OWN_CMO, OTHER_CMO, INTERNAL] {
        assert!(form.body.contains(&format!("<option value=\"{site}\"")));
    }
    let number = raise_on_page(&server, &vpt, OWN_CMO).await;
    let year = &today(&server)[..4];
    assert_eq!(number, format!("EX-{year}-0001"));

    let page = vpt.get(&format!("/exceptions/{number}?done=raised")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Exception raised."));
    assert!(page.body.contains("Tablet hardness below limit"));
    assert!(page.body.contains(">Open</span>"));
    assert!(
        page.body
            .contains(&format!("href=\"/batches/{OWN_CMO}/B1\""))
    );
    assert!(page.body.contains("Start investigation"));
    let listed = vpt.get("/exceptions").await;
    assert!(
        listed
            .body
            .contains(&format!("href=\"/exceptions/{number}\""))
    );

    assess_and_submit(&vpt, &number).await;
    let waiting = vpt.get(&format!("/exceptions/{number}")).await;
    assert!(waiting.body.contains(">Pending approval</span>"));
    assert!(waiting.body.contains("The closure of the exception."));
    assert!(
        !waiting.body.contains("Approve or reject…"),
        "a VPT manager holds no approval right and is not offered the dialog"
    );

    let qa = server.as_role(Role::QaReviewer).await;
    let offered = qa.get(&format!("/exceptions/{number}")).await;
    assert!(offered.body.contains("data-dialog=\"sign-dialog\""));
    let dialog = qa.get(&format!("/exceptions/{number}/sign")).await;
    assert_eq!(offered_meanings(&dialog.body), ["approved", "rejected"]);
    assert!(dialog.body.contains("The closure of the exception."));
    let signed = sign_in_dialog(&qa, "qa_reviewer", &number, "approved").await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    assert_eq!(
        signed.location().unwrap(),
        format!("/exceptions/{number}?done=signed")
    );

    let closed = qa.get(&format!("/exceptions/{number}?done=signed")).await;
    assert!(closed.body.contains(">Closed</span>"));
    assert!(
        closed
            .body
            .contains(&format!("<dt>Closed on</dt><dd>{}", today(&server)))
    );
    assert!(
        closed
            .body
            .contains("<span class=\"signature-meaning\">Approved</span>")
    );
    assert!(
        closed
            .body
            .contains("<strong>Test QA reviewer</strong> (qa_reviewer)")
    );
    assert!(
        !closed.body.contains("Cancel exception"),
        "a closed exception offers no more steps"
    );
    let api = qa.get(&format!("/api/v1/exceptions/{number}")).await.json();
    assert_eq!(api["row"]["status"], "closed");
    let signatures = qa
        .get(&format!("/api/v1/exceptions/{number}/signatures"))
        .await
        .json();
    assert_eq!(signatures["signatures"][0]["meaning"], "approved");
    let history = qa
        .get(&format!("/api/v1/exceptions/{number}/history"))
        .await
        .json();
    let summaries: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["summary"].as_str().unwrap())
        .collect();
    assert!(
        summaries.contains(&"Submitted for closure"),
        "{summaries:?}"
    );
    assert!(summaries.contains(&"Closed"), "{summaries:?}");
}

#[tokio::test]
async fn whoever_raised_an_exception_cannot_approve_it() {
    let server = Server::new().await;
    register_material(&server.app).await;
    seed_batch_at(&server.app, OWN_CMO).await;
    let qa = server.as_role(Role::QaReviewer).await;
    let number = raise_on_page(&server, &qa, OWN_CMO).await;
    assess_and_submit(&qa, &number).await;

    let refused = sign_in_dialog(&qa, "qa_reviewer", &number, "approved").await;

    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(
        refused.body.contains("segregation of duties"),
        "the dialog says why: {}",
        refused.body
    );
    let api = qa.get(&format!("/api/v1/exceptions/{number}")).await.json();
    assert_eq!(api["row"]["status"], "pending_approval");
    let director = server.as_role(Role::Director).await;
    let dialog = director.get(&format!("/exceptions/{number}/sign")).await;
    assert_eq!(
        offered_meanings(&dialog.body),
        ["approved"],
        "a director approves but does not reject"
    );
}

#[tokio::test]
async fn bad_input_is_refused_naming_every_field_on_the_page_and_in_the_api() {
    let server = Server::new().await;
    let vpt = server.as_role(Role::VptManager).await;

    let page = vpt
        .post(
            "/exceptions",
            &[("site", OWN_CMO), ("occurred", "yesterday"), ("title", "")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in [
        "title",
        "classification",
        "category",
        "occurred",
        "discovered",
        "description",
    ] {
        assert!(
            page.body.contains(&format!("id=\"raise-{field}-error\"")),
            "the form names {field}: {}",
            page.body
        );
    }
    assert!(
        page.body
            .contains(&format!("<option value=\"{OWN_CMO}\" selected>")),
        "the form keeps what was typed"
    );

    // A site nobody registered and malformed fields are named in one answer.
    let api = vpt
        .post_json(
            "/api/v1/exceptions",
            &json!({"site": "NOWHERE", "classification": "huge"}),
        )
        .await;
    assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY);
    let named = refused_fields(&api.json());
    for field in ["site", "classification", "title", "category", "description"] {
        assert!(named.contains(&field.to_owned()), "{field} in {named:?}");
    }
    let filter = vpt
        .get("/api/v1/exceptions?overdue=maybe&status=lost&classification=huge")
        .await;
    assert_eq!(filter.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused_fields(&filter.json()),
        ["status", "classification", "overdue"]
    );
    let filter_page = vpt.get("/exceptions?status=lost").await;
    assert_eq!(filter_page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        filter_page
            .body
            .contains("id=\"exception-filter-status-error\"")
    );

    let (number, _) = seed_exception_at(&server.app, OWN_CMO).await;
    let assess = vpt
        .post_json(&format!("/api/v1/exceptions/{number}/assess"), &json!({}))
        .await;
    assert_eq!(assess.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused_fields(&assess.json()),
        ["product_impact", "root_cause_category", "root_cause"]
    );
    let step = vpt
        .post(
            &format!("/exceptions/{number}/request-extension"),
            &[("due", "soon")],
        )
        .await;
    assert_eq!(step.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(step.body.contains("id=\"request-extension-due-error\""));
    assert!(
        step.body
            .contains("id=\"request-extension-justification-error\"")
    );
}

#[tokio::test]
async fn a_capa_follows_up_an_exception_and_an_ineffective_check_reopens_it() {
    let server = Server::new().await;
    let vpt = server.as_role(Role::VptManager).await;
    let today = today(&server);
    let raised = vpt
        .post_json(
            "/api/v1/exceptions",
            &json!({
                "site": INTERNAL,
                "title": "Label mix-up on line 3",
                "classification": "critical",
                "category": "process",
                "occurred": today,
                "discovered": today,
                "description": "Two label rolls swapped.",
            }),
        )
        .await;
    assert_eq!(raised.status, StatusCode::CREATED, "{}", raised.body);
    let exception = raised.json()["number"].as_str().unwrap().to_owned();
    assert_eq!(raised.json()["origin"], "vpt");

    let created = vpt
        .post_json(
            "/api/v1/actions",
            &json!({
                "kind": "capa",
                "title": "Line clearance checklist with label reconciliation",
                "owner": "supervisor",
                "due": today,
                "source_kind": "exception",
                "source_id": exception,
                "effectiveness_criterion": "No mix-up in the next 50 batches.",
                "effectiveness_due": today,
            }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let capa = created.json();
    let number = capa["number"].as_str().unwrap().to_owned();
    assert_eq!(capa["site"], INTERNAL, "the exception's site");
    let action = |step: &str| format!("/api/v1/actions/{number}/{step}");

    let supervisor = server.as_role(Role::Supervisor).await;
    let bare = supervisor.post_json(&action("complete"), &json!({})).await;
    assert_eq!(bare.status, StatusCode::CONFLICT, "{}", bare.body);
    assert!(
        bare.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no evidence")
    );
    let started = supervisor.post_json(&action("start"), &json!({})).await;
    assert_eq!(started.json()["status"], "in_progress");
    let empty = supervisor.post_json(&action("evidence"), &json!({})).await;
    assert_eq!(refused_fields(&empty.json()), ["note"]);
    let evidence = supervisor
        .post_json(
            &action("evidence"),
            &json!({"note": "Checklist LC-07 rev. 2 approved and trained."}),
        )
        .await;
    assert_eq!(evidence.status, StatusCode::OK, "{}", evidence.body);
    let done = supervisor.post_json(&action("complete"), &json!({})).await;
    assert_eq!(done.json()["status"], "done");
    assert_eq!(done.json()["closed_on"], today.as_str());

    let unread = supervisor
        .post_json(&action("effectiveness"), &json!({}))
        .await;
    assert_eq!(refused_fields(&unread.json()), ["effective", "note"]);
    let reopened = supervisor
        .post_json(
            &action("effectiveness"),
            &json!({"effective": false, "note": "Mix-up again on batch 4411."}),
        )
        .await;
    assert_eq!(reopened.status, StatusCode::OK, "{}", reopened.body);
    assert_eq!(reopened.json()["status"], "open");
    assert_eq!(reopened.json()["effectiveness_result"], "ineffective");

    let view = supervisor
        .get(&format!("/api/v1/actions/{number}"))
        .await
        .json();
    assert_eq!(view["evidence"][0]["by"], "supervisor");
    assert_eq!(view["checks"][0][0], false);
    let page = supervisor.get(&format!("/actions/{number}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("Checklist LC-07 rev. 2 approved and trained.")
    );
    assert!(page.body.contains("Not effective:"));
    assert!(
        page.body
            .contains(&format!("href=\"/exceptions/{exception}\""))
    );
    let exception_page = vpt.get(&format!("/exceptions/{exception}")).await;
    assert!(
        exception_page
            .body
            .contains(&format!("href=\"/actions/{number}\"")),
        "the exception lists the CAPA that follows it up"
    );
    assert!(
        exception_page
            .body
            .contains("Create a CAPA for this exception")
    );

    // Two days on, the reopened CAPA and the open exception are overdue.
    // (Sessions end when idle that long; both people sign in again.)
    server.advance(std::time::Duration::from_secs(2 * 24 * 3600));
    let supervisor = server.as_role(Role::Supervisor).await;
    let vpt = server.as_role(Role::VptManager).await;
    let overdue = supervisor.get("/api/v1/me/overdue").await.json();
    assert_eq!(numbers(&overdue["actions"]), [number.as_str()]);
    let overdue_page = supervisor.get("/overdue").await;
    assert_eq!(overdue_page.status, StatusCode::OK);
    assert!(
        overdue_page
            .body
            .contains(&format!("href=\"/actions/{number}\""))
    );
    let listed = vpt
        .get("/api/v1/actions?overdue=true&kind=capa")
        .await
        .json();
    assert_eq!(numbers(&listed), [number]);
}

#[tokio::test]
async fn an_extension_moves_the_due_date_once_approved_through_the_api_and_recurrences_show() {
    let server = Server::new().await;
    let (first, _) = seed_exception_at(&server.app, INTERNAL).await;
    let (second, _) = seed_exception_at(&server.app, INTERNAL).await;
    let vpt = server.as_role(Role::VptManager).await;
    let before = vpt.get(&format!("/api/v1/exceptions/{first}")).await.json();
    let due = before["row"]["due"].as_str().unwrap().to_owned();
    let later = format!("{}-12-31", &due[..4].parse::<i32>().unwrap() + 1);

    let requested = vpt
        .post_json(
            &format!("/api/v1/exceptions/{first}/request-extension"),
            &json!({"due": later, "justification": "Supplier analysis takes eight more weeks."}),
        )
        .await;
    assert_eq!(requested.status, StatusCode::OK, "{}", requested.body);
    assert_eq!(requested.json()["extension_pending"], true);
    assert_eq!(
        requested.json()["due"],
        due.as_str(),
        "not moved before approval"
    );

    let qa = server.as_role(Role::QaReviewer).await;
    let page = qa.get(&format!("/exceptions/{first}")).await;
    assert!(page.body.contains(&format!(
        "The extension of the due date from {due} to {later}."
    )));
    assert!(
        page.body
            .contains("Supplier analysis takes eight more weeks.")
    );
    let head = qa
        .get(&format!("/api/v1/exceptions/{first}/signatures"))
        .await
        .json()["head"]
        .clone();
    let signed = qa
        .post_json(
            &format!("/api/v1/exceptions/{first}/signatures"),
            &json!({
                "meaning": "approved",
                "record_version": head["version"],
                "record_hash": head["hash"],
                "username": "qa_reviewer",
                "password": PASSWORD,
            }),
        )
        .await;
    assert_eq!(signed.status, StatusCode::CREATED, "{}", signed.body);
    let after = qa.get(&format!("/api/v1/exceptions/{first}")).await.json();
    assert_eq!(after["row"]["due"], later.as_str());
    assert_eq!(after["row"]["extension_pending"], false);
    assert_eq!(
        after["row"]["status"], "open",
        "an extension closes nothing"
    );

    // The same root-cause category at the same site within a year is a recurrence.
    for number in [&first, &second] {
        let assessed = vpt
            .post_json(
                &format!("/api/v1/exceptions/{number}/assess"),
                &json!({
                    "product_impact": "None.",
                    "root_cause_category": "machine",
                    "root_cause": "Worn punches.",
                }),
            )
            .await;
        assert_eq!(assessed.status, StatusCode::OK, "{}", assessed.body);
    }
    let flagged = vpt.get(&format!("/exceptions/{second}")).await;
    assert!(flagged.body.contains("<strong>Recurrence:</strong>"));
    assert!(
        flagged
            .body
            .contains(&format!("href=\"/exceptions/{first}\""))
    );
}

/// What the CMO partner sees of exceptions and actions, on whichever backend
/// `server` runs: its own site's and nothing else, in lists, pages and the API.
async fn a_cmo_partner_sees_only_its_own_exceptions_and_actions(server: &Server) {
    let mut seeded = Vec::new();
    for site in [OWN_CMO, OTHER_CMO, INTERNAL] {
        seeded.push(seed_exception_at(&server.app, site).await);
    }
    let (own_exception, own_action) = seeded[0].clone();
    let cmo = server.as_role(Role::CmoPartner).await;

    let exceptions = cmo.get("/api/v1/exceptions").await.json();
    assert_eq!(numbers(&exceptions), [own_exception.as_str()]);
    let actions = cmo.get("/api/v1/actions").await.json();
    assert_eq!(numbers(&actions), [own_action.as_str()]);
    let list = cmo.get("/exceptions").await;
    let board = cmo.get("/actions").await;
    for (other_exception, other_action) in &seeded[1..] {
        assert!(!list.body.contains(other_exception.as_str()));
        assert!(!board.body.contains(other_action.as_str()));
        for uri in [
            format!("/exceptions/{other_exception}"),
            format!("/exceptions/{other_exception}/sign"),
            format!("/api/v1/exceptions/{other_exception}"),
            format!("/api/v1/exceptions/{other_exception}/history"),
            format!("/api/v1/exceptions/{other_exception}/signatures"),
            format!("/actions/{other_action}"),
            format!("/api/v1/actions/{other_action}"),
            format!("/api/v1/actions/{other_action}/history"),
        ] {
            let resp = cmo.get(&uri).await;
            assert_eq!(
                resp.status,
                StatusCode::NOT_FOUND,
                "GET {uri} as cmo_partner"
            );
        }
        let step = cmo
            .post_json(
                &format!("/api/v1/exceptions/{other_exception}/start-investigation"),
                &json!({}),
            )
            .await;
        assert_eq!(step.status, StatusCode::NOT_FOUND);
    }
    for uri in [
        format!("/exceptions/{own_exception}"),
        format!("/api/v1/exceptions/{own_exception}"),
        format!("/actions/{own_action}"),
        format!("/api/v1/actions/{own_action}"),
    ] {
        assert_eq!(cmo.get(&uri).await.status, StatusCode::OK, "GET {uri}");
    }
    let form = cmo.get("/exceptions/new").await;
    assert!(form.body.contains(&format!("<option value=\"{OWN_CMO}\"")));
    assert!(
        !form
            .body
            .contains(&format!("<option value=\"{OTHER_CMO}\""))
    );

    // Another site cannot be reported against, and what the partner reports is
    // recorded as the CMO's report.
    let today = today(server);
    let mut body = json!({
        "site": OTHER_CMO,
        "title": "Deviation at someone else's site",
        "classification": "minor",
        "category": "documentation",
        "occurred": today,
        "discovered": today,
        "description": "Reported against the wrong site.",
    });
    let refused = cmo.post_json("/api/v1/exceptions", &body).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused_fields(&refused.json()), ["site"]);
    body["site"] = json!(OWN_CMO);
    let reported = cmo.post_json("/api/v1/exceptions", &body).await;
    assert_eq!(reported.status, StatusCode::CREATED, "{}", reported.body);
    assert_eq!(reported.json()["origin"], "cmo_report");
}

#[tokio::test]
async fn a_cmo_partner_sees_only_its_own_sites_exceptions_and_actions() {
    let server = Server::new().await;
    a_cmo_partner_sees_only_its_own_exceptions_and_actions(&server).await;
}

#[test]
fn a_cmo_partner_sees_only_its_own_sites_exceptions_and_actions_on_postgres_too() {
    on_postgres(async |server| {
        a_cmo_partner_sees_only_its_own_exceptions_and_actions(server).await
    });
}
