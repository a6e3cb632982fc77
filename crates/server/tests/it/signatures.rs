//! Electronic signatures as the people of SPEC §1 use them and as 21 CFR Part 11
//! wants them (§11.50 manifestation, §11.70 binding to the record, §11.200 both
//! credentials again at each signing, §11.300 failed attempts count): signing through
//! the dialog, what the record then shows, and every way a signature is refused.

use axum::http::StatusCode;
use serde_json::{Value, json};
use vplant_app::Request as AppRequest;
use vplant_app::identity::NewUserInput;
use vplant_domain::identity::Role;
use vplant_domain::master::{Change, ChangeKind};
use vplant_domain::site::{SiteCommand, SiteState};

use crate::support::{Client, INTERNAL, OWN_CMO, PASSWORD, Resp, Server};

/// The version and content hash a new signature of `record` (e.g. `sites/INT`) must be
/// bound to, as `GET …/signatures` gives them.
async fn head(client: &Client<'_>, record: &str) -> (u64, String) {
    let resp = client.get(&format!("/api/v1/{record}/signatures")).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
    let head = &resp.json()["head"];
    (
        head["version"].as_u64().unwrap(),
        head["hash"].as_str().unwrap().to_owned(),
    )
}

/// The signatures `record` holds.
async fn signatures(client: &Client<'_>, record: &str) -> Vec<Value> {
    let resp = client.get(&format!("/api/v1/{record}/signatures")).await;
    resp.json()["signatures"].as_array().unwrap().clone()
}

/// Posts a signature through the API.
async fn sign(
    client: &Client<'_>,
    record: &str,
    meaning: &str,
    (version, hash): &(u64, String),
    (username, password): (&str, &str),
) -> Resp {
    let body = json!({
        "meaning": meaning,
        "record_version": version,
        "record_hash": hash,
        "username": username,
        "password": password,
    });
    client
        .post_json(&format!("/api/v1/{record}/signatures"), &body)
        .await
}

/// The fields an error body names.
fn fields(resp: &Resp) -> Vec<String> {
    crate::support::refused_fields(&resp.json())
}

/// The value of the hidden input `name` of a form page.
pub(crate) fn hidden(body: &str, name: &str) -> String {
    let after = body
        .split_once(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("the page has no hidden {name}"))
        .1;
    after.split_once('"').unwrap().0.to_owned()
}

/// The meanings the dialog's select offers (the empty "Choose…" aside).
pub(crate) fn offered_meanings(body: &str) -> Vec<String> {
    let select = body
        .split_once("name=\"meaning\"")
        .expect("the dialog has a meaning select")
        .1
        .split_once("</select>")
        .unwrap()
        .0;
    select
        .split("<option value=\"")
        .skip(1)
        .map(|o| o.split_once('"').unwrap().0.to_owned())
        .filter(|v| !v.is_empty())
        .collect()
}

/// The QA reviewer's credentials, typed again at signing.
const QA: (&str, &str) = ("qa_reviewer", PASSWORD);

