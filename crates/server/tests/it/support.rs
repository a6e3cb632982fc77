//! The fixture every module of this binary starts from: the whole router over a
//! fresh store, with one account per role of SPEC §1, a clock the test can move, and
//! signed-in clients that carry their session cookie and anti-forgery token like a
//! browser does.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use vplant_app::App;
use vplant_app::Request as AppRequest;
use vplant_app::identity::passwords::HashCost;
use vplant_app::identity::{NewUserInput, SecurityPolicy};
use vplant_domain::Timestamp;
use vplant_domain::action::ActionInput;
use vplant_domain::batch::events::BatchSource;
use vplant_domain::batch::report::BatchReport;
use vplant_domain::batch::{BatchCommand, BatchState};
use vplant_domain::exception::RaiseInput;
use vplant_domain::exception::fields::Origin;
use vplant_domain::fields::Code;
use vplant_domain::identity::{Role, Scope};
use vplant_domain::lot::{LotCommand, LotOrigin, LotRef, LotState, LotStatus, NewLot};
use vplant_domain::material::{MaterialCommand, MaterialState, NewMaterial};
use vplant_domain::product::{NewProduct, ProductCommand, ProductState};
use vplant_domain::site::{NewSite, SiteCommand, SiteState};
use vplant_server::AppState;
use vplant_server::auth::{WebConfig, cookies, csrf};
use vplant_store::{Store, StoreConfig};
use vplant_testkit::{TestDb, every_events};

/// Every test account's password.
pub const PASSWORD: &str = "Granite-Meadow-Lantern-77";
/// The CMO site the `cmo_partner` account is bound to, and one it is not.
pub const OWN_CMO: &str = "CMO-A";
pub const OTHER_CMO: &str = "CMO-B";
pub const INTERNAL: &str = "INT";
/// The MBR `seed_mes` makes effective, and the equipment unit it registers.
pub const MBR: &str = "MBR-W";
pub const EQUIPMENT: &str = "EQ-1";

/// The material of the lots the tests register.
pub const MATERIAL: &str = "EXC-1";

/// How to build a server; the defaults suit most tests.
pub struct Options {
    pub policy: SecurityPolicy,
    pub web: WebConfig,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            policy: SecurityPolicy {
                // Cheap hashes keep the suite fast; the timing and benchmark code
                // uses the real cost.
                hash_cost: HashCost {
                    memory_kib: 1024,
                    iterations: 1,
                    lanes: 1,
                },
                ..SecurityPolicy::default()
            },
            web: WebConfig {
                attempts_per_minute: 100_000,
                ..WebConfig::default()
            },
        }
    }
}

pub struct Server {
    pub router: Router,
    pub app: App,
    /// Microseconds added to the real time: `advance` moves the server's clock.
    offset: Arc<AtomicI64>,
    /// Dropped on a plain thread (see `Drop`).
    db: Option<TestDb>,
}

/// PostgreSQL's synchronous client refuses to run inside a tokio runtime, and tests
/// run inside one: the database is opened (`build`) and dropped here on a plain
/// thread, as the real binary opens its store before it starts the runtime.
impl Drop for Server {
    fn drop(&mut self) {
        let db = self.db.take();
        std::thread::spawn(move || drop(db)).join().unwrap();
    }
}

/// A response as the tests look at it.
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

/// The fields a refusal (422) names, in its order.
pub fn refused_fields(body: &Value) -> Vec<String> {
    body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_owned())
        .collect()
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    pub fn location(&self) -> Option<String> {
        self.header(header::LOCATION.as_str())
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }

    /// The value a `Set-Cookie` header gives cookie `name`, if any.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| {
                let (pair, _) = v.split_once(';').unwrap_or((v, ""));
                let (k, value) = pair.split_once('=')?;
                (k == name).then(|| value.to_owned())
            })
    }
}

impl Server {
    pub async fn new() -> Server {
        Server::build(TestDb::sqlite(), Options::default()).await
    }

    pub async fn with(options: Options) -> Server {
        Server::build(TestDb::sqlite(), options).await
    }

    pub async fn on(db: TestDb) -> Server {
        Server::build(db, Options::default()).await
    }

