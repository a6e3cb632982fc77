//! Sites: the plants that make product, internal or at a contract manufacturer (CMO).

use serde::{Deserialize, Serialize};

use crate::aggregate::Aggregate;
use crate::context::Ctx;
use crate::error::{DomainError, FieldError};
use crate::event::{Empty, Event};
use crate::fields::{Code, Country, Errors, Name};
use crate::master::{Change, Decided, Lifecycle};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SiteKind {
    /// Run by the company itself, with batches executed on our eBR.
    Internal,
    /// A contract manufacturer overseen by the Virtual Plant Team.
    Cmo,
}

impl SiteKind {
    pub fn parse(field: &str, raw: &str) -> Result<SiteKind, FieldError> {
        match raw.trim().to_lowercase().as_str() {
            "internal" => Ok(SiteKind::Internal),
            "cmo" => Ok(SiteKind::Cmo),
            _ => Err(FieldError::new(field, "must be 'internal' or 'cmo'")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SiteKind::Internal => "internal",
            SiteKind::Cmo => "cmo",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteRegistered {
    pub code: String,
    pub name: String,
    pub kind: SiteKind,
    pub country: String,
}

/// A validated new site.
#[derive(Clone, Debug)]
pub struct NewSite(SiteRegistered);

impl NewSite {
    /// Parses raw input, reporting every bad field at once.
    pub fn parse(
        code: &str,
        name: &str,
        kind: &str,
        country: &str,
    ) -> Result<NewSite, DomainError> {
        let mut errors = Errors::default();
        let code = errors.take(Code::parse("code", code));
        let name = errors.take(Name::parse("name", name));
        let kind = errors.take(SiteKind::parse("kind", kind));
        let country = errors.take(Country::parse("country", country));
        errors.into_result()?;
        match (code, name, kind, country) {
            (Some(code), Some(name), Some(kind), Some(country)) => Ok(NewSite(SiteRegistered {
                code: code.as_str().to_owned(),
                name: name.as_str().to_owned(),
                kind,
                country: country.as_str().to_owned(),
            })),
            _ => Err(DomainError::field("input", "could not be read")),
        }
    }

    pub fn code(&self) -> &str {
        &self.0.code
    }
}

#[derive(Clone, Debug)]
pub enum SiteCommand {
    Register(NewSite),
    Change(Change),
}

/// A site as its events describe it.
#[derive(Clone, Debug, Default)]
pub struct SiteState {
    pub registered: Option<SiteRegistered>,
    pub lifecycle: Lifecycle,
}

fn site_event(decided: Decided) -> Event {
    match decided {
        Decided::Renamed(r) => Event::SiteRenamed(r),
        Decided::Deactivated => Event::SiteDeactivated(Empty {}),
        Decided::Reactivated => Event::SiteReactivated(Empty {}),
    }
}

impl Aggregate for SiteState {
    type Command = SiteCommand;

    fn stream_id(code: &str) -> String {
        format!("site/{code}")
    }

    fn apply(&mut self, event: &Event) {
        match event {
            Event::SiteRegistered(e) => {
                self.lifecycle = Lifecycle::registered(&e.name);
                self.registered = Some(e.clone());
            }
            Event::SiteRenamed(r) => self.lifecycle.apply(&Decided::Renamed(r.clone())),
            Event::SiteDeactivated(_) => self.lifecycle.apply(&Decided::Deactivated),
            Event::SiteReactivated(_) => self.lifecycle.apply(&Decided::Reactivated),
            _ => {}
        }
    }

    fn decide(&self, command: &SiteCommand, _ctx: &Ctx) -> Result<Vec<Event>, DomainError> {
        match (&self.registered, command) {
            (None, SiteCommand::Register(new)) => Ok(vec![Event::SiteRegistered(new.0.clone())]),
            (Some(site), SiteCommand::Register(_)) => Err(DomainError::AlreadyExists {
                what: "site",
                id: site.code.clone(),
            }),
            (None, SiteCommand::Change(_)) => Err(DomainError::NotFound {
                what: "site",
                id: String::new(),
            }),
            (Some(site), SiteCommand::Change(change)) => {
                let decided = self.lifecycle.decide("site", &site.code, change)?;
                Ok(vec![site_event(decided)])
            }
        }
    }

    fn reason(command: &SiteCommand) -> Option<&str> {
        match command {
            SiteCommand::Register(_) => None,
            SiteCommand::Change(change) => Some(change.reason()),
        }
    }
}
