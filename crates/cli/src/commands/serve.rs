//! `vplant serve` and `vplant demo`.

use std::process::ExitCode;

use anyhow::{Context, Result};
use vplant_app::App;
use vplant_server::AppState;

use super::{Data, init, policy, security, web};
use crate::args::ServeArgs;
use crate::seed;

pub fn run(data: &Data, args: &ServeArgs, demo: bool) -> Result<ExitCode> {
    if demo {
        init::ensure(data)?;
    }
    let store = data.open_writable(policy(args))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let app = App::with_policy(store, security(&args.security))?;
        if demo {
            let seeded = seed::demo(&app).await?;
            println!("Demo data: {seeded}");
            println!("{}", seed::accounts());
        }
        let listener = tokio::net::TcpListener::bind(&args.listen)
            .await
            .with_context(|| {
                format!(
                    "cannot listen on {} (is another server using it? pass --listen)",
                    args.listen
                )
            })?;
        let addr = listener.local_addr()?;
        let base_url = args
            .security
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{addr}"));
        crate::mail::start(&app, &args.mail, base_url.trim_end_matches('/').to_owned())?;
        println!(
            "Virtual Plant is running at http://{addr}/ ({})",
            app.store.location()
        );
        println!("Press Ctrl-C to stop.");
        vplant_server::serve(listener, AppState::new(app, web(&args.security))).await?;
        Ok(ExitCode::SUCCESS)
    })
}

pub fn seed_only(data: &Data) -> Result<ExitCode> {
    init::ensure(data)?;
    let store = data.open_writable(vplant_store::CheckpointPolicy::default())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let seeded = seed::demo(&App::new(store)?).await?;
        println!("Demo data: {seeded}");
        println!("{}", seed::accounts());
        Ok(ExitCode::SUCCESS)
    })
}
