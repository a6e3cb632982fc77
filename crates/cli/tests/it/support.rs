//! Running the real binary: a server process on a free port, and CLI invocations.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_vplant");

/// A database location and key folder for one test.
pub struct Env {
    pub db: String,
    pub keys: PathBuf,
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn new(db: Option<String>) -> Env {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = db.unwrap_or_else(|| dir.path().join("vplant.db").display().to_string());
        Env {
            keys: dir.path().join("keys"),
            db,
            dir,
        }
    }

    /// `vplant init`, then an API token for the first administrator, which the
    /// HTTP helpers below send as `Authorization: Bearer`.
    pub fn init_with_token(&self) -> String {
        self.ok(&["init"]);
        self.token("admin", "administrator")
    }

    /// A one-day API token of `username` with `role` (`vplant admin issue-token`).
    pub fn token(&self, username: &str, role: &str) -> String {
        let out = self.ok(&[
            "admin",
            "issue-token",
            "--username",
            username,
            "--name",
            "integration tests",
            "--role",
            role,
            "--days",
            "1",
        ]);
        out.lines()
            .find_map(|l| l.trim().strip_prefix("secret: "))
            .expect("issue-token prints the secret")
            .to_owned()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .env("VPLANT_DB", &self.db)
            .env("VPLANT_KEYS", &self.keys)
            .env("VPLANT_LOG", "warn")
            .current_dir(self.dir.path());
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run vplant")
    }

    /// Runs and asserts success, returning stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "vplant {args:?} failed: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Starts `vplant serve` (or `demo`) on a free port and waits until it is ready.
    pub fn serve(&self, args: &[&str]) -> Server {
        let mut all = args.to_vec();
        all.extend(["--listen", "127.0.0.1:0"]);
        let mut child = self
            .command(&all)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start vplant serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let url = loop {
            let line = lines
                .next()
                .expect("vplant exited before printing its address")
                .expect("read stdout");
            if let Some(rest) = line.split("running at ").nth(1) {
                break rest
                    .split_whitespace()
                    .next()
                    .expect("url")
                    .trim_end_matches('/')
                    .to_owned();
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        let server = Server { child, url };
        server.wait_ready();
        server
    }
}

pub struct Server {
    pub child: Child,
    pub url: String,
}

impl Server {
    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if get_status(&format!("{}/readyz", self.url)) == 200 {
                return;
            }
            assert!(Instant::now() < deadline, "server not ready within 30 s");
            std::thread::yield_now();
        }
    }

    /// SIGKILL: no shutdown code runs.
    pub fn kill(mut self) {
        self.child.kill().expect("kill");
        self.child.wait().expect("wait");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// POSTs JSON with an API token; returns the status code (0 when the connection
/// failed).
pub fn post(url: &str, token: &str, body: &serde_json::Value) -> u16 {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    let request = agent
        .post(url)
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"));
    match request.send(body.to_string()) {
        Ok(resp) => resp.status().as_u16(),
        Err(_) => 0,
    }
}

/// POSTs JSON with an API token; returns the status and the JSON body (Null when
/// there is none).
pub fn post_json(url: &str, token: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let response = agent
        .post(url)
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .send(body.to_string());
    json_response(response)
}

/// The status and JSON body of a response (0 and Null when the connection failed).
fn json_response(
    response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> (u16, serde_json::Value) {
    match response {
        Ok(mut r) => {
            let status = r.status().as_u16();
            let text = r.body_mut().read_to_string().unwrap_or_default();
            (
                status,
                serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
            )
        }
        Err(_) => (0, serde_json::Value::Null),
    }
}

/// GETs JSON with an API token; returns the status and the body (Null when it is
/// not JSON).
pub fn get_json(url: &str, token: &str) -> (u16, serde_json::Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    json_response(
        agent
            .get(url)
            .header("authorization", format!("Bearer {token}"))
            .call(),
    )
}

pub fn get_status(url: &str) -> u16 {
    get_status_as(url, None)
}

/// GETs with an optional API token; returns the status (0 when the connection failed).
pub fn get_status_as(url: &str, token: Option<&str>) -> u16 {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut request = agent.get(url);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    request.call().map_or(0, |r| r.status().as_u16())
}
