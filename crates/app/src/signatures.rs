//! Signing a record: the use case behind every signature dialog. The password is
//! re-entered with the username at each signing (§11.200(a)(1)); the domain decides
//! the rest (meaning, duties, the version shown); the signature is committed to the
//! record's own stream at exactly the version that was shown.

use vplant_domain::identity::Principal;
use vplant_domain::identity::user::{UserCommand, UserState};
use vplant_domain::signature::{self, PastEvent, SignRequest};
use vplant_domain::{DomainError, Event, FieldError};
use vplant_store::queries::identity::Signature;
use vplant_store::{CommitOutcome, CommitRequest, StoreError};

use crate::identity::AuthError;
use crate::{App, AppError};

/// What the signature dialog posts.
#[derive(Clone, Debug)]
pub struct SignatureInput {
    pub meaning: String,
    pub shown_version: u64,
    pub shown_hash: String,
    pub username: String,
    pub password: String,
}

/// A record as it is shown for signing: its version and the hash to bind to.
#[derive(Clone, Debug)]
pub struct SignableHead {
    pub version: u64,
    pub hash: String,
}

impl App {
    /// The version and hash a signature dialog must show and post back.
    pub async fn signable_head(&self, stream_id: &str) -> Result<Option<SignableHead>, AppError> {
        let events = self.store.stream(stream_id).await?;
        Ok(events.last().map(|last| SignableHead {
            version: last.stream_version,
            hash: last.hash.to_hex(),
        }))
    }

    /// The record's signatures, oldest first.
    pub async fn signatures(&self, stream_id: &str) -> Result<Vec<Signature>, AppError> {
        Ok(self.store.signatures(stream_id).await?)
    }

    /// Checks that `input` is the signer's own username and password (§11.200(a)):
    /// a wrong password counts like a failed sign-in (§11.300(d)). Returns the
    /// meaning chosen.
    pub(crate) async fn verify_signer(
        &self,
        signer: &Principal,
        input: &SignatureInput,
        client: &str,
    ) -> Result<signature::Meaning, AppError> {
        let meaning = signature::Meaning::parse("meaning", &input.meaning)
            .map_err(|e| DomainError::Validation(vec![e]))?;
        if input.username.trim().to_lowercase() != signer.username {
            return Err(DomainError::field(
                "username",
                format!(
                    "must be your own username; you are signed in as {}",
                    signer.username
                ),
            )
            .into());
        }
        let creds = self
            .store
            .credentials(&signer.username)
            .await?
            .ok_or(AuthError::NotSignedIn)?;
        let matches = self
            .security
            .passwords
            .verify(input.password.clone(), Some(creds.password_hash))
            .await?;
        if !matches {
            let failed = UserCommand::SignInFailed {
                client: client.to_owned(),
                lock_after: self.security.policy.lock_after,
            };
            self.execute::<UserState>(
                &signer.username,
                failed,
                &crate::Request::by(crate::identity::SYSTEM),
            )
            .await?;
            return Err(DomainError::Validation(vec![FieldError::new(
                "password",
                "is not correct; nothing was signed",
            )])
            .into());
        }
        if !creds.user.active || creds.user.locked {
            return Err(AuthError::Locked.into());
        }
        Ok(meaning)
    }

    /// Decides the signature event for the record as it stands: its type's policy,
    /// the version and hash shown, the duties. Returns the event, the record's
    /// events before it and its version.
    pub(crate) async fn decide_signature(
        &self,
        signer: &Principal,
        stream_id: &str,
        name: &str,
        input: &SignatureInput,
        meaning: signature::Meaning,
        subject: Option<String>,
    ) -> Result<(Event, Vec<Event>, u64), AppError> {
        let record_type = stream_id.split_once('/').map_or(stream_id, |(t, _)| t);
        let policy = signature::policy(record_type).ok_or_else(|| {
            DomainError::InvalidState(format!("{name} is not a record that can be signed"))
        })?;
        let stored = self.store.stream(stream_id).await?;
        let events = stored
            .iter()
            .map(|s| {
                Event::from_parts(&s.event_type, &s.payload)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let Some(last) = stored.last() else {
            return Err(DomainError::NotFound {
                what: "record",
                id: stream_id.to_owned(),
            }
            .into());
        };
        let head_hash = last.hash.to_hex();
        let target = signature::SignTarget {
            name,
            version: last.stream_version,
            hash: &head_hash,
            events: stored
                .iter()
                .zip(&events)
                .map(|(s, event)| PastEvent {
                    actor: &s.actor,
                    event,
                })
                .collect(),
        };
        let request = SignRequest {
            meaning,
            shown_version: input.shown_version,
            shown_hash: input.shown_hash.trim().to_lowercase(),
            subject,
        };
        let event = signature::decide(policy, &target, &request, signer)?;
        let version = last.stream_version;
        Ok((event, events, version))
    }

    /// Signs record `stream_id` (named `name` in messages, e.g. "site 'BSL'") for
    /// `signer`. The caller has already checked the signer may see the record.
    pub async fn sign(
        &self,
        signer: &Principal,
        stream_id: &str,
        name: &str,
        input: &SignatureInput,
        client: &str,
    ) -> Result<CommitOutcome, AppError> {
        let record_type = stream_id.split_once('/').map_or(stream_id, |(t, _)| t);
        if record_type == "ebr" {
            return Err(DomainError::InvalidState(
                "a batch record is signed through its steps, review and disposition".to_owned(),
            )
            .into());
        }
        if signature::policy(record_type).is_none() {
            return Err(DomainError::InvalidState(format!(
                "{name} is not a record that can be signed"
            ))
            .into());
        }
        let meaning = self.verify_signer(signer, input, client).await?;
        let (event, events, version) = self
            .decide_signature(signer, stream_id, name, input, meaning, None)
            .await?;
        let past: Vec<&Event> = events.iter().collect();
        let mut appended = vec![event];
        appended.extend(signature::consequences(
            record_type,
            &past,
            meaning,
            self.store.now().date(),
        )?);
        let outcome = self
            .store
            .commit(CommitRequest {
                stream_id: stream_id.to_owned(),
                expected_version: version,
                events: appended,
                actor: signer.username.clone(),
                reason: None,
                idempotency: None,
            })
            .await?;
        Ok(outcome)
    }
}
