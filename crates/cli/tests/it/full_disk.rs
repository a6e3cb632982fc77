//! A full disk: writes are refused with a clear 507 naming the cause, nothing partial
//! is stored, and every write acknowledged before is still there and verifies.
//!
//! The disk is a 1 MiB tmpfs, which needs root (`mount`). Without it the test skips
//! and says so, unless `VPLANT_CI` is set (CI), where that is a failure.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::{Env, get_status_as, post_json};

struct Mounted(PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

fn mount_small_disk(at: &Path) -> Option<Mounted> {
    std::fs::create_dir_all(at).expect("mount point");
    let ok = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
        .arg(at)
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        return Some(Mounted(at.to_owned()));
    }
    assert!(
        std::env::var("VPLANT_CI").is_err(),
        "VPLANT_CI is set but a 1 MiB tmpfs could not be mounted (the full-disk test needs root)"
    );
    eprintln!("full-disk test skipped: mounting a tmpfs needs root");
    None
}

#[test]
fn sqlite_a_full_disk_refuses_writes_clearly_and_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().expect("temp dir");
    let Some(disk) = mount_small_disk(&dir.path().join("disk")) else {
        return;
    };
    let env = Env::new(Some(disk.0.join("vplant.db").display().to_string()));
    let token = env.init_with_token();
    let server = env.serve(&["serve"]);
    let mut acked = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    let refusal = loop {
        assert!(Instant::now() < deadline, "the disk never filled up");
        let code = format!("F{:05}", acked.len());
        let body = serde_json::json!({
            "code": code, "name": "x".repeat(120), "kind": "cmo", "country": "DE"
        });
        let (status, body) = post_json(&format!("{}/api/v1/sites", server.url), &token, &body);
        match status {
            201 => acked.push(code),
            507 => break body,
            other => panic!("unexpected status {other}: {body}"),
        }
    };
    assert_eq!(refusal["error"]["code"], "VP-DB-FULL", "{refusal}");
    let message = refusal["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("full") && message.contains("nothing was written"),
        "{message}"
    );
    assert!(
        !acked.is_empty(),
        "some writes should fit before the disk is full"
    );
    for code in &acked {
        assert_eq!(
            get_status_as(&format!("{}/api/v1/sites/{code}", server.url), Some(&token)),
            200,
            "{code}"
        );
    }
    drop(server);
    let verified = env.ok(&["verify"]);
    assert!(verified.contains("Ledger intact."), "{verified}");
    drop(env);
}
