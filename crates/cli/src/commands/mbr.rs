//! `vplant mbr import|export|list|diff`: master batch records as files.

use std::process::ExitCode;

use anyhow::{Context, Result};
use vplant_app::mbrs::{RecipeFormat, read_recipe, write_recipe};
use vplant_app::{App, Request};

use super::Data;
use super::admin::actor;
use crate::args::MbrCommand;

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

pub fn run(data: &Data, command: &MbrCommand) -> Result<ExitCode> {
    match command {
        MbrCommand::Import { file } => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let name = file.file_name().map_or_else(
                || file.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            let recipe = match read_recipe(&text, RecipeFormat::guess(&name)) {
                Ok(recipe) => recipe,
                Err(e) => {
                    eprintln!("{name} was not imported:\n{e}");
                    return Ok(ExitCode::FAILURE);
                }
            };
            let store = data.open_writable(vplant_store::CheckpointPolicy::default())?;
            runtime()?.block_on(async {
                let app = App::new(store)?;
                let row = app
                    .save_mbr(recipe, &format!("import of {name}"), &Request::by(&actor()))
                    .await?;
                println!(
                    "MBR {} version {} ({}) saved from {name}: {}",
                    row.code,
                    row.mbr_version,
                    row.status.replace('_', " "),
                    row.title
                );
                Ok(ExitCode::SUCCESS)
            })
        }
        MbrCommand::Export {
            code,
            version,
            format,
        } => {
            let format = match format.to_lowercase().as_str() {
                "json" => RecipeFormat::Json,
                "yaml" | "yml" => RecipeFormat::Yaml,
                other => anyhow::bail!("--format must be json or yaml, not '{other}'"),
            };
            let store = data.open_read_only()?;
            runtime()?.block_on(async {
                let app = App::new(store)?;
                let version = match version {
                    Some(v) => *v,
                    None => app
                        .mbr_versions(code)
                        .await?
                        .last()
                        .map(|r| r.mbr_version)
                        .with_context(|| format!("there is no MBR '{code}'"))?,
                };
                let view = app.mbr(code, version).await?;
                print!("{}", write_recipe(&view.recipe, format)?);
                Ok(ExitCode::SUCCESS)
            })
        }
        MbrCommand::List => {
            let store = data.open_read_only()?;
            runtime()?.block_on(async {
                let app = App::new(store)?;
                for row in app.mbrs().await? {
                    println!(
                        "{:<16} v{:<3} {:<11} {:<10} {}",
                        row.code, row.mbr_version, row.status, row.product, row.title
                    );
                }
                Ok(ExitCode::SUCCESS)
            })
        }
        MbrCommand::Diff { code, from, to } => {
            let store = data.open_read_only()?;
            runtime()?.block_on(async {
                let app = App::new(store)?;
                let differences = app.mbr_diff(code, *from, *to).await?;
                if differences.is_empty() {
                    println!("Versions {from} and {to} of {code} hold the same recipe.");
                }
                for d in differences {
                    println!(
                        "{:<8} {}: {} → {}",
                        format!("{:?}", d.kind).to_lowercase(),
                        d.what,
                        d.before.as_deref().unwrap_or("—"),
                        d.after.as_deref().unwrap_or("—")
                    );
                }
                Ok(ExitCode::SUCCESS)
            })
        }
    }
}
