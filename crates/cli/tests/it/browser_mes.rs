//! The MES in a real browser on the demo data: an operator on the tablet screen
//! enters a friability result outside its action limits at batch PCM-26-044, is
//! told at once that it was recorded with a major exception, and signs the step in
//! the signature dialog; QA then reviews batch PCM-26-043 by exception and releases
//! it with two signatures. Skips like the other browser tests without Chromium
//! (unless `VPLANT_CI=1`).

use fantoccini::{Client, Locator};

use crate::browser::{browser, choose, click, fill, sign_in, until};
use crate::support::Env;

const PASSWORD: &str = "Tablet-Granule-Sunrise-42";

/// Signs in the open signature dialog with `meaning`, as `username`.
async fn sign_in_dialog(client: &Client, meaning: &str, username: &str) {
    until(client, "the signature dialog", |_, html| {
        html.contains("sign-password")
    })
    .await;
    choose(client, "dialog#sign-dialog select[name=meaning]", meaning).await;
    fill(client, "dialog#sign-dialog input[name=username]", username).await;
    fill(client, "dialog#sign-dialog input[name=password]", PASSWORD).await;
    click(client, "dialog#sign-dialog button[type=submit]").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_enters_an_out_of_limit_value_on_the_tablet_and_qa_releases_a_batch() {
    let env = Env::new(None);
    let Some((client, driver)) = browser(&env).await else {
        return;
    };
    let server = env.serve(&["demo"]);
    let base = server.url.clone();

    // The operator, on the tablet screen of the batch in compression.
    sign_in(&client, &base, "operator", PASSWORD).await;
    until(&client, "the operator signed in", |_, html| {
        html.contains("Olga Petrova")
    })
    .await;
    client
        .goto(&format!("{base}/ebrs/BSL/PCM-26-044"))
        .await
        .expect("open the batch");
    until(&client, "the friability step to do", |_, html| {
        html.contains("id=\"value-friability\"")
    })
    .await;
    fill(&client, "#value-friability", "0.9").await;
    click(&client, "#step-friability form button[type=submit]").await;
    let html = until(&client, "the out-of-limit feedback", |_, html| {
        html.contains("Outside the action limits: 0.9 %")
    })
    .await;
    assert!(html.contains("(major) raised"), "the exception is named");
    assert!(
        html.contains("class=\"alert alert-error\" role=\"alert\""),
        "the feedback interrupts (role=alert)"
    );

    // The operator signs the entry; the dialog offers only "performed".
    click(&client, "#step-friability a[data-dialog=sign-dialog]").await;
    until(&client, "the step's signature dialog", |_, html| {
        html.contains("step friability")
    })
    .await;
    assert!(
        client
            .find(Locator::Css(
                "dialog#sign-dialog select[name=meaning] option[value=verified]"
            ))
            .await
            .is_err(),
        "a step awaiting its performer offers no verification"
    );
    sign_in_dialog(&client, "performed", "operator").await;
    until(&client, "the signed step", |_, html| {
        html.contains("Signed. The signature is in the ledger.")
            && !html.contains("id=\"step-friability\"")
    })
    .await;

    // QA reviews a complete batch by exception and releases it.
    click(&client, "form[action='/logout'] button[type=submit]").await;
    until(&client, "signed out", |url, _| url.contains("/login")).await;
    sign_in(&client, &base, "qa.reviewer", PASSWORD).await;
    until(&client, "QA signed in", |_, html| {
        html.contains("Quentin Moreau")
    })
    .await;
    let review = format!("{base}/ebrs/BSL/PCM-26-043/review");
    client.goto(&review).await.expect("the review");
    until(&client, "the review list", |_, html| {
        html.contains("To look at") && html.contains("✔ Every step is done")
    })
    .await;
    click(&client, "a[data-dialog=sign-dialog]").await;
    sign_in_dialog(&client, "reviewed", "qa.reviewer").await;
    until(&client, "the review signature", |url, _| {
        url.contains("done=signed")
    })
    .await;
    client.goto(&review).await.expect("the review again");
    until(&client, "the review covering the record", |_, html| {
        html.contains("✔ Your review signature covers the record")
    })
    .await;
    click(&client, "a[data-dialog=sign-dialog]").await;
    sign_in_dialog(&client, "released", "qa.reviewer").await;
    let html = until(&client, "the released batch", |_, html| {
        html.contains("badge-active\">Released")
    })
    .await;
    assert!(
        html.contains("Quentin Moreau"),
        "the signer's name is shown"
    );
    client.close().await.expect("close the browser");
    drop(driver);
}
