//! Browser tests: headless Chromium (Debian's `chromium` and `chromium-driver`) signs
//! in as the first administrator with the one-time password from `vplant init`, is
//! made to choose a new password, registers a site through the form and sees it
//! listed; then, on the demo data, a QA reviewer signs a site in the signature
//! dialog and later meets the idle timeout.
//!
//! Without Chromium the test skips and says so, unless `VPLANT_CI=1`
//! (set by CI), where a missing browser is a failure.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

use crate::support::Env;

pub(crate) struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn tool(name: &str) -> Option<String> {
    ["/usr/bin/", "/usr/lib/chromium/", "/usr/local/bin/"]
        .iter()
        .map(|dir| format!("{dir}{name}"))
        .find(|p| std::path::Path::new(p).exists())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Starts chromedriver and a headless Chromium session, or `None` (with a note)
/// when they are not installed and CI does not require them.
pub(crate) async fn browser(env: &Env) -> Option<(Client, Driver)> {
    let (Some(chromium), Some(chromedriver)) = (tool("chromium"), tool("chromedriver")) else {
        assert!(
            std::env::var("VPLANT_CI").is_err(),
            "VPLANT_CI is set but chromium/chromedriver are not installed \
             (apt-get install -y chromium chromium-driver)"
        );
        eprintln!("browser test skipped: install chromium and chromium-driver to run it");
        return None;
    };
    let port = free_port();
    let driver = Driver(
        Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let caps = serde_json::json!({
        "goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync",
                     format!("--user-data-dir={}", env.path("chrome").display())]
        }
    });
    let caps = caps.as_object().cloned().expect("object");
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    let client = loop {
        match ClientBuilder::new(connector.clone())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => break c,
            Err(e) => {
                assert!(Instant::now() < deadline, "chromedriver did not start: {e}");
                tokio::task::yield_now().await;
            }
        }
    };
    Some((client, driver))
}

pub(crate) async fn fill(client: &Client, css: &str, text: &str) {
    let field = client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("field {css}: {e}"));
    field.clear().await.expect("clear");
    field.send_keys(text).await.expect("type");
}

pub(crate) async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("button {css}: {e}"))
        .click()
        .await
        .expect("click");
}

/// Polls the page until `condition` holds on its source, or fails naming `what`.
pub(crate) async fn until(
    client: &Client,
    what: &str,
    condition: impl Fn(&str, &str) -> bool,
) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let html = client.source().await.expect("page source");
        let url = client.current_url().await.expect("url").to_string();
        if condition(&url, &html) {
            return html;
        }
        assert!(
            Instant::now() < deadline,
            "{what} never happened; at {url}:\n{html}"
        );
        tokio::task::yield_now().await;
    }
}

