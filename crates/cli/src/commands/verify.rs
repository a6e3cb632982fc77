//! `vplant verify`: the proof an inspector asks for.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use vplant_ledger::{Failure, Summary};

use super::Data;
use crate::keys::{read_public_key, read_witness};

pub fn run(
    data: &Data,
    archive: Option<PathBuf>,
    public_key: Option<PathBuf>,
    witness: Option<PathBuf>,
    no_witness: bool,
) -> Result<ExitCode> {
    let key_path = public_key.unwrap_or_else(|| data.keys.public_path());
    let key = read_public_key(&key_path)?;
    let witness_path = match (no_witness, witness) {
        (true, _) => None,
        (false, Some(path)) => Some(path),
        (false, None) => Some(data.keys.witness_path()).filter(|p| p.exists()),
    };
    let witness = match &witness_path {
        Some(path) => read_witness(path)?,
        None => Vec::new(),
    };
    let (subject, result, missing_triggers) = match &archive {
        Some(path) => {
            let file = std::fs::File::open(path)
                .with_context(|| format!("cannot open the archive {}", path.display()))?;
            let result = vplant_store::archive::verify(file, &key, witness)?;
            (format!("archive {}", path.display()), result, Vec::new())
        }
        None => {
            let store = data.open_read_only()?;
            let report = store.verify(&key, witness)?;
            (
                store.location().to_string(),
                report.result,
                report.missing_triggers,
            )
        }
    };
    println!(
        "Verifying {subject} with public key {} (key id {})",
        key_path.display(),
        key.key_id()
    );
    match &witness_path {
        Some(path) => println!("  witness file   {}", path.display()),
        None => println!(
            "  witness file   none (a cut-off tail is then caught only by the database's own checkpoints)"
        ),
    }
    Ok(report(&result, &missing_triggers))
}

fn report(result: &Result<Summary, Failure>, missing_triggers: &[String]) -> ExitCode {
    let mut intact = true;
    match result {
        Ok(s) => {
            println!(
                "  events         {} in {} streams (sequence 1..={})",
                s.events, s.streams, s.last_seq
            );
            println!(
                "  checkpoints    {} signed, sealing events 1..={}{}",
                s.checkpoints,
                s.last_checkpoint_seq,
                if s.witnessed_checkpoints > 0 {
                    format!(
                        "; {} also in the witness file, all matching",
                        s.witnessed_checkpoints
                    )
                } else {
                    String::new()
                }
            );
            if s.unsealed_events() > 0 {
                println!(
                    "  unsealed       {} newest events are hash-chained but not yet under a signed checkpoint",
                    s.unsealed_events()
                );
            }
        }
        Err(failure) => {
            intact = false;
            println!("LEDGER NOT INTACT: {failure}");
        }
    }
    if !missing_triggers.is_empty() {
        intact = false;
        println!(
            "APPEND-ONLY TRIGGERS MISSING: {} — someone with database rights removed or disabled them",
            missing_triggers.join(", ")
        );
    }
    if intact {
        println!("Ledger intact.");
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
