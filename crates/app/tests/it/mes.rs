//! The MES end to end on a real store: the film-coated tablet MBR of
//! `docs/examples` is imported, reviewed and approved by someone else, made
//! effective; a batch runs from dispensing to packaging with its checks and
//! signatures; an out-of-limit value raises a critical exception that blocks the
//! batch until QA acknowledges it; QA reviews by exception and releases; the tracker
//! row, the genealogy and the equipment logbook follow.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use vplant_app::ebrs::{EntryInput, StartInput};
use vplant_app::equipment::LogbookInput;
use vplant_app::identity::passwords::HashCost;
use vplant_app::identity::{NewUserInput, SecurityPolicy, principal_of};
use vplant_app::mbrs::{RecipeFormat, read_recipe, write_recipe};
use vplant_app::signatures::SignatureInput;
use vplant_app::{App, AppError, Request};
use vplant_domain::dates::PartialDate;
use vplant_domain::ebr::review::ReviewKind;
use vplant_domain::equipment::EquipmentInput;
use vplant_domain::exception::fields::Classification;
use vplant_domain::genealogy::{Direction, Node};
use vplant_domain::identity::Scope;
use vplant_domain::lot::{LotCommand, LotOrigin, LotRef, LotState, LotStatus, NewLot};
use vplant_domain::material::{MaterialCommand, MaterialState, NewMaterial};
use vplant_domain::product::{NewProduct, ProductCommand, ProductState};
use vplant_domain::site::{NewSite, SiteCommand, SiteState};
use vplant_domain::{Timestamp, fields::Code};
use vplant_testkit::{TestDb, block_on};

pub(crate) const PASSWORD: &str = "Correct-Horse-Battery-Staple-9";
pub(crate) const MBR: &str = include_str!("../../../../docs/examples/mbr-film-coated-tablet.yaml");
/// Why the hardness entry of the batch is corrected.
pub(crate) const HARDNESS_REASON: &str = "Transcription error: the tester showed 118 N";

/// The Basel site with its people, released lots and clean equipment, and a clock
/// the test moves.
pub(crate) struct Floor {
    pub(crate) app: App,
    clock: Arc<AtomicI64>,
}

impl Floor {
    pub(crate) fn minutes(&self, m: i64) {
        self.clock.fetch_add(m * 60_000_000, Ordering::SeqCst);
    }

    pub(crate) fn user(&self, name: &str) -> vplant_domain::identity::Principal {
        principal_of(&block_on(self.app.store.user(name)).unwrap().unwrap())
    }

    pub(crate) fn sign(&self, who: &str, stream: &str, meaning: &str) -> Result<(), AppError> {
        let head = block_on(self.app.signable_head(stream)).unwrap().unwrap();
        let input = SignatureInput {
            meaning: meaning.to_owned(),
            shown_version: head.version,
            shown_hash: head.hash,
            username: who.to_owned(),
            password: PASSWORD.to_owned(),
        };
        block_on(
            self.app
                .sign(&self.user(who), stream, stream, &input, "test"),
        )
        .map(|_| ())
    }

    pub(crate) fn sign_batch(
        &self,
        who: &str,
        subject: Option<&str>,
        meaning: &str,
    ) -> Result<(), AppError> {
        let head = block_on(self.app.signable_head("ebr/BSL/B001"))
            .unwrap()
            .unwrap();
        let input = SignatureInput {
            meaning: meaning.to_owned(),
            shown_version: head.version,
            shown_hash: head.hash,
            username: who.to_owned(),
            password: PASSWORD.to_owned(),
        };
        block_on(
            self.app
                .sign_batch(&self.user(who), "BSL/B001", subject, &input, "test"),
        )
        .map(|_| ())
    }

    pub(crate) fn enter(
        &self,
        who: &str,
        step: &str,
        value: &str,
        lot: &str,
    ) -> vplant_app::ebrs::EntryOutcome {
        self.try_enter(who, step, value, lot)
            .unwrap_or_else(|e| panic!("entry {step} = {value}: {e}"))
    }

