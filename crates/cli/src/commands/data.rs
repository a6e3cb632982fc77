//! `vplant import tablet-batches` and `vplant trace`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use vplant_app::import::ImportError;
use vplant_app::import::tablet_batches::CREDIT;
use vplant_app::{App, Request};
use vplant_domain::genealogy::{Direction, Node};
use vplant_domain::identity::Scope;

use super::Data;
use super::admin::actor;
use crate::args::ImportCommand;

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

pub fn import(data: &Data, command: &ImportCommand) -> Result<ExitCode> {
    let ImportCommand::TabletBatches { folder, site } = command;
    let store = data.open_writable(vplant_store::CheckpointPolicy::default())?;
    runtime()?.block_on(async {
        let app = App::new(store)?;
        let started = std::time::Instant::now();
        match app
            .import_tablet_batches(folder, site, &Request::by(&actor()))
            .await
        {
            Ok(summary) if summary.events == 0 => {
                println!(
                    "Nothing to import: the {} records in {} are stored already.",
                    summary.records,
                    folder.display()
                );
                Ok(ExitCode::SUCCESS)
            }
            Ok(summary) => {
                println!(
                    "Imported {} new or changed records ({} events) of {} in {:.1} s.",
                    summary.changed_records,
                    summary.events,
                    summary.records,
                    started.elapsed().as_secs_f64()
                );
                println!("{CREDIT}");
                Ok(ExitCode::SUCCESS)
            }
            Err(ImportError::Rejected(problems)) => {
                eprintln!(
                    "The import was refused and nothing was stored. {} problem(s):",
                    problems.len()
                );
                for p in &problems {
                    eprintln!("  {p}");
                }
                Ok(ExitCode::FAILURE)
            }
            Err(ImportError::App(e)) => Err(e.into()),
        }
    })
}

pub fn trace(
    data: &Data,
    lot: Option<String>,
    batch: Option<String>,
    backward: bool,
    json: bool,
) -> Result<ExitCode> {
    let start = match (lot, batch) {
        (Some(lot), None) => Node::Lot(lot),
        (None, Some(batch)) => Node::Batch(batch),
        _ => anyhow::bail!("name a lot (`vplant trace SMCC/12`) or a batch (`--batch CMO-SI/7`)"),
    };
    let direction = if backward {
        Direction::Backward
    } else {
        Direction::Forward
    };
    let store = data.open_read_only()?;
    runtime()?.block_on(async {
        let app = App::new(store)?;
        let trace = app.trace(&Scope::All, start.clone(), direction).await?;
        if json {
            println!("{}", serde_json::to_string_pretty(&trace)?);
            return Ok(ExitCode::SUCCESS);
        }
        // A closed pipe (`vplant trace … | head`) ends the listing quietly.
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "{} trace from {} {}: {} batch(es), {} lot(s)",
            if backward { "Backward" } else { "Forward" },
            match start {
                Node::Lot(_) => "lot",
                Node::Batch(_) => "batch",
            },
            start.id(),
            trace.batches.len(),
            trace.lots.len()
        );
        for b in &trace.batches {
            let started = b.actual.get("production_start").map_or("—", String::as_str);
            let _ = writeln!(
                out,
                "  batch {:<20} product {:<10} started {started}",
                b.id, b.product
            );
        }
        for l in &trace.lots {
            let _ = writeln!(out, "  lot   {:<20} site {:<10} {}", l.id, l.site, l.status);
        }
        if trace.hidden > 0 {
            let _ = writeln!(
                out,
                "  ({} records at sites outside your scope)",
                trace.hidden
            );
        }
        Ok(ExitCode::SUCCESS)
    })
}
