//! `vplant demo` seeds the MES half at the internal site BSL: the documented MBR
//! through its lifecycle, the equipment, QA-released lots, and batches in every
//! state — read back through the API as QA sees it, so the test fails when the
//! seeding breaks.

use serde_json::Value;

use crate::support::{Env, get_json};

fn numbers(rows: &Value) -> Vec<&str> {
    rows.as_array()
        .expect("a list")
        .iter()
        .map(|r| r["number"].as_str().expect("number"))
        .collect()
}

#[test]
fn the_demo_has_an_internal_site_with_batches_in_every_state() {
    let env = Env::new(None);
    env.ok(&["init"]);
    let keys = env.keys.display().to_string();
    let demo = ["demo", "--no-serve", "--db", &env.db, "--keys", &keys];
    let seeded = env.ok(&demo);
    assert!(seeded.contains("MES at BSL: MBR-PCM500"), "{seeded}");
    assert!(
        env.ok(&demo).contains("MES seeded before."),
        "a second run adds nothing"
    );
    let token = env.token("qa.reviewer", "qa_reviewer");
    let server = env.serve(&["serve"]);
    let get = |path: &str| {
        let (status, body) = get_json(&format!("{}{path}", server.url), &token);
        assert_eq!(status, 200, "{path}: {body}");
        body
    };

    // Batches in every state.
    for (status, expected) in [
        ("released", vec!["PCM-26-041"]),
        ("rejected", vec!["PCM-26-042"]),
        ("awaiting_review", vec!["PCM-26-043"]),
        (
            "in_progress",
            vec!["PCM-26-044", "PCM-26-045", "PCM-26-046"],
        ),
    ] {
        let mut found = numbers(&get(&format!("/api/v1/ebrs?status={status}")))
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>();
        found.sort();
        assert_eq!(found, expected, "{status}");
    }
    // In progress with a corrected out-of-limit value and its exception; blocked by
    // a critical exception QA has not acknowledged; the released one was reviewed.
    let midway = get("/api/v1/ebrs/BSL/PCM-26-044");
    assert_eq!(midway["blocking"], serde_json::json!([]), "{midway}");
    assert_eq!(midway["exceptions"][0]["classification"], "major");
    let corrected = midway["steps"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["entries"].as_array().unwrap())
        .any(|e| e["corrects"].is_u64());
    assert!(corrected, "{midway}");
    let blocked = get("/api/v1/ebrs/BSL/PCM-26-045");
    assert_eq!(
        blocked["blocking"].as_array().unwrap().len(),
        1,
        "{blocked}"
    );
    let released = get("/api/v1/ebrs/BSL/PCM-26-041");
    assert_eq!(released["reviewed"], true);
    assert_eq!(get("/api/v1/ebrs/BSL/PCM-26-043")["complete"], true);

    // The MBR: version 1 superseded, 2 effective, 3 in draft.
    let mbrs = get("/api/v1/mbrs");
    let lifecycle: Vec<(u64, &str)> = mbrs
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["code"] == "MBR-PCM500")
        .map(|m| {
            (
                m["mbr_version"].as_u64().unwrap(),
                m["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        lifecycle,
        vec![(1, "superseded"), (2, "effective"), (3, "draft")]
    );

    // Equipment in every status, and lots released, in quarantine and rejected.
    let board = get("/api/v1/equipment");
    for status in ["clean", "dirty", "in_use", "maintenance", "calibration_due"] {
        assert!(
            board
                .as_array()
                .unwrap()
                .iter()
                .any(|u| u["site"] == "BSL" && u["status"] == status),
            "no {status} unit: {board}"
        );
    }
    let lots = get("/api/v1/lots?material=PARACETAMOL");
    let statuses: Vec<&str> = lots["lots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["status"].as_str().unwrap())
        .collect();
    assert!(statuses.contains(&"released"), "{lots}");
    assert!(statuses.contains(&"quarantine"), "{lots}");
    assert_eq!(
        get("/api/v1/lots/MCC-102/MC2512201")["lot"]["status"],
        "rejected"
    );
    assert_eq!(
        get("/api/v1/lots/PCM500/PCM-26-041")["lot"]["status"],
        "released",
        "the released batch's product lot follows its disposition"
    );
    drop(server);
    assert!(env.ok(&["verify"]).contains("Ledger intact."));
}