pub(crate) async fn sign_in(client: &Client, base: &str, username: &str, password: &str) {
    client
        .goto(&format!("{base}/login"))
        .await
        .expect("open /login");
    until(client, "the sign-in form", |_, html| {
        html.contains("name=\"username\"")
    })
    .await;
    fill(client, "input[name=username]", username).await;
    fill(client, "input[name=password]", password).await;
    click(client, "form[action='/login'] button[type=submit]").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_sign_in_password_change_and_a_site_registered_in_the_browser() {
    let env = Env::new(None);
    let Some((client, driver)) = browser(&env).await else {
        return;
    };
    let out = env.ok(&["init"]);
    let one_time = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("one-time password: "))
        .expect("init prints the first administrator's one-time password")
        .to_owned();
    let server = env.serve(&["serve"]);
    let base = server.url.clone();

    // Every page asks for sign-in first.
    client
        .goto(&format!("{base}/sites"))
        .await
        .expect("open /sites");
    until(&client, "the redirect to sign-in", |url, _| {
        url.contains("/login")
    })
    .await;

    sign_in(&client, &base, "admin", &one_time).await;
    until(&client, "the forced password change", |url, _| {
        url.ends_with("/account/password")
    })
    .await;
    fill(&client, "input[name=current_password]", &one_time).await;
    fill(
        &client,
        "input[name=new_password]",
        "Harbour-Violet-Compass-58",
    )
    .await;
    fill(
        &client,
        "input[name=confirm_password]",
        "Harbour-Violet-Compass-58",
    )
    .await;
    click(&client, "form#password button[type=submit]").await;
    until(&client, "the password change", |_, html| {
        html.contains("Password changed")
    })
    .await;

    client
        .goto(&format!("{base}/sites"))
        .await
        .expect("open /sites");
    fill(&client, "input[name=code]", "CMO-BRW").await;
    fill(&client, "input[name=name]", "Browser Test Pharma").await;
    client
        .find(Locator::Css("select[name=kind]"))
        .await
        .expect("kind field")
        .select_by_value("cmo")
        .await
        .expect("select");
    fill(&client, "input[name=country]", "NL").await;
    click(&client, "form:has(input[name=code]) button[type=submit]").await;
    until(&client, "the new site in the list", |_, html| {
        html.contains("CMO-BRW") && html.contains("Browser Test Pharma")
    })
    .await;
    client.close().await.expect("close the browser");
    drop(driver);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_a_site_in_the_dialog_then_meet_the_idle_timeout() {
    let env = Env::new(None);
    let Some((client, driver)) = browser(&env).await else {
        return;
    };
    let idle = Duration::from_secs(3);
    let server = env.serve(&["demo", "--idle-timeout", "3s"]);
    let base = server.url.clone();
    sign_in(&client, &base, "qa.reviewer", "Tablet-Granule-Sunrise-42").await;
    until(&client, "the home page after sign-in", |_, html| {
        html.contains("Quentin Moreau")
    })
    .await;

    client
        .goto(&format!("{base}/sites/CMO-LYO"))
        .await
        .expect("open the site");
    click(&client, "a[data-dialog=sign-dialog]").await;
    until(&client, "the signature dialog", |_, html| {
        html.contains("<dialog id=\"sign-dialog\" class=\"sign-dialog\"")
            && html.contains("sign-password")
    })
    .await;
    assert!(
        client
            .find(Locator::Css(
                "dialog#sign-dialog[open] select[name=meaning]"
            ))
            .await
            .is_ok(),
        "the dialog is open and modal"
    );
    client
        .find(Locator::Css("dialog#sign-dialog select[name=meaning]"))
        .await
        .expect("meaning")
        .select_by_value("reviewed")
        .await
        .expect("choose a meaning");
    fill(
        &client,
        "dialog#sign-dialog input[name=username]",
        "qa.reviewer",
    )
    .await;
    fill(
        &client,
        "dialog#sign-dialog input[name=password]",
        "Tablet-Granule-Sunrise-42",
    )
    .await;
    click(&client, "dialog#sign-dialog button[type=submit]").await;
    let html = until(&client, "the signature on the record", |_, html| {
        html.contains("Site signed.") && html.contains("Quentin Moreau")
    })
    .await;
    assert!(html.contains("Reviewed"), "the meaning is shown");
    assert!(
        html.contains(" UTC</time>"),
        "the time is shown with its zone"
    );

    // The idle timeout is the behaviour under test: nothing is sent for longer than
    // it, so waiting out the clock is the test itself, not a wait for a condition.
    tokio::time::sleep(idle + Duration::from_secs(1)).await;
    client
        .goto(&format!("{base}/sites"))
        .await
        .expect("open /sites");
    until(&client, "the session-ended page", |url, html| {
        url.contains("/session-expired") && html.contains("not used for")
    })
    .await;
    client.close().await.expect("close the browser");
    drop(driver);
}

/// Sets a form field through the page's script: date inputs take what a person
/// types in their locale's format, which a test cannot know; the value a date input
/// holds is always `YYYY-MM-DD`.
async fn set(client: &Client, css: &str, value: &str) {
    client
        .execute(
            "const e = document.querySelector(arguments[0]); e.value = arguments[1]; return e.value;",
            vec![serde_json::json!(css), serde_json::json!(value)],
        )
        .await
        .unwrap_or_else(|e| panic!("set {css}: {e}"));
}

pub(crate) async fn choose(client: &Client, css: &str, value: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("select {css}: {e}"))
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("choose {value} in {css}: {e}"));
}

