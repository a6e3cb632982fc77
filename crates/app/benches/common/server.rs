//! The server a bench measures, set up as production runs it: the app over a
//! temporary SQLite store (default checkpoint policy, signing key and witness file)
//! with the production security policy — Argon2id at its real cost, which is what
//! signing and signing in pay — on a multi-thread runtime with one worker per core,
//! served over HTTP on a loopback port; and the accounts the benches create.

use std::net::SocketAddr;

use vplant_app::App;
use vplant_app::identity::{NewUserInput, SecurityPolicy};
use vplant_server::AppState;
use vplant_server::auth::WebConfig;
use vplant_store::CheckpointPolicy;
use vplant_testkit::TestDb;

use super::measure::BenchResult;

/// Dropped in this order: the runtime (and the server tasks with their clones of the
/// app), the app (the store's writer ends), then the temporary database.
pub struct Bench {
    pub rt: tokio::runtime::Runtime,
    pub app: App,
    /// Held only so that the temporary database outlives the app.
    _db: TestDb,
}

impl Bench {
    pub fn start() -> BenchResult<Bench> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        let db = TestDb::sqlite();
        let app = App::with_policy(
            db.store_with(CheckpointPolicy::default()),
            SecurityPolicy::default(),
        )?;
        Ok(Bench { rt, app, _db: db })
    }

    /// Serves the app (`vplant_server::serve`, as `vplant serve` does) on a loopback
    /// port; its address.
    pub fn serve(&self, web: WebConfig) -> BenchResult<SocketAddr> {
        let listener = self
            .rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
        let addr = listener.local_addr()?;
        self.rt.spawn(vplant_server::serve(
            listener,
            AppState::new(self.app.clone(), web),
        ));
        Ok(addr)
    }

    /// The stored PHC string of `username`'s password: what a raw Argon2id baseline
    /// checks the password against.
    pub fn password_hash(&self, username: &str) -> BenchResult<String> {
        Ok(self
            .rt
            .block_on(self.app.store.credentials(username))?
            .ok_or("the user is missing")?
            .password_hash)
    }
}

/// An account with one role, at every site, with `password` and no change forced.
pub fn user_input(username: &str, role: &str, password: &str) -> NewUserInput {
    NewUserInput {
        username: username.to_owned(),
        full_name: format!("Bench {username}"),
        email: format!("{username}@vplant.example"),
        roles: vec![role.to_owned()],
        sites: Vec::new(),
        password: Some(password.to_owned()),
        must_change_password: false,
    }
}
