//! `vplant admin …`: user administration without the web server, for the first
//! administrator and for an administrator who is locked out. Changes made here are
//! attributed to `cli:<operating-system user>` in the ledger.

use std::process::ExitCode;

use anyhow::{Context, Result};
use vplant_app::identity::{AccountChange, NewUserInput};
use vplant_app::{App, Request};

use super::Data;
use crate::args::AdminCommand;

/// The ledger actor for changes made from the command line.
pub fn actor() -> String {
    let who = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".to_owned());
    format!("cli:{who}")
}

pub fn run(data: &Data, command: &AdminCommand) -> Result<ExitCode> {
    let store = data.open_writable(vplant_store::CheckpointPolicy::default())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let app = App::new(store)?;
        let by = Request::by(&actor());
        match command {
            AdminCommand::CreateUser {
                username,
                full_name,
                email,
                roles,
                sites,
            } => {
                let input = NewUserInput {
                    username: username.clone(),
                    full_name: full_name.clone(),
                    email: email.clone(),
                    roles: roles.clone(),
                    sites: sites.clone(),
                    password: None,
                    must_change_password: true,
                };
                let (user, otp) = app.create_user(input, &by).await?;
                println!(
                    "Created user {} ({}).",
                    user.username,
                    user.roles.join(", ")
                );
                if let Some(otp) = otp {
                    print_one_time(&otp.0);
                }
            }
            AdminCommand::ResetPassword { username, reason } => {
                let otp = app.reset_password(username, reason, &by).await?;
                println!("Password of {username} reset; their sessions are ended.");
                print_one_time(&otp.0);
            }
            AdminCommand::IssueToken {
                username,
                name,
                roles,
                sites,
                days,
            } => {
                let issued = app
                    .issue_api_token(username, name, roles, sites, *days, &by)
                    .await?;
                println!(
                    "API token {} for {} ({}), expires {}.",
                    issued.token.id,
                    issued.token.owner,
                    issued.token.roles.join(", "),
                    issued.token.expires_at.to_display()
                );
                println!("  secret: {}", issued.secret);
                println!("  It is shown only now. Send it as 'Authorization: Bearer <secret>'.");
            }
            AdminCommand::Unlock { username, reason } => {
                app.set_account_state(username, AccountChange::Unlock, reason, &by)
                    .await?;
                println!("Unlocked {username}.");
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

pub fn print_one_time(password: &str) {
    println!("  one-time password: {password}");
    println!(
        "  Hand it over in person or by a separate channel; it must be changed at first sign-in."
    );
}

/// `vplant init`'s first administrator, when the database has no users yet.
pub async fn first_admin(app: &App, username: &str, email: &str) -> Result<()> {
    if !app.store.users().await?.is_empty() {
        return Ok(());
    }
    let input = NewUserInput {
        username: username.to_owned(),
        full_name: "First Administrator".to_owned(),
        email: email.to_owned(),
        roles: vec!["administrator".to_owned()],
        sites: Vec::new(),
        password: None,
        must_change_password: true,
    };
    let (user, otp) = app.create_user(input, &Request::by(&actor())).await?;
    println!("First administrator: {}", user.username);
    if let Some(otp) = otp {
        print_one_time(&otp.0);
    }
    Ok(())
}
