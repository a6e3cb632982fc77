//! The CLI round trip on SQLite: init, demo seed, verify, export, import, rebuild, and
//! verify catching a hand edit with the triggers dropped.

use crate::support::Env;

#[test]
fn init_seed_verify_export_import_and_rebuild() {
    let env = Env::new(None);
    let out = env.ok(&["init"]);
    assert!(out.contains("Initialised"), "{out}");
    assert!(out.contains("First administrator: admin"), "{out}");
    assert!(out.contains("one-time password: "), "{out}");
    assert!(env.keys.join("ledger-signing.key").exists());

    let seeded = env.ok(&[
        "demo",
        "--no-serve",
        "--db",
        &env.db,
        "--keys",
        &env.keys.display().to_string(),
    ]);
    assert!(seeded.contains("7 sites, 34 products"), "{seeded}");
    assert!(
        seeded.contains("Batch history of CMO-SI: 2386 records"),
        "{seeded}"
    );
    assert!(
        seeded.contains("CC BY 4.0"),
        "the data set is credited: {seeded}"
    );

    let verified = env.ok(&["verify"]);
    assert!(verified.contains("Ledger intact."), "{verified}");

    let archive = env.path("ledger.vplx");
    let archive = archive.display().to_string();
    env.ok(&["export", "--out", &archive]);
    assert!(
        env.ok(&["verify", "--archive", &archive])
            .contains("Ledger intact.")
    );

    let copy = env.path("copy.db").display().to_string();
    let imported = env.ok(&["import", "--db", &copy, "--archive", &archive]);
    assert!(imported.contains("hashes identical"), "{imported}");
    let verified_copy = env.ok(&["verify", "--db", &copy, "--no-witness"]);
    assert!(verified_copy.contains("Ledger intact."), "{verified_copy}");

    let rebuilt = env.ok(&["rebuild"]);
    assert!(rebuilt.contains("Rebuilt the read tables"), "{rebuilt}");
    assert!(env.ok(&["verify"]).contains("Ledger intact."));
}