    pub(crate) fn try_enter(
        &self,
        who: &str,
        step: &str,
        value: &str,
        lot: &str,
    ) -> Result<vplant_app::ebrs::EntryOutcome, AppError> {
        self.minutes(1);
        let input = EntryInput {
            step: step.to_owned(),
            value: value.to_owned(),
            lot: lot.to_owned(),
            device: "TAB-07".to_owned(),
            ..EntryInput::default()
        };
        block_on(
            self.app
                .record_entry(&Scope::All, "BSL/B001", &input, &Request::by(who)),
        )
    }

    /// Corrects entry `old` of `step` with `value`, giving `reason`.
    pub(crate) fn correct(&self, who: &str, step: &str, value: &str, old: u32, reason: &str) {
        self.minutes(1);
        let input = EntryInput {
            step: step.to_owned(),
            value: value.to_owned(),
            device: "TAB-07".to_owned(),
            corrects: Some(old),
            reason: reason.to_owned(),
            ..EntryInput::default()
        };
        block_on(
            self.app
                .record_entry(&Scope::All, "BSL/B001", &input, &Request::by(who)),
        )
        .unwrap_or_else(|e| panic!("correction of {step} entry {old}: {e}"));
    }

    /// Enters and signs a step as performed.
    pub(crate) fn step(&self, step: &str, value: &str, lot: &str) {
        self.enter("op.anna", step, value, lot);
        self.sign_batch("op.anna", Some(step), "performed").unwrap();
    }
}

pub(crate) fn floor(db: TestDb) -> (Floor, TestDb) {
    let clock = Arc::new(AtomicI64::new(0));
    let offset = clock.clone();
    let base = Timestamp::from_micros(1_795_000_000_000_000); // 2026-11-17
    let clock_fn: vplant_store::Clock =
        Arc::new(move || Timestamp::from_micros(base.as_micros() + offset.load(Ordering::SeqCst)));
    let policy = SecurityPolicy {
        hash_cost: HashCost {
            memory_kib: 1024,
            iterations: 1,
            lanes: 1,
        },
        ..SecurityPolicy::default()
    };
    let app = App::with_policy(db.store_with_clock(clock_fn), policy).unwrap();
    let admin = Request::by("admin");
    let site = NewSite::parse("BSL", "Basel", "internal", "CH").unwrap();
    block_on(app.execute::<SiteState>("BSL", SiteCommand::Register(site), &admin)).unwrap();
    let product = NewProduct::parse(
        "PCM500",
        "Paracetamol 500 mg film-coated tablets",
        "film-coated tablet",
        "500 mg",
    )
    .unwrap();
    block_on(app.execute::<ProductState>("PCM500", ProductCommand::Register(product), &admin))
        .unwrap();
    for (username, role) in [
        ("op.anna", "operator"),
        ("op.marko", "operator"),
        ("sup.ben", "supervisor"),
        ("author.kim", "recipe_author"),
        ("qa.lead", "qa_reviewer"),
    ] {
        let input = NewUserInput {
            username: username.to_owned(),
            full_name: format!("{username} person"),
            email: format!("{username}@example.com"),
            roles: vec![role.to_owned()],
            sites: Vec::new(),
            password: Some(PASSWORD.to_owned()),
            must_change_password: false,
        };
        block_on(app.create_user(input, &admin)).unwrap();
    }
    let warehouse = Request::by("warehouse");
    for (material, kind) in [
        ("PARACETAMOL", "api"),
        ("MCC-102", "excipient"),
        ("POVIDONE-K30", "excipient"),
        ("CROSCARMELLOSE", "excipient"),
        ("MG-STEARATE", "excipient"),
        ("OPADRY-WHITE", "excipient"),
    ] {
        let m = NewMaterial::parse(material, material, kind, "kg").unwrap();
        block_on(app.execute::<MaterialState>(material, MaterialCommand::Register(m), &warehouse))
            .unwrap();
        let lot = NewLot::new(
            LotRef::parse(material, "L1").unwrap(),
            &Code::parse("site", "BSL").unwrap(),
            LotStatus::Quarantine,
            LotOrigin::Received,
            None,
            PartialDate::new(2028, 6, None),
            None,
        )
        .unwrap();
        let id = lot.lot_ref().id();
        block_on(app.execute::<LotState>(&id, LotCommand::Register(lot), &warehouse)).unwrap();
    }
    let supervisor = Request::by("sup.ben");
    for (id, class) in [
        ("GR-01", "granulator"),
        ("FBD-01", "fluid bed dryer"),
        ("BL-01", "blender"),
        ("TP-01", "tablet press"),
        ("CT-01", "coater"),
    ] {
        let input = EquipmentInput {
            id: id.into(),
            name: format!("{class} 1"),
            class: class.into(),
            site: "BSL".into(),
            area: "Oral solids".into(),
            work_centre: "Suite 2".into(),
            clean_hold_hours: "72".into(),
            dirty_hold_hours: "48".into(),
            calibration_due: "2027-09".into(),
        };
        block_on(app.register_equipment(&Scope::All, &input, &supervisor)).unwrap();
        let clean = LogbookInput {
            kind: "clean".into(),
            note: "Full clean per SOP-CL-004".into(),
            next_due: String::new(),
        };
        block_on(app.log_equipment(&Scope::All, id, &clean, &Request::by("op.marko"))).unwrap();
    }
    (Floor { app, clock }, db)
}

