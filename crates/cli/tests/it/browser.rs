//! Browser test: headless Chromium (Debian's `chromium` and `chromium-driver`) opens
//! the master-data pages, registers a site through the form, and sees it listed.
//!
//! Without Chromium the test skips and says so, unless `VPLANT_CI=1`
//! (set by CI), where a missing browser is a failure.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{ClientBuilder, Locator};

use crate::support::Env;

struct Driver(Child);

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_a_site_in_the_browser_and_see_it_listed() {
    let (Some(chromium), Some(chromedriver)) = (tool("chromium"), tool("chromedriver")) else {
        assert!(
            std::env::var("VPLANT_CI").is_err(),
            "VPLANT_CI is set but chromium/chromedriver are not installed \
             (apt-get install -y chromium chromium-driver)"
        );
        eprintln!("browser test skipped: install chromium and chromium-driver to run it");
        return;
    };
    let env = Env::new(None);
    env.ok(&["init"]);
    let server = env.serve(&["serve"]);

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

    client
        .goto(&format!("{}/sites", server.url))
        .await
        .expect("open /sites");
    client
        .find(Locator::Css("input[name=code]"))
        .await
        .expect("code field")
        .send_keys("CMO-BRW")
        .await
        .expect("type");
    client
        .find(Locator::Css("input[name=name]"))
        .await
        .expect("name field")
        .send_keys("Browser Test Pharma")
        .await
        .expect("type");
    client
        .find(Locator::Css("select[name=kind]"))
        .await
        .expect("kind field")
        .select_by_value("cmo")
        .await
        .expect("select");
    client
        .find(Locator::Css("input[name=country]"))
        .await
        .expect("country field")
        .send_keys("NL")
        .await
        .expect("type");
    client
        .find(Locator::Css(
            "form:has(input[name=code]) button[type=submit]",
        ))
        .await
        .expect("submit button")
        .click()
        .await
        .expect("submit");

    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        client
            .goto(&format!("{}/sites", server.url))
            .await
            .expect("reload /sites");
        let html = client.source().await.expect("page source");
        if html.contains("CMO-BRW") && html.contains("Browser Test Pharma") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the new site never showed in the list:\n{html}"
        );
    }
    client.close().await.expect("close the browser");
    drop(driver);
}
