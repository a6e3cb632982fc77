//! The shop floor of the demo: one batch record worked through the use cases the
//! tablet and the QA pages call — entries checked as they arrive, step signatures
//! with the signer's password, QA's acknowledgement, review and disposition. Nothing
//! here writes around them.

use anyhow::{Context, Result, anyhow, bail};
use vplant_app::ebrs::{EntryInput, EntryOutcome, StartInput};
use vplant_app::identity::principal_of;
use vplant_app::signatures::SignatureInput;
use vplant_app::{App, Request};
use vplant_domain::Timestamp;
use vplant_domain::identity::{Principal, Scope};
use vplant_domain::mbr::recipe::Recipe;
use vplant_domain::mbr::step::Signatures;

use crate::seed::DEMO_PASSWORD;

/// Who does what on the floor (demo accounts of `seed::USERS`).
pub const OPERATOR: &str = "operator";
pub const SUPERVISOR: &str = "supervisor";
pub const QA: &str = "qa.reviewer";

pub const SITE: &str = "BSL";
/// The tablet the entries are made on.
const DEVICE: &str = "TAB-BSL-07";

/// The principal of a demo account, for signing.
pub async fn principal(app: &App, username: &str) -> Result<Principal> {
    let user =
        app.store.user(username).await?.ok_or_else(|| {
            anyhow!("the demo account {username} is missing; it signs MES records")
        })?;
    Ok(principal_of(&user))
}

/// What `who` posts to sign `stream` as it stands, with the demo password.
async fn signature(app: &App, who: &str, stream: &str, meaning: &str) -> Result<SignatureInput> {
    let head = app
        .signable_head(stream)
        .await?
        .ok_or_else(|| anyhow!("{stream} does not exist, so {who} cannot sign it"))?;
    Ok(SignatureInput {
        meaning: meaning.to_owned(),
        shown_version: head.version,
        shown_hash: head.hash,
        username: who.to_owned(),
        password: DEMO_PASSWORD.to_owned(),
    })
}

/// Signs record `stream` (not a batch record) at its head with the demo password.
pub async fn sign_record(app: &App, who: &str, stream: &str, meaning: &str) -> Result<()> {
    let input = signature(app, who, stream, meaning).await?;
    app.sign(
        &principal(app, who).await?,
        stream,
        stream,
        &input,
        "demo-seed",
    )
    .await
    .with_context(|| format!("{who} could not sign {stream} as {meaning}"))?;
    Ok(())
}

/// One batch record being executed.
pub struct Batch<'a> {
    app: &'a App,
    recipe: &'a Recipe,
    /// `BSL/<number>`.
    pub id: String,
}