/// The part of the current address after the site's origin.
async fn path(client: &Client) -> String {
    let url = client.current_url().await.expect("url");
    url.path().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vpt_manager_drills_into_a_kpi_raises_an_exception_and_a_capa_and_qa_closes_it() {
    let env = Env::new(None);
    let Some((client, driver)) = browser(&env).await else {
        return;
    };
    let server = env.serve(&["demo"]);
    let base = server.url.clone();
    let password = "Tablet-Granule-Sunrise-42";
    sign_in(&client, &base, "vpt", password).await;
    until(&client, "the home page", |_, html| {
        html.contains("Victor Haas")
    })
    .await;

    // The dashboard, and from a figure to the records it counts.
    client
        .goto(&format!("{base}/dashboard"))
        .await
        .expect("dashboard");
    until(&client, "the dashboard", |_, html| {
        html.contains("Right first time") && html.contains("<svg")
    })
    .await;
    click(&client, "a[href^='/kpi/right_first_time/records']").await;
    until(
        &client,
        "the records behind right first time",
        |url, html| {
            url.contains("/kpi/right_first_time/records") && html.contains("href=\"/batches/CMO-")
        },
    )
    .await;

    // An exception at CMO-LYO.
    let today = time::OffsetDateTime::now_utc().date().to_string();
    client
        .goto(&format!("{base}/exceptions/new"))
        .await
        .expect("raise form");
    until(&client, "the raise form", |_, html| {
        html.contains("id=\"raise\"")
    })
    .await;
    choose(&client, "#raise-site", "CMO-LYO").await;
    fill(&client, "#raise-title", "Foreign particle in a blister").await;
    choose(&client, "#raise-classification", "major").await;
    choose(&client, "#raise-category", "process").await;
    set(&client, "#raise-occurred", &today).await;
    set(&client, "#raise-discovered", &today).await;
    fill(
        &client,
        "#raise-description",
        "A dark particle found in one blister at packaging.",
    )
    .await;
    click(&client, "form#raise button[type=submit]").await;
    until(&client, "the new exception", |url, html| {
        url.contains("/exceptions/EX-") && html.contains("Foreign particle in a blister")
    })
    .await;
    let exception = path(&client).await;

    // A CAPA from the exception's page, with evidence, completed.
    fill(&client, "#capa-title", "Inspect foil rolls at receipt").await;
    fill(&client, "#capa-owner", "vpt").await;
    set(&client, "#capa-due", &today).await;
    fill(
        &client,
        "#capa-effectiveness_criterion",
        "No particle complaints in 3 months.",
    )
    .await;
    let later = (time::OffsetDateTime::now_utc().date() + time::Duration::days(90)).to_string();
    set(&client, "#capa-effectiveness_due", &later).await;
    click(&client, "form#capa button[type=submit]").await;
    until(&client, "the new CAPA", |url, _| {
        url.contains("/actions/AC-")
    })
    .await;
    fill(
        &client,
        "form#evidence textarea[name=note]",
        "Line clearance checklist revised (LC-12 rev. 4).",
    )
    .await;
    click(&client, "form#evidence button[type=submit]").await;
    until(&client, "the evidence", |_, html| {
        html.contains("LC-12 rev. 4")
    })
    .await;
    click(&client, "form#complete button[type=submit]").await;
    until(&client, "the completed CAPA", |_, html| {
        html.contains("Done") || html.contains("done")
    })
    .await;

    // The investigation, submitted for closure.
    client
        .goto(&format!("{base}{exception}"))
        .await
        .expect("the exception");
    fill(
        &client,
        "form#assess textarea[name=product_impact]",
        "No impact: the blister was rejected.",
    )
    .await;
    choose(
        &client,
        "form#assess select[name=root_cause_category]",
        "material",
    )
    .await;
    fill(
        &client,
        "form#assess textarea[name=root_cause]",
        "Particle from a damaged foil roll.",
    )
    .await;
    click(&client, "form#assess button[type=submit]").await;
    until(&client, "the assessment", |_, html| {
        html.contains("damaged foil roll")
    })
    .await;
    click(&client, "form#submit button[type=submit]").await;
    until(&client, "pending approval", |_, html| {
        html.to_lowercase().contains("pending approval")
    })
    .await;

    // QA, who recorded none of it, approves the closure in the signature dialog.
    click(&client, "form[action='/logout'] button[type=submit]").await;
    until(&client, "signed out", |url, _| url.contains("/login")).await;
    sign_in(&client, &base, "qa.reviewer", password).await;
    until(&client, "QA signed in", |_, html| {
        html.contains("Quentin Moreau")
    })
    .await;
    client
        .goto(&format!("{base}{exception}"))
        .await
        .expect("the exception");
    click(&client, "a[data-dialog=sign-dialog]").await;
    until(&client, "the signature dialog", |_, html| {
        html.contains("sign-password")
    })
    .await;
    choose(
        &client,
        "dialog#sign-dialog select[name=meaning]",
        "approved",
    )
    .await;
    fill(
        &client,
        "dialog#sign-dialog input[name=username]",
        "qa.reviewer",
    )
    .await;
    fill(&client, "dialog#sign-dialog input[name=password]", password).await;
    click(&client, "dialog#sign-dialog button[type=submit]").await;
    let html = until(&client, "the closed exception", |_, html| {
        html.contains("Quentin Moreau") && html.contains("Closed")
    })
    .await;
    assert!(
        html.contains("Approved"),
        "the signature's meaning is shown"
    );
    client.close().await.expect("close the browser");
    drop(driver);
}
