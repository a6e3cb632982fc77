//! Validated values ("parse, don't validate"): once a `Code` or `Name` exists, it is
//! known to be well-formed, and the error when it is not names the field and the rule.

use serde::{Deserialize, Serialize};

use crate::error::FieldError;

/// A short business identifier such as a site or product code: 2–24 characters,
/// letters, digits and `-`, starting with a letter; stored upper-case.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Code(String);

impl Code {
    pub fn parse(field: &str, raw: &str) -> Result<Code, FieldError> {
        let text = raw.trim().to_uppercase();
        if text.is_empty() {
            return Err(FieldError::new(field, "is required"));
        }
        if !(2..=24).contains(&text.chars().count()) {
            return Err(FieldError::new(field, "must be 2 to 24 characters long"));
        }
        if !text.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return Err(FieldError::new(field, "must start with a letter"));
        }
        if !text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(FieldError::new(
                field,
                "may contain only letters, digits and '-'",
            ));
        }
        Ok(Code(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A lot or batch number as its maker wrote it: 1–40 characters, letters, digits,
/// `-`, `.` and `_`; kept as written (numbers like `000123` keep their zeros).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Number(String);

impl Number {
    pub fn parse(field: &str, raw: &str) -> Result<Number, FieldError> {
        let text = raw.trim();
        if text.is_empty() {
            return Err(FieldError::new(field, "is required"));
        }
        if text.chars().count() > 40 {
            return Err(FieldError::new(field, "must be at most 40 characters"));
        }
        if !text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
        {
            return Err(FieldError::new(
                field,
                format!("'{text}' may contain only letters, digits, '-', '.' and '_'"),
            ));
        }
        Ok(Number(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Free text that names something: required, 1–120 characters after trimming, no
/// control characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Name(String);

impl Name {
    pub fn parse(field: &str, raw: &str) -> Result<Name, FieldError> {
        bounded_text(field, raw, 120).map(Name)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Longer free text (a description, an assessment): required, up to 4,000
/// characters; line breaks and tabs are kept, other control characters refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Text(String);

impl Text {
    pub fn parse(field: &str, raw: &str) -> Result<Text, FieldError> {
        let text = raw.trim();
        if text.is_empty() {
            return Err(FieldError::new(field, "is required"));
        }
        if text.chars().count() > 4000 {
            return Err(FieldError::new(field, "must be at most 4000 characters"));
        }
        if text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return Err(FieldError::new(
                field,
                "must not contain control characters",
            ));
        }
        Ok(Text(text.replace("\r\n", "\n")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why a change is made: required wherever a record is renamed, corrected or
/// deactivated, 3–500 characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Reason(String);

impl Reason {
    pub fn parse(field: &str, raw: &str) -> Result<Reason, FieldError> {
        let text = bounded_text(field, raw, 500)?;
        if text.chars().count() < 3 {
            return Err(FieldError::new(
                field,
                "must say why, in at least 3 characters",
            ));
        }
        Ok(Reason(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An ISO 3166-1 alpha-2 country code, e.g. `CH`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Country(String);

impl Country {
    pub fn parse(field: &str, raw: &str) -> Result<Country, FieldError> {
        let text = raw.trim().to_uppercase();
        if text.len() != 2 || !text.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(FieldError::new(
                field,
                "must be a two-letter ISO 3166 country code, e.g. CH",
            ));
        }
        Ok(Country(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn bounded_text(field: &str, raw: &str, max: usize) -> Result<String, FieldError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(FieldError::new(field, "is required"));
    }
    if text.chars().count() > max {
        return Err(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(text.to_owned())
}

/// Collects field errors from several parses so that one response lists every
/// problem, not only the first.
#[derive(Default, Debug)]
pub struct Errors(Vec<FieldError>);

impl Errors {
    pub fn take<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.0.push(error);
                None
            }
        }
    }

    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    pub fn into_result(self) -> Result<(), crate::DomainError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(crate::DomainError::Validation(self.0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_normalised_and_checked() {
        assert_eq!(Code::parse("code", " bsl-1 ").unwrap().as_str(), "BSL-1");
        assert_eq!(
            Code::parse("code", "1ABC").unwrap_err().reason,
            "must start with a letter"
        );
        assert_eq!(Code::parse("code", "A B").unwrap_err().field, "code");
    }

    #[test]
    fn reasons_must_say_something() {
        assert!(Reason::parse("reason", "  ").is_err());
        assert!(Reason::parse("reason", "ok").is_err());
        assert!(Reason::parse("reason", "typo in name").is_ok());
    }
}