    pub async fn build(db: TestDb, options: Options) -> Server {
        let offset = Arc::new(AtomicI64::new(0));
        let mut config = StoreConfig::new(db.location());
        config.signing_key = Some(db.key.clone());
        config.witness = Some(db.witness_path());
        config.checkpoints = every_events(1000);
        let clock_offset = offset.clone();
        let system = vplant_store::system_clock();
        config.clock = Arc::new(move || {
            Timestamp::from_micros(system().as_micros() + clock_offset.load(Ordering::SeqCst))
        });
        let store = std::thread::spawn(move || Store::open(config))
            .join()
            .unwrap()
            .unwrap();
        let app = App::with_policy(store, options.policy).unwrap();
        seed(&app).await;
        let router = vplant_server::router(AppState::new(app.clone(), options.web));
        Server {
            router,
            app,
            offset,
            db: Some(db),
        }
    }

    /// Moves the server's clock forward.
    pub fn advance(&self, by: Duration) {
        let micros = i64::try_from(by.as_micros()).unwrap();
        self.offset.fetch_add(micros, Ordering::SeqCst);
    }

    /// A client signed in as `username` (the session is started by the use case;
    /// the sign-in page has tests of its own).
    pub async fn session(&self, username: &str) -> Client<'_> {
        let session = self.app.sign_in(username, PASSWORD, "test").await.unwrap();
        Client {
            server: self,
            token: Some(session.token.clone()),
            csrf: Some(csrf::token_for(&session.token)),
            extra: Vec::new(),
        }
    }

    /// A client signed in with a role's test account.
    pub async fn as_role(&self, role: Role) -> Client<'_> {
        self.session(role.as_str()).await
    }

    /// A client without a session.
    pub fn anonymous(&self) -> Client<'_> {
        Client {
            server: self,
            token: None,
            csrf: None,
            extra: Vec::new(),
        }
    }

    pub async fn send(&self, request: Request<Body>) -> Resp {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Resp {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }
}

/// Sites, a product, and one account per role.
async fn seed(app: &App) {
    let by = AppRequest::by("seed");
    for (code, kind) in [(OWN_CMO, "cmo"), (OTHER_CMO, "cmo"), (INTERNAL, "internal")] {
        let new = NewSite::parse(code, &format!("Site {code}"), kind, "DE").unwrap();
        app.execute::<SiteState>(code, SiteCommand::Register(new), &by)
            .await
            .unwrap();
    }
    let product = NewProduct::parse("PRD-1", "Product one", "tablet", "10 mg").unwrap();
    app.execute::<ProductState>("PRD-1", ProductCommand::Register(product), &by)
        .await
        .unwrap();
    for role in Role::ALL {
        let sites = if role == Role::CmoPartner {
            vec![OWN_CMO.to_owned()]
        } else {
            Vec::new()
        };
        let input = NewUserInput {
            username: role.as_str().to_owned(),
            full_name: format!("Test {}", role.label()),
            email: format!("{}@example.com", role.as_str()),
            roles: vec![role.as_str().to_owned()],
            sites,
            password: Some(PASSWORD.to_owned()),
            must_change_password: false,
        };
        app.create_user(input, &by).await.unwrap();
    }
}

/// A browser-like client: sends its session cookie, and its anti-forgery token with
/// every form and JSON post.
pub struct Client<'a> {
    pub server: &'a Server,
    pub token: Option<String>,
    pub csrf: Option<String>,
    /// Extra headers for every request (e.g. `Origin`).
    pub extra: Vec<(String, String)>,
}

