//! Identity is data like the rest: after sign-ins, a lockout, an API token and a
//! signature, dropping the read tables and replaying the ledger gives back exactly the
//! same users, sessions, tokens and signatures.

use vplant_app::identity::AccountChange;
use vplant_app::signatures::SignatureInput;
use vplant_testkit::dump;

use crate::support::{INTERNAL, PASSWORD, Server};

const TABLES: &[&str] = &[
    "SELECT * FROM users ORDER BY username",
    "SELECT * FROM sessions ORDER BY id",
    "SELECT * FROM api_tokens ORDER BY id",
    "SELECT * FROM signatures ORDER BY stream_id, stream_version",
    "SELECT * FROM sites ORDER BY code",
];

#[tokio::test]
async fn the_identity_read_tables_rebuild_exactly_from_the_ledger() {
    let server = Server::new().await;
    let app = &server.app;
    let admin = vplant_app::Request::by("administrator");
    assert!(
        app.sign_in("operator", "wrong password", "10.0.0.9")
            .await
            .is_err()
    );
    app.sign_in("operator", PASSWORD, "10.0.0.9").await.unwrap();
    app.set_account_state("auditor", AccountChange::Lock, "left the company", &admin)
        .await
        .unwrap();
    let issued = app
        .issue_api_token(
            "qa_reviewer",
            "LIMS",
            &["qa_reviewer".to_owned()],
            &[],
            30,
            &admin,
        )
        .await
        .unwrap();
    app.revoke_api_token(&issued.token.id, "rotated", &admin)
        .await
        .unwrap();
    let head = app
        .signable_head(&format!("site/{INTERNAL}"))
        .await
        .unwrap()
        .unwrap();
    let qa = vplant_app::identity::principal_of(&app.user("qa_reviewer").await.unwrap());
    let input = SignatureInput {
        meaning: "approved".to_owned(),
        shown_version: head.version,
        shown_hash: head.hash,
        username: "qa_reviewer".to_owned(),
        password: PASSWORD.to_owned(),
    };
    app.sign(
        &qa,
        &format!("site/{INTERNAL}"),
        "site 'INT'",
        &input,
        "test",
    )
    .await
    .unwrap();

    let store = app.store.clone();
    let before: Vec<_> = TABLES.iter().map(|sql| dump(&store, sql)).collect();
    assert!(
        before.iter().all(|rows| !rows.is_empty()),
        "every table has rows"
    );
    let rebuilt = store.clone();
    tokio::task::spawn_blocking(move || rebuilt.rebuild().unwrap())
        .await
        .unwrap();
    let after: Vec<_> = TABLES.iter().map(|sql| dump(&store, sql)).collect();
    assert_eq!(before, after);
}