impl<'a> Batch<'a> {
    /// Starts batch `number` for production order `order` from the effective MBR;
    /// the supervisor releases the order to the floor.
    pub async fn start(
        app: &'a App,
        recipe: &'a Recipe,
        number: &str,
        order: &str,
    ) -> Result<Batch<'a>> {
        let input = StartInput {
            site: SITE.to_owned(),
            number: number.to_owned(),
            order: order.to_owned(),
            mbr: recipe.code.clone(),
            size: recipe.batch_size.amount.to_string(),
            size_unit: recipe.batch_size.unit.as_str().to_owned(),
        };
        let row = app
            .start_batch(&Scope::All, &input, &Request::by(SUPERVISOR))
            .await
            .with_context(|| format!("batch {number} could not be started"))?;
        Ok(Batch {
            app,
            recipe,
            id: row.id,
        })
    }

    /// Records an entry as the operator; a refusal is an outcome, not an error.
    pub async fn enter(
        &self,
        step: &str,
        value: &str,
        lot: &str,
        performed_at: Option<Timestamp>,
    ) -> Result<EntryOutcome> {
        self.record(EntryInput {
            step: step.to_owned(),
            value: value.to_owned(),
            lot: lot.to_owned(),
            device: DEVICE.to_owned(),
            performed_at: performed_at.map(Timestamp::to_rfc3339).unwrap_or_default(),
            ..EntryInput::default()
        })
        .await
    }

    async fn record(&self, input: EntryInput) -> Result<EntryOutcome> {
        let step = input.step.clone();
        self.app
            .record_entry(&Scope::All, &self.id, &input, &Request::by(OPERATOR))
            .await
            .with_context(|| format!("batch {}: the entry of step {step} failed", self.id))
    }

    /// Records an entry that must be accepted.
    async fn accepted(&self, step: &str, value: &str, lot: &str) -> Result<EntryOutcome> {
        let outcome = self.enter(step, value, lot, None).await?;
        if let Some(why) = &outcome.refused {
            bail!(
                "batch {}: step {step} = '{value}' was refused: {why}",
                self.id
            );
        }
        Ok(outcome)
    }

    /// Corrects entry `entry` of `step` with a new value and the reason.
    pub async fn correct(&self, step: &str, entry: u32, value: &str, reason: &str) -> Result<()> {
        self.record(EntryInput {
            step: step.to_owned(),
            value: value.to_owned(),
            device: DEVICE.to_owned(),
            corrects: Some(entry),
            reason: reason.to_owned(),
            ..EntryInput::default()
        })
        .await?;
        Ok(())
    }

    /// Signs the batch record: a step (performed, verified), an exception
    /// (reviewed), or the whole record (`subject` `None`).
    pub async fn sign(&self, who: &str, subject: Option<&str>, meaning: &str) -> Result<()> {
        let input = signature(self.app, who, &format!("ebr/{}", self.id), meaning).await?;
        let signer = principal(self.app, who).await?;
        self.app
            .sign_batch(&signer, &self.id, subject, &input, "demo-seed")
            .await
            .with_context(|| {
                format!(
                    "batch {}: {who} could not sign {} as {meaning}",
                    self.id,
                    subject.unwrap_or("the record")
                )
            })?;
        Ok(())
    }

    /// The signatures step `step` needs after its entry: the operator's, and the
    /// supervisor's verification where the MBR asks for it.
    pub async fn sign_step(&self, step: &str) -> Result<()> {
        let needs = self
            .recipe
            .step(step)
            .map(|s| s.phase.signatures)
            .ok_or_else(|| anyhow!("{step} is not a step of {}", self.recipe.code))?;
        if needs != Signatures::None {
            self.sign(OPERATOR, Some(step), "performed").await?;
        }
        if needs == Signatures::PerformedVerified {
            self.sign(SUPERVISOR, Some(step), "verified").await?;
        }
        Ok(())
    }

    /// Enters a value that must be accepted and signs the step as the MBR asks.
    pub async fn step(&self, step: &str, value: &str) -> Result<EntryOutcome> {
        let outcome = self.accepted(step, value, "").await?;
        self.sign_step(step).await?;
        Ok(outcome)
    }

    /// Dispenses `kg` of lot `lot` and signs the step.
    pub async fn dispense(&self, step: &str, kg: &str, lot: &str) -> Result<()> {
        self.accepted(step, kg, lot).await?;
        self.sign_step(step).await
    }

    /// Runs a timer step for `minutes`. A demo cannot wait out a hold time, so the
    /// start is entered as done on the tablet `minutes` before it reaches the server
    /// (an entry's `performed_at`, which is not late within 30 minutes); the stop is
    /// now, and every ledger time is the real one.
    pub async fn timer(&self, step: &str, minutes: i64) -> Result<()> {
        let started = Timestamp::from_micros(
            self.app.store.now().as_micros() - minutes * 60_000_000 - 20_000_000,
        );
        let outcome = self.enter(step, "start", "", Some(started)).await?;
        if let Some(why) = outcome.refused {
            bail!(
                "batch {}: the timer of {step} did not start: {why}",
                self.id
            );
        }
        self.step(step, "stop").await?;
        Ok(())
    }

    /// QA acknowledges exception `number` raised in this batch.
    pub async fn acknowledge(&self, number: &str) -> Result<()> {
        self.sign(QA, Some(number), "reviewed").await
    }
}