#[tokio::test]
async fn a_qa_reviewer_approves_a_site_in_the_dialog_and_the_record_shows_who_what_and_when() {
    let server = Server::new().await;
    let qa = server.as_role(Role::QaReviewer).await;

    let dialog = qa.get("/sites/INT/sign").await;
    assert_eq!(dialog.status, StatusCode::OK);
    let shown = (
        hidden(&dialog.body, "shown_version")
            .parse::<u64>()
            .unwrap(),
        hidden(&dialog.body, "shown_hash"),
    );
    assert_eq!(shown, head(&qa, "sites/INT").await);
    assert!(
        dialog.body.contains(&shown.1),
        "the dialog shows the hash signed"
    );

    let version = shown.0.to_string();
    let resp = qa
        .post(
            "/sites/INT/sign",
            &[
                ("meaning", "approved"),
                ("shown_version", &version),
                ("shown_hash", &shown.1),
                ("username", "qa_reviewer"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    assert_eq!(resp.location().as_deref(), Some("/sites/INT?done=signed"));

    // §11.50: printed name, date and time, meaning.
    let page = qa.get("/sites/INT?done=signed").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Site signed."));
    let listed = page
        .body
        .split_once("<ul class=\"signatures\">")
        .expect("the record lists its signatures")
        .1
        .split_once("</ul>")
        .unwrap()
        .0;
    assert!(listed.contains("<span class=\"signature-meaning\">Approved</span>"));
    assert!(listed.contains("<strong>Test QA reviewer</strong> (qa_reviewer)"));
    let when = listed
        .split_once("<time datetime=\"")
        .unwrap()
        .1
        .split_once('>')
        .unwrap()
        .1
        .split_once("</time>")
        .unwrap()
        .0;
    assert!(
        when.ends_with(" UTC") && when.len() == "2026-01-31 12:00:00 UTC".len(),
        "date and time in UTC: {when}"
    );

    // §11.70: the signature carries the hash of exactly what was shown.
    let signed = signatures(&qa, "sites/INT").await;
    assert_eq!(signed.len(), 1);
    assert_eq!(signed[0]["signer"], "qa_reviewer");
    assert_eq!(signed[0]["printed_name"], "Test QA reviewer");
    assert_eq!(signed[0]["meaning"], "approved");
    assert_eq!(signed[0]["record_version"], shown.0);
    assert_eq!(signed[0]["record_hash"], shown.1.as_str());
    assert!(
        listed.contains(&shown.1[..8]),
        "the page shows the hash signed"
    );
}

#[tokio::test]
async fn a_wrong_password_signs_nothing_and_counts_as_a_failed_sign_in() {
    let server = Server::new().await;
    let qa = server.as_role(Role::QaReviewer).await;
    let shown = head(&qa, "sites/INT").await;

    let resp = sign(
        &qa,
        "sites/INT",
        "approved",
        &shown,
        ("qa_reviewer", "Not-My-Password-99"),
    )
    .await;
    assert_eq!(
        resp.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        resp.body
    );
    assert_eq!(fields(&resp), ["password"]);
    assert!(signatures(&qa, "sites/INT").await.is_empty());
    let user = server.app.store.user("qa_reviewer").await.unwrap().unwrap();
    assert_eq!(user.failed_sign_ins, 1);

    // The dialog says the same on the password field.
    let version = shown.0.to_string();
    let page = qa
        .post(
            "/sites/INT/sign",
            &[
                ("meaning", "approved"),
                ("shown_version", &version),
                ("shown_hash", &shown.1),
                ("username", "qa_reviewer"),
                ("password", "Not-My-Password-99"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("id=\"sign-password-error\""));
    assert!(signatures(&qa, "sites/INT").await.is_empty());
}

#[tokio::test]
async fn nobody_signs_with_another_persons_username_and_password() {
    let server = Server::new().await;
    let qa = server.as_role(Role::QaReviewer).await;
    let shown = head(&qa, "sites/INT").await;
    let resp = sign(&qa, "sites/INT", "approved", &shown, ("director", PASSWORD)).await;
    assert_eq!(
        resp.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        resp.body
    );
    assert_eq!(fields(&resp), ["username"]);
    assert!(signatures(&qa, "sites/INT").await.is_empty());
}

#[tokio::test]
async fn a_signature_prepared_for_one_record_cannot_be_replayed_on_another() {
    let server = Server::new().await;
    let qa = server.as_role(Role::QaReviewer).await;
    let int = head(&qa, "sites/INT").await;
    let own = head(&qa, &format!("sites/{OWN_CMO}")).await;
    assert_eq!(int.0, own.0, "both sites are at the same version");

    let resp = sign(&qa, &format!("sites/{OWN_CMO}"), "approved", &int, QA).await;
    assert_eq!(resp.status, StatusCode::CONFLICT, "{}", resp.body);
    assert!(
        signatures(&qa, &format!("sites/{OWN_CMO}"))
            .await
            .is_empty()
    );
    assert!(signatures(&qa, "sites/INT").await.is_empty());
}

#[tokio::test]
async fn a_record_changed_since_it_was_shown_cannot_be_signed() {
    let server = Server::new().await;
    let qa = server.as_role(Role::QaReviewer).await;
    let admin = server.as_role(Role::Administrator).await;
    let shown = head(&qa, "sites/INT").await;

    let renamed = admin
        .post_json(
            "/api/v1/sites/INT/rename",
            &json!({"name": "Internal site, renamed", "reason": "name on the licence changed"}),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);

    let resp = sign(&qa, "sites/INT", "approved", &shown, QA).await;
    assert_eq!(resp.status, StatusCode::CONFLICT, "{}", resp.body);
    assert!(
        resp.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("changed since it was shown to you"),
        "{}",
        resp.body
    );
    assert!(signatures(&qa, "sites/INT").await.is_empty());
}

#[tokio::test]
async fn the_same_signature_cannot_be_posted_twice() {
    let server = Server::new().await;
    let qa = server.as_role(Role::QaReviewer).await;
    let shown = head(&qa, "sites/INT").await;
    let first = sign(&qa, "sites/INT", "approved", &shown, QA).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let again = sign(&qa, "sites/INT", "approved", &shown, QA).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(signatures(&qa, "sites/INT").await.len(), 1);
}

#[tokio::test]
async fn no_one_approves_a_record_they_changed_segregation_of_duties() {
    let server = Server::new().await;

    // Administrators change master data but sign nothing.
    let admin = server.as_role(Role::Administrator).await;
    let shown = head(&admin, "sites/INT").await;
    let resp = sign(
        &admin,
        "sites/INT",
        "approved",
        &shown,
        ("administrator", PASSWORD),
    )
    .await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN, "{}", resp.body);
    assert_eq!(
        admin.get("/sites/INT/sign").await.status,
        StatusCode::FORBIDDEN
    );

    // A QA reviewer who recorded a change to the site (through the use case: the
    // pages do not let QA edit master data) may not approve it ...
    let change = Change::parse(
        ChangeKind::Rename,
        "Internal site (QA corrected)",
        "typo in the name found at periodic review",
    )
    .unwrap();
    server
        .app
        .execute::<SiteState>(
            INTERNAL,
            SiteCommand::Change(change),
            &AppRequest::by("qa_reviewer"),
        )
        .await
        .unwrap();
    let qa = server.as_role(Role::QaReviewer).await;
    let shown = head(&qa, "sites/INT").await;
    let resp = sign(&qa, "sites/INT", "approved", &shown, QA).await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN, "{}", resp.body);
    let message = resp.json()["error"]["message"].as_str().unwrap().to_owned();
    assert!(message.contains("segregation of duties"), "{message}");
    assert!(signatures(&qa, "sites/INT").await.is_empty());

    // ... and another QA reviewer may.
    let second = NewUserInput {
        username: "qa_second".to_owned(),
        full_name: "Second Reviewer".to_owned(),
        email: "qa.second@example.com".to_owned(),
        roles: vec![Role::QaReviewer.as_str().to_owned()],
        sites: Vec::new(),
        password: Some(PASSWORD.to_owned()),
        must_change_password: false,
    };
    server
        .app
        .create_user(second, &AppRequest::by("administrator"))
        .await
        .unwrap();
    let other = server.session("qa_second").await;
    let resp = sign(
        &other,
        "sites/INT",
        "approved",
        &shown,
        ("qa_second", PASSWORD),
    )
    .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.body);
}

#[tokio::test]
async fn an_operator_cannot_approve_and_the_dialog_offers_only_the_meanings_one_holds() {
    let server = Server::new().await;
    let operator = server.as_role(Role::Operator).await;
    let shown = head(&operator, "sites/INT").await;
    let resp = sign(
        &operator,
        "sites/INT",
        "approved",
        &shown,
        ("operator", PASSWORD),
    )
    .await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN, "{}", resp.body);
    assert!(signatures(&operator, "sites/INT").await.is_empty());

    // Sites are reviewed and approved; each person is offered what they may sign.
    for (role, meanings) in [
        (Role::QaReviewer, &["reviewed", "approved"][..]),
        (Role::Director, &["approved"][..]),
        (Role::RecipeAuthor, &["reviewed"][..]),
        (Role::Operator, &[][..]),
    ] {
        let client = server.as_role(role).await;
        let dialog = client.get("/sites/INT/sign").await;
        assert_eq!(dialog.status, StatusCode::OK, "{}", role.as_str());
        assert_eq!(
            offered_meanings(&dialog.body),
            meanings,
            "{}",
            role.as_str()
        );
        let record = client.get("/sites/INT").await;
        assert_eq!(
            record.body.contains("id=\"sign-dialog\""),
            !meanings.is_empty(),
            "the record page offers {} signing only with a meaning to sign",
            role.as_str()
        );
    }
}