impl Client<'_> {
    fn builder(&self, method: &str, uri: &str) -> axum::http::request::Builder {
        let mut builder = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::HOST, "localhost");
        if let Some(token) = &self.token {
            builder = builder.header(header::COOKIE, format!("{}={token}", cookies::SESSION));
        }
        for (k, v) in &self.extra {
            builder = builder.header(k.as_str(), v.as_str());
        }
        builder
    }

    pub async fn get(&self, uri: &str) -> Resp {
        self.server
            .send(self.builder("GET", uri).body(Body::empty()).unwrap())
            .await
    }

    /// Posts a form as a browser does, with the page's hidden `_csrf` field.
    pub async fn post(&self, uri: &str, fields: &[(&str, &str)]) -> Resp {
        let mut pairs: Vec<(&str, &str)> = fields.to_vec();
        if let Some(csrf) = &self.csrf {
            pairs.push(("_csrf", csrf));
        }
        let body = serde_urlencoded::to_string(&pairs).unwrap();
        let request = self
            .builder("POST", uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.server.send(request).await
    }

    /// Posts JSON with the `X-CSRF-Token` header (as the pages' htmx requests do).
    pub async fn post_json(&self, uri: &str, body: &Value) -> Resp {
        self.post_json_with(uri, body, &[]).await
    }

    pub async fn post_json_with(&self, uri: &str, body: &Value, headers: &[(&str, &str)]) -> Resp {
        let mut builder = self
            .builder("POST", uri)
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(csrf) = &self.csrf {
            builder = builder.header(csrf::HEADER, csrf.as_str());
        }
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        self.server
            .send(builder.body(Body::from(body.to_string())).unwrap())
            .await
    }

    /// Posts `bytes` as the whole body (a file sent to the API), with the
    /// `X-CSRF-Token` header.
    pub async fn post_bytes(&self, uri: &str, bytes: Vec<u8>) -> Resp {
        let mut builder = self
            .builder("POST", uri)
            .header(header::CONTENT_TYPE, "application/octet-stream");
        if let Some(csrf) = &self.csrf {
            builder = builder.header(csrf::HEADER, csrf.as_str());
        }
        self.server
            .send(builder.body(Body::from(bytes)).unwrap())
            .await
    }

    /// Uploads a file as a browser sends an upload form without JavaScript:
    /// `multipart/form-data`, the page's `_csrf` field first (when the client has
    /// one), then the file as field `file`.
    pub async fn upload(&self, uri: &str, file_name: &str, bytes: &[u8]) -> Resp {
        let boundary = "----vplant-test-boundary-7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        if let Some(csrf) = &self.csrf {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let request = self
            .builder("POST", uri)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .unwrap();
        self.server.send(request).await
    }

    /// A GET whose answer is kept as bytes (a download that is not text).
    pub async fn get_bytes(&self, uri: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
        let request = self.builder("GET", uri).body(Body::empty()).unwrap();
        let response = self.server.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, headers, bytes.to_vec())
    }
}

/// Registers material [`MATERIAL`], which the seeded lots are of.
pub async fn register_material(app: &App) {
    let new = NewMaterial::parse(MATERIAL, "Excipient one", "excipient", "kg").unwrap();
    app.execute::<MaterialState>(
        MATERIAL,
        MaterialCommand::Register(new),
        &AppRequest::by("seed"),
    )
    .await
    .unwrap();
}

/// Registers lot `id` (`<material>/<lot number>`) at `site`: released and received,
/// or produced by batch `produced_by`; marked as coming from the public data set
/// when `data_set` is set.
pub async fn register_lot(
    app: &App,
    id: &str,
    site: &str,
    produced_by: Option<&str>,
    data_set: bool,
) {
    let origin = match produced_by {
        Some(batch) => LotOrigin::Produced {
            batch: batch.to_owned(),
        },
        None => LotOrigin::Received,
    };
    let site = Code::parse("site", site).unwrap();
    let mut new = NewLot::new(
        lot_ref(id),
        &site,
        LotStatus::Released,
        origin,
        None,
        None,
        None,
    )
    .unwrap();
    if data_set {
        new = new.from_data_set(vplant_app::import::tablet_batches::DATA_SET);
    }
    app.execute::<LotState>(id, LotCommand::Register(new), &AppRequest::by("seed"))
        .await
        .unwrap();
}

/// A CMO report of batch `<site>/<number>` of product `PRD-1`, to fill in.
pub fn batch_report(site: &str, number: &str) -> BatchReport {
    BatchReport::new(site, number, "PRD-1", BatchSource::Cmo).unwrap()
}

/// Records `report` as the seed user reports it.
pub async fn record_batch(app: &App, report: BatchReport) {
    let id = report.id();
    let command = BatchCommand::Report {
        report: Box::new(report),
        reason: None,
    };
    app.execute::<BatchState>(&id, command, &AppRequest::by("seed"))
        .await
        .unwrap();
}

/// The lot `<material>/<lot number>` names.
pub fn lot_ref(id: &str) -> LotRef {
    let (material, lot) = id.split_once('/').unwrap();
    LotRef::parse(material, lot).unwrap()
}

/// One batch at `site` with its input lot: lot `EXC-1/<site>-1`, consumed by batch
/// `<site>/B1`.
pub async fn seed_batch_at(app: &App, site: &str) {
    let lot = format!("{MATERIAL}/{site}-1");
    register_lot(app, &lot, site, None, false).await;
    let mut report = batch_report(site, "B1");
    report.consume(lot_ref(&lot), None);
    record_batch(app, report).await;
}