#[test]
fn init_refuses_to_replace_an_existing_key() {
    let env = Env::new(None);
    env.ok(&["init"]);
    let again = env.run(&["init"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("will not replace it"));
}

#[test]
fn verify_names_the_event_edited_by_hand_after_the_triggers_were_dropped() {
    let env = Env::new(None);
    env.ok(&["init", "--no-admin"]);
    env.ok(&[
        "demo",
        "--no-serve",
        "--db",
        &env.db,
        "--keys",
        &env.keys.display().to_string(),
    ]);
    let mut raw = vplant_testkit::Raw::sqlite(std::path::Path::new(&env.db));
    raw.execute("DROP TRIGGER ledger_no_update", &[]).unwrap();
    let edited = raw
        .execute(
            "UPDATE ledger SET payload = replace(payload, 'Rhône', 'Rhone') WHERE seq = 3",
            &[],
        )
        .unwrap();
    assert_eq!(edited, 1);
    drop(raw);
    let out = env.run(&["verify"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("LEDGER NOT INTACT: event 3 (stream site/CMO-LYO)"),
        "{text}"
    );
    assert!(
        text.contains("APPEND-ONLY TRIGGERS MISSING: ledger_no_update"),
        "{text}"
    );
}

#[test]
fn the_first_administrator_is_created_once_and_admin_commands_manage_users() {
    let env = Env::new(None);
    env.ok(&["init"]);
    let created = env.ok(&[
        "admin",
        "create-user",
        "--username",
        "jdoe",
        "--full-name",
        "Jane Doe",
        "--email",
        "jane@example.com",
        "--role",
        "qa_reviewer",
    ]);
    assert!(
        created.contains("Created user jdoe (qa_reviewer)"),
        "{created}"
    );
    assert!(created.contains("one-time password: "), "{created}");
    let again = env.run(&[
        "admin",
        "create-user",
        "--username",
        "jdoe",
        "--full-name",
        "John Doe",
        "--email",
        "john@example.com",
        "--role",
        "operator",
    ]);
    assert!(!again.status.success(), "a username is never reused");
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    let token = env.run(&[
        "admin",
        "issue-token",
        "--username",
        "jdoe",
        "--name",
        "LIMS",
        "--role",
        "operator",
    ]);
    assert!(!token.status.success());
    let stderr = String::from_utf8_lossy(&token.stderr);
    assert!(
        stderr.contains("does not hold the role 'operator'"),
        "a token cannot carry a role its owner lacks: {stderr}"
    );
}

fn data_set() -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/tablet-batches")
        .display()
        .to_string()
}

#[test]
fn the_public_batch_history_imports_once_and_traces_from_the_command_line() {
    let env = Env::new(None);
    env.ok(&["init", "--no-admin"]);

    let imported = env.ok(&["import", "tablet-batches", &data_set()]);
    assert!(
        imported.contains("Imported 2386 new or changed records"),
        "{imported}"
    );
    assert!(
        imported.contains("Žagar"),
        "the source is credited: {imported}"
    );
    let again = env.ok(&["import", "tablet-batches", &data_set()]);
    assert!(again.contains("Nothing to import"), "{again}");

    let forward = env.ok(&["trace", "LACTOSE/2"]);
    assert!(
        forward.starts_with("Forward trace from lot LACTOSE/2: "),
        "{forward}"
    );
    assert!(forward.contains("batch CMO-SI/1 "), "{forward}");
    let backward = env.ok(&["trace", "--batch", "CMO-SI/1", "--backward", "--json"]);
    let trace: serde_json::Value = serde_json::from_str(&backward).unwrap();
    let lots: Vec<&str> = trace["lots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(lots, ["API-5/2", "LACTOSE/2", "SMCC/1", "STARCH/1"]);

    let missing = env.run(&[
        "import",
        "tablet-batches",
        &env.path("nowhere").display().to_string(),
    ]);
    assert!(!missing.status.success());
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(stderr.contains("nothing was stored"), "{stderr}");
    assert!(
        stderr.contains("Laboratory.csv: cannot be read"),
        "{stderr}"
    );
    let unknown = env.run(&["trace", "SMCC/999"]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("lot 'SMCC/999' does not exist"));
}

#[test]
fn an_mbr_file_imports_as_a_draft_exports_in_both_spellings_and_versions_compare() {
    let env = Env::new(None);
    env.ok(&["init", "--no-admin"]);
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/examples/mbr-film-coated-tablet.yaml"
    );
    let out = env.ok(&["mbr", "import", example]);
    assert!(
        out.contains("MBR MBR-PCM500 version 1 (draft) saved from mbr-film-coated-tablet.yaml"),
        "{out}"
    );
    let json = env.ok(&["mbr", "export", "MBR-PCM500", "--format", "json"]);
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed["unit_procedures"].as_array().unwrap().len(), 6);
    // A changed tolerance, imported again, revises the draft; the diff of the
    // export against the file names the step.
    let changed = env.path("changed.json");
    std::fs::write(
        &changed,
        json.replace("\"tolerance_percent\": 0.5", "\"tolerance_percent\": 0.3"),
    )
    .unwrap();
    let out = env.ok(&["mbr", "import", &changed.display().to_string()]);
    assert!(out.contains("version 1 (draft)"), "{out}");
    let yaml = env.ok(&["mbr", "export", "MBR-PCM500"]);
    assert!(yaml.contains("tolerance_percent: 0.3"), "{yaml}");
    let list = env.ok(&["mbr", "list"]);
    assert!(
        list.contains("MBR-PCM500") && list.contains("draft"),
        "{list}"
    );
    let bad = env.path("bad.yaml");
    std::fs::write(&bad, "code: MBR-X\ntitle: X\nproduct: P\nbatch_size: {amount: 1, unit: kg}\nunit_procedures: []\ncolour: red\n").unwrap();
    let refused = env.run(&["mbr", "import", &bad.display().to_string()]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("colour") && stderr.contains("line 6"),
        "{stderr}"
    );
}
