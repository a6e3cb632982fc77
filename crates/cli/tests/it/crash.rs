//! Crash safety: writes from several clients, SIGKILL mid-load, restart; every
//! acknowledged write is present and the ledger verifies. On SQLite and PostgreSQL.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::{Env, get_status_as, post};

const CLIENTS: usize = 6;
/// Acknowledged writes to wait for before the kill.
const KILL_AFTER: usize = 150;

fn crash_and_recover(env: &Env) {
    let token = env.init_with_token();
    let server = env.serve(&["serve", "--checkpoint-events", "25"]);
    let url = server.url.clone();
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (url, acked, stop, token) =
                (url.clone(), acked.clone(), stop.clone(), token.clone());
            std::thread::spawn(move || {
                for i in 0.. {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let code = format!("C{c}-{i:05}");
                    let body = serde_json::json!({
                        "code": code, "name": format!("Crash test site {c}/{i}"),
                        "kind": "cmo", "country": "DE"
                    });
                    match post(&format!("{url}/api/v1/sites"), &token, &body) {
                        201 => acked.lock().unwrap().push(code),
                        0 => return, // the server is gone
                        other => panic!("unexpected status {other} for {code}"),
                    }
                }
            })
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    while acked.lock().unwrap().len() < KILL_AFTER {
        assert!(
            Instant::now() < deadline,
            "too few writes acknowledged within 60 s"
        );
        std::thread::yield_now();
    }
    server.kill();
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= KILL_AFTER);

    let server = env.serve(&["serve"]);
    for code in &acked {
        assert_eq!(
            get_status_as(&format!("{}/api/v1/sites/{code}", server.url), Some(&token)),
            200,
            "acknowledged site {code} is missing after the crash"
        );
    }
    drop(server);
    let verified = env.ok(&["verify"]);
    assert!(verified.contains("Ledger intact."), "{verified}");
    let backend = if env.db.starts_with("postgres") {
        "Verifying PostgreSQL"
    } else {
        "Verifying SQLite file"
    };
    assert!(
        verified.contains(backend),
        "verified the wrong database: {verified}"
    );
    // Writes in flight at the kill may have landed too; none acknowledged may be lost.
    let events: usize = verified
        .lines()
        .find_map(|l| l.trim().strip_prefix("events"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("verify prints the number of events");
    assert!(
        events >= acked.len(),
        "{events} events in the ledger, {} acknowledged",
        acked.len()
    );
}

#[test]
fn sqlite_acknowledged_writes_survive_sigkill() {
    crash_and_recover(&Env::new(None));
}

#[test]
fn postgres_acknowledged_writes_survive_sigkill() {
    let Some(pg) = vplant_testkit::postgres() else {
        return;
    };
    crash_and_recover(&Env::new(Some(pg.url.clone())));
}
