//! Products: what the network makes, identified by a product code.

use serde::{Deserialize, Serialize};

use crate::aggregate::Aggregate;
use crate::context::Ctx;
use crate::error::DomainError;
use crate::event::{Empty, Event};
use crate::fields::{Code, Errors, Name};
use crate::master::{Change, Decided, Lifecycle};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductRegistered {
    pub code: String,
    pub name: String,
    /// e.g. "film-coated tablet".
    pub dosage_form: String,
    /// e.g. "500 mg".
    pub strength: String,
}

/// A validated new product.
#[derive(Clone, Debug)]
pub struct NewProduct(ProductRegistered);

impl NewProduct {
    pub fn parse(
        code: &str,
        name: &str,
        dosage_form: &str,
        strength: &str,
    ) -> Result<NewProduct, DomainError> {
        let mut errors = Errors::default();
        let code = errors.take(Code::parse("code", code));
        let name = errors.take(Name::parse("name", name));
        let dosage_form = errors.take(Name::parse("dosage_form", dosage_form));
        let strength = errors.take(Name::parse("strength", strength));
        errors.into_result()?;
        match (code, name, dosage_form, strength) {
            (Some(code), Some(name), Some(form), Some(strength)) => {
                Ok(NewProduct(ProductRegistered {
                    code: code.as_str().to_owned(),
                    name: name.as_str().to_owned(),
                    dosage_form: form.as_str().to_owned(),
                    strength: strength.as_str().to_owned(),
                }))
            }
            _ => Err(DomainError::field("input", "could not be read")),
        }
    }

    pub fn code(&self) -> &str {
        &self.0.code
    }
}

#[derive(Clone, Debug)]
pub enum ProductCommand {
    Register(NewProduct),
    Change(Change),
}

#[derive(Clone, Debug, Default)]
pub struct ProductState {
    pub registered: Option<ProductRegistered>,
    pub lifecycle: Lifecycle,
}

fn product_event(decided: Decided) -> Event {
    match decided {
        Decided::Renamed(r) => Event::ProductRenamed(r),
        Decided::Deactivated => Event::ProductDeactivated(Empty {}),
        Decided::Reactivated => Event::ProductReactivated(Empty {}),
    }
}

impl Aggregate for ProductState {
    type Command = ProductCommand;

    fn stream_id(code: &str) -> String {
        format!("product/{code}")
    }

    fn apply(&mut self, event: &Event) {
        match event {
            Event::ProductRegistered(e) => {
                self.lifecycle = Lifecycle::registered(&e.name);
                self.registered = Some(e.clone());
            }
            Event::ProductRenamed(r) => self.lifecycle.apply(&Decided::Renamed(r.clone())),
            Event::ProductDeactivated(_) => self.lifecycle.apply(&Decided::Deactivated),
            Event::ProductReactivated(_) => self.lifecycle.apply(&Decided::Reactivated),
            _ => {}
        }
    }

    fn decide(&self, command: &ProductCommand, _ctx: &Ctx) -> Result<Vec<Event>, DomainError> {
        match (&self.registered, command) {
            (None, ProductCommand::Register(new)) => {
                Ok(vec![Event::ProductRegistered(new.0.clone())])
            }
            (Some(p), ProductCommand::Register(_)) => Err(DomainError::AlreadyExists {
                what: "product",
                id: p.code.clone(),
            }),
            (None, ProductCommand::Change(_)) => Err(DomainError::NotFound {
                what: "product",
                id: String::new(),
            }),
            (Some(p), ProductCommand::Change(change)) => {
                let decided = self.lifecycle.decide("product", &p.code, change)?;
                Ok(vec![product_event(decided)])
            }
        }
    }

    fn reason(command: &ProductCommand) -> Option<&str> {
        match command {
            ProductCommand::Register(_) => None,
            ProductCommand::Change(change) => Some(change.reason()),
        }
    }
}