/// An exception raised at `site` today by the `vpt_manager` account, and a CAPA
/// owned by the `supervisor` account following it up: their numbers.
pub async fn seed_exception_at(app: &App, site: &str) -> (String, String) {
    let today = app.store.now().date().to_string();
    let raise = RaiseInput {
        site: site.to_owned(),
        occurred: today.clone(),
        discovered: today.clone(),
        title: format!("Tablet hardness low at {site}"),
        description: "Hardness 38 N against a lower limit of 40 N.".to_owned(),
        classification: "major".to_owned(),
        category: "process".to_owned(),
        ..RaiseInput::default()
    };
    let by = AppRequest::by("vpt_manager");
    let exception = app
        .raise_exception(&Scope::All, &raise, Origin::Vpt, &by)
        .await
        .unwrap()
        .number;
    let capa = ActionInput {
        kind: "capa".to_owned(),
        title: "Replace the worn punch set".to_owned(),
        owner: "supervisor".to_owned(),
        due: today.clone(),
        source_kind: "exception".to_owned(),
        source_id: exception.clone(),
        effectiveness_criterion: "Hardness in limits for the next 20 batches.".to_owned(),
        effectiveness_due: today,
        ..ActionInput::default()
    };
    let action = app
        .create_action(&Scope::All, &capa, &by)
        .await
        .unwrap()
        .number;
    (exception, action)
}

/// Runs `scenario` against a server on a fresh PostgreSQL database; passes without
/// running when `VPLANT_TEST_POSTGRES` is unset.
pub fn on_postgres(scenario: impl AsyncFnOnce(&Server)) {
    let Some(db) = TestDb::postgres() else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let server = Server::on(db).await;
        scenario(&server).await;
    });
}

/// The MES records at the internal site: MBR [`MBR`] version 1 (one instruction
/// step, for product `PRD-1`), approved by the `qa_reviewer` account and effective;
/// batch `INT/E1` started from it; equipment unit [`EQUIPMENT`], a granulator.
pub async fn seed_mes(app: &App) {
    use vplant_app::signatures::SignatureInput;
    let file = serde_json::json!({
        "code": MBR, "title": "Walk recipe", "product": "PRD-1",
        "batch_size": { "amount": 100, "unit": "kg" },
        "unit_procedures": [{ "id": "up", "name": "Only", "operations": [{
            "id": "op", "name": "Only", "phases": [{
                "id": "start_up", "name": "Start up", "entry": { "kind": "instruction" }
            }]
        }]}]
    });
    let recipe =
        vplant_app::mbrs::read_recipe(&file.to_string(), vplant_app::mbrs::RecipeFormat::Json)
            .unwrap();
    let author = AppRequest::by("recipe_author");
    app.save_mbr(recipe, "seed of the access walk", &author)
        .await
        .unwrap();
    app.submit_mbr(MBR, 1, &author).await.unwrap();
    let stream = format!("mbr/{MBR}/1");
    let head = app.signable_head(&stream).await.unwrap().unwrap();
    let qa = app.store.user("qa_reviewer").await.unwrap().unwrap();
    let input = SignatureInput {
        meaning: "approved".to_owned(),
        shown_version: head.version,
        shown_hash: head.hash,
        username: "qa_reviewer".to_owned(),
        password: PASSWORD.to_owned(),
    };
    app.sign(
        &vplant_app::identity::principal_of(&qa),
        &stream,
        MBR,
        &input,
        "seed",
    )
    .await
    .unwrap();
    app.make_mbr_effective(MBR, 1, &author).await.unwrap();
    let start = vplant_app::ebrs::StartInput {
        site: INTERNAL.to_owned(),
        number: "E1".to_owned(),
        order: "PO-1".to_owned(),
        mbr: MBR.to_owned(),
        size: "100".to_owned(),
        size_unit: "kg".to_owned(),
    };
    app.start_batch(&Scope::All, &start, &AppRequest::by("supervisor"))
        .await
        .unwrap();
    let unit = vplant_domain::equipment::EquipmentInput {
        id: EQUIPMENT.to_owned(),
        name: "Granulator one".to_owned(),
        class: "granulator".to_owned(),
        site: INTERNAL.to_owned(),
        area: "Solids".to_owned(),
        work_centre: "Granulation".to_owned(),
        clean_hold_hours: "72".to_owned(),
        dirty_hold_hours: "24".to_owned(),
        calibration_due: String::new(),
    };
    app.register_equipment(&Scope::All, &unit, &AppRequest::by("supervisor"))
        .await
        .unwrap();
}