vplant_testkit::backend_tests!(a_film_coated_tablet_batch_runs_from_dispensing_to_release);

fn a_film_coated_tablet_batch_runs_from_dispensing_to_release(db: TestDb) {
    let (f, _db) = floor(db);
    let app = &f.app;

    // The MBR file reads, round-trips through both spellings, and is imported.
    let recipe = read_recipe(MBR, RecipeFormat::Yaml).unwrap();
    let json = write_recipe(&recipe, RecipeFormat::Json).unwrap();
    assert_eq!(read_recipe(&json, RecipeFormat::Json).unwrap(), recipe);
    let yaml = write_recipe(&recipe, RecipeFormat::Yaml).unwrap();
    assert_eq!(read_recipe(&yaml, RecipeFormat::Yaml).unwrap(), recipe);
    let author = Request::by("author.kim");
    let row =
        block_on(app.save_mbr(recipe, "import of mbr-film-coated-tablet.yaml", &author)).unwrap();
    assert_eq!(
        (row.code.as_str(), row.mbr_version, row.status.as_str()),
        ("MBR-PCM500", 1, "draft")
    );

    // Lots are released by QA's signature (the warehouse that registered them may not).
    for m in [
        "PARACETAMOL",
        "MCC-102",
        "POVIDONE-K30",
        "CROSCARMELLOSE",
        "MG-STEARATE",
        "OPADRY-WHITE",
    ] {
        f.sign("qa.lead", &format!("lot/{m}/L1"), "released")
            .unwrap();
    }
    assert_eq!(
        block_on(app.store.lot("PARACETAMOL/L1"))
            .unwrap()
            .unwrap()
            .status,
        "released"
    );

    // No batch starts from a draft; approval is by someone other than the author.
    let start = StartInput {
        site: "BSL".into(),
        number: "B001".into(),
        order: "PO-2026-0415".into(),
        mbr: "MBR-PCM500".into(),
        size: "360".into(),
        size_unit: "kg".into(),
    };
    let sup = Request::by("sup.ben");
    assert!(block_on(app.start_batch(&Scope::All, &start, &sup)).is_err());
    block_on(app.submit_mbr("MBR-PCM500", 1, &author)).unwrap();
    assert!(
        f.sign("author.kim", "mbr/MBR-PCM500/1", "approved")
            .is_err(),
        "the author may not approve"
    );
    f.sign("qa.lead", "mbr/MBR-PCM500/1", "approved").unwrap();
    block_on(app.make_mbr_effective("MBR-PCM500", 1, &author)).unwrap();
    let ebr = block_on(app.start_batch(&Scope::All, &start, &sup)).unwrap();
    assert_eq!(ebr.status, "in_progress");
    assert_eq!(
        block_on(app.store.batch("BSL/B001"))
            .unwrap()
            .unwrap()
            .source,
        "ebr",
        "the batch is a row of the tracker"
    );

    // Dispensing: quantities scale to twice the reference batch; the weigh group runs
    // in any order; a wrong lot is refused with an exception.
    f.step("disp_line_clearance", "", "");
    f.step("scale_check", "pass", "");
    let wrong = f.enter("op.anna", "weigh_api", "300", "MCC-102/L1");
    assert!(
        wrong
            .refused
            .unwrap()
            .contains("is MCC-102, this step dispenses PARACETAMOL")
    );
    assert_eq!(wrong.exceptions.len(), 1);
    f.step("weigh_mcc", "36.1", "MCC-102/L1");
    f.step("weigh_api", "300.4", "PARACETAMOL/L1");
    assert!(
        f.sign_batch("op.anna", Some("weigh_api"), "verified")
            .is_err(),
        "no one verifies their own weighing"
    );
    f.sign_batch("sup.ben", Some("weigh_api"), "verified")
        .unwrap();
    f.step("weigh_pvp", "10.8", "POVIDONE-K30/L1");
    f.step("weigh_ccs", "10.8", "CROSCARMELLOSE/L1");
    f.step("weigh_mgst", "2.4", "MG-STEARATE/L1");

    // Granulation: equipment goes into use; steps keep their order.
    assert!(
        f.try_enter("op.anna", "binder_water", "36", "").is_err(),
        "the granulator comes first"
    );
    f.step("granulator", "GR-01", "");
    assert_eq!(
        block_on(app.equipment(&Scope::All, "GR-01"))
            .unwrap()
            .status,
        "in_use"
    );
    f.step("binder_water", "36.2", "");
    f.enter("op.anna", "wet_massing", "start", "");
    assert!(
        f.try_enter("op.anna", "wet_massing", "stop", "").is_err(),
        "8 minutes at least"
    );
    f.minutes(10);
    f.step("wet_massing", "stop", "");
    f.step("endpoint_power", "11.7", "");
    f.step("dryer", "FBD-01", "");
    f.step("inlet_temperature", "60.5", "");

    // Loss on drying outside its specification: a critical exception on the spot,
    // and the batch is blocked until QA acknowledges it.
    let lod = f.enter("op.anna", "lod", "3.4", "");
    assert_eq!(lod.excursion.as_deref(), Some("Outside specification"));
    let (critical, class) = lod.exceptions[0].clone();
    assert_eq!(class, Classification::Critical);
    let blocked = f
        .sign_batch("op.anna", Some("lod"), "performed")
        .unwrap_err();
    assert!(
        blocked
            .to_string()
            .contains("blocked by critical exception"),
        "{blocked}"
    );
    f.sign_batch("qa.lead", Some(&critical), "reviewed")
        .unwrap();
    f.sign_batch("op.anna", Some("lod"), "performed").unwrap();
    f.sign_batch("sup.ben", Some("lod"), "verified").unwrap();
    // The granulation unit procedure is done: its equipment is released, dirty.
    assert_eq!(
        block_on(app.equipment(&Scope::All, "GR-01"))
            .unwrap()
            .status,
        "dirty"
    );

    for (step, value) in [("blender", "BL-01"), ("add_lubricant", "")] {
        f.step(step, value, "");
    }
    f.enter("op.anna", "blend_time", "start", "");
    f.minutes(4);
    f.step("blend_time", "stop", "");
    f.step("blend_uniformity", "BU-B001-01", "");
    f.step("press", "TP-01", "");
    // A value misread from the tester is corrected before the step is signed: a new
    // entry that points at the old one, with the reason.
    let misread = f.enter("op.anna", "hardness", "128", "").entry.unwrap();
    f.correct("op.anna", "hardness", "118", misread, HARDNESS_REASON);
    f.sign_batch("op.anna", Some("hardness"), "performed")
        .unwrap();
    f.step("tablet_weight", "601.2", "");
    f.step("friability", "0.3", "");
    f.step("cores_compressed", "595000", "");
    f.enter("op.anna", "compression_yield", "", "");
    f.step("coater", "CT-01", "");
    f.step("weigh_opadry", "10.85", "OPADRY-WHITE/L1");
    f.step("weight_gain", "3.1", "");
    f.step("coated_appearance", "conforms", "");
    f.step("pack_line_clearance", "", "");
    f.sign_batch("sup.ben", Some("pack_line_clearance"), "verified")
        .unwrap();
    f.step("leak_test", "pass", "");
    f.step("packs_produced", "29500", "");
    f.enter("op.anna", "packaging_yield", "", "");

    let view = block_on(app.ebr(&Scope::All, "BSL/B001")).unwrap();
    assert!(view.state.is_complete(), "{:?}", view.state.incomplete());
    // The batch yields its product lot, in quarantine until the disposition.
    let product_lot = block_on(app.store.lot("PCM500/B001")).unwrap().unwrap();
    assert_eq!(product_lot.status, "quarantine");
    assert_eq!(product_lot.produced_by.as_deref(), Some("BSL/B001"));
    // Its quantity is the entry of the MBR's yield step (packs of 20 produced).
    assert_eq!(
        (product_lot.quantity.as_deref(), product_lot.unit.as_deref()),
        (Some("29500"), Some("packs"))
    );
    assert_eq!(view.row.status, "awaiting_review");
    // Review by exception lists the refused lot, the critical exception, the
    // out-of-specification value and the correction, nothing else.
    let kinds: Vec<ReviewKind> = view.review.iter().map(|i| i.kind).collect();
    assert_eq!(
        kinds,
        vec![
            ReviewKind::Exception,
            ReviewKind::Refused,
            ReviewKind::Exception,
            ReviewKind::OutOfLimit,
            ReviewKind::Correction
        ],
        "{:#?}",
        view.review
    );

    // Release needs the review first, and no open critical exception.
    assert!(f.sign_batch("qa.lead", None, "released").is_err());
    f.sign_batch("qa.lead", None, "reviewed").unwrap();
    let open = f.sign_batch("qa.lead", None, "released").unwrap_err();
    assert!(open.to_string().contains(&critical), "{open}");
    for (number, _) in block_on(app.store.open_exceptions_of_batch("BSL/B001")).unwrap() {
        close(&f, &number);
    }
    f.sign_batch("qa.lead", None, "released").unwrap();

    let view = block_on(app.ebr(&Scope::All, "BSL/B001")).unwrap();
    assert_eq!(view.row.status, "released");
    let tracker = block_on(app.store.batch("BSL/B001")).unwrap().unwrap();
    assert_eq!(tracker.disposition.as_deref(), Some("released"));
    assert_eq!(
        block_on(app.store.lot("PCM500/B001"))
            .unwrap()
            .unwrap()
            .status,
        "released",
        "the product lot follows the batch's release"
    );
    // Genealogy: the paracetamol lot reached this batch and its product lot.
    let trace = block_on(app.trace(
        &Scope::All,
        Node::Lot("PARACETAMOL/L1".into()),
        Direction::Forward,
    ))
    .unwrap();
    assert!(trace.batches.iter().any(|b| b.id == "BSL/B001"));
    assert!(
        trace.lots.iter().any(|l| l.id == "PCM500/B001"),
        "{trace:?}"
    );
    // The coater's logbook shows the use.
    let history = block_on(app.history("equipment/CT-01")).unwrap();
    assert!(
        history
            .iter()
            .any(|h| h.summary.contains("Use ended by batch BSL/B001")),
        "{history:#?}"
    );

    crate::ebr_record::the_released_record_prints_in_full(&f, &critical);
}

/// Investigates, assesses and closes an exception (QA approves what the
/// supervisor recorded).
fn close(f: &Floor, number: &str) {
    use vplant_domain::exception::ExceptionCommand;
    use vplant_domain::exception::fields::RootCause;
    use vplant_domain::fields::Text;
    let sup = Request::by("sup.ben");
    let app = &f.app;
    block_on(app.execute::<vplant_domain::exception::ExceptionState>(
        number,
        ExceptionCommand::StartInvestigation,
        &sup,
    ))
    .unwrap();
    let assess = ExceptionCommand::Assess {
        product_impact: Text::parse(
            "p",
            "None: the granulate was dried further and retested within limits.",
        )
        .unwrap(),
        root_cause_category: RootCause::Machine,
        root_cause: Text::parse("r", "Dryer inlet filter partly blocked.").unwrap(),
    };
    block_on(app.execute::<vplant_domain::exception::ExceptionState>(number, assess, &sup))
        .unwrap();
    block_on(app.execute::<vplant_domain::exception::ExceptionState>(
        number,
        ExceptionCommand::SubmitForClosure,
        &sup,
    ))
    .unwrap();
    f.sign("qa.lead", &format!("exception/{number}"), "approved")
        .unwrap();
}
